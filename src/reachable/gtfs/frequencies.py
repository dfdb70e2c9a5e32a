"""Turn frequency-based service (``frequencies.txt`` with ``exact_times=0``) into trips.

The reader keeps such service as a template trip plus windows (start, end, headway),
because when the buses actually leave within a headway is unknown; the router draws a
phase per window and calls :func:`expand_frequencies` to get ordinary scheduled trips.
"""

from __future__ import annotations

import dataclasses

import numpy as np

from ..errors import InvalidParameterError
from .timetable import Timetable

__all__ = ["expand_frequencies"]

DAY = 86_400
"""Seconds in a day."""

PREVIOUS_DAY_SUFFIX = "@previous-day"
"""Appended to the id of a trip of the previous service day."""


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


def expanded_trip_id(trip_id: np.ndarray, start: np.ndarray) -> np.ndarray:
    """Id of the run of ``trip_id`` that starts at ``start`` (seconds since midnight of the query date).

    ``"<trip>#<start>"``; for a trip of the previous service day the start is written in
    that day's clock (``+86400``) and ``"@previous-day"`` stays last, as the reader does, so
    ids do not depend on whether the reader or the router expanded the run.
    """
    trip_id = np.asarray(trip_id, dtype=str)
    start = np.asarray(start, dtype=np.int64)
    previous = np.char.endswith(trip_id, PREVIOUS_DAY_SUFFIX)
    base = np.where(previous, np.char.replace(trip_id, PREVIOUS_DAY_SUFFIX, ""), trip_id)
    feed_start = np.where(previous, start + DAY, start)
    ids = np.char.add(np.char.add(base.astype(str), "#"), feed_start.astype(str))
    return np.where(previous, np.char.add(ids, PREVIOUS_DAY_SUFFIX), ids).astype(str)


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
