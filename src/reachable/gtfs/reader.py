"""Read GTFS feeds into the :class:`~reachable.gtfs.timetable.Timetable` of one or several service days.

Every feed is checked completely before anything is built: all problems of all feeds
(missing files and columns, malformed times and dates, rows pointing at unknown ids,
trips running backwards, ...) are collected and raised together as one
:class:`~reachable.errors.GTFSError` whose ``problems`` name file and line, so a broken
feed is fixed in one pass.

Conventions of the result:

* ids are namespaced ``"<feed>:<id>"``; a feed is named by its dict key or its file stem;
* times are seconds since midnight of the query date, the first one when there are several:
  the trips of a later date are shifted by 24 h per day, and, on several dates, their ids end
  with ``"@YYYY-MM-DD"``; a trip past 24:00 stays with the day that started it;
* trips of the day before a date that run past midnight are included too, unless that day
  is a query date itself: shifted by -24 h from the date, id suffix ``"@previous-day"`` for
  the day before the first date, ``"@YYYY-MM-DD"`` for a day between two dates;
* empty (non-timepoint) times are interpolated by distance along the trip;
* stops keep the order of the feeds and then of ``stops.txt``; routes that of
  ``routes.txt``; trips are ordered by feed, then by day (each query date, then the day
  before it when included), then ``trips.txt`` order, then start time (runs expanded from
  one ``frequencies.txt`` trip);
* frequency windows with ``exact_times=1`` become scheduled trips; the others stay as
  template trips for :func:`~reachable.gtfs.frequencies.expand_frequencies`.
"""

from __future__ import annotations

import datetime as dt
import logging
import time
import warnings

import numpy as np

from ..errors import DataFileNotFoundError, ReachableWarning
from ..timeline import service_days
from .feed import FeedPart, read_feed
from .files import FeedsArgument, Problems, feed_names
from .timetable import Timetable

__all__ = ["read_gtfs"]

logger = logging.getLogger("reachable")


_INDEX_FIELDS = {
    "trip_route": "route_id",
    "stop_time_stop": "stop_id",
    "transfer_from": "stop_id",
    "transfer_to": "stop_id",
    "frequency_trip": "trip_id",
}


def _concatenate(timetables: list[Timetable]) -> Timetable:
    """Merge the feeds' timetables; indices move by the sizes of the earlier feeds' arrays."""
    sizes = {
        "stop_id": [len(timetable.stop_id) for timetable in timetables],
        "route_id": [len(timetable.route_id) for timetable in timetables],
        "trip_id": [len(timetable.trip_id) for timetable in timetables],
    }
    merged = {}
    for name, kind in _KINDS.items():
        arrays = [getattr(timetable, name) for timetable in timetables]
        if name in _INDEX_FIELDS:
            bases = np.cumsum([0, *sizes[_INDEX_FIELDS[name]]])[:-1]
            arrays = [array + base for array, base in zip(arrays, bases, strict=True)]
        elif name == "trip_offsets":
            row_bases = np.cumsum([0, *[len(timetable.stop_time_stop) for timetable in timetables]])[:-1]
            arrays = [np.zeros(1, np.int64)] + [
                timetable.trip_offsets[1:] + base
                for timetable, base in zip(timetables, row_bases, strict=True)
            ]
        merged[name] = np.concatenate(arrays).astype(kind, copy=False) if arrays else np.zeros(0, dtype=kind)
    feeds = tuple(feed for timetable in timetables for feed in timetable.feeds)
    return Timetable(**merged, feeds=feeds)


_KINDS = {
    "stop_id": str,
    "stop_name": str,
    "stop_lon": np.float64,
    "stop_lat": np.float64,
    "stop_parent": str,
    "route_id": str,
    "route_short_name": str,
    "route_long_name": str,
    "route_type": np.int64,
    "trip_id": str,
    "trip_route": np.int64,
    "trip_shape": str,
    "trip_offsets": np.int64,
    "stop_time_stop": np.int64,
    "stop_time_arrival": np.int64,
    "stop_time_departure": np.int64,
    "frequency_trip": np.int64,
    "frequency_start": np.int64,
    "frequency_end": np.int64,
    "frequency_headway": np.int64,
    "scheduled": bool,
    "transfer_from": np.int64,
    "transfer_to": np.int64,
    "transfer_min_time": np.int64,
}


def _warn_idle(parts: list[FeedPart], days: tuple[dt.date, ...]) -> None:
    """Warn about feeds that schedule no trip on some of ``days``, once per set of such days."""
    idle: dict[str, list[dict]] = {}
    for part in parts:
        missing = [day.isoformat() for day, n in zip(days, part.n_per_day, strict=True) if n == 0]
        if missing:
            idle.setdefault(", ".join(missing), []).extend(part.timetable.feeds)
    for missing, infos in idle.items():
        ranges = "; ".join(
            f"{info['name']} (its calendars cover {info['start_date']} to {info['end_date']})"
            if info["start_date"]
            else f"{info['name']} (its calendars cover no date)"
            for info in infos
        )
        warnings.warn(
            f"no service is scheduled on {missing} in GTFS feed(s): {ranges}", ReachableWarning, stacklevel=3
        )


def read_gtfs(
    feeds: FeedsArgument, date: dt.date | dt.datetime | str | list[dt.date | dt.datetime | str]
) -> Timetable:
    """Read GTFS feeds into the timetable of one or several service days.

    Parameters
    ----------
    feeds : str, Path, list of them, or dict {name: path}
        GTFS zip archives or folders. A feed's name namespaces its ids (``"<name>:<id>"``);
        by default it is the file stem (``poa_eptc.zip`` -> ``poa_eptc``), with ``_2``,
        ``_3``, ... appended to repeated stems.
    date : datetime.date, datetime.datetime or str, or a list, tuple or set of them
        The service day, ``"YYYY-MM-DD"`` for a string (a datetime's time is ignored), or
        several days; they are sorted and each is read once.

    Returns
    -------
    Timetable
        Trips running on each date per ``calendar.txt`` and ``calendar_dates.txt``, plus the
        trips of the day before a date that are still running after midnight, when that day
        is not a date itself (ids suffixed ``"@previous-day"`` before the first date). Times
        are seconds since midnight of the first date: a date's trips are shifted by 86400 s
        per day after it, a day before by 86400 s less; a trip past 24:00 keeps the day that
        started it. With several dates every trip id ends with its day
        (``"@YYYY-MM-DD"``, or ``"@previous-day"``). Empty times are interpolated linearly
        in distance (``shape_dist_traveled``, else the position along the trip's shape,
        else great-circle legs between stops). ``frequencies.txt`` windows, per day and
        shifted with it: those with ``exact_times=1`` are expanded into trips (ids suffixed
        ``"#<start second>"``, see :func:`~reachable.gtfs.frequencies.run_second`); the
        others keep their template trip, shifted to the start of its first window, with
        ``scheduled`` False. ``transfers.txt`` rows of ``transfer_type`` 2 with a
        ``min_transfer_time`` give the transfers (a station stands for each of its stops).
        Trips are ordered by feed, then by day (each date, then the day before it when
        included), then ``trips.txt`` order, then start time.

    Raises
    ------
    DataFileNotFoundError
        A feed path does not exist (raised before anything is read).
    GTFSError
        Any feed is unreadable or has broken rows; ``problems`` lists them all (up to
        50, then a count) with file and line.
    InvalidParameterError
        ``date`` or ``feeds`` is not of an accepted form, or ``date`` is an empty list.

    Warns
    -----
    ReachableWarning
        A feed schedules no trip on some of the dates (trips of the day before may still
        run past midnight); the message names those dates and the dates its calendars cover.
    """
    days = service_days(date)
    listed = ", ".join(day.isoformat() for day in days)
    named = feed_names(feeds)
    for name, path in named:
        if not path.exists():
            raise DataFileNotFoundError(f"GTFS feed {name!r} not found: {path}")

    started = time.perf_counter()
    problems = Problems()
    parts = []
    for name, path in named:
        part = read_feed(name, path, days, problems)
        if part is not None:
            parts.append(part)
            logger.info(
                "%s: %d stops, %d trips on %s (%d of them from the previous day), %d stop times",
                name,
                part.timetable.n_stops,
                part.timetable.n_trips,
                listed,
                part.n_previous_day,
                len(part.timetable.stop_time_stop),
            )
    if problems.count:
        raise problems.error()

    _warn_idle(parts, days)
    timetable = _concatenate([part.timetable for part in parts])
    logger.info(
        "read %d GTFS feed(s) for %s in %.2f s: %d stops, %d trips, %d stop times",
        len(parts),
        listed,
        time.perf_counter() - started,
        timetable.n_stops,
        timetable.n_trips,
        len(timetable.stop_time_stop),
    )
    return timetable
