"""Time-bounded Dijkstra on a CSR graph, for one origin or many origins in parallel.

A graph is three arrays: ``indptr`` (n_nodes + 1), ``head`` (n_arcs) and ``weight`` (n_arcs,
seconds). Arcs ``indptr[i]:indptr[i + 1]`` leave node ``i``. Parallel arcs are allowed: the
search keeps the cheapest, as relaxation takes the minimum.

A *snapped point* sits on a street edge between nodes ``u`` and ``v``. An origin enters the
graph at ``node[k, 0]`` and ``node[k, 1]`` with costs ``cost[k, 0]`` and ``cost[k, 1]`` (its
walk to the street plus the part of the edge travelled; ``inf`` where a one-way edge forbids
it), and a destination is left from its two nodes with the costs of the rest of the way.
Two points on the same edge may also be joined directly along it.
"""

from __future__ import annotations

import numpy as np
from numba import njit, prange

from .heap import heap_pop, heap_push

BUCKET_SECONDS = 1.0
"""Width of a bucket of the bucket queue, at least (seconds)."""

MAX_BUCKETS = 16384
"""Buckets of one search at most: longer cutoffs get wider buckets."""


@njit(cache=True)
def _search(
    indptr, head, weight, seeds, seed_cost, cutoff, dist, touched, heap_keys, heap_items, parent=None
):
    """Run Dijkstra from ``seeds`` up to ``cutoff`` seconds, writing ``dist`` in place.

    ``dist`` must be all ``inf`` on entry; returns how many nodes were labelled, whose ids
    are ``touched[:count]`` so the caller can reset them cheaply. When ``parent`` is given
    (all -1 on entry), it receives the arc each node was reached by (-1 at seeds).

    With a finite cutoff the labels are set bucket by bucket (:func:`_bucket_search`),
    about twice as fast as the heap on street graphs; the labels are the same.
    """
    if cutoff < np.inf:
        n_touched = _bucket_search(
            indptr, head, weight, seeds, seed_cost, cutoff, dist, touched, heap_keys, heap_items, parent
        )
        if n_touched >= 0:
            return n_touched
    return _heap_search(
        indptr, head, weight, seeds, seed_cost, cutoff, dist, touched, heap_keys, heap_items, parent
    )


@njit(cache=True)
def _seed(seeds, seed_cost, cutoff, dist, touched):
    """Label the seeds; return how many nodes are labelled."""
    n_touched = 0
    for k in range(seeds.shape[0]):
        node = seeds[k]
        cost = seed_cost[k]
        if node < 0 or not cost <= cutoff:
            continue
        if dist[node] == np.inf:
            touched[n_touched] = node
            n_touched += 1
        dist[node] = min(dist[node], cost)
    return n_touched


@njit(cache=True)
def _heap_search(
    indptr, head, weight, seeds, seed_cost, cutoff, dist, touched, heap_keys, heap_items, parent
):
    """:func:`_search` with a heap (lazy deletion)."""
    n_touched = _seed(seeds, seed_cost, cutoff, dist, touched)
    size = 0
    for k in range(n_touched):
        size = heap_push(heap_keys, heap_items, size, dist[touched[k]], touched[k])
    while size > 0:
        d, node, size = heap_pop(heap_keys, heap_items, size)
        if d > dist[node]:
            continue
        for arc in range(indptr[node], indptr[node + 1]):
            target = head[arc]
            candidate = d + weight[arc]
            if candidate < dist[target] and candidate <= cutoff:
                if dist[target] == np.inf:
                    touched[n_touched] = target
                    n_touched += 1
                dist[target] = candidate
                if parent is not None:
                    parent[target] = arc
                size = heap_push(heap_keys, heap_items, size, candidate, target)
    return n_touched


@njit(cache=True)
def _bucket_search(indptr, head, weight, seeds, seed_cost, cutoff, dist, touched, keys, items, parent):
    """:func:`_search` with a bucket queue; -1 (labels reset) when ``keys`` runs out of room.

    Nodes are scanned bucket after bucket of :data:`BUCKET_SECONDS` (or more); within a
    bucket in any order, a node being scanned again when a later one of the same bucket
    lowers its label. This label-correcting order reaches the same labels as Dijkstra's:
    each is the least, over the paths to the node, of the sum of its arcs added in path
    order. The entries of a bucket are a linked list in ``keys`` (the label pushed, to skip
    stale entries) and ``items`` (the node, and the next entry at ``items[capacity + e]``).
    """
    n_touched = _seed(seeds, seed_cost, cutoff, dist, touched)
    width = max(BUCKET_SECONDS, cutoff / MAX_BUCKETS)
    first = np.full(int(cutoff / width) + 1, -1, dtype=np.int64)
    capacity = keys.shape[0]
    n_entries = 0
    last = -1
    for k in range(n_touched):
        node = touched[k]
        bucket = int(dist[node] / width)
        keys[n_entries] = dist[node]
        items[n_entries] = node
        items[capacity + n_entries] = first[bucket]
        first[bucket] = n_entries
        n_entries += 1
        last = max(last, bucket)
    current = 0
    while current <= last:
        entry = first[current]
        if entry < 0:
            current += 1
            continue
        first[current] = items[capacity + entry]
        node = items[entry]
        d = keys[entry]
        if d > dist[node]:
            continue
        # The relaxation is written out as in the heap search: a shared numba helper
        # measured 20 % slower on the car matrix.
        for arc in range(indptr[node], indptr[node + 1]):
            target = head[arc]
            candidate = d + weight[arc]
            if candidate < dist[target] and candidate <= cutoff:
                if n_entries == capacity:
                    for k in range(n_touched):
                        dist[touched[k]] = np.inf
                        if parent is not None:
                            parent[touched[k]] = -1
                    return -1
                if dist[target] == np.inf:
                    touched[n_touched] = target
                    n_touched += 1
                dist[target] = candidate
                if parent is not None:
                    parent[target] = arc
                bucket = int(candidate / width)
                keys[n_entries] = candidate
                items[n_entries] = target
                items[capacity + n_entries] = first[bucket]
                first[bucket] = n_entries
                n_entries += 1
                last = max(last, bucket)
    return n_touched


@njit(cache=True)
def _buffers(n_nodes, n_arcs):
    """Work arrays of :func:`_search`.

    Labels (all ``inf``), touched nodes, and the queue's room: every push of a heap search
    fits (a seed or a relaxed arc; at most two seeds per source), with room to spare for
    the nodes a bucket search labels again; ``items`` is twice as long (entry links).
    """
    capacity = 2 * n_arcs + 2
    dist = np.full(n_nodes, np.inf)
    touched = np.empty(n_nodes, dtype=np.int64)
    heap_keys = np.empty(capacity, dtype=np.float64)
    heap_items = np.empty(2 * capacity, dtype=np.int64)
    return dist, touched, heap_keys, heap_items


@njit(cache=True)
def one_to_all(indptr, head, weight, source, cutoff):
    """Travel time in seconds from node ``source`` to every node (``inf`` beyond ``cutoff``)."""
    n_nodes = indptr.shape[0] - 1
    dist, touched, heap_keys, heap_items = _buffers(n_nodes, head.shape[0])
    seeds = np.full(1, source, dtype=np.int64)
    seed_cost = np.zeros(1)
    _search(indptr, head, weight, seeds, seed_cost, cutoff, dist, touched, heap_keys, heap_items)
    return dist


@njit(cache=True)
def path_tree(indptr, head, weight, seeds, seed_cost, cutoff):
    """Seconds to every node from ``seeds`` (``inf`` beyond ``cutoff``), and its parent arc.

    The parent arc is the one each node was reached by (-1 at seeds and unreached nodes):
    following them back gives the shortest paths themselves.
    """
    n_nodes = indptr.shape[0] - 1
    dist, touched, heap_keys, heap_items = _buffers(n_nodes, head.shape[0])
    parent = np.full(n_nodes, -1, dtype=np.int64)
    _search(indptr, head, weight, seeds, seed_cost, cutoff, dist, touched, heap_keys, heap_items, parent)
    return dist, parent


@njit(cache=True)
def _index_by(keys, n_keys):
    """CSR grouping of ``keys`` (>= 0 kept): offsets per key and the positions holding it."""
    offsets = np.zeros(n_keys + 1, dtype=np.int64)
    for key in keys:
        if key >= 0:
            offsets[key + 1] += 1
    offsets = np.cumsum(offsets)
    fill = offsets[:-1].copy()
    positions = np.empty(offsets[-1], dtype=np.int64)
    for i in range(keys.shape[0]):
        if keys[i] >= 0:
            positions[fill[keys[i]]] = i
            fill[keys[i]] += 1
    return offsets, positions


@njit(cache=True)
def _destinations_by_place(d_node, d_edge, o_edge, n_nodes):
    """The destinations next to each node (as ``destination * 2 + side``) and on each edge, as CSRs."""
    n_destinations = d_node.shape[0]
    ends = np.empty(2 * n_destinations, dtype=np.int64)
    n_edges = 1
    for j in range(n_destinations):
        ends[2 * j], ends[2 * j + 1] = d_node[j, 0], d_node[j, 1]
        n_edges = max(n_edges, d_edge[j] + 1)
    for origin in range(o_edge.shape[0]):
        n_edges = max(n_edges, o_edge[origin] + 1)
    return _index_by(ends, n_nodes), _index_by(d_edge, n_edges)


@njit(cache=True)
def _along_edge(start, end, along):
    """Seconds from position ``start`` to ``end`` of one edge (``along``: the whole edge u->v, v->u)."""
    if end >= start:
        return (end - start) * along[0]
    return (start - end) * along[1]


@njit(cache=True)
def _origin_row(
    indptr,
    head,
    weight,
    origin,
    o_node,
    o_cost,
    o_edge,
    o_frac,
    o_along,
    d_node,
    d_cost,
    d_frac,
    at_node,
    on_edge,
    cutoff,
    dist,
    touched,
    heap_keys,
    heap_items,
    row,
):
    """One origin's row: a search, then the destinations at the nodes it labelled."""
    n_touched = _search(
        indptr, head, weight, o_node[origin], o_cost[origin], cutoff, dist, touched, heap_keys, heap_items
    )
    node_offsets, node_entries = at_node
    row[:] = np.inf
    if n_touched < row.shape[0]:
        # Few labelled nodes: visit the destinations next to them, not all.
        for k in range(n_touched):
            node = touched[k]
            for i in range(node_offsets[node], node_offsets[node + 1]):
                entry = node_entries[i]  # destination * 2 + side
                j = entry // 2
                row[j] = min(row[j], dist[node] + d_cost[j, entry % 2])
    else:
        for j in range(row.shape[0]):
            for side in range(2):
                node = d_node[j, side]
                if node >= 0:
                    row[j] = min(row[j], dist[node] + d_cost[j, side])
    for k in range(n_touched):
        dist[touched[k]] = np.inf
    edge = o_edge[origin]
    if edge >= 0:
        # Destinations on the origin's own edge: the direct trip along it never passes a node.
        edge_offsets, edge_entries = on_edge
        for i in range(edge_offsets[edge], edge_offsets[edge + 1]):
            j = edge_entries[i]
            along = _along_edge(o_frac[origin], d_frac[j], o_along[origin])
            row[j] = min(row[j], o_cost[origin, 2] + along + d_cost[j, 2])
    for j in range(row.shape[0]):
        if row[j] > cutoff:
            row[j] = np.inf


@njit(cache=True, parallel=True)
def street_travel_times(
    indptr,
    head,
    weight,
    o_node,
    o_cost,
    o_edge,
    o_frac,
    o_along,
    d_node,
    d_cost,
    d_edge,
    d_frac,
    cutoff,
    n_chunks,
):
    """Travel times in seconds from snapped origins to snapped destinations.

    Parameters
    ----------
    indptr, head, weight : ndarray
        The CSR graph (int64, int64, float64 seconds).
    o_node : ndarray of int64, shape (n_origins, 2)
        Nodes at the two ends of each origin's edge (-1 when unusable).
    o_cost : ndarray of float64, shape (n_origins, 3)
        Seconds from the origin to ``o_node[:, 0]``, to ``o_node[:, 1]`` (``inf`` when a
        one-way edge forbids it) and, in column 2, its walk to the street alone.
    o_edge : ndarray of int64, shape (n_origins,)
        The street edge the origin snapped to (-1 for none).
    o_frac : ndarray of float64, shape (n_origins,)
        Position of the origin along its edge, 0 at ``u`` and 1 at ``v``.
    o_along : ndarray of float64, shape (n_origins, 2)
        Seconds to travel the whole edge u -> v and v -> u (``inf`` when forbidden).
    d_node, d_cost, d_edge, d_frac :
        The same for destinations, with ``d_cost[:, 0:2]`` the seconds from each node to the
        destination and ``d_cost[:, 2]`` its walk from the street alone.
    cutoff : float
        Largest travel time of interest in seconds.
    n_chunks : int
        Origins are split into this many interleaved chunks, each searched by one thread
        with its own buffers; a few per thread balances the load.

    Returns
    -------
    ndarray of float64, shape (n_origins, n_destinations)
        Seconds, ``inf`` when above ``cutoff`` or unreachable.
    """
    n_origins = o_node.shape[0]
    n_nodes = indptr.shape[0] - 1
    out = np.empty((n_origins, d_node.shape[0]))
    n_chunks = max(1, min(n_origins, n_chunks))
    at_node, on_edge = _destinations_by_place(d_node, d_edge, o_edge, n_nodes)
    for chunk in prange(n_chunks):
        dist, touched, heap_keys, heap_items = _buffers(n_nodes, head.shape[0])
        for origin in range(chunk, n_origins, n_chunks):
            _origin_row(
                indptr, head, weight, origin, o_node, o_cost, o_edge, o_frac, o_along, d_node, d_cost, d_frac,
                at_node, on_edge, cutoff, dist, touched, heap_keys, heap_items, out[origin],
            )  # fmt: skip
    return out


PAIRS_PER_BLOCK = 8_000_000
"""Room for the pairs of one block of origins in :func:`street_pairs_within` (128 MB)."""


@njit(cache=True, inline="always")
def _lower(best, found, n_found, j, cost):
    """Lower ``best[j]`` to ``cost``, listing ``j`` in ``found`` the first time it gets a finite value.

    An impossible way (a one-way street, ``inf``) lists nothing: listing a destination while
    its value stays ``inf`` would list it again by its other way, past the end of ``found``.
    Returns the new length of ``found``.
    """
    if cost < best[j]:
        if best[j] == np.inf:
            found[n_found] = j
            n_found += 1
        best[j] = cost
    return n_found


@njit(cache=True)
def _reach_buffers(n_nodes, head, n_destinations):
    """Work arrays of :func:`_reach`: the search's, then ``best`` (all ``inf``) and ``found``."""
    dist, touched, heap_keys, heap_items = _buffers(n_nodes, head.shape[0])
    return (
        dist,
        touched,
        heap_keys,
        heap_items,
        np.full(n_destinations, np.inf),
        np.empty(n_destinations, np.int64),
    )


@njit(cache=True)
def _reach(
    indptr, head, weight, origin, o_node, o_cost, o_edge, o_frac, o_along, d_cost, d_frac, at_node, on_edge,
    cutoff, dist, touched, heap_keys, heap_items, best, found,
):  # fmt: skip
    """One origin's search, each destination it reaches at its :func:`_origin_row` value.

    Lowers ``best`` (all ``inf`` before) and lists each destination with a finite value in
    ``found``, in the order the search met them; visits only the destinations next to the
    nodes the search labelled. Returns how many are listed; ``dist`` is left all ``inf``.
    The caller sets ``best`` back to ``inf`` at the listed destinations.
    """
    n_touched = _search(
        indptr, head, weight, o_node[origin], o_cost[origin], cutoff, dist, touched, heap_keys, heap_items
    )
    node_offsets, node_entries = at_node
    n_found = 0
    for k in range(n_touched):
        node = touched[k]
        for i in range(node_offsets[node], node_offsets[node + 1]):
            entry = node_entries[i]  # destination * 2 + side
            j = entry // 2
            n_found = _lower(best, found, n_found, j, dist[node] + d_cost[j, entry % 2])
        dist[node] = np.inf
    edge = o_edge[origin]
    if edge >= 0:
        # Destinations on the origin's own edge: the direct trip along it never passes a node.
        edge_offsets, edge_entries = on_edge
        for i in range(edge_offsets[edge], edge_offsets[edge + 1]):
            j = edge_entries[i]
            along = _along_edge(o_frac[origin], d_frac[j], o_along[origin])
            n_found = _lower(best, found, n_found, j, o_cost[origin, 2] + along + d_cost[j, 2])
    return n_found


@njit(cache=True)
def _origin_pairs(
    indptr, head, weight, origin, o_node, o_cost, o_edge, o_frac, o_along, d_cost, d_frac, at_node, on_edge,
    cutoff, dist, touched, heap_keys, heap_items, best, found, column, seconds,
):  # fmt: skip
    """One origin's destinations within ``cutoff``, by increasing index, into ``column, seconds``.

    Returns how many there are, also when more than fit (the caller then gives more room);
    ``best`` (all ``inf``) is left so.
    """
    n_found = _reach(
        indptr, head, weight, origin, o_node, o_cost, o_edge, o_frac, o_along, d_cost, d_frac, at_node,
        on_edge, cutoff, dist, touched, heap_keys, heap_items, best, found,
    )  # fmt: skip
    listed = np.sort(found[:n_found])
    n_within = 0
    for j in listed:
        if best[j] <= cutoff:
            if n_within < column.shape[0]:
                column[n_within] = j
                seconds[n_within] = best[j]
            n_within += 1
        best[j] = np.inf
    return n_within


@njit(cache=True, parallel=True)
def street_pairs_within(
    indptr,
    head,
    weight,
    o_node,
    o_cost,
    o_edge,
    o_frac,
    o_along,
    d_node,
    d_cost,
    d_edge,
    d_frac,
    cutoff,
    n_chunks,
):
    """The destinations within ``cutoff`` of each origin, as a CSR (arguments as :func:`street_travel_times`).

    ``finite_entries(street_travel_times(...))``, value for value, in time and memory that
    grow with what each search reaches, not with the number of destinations: the walks
    between the stops of a whole region, each reaching a few hundred of them.

    Returns
    -------
    (ndarray of int64, ndarray of int64, ndarray of float64)
        ``(offsets, destination, seconds)``: per origin, its destinations by increasing index.
    """
    n_origins = o_node.shape[0]
    n_nodes = indptr.shape[0] - 1
    n_destinations = d_node.shape[0]
    at_node, on_edge = _destinations_by_place(d_node, d_edge, o_edge, n_nodes)
    # Blocks of origins, each with the same room per origin; an origin reaching more than its
    # room is searched again with the room it needs.
    room = max(1, min(n_destinations, 512))
    block = max(1, PAIRS_PER_BLOCK // room)
    counts = np.zeros(n_origins, dtype=np.int64)
    parts_column = []
    parts_seconds = []
    for first in range(0, n_origins, block):
        size = min(block, n_origins - first)
        column = np.empty((size, room), dtype=np.int64)
        seconds = np.empty((size, room))
        chunks = max(1, min(size, n_chunks))
        for chunk in prange(chunks):
            dist, touched, heap_keys, heap_items, best, found = _reach_buffers(n_nodes, head, n_destinations)
            for k in range(chunk, size, chunks):
                counts[first + k] = _origin_pairs(
                    indptr, head, weight, first + k, o_node, o_cost, o_edge, o_frac, o_along, d_cost, d_frac,
                    at_node, on_edge, cutoff, dist, touched, heap_keys, heap_items, best, found, column[k],
                    seconds[k],
                )  # fmt: skip
        for k in range(size):
            n = counts[first + k]
            if n > room:
                dist, touched, heap_keys, heap_items, best, found = _reach_buffers(
                    n_nodes, head, n_destinations
                )
                more_column = np.empty(n, dtype=np.int64)
                more_seconds = np.empty(n)
                _origin_pairs(
                    indptr, head, weight, first + k, o_node, o_cost, o_edge, o_frac, o_along, d_cost, d_frac,
                    at_node, on_edge, cutoff, dist, touched, heap_keys, heap_items, best, found, more_column,
                    more_seconds,
                )  # fmt: skip
                parts_column.append(more_column)
                parts_seconds.append(more_seconds)
            else:
                parts_column.append(column[k, :n].copy())
                parts_seconds.append(seconds[k, :n].copy())
    offsets = np.zeros(n_origins + 1, dtype=np.int64)
    offsets[1:] = np.cumsum(counts)
    destination = np.empty(offsets[n_origins], dtype=np.int64)
    value = np.empty(offsets[n_origins])
    for origin in range(n_origins):
        destination[offsets[origin] : offsets[origin + 1]] = parts_column[origin]
        value[offsets[origin] : offsets[origin + 1]] = parts_seconds[origin]
    return offsets, destination, value


@njit(cache=True, inline="always")
def _add_within(total, origin, counts, limits, seconds, j):
    """Add destination ``j``'s ``counts`` to each limit it is within (``seconds`` unrounded)."""
    # np.round, as the dense blocks are rounded: half to even.
    seconds = np.round(seconds)
    for c in range(limits.shape[0]):
        if seconds <= limits[c]:
            for k in range(counts.shape[1]):
                total[c, origin, k] += counts[j, k]


@njit(cache=True, parallel=True)
def street_opportunities_within(
    indptr, head, weight, o_node, o_cost, o_edge, o_frac, o_along, d_node, d_cost, d_edge, d_frac, cutoff,
    limits, counts, same_offsets, same_column, n_chunks,
):  # fmt: skip
    """Opportunities each origin reaches on the streets within each limit, searched once.

    The sums that :func:`reachable.kernels.opportunities_within` makes of the block of
    :func:`street_travel_times` rounded to whole seconds, without the block: an origin adds the
    ``counts`` of the destinations its search reached, by increasing index (the same
    additions in the same order, so the same floats).

    Parameters
    ----------
    indptr ... d_frac, cutoff, n_chunks :
        As :func:`street_travel_times`, ``cutoff`` half a second past the largest limit: what
        it finds beyond rounds past every limit.
    limits : ndarray of float64, shape (n_limits,)
        Whole seconds within each cutoff.
    counts : ndarray of float64, shape (n_destinations, n_columns)
    same_offsets, same_column : ndarray of int64
        CSR of the destinations at the very place of each origin (0 seconds).

    Returns
    -------
    ndarray of float64, shape (n_limits, n_origins, n_columns)
    """
    n_origins = o_node.shape[0]
    n_nodes = indptr.shape[0] - 1
    n_destinations = d_node.shape[0]
    total = np.zeros((limits.shape[0], n_origins, counts.shape[1]))
    at_node, on_edge = _destinations_by_place(d_node, d_edge, o_edge, n_nodes)
    n_chunks = max(1, min(n_origins, n_chunks))
    for chunk in prange(n_chunks):
        dist, touched, heap_keys, heap_items, best, found = _reach_buffers(n_nodes, head, n_destinations)
        for origin in range(chunk, n_origins, n_chunks):
            n_found = _reach(
                indptr, head, weight, origin, o_node, o_cost, o_edge, o_frac, o_along, d_cost, d_frac,
                at_node, on_edge, cutoff, dist, touched, heap_keys, heap_items, best, found,
            )  # fmt: skip
            for i in range(same_offsets[origin], same_offsets[origin + 1]):
                n_found = _lower(best, found, n_found, same_column[i], 0.0)
            if 16 * n_found < n_destinations:
                # Few reached: sort them rather than scan every destination.
                for j in np.sort(found[:n_found]):
                    _add_within(total, origin, counts, limits, best[j], j)
                    best[j] = np.inf
            else:
                for j in range(n_destinations):
                    if best[j] < np.inf:
                        _add_within(total, origin, counts, limits, best[j], j)
                        best[j] = np.inf
    return total


@njit(cache=True)
def budget_left(
    indptr,
    head,
    weight,
    s_node,
    s_cost,
    s_edge,
    s_frac,
    s_along,
    budgets,
    p_node,
    p_cost,
    p_edge,
    p_frac,
):
    """Seconds of budget left on arrival at street positions, from the best of several sources.

    Each source is a snapped point that may travel for its own budget (an isochrone's origin;
    for public transport also each stop reached by vehicle, with the time left after the
    ride). A position is a place on a street edge; what is left there is the largest
    ``budget - travel time`` over the sources, so a walk off the street of that many seconds
    is still within the budget.

    Parameters
    ----------
    indptr, head, weight : ndarray
        The CSR graph (seconds).
    s_node, s_cost, s_edge, s_frac, s_along : ndarray
        The sources, as origins of :func:`street_travel_times` (``s_cost`` of shape
        (n_sources, 3): to ``u``, to ``v``, off the street).
    budgets : ndarray of float64, shape (n_sources, n_budgets)
        Seconds each source may travel, for each budget (e.g. each isochrone cutoff).
    p_node, p_cost, p_edge, p_frac : ndarray
        The positions, as destinations of :func:`street_travel_times` (``p_cost`` of shape
        (n_positions, 2 or 3): from ``u``, from ``v``).

    Returns
    -------
    ndarray of float64, shape (n_positions, n_budgets)
        Seconds left: negative on an edge the budget runs out along (the search labels
        its node, not the position), ``-inf`` where no search got near.
    """
    n_nodes = indptr.shape[0] - 1
    n_sources = s_node.shape[0]
    n_positions = p_node.shape[0]
    left = np.full((n_positions, budgets.shape[1]), -np.inf)
    dist, touched, heap_keys, heap_items = _buffers(n_nodes, head.shape[0] + 2 * n_sources)
    n_edges = 1
    for i in range(n_positions):
        n_edges = max(n_edges, p_edge[i] + 1)
    on_edge = _index_by(p_edge, n_edges)
    seeds = np.empty(2 * n_sources, dtype=np.int64)
    seed_cost = np.empty(2 * n_sources)
    for b in range(budgets.shape[1]):
        largest = budgets[:, b].max()
        if not largest > 0:
            continue
        # One search from every source at once: a source with a smaller budget starts later,
        # so the label at a node is the largest budget minus the most budget left there.
        for s in range(n_sources):
            for side in range(2):
                seeds[2 * s + side] = s_node[s, side]
                seed_cost[2 * s + side] = s_cost[s, side] + (largest - budgets[s, b])
        n_touched = _search(
            indptr, head, weight, seeds, seed_cost, largest, dist, touched, heap_keys, heap_items
        )
        for i in range(n_positions):
            for side in range(2):
                node = p_node[i, side]
                if node >= 0 and dist[node] < np.inf:
                    left[i, b] = max(left[i, b], largest - (dist[node] + p_cost[i, side]))
        for k in range(n_touched):
            dist[touched[k]] = np.inf
        # Positions on a source's own edge: the direct way along it never passes a node.
        edge_offsets, edge_entries = on_edge
        for s in range(n_sources):
            edge = s_edge[s]
            if edge < 0 or edge >= n_edges:
                continue
            for k in range(edge_offsets[edge], edge_offsets[edge + 1]):
                i = edge_entries[k]
                along = _along_edge(s_frac[s], p_frac[i], s_along[s])
                left[i, b] = max(left[i, b], budgets[s, b] - s_cost[s, 2] - along)
    return left


@njit(cache=True)
def finite_entries(block):
    """The finite entries of a dense block, as a CSR ``(offsets, column, value)`` per row."""
    n_rows, n_columns = block.shape
    offsets = np.zeros(n_rows + 1, dtype=np.int64)
    for i in range(n_rows):
        count = 0
        for j in range(n_columns):
            count += np.isfinite(block[i, j])
        offsets[i + 1] = offsets[i] + count
    column = np.empty(offsets[n_rows], dtype=np.int64)
    value = np.empty(offsets[n_rows], dtype=block.dtype)
    for i in range(n_rows):
        at = offsets[i]
        for j in range(n_columns):
            if np.isfinite(block[i, j]):
                column[at] = j
                value[at] = block[i, j]
                at += 1
    return offsets, column, value
