"""The places each street position serves: Voronoi cells of points sampled along the streets.

A place joins the network at the nearest point of the nearest street (see
:mod:`reachable.network.snapping`). Sampling every street every few metres and cutting the
plane into the Voronoi cells of the samples tells, for any place, which street position it
walks to: the sample whose cell holds it. Isochrones are unions of (parts of) these cells, so
they hold the places a travel-time matrix reaches, and not the places across a river or a
rail yard that a straight-line buffer would take.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import shapely

SAMPLE_SPACING = 10.0
"""Metres between samples along a street: the precision of isochrone edges across streets."""

EXTENT_MARGIN = 10_000.0
"""Metres added around the streets' bounding box, where the outermost cells are cut."""


@dataclass(frozen=True)
class StreetCells:
    """Samples along a mode's streets and the Voronoi cell of each, in the network's metric CRS.

    Attributes
    ----------
    edge : ndarray of int64
        The sample's edge, as an index into the mode's :attr:`StreetGraph.edge`.
    fraction : ndarray of float64
        Position along the edge, 0 at its u end and 1 at its v end.
    x, y : ndarray of float64
        Coordinates of the sample, in metres.
    vertex : ndarray of bool
        The sample is a vertex of its street's geometry (where it bends or ends), not a point
        added between vertices.
    pair : ndarray of int64, shape (n_pairs, 2)
        Samples that follow each other along a street: the straight pieces of street.
    cell : ndarray of shapely.Polygon
        The places nearer to this sample than to any other.
    reach : ndarray of float64
        Metres from the sample to the farthest corner of its cell: a disc this wide holds
        the whole cell.
    """

    edge: np.ndarray
    fraction: np.ndarray
    x: np.ndarray
    y: np.ndarray
    vertex: np.ndarray
    pair: np.ndarray
    cell: np.ndarray
    reach: np.ndarray


def street_cells(lines: np.ndarray, spacing: float = SAMPLE_SPACING) -> StreetCells:
    """Sample every line every ``spacing`` metres (and at its vertices) and cut the plane.

    Parameters
    ----------
    lines : ndarray of shapely.LineString
        The edges of a mode's graph, in a metric CRS (``EdgeIndex.lines``).
    spacing : float
        Largest gap between samples along a line, in metres.
    """
    import pandas as pd

    dense = shapely.segmentize(lines, spacing)
    xy, line = shapely.get_coordinates(dense, return_index=True)
    # Position of each point along its line, as the share of the line's length.
    step = np.hypot(*np.diff(xy, axis=0).T)
    same_line = line[1:] == line[:-1]
    along = np.concatenate(([0.0], np.cumsum(np.where(same_line, step, 0.0))))
    along -= along[np.searchsorted(line, line)]
    length = shapely.length(lines)[line]
    fraction = np.clip(np.divide(along, length, out=np.zeros_like(along), where=length > 0), 0.0, 1.0)
    # segmentize copies the original vertices exactly: find them among the points.
    original_xy, original_line = shapely.get_coordinates(lines, return_index=True)
    points = pd.DataFrame({"line": line, "x": xy[:, 0], "y": xy[:, 1]})
    originals = pd.DataFrame({"line": original_line, "x": original_xy[:, 0], "y": original_xy[:, 1]})
    is_vertex = points.merge(originals.drop_duplicates(), how="left", indicator=True)["_merge"] == "both"
    # Streets meet at shared nodes: one sample per place (Voronoi needs distinct points).
    _, first, group = np.unique(xy, axis=0, return_index=True, return_inverse=True)
    order = np.argsort(first)
    sample_of_group = np.empty(len(order), dtype=np.int64)
    sample_of_group[order] = np.arange(len(order))
    sample = sample_of_group[group.ravel()]
    kept = first[order]
    vertex = np.zeros(len(kept), dtype=bool)
    np.logical_or.at(vertex, sample, is_vertex.to_numpy())
    pair = np.column_stack((sample[:-1], sample[1:]))[same_line]
    pair = pair[pair[:, 0] != pair[:, 1]]
    xy = xy[kept]
    low, high = xy.min(axis=0) - EXTENT_MARGIN, xy.max(axis=0) + EXTENT_MARGIN
    diagram = shapely.voronoi_polygons(
        shapely.multipoints(xy), extend_to=shapely.box(*low, *high), ordered=True
    )
    cell = shapely.get_parts(diagram)
    corners, owner = shapely.get_coordinates(cell, return_index=True)
    distance = np.hypot(corners[:, 0] - xy[owner, 0], corners[:, 1] - xy[owner, 1])
    reach = np.zeros(len(cell))
    np.maximum.at(reach, owner, distance)
    return StreetCells(
        edge=line[kept].astype(np.int64), fraction=fraction[kept], x=xy[:, 0], y=xy[:, 1], vertex=vertex,
        pair=pair, cell=cell, reach=reach,
    )  # fmt: skip
