"""Static maps of accessibility and isochrones, drawn with matplotlib (no basemap, offline).

>>> import reachable as rc
>>> acc = rc.accessibility(net, hexes, hexes, columns="jobs", mode="transit", cutoffs=45,
...                        departure="2019-05-13 14:00")                  # doctest: +SKIP
>>> ax = rc.plot.accessibility_map(acc, "jobs", "transit", 45)            # doctest: +SKIP
>>> ax.figure.savefig("jobs_transit_45.png", dpi=150)                     # doctest: +SKIP

matplotlib is imported on first use, and pyplot only when no ``ax`` is given; the backend is
never chosen here.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from .errors import InvalidParameterError

__all__ = ["accessibility_map", "isochrone_map"]

MODE_PHRASES = {
    "walk": "on foot",
    "bike": "by bike",
    "moped": "by moped",
    "car": "by car",
    "transit": "by transit",
}
"""How each mode reads at the end of a sentence: "jobs reachable within 45 min by bike"."""

_KEY_COLUMNS = ("id", "mode", "cutoff", "percentile")
_MISSING_COLOUR = "#d9d9d9"


def _mode_phrase(mode) -> str:
    return MODE_PHRASES.get(mode, f"by {mode}")


def _number(value) -> str:
    return f"{float(value):g}"


def _ordinal(value) -> str:
    text = _number(value)
    if not float(value).is_integer():
        return f"{text}th"
    n = int(value)
    suffix = "th" if 10 <= n % 100 <= 20 else {1: "st", 2: "nd", 3: "rd"}.get(n % 10, "th")
    return f"{text}{suffix}"


def _listing(values) -> str:
    return ", ".join(repr(v.item() if hasattr(v, "item") else v) for v in values)


def _check_frame(frame, name: str, required: tuple[str, ...]):
    import geopandas as gpd

    if not isinstance(frame, gpd.GeoDataFrame):
        raise InvalidParameterError(f"{name} must be a GeoDataFrame, got {type(frame).__name__}")
    if len(frame) == 0:
        raise InvalidParameterError(f"{name} is empty: nothing to draw")
    missing = [column for column in required if column not in frame.columns]
    if missing:
        raise InvalidParameterError(
            f"{name} has no {', '.join(repr(c) for c in missing)} column; "
            f"its columns are {', '.join(map(str, frame.columns))}"
        )
    if frame.crs is None:
        raise InvalidParameterError(f"{name} has no CRS; set it with .set_crs(...)")


def _pick(frame, key: str, value, what: str):
    """Rows of ``frame`` whose ``key`` equals ``value``; a clear error naming the choices."""
    available = pd.unique(frame[key])
    if value is None:
        if len(available) == 1:
            return frame, available[0]
        raise InvalidParameterError(
            f"the frame holds several values of {key} ({_listing(sorted(available))}); choose one with {key}="
        )
    matches = frame[key] == value
    if not matches.any():
        raise InvalidParameterError(
            f"{what} {value!r} is not in the frame; available: {_listing(sorted(available))}"
        )
    return frame[matches], value


def _projected(frame):
    """The frame in a local metric CRS (UTM) so that equal aspect means true shapes."""
    if frame.crs.is_geographic:
        return frame.to_crs(frame.estimate_utm_crs())
    return frame


def _discs(points, ids=None):
    """Discs around points (metric CRS), as wide as half the typical spacing between them."""
    import shapely
    from scipy.spatial import cKDTree

    xy = shapely.get_coordinates(points)
    radius = 0.0
    if len(xy) > 1:
        distance = cKDTree(xy).query(xy, k=2)[0][:, 1]
        distance = distance[distance > 0]
        if len(distance):
            radius = 0.5 * float(np.median(distance))
    if radius == 0.0:
        extent = np.ptp(xy, axis=0).max() if len(xy) > 1 else 0.0
        radius = extent / 100 if extent > 0 else 100.0
    return shapely.buffer(np.asarray(points), radius, quad_segs=8)


def _new_axes(ax):
    if ax is not None:
        return ax
    import matplotlib.pyplot as plt

    return plt.subplots(figsize=(8, 8), layout="constrained")[1]


def _bare(ax) -> None:
    ax.set_aspect("equal")
    ax.set_xticks([])
    ax.set_yticks([])
    ax.set_xlabel("")  # geopandas labels projected axes "Easting [metre]": no ticks, no label
    ax.set_ylabel("")
    for spine in ax.spines.values():
        spine.set_visible(False)


def accessibility_map(
    acc,
    column: str,
    mode: str,
    cutoff: float | None = None,
    *,
    percentile: float | None = None,
    ax=None,
    title: str | None = None,
    cmap="viridis",
    vmin: float | None = None,
    vmax: float | None = None,
):
    """Map the opportunities reachable from each origin, for one mode, cutoff and percentile.

    Each origin is drawn as a filled disc (half as wide as the typical spacing between
    origins, so a regular grid of cells looks like a tiled map), or as its polygon when the
    geometry is polygons, coloured by the value. Origins with a missing value are grey.

    Parameters
    ----------
    acc : geopandas.GeoDataFrame
        The result of :func:`reachable.accessibility`: ``id``, ``mode``, ``cutoff``
        (cumulative measure), ``percentile`` (when several), count columns, ``geometry``.
    column : str
        The count column to map, e.g. ``"jobs"``.
    mode : str
        One of the modes in ``acc``.
    cutoff : float, optional
        Minutes, one of the cutoffs in ``acc``; may be left out when there is only one (or
        for a gravity measure, which has none).
    percentile : float, optional
        One of the values of the ``percentile`` column; may be left out when there is only
        one (``acc`` then has no such column).
    ax : matplotlib.axes.Axes, optional
        Where to draw; default a new 8 x 8 inch figure.
    title : str, optional
        Default: what is mapped, e.g. "Access to jobs by transit, 45 min".
    cmap : str or matplotlib.colors.Colormap, default "viridis"
    vmin, vmax : float, optional
        Ends of the colour scale (default: the smallest and largest value shown); give the
        same ones to several maps to compare them.

    Returns
    -------
    matplotlib.axes.Axes
        The axes, with equal aspect, no ticks and a colorbar labelled with the units (e.g.
        "jobs reachable within 45 min by transit").

    Raises
    ------
    InvalidParameterError
        ``acc`` is not a GeoDataFrame from :func:`reachable.accessibility`, or the column,
        mode, cutoff or percentile is not in it (the message lists the available ones).
    """
    from matplotlib.colors import Normalize
    from matplotlib.ticker import FuncFormatter

    _check_frame(acc, "acc", ("mode",))
    value_columns = [c for c in acc.columns if c not in _KEY_COLUMNS and c != acc.geometry.name]
    if column not in value_columns:
        raise InvalidParameterError(
            f"column {column!r} is not in the frame; available: {', '.join(map(repr, value_columns))}"
        )
    if not pd.api.types.is_numeric_dtype(acc[column]):
        raise InvalidParameterError(f"column {column!r} is not numeric ({acc[column].dtype})")
    rows, _ = _pick(acc, "mode", mode, "mode")
    if "cutoff" in acc.columns:
        rows, cutoff = _pick(rows, "cutoff", cutoff, "cutoff")
    elif cutoff is not None:
        raise InvalidParameterError("the frame has no cutoff column (a gravity measure); leave cutoff out")
    if "percentile" in acc.columns:
        rows, percentile = _pick(rows, "percentile", percentile, "percentile")
    elif percentile is not None:
        raise InvalidParameterError(
            "the frame has no percentile column: it was computed for one percentile only; "
            "leave percentile out"
        )
    if "id" in rows.columns and rows["id"].duplicated().any():
        raise InvalidParameterError(
            "some origins appear more than once for this mode and cutoff; pass the frame "
            "returned by reachable.accessibility unchanged"
        )

    rows = _projected(rows)
    geometry = rows.geometry
    points = geometry.geom_type.isin(["Point"]).all()
    shapes = _discs(geometry.to_numpy()) if points else geometry.to_numpy()
    values = rows[column].to_numpy(dtype=np.float64)
    known = np.isfinite(values)

    ax = _new_axes(ax)
    finite = values[known]
    low = vmin if vmin is not None else (finite.min() if len(finite) else 0.0)
    high = vmax if vmax is not None else (finite.max() if len(finite) else 1.0)
    if high <= low:
        high = low + 1.0
    norm = Normalize(vmin=low, vmax=high)
    import geopandas as gpd

    drawn = gpd.GeoDataFrame({"value": values}, geometry=shapes, crs=rows.crs)
    if (~known).any():
        drawn[~known].plot(ax=ax, color=_MISSING_COLOUR, linewidth=0)
    if known.any():
        drawn[known].plot(ax=ax, column="value", cmap=cmap, vmin=low, vmax=high, linewidth=0)

    from matplotlib.cm import ScalarMappable

    scale = ScalarMappable(norm=norm, cmap=cmap)
    reach = f"within {_number(cutoff)} min " if cutoff is not None else ""
    label = f"{column} reachable {reach}{_mode_phrase(mode)}"
    if cutoff is None:
        label += " (weighted by travel time)"
    if percentile is not None:
        label += f", {_ordinal(percentile)} percentile travel time"
    bar = ax.figure.colorbar(scale, ax=ax, shrink=0.7, pad=0.02, label=label)
    bar.ax.yaxis.set_major_formatter(
        FuncFormatter(lambda x, _: f"{x:,.0f}" if high - low >= 10 else f"{x:g}")
    )
    if title is None:
        title = f"Access to {column} {_mode_phrase(mode)}" + (
            f", {_number(cutoff)} min" if cutoff is not None else ""
        )
        title += f"\nmedian origin: {np.median(finite):,.0f}" if len(finite) else ""
    ax.set_title(title)
    _bare(ax)
    return ax


def isochrone_map(iso, *, ax=None, title: str | None = None):
    """Map isochrones: one colour per cutoff, the largest drawn first so every band shows.

    Parameters
    ----------
    iso : geopandas.GeoDataFrame
        The result of :func:`reachable.isochrones`: ``id``, ``mode``, ``cutoff``,
        ``geometry`` (polygons). Several origins or modes are drawn on top of each other.
    ax : matplotlib.axes.Axes, optional
        Where to draw; default a new 8 x 8 inch figure.
    title : str, optional
        Default: the mode and the origin, e.g. "Reached by transit from ufrgs".

    Returns
    -------
    matplotlib.axes.Axes
        The axes, with equal aspect, no ticks and a legend titled "minutes".

    Raises
    ------
    InvalidParameterError
        ``iso`` is not a GeoDataFrame with ``cutoff`` and ``geometry``, or every area is
        empty.
    """
    import matplotlib as mpl
    from matplotlib.patches import Patch

    _check_frame(iso, "iso", ("cutoff",))
    import shapely

    geometry = iso.geometry.to_numpy()
    shown = iso[~(shapely.is_missing(geometry) | shapely.is_empty(geometry))]
    if len(shown) == 0:
        raise InvalidParameterError("every isochrone is empty (origins off the network?): nothing to draw")
    shown = _projected(shown)
    cutoffs = sorted(pd.unique(shown["cutoff"]))
    palette = mpl.colormaps["viridis"]
    colours = {c: palette(0.15 + 0.7 * k / max(len(cutoffs) - 1, 1)) for k, c in enumerate(cutoffs)}

    ax = _new_axes(ax)
    for cutoff in reversed(cutoffs):
        band = shown[shown["cutoff"] == cutoff]
        band.plot(ax=ax, color=colours[cutoff], edgecolor="white", linewidth=0.4)
    handles = [Patch(facecolor=colours[c], edgecolor="none", label=_number(c)) for c in cutoffs]
    ax.legend(handles=handles, title="minutes", loc="best", frameon=False)
    if title is None:
        modes = list(pd.unique(shown["mode"])) if "mode" in shown.columns else []
        ids = list(pd.unique(shown["id"])) if "id" in shown.columns else []
        title = "Reached " + " / ".join(_mode_phrase(m) for m in modes) if modes else "Reached"
        if len(ids) == 1:
            title += f" from {ids[0]}"
        elif ids:
            title += f" from {len(ids)} origins"
    ax.set_title(title)
    _bare(ax)
    return ax
