"""``frequencies.txt``: service that runs every so many seconds rather than at set times.

:func:`check_frequencies` reads a feed's windows (start, end, headway). The reader expands
windows with ``exact_times=1`` into trips; it keeps the others (``exact_times=0``) as a
template trip plus windows, because when the buses actually leave within a headway is
unknown: the router draws a phase per window and calls :func:`expand_frequencies` to get
ordinary scheduled trips.
"""

from __future__ import annotations

import dataclasses
import re

import numpy as np
import pandas as pd

from ..errors import InvalidParameterError
from .files import Problems, column_or_empty, parse_integers, parse_times
from .routes import Trips
from .timetable import Timetable

__all__ = ["expand_frequencies"]

DAY = 86_400
"""Seconds in a day."""

PREVIOUS_DAY_SUFFIX = "@previous-day"
"""Appended to the id of a trip of the day before the first service day."""

_DAY_SUFFIX = re.compile(rf"(?:{re.escape(PREVIOUS_DAY_SUFFIX)}|@\d{{4}}-\d{{2}}-\d{{2}})$")
"""The service day closing a trip id: ``"@previous-day"``, or ``"@YYYY-MM-DD"`` on several days."""

FREQUENCIES_COLUMNS = ("trip_id", "start_time", "end_time", "headway_secs")
"""Required columns of ``frequencies.txt``."""


@dataclasses.dataclass
class FrequencyWindows:
    """Usable rows of ``frequencies.txt``, sorted by (trip, start).

    Attributes
    ----------
    trip : ndarray of int64
        Index into the trips.
    start, end, headway : ndarray of int64
        Seconds.
    exact : ndarray of bool
        ``exact_times`` is 1.
    """

    trip: np.ndarray
    start: np.ndarray
    end: np.ndarray
    headway: np.ndarray
    exact: np.ndarray


def check_frequencies(frame: pd.DataFrame, name: str, trips: Trips, problems: Problems) -> FrequencyWindows:
    """The usable windows of ``frequencies.txt`` of feed ``name``.

    ``frame`` has no rows when the feed lacks the file. Reports unknown trips, missing or
    malformed times, windows that end before they start, bad ``headway_secs`` and
    ``exact_times``, and windows of one trip that overlap.
    """
    where = f"{name}/frequencies.txt"
    trip_ids = column_or_empty(frame, "trip_id")
    trip = trips.index.get_indexer(trip_ids)
    problems.bad_values(where, "trip_id", trip_ids, trip < 0, "in trips.txt")
    unusable = trip < 0
    times = {}
    for column in ("start_time", "end_time"):
        raw = column_or_empty(frame, column)
        times[column], _ = parse_times(raw)
        bad = times[column] < 0  # empty or malformed: both required
        problems.bad_values(where, column, raw, bad, "HH:MM:SS")
        unusable |= bad
    start, end = times["start_time"], times["end_time"]
    raw_start, raw_end = column_or_empty(frame, "start_time"), column_or_empty(frame, "end_time")
    backwards = (start >= 0) & (end >= 0) & (end <= start)
    problems.rows(
        where,
        np.flatnonzero(backwards),
        lambda i: f"end_time {raw_end.iloc[i]!r} is not after start_time {raw_start.iloc[i]!r}",
    )
    raw_headway = column_or_empty(frame, "headway_secs")
    headway, bad_headway = parse_integers(raw_headway)
    bad_headway |= headway <= 0
    problems.bad_values(where, "headway_secs", raw_headway, bad_headway, "a positive whole number of seconds")
    raw_exact = column_or_empty(frame, "exact_times")
    exact, bad_exact = parse_integers(raw_exact, default=0)
    bad_exact |= ~np.isin(exact, [0, 1])
    problems.bad_values(where, "exact_times", raw_exact, bad_exact, "0 or 1")
    good = np.flatnonzero(~(unusable | backwards | bad_headway | bad_exact))

    # Overlapping windows of one trip would run it twice at once, and give two runs one id.
    order = good[np.lexsort((start[good], trip[good]))]
    overlap = np.zeros(len(order), dtype=bool)
    overlap[1:] = (trip[order][1:] == trip[order][:-1]) & (start[order][1:] < end[order][:-1])
    problems.rows(
        where,
        order[overlap],
        lambda i: (
            f"the window of trip {trip_ids.iloc[i]!r} from {raw_start.iloc[i]!r} overlaps "
            "an earlier window of the same trip"
        ),
    )
    return FrequencyWindows(
        trip=trip[order], start=start[order], end=end[order], headway=headway[order], exact=exact[order] == 1
    )


def segment_rows(offsets: np.ndarray, segments: np.ndarray) -> np.ndarray:
    """Row indices of ``segments`` laid end to end, where segment ``s`` is ``offsets[s]:offsets[s + 1]``.

    Parameters
    ----------
    offsets : ndarray of int64, shape (n_segments + 1,)
    segments : ndarray of int64, shape (n,)
        Segments to gather, in output order; a segment may appear several times.

    Returns
    -------
    ndarray of int64
        Concatenated row indices.
    """
    starts = offsets[segments]
    lengths = offsets[segments + 1] - starts
    ends = np.cumsum(lengths)
    # Each output row is its segment's start plus its rank inside the segment.
    return np.repeat(starts - (ends - lengths), lengths) + np.arange(ends[-1] if len(ends) else 0)


def run_second(start: np.ndarray, day_suffix: np.ndarray) -> np.ndarray:
    """The second that names a run in its id.

    Parameters
    ----------
    start : ndarray of int64
        The run's first departure on the timeline (seconds since midnight of the first day).
    day_suffix : ndarray of str
        The service day suffix of its trip id (``""`` on a one-day timetable).

    Returns
    -------
    ndarray of int64
        ``start``, except on a trip of the day before the first day, whose runs count in
        that day's clock (``+86400`` s) so that the number is never negative.
    """
    return np.where(day_suffix == PREVIOUS_DAY_SUFFIX, start + DAY, start)


def expanded_trip_id(trip_id: np.ndarray, start: np.ndarray) -> np.ndarray:
    """Id of the run of ``trip_id`` that starts at ``start`` (seconds on the timeline).

    ``"<trip>#<second>"`` with the second of :func:`run_second`, the service day suffix
    (``"@previous-day"``, ``"@YYYY-MM-DD"``) staying last, as the reader names the runs it
    expands, so ids do not depend on whether the reader or the router expanded the run.
    """
    trip_id = np.asarray(trip_id, dtype=str)
    start = np.asarray(start, dtype=np.int64)
    # Runs repeat a few templates: look for the suffix once per template.
    templates, template = np.unique(trip_id, return_inverse=True)
    suffixes = [match.group() if (match := _DAY_SUFFIX.search(t)) else "" for t in templates.tolist()]
    suffix = np.asarray(suffixes, dtype=str)[template]
    base = np.asarray([t[: len(t) - len(x)] for t, x in zip(templates.tolist(), suffixes, strict=True)])
    ids = np.char.add(np.char.add(base.astype(str)[template], "#"), run_second(start, suffix).astype(str))
    return np.char.add(ids, suffix).astype(str)


def expand_frequencies(timetable: Timetable, phase: np.ndarray) -> Timetable:
    """Replace every frequency window by the scheduled trips it runs for a given phase.

    Parameters
    ----------
    timetable : Timetable
    phase : array-like of int, shape (n_frequencies,)
        Seconds after each window's ``frequency_start`` at which its first run leaves, in
        ``[0, frequency_headway)``.

    Returns
    -------
    Timetable
        Runs leave at ``start + phase + k * headway`` (seconds) for every ``k >= 0`` with
        that time before ``end``; each is a copy of its template trip shifted so that its
        first departure is that time, with id ``"<template>#<start second>"``. Template
        trips (``scheduled`` False) are dropped and the ``frequency_*`` arrays are empty;
        scheduled trips keep their order and the runs follow, window by window, in time
        order. Stops, routes, transfers and feeds are unchanged.

    Raises
    ------
    InvalidParameterError
        ``phase`` has the wrong length, is not integer, or is outside ``[0, headway)``.
    """
    phase = np.asarray(phase)
    n_windows = len(timetable.frequency_trip)
    if phase.shape != (n_windows,):
        raise InvalidParameterError(
            f"phase must have shape ({n_windows},), one per frequency window, not {phase.shape}"
        )
    if n_windows and not np.issubdtype(phase.dtype, np.integer):
        raise InvalidParameterError(f"phase must hold whole seconds (integers), not {phase.dtype}")
    phase = phase.astype(np.int64)
    headway = timetable.frequency_headway
    if np.any((phase < 0) | (phase >= headway)):
        raise InvalidParameterError("phase must be in [0, headway) seconds for every frequency window")

    span = timetable.frequency_end - timetable.frequency_start - phase
    n_runs = np.maximum(-(-span // headway), 0)  # ceil: runs k with start + phase + k * headway < end
    window = np.repeat(np.arange(n_windows), n_runs)
    first_run = np.cumsum(n_runs) - n_runs
    k = np.arange(len(window)) - np.repeat(first_run, n_runs)
    run_start = timetable.frequency_start[window] + phase[window] + k * headway[window]
    template = timetable.frequency_trip[window]

    offsets = timetable.trip_offsets
    kept = np.flatnonzero(timetable.scheduled)
    trips = np.concatenate([kept, template]).astype(np.int64)
    shift = np.concatenate(
        [np.zeros(len(kept), np.int64), run_start - timetable.stop_time_departure[offsets[template]]]
    )
    rows = segment_rows(offsets, trips)
    lengths = offsets[trips + 1] - offsets[trips]
    row_shift = np.repeat(shift, lengths)

    trip_id = np.concatenate(
        [timetable.trip_id[kept].astype(str), expanded_trip_id(timetable.trip_id[template], run_start)]
    )
    empty = np.zeros(0, np.int64)
    return dataclasses.replace(
        timetable,
        trip_id=trip_id.astype(str),
        trip_route=timetable.trip_route[trips],
        trip_shape=timetable.trip_shape[trips],
        trip_offsets=np.concatenate([[0], np.cumsum(lengths)]).astype(np.int64),
        stop_time_stop=timetable.stop_time_stop[rows],
        stop_time_arrival=timetable.stop_time_arrival[rows] + row_shift,
        stop_time_departure=timetable.stop_time_departure[rows] + row_shift,
        frequency_trip=empty,
        frequency_start=empty.copy(),
        frequency_end=empty.copy(),
        frequency_headway=empty.copy(),
        scheduled=np.ones(len(trips), dtype=bool),
    )
