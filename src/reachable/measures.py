"""Accessibility measures computed from a travel matrix and counts of opportunities.

The definitions are those of the ipea R package *accessibility*
(https://ipeagit.github.io/accessibility/): same formulas, same ``<=`` conventions, same
values where an origin reaches too little. Differences are listed in each docstring.

Conventions shared by every measure:

- ``travel_matrix`` is a DataFrame with ``from_id``, ``to_id`` and a cost column
  (``travel_time`` by default, in minutes; any other non-negative cost works if cutoffs
  and decay parameters are given in the same unit). A NaN or infinite cost means the
  destination is not reachable: the row is left out, exactly as if it were absent. Rows
  repeated for the same pair are all counted.
- ``opportunities`` is a DataFrame or GeoDataFrame with an ``id`` column and numeric
  columns of counts (jobs, schools, population, ...), one row per place. It holds the
  opportunities at destinations and, for measures with competition, the demand at origins
  (as ipea's ``land_use_data``). Every id of the matrix that a measure needs must be there.
- The result is a DataFrame with ``id`` (origins for active measures, destinations for
  passive ones, sorted), sometimes a parameter column (``cutoff``, ``n``), then one float64
  column per name in ``columns``. Every id of the matrix appears, with 0 where nothing is
  reached (cost measures give ``inf`` or NaN there, see each function).
"""

from __future__ import annotations

import math
from collections.abc import Callable, Sequence
from dataclasses import dataclass

import numpy as np
import pandas as pd

from ._checks import EXAMPLES as _EXAMPLES
from ._checks import column_names as _column_names
from ._checks import examples as _examples
from ._checks import finite_number as _number
from ._checks import numbers as _numbers
from .decay import weights
from .errors import InvalidParameterError, InvalidPointsError

__all__ = [
    "balancing_cost",
    "cost_to_closest",
    "cumulative_cutoff",
    "cumulative_interval",
    "floating_catchment",
    "gravity",
    "spatial_availability",
]


# --------------------------------------------------------------------------- parameters


def _string(value, name: str) -> str:
    if not isinstance(value, str):
        raise InvalidParameterError(f"{name} must be a column name (str), got {value!r}")
    return value


def _flag(value, name: str) -> bool:
    if not isinstance(value, (bool, np.bool_)):
        raise InvalidParameterError(f"{name} must be True or False, got {value!r}")
    return bool(value)


# --------------------------------------------------------------------------- inputs


@dataclass(frozen=True)
class _Matrix:
    """A checked travel matrix: sorted unique ids and the reachable rows as codes."""

    origins: pd.Index
    destinations: pd.Index
    from_code: np.ndarray
    to_code: np.ndarray
    cost: np.ndarray

    def subset(self, keep: np.ndarray) -> _Matrix:
        return _Matrix(
            self.origins, self.destinations, self.from_code[keep], self.to_code[keep], self.cost[keep]
        )


def _factorize(ids: pd.Series) -> tuple[np.ndarray, pd.Index]:
    try:
        codes, uniques = pd.factorize(ids, sort=True)
    except TypeError:  # ids of mixed types cannot be sorted
        codes, uniques = pd.factorize(ids, sort=False)
    return codes.astype(np.intp, copy=False), pd.Index(uniques)


def _read_matrix(travel_matrix, travel_cost: str) -> _Matrix:
    travel_cost = _string(travel_cost, "travel_cost")
    if not isinstance(travel_matrix, pd.DataFrame):
        raise InvalidPointsError(
            f"travel_matrix must be a pandas DataFrame, got {type(travel_matrix).__name__}"
        )
    missing = [c for c in ("from_id", "to_id", travel_cost) if c not in travel_matrix.columns]
    if missing:
        raise InvalidPointsError(
            f"travel_matrix has no column {_examples(missing)}; it needs from_id, to_id and the "
            f"cost column {travel_cost!r} (columns found: {_examples(travel_matrix.columns)})"
        )
    if len(travel_matrix) == 0:
        raise InvalidPointsError("travel_matrix is empty")
    cost_column = travel_matrix[travel_cost]
    if not pd.api.types.is_numeric_dtype(cost_column) or pd.api.types.is_bool_dtype(cost_column):
        raise InvalidPointsError(
            f"travel_matrix column {travel_cost!r} must be numeric, got dtype {cost_column.dtype}"
        )
    for column in ("from_id", "to_id"):
        absent = np.flatnonzero(travel_matrix[column].isna().to_numpy())
        if len(absent):
            raise InvalidPointsError(
                f"travel_matrix has {len(absent)} missing {column} values, at rows {_examples(absent)}"
            )
    cost = cost_column.to_numpy(dtype=np.float64, na_value=np.nan)
    negative = np.flatnonzero(cost < 0)
    if len(negative):
        pairs = zip(
            travel_matrix["from_id"].to_numpy()[negative[:_EXAMPLES]],
            travel_matrix["to_id"].to_numpy()[negative[:_EXAMPLES]],
            strict=True,
        )
        raise InvalidPointsError(
            f"travel_matrix column {travel_cost!r} has {len(negative)} negative costs, e.g. "
            f"(from_id, to_id) {_examples(list(pairs))}"
        )
    from_code, origins = _factorize(travel_matrix["from_id"])
    to_code, destinations = _factorize(travel_matrix["to_id"])
    reachable = np.isfinite(cost)
    return _Matrix(origins, destinations, from_code[reachable], to_code[reachable], cost[reachable])


def _read_opportunities(opportunities, names: Sequence[str]) -> tuple[pd.Index, dict[str, np.ndarray]]:
    """Check the opportunities frame and the named count columns; return ids and counts."""
    if not isinstance(opportunities, pd.DataFrame):
        raise InvalidPointsError(
            f"opportunities must be a pandas (Geo)DataFrame, got {type(opportunities).__name__}"
        )
    if len(opportunities) == 0:
        raise InvalidPointsError("opportunities is empty")
    if "id" not in opportunities.columns:
        raise InvalidPointsError("opportunities has no 'id' column; add one naming each place")
    ids = pd.Index(opportunities["id"])
    absent = np.flatnonzero(ids.isna())
    if len(absent):
        raise InvalidPointsError(f"opportunities has {len(absent)} missing ids, at rows {_examples(absent)}")
    if not ids.is_unique:
        repeated = ids[ids.duplicated()].unique()
        raise InvalidPointsError(f"opportunities has {len(repeated)} duplicate ids: {_examples(repeated)}")
    counts = {}
    for name in dict.fromkeys(names):
        if name not in opportunities.columns:
            raise InvalidPointsError(
                f"opportunities has no column {name!r} (columns found: {_examples(opportunities.columns)})"
            )
        column = opportunities[name]
        if not pd.api.types.is_numeric_dtype(column):
            raise InvalidPointsError(
                f"opportunities column {name!r} must hold numbers, got dtype {column.dtype}"
            )
        values = column.to_numpy(dtype=np.float64, na_value=np.nan)
        for problem, bad in (
            ("missing (NaN)", np.isnan(values)),
            ("infinite", np.isinf(values)),
            ("negative", values < 0),
        ):
            if bad.any():
                raise InvalidPointsError(
                    f"opportunities column {name!r} has {int(bad.sum())} {problem} values, "
                    f"at ids {_examples(ids[bad])}"
                )
        counts[name] = values
    return ids, counts


def _at(ids: pd.Index, counts: dict[str, np.ndarray], where: pd.Index, names, side: str) -> np.ndarray:
    """Counts of ``names`` at the places ``where`` (rows) as a (len(where), len(names)) array."""
    position = ids.get_indexer(where)
    absent = where[position < 0]
    if len(absent):
        hint = ""
        if ids.dtype != where.dtype:
            hint = (
                f" (travel_matrix ids are {where.dtype}, opportunities ids are {ids.dtype}: "
                "convert one to the other)"
            )
        raise InvalidPointsError(
            f"{len(absent)} {side} ids of travel_matrix are absent from opportunities['id']: "
            f"{_examples(absent)}{hint}"
        )
    return np.column_stack([counts[name][position] for name in names])


def _decayed(matrix: _Matrix, decay) -> tuple[_Matrix, np.ndarray]:
    """Drop the rows beyond the decay's ``max_cost`` (weight 0) and weigh the others."""
    max_cost = getattr(decay, "max_cost", math.inf)
    if math.isfinite(max_cost):
        matrix = matrix.subset(matrix.cost <= max_cost)
    return matrix, weights(decay, matrix.cost)


def _sides(matrix: _Matrix, active: bool):
    """(group codes, other-end codes, output ids, other-end ids, other-end label)."""
    if active:
        return matrix.from_code, matrix.to_code, matrix.origins, matrix.destinations, "destination"
    return matrix.to_code, matrix.from_code, matrix.destinations, matrix.origins, "origin"


def _sum_by(codes: np.ndarray, weights: np.ndarray, size: int) -> np.ndarray:
    return np.bincount(codes, weights=weights, minlength=size).astype(np.float64, copy=False)


def _frame(ids: pd.Index, values: dict[str, np.ndarray], extra: dict | None = None) -> pd.DataFrame:
    data = {"id": ids}
    data.update(extra or {})
    data.update({name: np.asarray(v, dtype=np.float64) for name, v in values.items()})
    return pd.DataFrame(data)


def _no_nan(values: np.ndarray) -> np.ndarray:
    """R's ``sum(..., na.rm = TRUE)``: terms that are NaN (0/0, inf*0) count as 0."""
    return np.where(np.isnan(values), 0.0, values)


# --------------------------------------------------------------------------- measures


def cumulative_cutoff(
    travel_matrix: pd.DataFrame,
    opportunities: pd.DataFrame,
    *,
    columns: str | Sequence[str],
    cutoffs: float | Sequence[float],
    travel_cost: str = "travel_time",
    active: bool = True,
) -> pd.DataFrame:
    """Opportunities reachable within a travel cost cutoff (ipea ``cumulative_cutoff``).

    Active: ``A_i(T) = sum_j O_j [t_ij <= T]``, the opportunities at the destinations an
    origin reaches at a cost of at most ``T`` (a destination exactly at the cutoff counts).
    Passive (``active=False``): ``A_j(T) = sum_i O_i [t_ij <= T]``, e.g. the population
    that can reach each destination, with counts taken at the origins.

    Parameters
    ----------
    travel_matrix : pandas.DataFrame
        ``from_id``, ``to_id`` and the ``travel_cost`` column (minutes by default; NaN means
        not reachable).
    opportunities : pandas.DataFrame or geopandas.GeoDataFrame
        ``id`` and the count columns named in ``columns``.
    columns : str or sequence of str
        Count columns of ``opportunities`` to sum (jobs, schools, ...).
    cutoffs : float or sequence of float
        Cutoffs > 0, in the unit of the travel cost (minutes by default).
    travel_cost : str, default "travel_time"
        Cost column of ``travel_matrix``.
    active : bool, default True
        Sum opportunities at destinations for each origin (True) or at origins for each
        destination (False).

    Returns
    -------
    pandas.DataFrame
        ``id`` (origins if active, destinations if passive, sorted), ``cutoff`` when several
        cutoffs are given (rows sorted by id then cutoff), then one float64 column of counts
        per name in ``columns``; 0 where nothing is reached.

    Raises
    ------
    InvalidPointsError
        Malformed frames: missing columns, non-numeric, NaN, infinite or negative counts,
        negative costs, matrix ids absent from ``opportunities``, empty frames.
    InvalidParameterError
        Cutoffs that are not finite numbers > 0, or repeated.

    Notes
    -----
    ipea accepts a cutoff of 0; here cutoffs must be > 0.
    """
    names = _column_names(columns, reserved=("cutoff",))
    values_ = _numbers(cutoffs, "cutoffs")
    if any(v <= 0 for v in values_):
        raise InvalidParameterError(f"cutoffs must be > 0, got {values_}")
    cut = np.sort(np.asarray(values_, dtype=np.float64))
    active = _flag(active, "active")
    matrix = _read_matrix(travel_matrix, travel_cost)
    ids, counts = _read_opportunities(opportunities, names)
    group, other, out_ids, other_ids, side = _sides(matrix, active)
    at_other = _at(ids, counts, other_ids, names, side)

    # each row counts from the first cutoff >= its cost on: bin it there, then cumulate
    first = np.searchsorted(cut, matrix.cost, side="left")
    keep = first < len(cut)
    n_ids, n_cut = len(out_ids), len(cut)
    bins = group[keep] * n_cut + first[keep]
    result = {}
    for k, name in enumerate(names):
        binned = _sum_by(bins, at_other[other[keep], k], n_ids * n_cut).reshape(n_ids, n_cut)
        result[name] = np.cumsum(binned, axis=1).ravel()
    if n_cut == 1:
        return _frame(out_ids, result)
    return _frame(out_ids.repeat(n_cut), result, {"cutoff": np.tile(cut, n_ids)})


def cumulative_interval(
    travel_matrix: pd.DataFrame,
    opportunities: pd.DataFrame,
    *,
    columns: str | Sequence[str],
    interval: Sequence[float],
    interval_increment: float = 1,
    summary: str = "median",
    travel_cost: str = "travel_time",
    active: bool = True,
) -> pd.DataFrame:
    """Median or mean of cumulative accessibility over a range of cutoffs (ipea ``cumulative_interval``).

    The time interval cumulative measure of Tomasiello et al. (2023): the cutoffs are
    ``start, start + increment, ...`` up to ``end`` (R's ``seq.int(start, end, by =
    increment)``: ``end`` is included only if it falls on the grid); for each cutoff the
    :func:`cumulative_cutoff` value is computed, and the result is their median or mean,
    truncated to an integer as ipea does (``as.integer``: 2.8 opportunities reach 2).

    Parameters
    ----------
    travel_matrix : pandas.DataFrame
        ``from_id``, ``to_id`` and the ``travel_cost`` column (minutes by default; NaN means
        not reachable).
    opportunities : pandas.DataFrame or geopandas.GeoDataFrame
        ``id`` and the count columns named in ``columns``.
    columns : str or sequence of str
        Count columns of ``opportunities``.
    interval : (float, float)
        Start and end of the range of cutoffs, ``0 <= start < end``, in the unit of the
        travel cost (minutes by default).
    interval_increment : float, default 1
        Gap between consecutive cutoffs, > 0, same unit.
    summary : {"median", "mean"}, default "median"
        How the cumulative values of the cutoffs are summarised.
    travel_cost : str, default "travel_time"
        Cost column of ``travel_matrix``.
    active : bool, default True
        Active (by origin) or passive (by destination, counts at origins) accessibility.

    Returns
    -------
    pandas.DataFrame
        ``id`` (sorted) and one float64 column per name in ``columns``, holding whole
        numbers.

    Raises
    ------
    InvalidPointsError
        Malformed frames (see :func:`cumulative_cutoff`).
    InvalidParameterError
        An interval that is not two finite numbers ``0 <= start < end``, an increment that
        is not > 0, an unknown summary.
    """
    names = _column_names(columns)
    if isinstance(interval, (str, bytes)) or np.ndim(interval) != 1 or len(interval) != 2:
        raise InvalidParameterError(f"interval must be two numbers (start, end), got {interval!r}")
    start, end = (_number(v, "interval") for v in interval)
    if not 0 <= start < end:
        raise InvalidParameterError(f"interval must satisfy 0 <= start < end, got {list(interval)}")
    increment = _number(interval_increment, "interval_increment")
    if increment <= 0:
        raise InvalidParameterError(f"interval_increment must be > 0, got {interval_increment!r}")
    if summary not in ("median", "mean"):
        raise InvalidParameterError(f"summary must be 'median' or 'mean', got {summary!r}")
    active = _flag(active, "active")
    cut = start + np.arange(int((end - start) / increment + 1e-10) + 1) * increment
    matrix = _read_matrix(travel_matrix, travel_cost)
    ids, counts = _read_opportunities(opportunities, names)
    group, other, out_ids, other_ids, side = _sides(matrix, active)
    at_other = _at(ids, counts, other_ids, names, side)

    # A(c_k) is non-decreasing in k, so its median is its middle value(s) and its mean
    # weighs each row by the number of cutoffs that include it.
    n_cut, n_ids = len(cut), len(out_ids)
    first = np.searchsorted(cut, matrix.cost, side="left")
    keep = first < n_cut
    group, other, first = group[keep], other[keep], first[keep]
    result = {}
    for k, name in enumerate(names):
        value = at_other[other, k]
        if summary == "mean":
            summarised = _sum_by(group, value * (n_cut - first), n_ids) / n_cut
        else:
            middle = sorted({(n_cut - 1) // 2, n_cut // 2})
            summarised = np.mean(
                [_sum_by(group[first <= m], value[first <= m], n_ids) for m in middle], axis=0
            )
        result[name] = np.floor(np.round(summarised, 9))
    return _frame(out_ids, result)


def gravity(
    travel_matrix: pd.DataFrame,
    opportunities: pd.DataFrame,
    *,
    columns: str | Sequence[str],
    decay: Callable[[np.ndarray], np.ndarray],
    travel_cost: str = "travel_time",
    active: bool = True,
) -> pd.DataFrame:
    """Gravity accessibility: opportunities weighted by a decay of the cost (ipea ``gravity``).

    Active: ``A_i = sum_j O_j f(t_ij)``; passive: ``A_j = sum_i O_i f(t_ij)``.

    Parameters
    ----------
    travel_matrix : pandas.DataFrame
        ``from_id``, ``to_id`` and the ``travel_cost`` column (minutes by default; NaN means
        not reachable).
    opportunities : pandas.DataFrame or geopandas.GeoDataFrame
        ``id`` and the count columns named in ``columns``.
    columns : str or sequence of str
        Count columns of ``opportunities``.
    decay : reachable.decay.Decay
        Weight of a cost, e.g. ``decay.exponential(0.1)`` with beta per minute. Any callable
        returning one weight >= 0 per cost also works; rows beyond its ``max_cost`` (if it
        has one) are skipped.
    travel_cost : str, default "travel_time"
        Cost column of ``travel_matrix``.
    active : bool, default True
        Active (by origin) or passive (by destination, counts at origins) accessibility.

    Returns
    -------
    pandas.DataFrame
        ``id`` (sorted) and one float64 column of weighted counts per name in ``columns``.

    Raises
    ------
    InvalidPointsError
        Malformed frames (see :func:`cumulative_cutoff`).
    InvalidParameterError
        A decay that is not callable or returns bad weights.
    """
    names = _column_names(columns)
    active = _flag(active, "active")
    matrix = _read_matrix(travel_matrix, travel_cost)
    ids, counts = _read_opportunities(opportunities, names)
    group, other, out_ids, other_ids, side = _sides(matrix, active)
    at_other = _at(ids, counts, other_ids, names, side)
    matrix, weight = _decayed(matrix, decay)
    group, other, *_ = _sides(matrix, active)
    result = {name: _sum_by(group, at_other[other, k] * weight, len(out_ids)) for k, name in enumerate(names)}
    return _frame(out_ids, result)


def floating_catchment(
    travel_matrix: pd.DataFrame,
    opportunities: pd.DataFrame,
    *,
    columns: str | Sequence[str],
    demand: str,
    decay: Callable[[np.ndarray], np.ndarray],
    method: str = "2sfca",
    travel_cost: str = "travel_time",
) -> pd.DataFrame:
    """Floating catchment area accessibility, with competition (ipea ``floating_catchment_area``).

    With ``w_ij = f(t_ij)``, opportunities ``O_j`` at destinations and demand ``P_i`` at
    origins (both read from ``opportunities``):

    - ``"2sfca"`` (Luo & Wang, 2003): ``R_j = O_j / sum_i P_i w_ij`` (opportunities per
      person competing for destination j), then ``A_i = sum_j R_j w_ij``. With a binary
      decay, ``sum_i P_i A_i`` equals the opportunities at the destinations that somebody
      reaches.
    - ``"bfca"`` (balanced FCA, Paez et al., 2019): the weights are normalised by origin,
      ``w_ij / sum_j w_ij``, to spread the demand, and by destination,
      ``w_ij / sum_i w_ij``, to spread the level of service:
      ``R_j = O_j / sum_i P_i w_ij / sum_k w_ik`` and ``A_i = sum_j R_j w_ij / sum_k w_kj``.
      Each origin's demand is counted once in total (``sum_j`` of the balanced demand is
      ``sum_i P_i``), and ``sum_i A_i = sum_j R_j``.

    As in ipea, terms that are 0/0 (a destination no demand reaches, an origin with all
    weights 0) count as 0; a destination with opportunities whose catchment holds only
    zero demand has ``R_j = inf``, which reaches the origins with positive weight to it.

    Parameters
    ----------
    travel_matrix : pandas.DataFrame
        ``from_id``, ``to_id`` and the ``travel_cost`` column (minutes by default; NaN means
        not reachable).
    opportunities : pandas.DataFrame or geopandas.GeoDataFrame
        ``id``, the count columns named in ``columns`` (read at destinations) and the
        ``demand`` column (read at origins).
    columns : str or sequence of str
        Opportunity columns (jobs, hospital beds, ...).
    demand : str
        Column of competing people at each origin (e.g. population).
    decay : reachable.decay.Decay
        Weight of a cost, e.g. ``decay.binary(30)`` for 30 minutes.
    method : {"2sfca", "bfca"}, default "2sfca"
        Which measure.
    travel_cost : str, default "travel_time"
        Cost column of ``travel_matrix``.

    Returns
    -------
    pandas.DataFrame
        ``id`` of the origins (sorted) and one float64 column per name in ``columns``:
        opportunities per person.

    Raises
    ------
    InvalidPointsError
        Malformed frames (see :func:`cumulative_cutoff`), including origins absent from
        ``opportunities`` (their demand is needed).
    InvalidParameterError
        An unknown method or a bad decay.

    Notes
    -----
    A NaN cost drops the row; in ipea a NaN weight makes BFCA's sums NaN.
    """
    names = _column_names(columns)
    demand = _string(demand, "demand")
    if method not in ("2sfca", "bfca"):
        raise InvalidParameterError(f"method must be '2sfca' or 'bfca', got {method!r}")
    matrix = _read_matrix(travel_matrix, travel_cost)
    ids, counts = _read_opportunities(opportunities, [*names, demand])
    supply = _at(ids, counts, matrix.destinations, names, "destination")
    people = _at(ids, counts, matrix.origins, [demand], "origin")[:, 0]
    matrix, weight = _decayed(matrix, decay)
    i, j = matrix.from_code, matrix.to_code
    n_i, n_j = len(matrix.origins), len(matrix.destinations)
    with np.errstate(divide="ignore", invalid="ignore"):
        if method == "2sfca":
            served = _sum_by(j, people[i] * weight, n_j)
            spread = weight
        else:
            by_origin = weight / _sum_by(i, weight, n_i)[i]
            served = _sum_by(j, _no_nan(people[i] * by_origin), n_j)
            spread = weight / _sum_by(j, weight, n_j)[j]
        ratio = supply / served[:, None]
        result = {name: _sum_by(i, _no_nan(ratio[j, k] * spread), n_i) for k, name in enumerate(names)}
    return _frame(matrix.origins, result)


def cost_to_closest(
    travel_matrix: pd.DataFrame,
    opportunities: pd.DataFrame,
    *,
    columns: str | Sequence[str],
    n: float | Sequence[float] = 1,
    travel_cost: str = "travel_time",
    active: bool = True,
) -> pd.DataFrame:
    """Lowest cost at which ``n`` opportunities are reached (ipea ``cost_to_closest``).

    For ``n == 1``: the cost of the cheapest destination holding any opportunity (count
    > 0, even a fraction). For ``n > 1``: destinations are taken by increasing cost and
    their counts added up; the result is the cost at which the running total first reaches
    ``n`` (``>= n``).

    Parameters
    ----------
    travel_matrix : pandas.DataFrame
        ``from_id``, ``to_id`` and the ``travel_cost`` column (minutes by default; NaN means
        not reachable).
    opportunities : pandas.DataFrame or geopandas.GeoDataFrame
        ``id`` and the count columns named in ``columns``.
    columns : str or sequence of str
        Count columns of ``opportunities``; each gets its own cost column.
    n : float or sequence of float, default 1
        Number of opportunities to reach, >= 1. Several values add an ``n`` column.
    travel_cost : str, default "travel_time"
        Cost column of ``travel_matrix``.
    active : bool, default True
        Cost from each origin to opportunities at destinations (True), or from people at
        origins to each destination (False).

    Returns
    -------
    pandas.DataFrame
        ``id`` (sorted), ``n`` when several are given (rows sorted by id then n), then per
        name in ``columns`` the lowest cost in the unit of the travel cost (minutes by
        default); ``inf`` where fewer than ``n`` opportunities are reachable, as ipea fills
        missing ids.

    Raises
    ------
    InvalidPointsError
        Malformed frames (see :func:`cumulative_cutoff`).
    InvalidParameterError
        ``n`` not finite and >= 1, or repeated.

    Notes
    -----
    Unlike ipea, which names the output column after the cost column, each output column is
    named after its opportunity column, so several columns can be computed at once.
    """
    names = _column_names(columns, reserved=("n",))
    ns = _numbers(n, "n")
    if any(v < 1 for v in ns):
        raise InvalidParameterError(f"n must be >= 1, got {ns}")
    ns.sort()
    active = _flag(active, "active")
    matrix = _read_matrix(travel_matrix, travel_cost)
    ids, counts = _read_opportunities(opportunities, names)
    group, other, out_ids, other_ids, side = _sides(matrix, active)
    at_other = _at(ids, counts, other_ids, names, side)
    n_ids = len(out_ids)

    result = {}
    for k, name in enumerate(names):
        value = at_other[other, k]
        useful = value > 0
        g, cost, value = group[useful], matrix.cost[useful], value[useful]
        order = np.lexsort((cost, g))
        g, cost, value = g[order], cost[order], value[order]
        total = pd.Series(value).groupby(g).cumsum().to_numpy()
        columns_ = []
        for target in ns:
            lowest = np.full(n_ids, np.inf)
            hit = np.ones(len(g), dtype=bool) if target == 1 else total >= target
            rows = np.flatnonzero(hit)
            first_groups, first = np.unique(g[rows], return_index=True)
            lowest[first_groups] = cost[rows[first]]
            columns_.append(lowest)
        result[name] = np.column_stack(columns_).ravel()
    if len(ns) == 1:
        return _frame(out_ids, result)
    return _frame(out_ids.repeat(len(ns)), result, {"n": np.tile(np.asarray(ns, dtype=np.float64), n_ids)})


def balancing_cost(
    travel_matrix: pd.DataFrame,
    opportunities: pd.DataFrame,
    *,
    columns: str | Sequence[str],
    demand: str,
    cost_increment: float = 1,
    travel_cost: str = "travel_time",
) -> pd.DataFrame:
    """Cost needed to reach more opportunities than there are people (ipea ``balancing_cost``).

    The balancing time of Barboza et al. (2021): for origin i with demand ``P_i``, the
    lowest cost ``c`` on the grid ``0, cost_increment, 2 * cost_increment, ...`` (up to the
    highest cost of the whole matrix, as R's ``seq.int(0, max, by = cost_increment)``) such
    that ``sum_j O_j [t_ij <= c] > P_i``. The comparison is strict, as in ipea's code
    (its documentation says "as many opportunities as people").

    Parameters
    ----------
    travel_matrix : pandas.DataFrame
        ``from_id``, ``to_id`` and the ``travel_cost`` column (minutes by default; NaN means
        not reachable).
    opportunities : pandas.DataFrame or geopandas.GeoDataFrame
        ``id``, the count columns named in ``columns`` (read at destinations) and the
        ``demand`` column (read at origins).
    columns : str or sequence of str
        Opportunity columns (jobs, ...); each gets its own cost column.
    demand : str
        Column of people at each origin (e.g. population).
    cost_increment : float, default 1
        Resolution of the costs tried, > 0, in the unit of the travel cost (1 minute).
    travel_cost : str, default "travel_time"
        Cost column of ``travel_matrix``.

    Returns
    -------
    pandas.DataFrame
        ``id`` of the origins (sorted) and per name in ``columns`` the balancing cost, in
        the unit of the travel cost. 0 for origins with no demand; NaN for origins that
        never reach more opportunities than their demand within the grid (ipea's NA).

    Raises
    ------
    InvalidPointsError
        Malformed frames (see :func:`cumulative_cutoff`).
    InvalidParameterError
        ``cost_increment`` not a finite number > 0.
    """
    names = _column_names(columns)
    demand = _string(demand, "demand")
    increment = _number(cost_increment, "cost_increment")
    if increment <= 0:
        raise InvalidParameterError(f"cost_increment must be > 0, got {cost_increment!r}")
    matrix = _read_matrix(travel_matrix, travel_cost)
    ids, counts = _read_opportunities(opportunities, [*names, demand])
    supply = _at(ids, counts, matrix.destinations, names, "destination")
    people = _at(ids, counts, matrix.origins, [demand], "origin")[:, 0]
    n_ids = len(matrix.origins)
    highest = matrix.cost.max() if len(matrix.cost) else 0.0
    grid = np.arange(int(highest / increment + 1e-10) + 1) * increment

    order = np.lexsort((matrix.cost, matrix.from_code))
    g, cost, j = matrix.from_code[order], matrix.cost[order], matrix.to_code[order]
    result = {}
    for k, name in enumerate(names):
        total = pd.Series(supply[j, k]).groupby(g).cumsum().to_numpy()
        rows = np.flatnonzero(total > people[g])
        first_groups, first = np.unique(g[rows], return_index=True)
        step = np.searchsorted(grid, cost[rows[first]], side="left")
        balanced = np.full(n_ids, np.nan)
        found = step < len(grid)
        balanced[first_groups[found]] = grid[step[found]]
        balanced[people == 0] = 0.0
        result[name] = balanced
    return _frame(matrix.origins, result)


def spatial_availability(
    travel_matrix: pd.DataFrame,
    opportunities: pd.DataFrame,
    *,
    columns: str | Sequence[str],
    demand: str,
    decay: Callable[[np.ndarray], np.ndarray],
    alpha: float = 1.0,
    travel_cost: str = "travel_time",
) -> pd.DataFrame:
    """Spatial availability: opportunities shared out among competing origins (ipea ``spatial_availability``).

    Soukhov et al. (2023): each destination's opportunities are split among the origins in
    proportion to their demand (to the power ``alpha``) times the decayed cost,
    ``V_i = sum_j O_j * P_i^alpha f(t_ij) / sum_k P_k^alpha f(t_kj)``. The opportunities of
    each destination that somebody reaches are allocated exactly once, so ``sum_i V_i``
    equals their total.

    Parameters
    ----------
    travel_matrix : pandas.DataFrame
        ``from_id``, ``to_id`` and the ``travel_cost`` column (minutes by default; NaN means
        not reachable).
    opportunities : pandas.DataFrame or geopandas.GeoDataFrame
        ``id``, the count columns named in ``columns`` (read at destinations) and the
        ``demand`` column (read at origins).
    columns : str or sequence of str
        Opportunity columns (jobs, ...).
    demand : str
        Column of competing people at each origin (e.g. population).
    decay : reachable.decay.Decay
        Weight of a cost, e.g. ``decay.exponential(0.1)`` with beta per minute.
    alpha : float, default 1.0
        Exponent of the demand, >= 0: below 1 favours smaller origins, above 1 larger ones.
    travel_cost : str, default "travel_time"
        Cost column of ``travel_matrix``.

    Returns
    -------
    pandas.DataFrame
        ``id`` of the origins (sorted) and one float64 column per name in ``columns``:
        opportunities available to each origin.

    Raises
    ------
    InvalidPointsError
        Malformed frames (see :func:`cumulative_cutoff`).
    InvalidParameterError
        ``alpha`` not a finite number >= 0, or a bad decay.

    Notes
    -----
    A destination that no demand reaches with positive weight (a 0/0 share) allocates
    nothing here; in ipea the NaN share spreads to the result of every origin with a row to
    that destination.
    """
    names = _column_names(columns)
    demand = _string(demand, "demand")
    alpha = _number(alpha, "alpha")
    if alpha < 0:
        raise InvalidParameterError(f"alpha must be >= 0, got {alpha!r}")
    matrix = _read_matrix(travel_matrix, travel_cost)
    ids, counts = _read_opportunities(opportunities, [*names, demand])
    supply = _at(ids, counts, matrix.destinations, names, "destination")
    people = _at(ids, counts, matrix.origins, [demand], "origin")[:, 0]
    matrix, weight = _decayed(matrix, decay)
    i, j = matrix.from_code, matrix.to_code
    pull = people[i] ** alpha * weight
    with np.errstate(divide="ignore", invalid="ignore"):
        share = _no_nan(pull / _sum_by(j, pull, len(matrix.destinations))[j])
    result = {name: _sum_by(i, supply[j, k] * share, len(matrix.origins)) for k, name in enumerate(names)}
    return _frame(matrix.origins, result)
