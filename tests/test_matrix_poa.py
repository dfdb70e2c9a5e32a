"""Travel-time matrices on the Porto Alegre hexagons: properties and an independent reference."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
import shapely
from scipy.sparse import csr_matrix
from scipy.sparse.csgraph import dijkstra

import reachable as rc
from reachable.network.edges import great_circle_m
from reachable.network.street import arc_seconds

from .test_kernels import cheapest_arcs

UNSNAPPED = 5  # hexagons farther than 1,600 m from any walkable street (outside the OSM extract)


@pytest.fixture(scope="module")
def walk_matrix(poa_network, hexes):
    with pytest.warns(rc.ReachableWarning, match=f"{UNSNAPPED} origins"):
        ttm = rc.travel_time_matrix(poa_network, hexes, mode="walk", max_time=240)
    n = len(hexes)
    return ttm["travel_time"].to_numpy().reshape(n, n)


def test_frame_shape_ids_and_dtypes(poa_network, hexes):
    some = hexes.iloc[:7].assign(id=np.arange(7, dtype="int64") * 10)
    ttm = rc.travel_time_matrix(poa_network, some, hexes.iloc[:5], mode="bike", max_time=30)
    assert list(ttm.columns) == ["from_id", "to_id", "travel_time"]
    assert len(ttm) == 35
    assert ttm["from_id"].dtype == np.int64 and ttm["to_id"].dtype == hexes["id"].dtype
    assert ttm["travel_time"].dtype == np.float64
    assert ttm["from_id"].tolist() == np.repeat(some["id"], 5).tolist()
    assert ttm["to_id"].tolist() == hexes["id"].iloc[:5].tolist() * 7


def test_walk_matrix_is_symmetric_to_the_second_with_a_zero_diagonal(walk_matrix):
    assert np.all(np.diag(walk_matrix) == 0)
    both = np.isfinite(walk_matrix) & np.isfinite(walk_matrix.T)
    assert both.sum() > 200_000
    assert np.abs(walk_matrix - walk_matrix.T)[both].max() <= 1 / 60 + 1e-9
    # Reachability is symmetric too (up to pairs right at the cutoff).
    assert (np.isfinite(walk_matrix) != np.isfinite(walk_matrix.T)).sum() < 0.001 * both.sum()


def test_walk_matrix_obeys_the_triangle_inequality(walk_matrix):
    rng = np.random.default_rng(1)
    a, b, c = rng.integers(0, len(walk_matrix), size=(3, 20_000))
    ab, bc, ac = walk_matrix[a, b], walk_matrix[b, c], walk_matrix[a, c]
    known = np.isfinite(ab) & np.isfinite(bc) & np.isfinite(ac)
    assert known.sum() > 1000
    assert np.all(ac[known] <= ab[known] + bc[known] + 2 / 60)


def test_nobody_walks_faster_than_the_crow_flies(walk_matrix, hexes):
    lon, lat = hexes.geometry.x.to_numpy(), hexes.geometry.y.to_numpy()
    straight_minutes = great_circle_m(lon[:, None], lat[:, None], lon[None, :], lat[None, :]) / 60
    known = np.isfinite(walk_matrix)
    # At 3.6 km/h a metre takes a second; UTM snapping distances differ from the sphere by < 0.5 %.
    assert np.all(walk_matrix[known] >= 0.995 * straight_minutes[known] - 1 / 60)


def reference_matrix(network, hexes, mode, max_time, origins):
    """Times from ``origins`` (row indices) to every point of ``hexes``, with scipy and
    brute-force snapping; reachable means within ``max_time`` before rounding to the second."""
    graph = network.graph(mode)
    edge_seconds = network.edge_seconds(mode)
    tail, head, weight = cheapest_arcs(graph, arc_seconds(graph, edge_seconds))
    matrix = csr_matrix((weight, (tail, head)), shape=(graph.n_nodes, graph.n_nodes))

    # Snap by brute force: the distance to every edge of the mode, in the network's UTM zone.
    from pyproj import Transformer

    to_utm = Transformer.from_crs(4326, network.crs, always_xy=True)
    e = network.edges
    lines = []
    for edge in graph.edge:
        lon = e.geometry_lon[e.geometry_offsets[edge] : e.geometry_offsets[edge + 1]]
        lat = e.geometry_lat[e.geometry_offsets[edge] : e.geometry_offsets[edge + 1]]
        lines.append(shapely.LineString(np.column_stack(to_utm.transform(lon, lat))))
    lines = np.array(lines)
    points = shapely.points(*to_utm.transform(hexes.geometry.x.to_numpy(), hexes.geometry.y.to_numpy()))
    distance = shapely.distance(points[:, None], lines[None, :])
    nearest = distance.argmin(axis=1)
    gap = distance[np.arange(len(points)), nearest]
    fraction = shapely.line_locate_point(lines[nearest], points, normalized=True)
    uv, vu = edge_seconds[graph.edge[nearest]].T
    u, v = graph.edge_node[nearest].T
    forward, backward = graph.edge_direction[nearest].T
    walk = gap / 1.0  # 3.6 km/h

    node_times = dijkstra(matrix, indices=np.unique(np.concatenate((u[origins], v[origins]))))
    row_of = {n: i for i, n in enumerate(np.unique(np.concatenate((u[origins], v[origins]))))}
    result = np.full((len(origins), len(points)), np.inf)
    for k, o in enumerate(origins):
        if gap[o] > 1600:
            continue
        best = np.full(len(points), np.inf)
        starts = [
            (u[o], fraction[o] * vu[o], backward[o]),
            (v[o], (1 - fraction[o]) * uv[o], forward[o]),
        ]
        for node, along, allowed in starts:
            if not allowed and along > 0:
                continue
            to_nodes = walk[o] + along + node_times[row_of[node]]
            from_u = np.where(forward | (fraction == 0), fraction * uv, np.inf)
            from_v = np.where(backward | (fraction == 1), (1 - fraction) * vu, np.inf)
            best = np.minimum(best, np.minimum(to_nodes[u] + from_u, to_nodes[v] + from_v) + walk)
        same = nearest == nearest[o]
        ahead = fraction >= fraction[o]
        direct = np.where(
            ahead,
            np.where(forward[o], (fraction - fraction[o]) * uv[o], np.inf),
            np.where(backward[o], (fraction[o] - fraction) * vu[o], np.inf),
        )
        best = np.where(same, np.minimum(best, walk[o] + direct + walk), best)
        best[gap > 1600] = np.inf
        result[k] = best
    result[np.arange(len(origins)), origins] = 0
    # Whole seconds, within max_time when they are at most max_time * 60 (reachable.cutoffs).
    seconds = np.round(result)
    return np.where(seconds <= max_time * 60, seconds / 60, np.nan)


@pytest.mark.filterwarnings("ignore::reachable.ReachableWarning")
@pytest.mark.parametrize(("mode", "max_time"), [("walk", 45), ("car", 30), ("bike", 20)])
def test_matrix_equals_an_independent_scipy_reference(poa_network, hexes, mode, max_time):
    rng = np.random.default_rng(7)
    points = hexes.iloc[rng.choice(len(hexes), size=300, replace=False)]
    origins = rng.choice(len(points), size=40, replace=False)
    ttm = rc.travel_time_matrix(poa_network, points.iloc[origins], points, mode=mode, max_time=max_time)
    ours = ttm["travel_time"].to_numpy().reshape(len(origins), len(points))
    reference = reference_matrix(poa_network, points, mode, max_time, origins)
    np.testing.assert_array_equal(np.isnan(ours), np.isnan(reference))
    np.testing.assert_allclose(ours, reference, atol=1 / 60 + 1e-9)
    assert np.isfinite(ours).mean() > 0.05


def test_short_searches_gather_from_labelled_nodes_what_the_full_pass_gives(poa_network, hexes):
    """A 7-min walk labels fewer nodes than there are destinations, so the kernel visits only
    the destinations next to labelled nodes; an unbounded search (checked against scipy above)
    passes over every destination. Both must agree below the cutoff."""
    from reachable.points import as_points
    from reachable.routing.street import snapped_costs

    points = as_points(hexes)
    cutoff = 420.0
    graph = poa_network.graph("walk")
    edge_seconds = poa_network.edge_seconds("walk")
    c = snapped_costs(
        poa_network, "walk", points.lon, points.lat, edge_seconds=edge_seconds, walk_speed=3.6,
        max_snap_distance=1600,
    )  # fmt: skip

    def times(cutoff):
        return rc.kernels.street_travel_times(
            graph.indptr, graph.head, arc_seconds(graph, edge_seconds), c.node, c.enter, c.edge, c.fraction,
            c.along, c.node, c.leave, c.edge, c.fraction, cutoff, 4,
        )  # fmt: skip

    def labelled(node):
        weight = arc_seconds(graph, edge_seconds)
        return np.isfinite(rc.kernels.one_to_all(graph.indptr, graph.head, weight, node, cutoff)).sum()

    # An origin's search labels at most what searches from its two ends do: fewer nodes than
    # destinations, so every origin takes the gather.
    ends = c.node[c.node[:, 0] >= 0]
    assert max(labelled(u) + labelled(v) for u, v in ends) < len(points)
    short, full = times(cutoff), times(np.inf)
    np.testing.assert_array_equal(short, np.where(full <= cutoff, full, np.inf))
    assert np.isfinite(short).sum() > 1.5 * len(points)  # neighbours, not only each point itself


def test_faster_modes_reach_more(poa_network, hexes):
    sample = hexes.iloc[::10]
    reached = {}
    for mode in ("walk", "bike", "car"):
        ttm = rc.travel_time_matrix(poa_network, sample, mode=mode, max_time=30)
        reached[mode] = ttm["travel_time"].notna().mean()
    assert reached["walk"] < reached["bike"] < reached["car"]


def test_dataframe_with_lon_lat_gives_the_same_times_as_the_geodataframe(poa_network, hexes):
    some = hexes.iloc[:30]
    table = pd.DataFrame({"id": some["id"], "lon": some.geometry.x, "lat": some.geometry.y})
    projected = some.to_crs(31982)  # SIRGAS 2000 / UTM 22S: any CRS is accepted
    a = rc.travel_time_matrix(poa_network, table, mode="car", max_time=60)
    b = rc.travel_time_matrix(poa_network, projected, mode="car", max_time=60)
    pd.testing.assert_frame_equal(a, b)


@pytest.mark.filterwarnings("ignore::reachable.ReachableWarning")
def test_street_blocks_bounded_by_pairs_give_the_same_results(poa_network, hexes, monkeypatch):
    """Street kernels route at most ``PAIRS_PER_CHUNK`` origin x destination results per call,
    so a country's million cells do not make one 16 GB block: the cut changes nothing."""
    import reachable.routing.street as street

    origins = hexes.iloc[:50]
    matrix = rc.travel_time_matrix(poa_network, origins, hexes, mode="walk", max_time=30)
    calls = []
    kernel = street.street_travel_times
    monkeypatch.setattr(street, "PAIRS_PER_CHUNK", 7 * len(hexes))  # blocks of 7 origins
    monkeypatch.setattr(street, "street_travel_times", lambda *a: calls.append(len(a[3])) or kernel(*a))
    chunked = rc.travel_time_matrix(poa_network, origins, hexes, mode="walk", max_time=30)
    pd.testing.assert_frame_equal(chunked, matrix)
    assert calls == [7] * 7 + [1]


@pytest.mark.filterwarnings("ignore::reachable.ReachableWarning")
def test_street_accessibility_in_chunks_of_origins_gives_the_same_results(poa_network, hexes, monkeypatch):
    """Street accessibility sums its searches ``ORIGINS_PER_CHUNK`` origins at a time: the cut
    changes nothing, the coincident places of each chunk included."""
    import reachable.matrix as matrix
    import reachable.routing.street as street

    cells = hexes.fillna({"jobs": 0})
    origins = cells.iloc[:50]

    def bike():
        return rc.accessibility(poa_network, origins, cells, columns=["jobs"], mode="bike", cutoffs=[15, 30])

    whole = bike()
    calls = []
    kernel = street.street_opportunities_within
    monkeypatch.setattr(matrix, "ORIGINS_PER_CHUNK", 7)
    counted = lambda *a: calls.append(len(a[3])) or kernel(*a)  # noqa: E731 - a[3]: the origins' nodes
    monkeypatch.setattr(street, "street_opportunities_within", counted)
    pd.testing.assert_frame_equal(bike(), whole)
    assert calls == [7] * 7 + [1]


def test_street_weights_kept_per_speed(poa_network, hexes):
    """The arc weights are kept on the network per mode and speed: a query at another speed
    gets its own, the same as on a copy of the network that never saw the first."""
    import pickle

    few = hexes.iloc[:20]
    slow = rc.travel_time_matrix(poa_network, few, mode="bike", bike_speed=12, max_time=20)["travel_time"]
    fast = rc.travel_time_matrix(poa_network, few, mode="bike", bike_speed=18, max_time=20)["travel_time"]
    uncached = pickle.loads(pickle.dumps(poa_network))  # sent without its query caches
    assert not uncached.query_cache
    again = rc.travel_time_matrix(uncached, few, mode="bike", bike_speed=18, max_time=20)["travel_time"]
    pd.testing.assert_series_equal(again, fast)
    both = slow.notna() & fast.notna()
    assert (fast[both] <= slow[both]).all() and (fast[both] < slow[both]).any()
