"""The timetable of one or several service days: every trip that runs, as flat arrays.

This is what the GTFS reader produces and what the transit network is built from. All
feeds are merged; every GTFS id is namespaced by its feed (``"eptc:1511"``) so two feeds
may both have a stop ``S1``. Times are seconds since midnight of the query date (the first
one, with several: one timeline runs across them, each later date shifted by 24 h per day);
trips of the day before a date that run past midnight appear shifted by -24 h from it.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np


@dataclass(frozen=True)
class Timetable:
    """Trips of one or several service days, on one timeline.

    Attributes
    ----------
    stop_id : ndarray of str, shape (n_stops,)
        Namespaced stop ids (``"<feed>:<stop_id>"``); locations only (``location_type`` 0 or
        empty), stations are in ``stop_parent``.
    stop_name : ndarray of str, shape (n_stops,)
    stop_lon, stop_lat : ndarray of float64, shape (n_stops,)
        WGS84 degrees.
    stop_parent : ndarray of str, shape (n_stops,)
        Namespaced ``parent_station``, or ``""``.
    route_id, route_short_name, route_long_name : ndarray of str, shape (n_routes,)
        Namespaced GTFS route ids and their names.
    route_type : ndarray of int64, shape (n_routes,)
        GTFS ``route_type`` (3 bus, 2 rail, 1 metro, ...), kept for reporting.
    trip_id : ndarray of str, shape (n_trips,)
        Namespaced trip ids; a trip expanded from ``frequencies.txt`` gets ``"#<start
        second>"`` appended (see :func:`~reachable.gtfs.frequencies.run_second`), then a trip
        of the day before the first date gets ``"@previous-day"``, and on several dates
        every other trip its day, ``"@YYYY-MM-DD"``.
    trip_route : ndarray of int64, shape (n_trips,)
        Index into the route arrays.
    trip_shape : ndarray of str, shape (n_trips,)
        Namespaced ``shape_id`` or ``""``.
    trip_offsets : ndarray of int64, shape (n_trips + 1,)
        Trip ``t`` calls at stop-time rows ``trip_offsets[t]:trip_offsets[t + 1]``, in
        ``stop_sequence`` order.
    stop_time_stop : ndarray of int64, shape (n_stop_times,)
        Index into the stop arrays.
    stop_time_arrival, stop_time_departure : ndarray of int64, shape (n_stop_times,)
        Seconds since midnight of the (first) query date, every empty time interpolated.
    frequency_trip : ndarray of int64, shape (n_frequencies,)
        For frequency-based service (``exact_times=0`` or absent): the template trip, whose
        stop times hold the first run; template trips are not in ``scheduled``.
    frequency_start, frequency_end, frequency_headway : ndarray of int64, shape (n_frequencies,)
        Seconds (``start`` and ``end`` on the timeline, as stop times): runs start every
        ``headway`` from ``start`` while before ``end``, at a phase the router draws at
        random.
    scheduled : ndarray of bool, shape (n_trips,)
        False for frequency templates, True for trips that run at their stop times.
    transfer_from, transfer_to : ndarray of int64, shape (n_transfers,)
        Stop indices of ``transfers.txt`` rows with a ``min_transfer_time``.
    transfer_min_time : ndarray of int64, shape (n_transfers,)
        Seconds.
    feeds : tuple of dict
        One dict per feed: ``name``, ``path``, ``start_date``, ``end_date`` (ISO strings:
        the dates its calendars cover).
    """

    stop_id: np.ndarray
    stop_name: np.ndarray
    stop_lon: np.ndarray
    stop_lat: np.ndarray
    stop_parent: np.ndarray
    route_id: np.ndarray
    route_short_name: np.ndarray
    route_long_name: np.ndarray
    route_type: np.ndarray
    trip_id: np.ndarray
    trip_route: np.ndarray
    trip_shape: np.ndarray
    trip_offsets: np.ndarray
    stop_time_stop: np.ndarray
    stop_time_arrival: np.ndarray
    stop_time_departure: np.ndarray
    frequency_trip: np.ndarray
    frequency_start: np.ndarray
    frequency_end: np.ndarray
    frequency_headway: np.ndarray
    scheduled: np.ndarray
    transfer_from: np.ndarray
    transfer_to: np.ndarray
    transfer_min_time: np.ndarray
    feeds: tuple[dict, ...]

    @property
    def n_stops(self) -> int:
        """Number of stops."""
        return len(self.stop_id)

    @property
    def n_trips(self) -> int:
        """Number of trips, frequency templates included."""
        return len(self.trip_id)
