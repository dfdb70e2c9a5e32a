"""Public transport searches: walking legs on the street graph, rides with range RAPTOR."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass

import numba
import numpy as np
import pandas as pd

from .._progress import progress_bar
from ..cutoffs import search_reach, whole_seconds
from ..gtfs import Timetable, expand_frequencies
from ..kernels import finite_entries, raptor, raptor_arrivals, raptor_lanes, street_travel_times
from ..kernels.raptor import UNREACHED, UNREACHED_DURATION, journey_labels
from ..network.network import Network
from ..network.street import reversed_arcs
from ..network.transit import TransitRoutes, build_routes, reversed_routes, stack_draws
from ..points import Points
from .access import AccessLeg
from .csr import offsets_of, rows_of
from .street import SnappedCosts, coincident, street_pairs, street_search

ORIGINS_PER_CHUNK = 2048
"""Most origins per kernel call: a progress step, and a bound on the result block in memory.

Large enough that a city's origins share a call, so that each has close neighbours to be
searched with (see :func:`search_lanes`)."""

DURATIONS_PER_CHUNK = 16_000_000
"""Most int32 durations (origin x destination x minute) a kernel call returns: 64 MB."""

DESTINATIONS_PER_SUM = 128
"""Destinations whose opportunities an arrive-by sum adds up before adding the next group's.

Arrive-by searches run per destination, so a cluster splits them by destinations, each task
summing whole groups: added group after group, its sums are bit for bit the local run's.
Their kernel calls take whole groups, or a power of two that divides them when memory asks
for fewer destinations a call (see :func:`arrival_blocks`): a power of two itself."""


ORIGIN_MINUTES_PER_STOP_BY_TRIPS = 3.0
"""Origins per stop, times ``max_time`` in minutes, from which arrive-by arrivals follow the trips boarded.

Below, they come from a range search per origin over its departures, whose cost grows with
the origins and how long before the deadline they may leave (their departures); the
searches from the trips boarded cost in proportion to the destinations and the stops (each
destination is searched back to every stop). Where both methods took the same time
(arrive-by matrices to every cell, 3 rides; origins per stop times ``max_time``): Porto
Alegre, 4,010 stops, 2.4 at ``max_time`` 30, 1.8 at 60 and under 3 at 120 (100 origins,
0.49 s by the trips against 0.70 s by origin); the synthetic cities of ``bench_scale.py`` at
``max_time`` 60: 4.2 at scale 4 (15,589 stops), about 4.8 at scale 16 (62,083 stops; 2,000
origins, 2.0, took 77.7 s by the trips against 31.7 s by origin). 3 lies between the two
cities; near the line both methods take about the same time."""


@dataclass(frozen=True)
class TransitQuery:
    """Settings of a public transport search, in the kernels' units (seconds, rides).

    ``departures`` (forward search) or ``deadlines`` (arrive-by search, then ``departures``
    is empty) are seconds on the network's timeline, increasing.
    """

    departures: np.ndarray
    max_duration: int
    max_walk: int
    max_rounds: int
    walk_speed: float
    board_slack: int
    frequency_draws: int
    seed: int
    percentiles: np.ndarray
    max_snap_distance: float
    deadlines: np.ndarray | None = None
    access: AccessLeg | None = None
    """How the vehicle of a combined mode reaches the stops; None when walking."""

    @property
    def arrive_by(self) -> bool:
        """Whether the query asks for the latest departures arriving by ``deadlines``."""
        return self.deadlines is not None


def walk_pairs(network: Network, weight, origins: SnappedCosts, destinations: SnappedCosts, max_walk: int):
    """Walks of at most ``max_walk`` whole seconds as a CSR ``(offsets, destination, seconds)``.

    Every walking leg of a transit trip (access, transfer, egress, walk-only) is priced here,
    in whole seconds as the RAPTOR kernel counts time (see :mod:`reachable.cutoffs`).
    """
    offsets, target, seconds = street_pairs(
        network, "walk", weight, origins, destinations, search_reach(max_walk)
    )
    seconds = whole_seconds(seconds).astype(np.int64)
    return _kept((offsets, target, seconds), seconds <= max_walk)


def _walking(network: Network, query: TransitQuery):
    """Edge weights and a function snapping points for walking legs."""
    return _on_streets(network, "walk", {"walk_speed": query.walk_speed}, query)


def _on_streets(network: Network, mode: str, speeds: dict, query: TransitQuery):
    """Arc weights of ``mode``'s graph at ``speeds`` and a function snapping points to it."""
    return street_search(
        network, mode, speeds, walk_speed=query.walk_speed, max_snap_distance=query.max_snap_distance
    )


def stop_costs(network: Network, query: TransitQuery) -> SnappedCosts:
    """The stops on the walking graph, snapped once per walking speed and snapping limit."""
    key = ("stops", query.walk_speed, query.max_snap_distance)
    if key not in network.query_cache:
        _, snap = _walking(network, query)
        timetable = network.timetable
        network.query_cache[key] = snap(
            Points(ids=None, lon=timetable.stop_lon, lat=timetable.stop_lat), None
        )
    return network.query_cache[key]


def _egress(network: Network, query: TransitQuery, weight, destinations: Points, destination_costs):
    """Walks from stops to destinations, CSR per stop; the last destinations' are kept.

    Repeated queries to the same destinations (one origin at a time, a service answering
    requests) then skip the stop-to-destination searches.
    """
    return _kept_for_last(
        network,
        ("egress", query.walk_speed, query.max_walk, query.max_snap_distance),
        (destinations.lon.tobytes(), destinations.lat.tobytes()),
        lambda: walk_pairs(network, weight, stop_costs(network, query), destination_costs, query.max_walk),
    )


def _kept_for_last(network: Network, key: tuple, inputs, compute, *, by_identity: bool = False):
    """``compute()``, kept on the network under ``key`` for the last ``inputs`` it was asked for.

    A query asking with other inputs computes again and replaces it: one value per key.
    ``by_identity`` compares the inputs as objects (arrays a cache of the network holds), not
    by value; the kept entry holds them, so no other object can take their identity.
    """
    cached = network.query_cache.get(key)
    if cached is None or (cached[0] is not inputs if by_identity else cached[0] != inputs):
        cached = network.query_cache[key] = (inputs, compute())
    return cached[1]


def stop_transfers(
    network: Network, query: TransitQuery
) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
    """Walking transfers between stops within ``max_walk`` seconds, with ``transfers.txt``.

    Returns the CSR ``(offsets, to_stop, seconds)`` and each stop's extra boarding time after
    a ride (its same-stop ``min_transfer_time`` beyond ``board_slack``). Cached per speed and
    walking limit on the network.
    """
    key = ("transfers", query.walk_speed, query.max_walk, query.board_slack, query.max_snap_distance)
    if key in network.query_cache:
        return network.query_cache[key]
    timetable = network.timetable
    weight, _ = _walking(network, query)
    snapped = stop_costs(network, query)
    offsets, target, seconds = walk_pairs(network, weight, snapped, snapped, query.max_walk)
    source = np.repeat(np.arange(timetable.n_stops), np.diff(offsets))
    walked = pd.DataFrame({"source": source, "target": target, "seconds": seconds})
    walked = walked[walked["source"] != walked["target"]]
    # transfers.txt: a listed pair takes at least its min_transfer_time, walkable or not.
    listed = timetable.transfer_from != timetable.transfer_to
    required = pd.DataFrame({
        "source": timetable.transfer_from[listed], "target": timetable.transfer_to[listed],
        "minimum": timetable.transfer_min_time[listed],
    }).groupby(["source", "target"], as_index=False)["minimum"].max()  # fmt: skip
    both = walked.merge(required, on=["source", "target"], how="outer").sort_values(["source", "target"])
    seconds = np.fmax(both["seconds"].to_numpy(float), both["minimum"].to_numpy(float)).astype(np.int64)
    # A copy: pandas hands out read-only views, for which numba would compile the searches again.
    source, target = both["source"].to_numpy(np.int64), np.array(both["target"], dtype=np.int64)
    offsets = offsets_of(source, timetable.n_stops)
    same_stop = ~listed
    board_extra = np.zeros(timetable.n_stops, dtype=np.int64)
    np.maximum.at(
        board_extra,
        timetable.transfer_from[same_stop],
        np.maximum(timetable.transfer_min_time[same_stop] - query.board_slack, 0),
    )
    network.query_cache[key] = (offsets, target, seconds, board_extra)
    return network.query_cache[key]


def draws(network: Network, query: TransitQuery) -> list[tuple[Timetable, TransitRoutes]]:
    """Timetable and routes of each draw of frequency phases.

    One draw when no service is frequency-based. The draws depend on the query's ``seed``
    and ``frequency_draws`` alone: the network keeps those of the last settings asked, which
    the next queries (the times of a profile, a cluster worker's tasks) mostly share.
    """
    settings = _draw_settings(network, query)
    return _kept_for_last(network, ("routes",), settings, lambda: _drawn(network.timetable, settings))


def _drawn(timetable: Timetable, settings: tuple[int, int] | None) -> list[tuple[Timetable, TransitRoutes]]:
    """The draws of :func:`draws` for ``settings`` (see :func:`_draw_settings`), built anew."""
    if settings is None:
        return [(timetable, build_routes(timetable))]
    seed, n_draws = settings
    rng = np.random.default_rng(seed)
    drawn = []
    for _ in range(n_draws):
        phased = expand_frequencies(timetable, rng.integers(0, timetable.frequency_headway))
        drawn.append((phased, build_routes(phased)))
    return drawn


def _draw_settings(network: Network, query: TransitQuery) -> tuple[int, int] | None:
    """What the draws of frequency phases depend on: None without frequency-based services."""
    if len(network.timetable.frequency_trip) == 0:
        return None
    return (query.seed, query.frequency_draws)


def departure_labels(network: Network, query: TransitQuery, access_stop, access_time, start: int):
    """RAPTOR labels and parents of one departure from one origin, on the first draw.

    Returns ``(timetable, routes, labels)``: the draw's timetable and routes (trip indices
    refer to them) and ``(ride, board, parent_trip, parent_board, parent_from)`` of
    :func:`reachable.kernels.raptor.journey_labels`.
    """
    timetable, routes = draws(network, query)[0]
    transfers = stop_transfers(network, query)
    labels = journey_labels(
        _draw_arrays(routes), transfers[:3], transfers[3], query.board_slack, access_stop, access_time, start,
        query.max_rounds, query.max_duration,
    )  # fmt: skip
    return timetable, routes, labels


def transit_seconds(
    network: Network,
    origins: Points,
    destinations: Points,
    query: TransitQuery,
    *,
    keep_minutes: bool = False,
    progress: bool | None = None,
) -> tuple[np.ndarray, np.ndarray]:
    """Percentiles of door-to-door seconds by walking and public transport, all origins.

    Returns
    -------
    (ndarray of int64, shape (n_origins, n_destinations, n_percentiles), ndarray)
        Seconds (``UNREACHED`` where not reached within ``max_duration``), and every value
        per (origin, draw * minute, destination) when ``keep_minutes``.
    """
    blocks = list(
        transit_blocks(network, origins, destinations, query, keep_minutes=keep_minutes, progress=progress)
    )
    return np.concatenate([b[1] for b in blocks]), np.concatenate([b[2] for b in blocks])


@dataclass(frozen=True)
class AccessSearch:
    """How the origins reach the stops, and the destinations without public transport.

    Walking for ``transit`` (walk-only trips included); the vehicle's graph for combined
    modes, whose every trip rides public transport (see :mod:`reachable.routing.access`).

    Attributes
    ----------
    mode : str
        The street mode searched from the origins.
    weight : ndarray
        Its arc weights in seconds.
    origins : SnappedCosts
        The origins on its graph.
    targets : SnappedCosts
        Where the vehicle is left (stops, or park-and-ride places); for walkers the stops
        then the destinations.
    target_stop : ndarray of int64
        The stop of each of those first targets, increasing (unused for park-and-ride places).
    onward : tuple of ndarray or None
        CSR per park-and-ride place: walks to the stops; None when the targets are stops.
    limit : int
        Whole seconds of the search.
    """

    mode: str
    weight: np.ndarray
    origins: SnappedCosts
    targets: SnappedCosts
    target_stop: np.ndarray
    onward: tuple | None
    limit: int

    def searched(self, network: Network, rows: slice):
        """From the origins ``rows`` to where the vehicle is left, and to the destinations: two CSRs."""
        if self.onward is not None:
            return self._drives(network, rows), _empty(rows.stop - rows.start)
        searched = street_pairs(
            network, self.mode, self.weight, self.origins[rows], self.targets, search_reach(self.limit)
        )
        offsets, target, seconds = searched[0], searched[1], whole_seconds(searched[2]).astype(np.int64)
        return _split_columns(_kept((offsets, target, seconds), seconds <= self.limit), len(self.target_stop))

    def _drives(self, network: Network, rows: slice):
        """Drives from the origins ``rows`` to the park-and-ride places, as a CSR.

        Places are few: one search from each on the reversed graph reaches every origin.
        """
        key = ("reversed arcs", self.mode)
        if key not in network.query_cache:
            network.query_cache[key] = reversed_arcs(network.graph(self.mode))
        indptr, head, arc = network.query_cache[key]
        places, origins = self.targets, self.origins[rows]
        seconds = street_travel_times(
            indptr, head, self.weight[arc], places.node, places.leave, places.edge, places.fraction,
            # Along a shared edge the reversed search runs the other way.
            places.along[:, ::-1].copy(), origins.node, origins.enter, origins.edge, origins.fraction,
            search_reach(self.limit), 4 * numba.get_num_threads(),
        )  # fmt: skip
        offsets, place, seconds = finite_entries(np.ascontiguousarray(seconds.T))
        seconds = whole_seconds(seconds).astype(np.int64)
        return _kept((offsets, place, seconds), seconds <= self.limit)

    def pairs(self, network: Network, rows: slice, n_stops: int):
        """Access to the stops and trips without public transport of the origins ``rows``."""
        parked, direct = self.searched(network, rows)
        if self.onward is None:  # the targets are stops, in increasing order
            offsets, target, seconds = parked
            return (offsets, self.target_stop[target], seconds), direct
        return _then_walk(parked, self.onward, n_stops), direct


def _empty(n_rows: int):
    """A CSR of ``n_rows`` rows and no entry."""
    return np.zeros(n_rows + 1, dtype=np.int64), np.zeros(0, dtype=np.int64), np.zeros(0, dtype=np.int64)


def _then_walk(drives, walks, n_stops: int):
    """Drive to a place then walk to a stop: the quickest combination per origin and stop."""
    offsets, place, seconds = drives
    walk_offsets, walk_stop, walk_seconds = walks
    counts = np.diff(walk_offsets)[place]
    entry = np.repeat(np.arange(len(place)), counts)
    walk = np.repeat(walk_offsets[place] - np.cumsum(np.r_[0, counts[:-1]]), counts) + np.arange(counts.sum())
    return _sorted_csr(
        rows_of(offsets)[entry], walk_stop[walk], seconds[entry] + walk_seconds[walk], len(offsets) - 1
    )


def _sorted_csr(rows, columns, seconds, n_rows: int):
    """The CSR of the quickest entry per (row, column)."""
    order = np.lexsort((seconds, columns, rows))
    rows, columns, seconds = rows[order], columns[order], seconds[order]
    first = np.r_[True, (rows[1:] != rows[:-1]) | (columns[1:] != columns[:-1])] if len(rows) else rows > 0
    return offsets_of(rows[first], n_rows), columns[first], seconds[first]


@dataclass(frozen=True)
class WalkLegs:
    """The street legs of a public transport query: the first stage, done once per query.

    Every CSR holds whole seconds within its limit.

    Attributes
    ----------
    access : AccessSearch
        From the origins to the stops (walking, or by the vehicle of a combined mode), and
        the trips without public transport.
    egress : tuple of ndarray
        CSR per stop: destinations within walking range.
    transfers : tuple of ndarray
        ``(offsets, to_stop, seconds, board_extra)`` of :func:`stop_transfers`.
    same_place : tuple of ndarray
        Origin and destination indices of pairs at the very same place.
    n_stops, n_destinations : int
    """

    access: AccessSearch
    egress: tuple
    transfers: tuple
    same_place: tuple
    n_stops: int
    n_destinations: int

    def from_origins(self, network: Network, rows: slice):
        """Access to stops and trips without public transport of the origins ``rows``, as two CSRs."""
        access, (offsets, target, seconds) = self.access.pairs(network, rows, self.n_stops)
        # Origin and destination at the very same place: no trip at all.
        here, there = self.same_place
        in_rows = (here >= rows.start) & (here < rows.stop)
        return access, _with_zeros(offsets, target, seconds, here[in_rows] - rows.start, there[in_rows])


def walk_legs(network: Network, origins: Points, destinations: Points, query: TransitQuery) -> WalkLegs:
    """Snap the points and price every street leg a query may take (the first stage of transit routing)."""
    weight, snap = _walking(network, query)
    destination_costs = snap(destinations, "destinations")
    stops = stop_costs(network, query)
    return WalkLegs(
        access=access_search(network, origins, destinations, query),
        egress=_egress(network, query, weight, destinations, destination_costs),
        transfers=stop_transfers(network, query),
        same_place=coincident(origins, destinations),
        n_stops=len(stops),
        n_destinations=len(destinations),
    )


def access_search(
    network: Network, origins: Points, destinations: Points, query: TransitQuery
) -> AccessSearch:
    """The access stage of ``query``: walking, riding to the stops, or driving to park-and-ride."""
    leg = query.access
    n_stops = network.timetable.n_stops
    mode, weight, snap = access_streets(network, query)
    origin_costs = snap(origins, "origins")
    if leg is None:
        destination_costs = origin_costs if destinations is origins else snap(destinations, "destinations")
        # Access and walk-only trips come from one search per origin.
        return AccessSearch(
            mode, weight, origin_costs, stop_costs(network, query).concat(destination_costs),
            np.arange(n_stops), None, query.max_walk,
        )  # fmt: skip
    if leg.places is None:
        kept = np.arange(n_stops) if leg.stops is None else leg.stops
        timetable = network.timetable
        parked = snap(Points(ids=None, lon=timetable.stop_lon[kept], lat=timetable.stop_lat[kept]), None)
        onward = None
    else:
        kept = np.arange(len(leg.places))
        places = Points(ids=None, lon=leg.places[:, 0], lat=leg.places[:, 1])
        parked = snap(places, None)
        walk_weight, walk_snap = _walking(network, query)
        onward = walk_pairs(
            network, walk_weight, walk_snap(places, None), stop_costs(network, query), query.max_walk
        )
    return AccessSearch(mode, weight, origin_costs, parked, kept, onward, leg.max_access)


def access_streets(network: Network, query: TransitQuery):
    """The street mode of the access stage, its arc weights and a function snapping points to it."""
    leg = query.access
    if leg is None:
        return ("walk", *_walking(network, query))
    return (leg.mode, *_on_streets(network, leg.mode, dict(leg.speeds), query))


def _route_arrays(routes: dict) -> tuple:
    return (
        routes["draw_offsets"], routes["route_stop_offsets"], routes["route_stops"],
        routes["route_trip_offsets"], routes["route_time_offsets"], routes["arrival"],
        routes["departure"], routes["stop_route_offsets"], routes["stop_route"],
        routes["stop_route_position"], routes["stop_departure_offsets"], routes["stop_departure"],
    )  # fmt: skip


def transit_blocks(
    network: Network,
    origins: Points,
    destinations: Points,
    query: TransitQuery,
    *,
    keep_minutes: bool = False,
    progress: bool | None = None,
):
    """Yield ``(rows, seconds, minutes)`` per chunk of origins (see :func:`transit_seconds`).

    Chunks are independent: callers aggregate them as they come, so memory stays at one
    chunk x destinations block. Stages: the walks (:func:`walk_legs`), then the rides of
    every chunk (the RAPTOR kernels), then the percentiles.
    """
    legs = walk_legs(network, origins, destinations, query)
    routes = stacked_draws(network, query)
    with progress_bar(len(origins), "transit travel times", progress, unit="origin") as bar:
        n_values = len(query.departures) * (int(routes["draw_offsets"].shape[0]) - 1)
        chunk = _rows_per_chunk(n_values * len(destinations))
        for start in range(0, len(origins), chunk):
            rows = slice(start, min(start + chunk, len(origins)))
            arrays = kernel_arrays(routes, legs, query, *legs.from_origins(network, rows), len(destinations))
            durations = _durations(arrays, origins.lon[rows], origins.lat[rows], len(query.departures))
            bar.update(rows.stop - rows.start)
            yield rows, percentile_values(durations, query.percentiles), _minutes(durations, keep_minutes)


def _rows_per_chunk(durations_per_row: int) -> int:
    """Rows (origins, or destinations searched backwards) of one kernel call.

    At most :data:`ORIGINS_PER_CHUNK`, and :data:`DURATIONS_PER_CHUNK` durations in all.
    """
    return max(1, min(ORIGINS_PER_CHUNK, DURATIONS_PER_CHUNK // max(1, durations_per_row)))


def _durations(arrays: tuple, lon: np.ndarray, lat: np.ndarray, n_departures: int) -> np.ndarray:
    """Run the forward kernel on ``arrays`` (see :func:`kernel_arrays`), its origins at ``lon, lat``.

    Single departures search neighbouring origins together (:func:`search_lanes`).
    """
    n_lanes = search_lanes(n_departures, len(lon))
    if n_lanes == 1:
        return raptor.transit_travel_times(*arrays, 4 * numba.get_num_threads())
    order = neighbour_order(lon, lat)
    # Groups of lanes are few (20 for 1,227 origins): one chunk per thread, each taking every
    # n-th group, gives the threads equal shares (7 % faster on POA).
    lanes = raptor_lanes.lanes_of(n_lanes)
    return raptor_lanes.transit_travel_times(arrays, order, lanes, numba.get_num_threads())


def kernel_arrays(routes: dict, legs: WalkLegs, query: TransitQuery, access, direct, n_destinations: int):
    """The arguments of the forward RAPTOR kernels but the last (threads), for some origins."""
    return (
        *_route_arrays(routes), *legs.transfers, query.board_slack, *access, *direct, *legs.egress,
        n_destinations, query.departures, query.max_rounds, query.max_duration,
    )  # fmt: skip


def arrival_blocks(
    network: Network,
    origins: Points,
    destinations: Points,
    query: TransitQuery,
    *,
    columns: slice | None = None,
    progress: bool | None = None,
):
    """Yield ``(columns, lead)`` per chunk of destinations, for an arrive-by query.

    One backward search per destination and draw finds, for every origin, the latest
    departure that arrives by each deadline: ``lead``, int64 of shape (n_origins, chunk,
    n_draws * n_deadlines), is how many seconds before the deadline it is (``UNREACHED``
    where no journey leaves within ``max_duration`` of the deadline).

    ``columns`` limits the searches to those destinations (a cluster task's share; it starts
    at a multiple of :data:`DESTINATIONS_PER_SUM`). Chunks hold whole groups of that many,
    or tile them.
    """
    legs, walks = arrival_walks(network, origins, destinations, query)
    columns = slice(0, len(destinations)) if columns is None else columns
    searches = _backward_searches(
        network, legs, walks, query, destinations, columns, progress, n_origins=len(origins)
    )
    for block, durations in searches:
        yield block, _unreached(durations.transpose(1, 0, 2))


def sum_groups(block: slice) -> Iterator[slice]:
    """The groups of :data:`DESTINATIONS_PER_SUM` destinations in a block of :func:`arrival_blocks`.

    A block holds whole groups, or part of one (then it is its own group).
    """
    for start in range(block.start, block.stop, DESTINATIONS_PER_SUM):
        yield slice(start, min(start + DESTINATIONS_PER_SUM, block.stop))


def arrival_walks(network: Network, origins: Points, destinations: Points, query: TransitQuery):
    """The street legs of an arrive-by query, and its origins' walks kept for the last points.

    Each task of a cluster searches its own destinations from the same origins: their walks
    are searched once per worker, not once per task. They depend on the points and on how
    one walks or rides to the stops, not on the timetable or the boarding slack.
    """
    legs = walk_legs(network, origins, destinations, query)
    access = query.access
    settings = (
        query.walk_speed, query.max_walk, query.max_snap_distance,
        None if access is None else (
            access.mode, access.max_access, access.speeds,
            None if access.places is None else access.places.tobytes(),
            None if access.stops is None else access.stops.tobytes(),
        ),
    )  # fmt: skip
    points = tuple(
        values.tobytes() for values in (origins.lon, origins.lat, destinations.lon, destinations.lat)
    )
    walks = _kept_for_last(
        network,
        ("arrival walks",),
        (settings, points),
        lambda: legs.from_origins(network, slice(0, len(origins))),
    )
    return legs, walks


def _backward_searches(
    network: Network,
    legs: WalkLegs,
    walks: tuple,
    query: TransitQuery,
    destinations: Points,
    columns: slice,
    progress: bool | None,
    *,
    n_origins: int | None = None,
):
    """Yield ``(block, durations)``: forward searches on the reversed routes, per chunk of destinations.

    ``walks`` are the origins' access and walk-only CSRs. Turned round, a journey starts
    from the destination, walks to a stop, rides and walks between stops, and walks from a
    stop to an origin; the search starts ``board_slack`` after the deadline (at minus that),
    since turned round the slack comes after the last ride instead of before the first.

    ``durations``, int32 of shape (chunk, n_targets, n_draws * n_deadlines), are the leads
    (how long before each deadline one must leave) of the ``n_origins`` origins, or with
    ``n_origins`` None of every stop (before the first deadline only: how long before it
    one must stand there, ready to board); ``UNREACHED_DURATION`` beyond ``max_duration``.
    """
    access, direct = walks
    n_destinations = len(destinations)
    back_routes = stacked_draws(network, query, turned_round=True)
    n_draws = int(back_routes["draw_offsets"].shape[0]) - 1
    transfers = _turned_round(network, "transfers", legs.transfers, _transfers_turned_round)
    arrays = (*_route_arrays(back_routes), *transfers, query.board_slack)
    from_destinations = egress_by_destination(network, legs)
    if n_origins is None:  # every stop its own target, and no trip without a ride
        n_targets, deadlines = legs.n_stops, query.deadlines[:1]
        to_targets = (np.arange(n_targets + 1), np.arange(n_targets), np.zeros(n_targets, dtype=np.int64))
        direct_in = _empty(n_destinations)
    else:
        n_targets, deadlines = n_origins, query.deadlines
        to_targets = _turned_round(network, "access", access, lambda csr: _transpose(*csr, legs.n_stops))
        direct_in = _turned_round(network, "direct", direct, lambda csr: _transpose(*csr, n_destinations))
    starts = -(deadlines[::-1] + query.board_slack)
    n_deadlines = len(starts)
    per_call = _rows_per_chunk(n_draws * n_deadlines * n_targets)
    if per_call >= DESTINATIONS_PER_SUM:
        chunk = per_call - per_call % DESTINATIONS_PER_SUM
    else:  # a power of two divides the groups: every task's calls cut them the same way
        chunk = 1 << (per_call.bit_length() - 1)
    with progress_bar(columns.stop - columns.start, "transit arrivals", progress, unit="destination") as bar:
        for start in range(columns.start, columns.stop, chunk):
            block = slice(start, min(start + chunk, columns.stop))
            durations = _durations(
                (
                    *arrays, *_csr_rows(from_destinations, block), *_csr_rows(direct_in, block),
                    *to_targets, n_targets, starts, query.max_rounds, query.max_duration,
                ),
                destinations.lon[block], destinations.lat[block], n_deadlines,
            )  # fmt: skip
            bar.update(block.stop - block.start)
            # Per draw the kernel lists its departures (minus the deadlines) increasing, so the
            # deadlines from the latest: put them back in order.
            lead = durations.reshape(*durations.shape[:2], n_draws, n_deadlines)[..., ::-1]
            yield block, lead.reshape(durations.shape)


def stacked_draws(
    network: Network, query: TransitQuery, *, turned_round: bool = False
) -> dict[str, np.ndarray]:
    """The routes of every draw stacked in the kernels' layout, run back in time if ``turned_round``.

    Kept on the network for the settings of the draws last asked (see :func:`draws`): a
    cluster worker's tasks then reuse them.
    """

    def stacked() -> dict[str, np.ndarray]:
        drawn = [routes for _, routes in draws(network, query)]
        return stack_draws([reversed_routes(routes) for routes in drawn] if turned_round else drawn)

    return _kept_for_last(network, ("stacked routes", turned_round), _draw_settings(network, query), stacked)


def egress_by_destination(network: Network, legs: WalkLegs) -> tuple:
    """The egress walks of ``legs`` per destination: CSR ``(offsets, stop, seconds)``."""
    return _turned_round(network, "egress", legs.egress, lambda csr: _transpose(*csr, legs.n_destinations))


def _turned_round(network: Network, name: str, walks: tuple, turn) -> tuple:
    """``turn(walks)``, kept on the network while ``walks`` is the very object its caches hold.

    Searches backwards read walks per target instead of per source: each task of a cluster
    searching its own destinations turns them once per worker, not once per task.
    """
    return _kept_for_last(network, ("turned round", name), walks, lambda: turn(walks), by_identity=True)


def _transfers_turned_round(transfers: tuple) -> tuple:
    """The walking transfers of :func:`stop_transfers` turned round, for :func:`reversed_routes`.

    After a walk the forward search adds the same-stop time of the stop walked to, where the
    next vehicle is boarded; turned round that stop is where the walk starts, and the search
    adds the same-stop time of the other end. The walk carries the difference, which keeps
    every journey's total (it may make a walk negative, which a RAPTOR round allows).
    """
    offsets, to_stop, seconds, board_extra = transfers
    source = rows_of(offsets)
    seconds = seconds + board_extra[to_stop] - board_extra[source]
    return (*_transpose(offsets, to_stop, seconds, len(board_extra)), board_extra)


def arrive_by(
    network: Network,
    origins: Points,
    destinations: Points,
    query: TransitQuery,
    *,
    columns: slice | None = None,
    progress: bool | None = None,
) -> tuple[np.ndarray, np.ndarray]:
    """Latest departures by one deadline and when the journeys leaving then arrive.

    Chunk of destinations by chunk: the backward search gives the latest time to stand at
    each stop, hence each origin's latest departure in each draw of frequency-based
    services. The percentiles are taken on those (nearest rank, how long before the deadline
    one must leave); in each draw, the journeys leaving then are followed from the trips
    they must board (see :mod:`~reachable.kernels.raptor_arrivals`). With few origins (see
    :func:`arrives_by_origin`), the backward search runs to the origins instead, then a
    range search from each over its departures. ``columns`` limits the searches to those
    destinations. A chunk holds its stop leads twice (at most :data:`DURATIONS_PER_CHUNK`
    int32 each) and, per stop and destination, a flag and an int32 arrival: some 210 MB at
    most, besides its columns of the result.

    Returns
    -------
    (ndarray of int64, ndarray of int64), each of shape (n_origins, n_columns, n_percentiles)
        Seconds from the departure to the deadline, and the arrival in seconds on the
        network's timeline; ``UNREACHED`` where no journey leaves within ``max_duration``.
    """
    if arrives_by_origin(network, len(origins), query):
        lead, pick = origin_leads(network, origins, destinations, query, columns=columns, progress=progress)
        return lead, origin_arrivals(network, origins, destinations, query, lead, pick, columns=columns)
    legs, walks = arrival_walks(network, origins, destinations, query)
    access, direct = walks
    columns = slice(0, len(destinations)) if columns is None else columns
    shape = (len(origins), columns.stop - columns.start, len(query.percentiles))
    lead = np.empty(shape, dtype=np.int64)
    arrival = np.empty(shape, dtype=np.int64)
    drawn = draws(network, query)
    for block, stop_lead in _backward_searches(network, legs, walks, query, destinations, columns, progress):
        at = slice(block.start - columns.start, block.stop - columns.start)
        # Per draw, the stop leads by destination (as searched) and by stop.
        by_destination = [np.ascontiguousarray(stop_lead[:, :, d]) for d in range(len(drawn))]
        by_stop = [np.ascontiguousarray(leads.T) for leads in by_destination]
        latest = [
            raptor_arrivals.latest_from_stops(access, direct, leads, block.start, query.max_duration)
            for leads in by_stop
        ]
        if len(drawn) == 1:  # every percentile is the timetable's
            arrived = _arrivals(
                network, legs, walks, query, drawn[0][1], (by_destination[0], by_stop[0]), latest[0], block
            )  # fmt: skip
            lead[:, at], arrival[:, at] = latest[0][:, :, None], arrived[:, :, None]
            continue
        lead[:, at], pick = _by_percentile(np.stack(latest, axis=2), query.percentiles)
        for d, (_, routes) in enumerate(drawn):
            asked = (pick == d).any(axis=2)
            if not asked.any():
                continue
            arrived = _arrivals(
                network, legs, walks, query, routes, (by_destination[d], by_stop[d]),
                np.where(asked, latest[d], UNREACHED), block,
            )  # fmt: skip
            arrival[:, at] = np.where(pick == d, arrived[:, :, None], arrival[:, at])
    return lead, arrival


def arrives_by_origin(network: Network, n_origins: int, query: TransitQuery) -> bool:
    """Whether :func:`arrive_by` follows the journeys from ``n_origins`` by a range search each.

    So it does below :data:`ORIGIN_MINUTES_PER_STOP_BY_TRIPS`; otherwise it follows them
    from the trips they board first.
    """
    minutes = query.max_duration / 60
    return n_origins * minutes < ORIGIN_MINUTES_PER_STOP_BY_TRIPS * network.timetable.n_stops


def origin_leads(
    network: Network,
    origins: Points,
    destinations: Points,
    query: TransitQuery,
    *,
    columns: slice | None = None,
    progress: bool | None = None,
) -> tuple[np.ndarray, np.ndarray]:
    """The first half of :func:`arrive_by` by origin: the backward search to the origins.

    Returns
    -------
    (ndarray of int64, ndarray of int64), each of shape (n_origins, n_columns, n_percentiles)
        Seconds from the latest departure to the deadline (``UNREACHED`` where none), and
        the draw of frequency phases each percentile came from.
    """
    columns = slice(0, len(destinations)) if columns is None else columns
    lead = np.empty((len(origins), columns.stop - columns.start, len(draws(network, query))), dtype=np.int64)
    for block, block_lead in arrival_blocks(
        network, origins, destinations, query, columns=columns, progress=progress
    ):
        lead[:, block.start - columns.start : block.stop - columns.start] = block_lead
    return _by_percentile(lead, query.percentiles)


def origin_arrivals(
    network: Network,
    origins: Points,
    destinations: Points,
    query: TransitQuery,
    lead: np.ndarray,
    pick: np.ndarray,
    *,
    columns: slice | None = None,
) -> np.ndarray:
    """The second half of :func:`arrive_by` by origin: a range search from each over its departures.

    ``lead`` and ``pick`` as from :func:`origin_leads` (to the destinations ``columns``);
    returns when the traveller leaving then arrives, in seconds on the network's timeline
    (``UNREACHED`` where ``lead`` is). Each origin is searched once, whichever destinations
    it is asked for: a cluster runs these by chunks of origins, after :func:`origin_leads`
    by chunks of destinations.
    """
    legs, (access, direct) = arrival_walks(network, origins, destinations, query)
    columns = slice(0, len(destinations)) if columns is None else columns
    deadline = int(query.deadlines[0])
    arrival = np.full(lead.shape, UNREACHED, dtype=np.int64)
    for d, (_, routes) in enumerate(draws(network, query)):
        origin, column, p = np.nonzero((pick == d) & (lead < UNREACHED))
        if len(origin) == 0:
            continue
        leave = deadline - lead[origin, column, p]
        # Each origin's departures, and the destinations asked for at each.
        order = np.lexsort((leave, origin))
        origin, column, p, leave = origin[order], column[order], p[order], leave[order]
        first = np.flatnonzero(np.r_[True, (origin[1:] != origin[:-1]) | (leave[1:] != leave[:-1])])
        leave_offsets = np.searchsorted(origin[first], np.arange(len(origins) + 1))
        arrival[origin, column, p] = raptor_arrivals.arrivals_by_origin(
            _draw_arrays(routes), legs.transfers[:3], legs.transfers[3], query.board_slack, access, direct,
            egress_by_destination(network, legs), leave_offsets, leave[first], np.r_[first, len(origin)],
            column + columns.start, len(destinations), query.max_rounds, deadline,
            4 * numba.get_num_threads(),
        )  # fmt: skip
    return arrival


def _arrivals(
    network: Network,
    legs: WalkLegs,
    walks: tuple,
    query: TransitQuery,
    routes: TransitRoutes,
    stop_lead: tuple[np.ndarray, np.ndarray],
    lead: np.ndarray,
    block: slice,
) -> np.ndarray:
    """When the journeys leaving ``lead`` before the deadline arrive, in one draw's ``routes``.

    ``stop_lead`` are the stop leads of the destinations ``block`` (int32), by destination
    and by stop; ``lead`` (n_origins x n_columns) is ``UNREACHED`` for the pairs not asked for.
    """
    access, direct = walks
    by_destination, by_stop = stop_lead
    deadline = int(query.deadlines[0])
    arrays = _draw_arrays(routes)
    # The (stop, destination) pairs some journey leaves from, grouped by the time to stand there.
    steps = raptor_arrivals.tight_steps(raptor_arrivals.tight_stops(access, by_stop, lead), by_stop, deadline)
    step_stop, step_ready = steps[:2]
    step, route, trip, position = raptor_arrivals.tight_boardings(
        arrays, query.board_slack, step_stop, step_ready
    )
    # Each trip's boardings from its last stop to its first.
    key = arrays[2][route] + trip  # the trip's rank among all routes' trips
    order = np.lexsort((-position, key))
    step, route, trip, position, key = step[order], route[order], trip[order], position[order], key[order]
    first_boarding = np.flatnonzero(np.diff(key, prepend=-1))
    after = raptor_arrivals.arrivals_after_boarding(
        arrays, legs.transfers[:3], legs.transfers[3], query.board_slack, route[first_boarding],
        trip[first_boarding], np.r_[first_boarding, len(key)], position, step, step_stop, *steps[2:],
        by_destination, _csr_rows(egress_by_destination(network, legs), block), query.max_rounds, deadline,
        4 * numba.get_num_threads(),
    )  # fmt: skip
    return raptor_arrivals.arrivals_of_pairs(access, direct, by_stop, lead, after, block.start, deadline)


def _draw_arrays(routes: TransitRoutes) -> tuple:
    """One draw's routes as the kernels take them (see :func:`reachable.kernels.raptor.run_rounds`)."""
    return (
        routes.route_stop_offsets, routes.route_stops, routes.route_trip_offsets, routes.route_time_offsets,
        routes.arrival, routes.departure, routes.stop_route_offsets, routes.stop_route,
        routes.stop_route_position, routes.stop_departure_offsets, routes.stop_departure,
    )  # fmt: skip


def _unreached(values: np.ndarray) -> np.ndarray:
    values = values.astype(np.int64)
    return np.where(values == UNREACHED_DURATION, UNREACHED, values)


def _transpose(offsets, target, seconds, n_targets: int):
    """The CSR of the same pairs, per target: ``(offsets, source, seconds)``."""
    order = np.argsort(target, kind="stable")
    return offsets_of(target, n_targets), rows_of(offsets)[order], seconds[order]


def _csr_rows(csr, rows: slice):
    """Rows ``rows`` of a CSR, as a CSR of their own."""
    offsets, target, seconds = csr
    part = slice(offsets[rows.start], offsets[rows.stop])
    return offsets[rows.start : rows.stop + 1] - offsets[rows.start], target[part], seconds[part]


def search_lanes(n_departures: int, n_origins: int) -> int:
    """How many neighbouring origins one RAPTOR search serves at once (see the kernel).

    Many for single departures, where neighbours improve mostly the same stops; one over a
    departure window, where each minute improves few stops, different ones per origin.
    """
    return raptor_lanes.MAX_LANES if n_departures == 1 and n_origins > 1 else 1


def neighbour_order(lon: np.ndarray, lat: np.ndarray) -> np.ndarray:
    """Indices of the points along a Hilbert curve, so that neighbours follow each other.

    The curve runs over a 65,536 x 65,536 grid on the points' bounding box; unlike a Z-order
    curve it never jumps, so any run of consecutive points stays compact.
    """
    side = 1 << 16
    x, y = ((v - v.min()) / (np.ptp(v) or 1.0) * (side - 1) for v in (lon, lat))
    x, y = x.astype(np.int64), y.astype(np.int64)
    index = np.zeros(len(x), dtype=np.int64)
    half = side // 2
    while half > 0:
        right, top = (x & half) > 0, (y & half) > 0
        index += half * half * ((3 * right) ^ top)
        # Rotate the quadrant so that the curve inside it starts where the previous one ended.
        flip = ~top & right
        x, y = np.where(flip, side - 1 - x, x), np.where(flip, side - 1 - y, y)
        x, y = np.where(~top, y, x), np.where(~top, x, y)
        half //= 2
    return np.argsort(index, kind="stable")


def _by_percentile(values: np.ndarray, percentiles: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """The nearest-rank ``percentiles`` of ``values`` over its last axis, and where each came from."""
    pick = np.argsort(values, axis=2, kind="stable")[:, :, _ranks(percentiles, values.shape[2])]
    return np.take_along_axis(values, pick, axis=2), pick


def _ranks(percentiles: np.ndarray, n_values: int) -> np.ndarray:
    """Nearest-rank positions in ``n_values`` sorted values: ``ceil(p / 100 * n) - 1``."""
    return np.clip(np.ceil(percentiles / 100.0 * n_values).astype(np.int64) - 1, 0, n_values - 1)


def percentile_values(durations: np.ndarray, percentiles: np.ndarray) -> np.ndarray:
    """Nearest-rank percentiles over the last axis (unreached counted as +infinity).

    NumPy's sort is vectorised (SIMD), several times faster than sorting in the kernel.
    """
    n_values = durations.shape[2]
    ranks = _ranks(percentiles, n_values)
    if n_values > 1:
        picked = np.sort(durations, axis=2)[:, :, ranks]
    else:  # one value per pair: it is every percentile
        picked = durations if len(ranks) == 1 else durations[:, :, ranks]
    return np.where(picked == UNREACHED_DURATION, UNREACHED, picked)


def _minutes(durations: np.ndarray, keep: bool) -> np.ndarray:
    """Every value per (origin, draw * minute, destination), or an empty array."""
    if not keep:
        return np.empty((0, 0, 0), dtype=np.int64)
    values = durations.transpose(0, 2, 1).astype(np.int64)
    return np.where(values == UNREACHED_DURATION, UNREACHED, values)


def _kept(csr, keep: np.ndarray):
    """The entries of a CSR ``(offsets, column, seconds)`` where ``keep`` holds."""
    offsets, column, seconds = csr
    if keep.all():
        return csr
    return offsets_of(rows_of(offsets)[keep], len(offsets) - 1), column[keep], seconds[keep]


def _split_columns(pairs, n_first: int):
    """Split a CSR ``(offsets, column, seconds)`` into its first ``n_first`` columns and the rest."""
    column = pairs[1]
    first, rest = _kept(pairs, column < n_first), _kept(pairs, column >= n_first)
    return first, (rest[0], rest[1] - n_first, rest[2])


def _with_zeros(offsets, target, seconds, rows, columns):
    """Add (or lower to) zero-second entries at ``(rows, columns)`` of a CSR.

    The CSR's columns increase within each row (as street searches give them), and so do
    they after: entries found are set to zero, the others inserted in place.
    """
    if len(rows) == 0:
        return offsets, target, seconds
    width = int(max(target.max(initial=-1), columns.max())) + 1
    keys = rows_of(offsets) * width + target
    wanted = rows * width + columns
    at = np.searchsorted(keys, wanted)
    found = at < len(keys)
    found[found] = keys[at[found]] == wanted[found]
    seconds = seconds.copy()
    seconds[at[found]] = 0
    missing = np.flatnonzero(~found)
    missing = missing[np.argsort(wanted[missing], kind="stable")]
    added = np.bincount(rows[missing], minlength=len(offsets) - 1)
    return (
        offsets + np.concatenate(([0], np.cumsum(added))),
        np.insert(target, at[missing], columns[missing]),
        np.insert(seconds, at[missing], 0),
    )
