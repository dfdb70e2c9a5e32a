"""Travel-time matrices between points, by street mode or by public transport."""

from __future__ import annotations

import logging
import warnings
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import pandas as pd

from ._checks import positive, whole_number
from ._progress import progress_bar
from .cluster import (
    check_client,
    chunk_rows,
    clear_parts,
    destination_rows,
    origins_per_task,
    publish_parts,
    run,
    start,
    write_part,
)
from .cutoffs import last_second, search_limit, whole_seconds
from .errors import InvalidParameterError, ReachableWarning, UnknownModeError
from .kernels.raptor import UNREACHED
from .modes import (
    ACCESS_MODES,
    DEFAULT_BIKE_SPEED,
    DEFAULT_EBIKE_SPEED,
    DEFAULT_WALK_SPEED,
    STREET_MODES,
    combined_mode,
    graph_mode,
    split_mode,
)
from .network.network import Network
from .network.snapping import DEFAULT_MAX_SNAP_DISTANCE
from .network.street import check_speeds
from .points import Points, as_points
from .routing.access import access_leg
from .routing.street import (
    ORIGINS_PER_CHUNK,
    coincident,
    origins_per_chunk,
    street_opportunities,
    street_search,
    street_seconds,
    warns_once_per_point_set,
)
from .routing.transit import (
    TransitQuery,
    arrival_blocks,
    arrive_by,
    arrives_by_origin,
    origin_arrivals,
    origin_leads,
    percentile_values,
    transit_blocks,
)
from .timeline import local_time, timeline_seconds

logger = logging.getLogger("reachable")


DEFAULT_MAX_WALK_TIME = 20.0
"""Minutes of each walking leg of a public transport trip (access, transfer, egress)."""

DEFAULT_MAX_TRANSFERS = 2
"""Vehicle changes in a public transport trip: 3 rides, r5r's default ``max_rides``."""

DEFAULT_BOARD_SLACK = 60
"""Seconds between reaching a stop and boarding there (R5 uses one minute too)."""

DEFAULT_FREQUENCY_DRAWS = 5
"""Random boarding phases per departure minute on frequency-based services."""


def _same(value, default) -> bool:
    """Whether an option was left at its default (a tuple of percentiles or a number)."""
    try:
        return bool(np.array_equal(np.atleast_1d(value), np.atleast_1d(default)))
    except (TypeError, ValueError):
        return False


def _warn_without_service(network: Network) -> None:
    """Warn once per network when its timetable has no trip on its days: transit is then walking."""
    key = ("no service warned",)
    if network.timetable.n_trips == 0 and key not in network.query_cache:
        network.query_cache[key] = True
        days = ", ".join(day.isoformat() for day in network.dates)
        message = (
            f"the network has no public transport trip on {days} (no service of its GTFS feeds runs "
            "then): mode='transit' gives walking times only; build it for days the feeds serve"
        )
        logger.warning(message)
        warnings.warn(message, ReachableWarning, stacklevel=4)


def _percentiles(percentiles) -> np.ndarray:
    values = np.atleast_1d(np.asarray(percentiles if percentiles is not None else (), dtype=object))
    if len(values) == 0 or not all(
        isinstance(p, (int, float, np.number)) and not isinstance(p, bool) and 0 <= p <= 100 for p in values
    ):
        raise InvalidParameterError(f"percentiles must be numbers in [0, 100], got {percentiles!r}")
    return values.astype(np.float64)


@warns_once_per_point_set
def travel_time_matrix(
    network: Network,
    origins,
    destinations=None,
    *,
    mode: str,
    max_time: float,
    departure=None,
    arrival=None,
    time_window: int = 1,
    percentiles: float | Sequence[float] = (50,),
    max_walk_time: float = DEFAULT_MAX_WALK_TIME,
    max_transfers: int = DEFAULT_MAX_TRANSFERS,
    walk_speed: float = DEFAULT_WALK_SPEED,
    bike_speed: float = DEFAULT_BIKE_SPEED,
    ebike_speed: float = DEFAULT_EBIKE_SPEED,
    car_speed_factor: float = 1.0,
    access_mode: str = "walk",
    max_access_time: float | None = None,
    bike_parking_only: bool = False,
    park_and_ride=None,
    board_slack: float = DEFAULT_BOARD_SLACK,
    frequency_draws: int = DEFAULT_FREQUENCY_DRAWS,
    seed: int = 0,
    max_snap_distance: float = DEFAULT_MAX_SNAP_DISTANCE,
    progress: bool | None = None,
    client=None,
    out=None,
) -> pd.DataFrame | Path:
    """Travel times from every origin to every destination by one mode.

    Each point snaps to the nearest edge of the mode's street graph (its projection on the
    edge, not the nearest node; the walking graph for ``transit``). The straight line from
    the point to the street is walked at ``walk_speed``, and the search starts from both ends
    of the edge with the cost of the part of the edge travelled (one-way streets allowing).
    Two points on the same edge can be joined along it directly; a destination at the very
    place of its origin is 0.

    With ``mode="transit"`` (walk + public transport) the travel time for a departure minute
    is the arrival at the destination minus that minute (waiting at the first stop counts),
    the smaller of the walk-only trip (allowed when it takes at most ``max_walk_time``) and
    the best public transport trip. Departures are every minute of
    ``[departure, departure + time_window)``; the values of all minutes (and of every draw of
    frequency-based services) give the requested percentiles.

    With ``arrival=`` instead (arrive by a deadline), each pair gets the latest departure
    from the origin that arrives at the destination by then, exact to the second, found by
    one backward search per destination with the same rules (walks, rides, transfers,
    ``board_slack``); ``max_time`` bounds how long before the deadline one may leave. The
    arrival reported is the earliest of a traveller leaving then (forward searches from the
    vehicles such travellers board first), at or before the deadline. Street modes leave the
    travel time before the deadline. Frequency-based services give one result per draw,
    reduced to the ``percentiles`` of how long before the deadline one must leave.

    Parameters
    ----------
    network : Network
    origins : geopandas.GeoDataFrame or pandas.DataFrame
        Points with an ``id`` column: a GeoDataFrame of Points in any CRS, or a DataFrame
        with ``id``, ``lon``, ``lat`` (WGS84 degrees).
    destinations : same as origins, optional
        Default: the origins.
    mode : str
        ``"walk"``, ``"bike"``, ``"ebike"``, ``"moped"``, ``"car"``, ``"transit"`` (walk and
        public transport), or public transport reached by a vehicle: ``"bike+transit"``,
        ``"ebike+transit"``, ``"moped+transit"``, ``"car+transit"`` (the same as
        ``mode="transit"`` with ``access_mode``).
    max_time : float
        Largest travel time of interest in minutes; longer trips are NaN.
    departure : datetime.datetime or str, required for ``transit`` (or ``arrival``)
        ``"YYYY-MM-DD HH:MM"`` on one of the network's service days, or ``"HH:MM"`` when it
        has one (see :func:`reachable.timeline.timeline_seconds`).
    arrival : datetime.datetime or str, optional
        Arrive by this time instead (exclusive with ``departure``; any mode).
    time_window : int, default 1
        Minutes of departures, one per minute from ``departure`` (``transit``).
    percentiles : float or sequence of float, default (50,)
        Percentiles in [0, 100] of the travel times over the window, nearest rank (the
        value at sorted index ``ceil(p / 100 * n) - 1``), unreachable counted as +infinity.
    max_walk_time : float, default 20
        Minutes of each walking leg separately: access, each transfer between stops,
        egress; and of a walk-only trip (``transit``).
    max_transfers : int, default 2
        Vehicle changes (rides - 1), so 3 rides as r5r's default (``transit``).
    walk_speed : float, default 3.6
        Walking speed in km/h, also used for the walk between a point and its street.
    bike_speed : float, default 12.0
        Cycling speed in km/h.
    ebike_speed : float, default 18.0
        Pedelec speed in km/h, on the bike network and its rules (see
        :data:`reachable.modes.DEFAULT_EBIKE_SPEED` for the source).
    car_speed_factor : float, default 1.0
        Multiplies free-flow car speeds (1.0 = posted speeds, 0.6 = congested);
        mopeds go at min(45 km/h, car speed).
    access_mode : {"walk", "bike", "ebike", "moped", "car"}, default "walk"
        How one reaches public transport (``transit``). A vehicle is ridden or driven to a
        stop and left there: bikes and e-bikes at any stop, cars and mopeds at a
        park-and-ride place, from which one walks to the stops within ``max_walk_time``.
        Rides and the walk to the destination follow as usual. Such a combined mode is its own
        mode: every trip rides public transport (a trip with the vehicle alone is its own
        mode, ``"bike"``; see :mod:`reachable.routing.access`).
    max_access_time : float, optional
        Minutes of the ride or drive to public transport: default 15 for bikes and e-bikes,
        20 for mopeds and cars.
    bike_parking_only : bool, default False
        Leave bikes only at stops within 100 m of an OpenStreetMap bicycle parking
        (``amenity=bicycle_parking``).
    park_and_ride : geopandas.GeoDataFrame or pandas.DataFrame, optional
        Where cars and mopeds may be left: points or areas, or ``lon``/``lat`` columns.
        Default: the OpenStreetMap file's ``park_ride=*`` places; none gives a warning and no
        trip through public transport for cars and mopeds.
    board_slack : float, default 60
        Seconds, >= 0: the least time between reaching a stop and boarding there.
    frequency_draws : int, default 5
        Random boarding phases drawn for frequency-based services (``frequencies.txt``
        without exact times); each draw fixes one phase per service for the whole window.
    seed : int, default 0
        Seed of those draws: the same seed gives the same results.
    max_snap_distance : float, default 1600
        Metres; points farther from the mode's streets are unreachable, with a warning.
    progress : bool, optional
        Show a progress bar; default only on an interactive terminal or notebook.
    client : distributed.Client, optional
        Run chunks of origins on a Dask cluster (see :mod:`reachable.cluster`): the same
        rows, bit for bit, in the same order. By ``arrival`` the chunks are of destinations
        (a backward search runs per destination), and their seconds are kept on the client
        (8 bytes a pair and percentile) until the frame is made or the parts written.
    out : str or Path, optional
        A folder: write the matrix there as partitioned Parquet (one ``part-*.parquet`` per
        chunk of origins, written by the worker that computed it; read it back with
        ``dask.dataframe.read_parquet`` or ``pandas.read_parquet``), and return the folder.
        For matrices bigger than memory (by ``arrival``, the seconds searched first by
        destinations take 8 bytes a pair and percentile, see ``client``). The parts appear
        when all are written: a run that fails leaves no part (and removes those of an
        earlier matrix in the folder).

    Returns
    -------
    pandas.DataFrame
        Columns ``from_id``, ``to_id`` (the ids and dtypes given) and ``travel_time``
        (minutes, float64, rounded to the second, NaN when not reachable within
        ``max_time``); with several percentiles, one column ``travel_time_p{p}`` each (e.g.
        ``travel_time_p5``). With ``arrival``, also ``departure`` and ``arrival`` (pandas
        Timestamps, NaT when not reachable) before ``travel_time`` (= arrival - departure),
        each with the ``_p{p}`` suffix when several percentiles. One row per pair, origins in
        the order given, destinations in the order given within each origin.

    Raises
    ------
    UnknownModeError
        ``mode`` is unknown or the network was not built for it.
    InvalidParameterError
        A time, speed, count or percentile out of range; a departure not on the network's
        service day.
    InvalidPointsError, CRSError
        Malformed origins or destinations (see :func:`reachable.points.as_points`).
    """
    origin_points = as_points(origins, "origins")
    destination_points = origin_points if destinations is None else as_points(destinations, "destinations")
    routing = routing_settings(
        network, mode=mode, max_time=max_time, departure=departure, arrival=arrival, time_window=time_window,
        percentiles=percentiles, max_walk_time=max_walk_time, max_transfers=max_transfers,
        walk_speed=walk_speed, bike_speed=bike_speed, ebike_speed=ebike_speed,
        car_speed_factor=car_speed_factor, access_mode=access_mode, max_access_time=max_access_time,
        bike_parking_only=bike_parking_only, park_and_ride=park_and_ride, board_slack=board_slack,
        frequency_draws=frequency_draws, seed=seed, max_snap_distance=max_snap_distance,
    )  # fmt: skip
    if client is not None or out is not None:
        return _in_chunks(network, origin_points, destination_points, routing, client=client, out=out,
                          progress=progress)  # fmt: skip
    lead, duration = _matrix_seconds(network, origin_points, destination_points, routing, progress=progress)
    return _matrix_frame(origin_points, destination_points, routing, lead, duration)


def _matrix_seconds(network, origins: Points, destinations: Points, routing: Routing, *, progress):
    """Seconds per (origin, destination, percentile), twice.

    How long before the deadline one leaves (arrive-by) or the travel time (the same array
    for departures), and the travel time.
    """
    if routing.by_destinations:
        lead, arrival = arrive_by(network, origins, destinations, routing.transit, progress=progress)
        return unreached_as_inf(lead), unreached_as_inf(_travel_seconds(routing.transit, lead, arrival))
    seconds = np.empty((len(origins), len(destinations), len(routing.percentiles)))
    for block in travel_time_blocks(network, origins, destinations, routing, progress=progress):
        seconds[block.rows, block.columns] = block.seconds
    return seconds, seconds  # arriving by a deadline on the streets, one leaves the travel time before it


def _travel_seconds(query: TransitQuery, lead: np.ndarray, arrival: np.ndarray) -> np.ndarray:
    """Arrive-by seconds of travel: from ``lead`` seconds before the deadline to ``arrival``.

    ``UNREACHED`` where no trip.
    """
    duration = arrival - query.deadlines[0]  # in place from here: the arrays are the matrix's size
    duration += lead
    duration[lead >= UNREACHED] = UNREACHED
    return duration


def _matrix_frame(
    origins: Points, destinations: Points, routing: Routing, lead, duration, *, ids: dict | None = None
) -> pd.DataFrame:
    frame = _tidy(origins, destinations, duration, routing.percentiles, ids=ids)
    if routing.arrival is not None:
        _add_times(frame, routing, lead, duration)
    return frame


def _in_chunks(network, origins: Points, destinations: Points, routing: Routing, *, client, out, progress):
    """The matrix computed chunk of origins by chunk (on the client's workers), or written in parts.

    Tasks carry the checked points and settings, arrays that travel fast, not the frames. By
    arrival, the matrix is searched chunk of destinations by chunk (a backward search per
    destination, each once), then framed, or written in parts by chunks of origins.
    """
    if client is not None:
        check_client(client)
    folder = None
    if out is not None:
        folder = Path(out)
        if folder.exists() and not folder.is_dir():
            raise InvalidParameterError(f"out={str(folder)!r} is a file; give a folder for the parts")
        folder.mkdir(parents=True, exist_ok=True)
        clear_parts(folder)
    searched = None
    if routing.by_destinations:
        searched = _arrive_by_in_chunks(
            network, origins, destinations, routing, client=client, progress=progress
        )
        if folder is None:
            lead, duration = (unreached_as_inf(seconds) for seconds in searched)
            return _matrix_frame(origins, destinations, routing, lead, duration)
    rows = chunk_rows(len(origins), origins_per_task(len(destinations)), client=client)
    pieces = [
        (index, origins[piece], None if searched is None else tuple(part[piece] for part in searched))
        for index, piece in enumerate(rows)
    ]
    with start(
        _matrix_piece, network, pieces, destinations, routing, folder, client=client, progress=progress,
        what=f"{routing.mode} travel times", options={},
    ) as computed:  # fmt: skip
        if folder is not None:
            # Parts are published only once all are written: a run that fails leaves none.
            try:
                publish_parts(list(computed()))
            except BaseException:
                clear_parts(folder)
                raise
            return folder
        # The workers send their seconds, not their frames: a few times less to carry, and the
        # frame is made here as in one run, its ids while the workers compute.
        ids = _id_columns(origins, destinations)
        results = list(computed())
    # Cast straight into the matrix: converting each chunk then concatenating writes it twice.
    lead = np.concatenate([result[0] for result in results], dtype=np.float64)
    if results[0][1] is None:
        duration = lead
    else:
        duration = np.concatenate([result[1] for result in results], dtype=np.float64)
    return _matrix_frame(origins, destinations, routing, lead, duration, ids=ids)


def _matrix_piece(network, piece, destinations: Points, routing: Routing, folder, *, progress):
    """One task: the seconds of one chunk of origins, or its part of the matrix written.

    By arrival the piece brings its seconds, already searched (see :func:`_arrive_by_in_chunks`).
    """
    index, origins, searched = piece
    if searched is None:
        lead, duration = _matrix_seconds(network, origins, destinations, routing, progress=progress)
    else:
        lead, duration = (unreached_as_inf(seconds) for seconds in searched)
    if folder is not None:
        return write_part(_matrix_frame(origins, destinations, routing, lead, duration), folder, index)
    return _compact(lead), None if duration is lead else _compact(duration)


def _arrive_by_in_chunks(
    network, origins: Points, destinations: Points, routing: Routing, *, client, progress
) -> tuple[np.ndarray, np.ndarray]:
    """The arrive-by seconds of :func:`_in_chunks`, searched chunk of destinations by chunk.

    Kept narrow: int32 seconds before the deadline and of travel (``UNREACHED`` is 2**30),
    8 bytes a pair and percentile.
    """
    if not arrives_by_origin(network, len(origins), routing.transit):
        return _by_destination_chunks(
            _arrive_by_piece, network, origins, destinations, routing, client=client, progress=progress
        )
    # The departures by chunks of destinations, then the arrivals by chunks of origins: each
    # chunk of destinations would run every origin's range search again.
    lead, pick = _by_destination_chunks(
        _origin_leads_piece, network, origins, destinations, routing, client=client, progress=progress
    )
    rows = chunk_rows(len(origins), origins_per_task(len(destinations)), client=client)
    pieces = [(origins[piece], lead[piece], pick[piece]) for piece in rows]
    durations = run(
        _origin_arrivals_piece, network, pieces, destinations, routing, client=client, progress=progress,
        what="transit arrivals", options={},
    )  # fmt: skip
    return lead, np.concatenate(durations)


def _by_destination_chunks(
    task, network, origins: Points, destinations: Points, routing: Routing, *, client, progress
) -> tuple[np.ndarray, ...]:
    """``task``'s arrays (n_origins x chunk x n_percentiles) over every chunk of destinations, gathered."""
    columns = destination_rows(len(origins), len(destinations), client=client)
    shape = (len(origins), len(destinations), len(routing.percentiles))
    gathered = None
    with start(
        task, network, columns, origins, destinations, routing, client=client, progress=progress,
        what="transit arrivals", options={},
    ) as computed:  # fmt: skip
        for block, parts in zip(columns, computed(), strict=True):
            if gathered is None:
                gathered = tuple(np.empty(shape, dtype=part.dtype) for part in parts)
            for whole, part in zip(gathered, parts, strict=True):
                whole[:, block] = part
    return gathered


def _arrive_by_piece(
    network, columns: slice, origins: Points, destinations: Points, routing: Routing, *, progress
) -> tuple[np.ndarray, np.ndarray]:
    """One task of :func:`_arrive_by_in_chunks`: the seconds to one chunk of destinations."""
    lead, arrival = arrive_by(
        network, origins, destinations, routing.transit, columns=columns, progress=progress
    )
    return lead.astype(np.int32), _travel_seconds(routing.transit, lead, arrival).astype(np.int32)


def _origin_leads_piece(
    network, columns: slice, origins: Points, destinations: Points, routing: Routing, *, progress
) -> tuple[np.ndarray, np.ndarray]:
    """A first task of :func:`_arrive_by_in_chunks` by origin: the departures to a chunk of destinations."""
    lead, pick = origin_leads(
        network, origins, destinations, routing.transit, columns=columns, progress=progress
    )
    return lead.astype(np.int32), pick.astype(np.min_scalar_type(routing.transit.frequency_draws))


def _origin_arrivals_piece(network, piece, destinations: Points, routing: Routing, *, progress) -> np.ndarray:
    """A second task of :func:`_arrive_by_in_chunks` by origin: the travel times from a chunk of origins."""
    origins, lead, pick = piece
    lead = lead.astype(np.int64)
    arrival = origin_arrivals(network, origins, destinations, routing.transit, lead, pick)
    return _travel_seconds(routing.transit, lead, arrival).astype(np.int32)


def _compact(seconds: np.ndarray) -> np.ndarray:
    """Whole seconds as float32 (exact up to 2**24 s, 194 days), anything else as it is."""
    narrow = seconds.astype(np.float32)
    return narrow if np.array_equal(narrow, seconds) else seconds


@dataclass(frozen=True)
class Routing:
    """Validated routing settings of one mode (see :func:`travel_time_matrix`)."""

    mode: str
    max_time: float
    percentiles: np.ndarray
    speeds: dict
    """``walk_speed``, ``bike_speed``, ``ebike_speed`` (km/h) and ``car_speed_factor``."""
    max_snap_distance: float
    transit: TransitQuery | None
    arrival: pd.Timestamp | None = None
    """An arrive-by deadline."""

    @property
    def by_destinations(self) -> bool:
        """Whether it searches destination by destination: public transport by arrival."""
        return self.transit is not None and self.transit.arrive_by

    @property
    def walk_speed(self) -> float:
        """km/h."""
        return self.speeds["walk_speed"]

    @property
    def bike_speed(self) -> float:
        """km/h."""
        return self.speeds["bike_speed"]

    @property
    def car_speed_factor(self) -> float:
        """Multiplies free-flow car speeds."""
        return self.speeds["car_speed_factor"]

    def streets(self, network: Network):
        """Arc weights of this mode's graph at these speeds, and its snapper (:func:`street_search`)."""
        return street_search(
            network, self.mode, self.speeds, walk_speed=self.walk_speed,
            max_snap_distance=self.max_snap_distance,
        )  # fmt: skip


@dataclass(frozen=True)
class Block:
    """Travel times from a chunk of origins to a chunk of destinations.

    Attributes
    ----------
    rows, columns : slice
        The origins and destinations of the block.
    seconds : ndarray of float64, shape (n_rows, n_columns, n_percentiles)
        What counts against a cutoff, in whole seconds (``inf`` beyond ``max_time``; see
        :mod:`reachable.cutoffs`): the travel time, or with an arrival deadline how long
        before it one must leave. Read only (on the streets one array seen as every
        percentile).
    """

    rows: slice
    columns: slice
    seconds: np.ndarray


def routing_settings(
    network: Network, mode: str, *, max_time, departure=None, arrival=None, time_window=1, percentiles=(50,),
    max_walk_time=DEFAULT_MAX_WALK_TIME, max_transfers=DEFAULT_MAX_TRANSFERS, walk_speed=DEFAULT_WALK_SPEED,
    bike_speed=DEFAULT_BIKE_SPEED, ebike_speed=DEFAULT_EBIKE_SPEED, car_speed_factor=1.0, access_mode="walk",
    max_access_time=None, bike_parking_only=False, park_and_ride=None, board_slack=DEFAULT_BOARD_SLACK,
    frequency_draws=DEFAULT_FREQUENCY_DRAWS, seed=0, max_snap_distance=DEFAULT_MAX_SNAP_DISTANCE,
    warn_ignored=True,
) -> Routing:  # fmt: skip
    """Check every routing parameter of :func:`travel_time_matrix` and gather them.

    With ``warn_ignored``, public transport options given with a street mode (they change
    nothing) are named in a warning.
    """
    if not isinstance(mode, str):
        raise InvalidParameterError(
            f"mode must be one mode name such as 'walk', got {mode!r}; call once per mode, or use "
            "reachable.accessibility, which takes several"
        )
    mode = _combined(mode, access_mode)
    if mode not in network.modes:
        available = ", ".join(network.modes)
        transit, access = split_mode(mode)
        needed = graph_mode(access or ("walk" if transit == "transit" else mode))
        hint = (
            f" (build the network with {needed!r} in modes=)"
            if needed in STREET_MODES and needed not in network.modes
            else " (build the network with gtfs= and date=)"
            if transit == "transit"
            else ""
        )
        raise UnknownModeError(f"unknown or unavailable mode {mode!r}; choose one of {available}{hint}")
    if departure is not None and arrival is not None:
        raise InvalidParameterError(
            "give a departure or an arrival, not both: departure= routes forward from that time, "
            "arrival= finds the latest departures arriving by it"
        )
    deadline = None if arrival is None else local_time(arrival, network.dates, "arrival")
    max_time = positive("max_time", max_time, unit="minutes")
    max_snap_distance = positive("max_snap_distance", max_snap_distance, unit="metres")
    check_speeds(walk_speed, bike_speed, car_speed_factor, ebike_speed)
    speeds = {
        "walk_speed": float(walk_speed), "bike_speed": float(bike_speed), "ebike_speed": float(ebike_speed),
        "car_speed_factor": float(car_speed_factor),
    }  # fmt: skip
    percentile_values = _percentiles(percentiles)
    query = None
    transit, access = split_mode(mode)
    if transit != "transit" and warn_ignored:
        given = {
            "departure": (departure, None),
            "time_window": (time_window, 1),
            "percentiles": (percentiles, (50,)),
            "max_walk_time": (max_walk_time, DEFAULT_MAX_WALK_TIME),
            "max_transfers": (max_transfers, DEFAULT_MAX_TRANSFERS),
            "board_slack": (board_slack, DEFAULT_BOARD_SLACK),
            "frequency_draws": (frequency_draws, DEFAULT_FREQUENCY_DRAWS),
            "seed": (seed, 0),
            "access_mode": (access_mode, "walk"),
            "max_access_time": (max_access_time, None),
            "bike_parking_only": (bike_parking_only, False),
            "park_and_ride": (park_and_ride, None),
        }
        ignored = [name for name, (value, default) in given.items() if not _same(value, default)]
        if ignored:
            message = f"{', '.join(ignored)} only apply to mode='transit': ignored for {mode}"
            logger.warning(message)
            warnings.warn(message, ReachableWarning, stacklevel=3)
    if transit == "transit":
        _warn_without_service(network)
        if departure is None and arrival is None:
            raise InvalidParameterError(
                "mode='transit' needs a departure or an arrival, e.g. departure='2019-05-13 14:00'"
            )
        window = whole_number("time_window", time_window, minimum=1)
        if arrival is not None and window > 1:
            raise InvalidParameterError(
                "time_window is a window of departures; an arrival is one deadline (for several, "
                "use accessibility_profile with by='arrival')"
            )
        start = None if departure is None else timeline_seconds(network, departure, "departure")
        query = TransitQuery(
            departures=np.empty(0, dtype=np.int64) if start is None else start + 60 * np.arange(window),
            deadlines=None
            if deadline is None
            else np.array([timeline_seconds(network, deadline, "arrival")]),
            max_duration=last_second(max_time),
            max_walk=last_second(positive("max_walk_time", max_walk_time, unit="minutes")),
            max_rounds=whole_number("max_transfers", max_transfers, minimum=0) + 1,
            walk_speed=float(walk_speed),
            board_slack=round(positive("board_slack", board_slack, unit="seconds", allow_zero=True)),
            frequency_draws=whole_number("frequency_draws", frequency_draws, minimum=1),
            seed=whole_number("seed", seed, minimum=0),
            percentiles=percentile_values,
            max_snap_distance=max_snap_distance,
            access=None
            if access is None
            else access_leg(
                network, access, max_access_time=max_access_time, speeds=speeds,
                bike_parking_only=bike_parking_only, park_and_ride=park_and_ride,
            ),
        )  # fmt: skip
    return Routing(
        mode=mode, max_time=max_time, percentiles=percentile_values, speeds=speeds,
        max_snap_distance=max_snap_distance, transit=query,
        arrival=None if deadline is None else pd.Timestamp(deadline),
    )  # fmt: skip


def _combined(mode: str, access_mode) -> str:
    """The mode's full name: ``"bike+transit"`` for ``mode="transit", access_mode="bike"``.

    A street mode keeps its name: ``access_mode`` is then ignored, with the other public
    transport options (a call over several modes passes it to each).
    """
    if access_mode == "walk" or access_mode is None:
        return mode
    if access_mode not in ACCESS_MODES:
        raise InvalidParameterError(
            f"access_mode must be one of {', '.join(ACCESS_MODES)}, got {access_mode!r}"
        )
    if mode == "transit":
        return combined_mode(access_mode)
    named = split_mode(mode)[1]
    if named is not None and named != access_mode:
        raise InvalidParameterError(
            f"mode={mode!r} already names its access mode; access_mode={access_mode!r} contradicts it"
        )
    return mode


def travel_time_blocks(
    network: Network,
    origins: Points,
    destinations: Points,
    routing: Routing,
    *,
    columns: slice | None = None,
    progress: bool | None = None,
) -> Iterator[Block]:
    """Yield a :class:`Block` per chunk of origins (of destinations, for transit arrivals).

    Blocks are independent, so a caller can aggregate them as they come (accessibility) or
    place them (matrices), and a scheduler could run them anywhere. ``columns`` limits
    transit arrivals, searched per destination, to those destinations (see
    :func:`~reachable.routing.transit.arrival_blocks`).
    """
    everything = slice(0, len(destinations))
    query = routing.transit
    if routing.by_destinations:
        blocks = arrival_blocks(network, origins, destinations, query, columns=columns, progress=progress)
        for searched, lead in blocks:
            yield Block(
                slice(0, len(origins)), searched, unreached_as_inf(percentile_values(lead, query.percentiles))
            )
        return
    if query is not None:
        for rows, block, _ in transit_blocks(network, origins, destinations, query, progress=progress):
            yield Block(rows, everything, unreached_as_inf(block))
        return
    mode = routing.mode
    weight, origin_costs, destination_costs, same = _on_streets(network, origins, destinations, routing)
    n_percentiles = len(routing.percentiles)
    with progress_bar(len(origins), f"{mode} travel times", progress, unit="origin") as bar:
        chunk = origins_per_chunk(len(destinations))
        for start in range(0, len(origins), chunk):
            rows = slice(start, min(start + chunk, len(origins)))
            seconds = street_block(
                network, mode, weight, origin_costs[rows], destination_costs, routing.max_time
            )
            seconds[_pairs_in(same, rows)] = 0.0
            bar.update(rows.stop - rows.start)
            # Street times do not change over a window: every percentile is the same, a view.
            every_percentile = np.broadcast_to(seconds[:, :, None], (*seconds.shape, n_percentiles))
            yield Block(rows, everything, every_percentile)


def street_opportunity_sums(
    network: Network,
    origins: Points,
    destinations: Points,
    counts: np.ndarray,
    routing: Routing,
    limits: Sequence[int],
    *,
    progress: bool | None = None,
) -> np.ndarray:
    """Opportunities within each of ``limits`` (whole seconds) by a street mode: (limit, origin, column).

    The sums of the blocks of :func:`travel_time_blocks`, to the last bit, from searches that
    add up what they reach instead of writing origin x destination blocks (128 MB a chunk
    to a region's cells, for the few hundred places a walk reaches). The search goes as far
    as the largest limit: the blocks of a ``max_time`` that is the largest cutoff.
    """
    weight, origin_costs, destination_costs, same = _on_streets(network, origins, destinations, routing)
    total = np.zeros((len(limits), len(origins), counts.shape[1]))
    with progress_bar(len(origins), f"{routing.mode} accessibility", progress, unit="origin") as bar:
        for first in range(0, len(origins), ORIGINS_PER_CHUNK):
            rows = slice(first, min(first + ORIGINS_PER_CHUNK, len(origins)))
            total[:, rows] = street_opportunities(
                network, routing.mode, weight, origin_costs[rows], destination_costs, counts, limits=limits,
                same=_pairs_in(same, rows),
            )  # fmt: skip
            bar.update(rows.stop - rows.start)
    return total


def _on_streets(network: Network, origins: Points, destinations: Points, routing: Routing):
    """A street mode's arc weights, its snapped origins and destinations, and the pairs at one place."""
    weight, snap = routing.streets(network)
    origin_costs = snap(origins, "origins")
    destination_costs = origin_costs if destinations is origins else snap(destinations, "destinations")
    return weight, origin_costs, destination_costs, coincident(origins, destinations)


def _pairs_in(pairs: tuple[np.ndarray, np.ndarray], rows: slice) -> tuple[np.ndarray, np.ndarray]:
    """The (row, column) ``pairs`` of the origins in ``rows``, rows counted from the slice's start."""
    row, column = pairs
    here = (row >= rows.start) & (row < rows.stop)
    return row[here] - rows.start, column[here]


def street_block(network: Network, mode: str, weight, origins, destinations, max_time: float) -> np.ndarray:
    """Whole seconds on the streets from snapped ``origins`` to ``destinations``.

    ``inf`` beyond ``max_time`` minutes; places that coincide are the caller's.
    """
    seconds = street_seconds(network, mode, weight, origins, destinations, search_limit(max_time))
    whole_seconds(seconds, out=seconds)
    seconds[seconds > last_second(max_time)] = np.inf
    return seconds


def unreached_as_inf(seconds: np.ndarray) -> np.ndarray:
    """Seconds as float64, with the kernels' ``UNREACHED`` as ``inf``."""
    return np.where(seconds >= UNREACHED, np.inf, seconds)


def _add_times(frame: pd.DataFrame, routing: Routing, lead, duration) -> None:
    """Insert the ``departure`` and ``arrival`` Timestamps of arrive-by trips before the times."""
    suffixes = [""] if len(routing.percentiles) == 1 else [f"_p{p:g}" for p in routing.percentiles]
    at = list(frame.columns).index(f"travel_time{suffixes[0]}")
    deadline = routing.arrival.to_datetime64()  # in the Timestamp's own unit, as pandas keeps it
    unit = np.datetime_data(deadline.dtype)[0]
    per_second = np.timedelta64(1, "s") // np.timedelta64(1, unit)
    for j, suffix in enumerate(suffixes):
        # Straight from int64 counts: Timedelta arithmetic took as long as the search at scale.
        ahead, took = lead[:, :, j].ravel(), duration[:, :, j].ravel()
        reached = np.isfinite(ahead)
        leave = deadline.astype(np.int64) - np.where(reached, ahead, 0).astype(np.int64) * per_second
        arrive = leave + np.where(reached, took, 0).astype(np.int64) * per_second
        for name, counts in ((f"departure{suffix}", leave), (f"arrival{suffix}", arrive)):
            times = counts.view(deadline.dtype)
            times[~reached] = np.datetime64("NaT")
            frame.insert(at, name, times)
            at += 1


def _id_columns(origins: Points, destinations: Points) -> dict[str, pd.Series]:
    """``from_id`` and ``to_id`` of every pair, origin by origin: the long frame's first columns."""
    n_o, n_d = len(origins), len(destinations)
    return {
        # The arrays' own take: about half the time of Series.take on string ids.
        "from_id": pd.Series(origins.ids.array.take(np.repeat(np.arange(n_o), n_d))),
        "to_id": pd.Series(destinations.ids.array.take(np.tile(np.arange(n_d), n_o))),
    }


def _tidy(
    origins: Points, destinations: Points, seconds: np.ndarray, percentiles: np.ndarray, *, ids=None
) -> pd.DataFrame:
    """The long frame ``from_id, to_id, travel_time[_p{p}]`` (minutes, from whole seconds).

    ``ids`` are the first two columns when already made (:func:`_id_columns`).
    """
    minutes = seconds / 60.0
    minutes[np.isinf(minutes)] = np.nan
    n_p = seconds.shape[2]
    columns = dict(_id_columns(origins, destinations) if ids is None else ids)
    if n_p == 1:
        columns["travel_time"] = minutes[:, :, 0].ravel()
    else:
        for j, p in enumerate(percentiles):
            columns[f"travel_time_p{p:g}"] = minutes[:, :, j].ravel()
    return pd.DataFrame(columns)
