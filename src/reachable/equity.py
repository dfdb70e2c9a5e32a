"""How unequal accessibility is, and how many people lack it: Gini, Palma, Theil T, concentration, FGT.

>>> import reachable as rc
>>> access = rc.measures.cumulative_cutoff(matrix, land_use, columns="jobs", cutoffs=30)  # doctest: +SKIP
>>> rc.equity.gini_index(access, land_use, column="jobs", population="population")       # doctest: +SKIP
>>> rc.equity.fgt_poverty(access, land_use, column="jobs", population="population",
...                       poverty_line=50_000)                                          # doctest: +SKIP

The definitions are those of the ipea R package *accessibility*
(https://ipeagit.github.io/accessibility/), re-derived from its code: on its Belo Horizonte
sample they give its published values to every printed digit. Where ipea's documentation and
its code disagree, these functions follow the code; each docstring says where.

Conventions shared by every measure:

- ``accessibility`` is a DataFrame or GeoDataFrame with an ``id`` column, the ``column`` of
  accessibility levels and the ``group_by`` columns: ours (:func:`reachable.accessibility`,
  :mod:`reachable.measures`) or one read from r5r, r5py or ipea output. It holds one row per
  id within each group; a measure is computed for each group (e.g. ``group_by=("mode",
  "cutoff")``) and the result has one row per group, sorted by the group columns (missing
  keys last), then float64 measure columns. With no ``group_by``, the whole frame is one
  group. An empty ``accessibility`` gives an empty result.
- ``sociodemographic`` holds one row per ``id`` with the ``population`` of each cell (people,
  the weight of each cell) and, as needed, its ``income`` (per capita) or socioeconomic group.
  Each accessibility row takes the values of its id, as ipea's update join does: cells of
  ``sociodemographic`` absent from ``accessibility`` are ignored (only the Palma income
  percentiles use every cell), and ids of ``accessibility`` absent from ``sociodemographic``
  get a missing (NaN) population and income.
- Missing values propagate as in ipea: a NaN population or accessibility in a group makes its
  measure NaN, except in cells of zero population, whose terms weighted means leave out (R's
  ``weighted.mean`` sums ``(x * w)[w != 0]``). Each function warns (:class:`ReachableWarning`)
  when ids or values are missing.
"""

from __future__ import annotations

import warnings
from collections.abc import Sequence
from dataclasses import dataclass
from typing import NamedTuple

import numpy as np
import pandas as pd

from ._checks import examples, finite_number
from .errors import InvalidParameterError, InvalidPointsError, ReachableWarning

__all__ = [
    "TheilDecomposition",
    "concentration_index",
    "fgt_poverty",
    "gini_index",
    "palma_ratio",
    "theil_t",
]

CONCENTRATION_TYPES = ("standard", "corrected")
"""Values of ``type`` in :func:`concentration_index`."""

THEIL_COMPONENTS = ("between_group", "within_group", "total")
"""Values of ``component`` in the summary of :func:`theil_t`, in the order of its rows."""

PALMA_PERCENTILES = (0.4, 0.9)
"""Income percentiles that bound the poorest 40% and the wealthiest 10%."""


class TheilDecomposition(NamedTuple):
    """Theil T split into inequality between and within socioeconomic groups (ipea's list).

    Every frame starts with the ``group_by`` columns; rows are sorted by them.

    Attributes
    ----------
    summary : pandas.DataFrame
        ``component`` (``"between_group"``, ``"within_group"``, ``"total"``, in this order
        within each group), ``value`` (float64, dimensionless) and ``share_of_total`` (the
        component's fraction of the total, 1 for the total).
    within_group_component : pandas.DataFrame
        The groups column (one row per socioeconomic group, missing last), ``value`` (the
        group's Theil T times its share of all accessibility, summing to the within-group
        component) and ``share_of_component`` (``value`` over that sum).
    between_group_component : pandas.DataFrame
        The groups column and ``value``, ``s ln(s / p)`` with ``s`` the group's share of all
        accessibility and ``p`` its share of the population: the values sum to the
        between-group component, and a group with less than its share of accessibility
        counts negatively.
    """

    summary: pd.DataFrame
    within_group_component: pd.DataFrame
    between_group_component: pd.DataFrame


# --------------------------------------------------------------------------- inputs


@dataclass(frozen=True)
class _Cells:
    """Accessibility rows with the sociodemographic values of their ids, split into groups."""

    keys: pd.DataFrame
    """One row per group: its ``group_by`` values (no columns when there is no grouping)."""
    parts: list[np.ndarray]
    """Row positions of each group, in the order of the accessibility frame."""
    access: np.ndarray
    population: np.ndarray
    income: np.ndarray | None
    groups: pd.Series | None


def _name(value, parameter: str) -> str:
    if not isinstance(value, str):
        raise InvalidParameterError(f"{parameter} must be a column name (str), got {value!r}")
    return value


def _group_columns(group_by, column: str, reserved: Sequence[str]) -> list[str]:
    items = [group_by] if isinstance(group_by, str) else group_by
    try:
        items = list(items)
    except TypeError:
        raise InvalidParameterError(
            f"group_by must be a column name or a sequence of them, got {group_by!r}"
        ) from None
    not_str = [v for v in items if not isinstance(v, str)]
    if not_str:
        raise InvalidParameterError(f"group_by must hold column names (str), got {examples(not_str)}")
    if len(set(items)) != len(items):
        raise InvalidParameterError(f"group_by has repeated columns: {items}")
    clash = [v for v in items if v in ("id", column, *reserved)]
    if clash:
        raise InvalidParameterError(
            f"group_by cannot include {examples(clash)}: 'id' and {column!r} are what is measured, "
            f"and {examples(reserved)} name the output"
        )
    return items


def _require(frame, name: str, columns: Sequence[str]) -> None:
    if not isinstance(frame, pd.DataFrame):
        raise InvalidPointsError(f"{name} must be a pandas (Geo)DataFrame, got {type(frame).__name__}")
    missing = [c for c in dict.fromkeys(columns) if c not in frame.columns]
    if missing:
        raise InvalidPointsError(
            f"{name} has no column {examples(missing)} (columns found: {examples(frame.columns)}); "
            "name the right columns in the arguments, or rename them"
        )


def _numbers(frame: pd.DataFrame, name: str, column: str) -> np.ndarray:
    values = frame[column]
    if not pd.api.types.is_numeric_dtype(values) or pd.api.types.is_bool_dtype(values):
        raise InvalidPointsError(f"{name} column {column!r} must hold numbers, got dtype {values.dtype}")
    return values.to_numpy(dtype=np.float64, na_value=np.nan)


def _ids(frame: pd.DataFrame, name: str) -> pd.Index:
    ids = pd.Index(frame["id"])
    absent = np.flatnonzero(ids.isna())
    if len(absent):
        raise InvalidPointsError(f"{name} has {len(absent)} missing ids, at rows {examples(absent)}")
    return ids


def _split(accessibility: pd.DataFrame, group_by: list[str]) -> tuple[pd.DataFrame, list[np.ndarray]]:
    """The groups of ``group_by`` (sorted, missing keys last) and the row positions of each."""
    n = len(accessibility)
    if not group_by:
        keys = pd.DataFrame(index=pd.RangeIndex(1 if n else 0))
        return keys, [np.arange(n)] if n else []
    if n == 0:
        return pd.DataFrame(accessibility[group_by].iloc[:0]).reset_index(drop=True), []
    try:
        codes = accessibility.groupby(group_by, sort=True, dropna=False).ngroup().to_numpy()
    except TypeError:  # keys of mixed types cannot be sorted
        codes = accessibility.groupby(group_by, sort=False, dropna=False).ngroup().to_numpy()
    # a stable sort keeps each group's rows in the frame's order, which breaks income ties
    order = np.argsort(codes, kind="stable")
    parts = np.split(order, np.cumsum(np.bincount(codes))[:-1])
    keys = pd.DataFrame(accessibility[group_by].iloc[[part[0] for part in parts]]).reset_index(drop=True)
    return keys, parts


def _one_row_per_id(accessibility: pd.DataFrame, column: str, group_by: list[str]) -> None:
    """Refuse ids repeated within a group: their people would be counted more than once."""
    repeated = accessibility.duplicated(subset=[*group_by, "id"], keep=False).to_numpy()
    if not repeated.any():
        return
    rows = accessibility[repeated]
    pairs = len(rows.drop_duplicates(subset=[*group_by, "id"]))
    varying = []
    for other in rows.columns:
        if other in ("id", column, *group_by):
            continue
        try:
            if len(rows.drop_duplicates(subset=[*group_by, "id", other])) > pairs:
                varying.append(other)
        except TypeError:  # geometries and other unhashable values tell nothing here
            continue
    hint = (
        f"add the columns that tell them apart to group_by, e.g. group_by={(*group_by, *varying)!r}"
        if varying
        else "keep one row per id in each group"
    )
    ids = rows["id"].drop_duplicates()
    raise InvalidPointsError(
        f"accessibility has {len(ids)} ids on several rows of the same group "
        f"(group_by={tuple(group_by)!r}): {examples(ids)}; {hint}"
    )


def _warn(message: str) -> None:
    # point at the user's call, above _warn, _cells and the public function
    warnings.warn(message, ReachableWarning, stacklevel=4)


def _cells(
    accessibility,
    sociodemographic,
    *,
    column,
    population,
    group_by,
    reserved: Sequence[str],
    income=None,
    groups=None,
) -> _Cells:
    """Check the inputs, join each accessibility row to its id's population (income, group)."""
    column = _name(column, "column")
    population = _name(population, "population")
    income = None if income is None else _name(income, "income")
    groups = None if groups is None else _name(groups, "groups")
    group_by = _group_columns(group_by, column, (*reserved, *([groups] if groups else [])))
    _require(accessibility, "accessibility", ["id", column, *group_by])
    _require(sociodemographic, "sociodemographic", ["id", population, *(c for c in (income, groups) if c)])

    access = _numbers(accessibility, "accessibility", column)
    people = _numbers(sociodemographic, "sociodemographic", population)
    known = pd.Index(_ids(sociodemographic, "sociodemographic"))
    if not known.is_unique:
        repeated = known[known.duplicated()].unique()
        raise InvalidPointsError(
            f"sociodemographic has {len(repeated)} duplicate ids: {examples(repeated)}; keep one row per cell"
        )
    for problem, bad in (("negative", people < 0), ("infinite", np.isinf(people))):
        if bad.any():
            raise InvalidPointsError(
                f"sociodemographic column {population!r} has {int(bad.sum())} {problem} values, "
                f"at ids {examples(known[bad])}; population counts people, 0 or more"
            )
    ids = _ids(accessibility, "accessibility")
    _one_row_per_id(accessibility, column, group_by)

    position = known.get_indexer(ids)
    found = position >= 0
    if len(ids) and not found.any():
        raise InvalidPointsError(
            f"no id of accessibility is in sociodemographic['id'] (e.g. {examples(ids[:3])} against "
            f"{examples(known[:3])}, dtypes {ids.dtype} and {known.dtype}); join on the same ids"
        )
    if not found.all():
        absent = ids[~found].unique()
        _warn(
            f"{len(absent)} ids of accessibility are absent from sociodemographic: {examples(absent)}; "
            "their population and income are unknown (NaN), as in ipea, so the measure is NaN "
            "for their groups (Palma leaves them out)"
        )

    def joined(values: np.ndarray) -> np.ndarray:
        return np.where(found, values[np.where(found, position, 0)], np.nan)

    cell_people = joined(people)
    unknown = found & np.isnan(cell_people)
    if unknown.any():
        _warn(
            f"sociodemographic column {population!r} is missing (NaN) for {int(unknown.sum())} cells "
            f"of accessibility, e.g. ids {examples(ids[unknown].unique())}: the measure is NaN for "
            "their groups"
        )
    cell_income = None
    if income is not None:
        cell_income = joined(_numbers(sociodemographic, "sociodemographic", income))
        unranked = found & np.isnan(cell_income) & ~(cell_people == 0)
        if unranked.any():
            _warn(
                f"sociodemographic column {income!r} is missing (NaN) for {int(unranked.sum())} cells "
                f"with people, e.g. ids {examples(ids[unranked].unique())}: palma_ratio leaves them "
                "out and concentration_index ranks them below the poorest, as ipea does"
            )
    cell_groups = None
    if groups is not None:
        labels = sociodemographic[groups].array.take(position, allow_fill=True)
        cell_groups = pd.Series(labels, name=groups)
        unlabelled = found & cell_groups.isna().to_numpy()
        if unlabelled.any():
            _warn(
                f"sociodemographic column {groups!r} is missing for {int(unlabelled.sum())} cells, "
                f"e.g. ids {examples(ids[unlabelled].unique())}: they form a group of their own, as in "
                "ipea; if they have no people, the within-group component and the total are NaN "
                "(leave those cells out of accessibility, as ipea's example does)"
            )
    keys, parts = _split(accessibility, group_by)
    return _Cells(keys, parts, access, cell_people, cell_income, cell_groups)


def _table(keys: pd.DataFrame, values: dict[str, list[float]]) -> pd.DataFrame:
    result = keys.copy()
    for name, column in values.items():
        result[name] = np.asarray(column, dtype=np.float64)
    return result


# --------------------------------------------------------------------------- arithmetic


def _weighted_mean(x: np.ndarray, w: np.ndarray) -> float:
    """R's ``weighted.mean``: terms of weight 0 are left out, so their NaN values do not count."""
    counted = w != 0  # True for a NaN weight, which makes the mean NaN, as in R
    return np.sum(x[counted] * w[counted]) / np.sum(w)


def _income_order(income: np.ndarray) -> np.ndarray:
    """Rows from the poorest up, ties in row order, missing incomes first (data.table's order)."""
    missing = np.isnan(income)
    ranked = np.flatnonzero(~missing)
    return np.concatenate([np.flatnonzero(missing), ranked[np.argsort(income[ranked], kind="stable")]])


def _hmisc_percentiles(income: np.ndarray, people: np.ndarray, probs: Sequence[float]) -> list[float]:
    """Population-weighted percentiles of ``Hmisc::wtd.quantile(type = "quantile")``, former algorithm.

    Cells without income or people are dropped; the people at each distinct income are
    summed into ``w``; with ``N = sum(w)``, the percentile ``p`` sits at the order statistic
    ``1 + (N - 1) p``, interpolated between the incomes at ranks ``floor`` and ``floor + 1``,
    the income at rank ``r`` being the lowest whose cumulated people reach ``r``.
    """
    usable = ~(np.isnan(income) | np.isnan(people) | (people == 0))
    levels, inverse = np.unique(income[usable], return_inverse=True)
    cumulated = np.cumsum(np.bincount(inverse, weights=people[usable]))
    total = cumulated[-1]

    def at_rank(rank: float) -> float:
        return levels[min(np.searchsorted(cumulated, rank, side="left"), len(levels) - 1)]

    result = []
    for p in probs:
        order = 1 + (total - 1) * p
        low = max(np.floor(order), 1.0)
        fraction = order % 1
        result.append((1 - fraction) * at_rank(low) + fraction * at_rank(min(low + 1, total)))
    return result


def _theil(x: np.ndarray, mean: float, w: np.ndarray) -> float:
    ratio = x / mean
    return _weighted_mean(ratio * np.log(ratio), w)


# --------------------------------------------------------------------------- measures


def gini_index(
    accessibility: pd.DataFrame,
    sociodemographic: pd.DataFrame,
    *,
    column: str,
    population: str,
    group_by: str | Sequence[str] = (),
) -> pd.DataFrame:
    """Population-weighted Gini index of accessibility (ipea ``gini_index``).

    Cells are sorted by accessibility; with ``p_i`` each cell's share of the people and
    ``L_i`` the cumulated share of person-weighted accessibility (``L_0 = 0``), the Lorenz
    curve is drawn by trapezoids and ``G = 1 - sum_i (L_(i-1) + L_i) p_i``. 0 when everyone
    has the same accessibility; the larger, the more unequal. Cells tied in accessibility
    give the same value in any order.

    Parameters
    ----------
    accessibility : pandas.DataFrame or geopandas.GeoDataFrame
        ``id``, ``column`` and the ``group_by`` columns; one row per id in each group.
    sociodemographic : pandas.DataFrame
        ``id`` (unique) and ``population``.
    column : str
        Accessibility levels (opportunities reached, any non-negative unit).
    population : str
        Column of ``sociodemographic`` with the people of each cell (>= 0; NaN allowed).
    group_by : str or sequence of str, default ()
        Columns of ``accessibility`` that split it into groups measured apart (e.g.
        ``("mode", "cutoff")``); the whole frame is one group by default.

    Returns
    -------
    pandas.DataFrame
        The ``group_by`` columns and ``gini_index`` (float64): NaN for a group with no
        people, no accessibility at all (all zero), or a missing value.

    Raises
    ------
    InvalidParameterError
        Column names that are not strings, ``group_by`` naming ``id``, ``column`` or the
        output, or repeating a column.
    InvalidPointsError
        Frames or columns missing, non-numeric values, negative or infinite population,
        missing or duplicate ids, ids repeated within a group, no id in common.

    Warns
    -----
    ReachableWarning
        Ids of ``accessibility`` absent from ``sociodemographic``, missing populations.
    """
    cells = _cells(
        accessibility,
        sociodemographic,
        column=column,
        population=population,
        group_by=group_by,
        reserved=("gini_index",),
    )
    values = []
    with np.errstate(divide="ignore", invalid="ignore"):
        for part in cells.parts:
            order = part[np.argsort(cells.access[part], kind="stable")]
            x, w = cells.access[order], cells.population[order]
            mass = w * x
            lorenz = np.cumsum(mass) / np.sum(mass)
            previous = np.concatenate(([0.0], lorenz[:-1]))
            values.append(1.0 - np.sum((previous + lorenz) * (w / np.sum(w))))
    return _table(cells.keys, {"gini_index": values})


def palma_ratio(
    accessibility: pd.DataFrame,
    sociodemographic: pd.DataFrame,
    *,
    column: str,
    population: str,
    income: str,
    group_by: str | Sequence[str] = (),
) -> pd.DataFrame:
    """Mean accessibility of the wealthiest 10% over that of the poorest 40% (ipea ``palma_ratio``).

    The 40th and 90th population-weighted percentiles of income per capita are taken over
    every cell of ``sociodemographic`` (whether in ``accessibility`` or not). The poorest are
    the cells with income at most the 40th percentile (cells tied with it included), the
    wealthiest those with income above the 90th (cells tied with it left out); the ratio is
    the population-weighted mean accessibility of the wealthiest over that of the poorest.
    Above 1, the wealthiest reach more.

    Parameters
    ----------
    accessibility : pandas.DataFrame or geopandas.GeoDataFrame
        ``id``, ``column`` and the ``group_by`` columns; one row per id in each group.
    sociodemographic : pandas.DataFrame
        ``id`` (unique), ``population`` and ``income``.
    column : str
        Accessibility levels (opportunities reached, any non-negative unit).
    population : str
        Column of ``sociodemographic`` with the people of each cell (>= 0; NaN allowed).
    income : str
        Column of ``sociodemographic`` with the income per capita of each cell (any currency,
        not the cell's total income); NaN where unknown.
    group_by : str or sequence of str, default ()
        Columns of ``accessibility`` that split it into groups measured apart.

    Returns
    -------
    pandas.DataFrame
        The ``group_by`` columns and ``palma_ratio`` (float64): NaN for a group with no
        cell among the poorest or none among the wealthiest, ``inf`` if the poorest reach
        nothing.

    Raises
    ------
    InvalidParameterError
        Column names that are not strings, a bad ``group_by``.
    InvalidPointsError
        As :func:`gini_index`; also a non-numeric income, or no cell of ``sociodemographic``
        with both an income and people (the percentiles are undefined).

    Warns
    -----
    ReachableWarning
        Ids of ``accessibility`` absent from ``sociodemographic``, missing populations,
        missing incomes of cells with people.

    Notes
    -----
    ipea's documentation speaks of the richest 10% and the poorest 40% of the population;
    its code, followed here, classifies whole cells by the percentiles above, so the two
    groups hold about, not exactly, 10% and 40% of the people. The percentiles are those
    ``Hmisc::wtd.quantile`` computed when ipea published its results (the order statistic
    ``1 + (N - 1) p`` of the people); Hmisc has since changed that algorithm, and ipea run
    with the new one gives other ratios (3.7608 instead of the published 3.8005 on its Belo
    Horizonte example).
    """
    cells = _cells(
        accessibility,
        sociodemographic,
        column=column,
        population=population,
        income=income,
        group_by=group_by,
        reserved=("palma_ratio",),
    )
    everyone_income = _numbers(sociodemographic, "sociodemographic", income)
    everyone = _numbers(sociodemographic, "sociodemographic", population)
    if not (~np.isnan(everyone_income) & (everyone > 0)).any():
        raise InvalidPointsError(
            f"sociodemographic has no cell with both an {income!r} and people in {population!r}: "
            "the income percentiles that define the poorest and the wealthiest are undefined"
        )
    poorest_top, wealthiest_floor = _hmisc_percentiles(everyone_income, everyone, PALMA_PERCENTILES)
    values = []
    with np.errstate(divide="ignore", invalid="ignore"):
        for part in cells.parts:
            x, w, money = cells.access[part], cells.population[part], cells.income[part]
            poorest, wealthiest = money <= poorest_top, money > wealthiest_floor
            if poorest.any() and wealthiest.any():
                values.append(
                    _weighted_mean(x[wealthiest], w[wealthiest]) / _weighted_mean(x[poorest], w[poorest])
                )
            else:
                values.append(np.nan)
    return _table(cells.keys, {"palma_ratio": values})


def theil_t(
    accessibility: pd.DataFrame,
    sociodemographic: pd.DataFrame,
    *,
    column: str,
    population: str,
    groups: str | None = None,
    group_by: str | Sequence[str] = (),
) -> pd.DataFrame | TheilDecomposition:
    """Population-weighted Theil T index, optionally split between and within groups (ipea ``theil_t``).

    With ``mu`` the population-weighted mean accessibility,
    ``T = sum_i w_i (x_i / mu) ln(x_i / mu) / sum_i w_i``: 0 when everyone has the same
    accessibility, larger when it is concentrated. With ``groups`` (a socioeconomic group of
    each cell, e.g. ``income_decile``), ``T`` is the sum of a between-group component
    ``sum_g s_g ln(s_g / p_g)`` (``s_g``, ``p_g``: the group's share of all person-weighted
    accessibility and of the people) and a within-group component ``sum_g s_g T_g``
    (``T_g``: the Theil T inside group ``g``).

    Parameters
    ----------
    accessibility : pandas.DataFrame or geopandas.GeoDataFrame
        ``id``, ``column`` and the ``group_by`` columns; one row per id in each group.
    sociodemographic : pandas.DataFrame
        ``id`` (unique), ``population`` and, if given, ``groups``.
    column : str
        Accessibility levels (opportunities reached, any non-negative unit).
    population : str
        Column of ``sociodemographic`` with the people of each cell (>= 0; NaN allowed).
    groups : str, optional
        Column of ``sociodemographic`` with the socioeconomic group of each cell (any
        values; the groups should cover everyone without overlapping).
    group_by : str or sequence of str, default ()
        Columns of ``accessibility`` that split it into groups measured apart.

    Returns
    -------
    pandas.DataFrame or TheilDecomposition
        Without ``groups``: the ``group_by`` columns and ``theil_t`` (float64). With
        ``groups``: a :class:`TheilDecomposition` of three frames (summary, within- and
        between-group components), like ipea's list.

    Raises
    ------
    InvalidParameterError
        Column names that are not strings, a bad ``group_by`` (or one naming ``groups``).
    InvalidPointsError
        As :func:`gini_index`.

    Warns
    -----
    ReachableWarning
        Ids of ``accessibility`` absent from ``sociodemographic``, missing populations or
        groups.

    Notes
    -----
    ipea's documentation describes the usual index (from 0 for equal accessibility up to
    ``ln n``), whose terms of zero accessibility count as ``0 ln 0 = 0``; its code, followed
    here, treats them otherwise. Without ``groups``, cells of
    zero accessibility are left out of the sum and of the people that divide it, though not
    of the mean ``mu`` (so the value differs from the usual one when people reach nothing;
    ipea omits the group when nobody reaches anything, here it is NaN). With ``groups``,
    they stay in, and a cell with people and zero accessibility makes the within-group
    component and the total NaN. Cells whose group is missing form a group of their own;
    when they have no people, the within-group component is NaN (ipea's example leaves
    those cells out first).
    """
    cells = _cells(
        accessibility,
        sociodemographic,
        column=column,
        population=population,
        groups=groups,
        group_by=group_by,
        reserved=("theil_t", "component", "value", "share_of_total", "share_of_component"),
    )
    if groups is None:
        values = []
        with np.errstate(divide="ignore", invalid="ignore"):
            for part in cells.parts:
                x, w = cells.access[part], cells.population[part]
                reached = x > 0
                values.append(_theil(x[reached], _weighted_mean(x, w), w[reached]))
        return _table(cells.keys, {"theil_t": values})

    if not cells.parts:
        labels = cells.groups.iloc[:0]
        empty = (
            pd.DataFrame({"component": pd.Series([], dtype=str), "value": [], "share_of_total": []}),
            pd.DataFrame({groups: labels, "value": [], "share_of_component": []}),
            pd.DataFrame({groups: labels, "value": []}),
        )
        return TheilDecomposition(*(_keyed(cells.keys, frame) for frame in empty))
    frames: list[list[pd.DataFrame]] = [[], [], []]
    with np.errstate(divide="ignore", invalid="ignore"):
        for k, part in enumerate(cells.parts):
            parts = _theil_parts(cells.access[part], cells.population[part], cells.groups.iloc[part])
            for collected, frame in zip(frames, parts, strict=True):
                collected.append(_keyed(cells.keys.iloc[[k]], frame))
    return TheilDecomposition(*(pd.concat(collected, ignore_index=True) for collected in frames))


def _keyed(key: pd.DataFrame, frame: pd.DataFrame) -> pd.DataFrame:
    """``frame`` with the ``group_by`` values of ``key`` (one group, or none if empty) on each row."""
    if len(key.columns) == 0:
        return frame.reset_index(drop=True)
    repeated = key.iloc[np.zeros(len(frame), dtype=np.intp)].reset_index(drop=True)
    return pd.concat([repeated, frame.reset_index(drop=True)], axis=1)


def _theil_parts(
    x: np.ndarray, w: np.ndarray, labels: pd.Series
) -> tuple[pd.DataFrame, pd.DataFrame, pd.DataFrame]:
    """Summary, within- and between-group frames of one ``group_by`` group (ipea's formulas)."""
    mean = _weighted_mean(x, w)
    codes, uniques = pd.factorize(labels, sort=True, use_na_sentinel=False)
    members = [codes == g for g in range(len(uniques))]
    # each group's total accessibility and people are plain sums, so a NaN anywhere counts
    group_access = np.array([np.sum(x[m] * w[m]) for m in members])
    group_people = np.array([np.sum(w[m]) for m in members])
    group_theil = np.array([_theil(x[m], _weighted_mean(x[m], w[m]), w[m]) for m in members])
    access_share = group_access / np.sum(group_access)
    people_share = group_people / np.sum(group_people)

    between = _theil(group_access / group_people, mean, group_people)
    contributions = group_theil * access_share
    within = np.sum(contributions)
    components = np.array([between, within, between + within])
    summary = pd.DataFrame(
        {
            "component": list(THEIL_COMPONENTS),
            "value": components,
            # ipea's 2 value / sum(values), the three values summing to twice the total
            "share_of_total": 2 * components / np.sum(components),
        }
    )
    name = labels.name
    within_frame = pd.DataFrame(
        {name: uniques, "value": contributions, "share_of_component": contributions / within}
    )
    between_frame = pd.DataFrame({name: uniques, "value": access_share * np.log(access_share / people_share)})
    return summary, within_frame, between_frame


def concentration_index(
    accessibility: pd.DataFrame,
    sociodemographic: pd.DataFrame,
    *,
    column: str,
    population: str,
    income: str,
    type: str = "standard",
    group_by: str | Sequence[str] = (),
) -> pd.DataFrame:
    """How much accessibility favours the rich (> 0) or the poor (< 0) (ipea ``concentration_index``).

    Cells are ranked by income, poorest first; with ``p_i`` each cell's share of the people,
    its fractional rank is ``r_i = sum_(j<i) p_j + p_i / 2`` and, with ``mu`` the
    population-weighted mean accessibility, the standard index is
    ``C = 2 sum_i p_i (r_i - 1/2) (x_i - mu) / mu`` (twice the weighted covariance of rank and
    accessibility over the mean), between -1 and 1. The corrected index (Erreygers) is
    ``E = 4 mu C / (max x - min x)``, with the maximum and minimum accessibility of the group.

    Parameters
    ----------
    accessibility : pandas.DataFrame or geopandas.GeoDataFrame
        ``id``, ``column`` and the ``group_by`` columns; one row per id in each group.
    sociodemographic : pandas.DataFrame
        ``id`` (unique), ``population`` and ``income``.
    column : str
        Accessibility levels (opportunities reached, any non-negative unit).
    population : str
        Column of ``sociodemographic`` with the people of each cell (>= 0; NaN allowed).
    income : str
        Column of ``sociodemographic`` ranking cells from the least to the most privileged:
        income per capita, or any numeric socioeconomic status; NaN where unknown.
    type : {"standard", "corrected"}, default "standard"
        The standard relative index or Erreygers' corrected one.
    group_by : str or sequence of str, default ()
        Columns of ``accessibility`` that split it into groups measured apart.

    Returns
    -------
    pandas.DataFrame
        The ``group_by`` columns and ``concentration_index`` (float64): NaN for a group
        with no people or no accessibility, and for the corrected index where everyone has
        the same accessibility (``0 x 4 mu / 0``, as in ipea; the standard index is 0).

    Raises
    ------
    InvalidParameterError
        ``type`` other than "standard" or "corrected", column names that are not strings, a
        bad ``group_by``.
    InvalidPointsError
        As :func:`gini_index`; also a non-numeric income.

    Warns
    -----
    ReachableWarning
        Ids of ``accessibility`` absent from ``sociodemographic``, missing populations,
        missing incomes of cells with people.

    Notes
    -----
    Cells of equal income are ranked in the order of their rows in ``accessibility`` (a
    stable sort, as ipea's; ipea's frames are sorted by id), and cells without income are
    ranked below the poorest, where ipea's sort puts them. ipea's documentation presents
    the corrected index as Erreygers' (2009), whose bounds are those the variable can take;
    its code, followed here, uses the lowest and highest accessibility observed in the
    group.
    """
    if type not in CONCENTRATION_TYPES:
        raise InvalidParameterError(f"type must be 'standard' or 'corrected', got {type!r}")
    cells = _cells(
        accessibility,
        sociodemographic,
        column=column,
        population=population,
        income=income,
        group_by=group_by,
        reserved=("concentration_index",),
    )
    values = []
    with np.errstate(divide="ignore", invalid="ignore"):
        for part in cells.parts:
            order = part[_income_order(cells.income[part])]
            x, w = cells.access[order], cells.population[order]
            share = w / np.sum(w)
            rank = np.concatenate(([0.0], np.cumsum(share)[:-1])) + share / 2
            mean = _weighted_mean(x, w)
            terms = (rank - 0.5) * (x - mean) * share / mean
            if type == "corrected":
                terms = terms * (4 * mean / (np.max(x) - np.min(x)))
            values.append(2 * np.sum(terms))
    return _table(cells.keys, {"concentration_index": values})


def fgt_poverty(
    accessibility: pd.DataFrame,
    sociodemographic: pd.DataFrame,
    *,
    column: str,
    population: str,
    poverty_line: float,
    group_by: str | Sequence[str] = (),
) -> pd.DataFrame:
    """Foster-Greer-Thorbecke measures of accessibility poverty: FGT0, FGT1, FGT2 (ipea ``fgt_poverty``).

    A person is poor when their accessibility ``x`` is below the poverty line ``z``
    (``x < z``; at the line is not poor). With the normalised shortfall
    ``g = (z - x) / z`` of the poor (0 for the others), ``FGT_a`` is the population-weighted
    mean of ``g ** a`` over poor people (``g ** 0 = 1``): FGT0 is the share of people in
    poverty, FGT1 the mean shortfall (poverty gap index), FGT2 the mean squared shortfall,
    which weighs the poorest most. All are 0 when nobody is poor; FGT0 is 1 when everyone is,
    and FGT1 and FGT2 reach 1 only if nobody reaches anything.

    Parameters
    ----------
    accessibility : pandas.DataFrame or geopandas.GeoDataFrame
        ``id``, ``column`` and the ``group_by`` columns; one row per id in each group.
    sociodemographic : pandas.DataFrame
        ``id`` (unique) and ``population``.
    column : str
        Accessibility levels (opportunities reached, any non-negative unit).
    population : str
        Column of ``sociodemographic`` with the people of each cell (>= 0; NaN allowed).
    poverty_line : float
        Accessibility below which people are poor, in the unit of ``column``: a finite
        number >= 0 (0: nobody is poor).
    group_by : str or sequence of str, default ()
        Columns of ``accessibility`` that split it into groups measured apart.

    Returns
    -------
    pandas.DataFrame
        The ``group_by`` columns and ``FGT0``, ``FGT1``, ``FGT2`` (float64, from 0 to 1):
        NaN for a group with no people or a missing value.

    Raises
    ------
    InvalidParameterError
        ``poverty_line`` not a finite number >= 0, column names that are not strings, a bad
        ``group_by``.
    InvalidPointsError
        As :func:`gini_index`.

    Warns
    -----
    ReachableWarning
        Ids of ``accessibility`` absent from ``sociodemographic``, missing populations.

    Notes
    -----
    ipea's documentation says FGT1 and FGT2 "approach 1" when everyone is poor; its code,
    as here, gives their mean shortfalls, which are 1 only for zero accessibility. ipea 1.5
    added ``poor_below_threshold = FALSE`` for measures where more is worse (travel time to
    the closest opportunity); here poverty is always accessibility below the line.
    """
    line = finite_number(poverty_line, "poverty_line")
    if line < 0:
        raise InvalidParameterError(f"poverty_line must be >= 0, got {poverty_line!r}")
    cells = _cells(
        accessibility,
        sociodemographic,
        column=column,
        population=population,
        group_by=group_by,
        reserved=("FGT0", "FGT1", "FGT2"),
    )
    values: dict[str, list[float]] = {"FGT0": [], "FGT1": [], "FGT2": []}
    with np.errstate(divide="ignore", invalid="ignore"):
        for part in cells.parts:
            x, w = cells.access[part], cells.population[part]
            shortfall = np.where(x < line, (line - x) / line, 0.0)
            shortfall[np.isnan(x)] = np.nan  # ipea leaves them unset: neither poor nor not
            for name, value in zip(values, fgt(shortfall, w), strict=True):
                values[name].append(value)
    return _table(cells.keys, values)


def fgt(shortfall: np.ndarray, weights: np.ndarray) -> tuple[float, float, float]:
    """FGT0, FGT1 and FGT2 of shortfalls, weighted by people (the arithmetic of :func:`fgt_poverty`).

    ``shortfall`` is each cell's gap to the poverty line as a share of it (0 at or above the
    line, NaN where unknown, which makes the measures NaN as in ipea's code); NaN without
    people.
    """
    poor = shortfall > 0
    measures = []
    with np.errstate(divide="ignore", invalid="ignore"):
        for alpha in (0, 1, 2):
            measure = np.where(poor, shortfall**alpha, 0.0)
            measure[np.isnan(shortfall)] = np.nan
            measures.append(float(_weighted_mean(measure, weights)))
    return measures[0], measures[1], measures[2]
