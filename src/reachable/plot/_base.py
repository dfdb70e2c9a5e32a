"""Shared pieces of the maps and charts.

Checks of the frames, shapes of the origins, axes, the streets in the background, the scale
bar, colours and panels.
"""

from __future__ import annotations

import math
from typing import TYPE_CHECKING

import numpy as np
import pandas as pd

from ..errors import InvalidParameterError
from ..modes import is_transit
from ..network import Network

if TYPE_CHECKING:
    pass

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
    from matplotlib.ticker import FuncFormatter, MaxNLocator

    bar = fig.colorbar(scale, ax=axes, label=label, **options)
    span = scale.norm.vmax - scale.norm.vmin
    bar.formatter = FuncFormatter(lambda x, _: f"{x:,.0f}" if span >= 10 else f"{x:g}")
    if bar.orientation == "horizontal":
        # A label such as "250,000" takes about 0.6 inch: a tick per 0.75 inch of bar at most,
        # so that a short bar under one panel does not run its labels together.
        inches = bar.ax.get_position().width * fig.get_figwidth()
        bar.locator = MaxNLocator(nbins=max(2, int(inches / 0.75)))
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
