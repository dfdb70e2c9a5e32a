"""Where each aid of a mobility platform adds most: accessibility with and without it, for everyone.

>>> import pandas as pd
>>> import reachable as rc
>>> impact = rc.aid_impact(net, hexes, hexes, columns="jobs", base_modes=["walk", "transit"],
...                        aids=["bike_loan", "ebike_loan", "car_loan"], cutoff=45,
...                        departure="2019-05-13 14:00", population="population")  # doctest: +SKIP
>>> pd.DataFrame(impact.attrs["totals"])                                          # doctest: +SKIP
>>> fig = rc.plot.aid_map(impact, "jobs", network=net)                            # doctest: +SKIP

Each scenario (the base modes alone, then the base modes and each aid's modes) reaches an
opportunity when its fastest mode for that trip does so within the cutoff. Each mode is
routed once, however many scenarios use it.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import TYPE_CHECKING

import numpy as np
import pandas as pd

from . import aids as aid_catalogue
from ._checks import column_names, names, positive
from .cluster import check_client, chunk_rows, destination_rows, origins_per_task, run
from .cutoffs import last_second
from .errors import InvalidParameterError
from .matrix import routing_settings, travel_time_blocks
from .modes import is_transit
from .network.network import Network
from .points import Points, as_points, opportunity_counts, with_origin_geometry
from .routing.street import warns_once_per_point_set

if TYPE_CHECKING:
    import geopandas as gpd

__all__ = ["aid_impact"]

BASE = "base"
"""The ``scenario`` of the base modes alone."""

GAIN = "_gain"
"""Suffix of the columns of opportunities gained over the base."""

RESERVED = ("scenario", "geometry")
"""Output columns a count column may not be named after (besides ``id``)."""

_SET_HERE = {
    "max_time": "the search goes as far as cutoff",
    "access_mode": "name combined modes in base_modes or in the aids instead, e.g. 'bike+transit'",
}
"""Settings of :func:`reachable.travel_time_matrix` that ``aid_impact`` takes over."""

ORIGINS_PER_SUM = 256
"""Origins counted at once: bounds the float64 copy of their reach to 256 x destinations."""


def _population(origins, column: str | None) -> np.ndarray | None:
    """The people of each origin, checked: numbers, none missing or negative, some in all."""
    if column is None:
        return None
    if not isinstance(column, str) or column not in origins.columns:
        raise InvalidParameterError(
            f"population must name a column of origins, got {column!r}; "
            f"origins has {', '.join(map(str, origins.columns))}"
        )
    series = origins[column]
    if not pd.api.types.is_numeric_dtype(series) or pd.api.types.is_bool_dtype(series):
        raise InvalidParameterError(
            f"population column {column!r} must hold numbers of people, got dtype {series.dtype}"
        )
    people = series.to_numpy(dtype=np.float64)
    for problem, bad in (
        ("missing", np.isnan(people)),
        ("infinite", np.isinf(people)),
        ("negative", people < 0),
    ):
        if bad.any():
            raise InvalidParameterError(
                f"population column {column!r} has {int(bad.sum())} {problem} values; fill or drop "
                "those origins first"
            )
    if people.sum() <= 0:
        raise InvalidParameterError(f"population column {column!r} sums to 0: nobody to average over")
    return people


def _totals(
    people: np.ndarray, scenarios: list[str], columns: list[str], values: np.ndarray, gains: np.ndarray
) -> pd.DataFrame:
    """Per scenario and column: mean opportunities and gain per person, share of people gaining."""
    total = people.sum()
    rows = []
    for s, scenario in enumerate(scenarios):
        for k, column in enumerate(columns):
            rows.append(
                {
                    "scenario": scenario,
                    "column": column,
                    "per_person": float(people @ values[s, :, k] / total),
                    "gain_per_person": float(people @ gains[s, :, k] / total),
                    "share_gaining": float(people[gains[s, :, k] > 0].sum() / total),
                }
            )
    return pd.DataFrame(rows)


def _impact_values(
    network: Network, piece: tuple, destinations: Points, counts: np.ndarray, scenarios: dict, settings: dict,
    limit: int, *, progress: bool | None,
) -> tuple[np.ndarray, np.ndarray]:  # fmt: skip
    """Opportunities each scenario reaches from ``piece``'s origins, and what it gains over the base.

    ``piece`` is the origins and, for the modes searched destination by destination (by
    arrival), whether each pair is within ``limit`` when already searched (None: search).
    Returns two arrays (scenario, origin, column).
    """
    origins, arrived = piece
    # Whether the fastest mode is within the cutoff is whether any mode is: a boolean per
    # pair is all a scenario needs, a quarter of its fastest times in float32.
    shape = (len(origins), len(destinations))
    reach = {name: np.zeros(shape, dtype=bool) for name in scenarios}
    for mode, mode_settings in settings.items():
        users = [reach[name] for name, scenario_modes in scenarios.items() if mode in scenario_modes]
        if arrived is not None and mode in arrived:
            for reached in users:
                reached |= arrived[mode]
            continue
        for block in travel_time_blocks(network, origins, destinations, mode_settings, progress=progress):
            within = block.seconds[:, :, 0] <= limit
            for reached in users:
                reached[block.rows, block.columns] |= within
    values = np.zeros((len(scenarios), len(origins), counts.shape[1]))
    gains = np.zeros_like(values)
    for start in range(0, len(origins), ORIGINS_PER_SUM):
        rows = slice(start, start + ORIGINS_PER_SUM)
        before = reach[BASE][rows]
        for s, name in enumerate(scenarios):
            values[s, rows] = reach[name][rows] @ counts
            if name != BASE:
                # Counted apart rather than subtracted: never below 0 with fractional counts.
                gains[s, rows] = (reach[name][rows] & ~before) @ counts
    return values, gains


def _arrived_in_chunks(
    network: Network, origins: Points, destinations: Points, settings: dict, limit: int, client, progress
) -> dict[str, np.ndarray]:
    """Per mode searched by arrival, whether each pair is within ``limit``.

    Searched by chunks of destinations: a backward search runs per destination, so each
    chunk of origins would search them all again.
    """
    modes = [mode for mode, mode_settings in settings.items() if mode_settings.by_destinations]
    arrived = {mode: np.zeros((len(origins), len(destinations)), dtype=bool) for mode in modes}
    if not modes:
        return arrived
    columns = destination_rows(len(origins), len(destinations), client=client)
    parts = run(_arrived_within, network, columns, origins, destinations, [settings[m] for m in modes], limit,
                client=client, progress=progress, what="aid impact arrivals", options={})  # fmt: skip
    for block, part in zip(columns, parts, strict=True):
        for mode, within in zip(modes, part, strict=True):
            arrived[mode][:, block] = within
    return arrived


def _arrived_within(
    network: Network, columns: slice, origins: Points, destinations: Points, settings: list, limit: int, *,
    progress: bool | None,
) -> list[np.ndarray]:  # fmt: skip
    """One task of :func:`_arrived_in_chunks`: the pairs within ``limit``, to ``columns``, per mode."""
    within = []
    for mode_settings in settings:
        mode_within = np.zeros((len(origins), columns.stop - columns.start), dtype=bool)
        for block in travel_time_blocks(network, origins, destinations, mode_settings, columns=columns,
                                        progress=progress):  # fmt: skip
            mode_within[:, block.columns.start - columns.start : block.columns.stop - columns.start] = (
                block.seconds[:, :, 0] <= limit
            )
        within.append(mode_within)
    return within


@warns_once_per_point_set
def aid_impact(
    network: Network,
    origins,
    opportunities,
    *,
    columns: str | Sequence[str],
    base_modes: str | Sequence[str],
    aids,
    cutoff: float,
    departure=None,
    arrival=None,
    population: str | None = None,
    progress: bool | None = None,
    client=None,
    **routing,
) -> gpd.GeoDataFrame:
    """Opportunities each origin reaches with the base modes, and how many more with each aid.

    A scenario is a set of modes: the base modes (what people have), then for each aid the
    base modes and the aid's. From each origin, a scenario reaches an opportunity when the
    fastest of its modes for that trip takes at most ``cutoff`` minutes (travel times as
    :func:`reachable.travel_time_matrix` gives them, whole seconds, see
    :mod:`reachable.cutoffs`). With one base mode and no aid, the base is
    :func:`reachable.accessibility` for that mode.

    Licences are ignored here: every aid is given to everyone, so the result tells where
    a vehicle adds most, not who may drive it; :func:`reachable.diagnose` decides that per
    person.

    Each mode is routed once, whichever scenarios use it. Memory: one boolean (1 byte) per
    origin, destination and scenario, whether the pair is within the cutoff (the same as the
    fastest time within it); 1,227 x 1,227 hexagons and 8 scenarios take 12 MB, 50,000 x
    50,000 points 2.5 GB per scenario.

    Parameters
    ----------
    network : Network
    origins : geopandas.GeoDataFrame or pandas.DataFrame
        Points with an ``id`` column (see :func:`reachable.travel_time_matrix`).
    opportunities : geopandas.GeoDataFrame or pandas.DataFrame
        Places with an ``id`` column and count columns (see :func:`reachable.accessibility`).
    columns : str or list of str
        Count columns of ``opportunities`` to sum, e.g. ``"jobs"``.
    base_modes : str or list of str
        Modes everyone has, e.g. ``["walk", "transit"]``.
    aids : dict or list of reachable.aids.Aid, or names
        What :func:`reachable.aids.catalogue` accepts: :class:`reachable.aids.Aid` objects,
        or names of :func:`reachable.aids.default` (``"bike_loan"``...); ``None`` for the
        whole default catalogue, ``[]`` for the base alone.
    cutoff : float
        Minutes: an opportunity counts when reached in at most this time.
    departure, arrival : datetime.datetime or str, optional
        For public transport modes (one of them is needed when a scenario has one); street
        modes take the same travel time at any hour.
    population : str, optional
        A column of ``origins`` holding the people of each origin, for ``attrs["totals"]``.
    progress : bool, optional
        Show progress bars; default only on an interactive terminal or notebook.
    client : distributed.Client, optional
        Run chunks of origins on a Dask cluster (see :mod:`reachable.cluster`), after the
        searches by ``arrival`` (by chunks of destinations): the same frame, bit for bit.
    **routing
        Other settings of :func:`reachable.travel_time_matrix`: ``time_window`` and one
        percentile in ``percentiles``, ``max_walk_time``, ``max_transfers``, ``walk_speed``,
        ``bike_speed``, ``ebike_speed``, ``car_speed_factor``, ``max_access_time``,
        ``park_and_ride``, ``board_slack``, ``max_snap_distance``... given to every mode.

    Returns
    -------
    geopandas.GeoDataFrame
        One row per scenario and origin, scenarios ``"base"`` then each aid's name in the
        order given, origins as given within each: ``id``, ``scenario``, one float64 column
        per name in ``columns`` (opportunities reached), one ``<column>_gain`` each (those
        reached beyond the base; 0 for the base), and ``geometry`` (the origin, in the
        origins' CRS). ``attrs`` holds ``cutoff``, ``base_modes``, ``aids`` (the
        :class:`reachable.aids.Aid` of each scenario but the base), ``departure`` and
        ``arrival`` as given, and with ``population``, ``population`` (the column) and
        ``totals``: records (``pd.DataFrame(impact.attrs["totals"])`` makes the table; a
        frame in ``attrs`` would break ``pd.concat`` of parts of the result) of one row per
        scenario and column, ``scenario``, ``column``,
        ``per_person`` (opportunities reached, weighted by the people of each origin),
        ``gain_per_person`` and ``share_gaining`` (the share of people, 0 to 1, who reach more
        with the aid).

    Raises
    ------
    InvalidParameterError
        Empty ``base_modes``, an unknown aid, an aid named ``"base"``, ``cutoff`` not
        positive, several percentiles, a ``population`` column missing or holding non-numbers,
        missing, negative or only zero values, and the routing errors of
        :func:`reachable.travel_time_matrix`.
    UnknownModeError
        A mode (of the base or of an aid) unknown, or the network was not built for it.
    InvalidPointsError, CRSError
        Malformed origins or opportunities, count columns missing, not numeric, NaN or
        negative.
    """
    columns = column_names(columns, reserved=RESERVED)
    clash = [c + GAIN for c in columns if c + GAIN in columns]
    if clash:
        raise InvalidParameterError(
            f"columns cannot include {', '.join(map(repr, clash))}: the output names the gains so; "
            "rename the column first"
        )
    base = tuple(names(base_modes, "base_modes", what="mode name"))
    chosen = aid_catalogue.catalogue(aids)
    if BASE in chosen:
        raise InvalidParameterError(f"an aid cannot be named {BASE!r}: the scenario without aid is")
    cutoff = positive("cutoff", cutoff, unit="minutes")
    given = [name for name in _SET_HERE if name in routing]
    if given:
        raise InvalidParameterError(f"aid_impact takes no {given[0]}: {_SET_HERE[given[0]]}")
    origin_points = as_points(origins, "origins")
    people = _population(origins, population)
    destination_points = as_points(opportunities, "opportunities", areas=True)
    counts = opportunity_counts(opportunities, columns)

    scenarios = {BASE: base} | {
        name: tuple(dict.fromkeys((*base, *aid.modes))) for name, aid in chosen.items()
    }
    modes = list(dict.fromkeys(m for scenario_modes in scenarios.values() for m in scenario_modes))
    # Every mode checked before any is routed, so a typo in the last aid fails at once.
    any_transit = any(map(is_transit, modes))
    settings = {}
    for mode in modes:
        settings[mode] = routing_settings(
            network, mode, max_time=cutoff, departure=departure, arrival=arrival,
            warn_ignored=not any_transit, **routing,
        )  # fmt: skip
    if len(settings[modes[0]].percentiles) > 1:
        raise InvalidParameterError(
            "aid_impact compares one travel time per trip: give one percentile, e.g. percentiles=50"
        )

    limit = last_second(cutoff)
    if client is None:
        values, gains = _impact_values(
            network, (origin_points, None), destination_points, counts, scenarios, settings, limit,
            progress=progress,
        )  # fmt: skip
    else:  # everything checked: the chunks run on the workers, which send back their numbers
        check_client(client)
        arrived = _arrived_in_chunks(
            network, origin_points, destination_points, settings, limit, client, progress
        )
        pieces = [
            (origin_points[rows], {mode: within[rows] for mode, within in arrived.items()})
            for rows in chunk_rows(
                len(origin_points), origins_per_task(len(destination_points)), client=client
            )
        ]
        parts = run(_impact_values, network, pieces, destination_points, counts, scenarios, settings, limit,
                    client=client, progress=progress, what="aid impact", options={})  # fmt: skip
        values = np.concatenate([part[0] for part in parts], axis=1)
        gains = np.concatenate([part[1] for part in parts], axis=1)
    names_in_order = list(scenarios)
    frames = []
    for s, name in enumerate(names_in_order):
        frame = pd.DataFrame({"id": origin_points.ids, "scenario": name})
        for k, column in enumerate(columns):
            frame[column] = values[s, :, k]
        for k, column in enumerate(columns):
            frame[column + GAIN] = gains[s, :, k]
        frames.append(frame)
    result = with_origin_geometry(pd.concat(frames, ignore_index=True), origins, origin_points)
    result.attrs.update(
        cutoff=cutoff, base_modes=list(base), aids=dict(chosen), departure=departure, arrival=arrival
    )
    if people is not None:
        result.attrs["population"] = population
        result.attrs["totals"] = _totals(people, names_in_order, columns, values, gains).to_dict("records")
    return result
