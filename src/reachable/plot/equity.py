"""How accessibility is shared: Lorenz curves and boxes by income decile."""

from __future__ import annotations

from typing import TYPE_CHECKING

import numpy as np
import pandas as pd

from ..errors import InvalidParameterError
from ._base import (
    _capitalised,
    _check_column,
    _mode_phrase,
    _new_axes,
    _number,
)

if TYPE_CHECKING:
    from matplotlib.axes import Axes


def lorenz_points(values, weights) -> tuple[np.ndarray, np.ndarray]:
    """The Lorenz curve of ``values`` weighted by ``weights``: cumulative shares from (0, 0) to (1, 1).

    Cells are sorted by value; x is the share of people, y the share of the opportunities
    they reach in total. The Gini index is 1 - 2 x the area under the curve (trapezoids).
    """
    values, weights = np.asarray(values, float), np.asarray(weights, float)
    order = np.argsort(values, kind="stable")
    people = np.concatenate(([0.0], np.cumsum(weights[order])))
    reached = np.concatenate(([0.0], np.cumsum(weights[order] * values[order])))
    return people / people[-1], reached / reached[-1] if reached[-1] > 0 else people / people[-1]


def lorenz(
    acc, cells, *, column: str, population: str = "population", mode: str | None = None, cutoff=None,
    ax: Axes | None = None,
) -> Axes:  # fmt: skip
    """The Lorenz curve of accessibility over the people, with its Gini index, per mode.

    Parameters
    ----------
    acc : pandas.DataFrame
        ``id``, ``mode``, ``cutoff`` and ``column`` (e.g. :func:`reachable.accessibility`).
    cells : pandas.DataFrame
        ``id`` and the ``population`` column.
    column, population : str
    mode : str, optional
        One mode; default every mode of ``acc``, one curve each.
    cutoff : float, optional
        Minutes; may be left out when ``acc`` has one.
    ax : matplotlib.axes.Axes, optional

    Returns
    -------
    matplotlib.axes.Axes
        The curves, the line of equality, and the Gini index of each in the legend.
    """
    modes = [mode] if mode is not None or "mode" not in acc.columns else list(dict.fromkeys(acc["mode"]))
    ax = _new_axes(ax)
    for name in modes:
        rows, found_cutoff = _equity_rows(acc, column, name, cutoff)
        joined = rows[["id", column]].merge(cells[["id", population]], on="id", how="inner")
        x, y = lorenz_points(joined[column], joined[population].fillna(0))
        gini = 1.0 - np.sum(np.diff(x) * (y[1:] + y[:-1]))
        ax.plot(x, y, label=f"{name or column}: Gini {gini:.3f}")
    ax.plot([0, 1], [0, 1], color="grey", linewidth=0.8, linestyle="--", label="equality")
    ax.set_xlabel("share of the people, from the least to the best served")
    ax.set_ylabel(f"share of the {column} they reach")
    ax.set_xlim(0, 1)
    ax.set_ylim(0, 1)
    ax.set_aspect("equal")
    ax.legend(loc="upper left")
    within = f" within {_number(found_cutoff)} min" if found_cutoff is not None else ""
    ax.set_title(f"Who reaches the {column}{within}")
    return ax


def by_income(
    acc, cells, *, column: str, income: str = "income_decile", population: str = "population",
    mode: str | None = None, cutoff=None, ax: Axes | None = None,
) -> Axes:  # fmt: skip
    """Accessibility by income group: one box per group, weighted by the people of each cell.

    As in ipea's ``accessibility`` vignette: boxes of the cells' accessibility per income
    decile (or any group), the median as a line, whiskers at the 5th and 95th percentiles,
    each cell counted as many times as it has people (weighted quantiles).

    Parameters
    ----------
    acc : pandas.DataFrame
        ``id``, ``mode``, ``cutoff`` and ``column``.
    cells : pandas.DataFrame
        ``id``, ``income`` (the group, e.g. 1 poorest to 10 richest) and ``population``;
        cells without a group are left out.
    column, income, population : str
    mode : str, optional
        May be left out when ``acc`` has one mode.
    cutoff : float, optional
    ax : matplotlib.axes.Axes, optional

    Returns
    -------
    matplotlib.axes.Axes
    """
    from ..deserts import weighted_quantile

    if mode is None and "mode" in acc.columns:
        available = list(dict.fromkeys(acc["mode"]))
        if len(available) != 1:
            raise InvalidParameterError(f"give one mode among {', '.join(available)}")
        mode = available[0]
    rows, found_cutoff = _equity_rows(acc, column, mode, cutoff)
    for name in (income, population):
        if name not in cells.columns:
            raise InvalidParameterError(f"cells have no {name!r} column")
    joined = rows[["id", column]].merge(cells[["id", income, population]], on="id").dropna(subset=[income])
    stats = []
    groups = sorted(joined[income].unique())
    for group in groups:
        part = joined[joined[income] == group]
        values, weights = part[column].to_numpy(float), part[population].fillna(0).to_numpy(float)
        if weights.sum() <= 0:
            weights = np.ones_like(weights)
        quantiles = {q: weighted_quantile(values, weights, q) for q in (5, 25, 50, 75, 95)}
        stats.append({
            "label": f"{group:g}" if isinstance(group, (int, float, np.number)) else str(group),
            "whislo": quantiles[5], "q1": quantiles[25], "med": quantiles[50], "q3": quantiles[75],
            "whishi": quantiles[95], "fliers": [],
        })  # fmt: skip
    ax = _new_axes(ax)
    ax.bxp(stats, showfliers=False, patch_artist=True, boxprops={"facecolor": "#9ecae1"})
    ax.set_xlabel(f"{income.replace('_', ' ')} (poorest to richest)")
    within = f" within {_number(found_cutoff)} min" if found_cutoff is not None else ""
    ax.set_ylabel(f"{column} reachable{within}" + (f" {_mode_phrase(mode)}" if mode else ""))
    ax.yaxis.set_major_formatter(_thousands())
    ax.set_title(f"{_capitalised(column)} reachable by income group, weighted by population")
    return ax


def _equity_rows(acc, column: str, mode, cutoff):
    """The rows of one mode and cutoff of any accessibility frame (ours, ipea's, r5r's), and the cutoff."""
    if not isinstance(acc, pd.DataFrame) or "id" not in acc.columns:
        raise InvalidParameterError("acc must be a DataFrame of accessibility with an 'id' column")
    _check_column(acc, column)
    rows = acc if mode is None else acc[acc["mode"] == mode]
    if rows.empty:
        raise InvalidParameterError(
            f"mode {mode!r} is not in acc: {', '.join(map(str, acc['mode'].unique()))}"
        )
    if "cutoff" not in rows.columns:
        return rows, cutoff
    available = sorted(rows["cutoff"].unique())
    if cutoff is None and len(available) == 1:
        cutoff = available[0]
    if cutoff not in available:
        raise InvalidParameterError(f"give one cutoff among {', '.join(f'{c:g}' for c in available)}")
    return rows[rows["cutoff"] == cutoff], cutoff


def _thousands():
    from matplotlib.ticker import FuncFormatter

    return FuncFormatter(lambda x, _: f"{x:,.0f}")
