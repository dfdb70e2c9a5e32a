"""Accessibility through the day: the profile of :func:`reachable.accessibility_profile`."""

from __future__ import annotations

from collections.abc import Sequence
from typing import TYPE_CHECKING

import numpy as np
import pandas as pd

from .._checks import examples, names
from ..errors import InvalidParameterError
from ._base import (
    _KEY_COLUMNS,
    _capitalised,
    _listing,
    _mode_phrase,
    _mode_rows,
    _ordinal,
    _reach,
)

if TYPE_CHECKING:
    from matplotlib.axes import Axes

_BAND = (10, 90)
"""Percentiles of the origins' shares shaded around the median of a profile."""
_TICK_STEPS = (15, 30, 60, 120, 180, 240, 360, 720, 1440)
"""Minutes between labelled ticks of a profile, the smallest leaving at most 12 labels: whole
hours, or quarters of an hour for a profile of less than three hours."""


def _check_profile(prof, column: str) -> float:
    """Check a frame of :func:`reachable.accessibility_profile`; the total of ``column``."""
    if not isinstance(prof, pd.DataFrame):
        raise InvalidParameterError(
            f"prof must be the frame of reachable.accessibility_profile, got {type(prof).__name__}"
        )
    if len(prof) == 0:
        raise InvalidParameterError("prof is empty: nothing to draw")
    missing = [c for c in ("id", "mode", "time") if c not in prof.columns]
    if missing:
        raise InvalidParameterError(
            f"prof has no {', '.join(map(repr, missing))} column: pass the frame returned by "
            "reachable.accessibility_profile"
        )
    geometry = prof.geometry.name if hasattr(prof, "geometry") else None
    values = [c for c in prof.columns if c not in (*_KEY_COLUMNS, "time", geometry)]
    if column not in values:
        raise InvalidParameterError(f"column {column!r} is not in prof; available: {_listing(values)}")
    if not pd.api.types.is_numeric_dtype(prof[column]):
        raise InvalidParameterError(f"column {column!r} is not numeric ({prof[column].dtype})")
    total = prof.attrs.get("totals", {}).get(column)
    if total is None:
        raise InvalidParameterError(
            f"prof.attrs['totals'] has no total of {column!r} to divide by: pass the frame returned by "
            f"reachable.accessibility_profile, or set prof.attrs['totals'] = {{{column!r}: <total>}}"
        )
    if not (np.isfinite(total) and total > 0):
        raise InvalidParameterError(
            f"the total of {column!r} is {total!r}: a share needs a positive number of {column}"
        )
    return float(total)


def _profile_rows(prof, mode, cutoff, percentile):
    """One mode's rows at one cutoff and percentile; each origin once per time."""
    rows, cutoff, percentile = _mode_rows(prof, mode, cutoff, percentile, "prof")
    if rows.duplicated(["id", "time"]).any():
        raise InvalidParameterError(
            "some origins appear more than once at a time for this mode and cutoff; pass the frame "
            "returned by reachable.accessibility_profile unchanged"
        )
    return rows, cutoff, percentile


def _clock_axis(ax, times: pd.DatetimeIndex) -> None:
    """Clock times on the x axis, "(+1 day)" under those of the days after the first."""
    import matplotlib.dates as mdates
    from matplotlib.ticker import FuncFormatter

    first = times.min().normalize()
    minutes = (times.max() - times.min()) / pd.Timedelta(minutes=1)
    step = next((s for s in _TICK_STEPS if minutes / s <= 12), _TICK_STEPS[-1])

    def label(x, _) -> str:
        moment = pd.Timestamp(mdates.num2date(x)).tz_localize(None)
        days = (moment.normalize() - first).days
        return f"{moment:%H:%M}" + (f"\n(+{days} day{'s' if days > 1 else ''})" if days else "")

    if step < 60:
        ax.xaxis.set_major_locator(mdates.MinuteLocator(byminute=range(0, 60, step)))
    else:
        ax.xaxis.set_major_locator(mdates.HourLocator(byhour=range(0, 24, step // 60)))
        if step > 60:
            ax.xaxis.set_minor_locator(mdates.HourLocator())
    ax.xaxis.set_major_formatter(FuncFormatter(label))
    pad = pd.Timedelta(minutes=15)
    ax.set_xlim(mdates.date2num(times.min() - pad), mdates.date2num(times.max() + pad))


def profile(
    prof,
    column: str,
    cutoff: float | None = None,
    *,
    mode: str | Sequence[str] | None = None,
    percentile: float | None = None,
    place=None,
    ax: Axes | None = None,
    title: str | None = None,
) -> Axes:
    """Draw the share of the opportunities reachable through the day, one line per mode.

    For each mode and time, the median over the origins (each origin counting once) of the
    share of all the opportunities that an origin reaches, with the band from the 10th to
    the 90th percentile of the origins shaded in the mode's colour. The x axis shows clock
    times (hours labelled; the days after the first marked "(+1 day)"), the y axis percent.

    Parameters
    ----------
    prof : pandas.DataFrame
        The result of :func:`reachable.accessibility_profile`: ``id``, ``mode``, ``time``,
        ``cutoff``, ``percentile`` (when several), count columns; ``prof.attrs["totals"]``
        holds each column's total over the opportunities, and ``prof.attrs["by"]`` whether
        the times are departures or arrival deadlines.
    column : str
        The count column to draw, e.g. ``"jobs"``.
    cutoff : float, optional
        Minutes, one of the cutoffs in ``prof``; may be left out when there is only one.
    mode : str or list of str, optional
        The modes to draw, in this order; default every mode of ``prof``.
    percentile : float, optional
        One of the values of the ``percentile`` column (when several).
    place : optional
        The ``id`` of an origin: its own share is drawn too, dashed, for each mode.
    ax : matplotlib.axes.Axes, optional
        Where to draw; default a new 10 x 5 inch figure.
    title : str, optional
        Default: what is drawn, e.g. "Share of jobs reachable within 45 min" and whether
        the times are departures or arrival deadlines.

    Returns
    -------
    matplotlib.axes.Axes
        The axes: one median line and one shaded band per mode (and one dashed line per
        mode for ``place``), the y axis in percent from 0, and a legend.

    Raises
    ------
    InvalidParameterError
        ``prof`` is not a frame of :func:`reachable.accessibility_profile` or has no total
        for ``column`` in its attrs; the column, a mode, the cutoff, percentile or place is
        not in it (the message lists what is available); ``mode`` is empty.
    """
    import matplotlib.dates as mdates
    from matplotlib.patches import Patch
    from matplotlib.ticker import PercentFormatter

    total = _check_profile(prof, column)
    modes = list(pd.unique(prof["mode"])) if mode is None else names(mode, "mode", what="mode name")
    # The first mode settles the cutoff and percentile left out, the others must have them.
    _, cutoff, percentile = _profile_rows(prof, modes[0], cutoff, percentile)
    selected = [_profile_rows(prof, m, cutoff, percentile)[0] for m in modes]
    if place is not None and not any((rows["id"] == place).any() for rows in selected):
        raise InvalidParameterError(
            f"place {place!r} is not an origin of prof; e.g. {examples(pd.unique(prof['id']))}"
        )
    times = pd.DatetimeIndex(pd.concat([rows["time"] for rows in selected]).unique())

    if ax is None:
        import matplotlib.pyplot as plt

        ax = plt.subplots(figsize=(10, 5), layout="constrained")[1]
    handles = []
    for mode_name, rows in zip(modes, selected, strict=True):
        share = (rows[column] / total * 100.0).groupby(rows["time"])
        low, median, high = (share.quantile(q / 100.0) for q in (_BAND[0], 50, _BAND[1]))
        x = mdates.date2num(median.index.to_numpy())
        label = f"{_capitalised(_mode_phrase(mode_name))}, median of the origins"
        # A single time would be a line of one point: drawn as a dot.
        marker = "o" if len(x) == 1 else None
        (line,) = ax.plot(x, median.to_numpy(), lw=2, marker=marker, label=label, zorder=3)
        colour = line.get_color()
        ax.fill_between(x, low.to_numpy(), high.to_numpy(), color=colour, alpha=0.2, lw=0, zorder=2)
        handles.append(line)
        here = rows[rows["id"] == place].sort_values("time")
        if len(here):
            (own,) = ax.plot(
                mdates.date2num(here["time"].to_numpy()), (here[column] / total * 100.0).to_numpy(),
                color=colour, lw=1.2, ls="--", label=f"From {place}, {_mode_phrase(mode_name)}", zorder=4,
            )  # fmt: skip
            handles.append(own)
    band = f"{_ordinal(_BAND[0])} to {_ordinal(_BAND[1])} percentile of the origins"
    handles.append(Patch(facecolor="grey", alpha=0.3, label=band))
    ax.legend(handles=handles, loc="best", frameon=False)

    by = prof.attrs.get("by")
    _clock_axis(ax, times)
    day = f"{times.min():%a %Y-%m-%d}"
    ax.set_xlabel(f"{_capitalised(by)} time, {day}" if by in ("departure", "arrival") else day)
    ax.yaxis.set_major_formatter(PercentFormatter(xmax=100))
    ax.set_ylim(bottom=0)
    ax.set_ylabel(f"{_capitalised(_reach(column, cutoff))} (% of all)")
    ax.grid(alpha=0.3)
    ax.grid(which="minor", axis="x", alpha=0.1)
    if title is None:
        title = f"Share of {_reach(column, cutoff)}"
        title += {"departure": ", leaving at each time", "arrival": ", arriving by each time"}.get(by, "")
        if percentile is not None:
            title += f"\n{_ordinal(percentile)} percentile travel time"
    ax.set_title(title)
    return ax
