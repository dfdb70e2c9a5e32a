"""Scaling: build, memory, save, load and routing on synthetic cities 1, 4 and 16 times Porto Alegre.

Run from the repository root (about 4 minutes on a 2-core machine, most of it at scale 16)::

    python benchmarks/bench_scale.py                         # --scales 1 4 16 --origins 500
    python benchmarks/bench_scale.py --scales 1 4 --origins 200

Each city comes from ``benchmarks/synthetic_region.py`` (seed 0): scale 1 has Porto Alegre's
1,227 H3 cells, about 26,700 street edges and 4,000 stops, and everything grows linearly with
the scale. Each scale runs in a fresh Python process (the script calls itself with
``--worker``), so that its memory is its own, which first builds and queries a tiny city
(scale 0.02) to compile numba's kernels, then measures:

1. the network build (OSM XML + GTFS folder, ``cache=False``, best of 2) and the first
   build's peak memory: the resident high-water mark (``VmHWM`` of ``/proc/self/status``)
   minus the resident size just before the build (``/proc/self/statm``), so the
   interpreter, the libraries and the warm-up are not counted;
2. the saved file (``net.save``) and ``rc.Network.load`` (best of 3);
3. from ``--origins`` cells drawn at random (seed 0) to all cells: a transit matrix, one
   departure at 08:00 on Monday 2019-05-13, ``max_time`` 60, and walk accessibility to jobs
   within 30 min (``rc.accessibility``), the first call on a network just loaded (its caches
   empty); a sample of origins keeps the work per origin measurable without running 16 times
   the full matrix;
4. the same two queries warm, here and on a ``dask.distributed.LocalCluster(n_workers=2,
   threads_per_worker=1, processes=True)`` with ``client=client``, in turn (local, cluster,
   local...: both see the same moments of the machine), best of 5 each, checking that the
   cluster's results equal the local ones; the time of the fresh cluster's first calls (both
   queries from 10 origins: each worker reads the network from the file ``net.save`` wrote,
   loads the kernels numba cached, fills its caches), and the round trip of a Dask task doing
   nothing;
5. in cities of at most 5,000 cells (scales 1 and 4), both queries again from every cell, in
   the same way: the work of a whole study, where the cluster's fixed cost per query (tens of
   milliseconds) weighs less than in the sampled queries;
6. transit accessibility by arrival (jobs within 45 min, arriving by 09:00), every cell an
   origin and a destination, here and on the cluster in turn (best of 2 after a first call
   each): a backward search per destination, which the cluster splits by destinations.

It prints the cities, the measures per scale, the growth exponent of each cost (slope of
log cost on log street edges, ``numpy.polyfit``: 1 is linear), the memory per million street
edges, and the targets, PASS or MISS: build time and build memory at most linear (exponent
<= 1.1), routing per origin at most linear in network size (exponent <= 1.1), and the
2-worker cluster within 1.3x of the local run, for every query (sampled or whole city, at
every scale) that takes at least 0.25 s here. Smaller queries are listed with the
milliseconds the cluster adds, next to the round trip of a Dask task that does nothing: a
fixed cost no ratio target can absorb in a query of 40 ms. Local queries use every numba
thread; timings are noisy on shared machines: compare runs on the same, idle machine.
"""

from __future__ import annotations

import argparse
import gc
import json
import os
import subprocess
import sys
import tempfile
import time
import warnings
from pathlib import Path

import numba
import numpy as np
import pandas as pd

import reachable as rc
from _report import best_of, cpu_model, optional_version, print_table
from synthetic_region import write_region

DATE = "2019-05-13"
DEPARTURE = f"{DATE} 08:00"
ARRIVAL = f"{DATE} 09:00"
MAX_TIME = 60
CUTOFF = 30
ARRIVAL_CUTOFF = 45
ARRIVAL_REPEATS = 2
"""Best of, for accessibility by arrival from every cell: 12 s a run at scale 16."""
SEED = 0
WARM_UP_SCALE = 0.02
WARM_UP_ORIGINS = 10
LOAD_REPEATS = 3
QUERY_REPEATS = 5
"""Best of: a cluster query's time varies by tens of milliseconds from one call to the next, and
on 2 cores by a third when the client builds a large frame while the other processes stir."""
N_WORKERS = 2
GROWTH_TARGET = 1.1
"""Largest exponent counted as linear (0.1 for timing noise over three points)."""
CLUSTER_TARGET = 1.3
CLUSTER_WORK_S = 0.25
"""Queries taking at least this long here are held to :data:`CLUSTER_TARGET`: worth a cluster."""
WHOLE_CITY_CELLS = 5_000
"""Cities with at most this many cells are also routed from every cell (scales 1 and 4): the
work a region's study runs, where the cluster's fixed cost per query weighs less."""


def resident_mb() -> float:
    """Resident size of this process now, in MB."""
    pages = int(Path("/proc/self/statm").read_text().split()[1])
    return pages * os.sysconf("SC_PAGE_SIZE") / 2**20


def peak_mb() -> float:
    """Resident high-water mark of this process, in MB (``VmHWM``, which Linux reports in kB).

    Not ``getrusage``'s ``ru_maxrss``: a process started from another keeps its parent's
    (``execve`` preserves it), so a cluster worker would report the client's peak.
    """
    status = Path("/proc/self/status").read_text()
    return int(next(line for line in status.splitlines() if line.startswith("VmHWM:")).split()[1]) / 1024


def same_frames(one: pd.DataFrame, other: pd.DataFrame) -> bool:
    return one.reset_index(drop=True).equals(other.reset_index(drop=True))


def alternated(repeats: int, here, there) -> tuple[float, float, object, object]:
    """Best times of ``here()`` and ``there()`` run in turn, so that both see the same machine.

    A 2-core machine's background load comes and goes: timing one query's repeats and then
    the other's compares two moments, not two ways of running it.
    """
    best_here = best_there = np.inf
    for _ in range(repeats):
        started = time.perf_counter()
        frame_here = here()
        best_here = min(best_here, time.perf_counter() - started)
        started = time.perf_counter()
        frame_there = there()
        best_there = min(best_there, time.perf_counter() - started)
    return best_here, best_there, frame_here, frame_there


def queries(network, origins, cells, **cluster):
    """The transit matrix and the walk accessibility of the benchmark, as two callables."""

    def transit():
        return rc.travel_time_matrix(
            network,
            origins,
            cells,
            mode="transit",
            departure=DEPARTURE,
            max_time=MAX_TIME,
            progress=False,
            **cluster,
        )

    def walk():
        return rc.accessibility(
            network,
            origins,
            cells,
            columns=["jobs"],
            mode="walk",
            cutoffs=[CUTOFF],
            progress=False,
            **cluster,
        )

    return transit, walk


def by_arrival(network, cells, **cluster):
    """Transit accessibility by arrival, every cell an origin: one backward search per cell."""
    return rc.accessibility(
        network,
        cells,
        cells,
        columns=["jobs"],
        mode="transit",
        cutoffs=[ARRIVAL_CUTOFF],
        arrival=ARRIVAL,
        progress=False,
        **cluster,
    )


# --------------------------------------------------------------------------- one scale (worker)
def worker(folder: Path, n_origins: int) -> None:
    """Measure one city in ``folder`` (written by the parent) and write ``result.json`` there."""
    warnings.simplefilter("ignore", rc.ReachableWarning)
    osm, gtfs = folder / "city.osm", folder / "gtfs"
    cells = pd.read_csv(folder / "cells.csv")
    result: dict = {}

    # Compile the kernels on a tiny city first, so the timings below are of work only.
    tiny_osm, tiny_gtfs, tiny_cells = write_region(folder / "warm_up", WARM_UP_SCALE, seed=SEED)
    tiny = rc.Network.build(tiny_osm, gtfs=[tiny_gtfs], date=DATE, cache=False, progress=False)
    tiny_cells = pd.DataFrame(tiny_cells.drop(columns="geometry"))
    for query in queries(tiny, tiny_cells.iloc[:WARM_UP_ORIGINS], tiny_cells):
        query()
    by_arrival(tiny, tiny_cells)
    del tiny

    def build():
        return rc.Network.build(osm, gtfs=[gtfs], date=DATE, cache=False, progress=False)

    before = resident_mb()
    started = time.perf_counter()
    network = build()
    result["build_s"] = time.perf_counter() - started
    result["build_peak_mb"] = peak_mb() - before
    result["retained_mb"] = resident_mb() - before
    # Timed once more, without the first network (the memory above is the first build's):
    # a build at scale 16 varies by a fifth from one run to the next.
    del network
    gc.collect()
    started = time.perf_counter()
    network = build()
    result["build_s"] = min(result["build_s"], time.perf_counter() - started)
    result["edges"] = int(network.edges.n_edges)
    result["nodes"] = len(network.edges.node_id)
    timetable = network.timetable
    result["stops"] = int(timetable.n_stops)
    result["trips"] = int(timetable.n_trips)
    first = timetable.stop_time_departure[timetable.trip_offsets[:-1]]
    result["trips_8_9"] = int(np.count_nonzero((first >= 8 * 3600) & (first < 9 * 3600)))
    result["cells"] = len(cells)

    saved = folder / "city.reachable"
    started = time.perf_counter()
    network.save(saved)
    result["save_s"] = time.perf_counter() - started
    result["saved_mb"] = saved.stat().st_size / 2**20
    result["load_s"], _ = best_of(LOAD_REPEATS, lambda: rc.Network.load(saved))

    rng = np.random.default_rng(SEED)
    origins = cells.iloc[np.sort(rng.choice(len(cells), min(n_origins, len(cells)), replace=False))]
    result["origins"] = len(origins)
    # First calls on a network just loaded: they fill its query caches (stops snapped, walks
    # to and between stops, snapping indexes), as each cluster worker does on every call.
    for key, query in zip(("transit_cold_s", "walk_cold_s"), (0, 1), strict=True):
        result[key], _ = best_of(1, queries(rc.Network.load(saved), origins, cells)[query])
    for query in queries(network, origins.iloc[:WARM_UP_ORIGINS], cells):
        query()
    whole_city = len(cells) <= WHOLE_CITY_CELLS
    from distributed import Client, LocalCluster

    cluster = LocalCluster(n_workers=N_WORKERS, threads_per_worker=1, processes=True, dashboard_address=None)
    with cluster, Client(cluster) as client:
        started_mb = client.run(resident_mb)
        # The warm-up compiles the kernels in a worker; the repeats let the other one do it too.
        # Its first call is a fresh cluster's: the workers read the network from the file it
        # was saved to, load the kernels numba cached here, and fill their caches.
        started = time.perf_counter()
        for query in queries(network, origins.iloc[:WARM_UP_ORIGINS], cells, client=client):
            query()
        result["cluster_first_s"] = time.perf_counter() - started
        identical = True
        runs = [("", origins)] + ([("_all", cells)] if whole_city else [])
        for suffix, sources in runs:
            here = queries(network, sources, cells)
            there = queries(network, sources, cells, client=client)
            for name, local_query, cluster_query in zip(("transit", "walk"), here, there, strict=True):
                local_s, cluster_s, mine, theirs = alternated(QUERY_REPEATS, local_query, cluster_query)
                result[f"{name}{suffix}_s"], result[f"{name}{suffix}_cluster_s"] = local_s, cluster_s
                identical &= same_frames(mine, theirs)
                if name == "transit" and suffix == "":
                    result["reached"] = float(mine["travel_time"].notna().mean())
        # Searched per destination: every cell is a destination whatever the origins, so the
        # whole city's, on the cluster by chunks of destinations. The first calls fill the caches.
        by_arrival(network, cells)
        by_arrival(network, cells, client=client)
        local_s, cluster_s, mine, theirs = alternated(
            ARRIVAL_REPEATS,
            lambda: by_arrival(network, cells),
            lambda: by_arrival(network, cells, client=client),
        )
        result["arrival_all_s"], result["arrival_all_cluster_s"] = local_s, cluster_s
        identical &= same_frames(mine, theirs)
        result["cluster_identical"] = bool(identical)
        result["noop_ms"] = 1000 * best_of(20, lambda: client.submit(int, 0, pure=False).result())[0]
        # What a query adds to a worker: its copy of the network, one chunk's rows, caches.
        result["worker_peak_mb"] = max(peak - started_mb[name] for name, peak in client.run(peak_mb).items())
    result["peak_mb"] = peak_mb()
    (folder / "result.json").write_text(json.dumps(result))


def run_scale(scale: float, n_origins: int, root: Path) -> dict:
    folder = root / f"scale{scale:g}"
    started = time.perf_counter()
    _, _, cells = write_region(folder, scale, seed=SEED)
    generate_s = time.perf_counter() - started
    pd.DataFrame(cells.drop(columns="geometry")).to_csv(folder / "cells.csv", index=False)
    del cells
    started = time.perf_counter()
    done = subprocess.run(
        [sys.executable, str(Path(__file__).resolve()), "--worker", str(folder), "--origins", str(n_origins)],
        capture_output=True,
        text=True,
        check=False,
    )
    if done.returncode != 0:
        raise RuntimeError(f"scale {scale:g} failed:\n{done.stderr[-3000:]}")
    result = json.loads((folder / "result.json").read_text())
    result.update(scale=scale, generate_s=generate_s, osm_mb=(folder / "city.osm").stat().st_size / 2**20)
    measured_s = time.perf_counter() - started
    print(f"   scale {scale:g}: generated in {generate_s:.1f} s, measured in {measured_s:.0f} s")
    return result


# --------------------------------------------------------------------------- report
def exponent(results: list[dict], key: str, per_origin: bool = False) -> float:
    """Slope of log cost on log street edges (1: linear), or NaN with fewer than two scales."""
    if len(results) < 2 or any(key not in r for r in results):
        return float("nan")
    edges = np.log([r["edges"] for r in results])
    cost = np.array([r[key] / (r["origins"] if per_origin else 1) for r in results])
    return float(np.polyfit(edges, np.log(cost), 1)[0])


def verdict(ok: bool) -> str:
    return "PASS" if ok else "MISS"


def report(results: list[dict], n_origins: int) -> None:
    rows = [
        [
            f"{r['scale']:g}",
            f"{r['edges']:,}",
            f"{r['nodes']:,}",
            f"{r['stops']:,}",
            f"{r['trips']:,}",
            f"{r['trips_8_9']:,}",
            f"{r['cells']:,}",
            f"{r['osm_mb']:.0f}",
            f"{r['generate_s']:.1f}",
        ]
        for r in results
    ]
    print_table(
        "1. Synthetic cities (seed 0)",
        ["scale", "street edges", "nodes", "stops", "trips", "trips 08-09", "cells", "OSM MB", "generate s"],
        rows,
    )

    rows = [
        [
            f"{r['scale']:g}",
            f"{r['build_s']:.1f}",
            f"{r['build_peak_mb']:.0f}",
            f"{r['retained_mb']:.0f}",
            f"{r['saved_mb']:.1f}",
            f"{r['save_s']:.2f}",
            f"{r['load_s']:.2f}",
            f"{r['peak_mb']:.0f}",
        ]
        for r in results
    ]
    print_table(
        "2. Network: build (cache=False, best of 2), memory (resident MB, the first build), save and load "
        "(best of 3)",
        [
            "scale",
            "build s",
            "build peak MB",
            "retained MB",
            "saved MB",
            "save s",
            "load s",
            "process peak MB",
        ],
        rows,
    )

    rows = [
        [
            f"{r['scale']:g}",
            f"{r['origins']}",
            f"{r['transit_s']:.2f}",
            f"{1000 * r['transit_s'] / r['origins']:.2f}",
            f"{r['transit_cold_s']:.2f}",
            f"{r['reached']:.2f}",
            f"{r['walk_s']:.2f}",
            f"{1000 * r['walk_s'] / r['origins']:.2f}",
            f"{r['walk_cold_s']:.2f}",
        ]
        for r in results
    ]
    print_table(
        f"3. Routing here, from {n_origins} sampled origins to all cells: transit matrix (08:00, "
        f"max {MAX_TIME} min) and walk accessibility (jobs within {CUTOFF} min); best of {QUERY_REPEATS} "
        "after a warm-up (taken in turn with the cluster's runs), and the first call on a network just "
        "loaded (cold caches)",
        [
            "scale",
            "origins",
            "transit s",
            "ms/origin",
            "cold s",
            "reached",
            "walk acc s",
            "ms/origin",
            "cold s",
        ],
        rows,
    )
    rows = []
    for r in results:
        rows.append(
            [
                f"{r['scale']:g}",
                f"{r['transit_cluster_s']:.2f}",
                f"{r['transit_cluster_s'] / r['transit_s']:.2f}x",
                f"{r['transit_cluster_s'] / r['transit_cold_s']:.2f}x",
                f"{r['walk_cluster_s']:.2f}",
                f"{r['walk_cluster_s'] / r['walk_s']:.2f}x",
                f"{r['walk_cluster_s'] / r['walk_cold_s']:.2f}x",
                str(r["cluster_identical"]),
                f"{r['worker_peak_mb']:.0f}",
                f"{r['cluster_first_s']:.1f}",
            ]
        )
    print_table(
        f"4. The same on a LocalCluster of {N_WORKERS} worker processes, 1 thread each (client=; best of "
        f"{QUERY_REPEATS}, in turn with the runs here), and its ratio to them, warm and cold; first calls: "
        f"both queries from {WARM_UP_ORIGINS} origins on the fresh cluster (the network read from its file "
        "by each worker, the kernels loaded, the caches filled)",
        [
            "scale",
            "transit s",
            "/ warm",
            "/ cold",
            "walk acc s",
            "/ warm",
            "/ cold",
            "identical",
            "worker MB",
            "first calls s",
        ],
        rows,
    )

    whole = [r for r in results if "transit_all_s" in r]
    if whole:
        rows = [
            [
                f"{r['scale']:g}",
                f"{r['cells']:,}",
                f"{r['transit_all_s']:.2f}",
                f"{r['transit_all_cluster_s']:.2f}",
                f"{r['transit_all_cluster_s'] / r['transit_all_s']:.2f}x",
                f"{r['walk_all_s']:.2f}",
                f"{r['walk_all_cluster_s']:.2f}",
                f"{r['walk_all_cluster_s'] / r['walk_all_s']:.2f}x",
            ]
            for r in whole
        ]
        print_table(
            f"4b. The whole city, every cell an origin (cities of at most {WHOLE_CITY_CELLS:,} cells), "
            f"here and on the cluster (best of {QUERY_REPEATS}; the frames are made on the client both ways)",
            ["scale", "origins", "transit s", "cluster s", "ratio", "walk acc s", "cluster s", "ratio"],
            rows,
        )
    rows = [
        [
            f"{r['scale']:g}",
            f"{r['cells']:,}",
            f"{r['arrival_all_s']:.2f}",
            f"{1000 * r['arrival_all_s'] / r['cells']:.2f}",
            f"{r['arrival_all_cluster_s']:.2f}",
            f"{r['arrival_all_cluster_s'] / r['arrival_all_s']:.2f}x",
        ]
        for r in results
    ]
    print_table(
        f"4c. Transit accessibility by arrival (jobs within {ARRIVAL_CUTOFF} min, arriving by 09:00), "
        "every cell an origin and a destination: a backward search per destination, here and on the "
        f"cluster (which splits the destinations), best of {ARRIVAL_REPEATS} taken in turn after a first "
        "call each",
        ["scale", "cells", "here s", "ms/cell", "cluster s", "ratio"],
        rows,
    )

    costs = [
        ("build time", "build_s", False),
        ("build peak memory", "build_peak_mb", False),
        ("retained memory", "retained_mb", False),
        ("saved size", "saved_mb", False),
        ("load time", "load_s", False),
        ("transit matrix, per origin", "transit_s", True),
        ("transit matrix, first call, per origin", "transit_cold_s", True),
        ("walk accessibility, per origin", "walk_s", True),
        ("walk accessibility, first call, per origin", "walk_cold_s", True),
        ("transit on the cluster, per origin", "transit_cluster_s", True),
        ("walk accessibility on the cluster, per origin", "walk_cluster_s", True),
        ("transit accessibility by arrival, per cell", "arrival_per_cell_s", False),
    ]
    for r in results:
        r["arrival_per_cell_s"] = r["arrival_all_s"] / r["cells"]
    slopes = {key: exponent(results, key, per_origin) for _, key, per_origin in costs}
    print_table(
        "5. Growth exponent (slope of log cost on log street edges; 1 = linear)",
        ["cost", "exponent"],
        [[name, f"{slopes[key]:.2f}"] for name, key, _ in costs],
    )

    print("\n6. Memory per million street edges (resident MB)")
    for r in results:
        per = 1e6 / r["edges"]
        worker = f", one cluster worker {r['worker_peak_mb'] * per:,.0f}"
        print(
            f"   scale {r['scale']:g}: build peak {r['build_peak_mb'] * per:,.0f}, retained "
            f"{r['retained_mb'] * per:,.0f}, saved file {r['saved_mb'] * per:,.0f}{worker}"
        )
    if len(results) > 1:
        # The marginal cost: the slope of a straight line through the scales, without the
        # fixed part that inflates the ratios of small cities.
        keys = [("build peak", "build_peak_mb"), ("retained", "retained_mb"), ("saved file", "saved_mb")]
        keys += [("one cluster worker", "worker_peak_mb")]
        edges = np.array([r["edges"] for r in results]) / 1e6
        marginal = [f"{name} {np.polyfit(edges, [r[key] for r in results], 1)[0]:,.0f}" for name, key in keys]
        print(f"   marginal (slope of MB on millions of edges): {', '.join(marginal)}")

    print("\n7. Targets")
    for name, key in (("build time", "build_s"), ("build peak memory", "build_peak_mb")):
        print(
            f"   {name} at most linear (exponent <= {GROWTH_TARGET}): {slopes[key]:.2f} "
            f"{verdict(slopes[key] <= GROWTH_TARGET)}"
        )
    for name, key in (("transit matrix", "transit_s"), ("walk accessibility", "walk_s")):
        print(
            f"   {name} per origin at most linear (exponent <= {GROWTH_TARGET}): {slopes[key]:.2f} "
            f"{verdict(slopes[key] <= GROWTH_TARGET)}"
        )
    compared = [
        (r[f"{query}{kind}_s"], r[f"{query}{kind}_cluster_s"])
        for r in results
        for kind in ("", "_all")
        for query in ("transit", "walk", "arrival")
        if f"{query}{kind}_cluster_s" in r
    ]
    big = [(here, there) for here, there in compared if here >= CLUSTER_WORK_S]
    small = [(here, there) for here, there in compared if here < CLUSTER_WORK_S]
    if big:
        worst = max(there / here for here, there in big)
        print(
            f"   {N_WORKERS}-worker cluster within {CLUSTER_TARGET}x of the run here (warm; the {len(big)} "
            f"queries of at least {CLUSTER_WORK_S} s here, sampled and whole city, by arrival too; worst): "
            f"{worst:.2f}x "
            f"{verdict(worst <= CLUSTER_TARGET)}"
        )
    if small:
        added = [1000 * (there - here) for here, there in small]
        noop = min(r["noop_ms"] for r in results)
        print(
            f"   the {len(small)} smaller queries (under {CLUSTER_WORK_S} s here): the cluster adds "
            f"{min(added):.0f} to {max(added):.0f} ms, ratios {min(t / h for h, t in small):.2f}x to "
            f"{max(t / h for h, t in small):.2f}x; a Dask task doing nothing takes {noop:.0f} ms "
            "there and back (not a target)"
        )
    worst = max(r[f"{q}_cluster_s"] / r[f"{q}_cold_s"] for r in results for q in ("transit", "walk"))
    print(
        f"   {N_WORKERS}-worker cluster within {CLUSTER_TARGET}x of the run here ({n_origins} sampled "
        f"origins, cold: first call on a loaded network; worst query and scale): {worst:.2f}x "
        f"{verdict(worst <= CLUSTER_TARGET)}"
    )
    same = all(r["cluster_identical"] for r in results)
    print(f"   cluster results identical to the ones here: {same} {verdict(same)}")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--scales", type=float, nargs="+", default=[1, 4, 16])
    parser.add_argument("--origins", type=int, default=500, help="origin cells routed from (a random sample)")
    parser.add_argument("--worker", type=Path, help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.worker is not None:
        worker(args.worker, args.origins)
        return

    print(f"{cpu_model()}, {os.cpu_count()} cores, numba threads {numba.get_num_threads()}")
    print(
        f"reachable {rc.__version__} ({Path(rc.__file__).parent}), numba {numba.__version__}, "
        f"dask {optional_version('dask')}, distributed {optional_version('distributed')}"
    )
    print(
        f"scales {' '.join(f'{s:g}' for s in args.scales)}, "
        f"{args.origins} origins; load average {os.getloadavg()[0]:.2f}"
    )
    with tempfile.TemporaryDirectory() as root:
        results = [run_scale(scale, args.origins, Path(root)) for scale in sorted(args.scales)]
    print(f"   load average at the end {os.getloadavg()[0]:.2f}")
    report(results, args.origins)


if __name__ == "__main__":
    main()
