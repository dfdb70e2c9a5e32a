"""Street routing benchmarks on the Porto Alegre sample: reachable against scipy, networkx and igraph.

Run from the repository root (about 35 s on a 2-core machine)::

    python benchmarks/bench_streets.py

It prints, as text tables:

1. one-to-all Dijkstra per source on the walk and car graphs (no cutoff): our numba
   ``one_to_all`` against ``scipy.sparse.csgraph.dijkstra``, networkx and python-igraph (when
   installed), after checking that every peer finds the same distances;
2. the 1,227 x 1,227 hexagon matrix (walk 60 min, car 120 min): ``travel_time_matrix``
   against scipy doing the same searches (one per endpoint of every origin's snapped edge),
   and against the cheaper nearest-node approximation; with the share of pairs on which the
   two matrices agree;
3. building the network from the PBF, saving and loading it;
4. the peak memory of the process;
5. whether the performance targets are met.

Ratios are ours / peer: below 1 means reachable is faster. Our matrix kernel runs on all
numba threads; scipy, networkx and igraph use one core.
"""

from __future__ import annotations

import os
import platform
import resource
import sys
import tempfile
import time
import warnings
from dataclasses import dataclass
from pathlib import Path

import numba
import numpy as np
import scipy
from scipy.sparse import csr_matrix
from scipy.sparse.csgraph import dijkstra

import reachable as rc
from _report import best_of, cpu_model, optional_version, print_table, ratio_text
from reachable.kernels import one_to_all, street_travel_times
from reachable.network.street import arc_seconds

SEED = 20190513
N_SOURCES = 100
N_SOURCES_NETWORKX = 20
MAX_TIMES = {"walk": 60, "car": 120}
"""Minutes, as in the brief: walk 60, car 120."""
WALK_SPEED_MS = 3.6 / 3.6
"""The default walking speed (3.6 km/h) in m/s, also used off-street in car mode."""
MAX_SNAP_DISTANCE = 1600.0
SCIPY_CHUNK = 256
"""Sources per scipy call: scipy returns a dense (sources x nodes) array, so chunk it."""
AGREE_SECONDS = 1.0
MATRIX_REPEATS = 2
"""Matrix timings are the best of this many calls (after a warm-up call for ours)."""
TOLERANCE_SECONDS = 1e-6
TARGET_MATRIX_RATIO = 0.5
TARGET_BUILD_SECONDS = 3.0
TARGET_LOAD_SECONDS = 1.0


# --------------------------------------------------------------------------- reporting
def print_header() -> None:
    import networkx

    print(
        f"machine: {os.cpu_count()} cores, {cpu_model()}; numba threads: {numba.get_num_threads()}; "
        f"Python {platform.python_version()}"
    )
    print(
        f"versions: reachable {rc.__version__}, numpy {np.__version__}, scipy {scipy.__version__}, "
        f"numba {numba.__version__}, networkx {networkx.__version__}, "
        f"igraph {optional_version('igraph')}, psutil {optional_version('psutil')}"
    )


# --------------------------------------------------------------------------- graphs for peers
@dataclass(frozen=True)
class Arcs:
    """One arc per (tail, head) pair with the cheapest weight: what every peer is given."""

    n_nodes: int
    tail: np.ndarray
    head: np.ndarray
    weight: np.ndarray

    def scipy_matrix(self) -> csr_matrix:
        # Built from CSR arrays directly: no duplicates remain, and nothing is summed.
        indptr = np.concatenate(([0], np.cumsum(np.bincount(self.tail, minlength=self.n_nodes))))
        return csr_matrix((self.weight, self.head, indptr), shape=(self.n_nodes, self.n_nodes))


def cheapest_arcs(graph, weight: np.ndarray) -> Arcs:
    """Keep the cheapest of parallel arcs, sorted by tail then head."""
    tail = np.repeat(np.arange(graph.n_nodes, dtype=np.int64), np.diff(graph.indptr))
    order = np.lexsort((weight, graph.head, tail))
    tail, head, weight = tail[order], graph.head[order], weight[order]
    first = np.ones(len(tail), dtype=bool)
    first[1:] = (tail[1:] != tail[:-1]) | (head[1:] != head[:-1])
    return Arcs(graph.n_nodes, tail[first], head[first], weight[first])


def check_close(name: str, ours: np.ndarray, theirs: np.ndarray, source: int) -> None:
    """Raise unless both distance arrays agree within TOLERANCE_SECONDS (inf matching inf)."""
    same_inf = np.isinf(ours) & np.isinf(theirs)
    gap = np.where(same_inf, 0.0, np.abs(ours - theirs))
    if not np.all(gap <= TOLERANCE_SECONDS):
        worst = int(np.nanargmax(np.where(np.isnan(gap), np.inf, gap)))
        raise AssertionError(
            f"{name} disagrees with one_to_all from source {source}: node {worst} "
            f"ours {ours[worst]!r} s, {name} {theirs[worst]!r} s"
        )


# --------------------------------------------------------------------------- 1. one-to-all
def mean_ms(function, sources) -> tuple[float, list[np.ndarray]]:
    """Mean milliseconds of ``function(source)`` over ``sources``, and the distances."""
    results, elapsed = [], 0.0
    for source in sources:
        started = time.perf_counter()
        distances = function(int(source))
        elapsed += time.perf_counter() - started
        results.append(distances)
    return 1e3 * elapsed / len(sources), results


def networkx_runner(arcs: Arcs):
    import networkx as nx

    G = nx.DiGraph()
    G.add_nodes_from(range(arcs.n_nodes))
    G.add_weighted_edges_from(zip(arcs.tail.tolist(), arcs.head.tolist(), arcs.weight.tolist(), strict=True))
    return lambda source: nx.single_source_dijkstra_path_length(G, source, weight="weight")


def networkx_array(lengths: dict, n_nodes: int) -> np.ndarray:
    out = np.full(n_nodes, np.inf)
    out[np.fromiter(lengths.keys(), dtype=np.int64)] = np.fromiter(lengths.values(), dtype=float)
    return out


def igraph_runner(arcs: Arcs):
    """A function source -> distances with python-igraph, or None when it is not installed."""
    try:
        import igraph
    except ImportError:
        return None
    G = igraph.Graph(n=arcs.n_nodes, edges=np.column_stack((arcs.tail, arcs.head)).tolist(), directed=True)
    G.es["weight"] = arcs.weight.tolist()
    return lambda source: G.distances(source=[source], weights="weight", mode="out")[0]


def bench_one_to_all(net, mode: str, rng: np.random.Generator) -> list[list[str]]:
    graph = net.graph(mode)
    weight = arc_seconds(graph, net.edge_seconds(mode))
    arcs = cheapest_arcs(graph, weight)
    A = arcs.scipy_matrix()
    sources = rng.choice(graph.n_nodes, size=N_SOURCES, replace=False)
    n = graph.n_nodes

    one_to_all(graph.indptr, graph.head, weight, int(sources[0]), np.inf)  # compile / warm up
    ours_ms, ours = mean_ms(lambda s: one_to_all(graph.indptr, graph.head, weight, s, np.inf), sources)

    scipy_ms, theirs = mean_ms(lambda s: dijkstra(A, directed=True, indices=[s])[0], sources)
    for source, mine, other in zip(sources, ours, theirs, strict=True):
        check_close("scipy", mine, other, int(source))

    few = sources[:N_SOURCES_NETWORKX]
    nx_ms, nx_lengths = mean_ms(networkx_runner(arcs), few)
    for source, mine, lengths in zip(few, ours[: len(few)], nx_lengths, strict=True):
        check_close("networkx", mine, networkx_array(lengths, n), int(source))

    label = f"{mode} ({n:,} nodes, {arcs.tail.size:,} arcs)"
    rows = [
        [label, "ours one_to_all (numba)", f"{N_SOURCES}", f"{ours_ms:.3f}", ""],
        [label, "scipy csgraph.dijkstra", f"{N_SOURCES}", f"{scipy_ms:.3f}", ratio_text(ours_ms, scipy_ms)],
        [
            label,
            "networkx single_source_dijkstra",
            f"{len(few)}",
            f"{nx_ms:.3f}",
            ratio_text(ours_ms, nx_ms),
        ],
    ]
    run_igraph = igraph_runner(arcs)
    if run_igraph is not None:
        ig_ms, ig_dist = mean_ms(run_igraph, sources)
        for source, mine, other in zip(sources, ours, ig_dist, strict=True):
            check_close("igraph", mine, np.asarray(other, dtype=float), int(source))
        rows.append(
            [label, "igraph Graph.distances", f"{N_SOURCES}", f"{ig_ms:.3f}", ratio_text(ours_ms, ig_ms)]
        )
    return rows


# --------------------------------------------------------------------------- 2. matrices
@dataclass(frozen=True)
class Snapped:
    """Hexagons on a mode's graph, with entry and exit costs for combining scipy's distances.

    The model: off-street walk at 3.6 km/h plus the part of the edge travelled, ``inf`` where
    a one-way edge forbids it, except that a point at the very end of an edge (f = 0 or 1)
    is at that node and needs no travel along the edge.
    """

    edge: np.ndarray  # street edge id (net.edges index), -1 when not snapped
    fraction: np.ndarray
    node: np.ndarray  # (n, 2) graph nodes u, v; -1 when not snapped
    enter: np.ndarray  # (n, 3) seconds point -> u, point -> v, off-street walk alone
    leave: np.ndarray  # (n, 3) seconds u -> point, v -> point, off-street walk alone
    along: np.ndarray  # (n, 2) seconds along the whole edge u -> v, v -> u


def snap_hexes(net, mode: str, lon: np.ndarray, lat: np.ndarray) -> Snapped:
    graph = net.graph(mode)
    snapped = net.snap(mode, lon, lat, max_snap_distance=MAX_SNAP_DISTANCE)
    ok = snapped.edge >= 0
    k = np.where(ok, snapped.edge, 0)
    uv, vu = net.edge_seconds(mode)[graph.edge[k]].T
    forward = graph.edge_direction[k, 0] & ok  # u -> v allowed
    backward = graph.edge_direction[k, 1] & ok  # v -> u allowed
    f = snapped.fraction
    off = np.where(ok, snapped.distance / WALK_SPEED_MS, np.inf)
    at_u, at_v = ok & (f == 0), ok & (f == 1)
    to_u = np.where(backward, f * vu, np.where(at_u, 0.0, np.inf))
    to_v = np.where(forward, (1 - f) * uv, np.where(at_v, 0.0, np.inf))
    from_u = np.where(forward, f * uv, np.where(at_u, 0.0, np.inf))
    from_v = np.where(backward, (1 - f) * vu, np.where(at_v, 0.0, np.inf))
    enter = np.column_stack((off + to_u, off + to_v, off))
    leave = np.column_stack((from_u + off, from_v + off, off))
    along = np.column_stack((np.where(forward, uv, np.inf), np.where(backward, vu, np.inf)))
    return Snapped(
        edge=np.where(ok, graph.edge[k], -1),
        fraction=f,
        node=np.where(ok[:, None], graph.edge_node[k], -1),
        enter=enter,
        leave=leave,
        along=along,
    )


def scipy_searches(A: csr_matrix, sources: np.ndarray, targets: np.ndarray, cutoff: float):
    """Seconds spent in scipy's dijkstra from ``sources``, and their distances to ``targets``."""
    out = np.empty((len(sources), len(targets)))
    elapsed = 0.0
    for start in range(0, len(sources), SCIPY_CHUNK):
        chunk = sources[start : start + SCIPY_CHUNK]
        started = time.perf_counter()
        distances = dijkstra(A, directed=True, indices=chunk, limit=cutoff)
        elapsed += time.perf_counter() - started
        out[start : start + len(chunk)] = distances[:, targets]
    return elapsed, out


def combine(points: Snapped, nodes: np.ndarray, between: np.ndarray, cutoff: float) -> np.ndarray:
    """Origin -> destination seconds from node -> node seconds, entering and leaving both ends."""
    position = np.searchsorted(nodes, np.where(points.node >= 0, points.node, nodes[0]))
    best = np.full((len(points.edge), len(points.edge)), np.inf)
    for a in range(2):
        for b in range(2):
            via = points.enter[:, a, None] + between[np.ix_(position[:, a], position[:, b])]
            np.minimum(best, via + points.leave[None, :, b], out=best)
    return np.where(best <= cutoff, best, np.inf)


def kernel_only(net, mode: str, points: Snapped, cutoff: float) -> np.ndarray:
    graph = net.graph(mode)
    weight = arc_seconds(graph, net.edge_seconds(mode))
    return street_travel_times(
        graph.indptr,
        graph.head,
        weight,
        points.node,
        points.enter,
        points.edge,
        points.fraction,
        points.along,
        points.node,
        points.leave,
        points.edge,
        points.fraction,
        cutoff,
        4 * numba.get_num_threads(),
    )


def agreement(ours: np.ndarray, theirs: np.ndarray, compared: np.ndarray, cutoff: float, points) -> dict:
    """How often two seconds matrices agree within AGREE_SECONDS on the ``compared`` pairs.

    Both are clipped at ``cutoff + AGREE_SECONDS`` first, so a pair just under the cutoff on
    one side and just over it on the other (rounding) counts as agreeing.
    """
    cap = cutoff + AGREE_SECONDS
    a, b = np.minimum(ours, cap)[compared], np.minimum(theirs, cap)[compared]
    gap = np.abs(a - b)
    finite_ours, finite_theirs = a < cap, b < cap
    return {
        "share": float(np.mean(gap <= AGREE_SECONDS)),
        "n": int(compared.sum()),
        "ours_only": int(np.sum(finite_ours & ~finite_theirs & (gap > AGREE_SECONDS))),
        "scipy_only": int(np.sum(~finite_ours & finite_theirs & (gap > AGREE_SECONDS))),
        "both_differ": int(np.sum(finite_ours & finite_theirs & (gap > AGREE_SECONDS))),
        "max_gap": float(gap[finite_ours & finite_theirs].max(initial=0.0)),
        "ours_faster": int(np.sum(finite_ours & finite_theirs & (a < b - AGREE_SECONDS))),
    }


def bench_matrix(net, hexes, mode: str, max_time: float) -> tuple[list[list[str]], dict, float]:
    cutoff = max_time * 60.0
    lon, lat = hexes.geometry.x.to_numpy(), hexes.geometry.y.to_numpy()
    n = len(hexes)

    with warnings.catch_warnings():  # a few hexagons are too far from the streets: expected
        warnings.simplefilter("ignore", rc.ReachableWarning)
        rc.travel_time_matrix(net, hexes, mode=mode, max_time=max_time)  # warm up
        ours_s, ttm = best_of(
            MATRIX_REPEATS, lambda: rc.travel_time_matrix(net, hexes, mode=mode, max_time=max_time)
        )
    ours = np.nan_to_num(ttm["travel_time"].to_numpy().reshape(n, n) * 60.0, nan=np.inf)

    points = snap_hexes(net, mode, lon, lat)
    kernel_s, _ = best_of(MATRIX_REPEATS, lambda: kernel_only(net, mode, points, cutoff))

    graph = net.graph(mode)
    A = cheapest_arcs(graph, arc_seconds(graph, net.edge_seconds(mode))).scipy_matrix()
    nodes = np.unique(points.node[points.node >= 0])
    scipy_s, between = min(
        (scipy_searches(A, nodes, nodes, cutoff) for _ in range(MATRIX_REPEATS)), key=lambda pair: pair[0]
    )
    theirs = combine(points, nodes, between, cutoff)

    nearest = np.unique(np.where(points.fraction < 0.5, points.node[:, 0], points.node[:, 1]))
    nearest = nearest[nearest >= 0]
    nearest_s = min(scipy_searches(A, nearest, nearest[:1], cutoff)[0] for _ in range(MATRIX_REPEATS))

    same_place = (lon[:, None] == lon[None, :]) & (lat[:, None] == lat[None, :])
    same_edge = (points.edge[:, None] == points.edge[None, :]) & (points.edge[:, None] >= 0)
    stats = agreement(ours, theirs, ~(same_place | same_edge), cutoff, points)
    stats["unsnapped"] = int(np.sum(points.edge < 0))

    label = f"{mode} {n}x{n}, {max_time:g} min"
    rows = [
        [label, "ours travel_time_matrix (end to end)", f"{n}", f"{ours_s:.3f}", ""],
        [label, "ours street_travel_times kernel only", f"{n}", f"{kernel_s:.3f}", ""],
        [label, "scipy dijkstra, same work", f"{len(nodes)}", f"{scipy_s:.3f}", ratio_text(ours_s, scipy_s)],
        [
            label,
            "scipy, nearest node only (less work)",
            f"{len(nearest)}",
            f"{nearest_s:.3f}",
            ratio_text(ours_s, nearest_s),
        ],
    ]
    return rows, stats, ours_s / scipy_s


# --------------------------------------------------------------------------- 3. storage
def bench_storage(osm: Path) -> dict:
    build_s, net = best_of(3, lambda: rc.Network.build(osm, cache=False, progress=False))
    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / "poa.reachable"
        save_s, _ = best_of(3, lambda: net.save(path))
        load_s, _ = best_of(3, lambda: rc.Network.load(path))
        size_mb = path.stat().st_size / 1e6
    return {"net": net, "build": build_s, "save": save_s, "load": load_s, "size_mb": size_mb}


# --------------------------------------------------------------------------- 4. memory
def peak_rss_mb() -> float:
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss  # KiB on Linux, bytes on macOS
    return peak / 1e6 if sys.platform == "darwin" else peak * 1024 / 1e6


def current_rss_text() -> str:
    try:
        import psutil
    except ImportError:
        return ""
    return f", current {psutil.Process().memory_info().rss / 1e6:.0f} MB (psutil)"


# --------------------------------------------------------------------------- main
def main() -> None:
    started = time.perf_counter()
    print_header()
    paths = rc.datasets.porto_alegre()
    hexes = rc.datasets.porto_alegre_hexgrid()

    storage = bench_storage(paths.osm)
    net = storage["net"]
    print(f"network: {net}")

    rng = np.random.default_rng(SEED)
    rows = [row for mode in MAX_TIMES for row in bench_one_to_all(net, mode, rng)]
    print_table(
        "1. One-to-all Dijkstra per source, no cutoff (distances checked equal to scipy within 1e-6 s)",
        ["graph", "method", "sources", "ms/source", "ours/peer"],
        rows,
    )

    rows, matrix_ratio, agreements = [], {}, {}
    for mode, max_time in MAX_TIMES.items():
        mode_rows, agreements[mode], matrix_ratio[mode] = bench_matrix(net, hexes, mode, max_time)
        rows += mode_rows
    print_table(
        "2. Hexagon travel-time matrix (ratio: ours end to end / peer; scipy: its dijkstra calls only)",
        ["matrix", "method", "sources", "seconds", "ours/peer"],
        rows,
    )
    print("\n   ours vs scipy (same work), agreement within 1 s; pairs on one edge or at one place excluded:")
    for mode, s in agreements.items():
        print(
            f"   {mode:>4}: {s['share']:.4%} of {s['n']:,} pairs; reached by ours only {s['ours_only']:,}, "
            f"by scipy only {s['scipy_only']:,}, both but > 1 s apart {s['both_differ']:,} "
            f"(ours faster in {s['ours_faster']:,}; largest gap {s['max_gap']:.1f} s)"
        )
        print(f"         hexagons beyond {MAX_SNAP_DISTANCE:g} m of the streets: {s['unsnapped']}")

    print_table(
        "3. Network build, save and load (best of 3)",
        ["step", "seconds", ""],
        [
            ["build from PBF (cache=False)", f"{storage['build']:.3f}", ""],
            ["save", f"{storage['save']:.3f}", f"{storage['size_mb']:.1f} MB"],
            ["load", f"{storage['load']:.3f}", ""],
        ],
    )

    print(f"\n4. Peak memory: {peak_rss_mb():.0f} MB RSS (getrusage){current_rss_text()}")

    def verdict(ok: bool) -> str:
        return "PASS" if ok else "MISS"

    targets = [
        *(
            [
                f"{mode} matrix <= {TARGET_MATRIX_RATIO}x scipy (same work)",
                f"{ratio:.2f}x",
                verdict(ratio <= TARGET_MATRIX_RATIO),
            ]
            for mode, ratio in matrix_ratio.items()
        ),
        [
            f"build < {TARGET_BUILD_SECONDS:g} s",
            f"{storage['build']:.2f} s",
            verdict(storage["build"] < TARGET_BUILD_SECONDS),
        ],
        [
            f"load < {TARGET_LOAD_SECONDS:g} s",
            f"{storage['load']:.2f} s",
            verdict(storage["load"] < TARGET_LOAD_SECONDS),
        ],
    ]
    print_table("5. Targets", ["target", "measured", "result"], targets)
    print(f"\ntotal benchmark time {time.perf_counter() - started:.0f} s")


if __name__ == "__main__":
    main()
