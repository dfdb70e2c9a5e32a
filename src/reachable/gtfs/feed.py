"""One GTFS feed's share of the timetable: check its files, then build its trips of the days.

The trips of the service days are those whose service runs on one of them, plus those of
the day before a day that still run after midnight (see :mod:`reachable.gtfs.days`);
frequency windows with ``exact_times=1`` become trips, the others stay template trips (see
:mod:`reachable.gtfs.frequencies`).
"""

from __future__ import annotations

import dataclasses
import datetime as dt
from collections.abc import Sequence
from pathlib import Path

import numpy as np
import pandas as pd

from .calendar import CALENDAR_COLUMNS, CALENDAR_DATES_COLUMNS, check_calendars
from .days import TimelineDay, timeline_days
from .files import FeedFiles, Problems, namespaced, namespaced_or_empty
from .frequencies import (
    DAY,
    FREQUENCIES_COLUMNS,
    FrequencyWindows,
    check_frequencies,
    run_second,
    segment_rows,
)
from .interpolation import fill_empty_times
from .routes import ROUTES_COLUMNS, TRIPS_COLUMNS, Routes, Trips, check_routes, check_trips
from .stop_times import STOP_TIMES_COLUMNS, StopTimes, check_stop_times
from .stops import STOPS_COLUMNS, Stops, check_stops
from .timetable import Timetable
from .transfers import TRANSFERS_COLUMNS, Transfers, check_transfers

__all__ = ["FeedPart", "read_feed"]


@dataclasses.dataclass(frozen=True)
class FeedPart:
    """One feed's share of the timetable.

    Attributes
    ----------
    timetable : Timetable
        The feed's trips of the days, with indices local to the feed; ``feeds`` holds its
        own entry only.
    n_per_day : tuple of int
        How many of the trips are of each service day, in date order.
    n_previous_day : int
        How many are of a day before a service day, still running after midnight.
    """

    timetable: Timetable
    n_per_day: tuple[int, ...]
    n_previous_day: int


def _runs(
    trips: np.ndarray,
    first_departure: np.ndarray,
    last_departure: np.ndarray,
    frequencies: FrequencyWindows,
    day: TimelineDay,
    rank: int,
) -> dict[str, np.ndarray]:
    """The trips one day contributes: plain trips, expanded exact-time runs, templates.

    ``trips`` are segment numbers of the day's trips; the departures are per segment, in
    the day's own clock; times move by ``day.shift`` onto the timeline; of a ``partial``
    day, trips are kept only when some departure is at or after midnight.
    """
    shift, partial = day.shift, day.partial
    has_window = np.zeros(len(first_departure), dtype=bool)
    has_window[frequencies.trip] = True
    in_day = np.zeros(len(first_departure), dtype=bool)
    in_day[trips] = True

    plain = trips[~has_window[trips]]
    if partial:
        plain = plain[last_departure[plain] >= DAY]
    runs = {
        "segment": [plain],
        "shift": [np.full(len(plain), shift, dtype=np.int64)],
        "start": [first_departure[plain]],
        "run": [np.full(len(plain), -1, dtype=np.int64)],  # start second in the id, -1 for none
        "scheduled": [np.ones(len(plain), dtype=bool)],
    }

    windows = in_day[frequencies.trip]
    exact = windows & frequencies.exact
    n_runs = -(-(frequencies.end[exact] - frequencies.start[exact]) // frequencies.headway[exact])
    window = np.repeat(np.flatnonzero(exact), n_runs)
    k = np.arange(len(window)) - np.repeat(np.cumsum(n_runs) - n_runs, n_runs)
    start = frequencies.start[window] + k * frequencies.headway[window]
    segment = frequencies.trip[window]
    offset = start - first_departure[segment]
    if partial:
        keep = last_departure[segment] + offset >= DAY
        segment, start, offset = segment[keep], start[keep], offset[keep]
    runs["segment"].append(segment)
    runs["shift"].append(offset + shift)
    runs["start"].append(start)
    runs["run"].append(start)
    runs["scheduled"].append(np.ones(len(segment), dtype=bool))

    inexact = np.flatnonzero(windows & ~frequencies.exact)
    segment = frequencies.trip[inexact]
    if partial:
        # Runs leave at some unknown phase before end_time: keep windows one of whose runs may pass midnight.
        duration = last_departure[segment] - first_departure[segment]
        keep = frequencies.end[inexact] - 1 + duration >= DAY
        inexact, segment = inexact[keep], segment[keep]
    # Windows are sorted by (trip, start): a template starts at its first window.
    template_segment, first_window = np.unique(segment, return_index=True)
    template_start = frequencies.start[inexact[first_window]]
    runs["segment"].append(template_segment)
    runs["shift"].append(template_start - first_departure[template_segment] + shift)
    runs["start"].append(template_start)
    runs["run"].append(np.full(len(template_segment), -1, dtype=np.int64))
    runs["scheduled"].append(np.zeros(len(template_segment), dtype=bool))

    result = {key: np.concatenate(value) for key, value in runs.items()}
    result["rank"] = np.full(len(result["segment"]), rank, dtype=np.int64)
    result["window_template"] = (
        np.searchsorted(template_segment, segment) + len(result["segment"]) - len(template_segment)
    )
    result["window_start"] = frequencies.start[inexact] + shift
    result["window_end"] = frequencies.end[inexact] + shift
    result["window_headway"] = frequencies.headway[inexact]
    return result


def _build_part(
    name: str,
    info: dict,
    files: FeedFiles,
    stops: Stops,
    routes: Routes,
    trips: Trips,
    stop_times: StopTimes,
    days: tuple[TimelineDay, ...],
    services: list[np.ndarray],
    frequencies: FrequencyWindows,
    transfers: Transfers,
) -> FeedPart:
    """The feed's timetable: the trips of ``days``, whose services are ``services``."""
    service = pd.Index(trips.service)
    runs_on = [service.isin(day_services) for day_services in services]

    # Interpolate once per trip, for trips of any day.
    wanted = np.logical_or.reduce(runs_on)[stop_times.trip]
    trip = stop_times.trip[wanted]
    stop = stop_times.stop[wanted]
    arrival = stop_times.arrival[wanted].copy()
    departure = stop_times.departure[wanted].copy()
    new_trip = np.ones(len(trip), dtype=bool)
    new_trip[1:] = trip[1:] != trip[:-1]
    segment_start = np.flatnonzero(new_trip)
    segment_trip = trip[segment_start]
    offsets = np.append(segment_start, len(trip)).astype(np.int64)

    shape_dist = stop_times.shape_dist[wanted] if stop_times.shape_dist is not None else None
    fill_empty_times(trip, stop, arrival, departure, new_trip, shape_dist, trips.shape, stops, files)

    segment_of_trip = np.full(len(trips.index), -1, dtype=np.int64)
    segment_of_trip[segment_trip] = np.arange(len(segment_trip))
    if len(trip):
        first_departure = departure[segment_start]
        last_departure = np.maximum.reduceat(departure, segment_start)
    else:
        first_departure = last_departure = np.zeros(0, dtype=np.int64)
    window_segment = segment_of_trip[frequencies.trip]
    frequencies = FrequencyWindows(
        trip=window_segment[window_segment >= 0],
        **{
            key: getattr(frequencies, key)[window_segment >= 0]
            for key in ("start", "end", "headway", "exact")
        },
    )

    per_day = [
        _runs(segment_of_trip[np.flatnonzero(on)], first_departure, last_departure, frequencies, day, rank)
        for rank, (day, on) in enumerate(zip(days, runs_on, strict=True))
    ]
    first_of_day = np.cumsum([0, *[len(part["segment"]) for part in per_day[:-1]]])
    run = {key: np.concatenate([part[key] for part in per_day]) for key in per_day[0]}
    run["window_template"] = np.concatenate(
        [part["window_template"] + first for part, first in zip(per_day, first_of_day, strict=True)]
    )
    order = np.lexsort((run["start"], trips.rows[segment_trip[run["segment"]]], run["rank"]))
    position = np.empty(len(order), dtype=np.int64)
    position[order] = np.arange(len(order))

    segment = run["segment"][order]
    shift = run["shift"][order]
    rows = segment_rows(offsets, segment)
    lengths = offsets[segment + 1] - offsets[segment]
    row_shift = np.repeat(shift, lengths)

    rank = run["rank"][order]
    day_suffix = np.asarray([day.suffix for day in days], dtype=str)[rank]
    # Exact-time runs are named as expand_frequencies names the runs the router draws.
    start = run["run"][order]
    second = run_second(start + np.asarray([day.shift for day in days], dtype=np.int64)[rank], day_suffix)
    suffix = np.char.add(np.where(start >= 0, np.char.add("#", second.astype(str)), ""), day_suffix)
    ids = np.char.add(namespaced(name, np.asarray(trips.index, dtype=object)[segment_trip[segment]]), suffix)

    route = trips.route[segment_trip[segment]]
    n_per_day = tuple(int((rank == r).sum()) for r, day in enumerate(days) if not day.partial)
    timetable = Timetable(
        stop_id=namespaced(name, stops.ids),
        stop_name=np.asarray(stops.names, dtype=str),
        stop_lon=stops.lon.astype(np.float64),
        stop_lat=stops.lat.astype(np.float64),
        stop_parent=namespaced_or_empty(name, stops.parent),
        route_id=namespaced(name, np.asarray(routes.index, dtype=object)),
        route_short_name=np.asarray(routes.short_name, dtype=str),
        route_long_name=np.asarray(routes.long_name, dtype=str),
        route_type=routes.route_type.astype(np.int64),
        trip_id=np.asarray(ids, dtype=str),
        trip_route=route.astype(np.int64),
        trip_shape=namespaced_or_empty(name, trips.shape[segment_trip[segment]]),
        trip_offsets=np.concatenate([[0], np.cumsum(lengths)]).astype(np.int64),
        stop_time_stop=stop[rows].astype(np.int64),
        stop_time_arrival=arrival[rows] + row_shift,
        stop_time_departure=departure[rows] + row_shift,
        frequency_trip=position[run["window_template"]].astype(np.int64),
        frequency_start=run["window_start"].astype(np.int64),
        frequency_end=run["window_end"].astype(np.int64),
        frequency_headway=run["window_headway"].astype(np.int64),
        scheduled=run["scheduled"][order],
        transfer_from=transfers.from_stop,
        transfer_to=transfers.to_stop,
        transfer_min_time=transfers.min_time,
        feeds=(info,),
    )
    return FeedPart(timetable=timetable, n_per_day=n_per_day, n_previous_day=len(order) - sum(n_per_day))


def _no_rows_if_absent(frame: pd.DataFrame | None, columns: Sequence[str]) -> pd.DataFrame:
    """An optional file the feed lacks is checked as one with a header and no rows."""
    return frame if frame is not None else pd.DataFrame(columns=list(columns))


def read_feed(name: str, path: Path, dates: tuple[dt.date, ...], problems: Problems) -> FeedPart | None:
    """Check one feed, and build its part of the timetable when no feed so far had a problem.

    Parameters
    ----------
    name : str
        The feed's name, which namespaces its ids.
    path : Path
        Zip archive or folder.
    dates : tuple of datetime.date
        The service days, sorted, each once.
    problems : Problems
        Receives every problem of the feed.

    Returns
    -------
    FeedPart or None
        None when ``problems`` holds any problem, of this feed or an earlier one.
    """
    files = FeedFiles(name, path, problems)
    if not files.readable:
        return None
    try:
        stops_frame = files.read("stops.txt", STOPS_COLUMNS)
        routes_frame = files.read("routes.txt", ROUTES_COLUMNS)
        trips_frame = files.read("trips.txt", TRIPS_COLUMNS)
        stop_times_frame = files.read("stop_times.txt", STOP_TIMES_COLUMNS)
        calendar = files.read("calendar.txt", CALENDAR_COLUMNS, optional=True)
        calendar_dates = files.read("calendar_dates.txt", CALENDAR_DATES_COLUMNS, optional=True)
        if not files.has("calendar.txt") and not files.has("calendar_dates.txt"):
            problems.add(
                name, "required file is missing: calendar.txt or calendar_dates.txt (neither is present)"
            )
        frequencies_frame = files.read("frequencies.txt", FREQUENCIES_COLUMNS, optional=True)
        transfers_frame = files.read("transfers.txt", TRANSFERS_COLUMNS, optional=True)

        stops = check_stops(stops_frame, f"{name}/stops.txt", problems) if stops_frame is not None else None
        routes = (
            check_routes(routes_frame, f"{name}/routes.txt", problems) if routes_frame is not None else None
        )
        trips = (
            check_trips(trips_frame, f"{name}/trips.txt", routes, problems)
            if trips_frame is not None
            else None
        )
        calendars = check_calendars(calendar, calendar_dates, name, problems)
        stop_times = frequencies = transfers = None
        if stop_times_frame is not None and trips is not None and stops is not None:
            stop_times = check_stop_times(stop_times_frame, name, trips, stops, problems)
        if trips is not None:
            frame = _no_rows_if_absent(frequencies_frame, FREQUENCIES_COLUMNS)
            frequencies = check_frequencies(frame, name, trips, problems)
        if stops is not None:
            frame = _no_rows_if_absent(transfers_frame, TRANSFERS_COLUMNS)
            transfers = check_transfers(frame, name, stops, problems)

        if problems.count:
            return None
        info = {"name": name, "path": str(path), "start_date": calendars.start, "end_date": calendars.end}
        days = timeline_days(dates)
        return _build_part(
            name,
            info,
            files,
            stops,
            routes,
            trips,
            stop_times,
            days=days,
            services=[calendars.services_on(day.day) for day in days],
            frequencies=frequencies,
            transfers=transfers,
        )
    finally:
        files.close()
