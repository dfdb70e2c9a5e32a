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
