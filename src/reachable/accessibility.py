"""How many jobs and training sites each place reaches, by each mode, computed from the network."""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
import pandas as pd

from ._checks import column_names, cutoff_minutes, names, positive
from .cluster import check_client, run_both_ways
from .cutoffs import last_second
from .decay import weights
from .errors import InvalidParameterError
from .kernels import opportunities_within
from .matrix import routing_settings, street_opportunity_sums, travel_time_blocks
from .modes import is_transit
from .network.network import Network
from .points import Points, as_points, opportunity_counts, with_origin_geometry
from .routing.street import warns_once_per_point_set
from .routing.transit import DESTINATIONS_PER_SUM, sum_groups

MEASURES = ("cumulative", "gravity")

RESERVED = ("mode", "cutoff", "percentile", "geometry")
"""Output columns a count column may not be named after (besides ``id``)."""

DEFAULT_GRAVITY_MAX_TIME = 120.0
"""Minutes searched for a gravity measure whose decay never reaches zero."""


@warns_once_per_point_set
def accessibility(
    network: Network,
    origins,
    opportunities,
    *,
    columns: str | Sequence[str],
    mode: str | Sequence[str],
    cutoffs: float | Sequence[float] | None = None,
    measure: str = "cumulative",
    decay=None,
    max_time: float | None = None,
    departure=None,
    arrival=None,
    time_window: int = 1,
    percentiles: float | Sequence[float] = (50,),
    progress: bool | None = None,
    client=None,
    **routing,
):
    """Opportunities reachable from each origin, by mode, straight from the network.

    Travel times are computed chunk by chunk of origins and summed into accessibility at
    once, so the full origin x destination matrix never exists in pandas. The values equal
    those of :mod:`reachable.measures` applied to :func:`travel_time_matrix` with the same
    settings (times rounded to the second, unreachable pairs excluded).

    Parameters
    ----------
    network : Network
    origins : geopandas.GeoDataFrame or pandas.DataFrame
        Points with an ``id`` column (see :func:`travel_time_matrix`).
    opportunities : geopandas.GeoDataFrame or pandas.DataFrame
        Places with an ``id`` column and numeric count columns (jobs, training places...).
        Points, or polygons and lines counted at their representative point (a point
        inside the shape), in any CRS; or a DataFrame with ``id, lon, lat``.
    columns : str or list of str
        Count columns of ``opportunities`` to sum.
    mode : str or list of str
        ``walk``, ``bike``, ``moped``, ``car``, ``transit``; one result block per mode.
    cutoffs : float or list of float
        Minutes, for ``measure="cumulative"``: opportunities reached within each cutoff
        (travel time <= cutoff).
    measure : {"cumulative", "gravity"}
        ``gravity`` weighs each opportunity by ``decay(travel time)``. Other measures
        (floating catchment, cost to closest, ...) are in :mod:`reachable.measures`, on a
        travel-time matrix.
    decay : reachable.decay.Decay
        For ``gravity``, e.g. ``rc.decay.exponential(0.1)``.
    max_time : float, optional
        Minutes searched for ``gravity`` (default: where the decay reaches zero, or 120 for
        a decay that never does).
    departure, time_window, percentiles :
        For ``transit`` (see :func:`travel_time_matrix`). With several percentiles the
        result has a ``percentile`` column.
    arrival : datetime.datetime or str, optional
        Arrive by this time instead of leaving at ``departure``: an opportunity counts when
        one may leave at most the cutoff before the deadline and be there by it (waiting at
        the destination included, since the deadline is what matters).
    progress : bool, optional
        Show progress bars; default only on an interactive terminal or notebook.
    client : distributed.Client, optional
        Run chunks of origins on a Dask cluster (see :mod:`reachable.cluster`), of
        destinations for ``transit`` by ``arrival``: the same frame, bit for bit.
    **routing
        Other settings of :func:`travel_time_matrix`: ``max_walk_time``, ``max_transfers``,
        ``walk_speed``, ``bike_speed``, ``car_speed_factor``, ``board_slack``,
        ``frequency_draws``, ``seed``, ``max_snap_distance``.

    Returns
    -------
    geopandas.GeoDataFrame
        One row per origin, mode, cutoff (cumulative) and percentile (when several):
        ``id``, ``mode``, ``cutoff`` (minutes, cumulative only), ``percentile`` (when
        several), one float64 column per name in ``columns``, and ``geometry`` (the origin,
        in the origins' CRS). Ordered by mode, cutoff, percentile, then origins as given.

    Raises
    ------
    InvalidParameterError
        Unknown measure, cutoffs not positive, decay missing, and the routing errors of
        :func:`travel_time_matrix`.
    InvalidPointsError, CRSError
        Malformed origins or opportunities, count columns missing, not numeric, NaN or
        negative.
    """
    if measure not in MEASURES:
        raise InvalidParameterError(
            f"measure must be one of {', '.join(MEASURES)}, got {measure!r}; apply reachable.measures "
            "to a travel_time_matrix for floating catchment, cost to closest and the others"
        )
    columns = column_names(columns, reserved=RESERVED)
    modes = names(mode, "mode", what="mode name")
    origin_points = as_points(origins, "origins")
    destination_points = as_points(opportunities, "opportunities", areas=True)
    counts = opportunity_counts(opportunities, columns)
    if measure == "cumulative":
        if cutoffs is None:
            raise InvalidParameterError(
                "measure='cumulative' needs cutoffs in minutes, e.g. cutoffs=[30, 45, 60]"
            )
        if decay is not None or max_time is not None:
            raise InvalidParameterError(
                "decay and max_time are for measure='gravity'; a cumulative measure counts within its cutoffs"
            )
        cutoff_values = cutoff_minutes(cutoffs)
        search_time = max(cutoff_values)
    else:
        if decay is None or not callable(decay):
            raise InvalidParameterError(
                "measure='gravity' needs a decay, e.g. decay=rc.decay.exponential(0.1)"
            )
        if cutoffs is not None:
            raise InvalidParameterError(
                "cutoffs are for measure='cumulative'; a gravity measure weighs every trip by its decay"
            )
        cutoff_values = [None]
        limit = getattr(decay, "max_cost", np.inf)
        if max_time is not None:
            search_time = positive("max_time", max_time, unit="minutes")
        else:
            search_time = limit if np.isfinite(limit) else DEFAULT_GRAVITY_MAX_TIME

    warn_ignored = not any(map(is_transit, modes))
    settings = [
        routing_settings(
            network,
            mode_name,
            max_time=search_time,
            departure=departure,
            arrival=arrival,
            time_window=time_window,
            percentiles=percentiles,
            warn_ignored=warn_ignored,
            **routing,
        )
        for mode_name in modes
    ]
    if client is None:
        values = _reached(network, origin_points, destination_points, counts, settings, cutoff_values, decay,
                          progress=progress)  # fmt: skip
    else:  # everything checked: the chunks run on the workers, which send back their numbers
        check_client(client)
        values = run_both_ways(
            _reached_in_task, network,
            (origin_points, destination_points, counts, settings, cutoff_values, decay),
            backward=[mode_settings.by_destinations for mode_settings in settings],
            n_origins=len(origin_points), n_destinations=len(destination_points),
            shapes=[
                (len(cutoff_values), len(mode_settings.percentiles), len(origin_points), len(columns))
                for mode_settings in settings
            ],
            origin_axis=2, group=DESTINATIONS_PER_SUM, client=client, progress=progress, what="accessibility",
        )  # fmt: skip
    frames = []
    for mode_name, mode_values, mode_settings in zip(modes, values, settings, strict=True):
        n_p = len(mode_settings.percentiles)
        for c, cutoff in enumerate(cutoff_values):
            for j, p in enumerate(mode_settings.percentiles):
                block = {"id": origin_points.ids, "mode": mode_name}
                if cutoff is not None:
                    block["cutoff"] = cutoff
                if n_p > 1:
                    block["percentile"] = p
                frame = pd.DataFrame(block)
                for k, column in enumerate(columns):
                    frame[column] = mode_values[c, j, :, k]
                frames.append(frame)
    result = pd.concat(frames, ignore_index=True)
    frame = with_origin_geometry(result, origins, origin_points)
    transit = next((mode.transit for mode in reversed(settings) if mode.transit is not None), None)
    if transit is not None:
        # What the maps' titles say: the departures (or arrival) and the percentile behind the numbers.
        origin = pd.Timestamp(network.dates[0])
        if transit.arrive_by:
            frame.attrs["arrival"] = (
                f"{origin + pd.Timedelta(seconds=int(transit.deadlines[0])):%Y-%m-%d %H:%M}"
            )
        else:
            frame.attrs["departure"] = (
                f"{origin + pd.Timedelta(seconds=int(transit.departures[0])):%Y-%m-%d %H:%M}"
            )
            frame.attrs["time_window"] = len(transit.departures)
        if len(transit.percentiles) == 1:
            frame.attrs["percentile"] = float(transit.percentiles[0])
    return frame


def _reached(
    network: Network,
    origins: Points,
    destinations: Points,
    counts: np.ndarray,
    settings: list,
    cutoffs: list,
    decay,
    *,
    progress: bool | None,
) -> list[np.ndarray]:
    """Opportunities reached from each origin: per mode, an array (cutoff, percentile, origin, column).

    ``settings`` are the modes' :class:`~reachable.matrix.Routing`; a cutoff of None weighs
    every trip by ``decay`` instead.
    """
    result = []
    for mode_settings in settings:
        values = np.zeros((len(cutoffs), len(mode_settings.percentiles), len(origins), counts.shape[1]))
        if mode_settings.by_destinations:
            everything = slice(0, len(destinations))
            for part in _arrival_sums(network, origins, destinations, counts, mode_settings, cutoffs, decay,
                                      everything, progress=progress):  # fmt: skip
                values += part
        elif mode_settings.transit is None and decay is None:
            # Cumulative on the streets: summed by the searches, the same at every percentile.
            limits = [last_second(cutoff) for cutoff in cutoffs]
            sums = street_opportunity_sums(network, origins, destinations, counts, mode_settings, limits,
                                           progress=progress)  # fmt: skip
            values[:] = sums[:, None]
        else:
            for block in travel_time_blocks(network, origins, destinations, mode_settings, progress=progress):
                values[:, :, block.rows] = _sums(block.seconds, counts[block.columns], cutoffs, decay)
        result.append(values)
    return result


def _arrival_sums(
    network: Network,
    origins: Points,
    destinations: Points,
    counts: np.ndarray,
    settings,
    cutoffs: list,
    decay,
    columns: slice,
    *,
    progress: bool | None,
):
    """Yield the opportunities of each group of destinations in ``columns`` reached by arrival.

    Each an array (cutoff, percentile, origin, column) over one group of
    :data:`~reachable.routing.transit.DESTINATIONS_PER_SUM` destinations (or the part of it
    one kernel call searched, when memory asks for fewer): added in order, they give the
    same sums whichever task computed which group.
    """
    blocks = travel_time_blocks(network, origins, destinations, settings, columns=columns, progress=progress)
    for block in blocks:
        first = block.columns.start
        for group in sum_groups(block.columns):
            seconds = block.seconds[:, group.start - first : group.stop - first]
            yield _sums(seconds, counts[group], cutoffs, decay)


def _sums(seconds: np.ndarray, counts: np.ndarray, cutoffs: list, decay) -> np.ndarray:
    """Opportunities within each cutoff (weighed by ``decay`` for a cutoff of None).

    ``seconds`` is (origin, destination, percentile); the result (cutoff, percentile,
    origin, column).
    """
    by_percentile = np.moveaxis(seconds, 2, 0)  # (percentile, origin, destination)
    sums = np.empty((len(cutoffs), *by_percentile.shape[:2], counts.shape[1]))
    for c, cutoff in enumerate(cutoffs):
        if cutoff is None:
            # Minutes as travel_time_matrix reports them; unreachable pairs weigh 0.
            reached = np.isfinite(by_percentile)
            weight = np.zeros(by_percentile.shape)
            weight[reached] = weights(decay, by_percentile[reached] / 60.0)
            sums[c] = weight @ counts
        else:
            sums[c] = opportunities_within(by_percentile, last_second(cutoff), counts)
    return sums


def _reached_in_task(
    network: Network,
    piece: tuple[str, slice],
    origins: Points,
    destinations: Points,
    counts: np.ndarray,
    settings: list,
    cutoffs: list,
    decay,
    *,
    progress: bool | None,
) -> list:
    """A task of :func:`~reachable.cluster.run_both_ways`.

    For a chunk of origins, :func:`_reached`'s arrays of the modes searched forward; for a
    chunk of destinations, the list of its groups' sums of each mode searched by arrival.
    """
    kind, rows = piece
    if kind == "origins":
        forward = [mode_settings for mode_settings in settings if not mode_settings.by_destinations]
        return _reached(
            network, origins[rows], destinations, counts, forward, cutoffs, decay, progress=progress
        )
    backward = [mode_settings for mode_settings in settings if mode_settings.by_destinations]
    arguments = (network, origins, destinations, counts)
    return [list(_arrival_sums(*arguments, s, cutoffs, decay, rows, progress=progress)) for s in backward]
