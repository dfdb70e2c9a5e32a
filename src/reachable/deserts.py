"""Mobility deserts: the places where, without a car, too little is within reach, and who lives there.

A cell is a desert when its accessibility (one mode, one cutoff) is below a poverty line:
an absolute number of opportunities, a share of the population-weighted median of the same
mode, or a share of what a car reaches from the same cell. The shortfall is the gap to the
line as a share of it, ``(line - accessibility) / line`` (0 above the line), and the
Foster-Greer-Thorbecke measures summarise it over the people: FGT0 is the share of people in
deserts, FGT1 the mean shortfall, FGT2 the mean squared shortfall (which weighs the deepest
deserts most), as in ipea's ``accessibility`` package (``fgt_poverty``).
"""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np
import pandas as pd

from .equity import fgt
from .errors import InvalidParameterError, InvalidPointsError

RELATIVE_TO = (None, "median", "car")
"""What a line is relative to: nothing (absolute), the median, or the car."""


@dataclass
class Deserts:
    """The result of :func:`deserts`.

    Attributes
    ----------
    cells : geopandas.GeoDataFrame
        One row per cell (and per ``time`` for a profile): ``id``, ``accessibility`` (the
        value compared: opportunities, or the ratio to the car), ``line``, ``shortfall``
        (``(line - accessibility) / line``, 0 above the line), ``desert`` (bool),
        ``population``, the income group when given, ``geometry`` (the cell).
    summary : pandas.DataFrame
        One row (per ``time`` for a profile; per income group too, with a ``"all"`` row):
        ``population``, ``in_deserts`` (people), ``fgt0`` (their share), ``fgt1``, ``fgt2``.
    desert_hours : pandas.DataFrame or None
        For a profile: per cell, ``hours`` (how many of the times it is a desert) and
        ``times`` (them, comma separated).
    settings : dict
        ``column``, ``mode``, ``cutoff``, ``line``, ``relative_to``, ``threshold`` (the
        line in opportunities when absolute or relative to the median).
    """

    cells: pd.DataFrame
    summary: pd.DataFrame
    desert_hours: pd.DataFrame | None = None
    settings: dict = field(default_factory=dict)


def deserts(
    accessibility,
    cells,
    *,
    column: str,
    mode: str,
    cutoff: float | None = None,
    line: float,
    relative_to: str | None = None,
    population: str = "population",
    income_group: str | None = None,
    car_mode: str = "car",
) -> Deserts:
    """Flag the cells whose accessibility by ``mode`` is below a poverty line.

    Parameters
    ----------
    accessibility : pandas.DataFrame
        ``id``, ``mode``, ``cutoff`` and ``column``, e.g. from :func:`reachable.accessibility`;
        or a profile from :func:`reachable.accessibility_profile` (with ``time``): then each
        time is judged on its own (temporal deserts).
    cells : pandas.DataFrame or geopandas.GeoDataFrame
        ``id`` and the ``population`` column (people, >= 0), optionally ``income_group``;
        polygons (or H3 ids) to draw.
    column : str
        The opportunities, e.g. ``"jobs"``.
    mode : str
        The mode judged, e.g. ``"transit"``.
    cutoff : float, optional
        Minutes; may be left out when ``accessibility`` has one cutoff.
    line : float
        Opportunities when absolute (``line=10000`` jobs); with ``relative_to="median"`` a
        share of the population-weighted median of ``mode`` (``0.5``: half of it); with
        ``relative_to="car"`` a share of what the car reaches from the same cell.
    relative_to : {None, "median", "car"}
    population : str, default "population"
    income_group : str, optional
        A column of ``cells`` (e.g. ``"income_decile"``): the summary per group too.
    car_mode : str, default "car"
        The mode of ``accessibility`` that ``relative_to="car"`` compares with.

    Returns
    -------
    Deserts

    Raises
    ------
    InvalidParameterError
        A line that is not a positive number (a share above 1 with a relative line), an
        unknown ``relative_to``, a mode or cutoff not in ``accessibility``.
    InvalidPointsError
        Missing columns, cells missing from ``cells``, negative or NaN population.
    """
    if relative_to not in RELATIVE_TO:
        raise InvalidParameterError(f"relative_to must be None, 'median' or 'car', got {relative_to!r}")
    if (
        not (isinstance(line, (int, float, np.number)) and not isinstance(line, bool) and np.isfinite(line))
        or line <= 0
    ):
        raise InvalidParameterError(f"line must be a positive number, got {line!r}")
    if relative_to is not None and line > 1:
        raise InvalidParameterError(
            f"a line relative to the {relative_to} is a share of it, in (0, 1]; got {line!r} "
            "(e.g. 0.5 for half)"
        )
    for name in ("id", "mode", column):
        if name not in accessibility.columns:
            raise InvalidPointsError(
                f"accessibility has no {name!r} column; it has {', '.join(map(str, accessibility.columns))}"
            )
    cutoff = _cutoff(accessibility, cutoff)
    times = "time" in accessibility.columns
    judged = _rows(accessibility, mode, cutoff, column, times)
    people = _people(cells, population, income_group)
    if relative_to == "car":
        car = _rows(accessibility, car_mode, cutoff, column, times).rename(columns={"value": "car"})
        judged = judged.merge(car, on=["id", *(["time"] if times else [])], how="left")
        with np.errstate(divide="ignore", invalid="ignore"):
            # Where the car reaches nothing, nothing is missed: the ratio is 1.
            judged["value"] = np.where(judged["car"] > 0, judged["value"] / judged["car"], 1.0)
        judged = judged.drop(columns="car")
    missing = sorted(set(judged["id"]) - set(people["id"]))
    if missing:
        raise InvalidPointsError(
            f"{len(missing)} cells of accessibility are not in cells, e.g. {', '.join(map(str, missing[:5]))}"
        )
    table = judged.merge(people, on="id", how="left")
    threshold = _threshold(table, line, relative_to, times)
    table["line"] = threshold
    with np.errstate(divide="ignore", invalid="ignore"):
        gap = np.where(threshold > 0, (threshold - table["value"]) / threshold, 0.0)
    table["shortfall"] = np.clip(gap, 0.0, None)
    table["desert"] = table["value"] < threshold
    table = table.rename(columns={"value": "accessibility"})
    by = ["time"] if times else []
    summary = _summary(table, by, income_group)
    hours = None
    if times:
        grouped = table.groupby("id", sort=False)
        clock = table["time"].dt.strftime("%H:%M").where(table["desert"])
        hours = pd.DataFrame({
            "hours": grouped["desert"].sum(),
            "times": clock.groupby(table["id"], sort=False).agg(lambda t: ", ".join(t.dropna())),
        }).reset_index()  # fmt: skip
    columns = ["id", *by, "accessibility", "line", "shortfall", "desert", "population"]
    columns += [income_group] if income_group else []
    return Deserts(
        cells=_with_shapes(table[columns], cells),
        summary=summary,
        desert_hours=hours,
        settings={
            "column": column, "mode": mode, "cutoff": cutoff, "line": line, "relative_to": relative_to,
            "threshold": None if relative_to == "car" or times else float(threshold[0]),
        },
    )  # fmt: skip


def weighted_quantile(values: np.ndarray, weights: np.ndarray, q: float) -> float:
    """The smallest value at or above which lies ``q`` % of the weight (50: the weighted median)."""
    order = np.argsort(values, kind="stable")
    cumulative = np.cumsum(weights[order])
    return float(values[order][np.searchsorted(cumulative, q / 100 * cumulative[-1])])


def _cutoff(accessibility, cutoff):
    if "cutoff" not in accessibility.columns:
        if cutoff is not None:
            raise InvalidParameterError("accessibility has no cutoff column: leave cutoff out")
        return None
    available = sorted(accessibility["cutoff"].dropna().unique())
    if cutoff is None:
        if len(available) != 1:
            raise InvalidParameterError(f"give one cutoff among {', '.join(f'{c:g}' for c in available)}")
        return available[0]
    if cutoff not in available:
        raise InvalidParameterError(
            f"cutoff {cutoff!r} is not in accessibility: {', '.join(f'{c:g}' for c in available)}"
        )
    return cutoff


def _rows(accessibility, mode, cutoff, column, times: bool) -> pd.DataFrame:
    """``id`` (and ``time``) and ``value``: ``column`` of one mode and cutoff."""
    rows = accessibility[accessibility["mode"] == mode]
    if cutoff is not None:
        rows = rows[rows["cutoff"] == cutoff]
    if rows.empty:
        modes = ", ".join(map(str, accessibility["mode"].unique()))
        raise InvalidParameterError(f"mode {mode!r} is not in accessibility (it has {modes})")
    if "percentile" in rows.columns and len(rows["percentile"].unique()) > 1:
        raise InvalidParameterError("accessibility has several percentiles: keep the rows of one first")
    keys = ["id", "time"] if times else ["id"]
    return pd.DataFrame(
        {**{k: rows[k].to_numpy() for k in keys}, "value": rows[column].to_numpy(dtype=float)}
    )


def _people(cells, population: str, income_group: str | None) -> pd.DataFrame:
    for name in ("id", population, *([income_group] if income_group else [])):
        if name not in cells.columns:
            raise InvalidPointsError(
                f"cells have no {name!r} column; they have {', '.join(map(str, cells.columns))}"
            )
    counts = pd.to_numeric(cells[population], errors="coerce")
    bad = cells.loc[~(counts >= 0), "id"]
    if len(bad):
        raise InvalidPointsError(
            f"cells column {population!r} must hold people (>= 0); {len(bad)} cells do not, e.g. ids "
            f"{', '.join(map(str, bad.iloc[:5]))} (fill missing ones with 0)"
        )
    people = pd.DataFrame({"id": cells["id"].to_numpy(), "population": counts.to_numpy(dtype=float)})
    if income_group:
        people[income_group] = cells[income_group].to_numpy()
    return people


def _threshold(table: pd.DataFrame, line: float, relative_to, times: bool) -> np.ndarray:
    """The line in the units compared, per row (per time for a profile's median)."""
    if relative_to != "median":
        return np.full(len(table), float(line))
    if not times:
        return np.full(
            len(table),
            line * weighted_quantile(table["value"].to_numpy(), table["population"].to_numpy(), 50),
        )
    medians = table.groupby("time")[["value", "population"]].apply(
        lambda rows: weighted_quantile(rows["value"].to_numpy(), rows["population"].to_numpy(), 50)
    )
    return line * table["time"].map(medians).to_numpy(dtype=float)


def _summary(table: pd.DataFrame, by: list[str], income_group: str | None) -> pd.DataFrame:
    def measures(rows: pd.DataFrame) -> pd.Series:
        weights = rows["population"].to_numpy()
        fgt0, fgt1, fgt2 = fgt(rows["shortfall"].to_numpy(), weights)
        return pd.Series({
            "population": weights.sum(), "in_deserts": weights[rows["desert"].to_numpy()].sum(),
            "fgt0": fgt0, "fgt1": fgt1, "fgt2": fgt2,
        })  # fmt: skip

    whole = table.groupby(by, sort=True).apply(measures).reset_index() if by else measures(table).to_frame().T
    if not income_group:
        return whole.reset_index(drop=True)
    groups = table.groupby([*by, income_group], sort=True, dropna=False).apply(measures).reset_index()
    whole[income_group] = "all"
    return pd.concat([groups, whole], ignore_index=True)[
        [*by, income_group, *whole.columns.drop([*by, income_group])]
    ]


def _with_shapes(table: pd.DataFrame, cells):
    """The table as a GeoDataFrame of the cells' shapes: polygons, H3 hexagons, or points."""
    import geopandas as gpd

    from .plot._base import _h3_hexagons

    hexagons = _h3_hexagons(table["id"])
    polygons = isinstance(cells, gpd.GeoDataFrame) and not cells.geom_type.isin(["Point"]).all()
    if polygons or (hexagons is None and isinstance(cells, gpd.GeoDataFrame)):
        shapes = cells.set_index("id").geometry
        return gpd.GeoDataFrame(table, geometry=shapes.reindex(table["id"]).to_numpy(), crs=cells.crs)
    if hexagons is None:
        return table
    return gpd.GeoDataFrame(table, geometry=hexagons, crs="EPSG:4326")
