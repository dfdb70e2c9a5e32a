"""Static maps of accessibility and isochrones, and accessibility through the day, with matplotlib.

>>> import reachable as rc
>>> acc = rc.accessibility(net, hexes, hexes, columns="jobs", mode="transit", cutoffs=45,
...                        departure="2019-05-13 14:00")                  # doctest: +SKIP
>>> ax = rc.plot.accessibility_map(acc, "jobs", "transit", 45, network=net)  # doctest: +SKIP
>>> ax.figure.savefig("jobs_transit_45.png", dpi=150)                     # doctest: +SKIP
>>> fig = rc.plot.accessibility_panels(acc, "jobs", 45, network=net)      # doctest: +SKIP
>>> prof = rc.accessibility_profile(net, hexes, hexes, columns="jobs", mode="transit",
...                                 cutoffs=45, times=times)              # doctest: +SKIP
>>> ax = rc.plot.profile(prof, "jobs", 45)                                # doctest: +SKIP

Origins whose ids are H3 cells are drawn as their hexagons; given the ``network``, its own
streets are drawn as a light background (no tile server). Maps are in metres (the
network's UTM CRS, or the frame's), with a scale bar; no basemap, everything offline.

matplotlib is imported on first use, and pyplot only to make a new figure (no ``ax`` given,
or :func:`accessibility_panels` and :func:`aid_map`); the backend is never chosen here.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from typing import TYPE_CHECKING

import numpy as np
import pandas as pd

from ._checks import examples, names
from .errors import InvalidParameterError
from .modes import is_transit
from .network import Network

if TYPE_CHECKING:
    from matplotlib.axes import Axes
    from matplotlib.figure import Figure

__all__ = [
    "accessibility_map", "accessibility_panels", "aid_map", "by_income", "desert_map", "isochrone_map",
    "lorenz", "lorenz_points", "profile",
]  # fmt: skip

MODE_PHRASES = {
    "walk": "on foot",
    "bike": "by bike",
    "moped": "by moped",
    "car": "by car",
    "transit": "by transit",
    "ebike": "by e-bike",
    "bike+transit": "by bike and transit",
    "ebike+transit": "by e-bike and transit",
    "moped+transit": "by moped and transit",
    "car+transit": "by car and transit",
}
"""How each mode reads at the end of a sentence: "jobs reachable within 45 min by bike"."""

_KEY_COLUMNS = ("id", "mode", "cutoff", "percentile")
_MISSING_COLOUR = "#d9d9d9"
_STREET_MODES = ("car", "walk", "bike", "moped")
"""Whose streets make the background, first available first: the car network leaves out
footways, tracks and stairs, so it is the lightest that still shows every street block."""
_STREET_LAYERS = (
    # Under the cells, light grey: the streets in the gaps between cells and around them.
    {"colors": "#c4c4c4", "linewidths": 0.3, "zorder": 0.5, "label": "streets under"},
    # Over the cells, faint white: the cells keep the colours of the colorbar, which
    # translucent cells would not.
    {"colors": "white", "alpha": 0.3, "linewidths": 0.3, "zorder": 2, "label": "streets over"},
)
"""How the streets are drawn (line widths in points), once under the cells, once over."""
_OUTLINE_WIDTH = 0.25  # points: each cell also outlined in its own colour, hiding the seams


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


def _capitalised(text: str) -> str:
    return text[:1].upper() + text[1:]


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


def _check_network(network) -> None:
    if network is not None and not isinstance(network, Network):
        raise InvalidParameterError(
            f"network must be a reachable.Network (to draw its streets), got {type(network).__name__}"
        )


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


def _check_column(acc, column: str) -> None:
    geometry = getattr(acc, "_geometry_column_name", None)
    value_columns = [c for c in acc.columns if c not in _KEY_COLUMNS and c != geometry]
    if column not in value_columns:
        raise InvalidParameterError(
            f"column {column!r} is not in the frame; available: {', '.join(map(repr, value_columns))}"
        )
    if not pd.api.types.is_numeric_dtype(acc[column]):
        raise InvalidParameterError(f"column {column!r} is not numeric ({acc[column].dtype})")


def _mode_rows(frame, mode, cutoff, percentile, name: str):
    """The rows of one mode, cutoff and percentile of ``frame``, with the cutoff and percentile chosen."""
    rows, _ = _pick(frame, "mode", mode, "mode")
    if "cutoff" in frame.columns:
        rows, cutoff = _pick(rows, "cutoff", cutoff, "cutoff")
    elif cutoff is not None:
        raise InvalidParameterError(f"{name} has no cutoff column (a gravity measure); leave cutoff out")
    if "percentile" in frame.columns:
        rows, percentile = _pick(rows, "percentile", percentile, "percentile")
    elif percentile is not None:
        raise InvalidParameterError(
            f"{name} has no percentile column: it was computed for one percentile only; leave percentile out"
        )
    return rows, cutoff, percentile


def _select(acc, mode, cutoff, percentile):
    """The rows of one mode, cutoff and percentile, with the cutoff and percentile chosen."""
    rows, cutoff, percentile = _mode_rows(acc, mode, cutoff, percentile, "the frame")
    if "id" in rows.columns and rows["id"].duplicated().any():
        raise InvalidParameterError(
            "some origins appear more than once for this mode and cutoff; pass the frame "
            "returned by reachable.accessibility unchanged"
        )
    return rows, cutoff, percentile


def _metric_crs(frame, network):
    """The CRS to draw in, in metres: the network's, else the frame's own or its UTM zone."""
    if network is not None:
        return network.crs
    crs = frame.crs
    if crs.is_projected and all(axis.unit_name in ("metre", "meter") for axis in crs.axis_info):
        return crs
    return frame.estimate_utm_crs()


def _h3_hexagons(ids):
    """The WGS84 polygons of H3 cell ids, or None when some id is not an H3 cell."""
    import h3
    import shapely

    ids = list(ids)
    if not all(isinstance(cell, str) and h3.is_valid_cell(cell) for cell in ids):
        return None
    polygons = np.empty(len(ids), dtype=object)
    # cell_to_boundary gives (lat, lng) pairs: swapped here into x = lng, y = lat.
    polygons[:] = [shapely.Polygon([(lng, lat) for lat, lng in h3.cell_to_boundary(c)]) for c in ids]
    return polygons


def _discs(points):
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


def _origin_shapes(rows, crs):
    """What to draw for each origin, in ``crs``: its H3 hexagon, its polygon, or a disc."""
    import geopandas as gpd

    hexagons = _h3_hexagons(rows["id"]) if "id" in rows.columns else None
    if hexagons is not None:
        return gpd.GeoSeries(hexagons, crs=4326).to_crs(crs).to_numpy()
    geometry = rows.geometry.to_crs(crs)
    if geometry.geom_type.isin(["Point"]).all():
        return _discs(geometry.to_numpy())
    return geometry.to_numpy()


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


def _frame_extent(ax, bounds, margin: float = 0.02) -> None:
    """Limit the axes to ``bounds`` (minx, miny, maxx, maxy) plus a margin on every side."""
    minx, miny, maxx, maxy = bounds
    pad = margin * max(maxx - minx, maxy - miny, 1.0)
    ax.set_xlim(minx - pad, maxx + pad)
    ax.set_ylim(miny - pad, maxy + pad)


def _draw_streets(ax, network) -> None:
    """The streets of ``network`` in thin lines under and over the cells (network CRS)."""
    import shapely
    from matplotlib.collections import LineCollection

    mode = next(m for m in _STREET_MODES + network.modes if m in network.modes and not is_transit(m))
    coords, index = shapely.get_coordinates(network.edge_index(mode).lines, return_index=True)
    segments = np.split(coords, np.flatnonzero(np.diff(index)) + 1)
    for layer in _STREET_LAYERS:
        ax.add_collection(LineCollection(segments, **layer), autolim=False)


def _scale_bar(ax) -> None:
    """A bar of a round length (1, 2 or 5 x 10^k m) about a fifth as wide as the map."""
    from matplotlib.font_manager import FontProperties
    from mpl_toolkits.axes_grid1.anchored_artists import AnchoredSizeBar

    left, right = ax.get_xlim()
    bottom, top = ax.get_ylim()
    target = abs(right - left) / 5
    power = 10.0 ** math.floor(math.log10(target))
    length = max(step * power for step in (1, 2, 5) if step * power <= target)
    label = f"{length / 1000:g} km" if length >= 1000 else f"{length:g} m"
    bar = AnchoredSizeBar(
        ax.transData,
        length,
        label,
        loc="lower left",
        pad=0.4,
        borderpad=0.8,
        sep=3,
        size_vertical=abs(top - bottom) / 150,
        color="black",
        fontproperties=FontProperties(size=9),
        zorder=5,
    )
    bar.patch.set(facecolor="white", alpha=0.9, edgecolor="none")
    ax.add_artist(bar)


def _departure_text(attrs, percentile) -> str:
    """'departing 2019-05-13 14:00-14:10, median travel time', or '' without a departure."""
    departure = attrs.get("departure")
    if departure is None:
        arrival = attrs.get("arrival")
        if arrival is None:
            return ""
        text = f"arriving by {arrival}"
        if percentile is None:
            percentile = attrs.get("percentile")
        if percentile is not None and float(percentile) != 50:
            text += f", {_ordinal(percentile)} percentile"
        return text
    start = pd.Timestamp(departure)
    text = f"departing {departure if isinstance(departure, str) else f'{start:%Y-%m-%d %H:%M}'}"
    window = int(attrs.get("time_window") or 1)
    if window > 1:
        text += f"-{start + pd.Timedelta(minutes=window):%H:%M}"
    if percentile is None:
        # One percentile leaves no percentile column: accessibility keeps it in attrs.
        percentile = attrs.get("percentile")
    if window > 1 or percentile is not None:
        text += ", " + (
            "median travel time"
            if percentile is None or float(percentile) == 50
            else f"{_ordinal(percentile)} percentile travel time"
        )
    return text


def _reach(column: str, cutoff, phrase: str = "") -> str:
    """'jobs reachable by transit within 45 min', or '... weighted by travel time' (gravity)."""
    head = f"{column} reachable" + (f" {phrase}" if phrase else "")
    return (
        f"{head} within {_number(cutoff)} min" if cutoff is not None else f"{head}, weighted by travel time"
    )


def _colour_scale(values, vmin, vmax, cmap):
    """A ScalarMappable from ``vmin`` to ``vmax`` (default: the range of the finite values)."""
    from matplotlib.cm import ScalarMappable
    from matplotlib.colors import Normalize

    finite = values[np.isfinite(values)]
    low = vmin if vmin is not None else (finite.min() if len(finite) else 0.0)
    high = vmax if vmax is not None else (finite.max() if len(finite) else 1.0)
    if high <= low:
        high = low + 1.0
    return ScalarMappable(norm=Normalize(vmin=low, vmax=high), cmap=cmap)


def _colorbar(fig, scale, axes, label: str, **options) -> None:
    from matplotlib.ticker import FuncFormatter

    bar = fig.colorbar(scale, ax=axes, label=label, **options)
    span = scale.norm.vmax - scale.norm.vmin
    bar.formatter = FuncFormatter(lambda x, _: f"{x:,.0f}" if span >= 10 else f"{x:g}")
    bar.update_ticks()


def _draw_cells(ax, shapes, values, scale, crs) -> None:
    """Origins coloured by value on the scale, missing values grey (metres, ``crs``)."""
    import geopandas as gpd

    known = np.isfinite(values)
    drawn = gpd.GeoDataFrame({"value": values}, geometry=shapes, crs=crs)
    low, high = scale.norm.vmin, scale.norm.vmax
    if (~known).any():
        drawn[~known].plot(ax=ax, color=_MISSING_COLOUR, edgecolor=_MISSING_COLOUR, linewidth=_OUTLINE_WIDTH)
    if known.any():
        drawn[known].plot(
            ax=ax,
            column="value",
            cmap=scale.cmap,
            vmin=low,
            vmax=high,
            edgecolor="face",
            linewidth=_OUTLINE_WIDTH,
        )


def _panels(shapes: list, ncols: int, panel_size: float, *, row_room: float, room: float):
    """A figure of panels sized to the shapes' extent: ``(figure, axes, bounds)``.

    ``row_room`` inches are added to each row (titles) and ``room`` to the figure (colorbars).
    """
    import matplotlib.pyplot as plt
    import shapely

    bounds = shapely.total_bounds(np.concatenate(shapes))
    minx, miny, maxx, maxy = bounds
    height = panel_size * (maxy - miny) / max(maxx - minx, 1.0)
    nrows = math.ceil(len(shapes) / ncols)
    fig, axes = plt.subplots(
        nrows, ncols, figsize=(ncols * panel_size, nrows * (height + row_room) + room), layout="constrained",
        squeeze=False,
    )  # fmt: skip
    return fig, axes, bounds


def _map_layers(ax, shapes, values, scale, crs, network, bounds, *, scale_bar: bool = True) -> None:
    """Cells, streets over them, ``bounds`` as the extent, no ticks, a scale bar."""
    _draw_cells(ax, shapes, values, scale, crs)
    if network is not None:
        _draw_streets(ax, network)
    _frame_extent(ax, bounds)
    _bare(ax)
    if scale_bar:
        _scale_bar(ax)


def accessibility_map(
    acc,
    column: str,
    mode: str,
    cutoff: float | None = None,
    *,
    percentile: float | None = None,
    network: Network | None = None,
    ax: Axes | None = None,
    title: str | None = None,
    cmap="viridis",
    vmin: float | None = None,
    vmax: float | None = None,
) -> Axes:
    """Map the opportunities reachable from each origin, for one mode, cutoff and percentile.

    Each origin is drawn as its H3 hexagon when every id is an H3 cell, else as its polygon
    when the geometry is polygons, else as a filled disc (half as wide as the typical
    spacing between origins, so a regular grid of points looks like a tiled map), coloured
    by the value. Origins with a missing value are grey. The map is in metres, with a
    scale bar; given the ``network``, its streets are drawn over the cells as thin
    translucent lines.

    Parameters
    ----------
    acc : geopandas.GeoDataFrame
        The result of :func:`reachable.accessibility`: ``id``, ``mode``, ``cutoff``
        (cumulative measure), ``percentile`` (when several), count columns, ``geometry``.
        ``acc.attrs["departure"]`` and ``acc.attrs["time_window"]`` (minutes), when set,
        go into the title of a transit map.
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
    network : Network, optional
        The network ``acc`` was computed on: its streets (car network, else walk) make the
        background, and the map is drawn in its UTM CRS. Default: no streets, the frame's
        own metric CRS (or its UTM zone).
    ax : matplotlib.axes.Axes, optional
        Where to draw; default a new 8 x 8 inch figure.
    title : str, optional
        Default: what is mapped, e.g. "Jobs reachable by transit within 45 min", and for
        transit the departure window and percentile, e.g. "departing 2019-05-13
        14:00-14:10, median travel time".
    cmap : str or matplotlib.colors.Colormap, default "viridis"
    vmin, vmax : float, optional
        Ends of the colour scale, in opportunities (default: the smallest and largest value
        shown); give the same ones to several maps to compare them, or use
        :func:`accessibility_panels`.

    Returns
    -------
    matplotlib.axes.Axes
        The axes, with equal aspect, no ticks, a scale bar and a colorbar labelled with the
        units (e.g. "jobs reachable within 45 min by transit").

    Raises
    ------
    InvalidParameterError
        ``acc`` is not a GeoDataFrame from :func:`reachable.accessibility`, the column,
        mode, cutoff or percentile is not in it (the message lists the available ones), or
        ``network`` is not a :class:`reachable.Network`.
    """
    import shapely

    _check_frame(acc, "acc", ("mode",))
    _check_column(acc, column)
    _check_network(network)
    rows, cutoff, percentile = _select(acc, mode, cutoff, percentile)

    crs = _metric_crs(rows, network)
    shapes = _origin_shapes(rows, crs)
    values = rows[column].to_numpy(dtype=np.float64)
    scale = _colour_scale(values, vmin, vmax, cmap)

    ax = _new_axes(ax)
    _map_layers(ax, shapes, values, scale, crs, network, shapely.total_bounds(shapes))
    label = f"{column} reachable " + (f"within {_number(cutoff)} min " if cutoff is not None else "")
    label += _mode_phrase(mode)
    if cutoff is None:
        label += " (weighted by travel time)"
    if percentile is not None:
        label += f", {_ordinal(percentile)} percentile travel time"
    _colorbar(ax.figure, scale, ax, label, shrink=0.7, pad=0.02)
    if title is None:
        title = _capitalised(_reach(column, cutoff, _mode_phrase(mode)))
        departure = _departure_text(acc.attrs, percentile) if is_transit(mode) else ""
        title += f"\n{departure}" if departure else ""
    ax.set_title(title)
    return ax


def accessibility_panels(
    acc,
    column: str,
    cutoff: float | None = None,
    *,
    modes: str | Sequence[str] | None = None,
    percentile: float | None = None,
    network: Network | None = None,
    ncols: int | None = None,
    title: str | None = None,
    cmap="viridis",
    vmin: float | None = None,
    vmax: float | None = None,
    panel_size: float = 4.5,
) -> Figure:
    """Map several modes side by side on one colour scale, with one shared colorbar.

    One panel per mode, drawn as :func:`accessibility_map` draws one map (H3 hexagons,
    polygons or discs; the network's streets; a scale bar on the first panel), all with the
    same extent and colours, so that a cell of one colour means the same number of
    opportunities in every panel.

    Parameters
    ----------
    acc : geopandas.GeoDataFrame
        The result of :func:`reachable.accessibility` for several modes (see
        :func:`accessibility_map`).
    column : str
        The count column to map, e.g. ``"jobs"``.
    cutoff : float, optional
        Minutes, one of the cutoffs in ``acc``; may be left out when there is only one (or
        for a gravity measure).
    modes : str or list of str, optional
        The modes to show, one panel each, in this order; default every mode of ``acc`` in
        its order.
    percentile : float, optional
        One of the values of the ``percentile`` column (when several).
    network : Network, optional
        The network ``acc`` was computed on: its streets are drawn in every panel, in its
        UTM CRS.
    ncols : int, optional
        Panels per row; default all in one row up to 4, else a near-square grid.
    title : str, optional
        Title of the figure. Default: what is mapped, e.g. "Jobs reachable within 45 min",
        with the transit departure window and percentile when transit is shown.
    cmap : str or matplotlib.colors.Colormap, default "viridis"
    vmin, vmax : float, optional
        Ends of the shared colour scale, in opportunities (default: the smallest and
        largest value over all panels).
    panel_size : float, default 4.5
        Width of one panel, in inches; the height follows the shape of the area.

    Returns
    -------
    matplotlib.figure.Figure
        A new figure (made with pyplot) holding one axes per mode, titled by mode ("By
        transit"), and one colorbar labelled with the units (e.g. "jobs reachable within
        45 min").

    Raises
    ------
    InvalidParameterError
        ``acc`` is not a GeoDataFrame from :func:`reachable.accessibility`; the column, a
        mode, the cutoff or percentile is not in it; ``modes`` is empty; ``ncols`` or
        ``panel_size`` is not positive; or ``network`` is not a :class:`reachable.Network`.
    """
    _check_frame(acc, "acc", ("mode",))
    _check_column(acc, column)
    _check_network(network)
    if modes is None:
        modes = list(pd.unique(acc["mode"]))
    elif isinstance(modes, str):
        modes = [modes]
    if len(modes) == 0:
        raise InvalidParameterError("modes is empty: give at least one mode to map")
    if ncols is not None and (not isinstance(ncols, int | np.integer) or ncols < 1):
        raise InvalidParameterError(f"ncols must be a positive whole number of panels, got {ncols!r}")
    if not panel_size > 0:
        raise InvalidParameterError(f"panel_size must be a positive number of inches, got {panel_size!r}")

    # The first mode settles the cutoff and percentile left out, the others must have them.
    _, cutoff, percentile = _select(acc, modes[0], cutoff, percentile)
    crs = _metric_crs(acc, network)
    shapes, values = [], []
    for mode in modes:
        rows = _select(acc, mode, cutoff, percentile)[0]
        shapes.append(_origin_shapes(rows, crs))
        values.append(rows[column].to_numpy(dtype=np.float64))
    scale = _colour_scale(np.concatenate(values), vmin, vmax, cmap)

    ncols = ncols if ncols is not None else (len(modes) if len(modes) <= 4 else math.ceil(len(modes) ** 0.5))
    fig, axes, bounds = _panels(shapes, ncols, panel_size, row_room=0.4, room=1.6)
    for k, mode in enumerate(modes):
        ax = axes.flat[k]
        # One scale bar is enough: every panel has the same extent and scale.
        _map_layers(ax, shapes[k], values[k], scale, crs, network, bounds, scale_bar=k == 0)
        ax.set_title(_capitalised(_mode_phrase(mode)))
    for ax in axes.flat[len(modes) :]:
        ax.set_visible(False)
    label = _reach(column, cutoff)
    if percentile is not None:
        label += f", {_ordinal(percentile)} percentile travel time"
    _colorbar(fig, scale, axes.ravel().tolist(), label, location="bottom", shrink=0.5, aspect=40)
    if title is None:
        title = _capitalised(_reach(column, cutoff))
        departure = _departure_text(acc.attrs, percentile) if any(map(is_transit, modes)) else ""
        title += f"\ntransit {departure}" if departure else ""
    fig.suptitle(title)
    return fig


_GAIN_COLOURS = ("YlOrRd", 0.2)
"""Colours of the gains (a colormap and where its palest usable colour is): unlike the viridis of
accessibility, so that a gain never reads as a level, and from pale orange, so that the least
gain stands apart from the grey of none."""
_TITLE_WIDTH = 34
"""Characters per line of a panel title (an aid's label may be long)."""


def _aid_labels(impact, aids) -> dict:
    """The aids to draw, in order, each with its plain-words label: ``{scenario: label}``."""
    from .aids import Aid, default

    scenarios = [s for s in pd.unique(impact["scenario"]) if s != "base"]
    if aids is None:
        items = scenarios
    elif isinstance(aids, (str, Aid)):
        items = [aids]
    else:
        items = list(aids.values()) if isinstance(aids, dict) else list(aids)
    if not items:
        raise InvalidParameterError("aids is empty: give at least one aid to map, or leave aids out for all")
    known = {**default(), **impact.attrs.get("aids", {})}
    labels = {}
    for item in items:
        name = item.name if isinstance(item, Aid) else item
        if name not in scenarios:
            raise InvalidParameterError(
                f"aid {name!r} is not a scenario of impact; available: {_listing(scenarios)}"
            )
        aid = item if isinstance(item, Aid) else known.get(name)
        labels[name] = (aid.label_en if aid is not None else "") or name
    return labels


def _scenario_rows(impact, scenario):
    rows = impact[impact["scenario"] == scenario]
    if rows["id"].duplicated().any():
        raise InvalidParameterError(
            f"some origins appear more than once in scenario {scenario!r}; pass the frame returned by "
            "reachable.aid_impact unchanged"
        )
    return rows


def aid_map(
    impact,
    column: str,
    *,
    aids=None,
    network: Network | None = None,
    cutoff: float | None = None,
) -> Figure:
    """Map where each aid adds most: accessibility without aid, then the gain of each aid.

    The first panel shows the opportunities each origin reaches with the base modes (on the
    viridis scale of :func:`accessibility_map`); each other panel, those one aid adds, all
    aids on one shared colour scale, origins gaining nothing in grey. Origins are drawn as in
    :func:`accessibility_map` (H3 hexagons, polygons or discs), with the network's streets
    and a scale bar on the first panel.

    Parameters
    ----------
    impact : geopandas.GeoDataFrame
        The result of :func:`reachable.aid_impact`: ``id``, ``scenario``, the count columns
        and their ``<column>_gain``, ``geometry``.
    column : str
        The count column to map, e.g. ``"jobs"``.
    aids : optional
        The aids to show, one panel each, in this order: names of the scenarios of
        ``impact`` or :class:`reachable.aids.Aid` objects (a list, a dict or one). Default:
        every aid of ``impact``. Panels are titled with each aid's ``label_en`` ("With a lent
        bike"), from the objects given, ``impact.attrs["aids"]`` or
        :func:`reachable.aids.default`, else its name.
    network : Network, optional
        The network ``impact`` was computed on: its streets are drawn in every panel, in its
        UTM CRS.
    cutoff : float, optional
        Minutes, for the titles; default ``impact.attrs["cutoff"]``.

    Returns
    -------
    matplotlib.figure.Figure
        A new figure (made with pyplot): one axes without aid, one per aid, a colorbar of the
        opportunities reached under the first, and one of the opportunities gained under the
        others.

    Raises
    ------
    InvalidParameterError
        ``impact`` is not a GeoDataFrame from :func:`reachable.aid_impact` (no ``scenario``,
        no ``"base"``, no gain column); the column or an aid is not in it; ``aids`` is
        empty; or ``network`` is not a :class:`reachable.Network`.
    """
    _check_frame(impact, "impact", ("id", "scenario"))
    _check_column(impact, column)
    gain = f"{column}_gain"
    if gain not in impact.columns:
        raise InvalidParameterError(
            f"impact has no {gain!r} column: pass the frame returned by reachable.aid_impact"
        )
    _check_network(network)
    if not (impact["scenario"] == "base").any():
        raise InvalidParameterError(
            "impact has no 'base' scenario to compare with: pass the frame returned by reachable.aid_impact"
        )
    labels = _aid_labels(impact, aids)
    cutoff = cutoff if cutoff is not None else impact.attrs.get("cutoff")

    crs = _metric_crs(impact, network)
    base = _scenario_rows(impact, "base")
    shapes = [_origin_shapes(base, crs)]
    values = [base[column].to_numpy(dtype=np.float64)]
    for name in labels:
        rows = _scenario_rows(impact, name)
        shapes.append(_origin_shapes(rows, crs))
        gained = rows[gain].to_numpy(dtype=np.float64)
        values.append(np.where(gained > 0, gained, np.nan))  # no gain: grey
    base_scale = _colour_scale(values[0], None, None, "viridis")
    import matplotlib as mpl
    from matplotlib.colors import ListedColormap

    name, palest = _GAIN_COLOURS
    gain_cmap = ListedColormap(mpl.colormaps[name](np.linspace(palest, 1.0, 256)))
    gain_scale = _colour_scale(np.concatenate(values[1:]), 0.0, None, gain_cmap)

    import textwrap

    n = len(values)
    # Room for the panel titles and, under the rows, the colorbars and the figure title.
    fig, axes, bounds = _panels(shapes, min(n, 4), 4.5, row_room=1.1, room=1.2)
    base_modes = list(impact.attrs.get("base_modes", []))
    titles = ["Without aid" + (": " + " or ".join(map(_mode_phrase, base_modes)) if base_modes else "")]
    titles += [f"With {label[:1].lower() + label[1:]}" for label in labels.values()]
    for k, (shape, value, title) in enumerate(zip(shapes, values, titles, strict=True)):
        ax = axes.flat[k]
        # One scale bar is enough: every panel has the same extent and scale.
        scale = base_scale if k == 0 else gain_scale
        _map_layers(ax, shape, value, scale, crs, network, bounds, scale_bar=k == 0)
        ax.set_title(textwrap.fill(title, _TITLE_WIDTH))
    for ax in axes.flat[n:]:
        ax.set_visible(False)
    within = f" within {_number(cutoff)} min" if cutoff is not None else ""
    reached, more = f"{column} reachable{within} without aid", f"more {column} reachable{within} (grey: none)"
    _colorbar(fig, base_scale, axes.flat[0], reached, location="bottom", shrink=0.9, aspect=25)
    _colorbar(fig, gain_scale, list(axes.flat[1:n]), more, location="bottom", shrink=0.6, aspect=40)
    title = f"{_capitalised(column)} reachable{within}, and how many more with each aid"
    aid_modes = [m for aid in impact.attrs.get("aids", {}).values() for m in aid.modes]
    departure = _departure_text(impact.attrs, None) if any(map(is_transit, base_modes + aid_modes)) else ""
    fig.suptitle(title + (f"\ntransit {departure}" if departure else ""))
    return fig


def isochrone_map(
    iso, *, network: Network | None = None, ax: Axes | None = None, title: str | None = None
) -> Axes:
    """Map isochrones: one colour per cutoff, the largest drawn first so every band shows.

    Parameters
    ----------
    iso : geopandas.GeoDataFrame
        The result of :func:`reachable.isochrones`: ``id``, ``mode``, ``cutoff``,
        ``geometry`` (polygons). Several origins or modes are drawn on top of each other.
    network : Network, optional
        The network the isochrones were computed on: its streets (car network, else walk)
        are drawn over the bands as thin translucent lines, and the map is drawn in its UTM
        CRS. Default: no streets, the frame's own metric CRS (or its UTM zone).
    ax : matplotlib.axes.Axes, optional
        Where to draw; default a new 8 x 8 inch figure.
    title : str, optional
        Default: the mode and the origin, e.g. "Reached by transit from ufrgs".

    Returns
    -------
    matplotlib.axes.Axes
        The axes, with equal aspect, no ticks, a scale bar and a legend titled "minutes".

    Raises
    ------
    InvalidParameterError
        ``iso`` is not a GeoDataFrame with ``cutoff`` and ``geometry``, every area is
        empty, or ``network`` is not a :class:`reachable.Network`.
    """
    import matplotlib as mpl
    from matplotlib.patches import Patch

    _check_frame(iso, "iso", ("cutoff",))
    _check_network(network)
    import shapely

    geometry = iso.geometry.to_numpy()
    shown = iso[~(shapely.is_missing(geometry) | shapely.is_empty(geometry))]
    if len(shown) == 0:
        raise InvalidParameterError("every isochrone is empty (origins off the network?): nothing to draw")
    shown = shown.to_crs(_metric_crs(shown, network))
    cutoffs = sorted(pd.unique(shown["cutoff"]))
    palette = mpl.colormaps["viridis"]
    colours = {c: palette(0.15 + 0.7 * k / max(len(cutoffs) - 1, 1)) for k, c in enumerate(cutoffs)}

    ax = _new_axes(ax)
    for cutoff in reversed(cutoffs):
        band = shown[shown["cutoff"] == cutoff]
        band.plot(ax=ax, color=colours[cutoff], edgecolor="white", linewidth=0.4)
    if network is not None:
        _draw_streets(ax, network)
    _frame_extent(ax, shown.total_bounds, margin=0.05)
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
    _scale_bar(ax)
    return ax


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


# ---------------------------------------------------------------------------- deserts and equity
def desert_map(
    deserts, *, network: Network | None = None, ax: Axes | None = None, title: str | None = None
) -> Axes:
    """Map a :func:`reachable.deserts` result: cells coloured by shortfall, deserts outlined.

    Parameters
    ----------
    deserts : reachable.deserts.Deserts
        Without ``time`` (one map per time: select the rows of ``deserts.cells`` first).
    network : Network, optional
        Its streets make the background (see :func:`accessibility_map`).
    ax : matplotlib.axes.Axes, optional
    title : str, optional
        Default: what is mapped and the share of people living in deserts.

    Returns
    -------
    matplotlib.axes.Axes
    """
    import geopandas as gpd
    import shapely

    cells = getattr(deserts, "cells", None)
    if not isinstance(cells, gpd.GeoDataFrame) or "shortfall" not in cells.columns:
        raise InvalidParameterError("desert_map draws the result of reachable.deserts (with cell shapes)")
    if "time" in cells.columns:
        raise InvalidParameterError(
            "deserts of a profile have one map per time: pass the rows of one time, e.g. "
            "dataclasses.replace(d, cells=d.cells[d.cells['time'] == t])"
        )
    _check_network(network)
    crs = _metric_crs(cells, network)
    shapes = _origin_shapes(cells, crs)
    values = cells["shortfall"].to_numpy(dtype=float)
    scale = _colour_scale(values, 0.0, 1.0, "OrRd")
    ax = _new_axes(ax)
    _map_layers(ax, shapes, values, scale, crs, network, shapely.total_bounds(shapes))
    outline = gpd.GeoSeries(shapes[cells["desert"].to_numpy()], crs=crs).union_all()
    if not outline.is_empty:
        gpd.GeoSeries([outline], crs=crs).boundary.plot(ax=ax, color="black", linewidth=0.8, zorder=3)
        _bare(ax)  # geopandas labels the axes again
    settings = deserts.settings
    _colorbar(ax.figure, scale, ax, "shortfall: share of the line missing", shrink=0.7, pad=0.02)
    if title is None:
        share = deserts.summary["fgt0"].iloc[-1]
        what = f"{settings['column']} reachable {_mode_phrase(settings['mode'])}"
        if settings.get("cutoff") is not None:
            what += f" within {_number(settings['cutoff'])} min"
        line = settings["line"]
        below = (
            f"below {line:,.0f}" if settings["relative_to"] is None
            else f"below {line:.0%} of the median" if settings["relative_to"] == "median"
            else f"below {line:.0%} of the car's"
        )  # fmt: skip
        title = f"Deserts: {what} {below}\n{share:.1%} of the people live in one (outlined)"
    ax.set_title(title)
    return ax


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
    from .deserts import weighted_quantile

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
