"""The numba Dijkstra against scipy and networkx on the Porto Alegre walk and car graphs."""

from __future__ import annotations

import networkx as nx
import numpy as np
import pytest
from scipy.sparse import csr_matrix
from scipy.sparse.csgraph import dijkstra

from reachable.kernels import one_to_all
from reachable.network.street import arc_seconds


def cheapest_arcs(graph, weight):
    """(tail, head, weight) keeping the cheapest of parallel arcs, as a reference graph must."""
    tail = np.repeat(np.arange(graph.n_nodes), np.diff(graph.indptr))
    order = np.lexsort((weight, graph.head, tail))
    tail, head, weight = tail[order], graph.head[order], weight[order]
    first = np.ones(len(tail), dtype=bool)
    first[1:] = (tail[1:] != tail[:-1]) | (head[1:] != head[:-1])
    return tail[first], head[first], weight[first]


@pytest.fixture(scope="module", params=["walk", "car"])
def graph_and_weight(request, poa_network):
    graph = poa_network.graph(request.param)
    return graph, arc_seconds(graph, poa_network.edge_seconds(request.param))


@pytest.fixture(scope="module")
def sources(graph_and_weight):
    graph, _ = graph_and_weight
    return np.random.default_rng(42).choice(graph.n_nodes, size=100, replace=False)


def test_parallel_arcs_exist_so_the_reference_must_take_the_cheapest(poa_network):
    graph = poa_network.graph("walk")
    tail = np.repeat(np.arange(graph.n_nodes), np.diff(graph.indptr))
    pairs = tail * graph.n_nodes + graph.head
    assert len(np.unique(pairs)) < len(pairs)


def test_one_to_all_equals_scipy(graph_and_weight, sources):
    graph, weight = graph_and_weight
    tail, head, cheapest = cheapest_arcs(graph, weight)
    matrix = csr_matrix((cheapest, (tail, head)), shape=(graph.n_nodes, graph.n_nodes))
    reference = dijkstra(matrix, indices=sources)
    ours = np.vstack([one_to_all(graph.indptr, graph.head, weight, s, np.inf) for s in sources])
    np.testing.assert_allclose(ours, reference, rtol=1e-12, atol=1e-9)
    # Every node is reachable: the graph is strongly connected.
    assert np.isfinite(ours).all()


def test_one_to_all_equals_networkx(graph_and_weight, sources):
    graph, weight = graph_and_weight
    G = nx.DiGraph()
    G.add_weighted_edges_from(zip(*(a.tolist() for a in cheapest_arcs(graph, weight)), strict=True))
    for source in sources:
        reference = nx.single_source_dijkstra_path_length(G, int(source))
        ours = one_to_all(graph.indptr, graph.head, weight, source, np.inf)
        nodes = np.fromiter(reference.keys(), dtype=np.int64)
        np.testing.assert_allclose(ours[nodes], np.fromiter(reference.values(), float), rtol=1e-12)


def test_cutoff_stops_the_search_without_changing_times_below_it(graph_and_weight, sources):
    graph, weight = graph_and_weight
    full = one_to_all(graph.indptr, graph.head, weight, sources[0], np.inf)
    cutoff = float(np.median(full))
    bounded = one_to_all(graph.indptr, graph.head, weight, sources[0], cutoff)
    within = full <= cutoff
    np.testing.assert_array_equal(bounded[within], full[within])
    assert np.isinf(bounded[~within]).all()


@pytest.mark.parametrize("cutoff", [300.0, 1e6])
def test_the_bucket_queue_labels_as_the_heap_does(cutoff):
    # A random graph with arcs from 0.001 s to 200 s, several seeds at different costs: the
    # search (by buckets when it can) must give the heap's labels and parents bit for bit.
    # At 300 s the buckets are 1 s wide and do the work; at 1e6 s they are 61 s wide, and
    # the many nodes labelled again within a bucket run out of room: the heap takes over.
    from reachable.kernels.dijkstra import _bucket_search, _buffers, _heap_search, _search

    rng = np.random.default_rng(7)
    n_nodes, n_arcs = 400, 2400
    tail = rng.integers(0, n_nodes, n_arcs)
    order = np.argsort(tail, kind="stable")
    head = rng.integers(0, n_nodes, n_arcs)[order]
    weight = np.where(rng.random(n_arcs) < 0.3, rng.uniform(0.001, 0.5, n_arcs), rng.uniform(1, 200, n_arcs))
    indptr = np.searchsorted(tail[order], np.arange(n_nodes + 1))
    seeds, seed_cost = np.array([3, 50, 50, 200]), np.array([0.0, 12.5, 3.25, 40.0])
    labels = {}
    for name, search in (("heap", _heap_search), ("buckets", _search)):
        dist, touched, keys, items = _buffers(n_nodes, n_arcs)
        parent = np.full(n_nodes, -1)
        count = search(indptr, head, weight, seeds, seed_cost, cutoff, dist, touched, keys, items, parent)
        labels[name] = (dist, parent, np.sort(touched[:count]))
    for heap, buckets in zip(labels["heap"], labels["buckets"], strict=True):
        np.testing.assert_array_equal(buckets, heap)
    assert np.isfinite(labels["heap"][0]).sum() > 100
    dist, touched, keys, items = _buffers(n_nodes, 5)  # room for 12 entries only
    parent = np.full(n_nodes, -1)
    assert (
        _bucket_search(indptr, head, weight, seeds, seed_cost, cutoff, dist, touched, keys, items, parent)
        == -1
    )
    assert np.isinf(dist).all() and (parent == -1).all()  # left as found, for the heap to start over


@pytest.mark.parametrize(
    ("mode", "cutoff"), [("walk", 600.5), ("walk", 7200.5), ("car", 600.5), ("car", 3600.5)]
)
def test_pairs_within_the_cutoff_are_the_dense_block_s_finite_entries(poa_network, hexes, mode, cutoff):
    # In two hours on foot many origins reach more than the 512 destinations a first search has
    # room for, and are searched again with more. By car, one-way streets make some ways from
    # a node to a destination impossible (infinite): a destination is listed once all the same.
    import numba

    from reachable.kernels import finite_entries, street_pairs_within, street_travel_times
    from reachable.matrix import routing_settings
    from reachable.points import as_points

    weight, snap = routing_settings(poa_network, mode, max_time=60).streets(poa_network)
    points = snap(as_points(hexes), "destinations")
    origins = points[slice(0, 1227, 9)]
    graph = poa_network.graph(mode)
    on_streets = (points.node >= 0).all(axis=1)
    assert np.isinf(points.leave[on_streets, :2]).any() == (mode == "car")
    args = (
        graph.indptr, graph.head, weight, origins.node, origins.enter, origins.edge, origins.fraction,
        origins.along, points.node, points.leave, points.edge, points.fraction, cutoff,
        4 * numba.get_num_threads(),
    )  # fmt: skip
    dense = finite_entries(street_travel_times(*args))
    sparse = street_pairs_within(*args)
    for want, got in zip(dense, sparse, strict=True):
        np.testing.assert_array_equal(got, want)
    reached = np.diff(sparse[0])
    assert (
        reached.max() > 512 if (mode == "car" or cutoff > 3600) else reached.max() < 512
    )  # both paths taken


@pytest.mark.parametrize(("mode", "max_time"), [("walk", 20), ("car", 60)])
def test_street_sums_are_the_sums_of_the_dense_blocks(poa_network, hexes, mode, max_time):
    """Summed by the searches, the opportunities are those of the rounded dense blocks, to the
    bit: the same destinations within each limit, added in the same order. On foot each
    origin reaches few cells (its reached cells are sorted); by car in an hour nearly all
    (every cell is scanned). Origins are cells too: each has a destination at its very place."""
    from reachable.cutoffs import last_second
    from reachable.kernels import opportunities_within
    from reachable.matrix import routing_settings, street_opportunity_sums, travel_time_blocks
    from reachable.points import as_points

    routing = routing_settings(poa_network, mode, max_time=max_time)
    destinations = as_points(hexes)
    origins = destinations[slice(0, 1227, 7)]
    rng = np.random.default_rng(5)
    counts = np.column_stack([rng.integers(0, 40, 1227), rng.random(1227) * 7.3])
    limits = [last_second(max_time / 4), last_second(max_time / 2), last_second(max_time)]
    want = np.zeros((3, len(origins), 2))
    reached = np.zeros(len(origins))
    for block in travel_time_blocks(poa_network, origins, destinations, routing):
        seconds = np.moveaxis(block.seconds, 2, 0)
        reached[block.rows] = np.isfinite(seconds[0]).sum(axis=1)
        for c, limit in enumerate(limits):
            want[c, block.rows] += opportunities_within(seconds, limit, counts[block.columns])[0]
    got = street_opportunity_sums(poa_network, origins, destinations, counts, routing, limits)
    np.testing.assert_array_equal(got, want)
    # Each origin counts its own cell (0 s away, even off the streets) within the smallest limit.
    assert (want[0] >= counts[::7]).all() and (want[0] < want[2]).any()
    assert (reached < 1227 / 16).all() if mode == "walk" else (reached > 1227 / 16).any()


def test_opportunities_within_equals_a_weight_matrix_product():
    """The sums of opportunities within a limit, against numpy's 0/1 matrix product, on views
    (a percentile axis moved to the front, a broadcast percentile) as the callers pass them."""
    from reachable.kernels import opportunities_within

    rng = np.random.default_rng(3)
    seconds = rng.integers(0, 3600, size=(40, 300, 2)).astype(float)
    seconds[rng.random(seconds.shape) < 0.3] = np.inf
    counts = np.column_stack([rng.integers(0, 50, 300), rng.random(300) * 10]).astype(float)
    for view in (np.moveaxis(seconds, 2, 0), np.broadcast_to(seconds[None, :, :, 0], (3, 40, 300))):
        for limit in (0, 1799, 1800, 3599):
            want = (view <= limit).astype(float) @ counts
            got = opportunities_within(view, limit, counts)
            np.testing.assert_array_equal(got[..., 0], want[..., 0])  # whole counts: exact
            np.testing.assert_allclose(got, want, rtol=1e-12)
    assert opportunities_within(np.moveaxis(seconds, 2, 0), 1800, counts)[..., 0].min() > 0
