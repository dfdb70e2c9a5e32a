"""Street elevation from a GeoTIFF, and how slopes change walking and cycling times.

Each street edge is sampled at the vertices of its geometry and at most
:data:`SAMPLE_SPACING` metres apart, the raster is read there (bilinear interpolation,
the points reprojected to the raster's CRS), and the edge keeps that profile. Travel times
are then priced piece by piece between samples, in each direction, by a speed model relative
to flat ground:

- walking: Tobler's hiking function (:func:`walking_speed_factor`);
- cycling and e-bikes: a rider's power balance (:func:`riding_speed`);
- cars and mopeds: unaffected, their speeds being set by traffic and speed limits.
"""

from __future__ import annotations

import logging
import warnings
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from ..errors import DataFileNotFoundError, ElevationError, ReachableWarning
from ..modes import EBIKE
from .edges import StreetEdges, great_circle_m

logger = logging.getLogger("reachable")

SAMPLE_SPACING = 10.0
"""Metres between elevation samples along a street (R5 samples its edges every 10 m too)."""

MOST = 0.5
"""Share of street edges without elevation above which a raster is refused, not warned about."""

MAX_GRADE = 0.35
"""Steepest grade (rise over run) a piece of street is priced at.

The steepest streets in the world climb about 35 %: steeper pieces come from the raster, not
the street (a bridge or a tunnel over a valley in a terrain model), and would otherwise make
an edge all but impassable.
"""

SLOPE_MODES: tuple[str, ...] = ("walk", "bike", EBIKE)
"""Modes whose speed depends on the slope."""

# Tobler, W. (1993). Three presentations on geographical analysis and modeling: non-isotropic
# geographic modeling. NCGIA Technical Report 93-1, https://escholarship.org/uc/item/05r820mz.
# Walking speed is 6 exp(-3.5 |s + 0.05|) km/h on grade s, fastest on a 5 % descent.
TOBLER_RATE = 3.5
"""Exponential decay of walking speed per unit of grade away from the fastest grade."""

TOBLER_FASTEST_GRADE = -0.05
"""The slight descent Tobler's hiking function walks fastest on."""

# The power balance of a rider (Wilson and Papadopoulos 2004, Bicycling Science, 3rd ed., MIT
# Press, ch. 4): P = v (m g (Crr cos a + sin a) + rho CdA v^2 / 2) at speed v on a slope of
# angle a. Mass, rolling resistance and climbing power are those of BRouter's bicycle profiles
# (totalMass 90, C_r 0.01, bikerPower 100); the drag area is an upright commuter's (typically
# 0.45-0.55 m^2).
GRAVITY = 9.81
"""m/s^2."""

AIR_DENSITY = 1.2
"""kg/m^3, at sea level and 20 °C."""

DRAG_AREA = 0.5
"""m^2: drag coefficient times frontal area of an upright rider on a city bike."""

ROLLING_RESISTANCE = 0.01
"""Rolling resistance coefficient of city or trekking tyres on urban pavement."""

BIKE_MASS = 90.0
"""kg: a 75 kg rider on a 15 kg bike."""

EBIKE_MASS = 100.0
"""kg: a 75 kg rider on a 25 kg pedelec."""

CLIMBING_POWER = 100.0
"""Watts a rider gives on a climb (1.3 W/kg for 75 kg: a sustained, moderate effort).

Riders push harder uphill than they cruise: at the default 12 km/h a rider cruises on about
40 W, and at that power would crawl up a 5 % climb at 3 km/h. A rider who cruises on more
keeps that power on climbs.
"""

MOTOR_POWER = 250.0
"""Watts of an e-bike's motor: the most a pedelec may have in the EU (Regulation 168/2013)."""

ASSIST_LIMIT = 25.0
"""km/h above which a pedelec's motor stops helping (same regulation)."""

DOWNHILL_LIMIT = 30.0
"""km/h: the fastest a bike or e-bike descends a street (faster riders brake to it)."""


@dataclass(frozen=True)
class EdgeElevation:
    """Elevation profiles of the street edges, sampled from a raster.

    Edge ``e``'s samples are ``offsets[e]:offsets[e + 1]``, from u to v: at the vertices of its
    geometry and at most :data:`SAMPLE_SPACING` metres apart.

    Attributes
    ----------
    offsets : ndarray of int64, shape (n_edges + 1,)
    distance : ndarray of float64
        Metres along the edge from u (great-circle, as :attr:`StreetEdges.length`).
    elevation : ndarray of float64
        Metres, in the raster's vertical datum; NaN along every sample of an edge the raster
        does not cover (nodata or outside it), which is then taken as flat.
    """

    offsets: np.ndarray
    distance: np.ndarray
    elevation: np.ndarray

    @property
    def climb(self) -> np.ndarray:
        """Metres climbed along each edge from u to v (NaN without elevation); descent from v to u."""
        return self._sum(np.maximum)

    @property
    def descent(self) -> np.ndarray:
        """Metres descended along each edge from u to v (NaN without elevation); climb from v to u."""
        return -self._sum(np.minimum)

    def _sum(self, side) -> np.ndarray:
        edge, _, rise = self.pieces()
        n_edges = len(self.offsets) - 1
        total = np.bincount(edge, weights=side(rise, 0.0), minlength=n_edges)
        missing = np.bincount(edge, weights=np.isnan(rise), minlength=n_edges) > 0
        return np.where(missing, np.nan, total)

    def pieces(self) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        """``(edge, run, rise)`` of each piece between two samples of an edge, in metres, u -> v."""
        inside = np.ones(len(self.distance) - 1, dtype=bool)
        inside[self.offsets[1:-1] - 1] = False
        start = np.flatnonzero(inside)
        edge = np.repeat(np.arange(len(self.offsets) - 1), np.diff(self.offsets) - 1)
        run = self.distance[start + 1] - self.distance[start]
        rise = self.elevation[start + 1] - self.elevation[start]
        return edge, run, rise

    def time_factors(self, mode: str, flat_speed: float) -> np.ndarray:
        """Seconds along each edge relative to flat ground, u -> v and v -> u.

        Parameters
        ----------
        mode : {"walk", "bike", "ebike"}
        flat_speed : float
            km/h on flat ground.

        Returns
        -------
        ndarray of float64, shape (n_edges, 2)
            1 on flat ground and where the edge has no elevation.
        """
        edge, run, rise = self.pieces()
        flat = np.isnan(rise) | (run <= 0)
        grade = np.clip(np.where(flat, 0.0, rise / np.where(flat, 1.0, run)), -MAX_GRADE, MAX_GRADE)
        n_edges = len(self.offsets) - 1
        length = np.bincount(edge, weights=run, minlength=n_edges)
        factors = np.ones((n_edges, 2))
        for direction, sign in enumerate((1.0, -1.0)):
            slowdown = slope_time_factor(mode, sign * grade, flat_speed)
            seconds = np.bincount(edge, weights=run * slowdown, minlength=n_edges)
            np.divide(seconds, length, out=factors[:, direction], where=length > 0)
        return factors


def walking_speed_factor(grade) -> np.ndarray:
    """Walking speed on ``grade`` (rise over run) relative to flat ground, after Tobler (1993).

    Tobler's hiking function ``6 exp(-3.5 |s + 0.05|)`` km/h divided by its value on flat
    ground: 1.19 at its fastest, on a 5 % descent, 0.84 on a 5 % climb.
    """
    grade = np.asarray(grade, dtype=np.float64)
    fastest = -TOBLER_FASTEST_GRADE
    return np.exp(-TOBLER_RATE * np.abs(grade - TOBLER_FASTEST_GRADE)) / np.exp(-TOBLER_RATE * fastest)


def riding_speed(grade, flat_speed: float, *, mass: float, motor_power: float = 0.0) -> np.ndarray:
    """Speed of a bike or e-bike along a street of ``grade``, from the rider's power balance.

    The rider rides at ``flat_speed`` on flat ground, which takes power
    ``P0 = v0 (m g Crr + rho CdA v0^2 / 2)``. On a climb the rider keeps that speed while it
    takes no more than ``max(P0, CLIMBING_POWER)``, plus an e-bike's ``motor_power`` below
    :data:`ASSIST_LIMIT`, and beyond that slows to the speed this power gives. On a descent the
    rider keeps pedalling at ``P0`` and speeds up, to at most :data:`DOWNHILL_LIMIT` (or the
    flat speed, if faster).

    Parameters
    ----------
    grade : array_like
        Rise over run.
    flat_speed : float
        km/h on flat ground.
    mass : float
        kg of rider and bike.
    motor_power : float
        Watts the motor adds below :data:`ASSIST_LIMIT`.

    Returns
    -------
    ndarray of float64
        m/s along the slope (``flat_speed / 3.6`` exactly on flat ground).
    """
    grade = np.asarray(grade, dtype=np.float64)
    v0 = flat_speed / 3.6
    angle = np.arctan(grade)
    resistance = mass * GRAVITY * (ROLLING_RESISTANCE * np.cos(angle) + np.sin(angle))
    drag = AIR_DENSITY * DRAG_AREA / 2
    flat_power = v0 * (mass * GRAVITY * ROLLING_RESISTANCE + drag * v0**2)
    needed = v0 * (resistance + drag * v0**2)
    rider = max(flat_power, CLIMBING_POWER)
    unassisted = _speed_at_power(rider, resistance, drag)
    assisted = _speed_at_power(rider + motor_power, resistance, drag)
    # The motor stops at the assist limit: between it and the rider's own speed, the rider
    # holds the limit with part of the motor's help.
    climb = np.minimum(v0, np.maximum(unassisted, np.minimum(assisted, ASSIST_LIMIT / 3.6)))
    # Exactly the flat speed where the rider alone holds it, whatever the roots' rounding.
    climb = np.where(needed <= rider, v0, climb)
    descent = np.minimum(_speed_at_power(flat_power, resistance, drag), max(v0, DOWNHILL_LIMIT / 3.6))
    return np.where(needed >= flat_power, climb, descent)


def _speed_at_power(power: float, resistance: np.ndarray, drag: float) -> np.ndarray:
    """The speed ``v > 0`` at which ``v (resistance + drag v^2) = power``.

    Newton's method from above the root: the left side is convex for ``v > 0`` and has a
    single positive root, so the iterates fall to it monotonically.
    """
    speed = np.cbrt(power / drag) + np.sqrt(np.maximum(-resistance, 0.0) / drag)
    for _ in range(100):
        step = (speed * (resistance + drag * speed**2) - power) / (resistance + 3 * drag * speed**2)
        speed = speed - step
        if np.all(np.abs(step) <= 1e-12 * speed):
            break
    return speed


def slope_time_factor(mode: str, grade, flat_speed: float) -> np.ndarray:
    """Seconds on ``grade`` relative to flat ground for ``mode`` (one of :data:`SLOPE_MODES`).

    Lengths are horizontal, so a rider's speed along the slope counts for its horizontal part.
    """
    grade = np.asarray(grade, dtype=np.float64)
    if mode == "walk":
        return 1.0 / walking_speed_factor(grade)
    if mode == EBIKE:
        speed = riding_speed(grade, flat_speed, mass=EBIKE_MASS, motor_power=MOTOR_POWER)
    else:
        speed = riding_speed(grade, flat_speed, mass=BIKE_MASS)
    return (flat_speed / 3.6) * np.sqrt(1 + grade**2) / speed


def read_edge_elevation(path: str | Path, edges: StreetEdges) -> EdgeElevation:
    """Sample a GeoTIFF elevation raster along every street edge.

    Parameters
    ----------
    path : str or Path
        A single-band raster of elevations in metres, in any CRS (read with rasterio).
    edges : StreetEdges

    Returns
    -------
    EdgeElevation

    Raises
    ------
    DataFileNotFoundError
        The file does not exist.
    ElevationError
        The file is not a raster rasterio reads, has no CRS, does not overlap the streets, or
        leaves more than half of the street edges without elevation (nodata).

    Warns
    -----
    ReachableWarning
        Some edges (fewer than half) lack elevation: they are taken as flat.
    """
    import rasterio
    from pyproj import CRS, Transformer
    from rasterio.windows import Window

    path = Path(path)
    if not path.is_file():
        raise DataFileNotFoundError(f"elevation raster not found: {path}")
    offsets, distance, lon, lat = _samples(edges)
    try:
        with rasterio.open(path) as raster:
            if raster.crs is None:
                raise ElevationError(
                    f"the elevation raster {path} has no coordinate reference system: set one "
                    "(gdal_edit.py -a_srs EPSG:4326 for longitude and latitude)"
                )
            to_raster = Transformer.from_crs("EPSG:4326", CRS.from_wkt(raster.crs.to_wkt()), always_xy=True)
            x, y = (np.asarray(a) for a in to_raster.transform(lon, lat))
            to_pixel = ~raster.transform
            column = to_pixel.a * x + to_pixel.b * y + to_pixel.c
            row = to_pixel.d * x + to_pixel.e * y + to_pixel.f
            inside = (column >= 0) & (column <= raster.width) & (row >= 0) & (row <= raster.height)
            if not inside.any():
                raise ElevationError(_no_overlap(path, raster.bounds, raster.crs, edges))
            # Only the window around the streets: a country's terrain model need not fit in memory.
            left = int(max(np.floor(column[inside].min()) - 1, 0))
            top = int(max(np.floor(row[inside].min()) - 1, 0))
            right = int(min(np.ceil(column[inside].max()) + 1, raster.width))
            bottom = int(min(np.ceil(row[inside].max()) + 1, raster.height))
            band = raster.read(1, window=Window(left, top, right - left, bottom - top), masked=True)
    except rasterio.errors.RasterioError as error:
        raise ElevationError(
            f"{path} is not an elevation raster rasterio can read ({error}); give a GeoTIFF"
        ) from error
    values = np.ma.getdata(band).astype(np.float64)
    valid = ~np.ma.getmaskarray(band) & np.isfinite(values)
    elevation = np.full(len(lon), np.nan)
    elevation[inside] = _bilinear(values, valid, column[inside] - left, row[inside] - top)
    return _flat_where_missing(path, EdgeElevation(offsets, distance, elevation))


def _samples(edges: StreetEdges) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
    """Sample points of every edge: ``(offsets, distance, lon, lat)``.

    Each segment of the geometry (between two vertices) is cut into equal parts at most
    :data:`SAMPLE_SPACING` long; an edge's samples are its first vertex, then the end of every
    part.
    """
    lon, lat, offsets = edges.geometry_lon, edges.geometry_lat, edges.geometry_offsets
    n_edges = edges.n_edges
    n_segments = np.diff(offsets) - 1
    has_next = np.ones(len(lon), dtype=bool)
    has_next[offsets[1:] - 1] = False
    start = np.flatnonzero(has_next)
    segment_edge = np.repeat(np.arange(n_edges), n_segments)
    length = great_circle_m(lon[start], lat[start], lon[start + 1], lat[start + 1])
    # Metres along the edge where each segment starts.
    before = np.cumsum(length) - length
    before -= np.repeat(before[offsets[:-1] - np.arange(n_edges)], n_segments)
    n_parts = np.maximum(np.ceil(length / SAMPLE_SPACING), 1).astype(np.int64)
    segment = np.repeat(np.arange(len(start)), n_parts)
    part_of_segment = np.arange(len(segment)) - np.repeat(np.cumsum(n_parts) - n_parts, n_parts)
    share = (part_of_segment + 1) / n_parts[segment]
    n_samples = 1 + np.bincount(segment_edge, weights=n_parts, minlength=n_edges).astype(np.int64)
    sample_offsets = np.concatenate(([0], np.cumsum(n_samples))).astype(np.int64)
    first = sample_offsets[:-1]
    # A part's sample comes after the first vertices of its edge and of every edge before it.
    part = np.arange(len(segment)) + segment_edge[segment] + 1
    i = start[segment]
    sample_lon, sample_lat, distance = (np.empty(sample_offsets[-1]) for _ in range(3))
    sample_lon[first], sample_lat[first], distance[first] = lon[offsets[:-1]], lat[offsets[:-1]], 0.0
    sample_lon[part] = lon[i] + share * (lon[i + 1] - lon[i])
    sample_lat[part] = lat[i] + share * (lat[i + 1] - lat[i])
    distance[part] = before[segment] + share * length[segment]
    return sample_offsets, distance, sample_lon, sample_lat


def _bilinear(values: np.ndarray, valid: np.ndarray, column: np.ndarray, row: np.ndarray) -> np.ndarray:
    """Bilinear interpolation between pixel centres at fractional pixel ``column``, ``row``.

    Within half a pixel of the raster's border the nearest centres are used; a point any of
    whose weighted neighbours is nodata gets NaN.
    """
    height, width = values.shape
    x = np.clip(column - 0.5, 0, width - 1)
    y = np.clip(row - 0.5, 0, height - 1)
    x0 = np.minimum(np.floor(x).astype(np.int64), max(width - 2, 0))
    y0 = np.minimum(np.floor(y).astype(np.int64), max(height - 2, 0))
    x1, y1 = np.minimum(x0 + 1, width - 1), np.minimum(y0 + 1, height - 1)
    dx, dy = x - x0, y - y0
    corners = [(y0, x0), (y0, x1), (y1, x0), (y1, x1)]
    weights = [(1 - dy) * (1 - dx), (1 - dy) * dx, dy * (1 - dx), dy * dx]
    pairs = zip(corners, weights, strict=True)
    missing = sum(np.where(valid[yy, xx], 0.0, weight) for (yy, xx), weight in pairs)
    a, b, c, d = (values[yy, xx] for yy, xx in corners)
    # Interpolated as differences, so that equal neighbours give their value exactly (a flat
    # street stays flat to the last bit).
    top, bottom = a + dx * (b - a), c + dx * (d - c)
    return np.where(missing > 0, np.nan, top + dy * (bottom - top))


def _flat_where_missing(path: Path, elevation: EdgeElevation) -> EdgeElevation:
    """Blank every edge with a sample lacking elevation; refuse a raster that misses most edges."""
    offsets = elevation.offsets
    n_edges = len(offsets) - 1
    edge = np.repeat(np.arange(n_edges), np.diff(offsets))
    missing = np.bincount(edge, weights=np.isnan(elevation.elevation), minlength=n_edges) > 0
    n_missing = int(missing.sum())
    if n_missing == n_edges:
        raise ElevationError(
            f"the elevation raster {path} has no data (nodata) under any street: give a raster "
            "with elevations over the area of the OpenStreetMap extract"
        )
    if n_missing > MOST * n_edges:
        raise ElevationError(
            f"the elevation raster {path} has no data (nodata or outside it) along {n_missing} of "
            f"the {n_edges} street edges: give a raster that covers the area of the OpenStreetMap "
            "extract, or fill its gaps"
        )
    if n_missing:
        message = (
            f"the elevation raster {path} has no data (nodata or outside it) along {n_missing} of the "
            f"{n_edges} street edges ({n_missing / n_edges:.1%}): they are taken as flat"
        )
        logger.warning(message)
        warnings.warn(message, ReachableWarning, stacklevel=5)
    values = np.where(missing[edge], np.nan, elevation.elevation)
    return EdgeElevation(offsets, elevation.distance, values)


def _no_overlap(path: Path, bounds, crs, edges: StreetEdges) -> str:
    return (
        f"the elevation raster {path} does not overlap the streets: it spans {bounds.left:.4f} to "
        f"{bounds.right:.4f}, {bounds.bottom:.4f} to {bounds.top:.4f} in {crs}, the streets lon "
        f"{edges.node_lon.min():.4f} to {edges.node_lon.max():.4f}, lat {edges.node_lat.min():.4f} to "
        f"{edges.node_lat.max():.4f}: give a raster of the extract's area (and check its CRS)"
    )
