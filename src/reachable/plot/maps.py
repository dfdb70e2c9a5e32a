"""Maps: accessibility (one map or panels), what each aid adds, isochrones, mobility deserts."""

from __future__ import annotations

import math
from collections.abc import Sequence
from typing import TYPE_CHECKING

import numpy as np
import pandas as pd

from ..errors import InvalidParameterError
from ..modes import is_transit
from ..network import Network
from ._base import (
    _bare,
    _capitalised,
    _check_column,
    _check_frame,
    _check_network,
    _colorbar,
    _colour_scale,
    _departure_text,
    _draw_streets,
    _frame_extent,
    _listing,
    _map_layers,
    _metric_crs,
    _mode_phrase,
    _new_axes,
    _number,
    _ordinal,
    _origin_shapes,
    _panels,
    _reach,
    _scale_bar,
    _select,
)

if TYPE_CHECKING:
    from matplotlib.axes import Axes
    from matplotlib.figure import Figure


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
    from ..aids import Aid, default

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
