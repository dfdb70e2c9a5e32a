"""Accessibility through the day: cumulative accessibility at many departure or arrival times.

>>> import pandas as pd
>>> import reachable as rc
>>> prof = rc.accessibility_profile(
...     net, hexes, hexes, columns="jobs", mode="transit", cutoffs=45,
...     times=pd.date_range("2019-05-13 05:00", "2019-05-13 23:00", freq="30min"),
... )                                                                       # doctest: +SKIP
>>> ax = rc.plot.profile(prof, "jobs", cutoff=45)                           # doctest: +SKIP

Each origin is searched once for all the times, not once per time: by public transport, one
range RAPTOR search per origin runs over every departure (from the latest to the earliest,
keeping its labels), or one backward range search per destination over every arrival
deadline; street travel times do not depend on the time of day and are computed once.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
from collections.abc import Sequence
from typing import TYPE_CHECKING

import numpy as np
import pandas as pd

from ._checks import column_names, cutoff_minutes, names
from .accessibility import RESERVED as ACCESSIBILITY_RESERVED
from .cluster import check_client, run_both_ways
from .cutoffs import last_second
from .errors import InvalidParameterError
from .kernels import opportunities_within
from .kernels.raptor import UNREACHED
from .matrix import Routing, routing_settings, street_opportunity_sums
from .modes import is_transit
from .network.network import Network
from .points import Points, as_points, opportunity_counts, with_origin_geometry
from .routing.street import warns_once_per_point_set
from .routing.transit import (
    DESTINATIONS_PER_SUM,
    arrival_blocks,
    percentile_values,
    sum_groups,
    transit_blocks,
)
from .timeline import local_time, timeline_seconds

if TYPE_CHECKING:
    import geopandas as gpd

__all__ = ["accessibility_profile"]

BY = ("departure", "arrival")

RESERVED = (*ACCESSIBILITY_RESERVED, "time")
"""Output columns a count column may not be named after (besides ``id``)."""

_SET_BY_TIMES = {
    "departure": "times= gives the departures",
    "arrival": "times= gives the arrival deadlines, with by='arrival'",
    "time_window": "each time is one departure; add the minutes of a window to times instead",
    "max_time": "the search goes as far as the largest cutoff",
}
"""Settings of :func:`reachable.accessibility` that ``times`` and ``cutoffs`` take over here."""


def _moments(network: Network, times: str | dt.datetime | Sequence[str | dt.datetime]) -> pd.DatetimeIndex:
    """The times, checked as departures or arrivals of the network, to the second, increasing."""
    # One time on its own (a string is not a sequence of times, nor is a datetime).
    items = [times] if isinstance(times, (str, dt.date, np.datetime64)) else times
    try:
        items = list(items)
    except TypeError:
        raise InvalidParameterError(
            f"times must be a list of times, e.g. pd.date_range('2019-05-13 06:00', "
            f"'2019-05-13 22:00', freq='30min'), got {times!r}"
        ) from None
    if not items:
        raise InvalidParameterError("times is empty: give at least one departure or arrival time")
    moments = []
    for item in items:
        when = pd.Timestamp(item) if isinstance(item, np.datetime64) else item
        if when is pd.NaT:
            raise InvalidParameterError("times holds a missing time (NaT)")
        # Fractions of a second are dropped, as the searches do (see timeline_seconds).
        moments.append(pd.Timestamp(local_time(when, network.dates, "times")).floor("s"))
    index = pd.DatetimeIndex(moments)
    repeated = index[index.duplicated()]
    if len(repeated):
        shown = ", ".join(f"{t:%Y-%m-%d %H:%M:%S}" for t in repeated.unique()[:5])
        raise InvalidParameterError(f"times has repeated values (to the second): {shown}")
    return index.sort_values()


def _limits(cutoffs: list[float]) -> list[int]:
    """Whole seconds within each cutoff; below UNREACHED, so an unreached pair never counts."""
    return [min(last_second(cutoff), int(UNREACHED) - 1) for cutoff in cutoffs]


def _reached(seconds: np.ndarray, limits: list[int], counts: np.ndarray) -> np.ndarray:
    """Opportunities within each limit: (n_cutoffs, n_percentiles, n_origins, n_columns).

    ``seconds`` is (n_origins, n_destinations, n_percentiles), ``counts`` (n_destinations,
    n_columns).
    """
    by_percentile = np.moveaxis(seconds, 2, 0)
    return np.stack([opportunities_within(by_percentile, limit, counts) for limit in limits])


def _street(
    network: Network, origins: Points, destinations: Points, counts: np.ndarray, settings: Routing,
    limits: list[int], n_times: int, progress: bool | None,
) -> np.ndarray:  # fmt: skip
    """Street accessibility, the same at every time and percentile: computed once, repeated."""
    sums = street_opportunity_sums(
        network, origins, destinations, counts, settings, limits, progress=progress
    )
    return np.broadcast_to(sums[:, None], (n_times, len(limits), len(settings.percentiles), *sums.shape[1:]))


def _departures(
    network: Network, origins: Points, destinations: Points, counts: np.ndarray, settings: Routing,
    limits: list[int], seconds: np.ndarray, progress: bool | None,
) -> np.ndarray:  # fmt: skip
    """One forward range search per origin over every departure, reduced time by time."""
    query = dataclasses.replace(settings.transit, departures=seconds)
    n_times = len(seconds)
    values = np.zeros((n_times, len(limits), len(settings.percentiles), len(origins), counts.shape[1]))
    blocks = transit_blocks(network, origins, destinations, query, keep_minutes=True, progress=progress)
    for rows, _, minutes in blocks:
        for m in range(n_times):
            # Draw-major values: those of departure m are every n_times-th, one per draw.
            at_m = percentile_values(minutes[:, m::n_times, :].transpose(0, 2, 1), query.percentiles)
            values[m, :, :, rows] = _reached(at_m, limits, counts)
    return values


def _deadlines(
    network: Network, origins: Points, destinations: Points, counts: np.ndarray, settings: Routing,
    limits: list[int], seconds: np.ndarray, progress: bool | None,
) -> np.ndarray:  # fmt: skip
    """One backward range search per destination over every deadline, reduced time by time.

    An opportunity counts when one may leave at most the cutoff before the deadline.
    """
    n_times = len(seconds)
    values = np.zeros((n_times, len(limits), len(settings.percentiles), len(origins), counts.shape[1]))
    everything = slice(0, len(destinations))
    for group in _deadline_sums(network, origins, destinations, counts, settings, limits, seconds, everything,
                                progress):  # fmt: skip
        values += group
    return values


def _deadline_sums(
    network: Network, origins: Points, destinations: Points, counts: np.ndarray, settings: Routing,
    limits: list[int], seconds: np.ndarray, columns: slice, progress: bool | None,
):  # fmt: skip
    """Yield the opportunities of each group of destinations in ``columns``, at every deadline.

    Groups of :data:`~reachable.routing.transit.DESTINATIONS_PER_SUM` (or the part of one a
    kernel call searched, when memory asks for fewer): added in order, the same sums
    whichever task computed which group.
    """
    query = dataclasses.replace(settings.transit, departures=np.empty(0, dtype=np.int64), deadlines=seconds)
    n_times = len(seconds)
    blocks = arrival_blocks(network, origins, destinations, query, columns=columns, progress=progress)
    for block, lead in blocks:
        for group in sum_groups(block):
            in_block = lead[:, group.start - block.start : group.stop - block.start]
            at_each_time = [
                percentile_values(in_block[:, :, m::n_times], query.percentiles) for m in range(n_times)
            ]
            yield np.stack([_reached(at_m, limits, counts[group]) for at_m in at_each_time])


def _values(
    network: Network, origins: Points, destinations: Points, counts: np.ndarray, settings: Routing,
    limits: list[int], seconds: np.ndarray, progress: bool | None,
) -> np.ndarray:  # fmt: skip
    """One mode's opportunities reached: (time, cutoff, percentile, origin, column)."""
    arguments = (network, origins, destinations, counts, settings, limits)
    if settings.transit is None:
        return _street(*arguments, len(seconds), progress)
    search = _deadlines if settings.transit.arrive_by else _departures
    return search(*arguments, seconds, progress)


def _values_in_task(
    network: Network, piece: tuple[str, slice], origins: Points, destinations: Points, counts: np.ndarray,
    settings: list[Routing], limits: list[int], seconds: np.ndarray, *, progress: bool | None,
) -> list:  # fmt: skip
    """A task of :func:`~reachable.cluster.run_both_ways`.

    For a chunk of origins, the arrays of the modes searched forward; for a chunk of
    destinations, the list of its groups' sums of each mode searched by arrival.
    """
    kind, rows = piece
    if kind == "origins":
        return [
            _values(network, origins[rows], destinations, counts, mode_settings, limits, seconds, progress)
            for mode_settings in settings
            if not mode_settings.by_destinations
        ]
    backward = [mode_settings for mode_settings in settings if mode_settings.by_destinations]
    arguments = (network, origins, destinations, counts)
    return [list(_deadline_sums(*arguments, s, limits, seconds, rows, progress)) for s in backward]


def _tidy(
    origins: Points, mode: str, moments: pd.DatetimeIndex, cutoffs: list[float], percentiles: np.ndarray,
    values: np.ndarray, columns: list[str],
) -> pd.DataFrame:  # fmt: skip
    """Rows ordered by time, cutoff, percentile, then origin, as ``values`` is laid out."""
    n_times, n_cutoffs, n_percentiles, n_origins, _ = values.shape
    n_keys = n_times * n_cutoffs * n_percentiles
    t, c, p = np.unravel_index(np.repeat(np.arange(n_keys), n_origins), (n_times, n_cutoffs, n_percentiles))
    block = {
        "id": pd.Series(origins.ids.array.take(np.tile(np.arange(n_origins), n_keys))),
        "mode": mode,
        "time": moments.take(t),
        "cutoff": np.asarray(cutoffs, dtype=np.float64)[c],
    }
    if n_percentiles > 1:
        block["percentile"] = percentiles[p]
    frame = pd.DataFrame(block)
    flat = values.reshape(-1, len(columns))
    for k, column in enumerate(columns):
        frame[column] = flat[:, k]
    return frame


@warns_once_per_point_set
def accessibility_profile(
    network: Network,
    origins,
    opportunities,
    *,
    columns: str | Sequence[str],
    mode: str | Sequence[str],
    cutoffs: float | Sequence[float],
    times: str | dt.datetime | Sequence[str | dt.datetime],
    by: str = "departure",
    percentiles: float | Sequence[float] = (50,),
    progress: bool | None = None,
    client=None,
    **routing,
) -> gpd.GeoDataFrame:
    """Opportunities reachable from each origin within each cutoff, at each time of ``times``.

    The values at each time are those of :func:`reachable.accessibility` (cumulative
    measure) with ``departure=`` that time, or ``arrival=`` with ``by="arrival"``, to the
    last trip; but each origin is searched once for all the times. By public transport, a
    forward range RAPTOR search per origin covers every departure (from the latest to the
    earliest, keeping its labels), or a backward range search per destination covers every
    arrival deadline; street travel times do not depend on the time and are computed once.
    Results are summed chunk by chunk of origins (of destinations, by arrival), so neither
    the travel-time matrix nor one per time is ever held whole.

    Parameters
    ----------
    network : Network
    origins : geopandas.GeoDataFrame or pandas.DataFrame
        Points with an ``id`` column (see :func:`reachable.travel_time_matrix`).
    opportunities : geopandas.GeoDataFrame or pandas.DataFrame
        Places with an ``id`` column and numeric count columns, points or areas (counted at
        their representative point), as :func:`reachable.accessibility` takes them.
    columns : str or list of str
        Count columns of ``opportunities`` to sum.
    mode : str or list of str
        ``walk``, ``bike``, ``moped``, ``car``, ``transit``; one result block per mode.
    cutoffs : float or list of float
        Minutes: opportunities reached within each cutoff (travel time <= cutoff, see
        :mod:`reachable.cutoffs`).
    times : sequence of datetime.datetime, pandas.Timestamp or str, or pandas.DatetimeIndex
        Departure times (or arrival deadlines with ``by="arrival"``) on the network's service
        days, in the feeds' local time, e.g. ``pd.date_range("2019-05-13 05:00",
        "2019-05-13 23:00", freq="30min")``; ``"HH:MM"`` strings on a one-day network.
        Times past midnight need the next day among the network's days
        (``date=["2019-05-13", "2019-05-14"]``). In any order, to the second (fractions are
        dropped), each once; the result is in increasing time order.
    by : {"departure", "arrival"}, default "departure"
        ``"arrival"``: an opportunity counts when one may leave at most the cutoff before
        the time and be there by it (waiting at the destination included).
    percentiles : float or sequence of float, default (50,)
        Percentiles in [0, 100] over the draws of frequency-based services at each time
        (nearest rank, see :func:`reachable.travel_time_matrix`); with several, the result
        has a ``percentile`` column. Without frequency-based services every percentile is
        the one travel time.
    progress : bool, optional
        Show progress bars; default only on an interactive terminal or notebook.
    client : distributed.Client, optional
        Run chunks of origins on a Dask cluster (see :mod:`reachable.cluster`), of
        destinations for public transport ``by="arrival"``: the same frame, bit for bit.
    **routing
        Other settings of :func:`reachable.travel_time_matrix`: ``max_walk_time``,
        ``max_transfers``, ``walk_speed``, ``bike_speed``, ``car_speed_factor``,
        ``board_slack``, ``frequency_draws``, ``seed``, ``max_snap_distance``.

    Returns
    -------
    geopandas.GeoDataFrame
        One row per mode, time, cutoff, percentile (when several) and origin, in that
        order (origins as given): ``id``, ``mode``, ``time`` (pandas Timestamps),
        ``cutoff`` (minutes), ``percentile`` (when several), one float64 column per name in
        ``columns``, and ``geometry`` (the origin, in the origins' CRS). Street modes have
        the same values at every time. ``attrs["totals"]`` maps each column to its total
        over the opportunities (what :func:`reachable.plot.profile` divides by),
        ``attrs["by"]`` is ``by``, and ``attrs["percentile"]`` the percentile when only one.

    Raises
    ------
    InvalidParameterError
        ``by`` unknown; ``times`` empty, repeated, malformed or off the network's service
        days; ``departure``, ``arrival``, ``time_window`` or ``max_time`` given (``times``
        and ``cutoffs`` set them); cutoffs not positive; and the routing errors of
        :func:`reachable.travel_time_matrix`.
    UnknownModeError
        A mode unknown or not built in the network.
    InvalidPointsError, CRSError
        Malformed origins or opportunities, count columns missing, not numeric, NaN or
        negative.
    """
    if not isinstance(by, str) or by not in BY:
        raise InvalidParameterError(
            f"by must be 'departure' (times are departures) or 'arrival' (times are arrival deadlines), "
            f"got {by!r}"
        )
    given = [name for name in _SET_BY_TIMES if name in routing]
    if given:
        raise InvalidParameterError(f"accessibility_profile takes no {given[0]}: {_SET_BY_TIMES[given[0]]}")
    columns = column_names(columns, reserved=RESERVED)
    modes = names(mode, "mode", what="mode name")
    cutoff_values = cutoff_minutes(cutoffs)
    moments = _moments(network, times)
    origin_points = as_points(origins, "origins")
    destination_points = as_points(opportunities, "opportunities", areas=True)
    counts = opportunity_counts(opportunities, columns)
    limits = _limits(cutoff_values)
    settings = []
    for mode_name in modes:
        when = {by: moments[0]} if is_transit(mode_name) else {}
        mode_settings = routing_settings(
            network, mode_name, max_time=max(cutoff_values), percentiles=percentiles,
            warn_ignored=not any(map(is_transit, modes)), **when, **routing,
        )  # fmt: skip
        settings.append(mode_settings)
    # Street modes need only how many times there are: a network without timetable has no timeline.
    on_timeline = any(mode_settings.transit is not None for mode_settings in settings)
    seconds = np.array(
        [timeline_seconds(network, t, "times") if on_timeline else 0 for t in moments], dtype=np.int64
    )
    if client is None:
        arguments = (network, origin_points, destination_points, counts)
        values = [_values(*arguments, mode_settings, limits, seconds, progress) for mode_settings in settings]
    else:  # everything checked: the chunks run on the workers, which send back their numbers
        check_client(client)
        values = run_both_ways(
            _values_in_task, network, (origin_points, destination_points, counts, settings, limits, seconds),
            backward=[mode_settings.by_destinations for mode_settings in settings],
            n_origins=len(origin_points), n_destinations=len(destination_points),
            shapes=[
                (len(seconds), len(limits), len(mode_settings.percentiles), len(origin_points), len(columns))
                for mode_settings in settings
            ],
            origin_axis=3, group=DESTINATIONS_PER_SUM, client=client, progress=progress,
            what="accessibility profile",
        )  # fmt: skip
    frames = [
        _tidy(origin_points, name, moments, cutoff_values, mode_settings.percentiles, mode_values, columns)
        for name, mode_settings, mode_values in zip(modes, settings, values, strict=True)
    ]
    result = pd.concat(frames, ignore_index=True)
    frame = with_origin_geometry(result, origins, origin_points)
    frame.attrs["totals"] = {
        column: float(total) for column, total in zip(columns, counts.sum(axis=0), strict=True)
    }
    frame.attrs["by"] = by
    percentiles = settings[0].percentiles  # the same for every mode
    if len(percentiles) == 1:
        frame.attrs["percentile"] = float(percentiles[0])
    return frame
