"""Street edges from a graph downloaded with OSMnx (``osmnx.graph_from_place`` ...)."""

from __future__ import annotations

import networkx as nx
import numpy as np

from ..errors import CRSError, OSMFileError
from ..network.edges import StreetEdges, great_circle_m
from .tags import car_speed_kph, first_value, mode_allowed


def edges_from_osmnx(G: nx.MultiDiGraph, modes: tuple[str, ...]) -> StreetEdges:
    """Turn an OSMnx ``MultiDiGraph`` into street edges for ``modes``.

    Each OSMnx edge ``u -> v`` is travelled in its own direction by every mode that its tags
    allow, except the edges OSMnx adds against a one-way street for walkers (``oneway`` and
    ``reversed`` both true), which only walking uses. Walking also travels an edge backwards
    when the graph has no ``v -> u`` edge (OSMnx drive graphs). Tags that OSMnx does not keep
    (``foot``, ``oneway:bicycle``, ...) cannot be honoured.

    Parameters
    ----------
    G : networkx.MultiDiGraph
        A graph with node attributes ``x``, ``y`` and a ``crs`` graph attribute; projected
        graphs are converted back to WGS84.
    modes : tuple of str

    Returns
    -------
    StreetEdges
    """
    if not isinstance(G, nx.MultiDiGraph):
        raise OSMFileError(
            f"osm must be a file path or an OSMnx networkx.MultiDiGraph, got {type(G).__name__}"
        )
    if G.number_of_edges() == 0:
        raise OSMFileError("the OSMnx graph has no edges")
    crs = G.graph.get("crs")
    if crs is None:
        raise CRSError("the OSMnx graph has no 'crs' graph attribute; set G.graph['crs'] = 'epsg:4326'")
    from pyproj import CRS

    if not CRS.from_user_input(crs).is_geographic:
        import osmnx as ox

        G = ox.projection.project_graph(G, to_latlong=True)

    node_id = np.fromiter(G.nodes, dtype=np.int64, count=G.number_of_nodes())
    order = np.argsort(node_id)
    node_id = node_id[order]
    node_lon = np.array([G.nodes[n]["x"] for n in node_id], dtype=np.float64)
    node_lat = np.array([G.nodes[n]["y"] for n in node_id], dtype=np.float64)

    u, v, length, speed, way, highway, directions = [], [], [], [], [], [], []
    geometry_lon, geometry_lat, counts = [], [], []
    for a, b, data in G.edges(data=True):
        walk_only = bool(data.get("oneway")) and bool(data.get("reversed"))
        allowed = []
        for mode in modes:
            if not mode_allowed(data, mode) or (walk_only and mode != "walk"):
                allowed.append((False, False))
            else:
                allowed.append((True, mode == "walk" and not G.has_edge(b, a)))
        if not any(f or r for f, r in allowed):
            continue
        geometry = data.get("geometry")
        if geometry is not None:
            xs, ys = geometry.xy
            xs, ys = list(xs), list(ys)
        else:
            xs, ys = [G.nodes[a]["x"], G.nodes[b]["x"]], [G.nodes[a]["y"], G.nodes[b]["y"]]
        u.append(a)
        v.append(b)
        measured = data.get("length")
        length.append(
            float(measured)
            if measured is not None
            else float(great_circle_m(xs[:-1], ys[:-1], xs[1:], ys[1:]).sum())
        )
        speed.append(car_speed_kph(data))
        way.append(int(first_value(data.get("osmid")) or -1))
        highway.append(first_value(data.get("highway")) or "")
        directions.append(allowed)
        geometry_lon.extend(xs)
        geometry_lat.extend(ys)
        counts.append(len(xs))
    if not u:
        raise OSMFileError(f"the OSMnx graph has no edge usable by {', '.join(modes)}")
    return StreetEdges(
        node_id=node_id,
        node_lon=node_lon,
        node_lat=node_lat,
        u=np.searchsorted(node_id, np.asarray(u, dtype=np.int64)),
        v=np.searchsorted(node_id, np.asarray(v, dtype=np.int64)),
        length=np.asarray(length, dtype=np.float64),
        car_speed=np.asarray(speed, dtype=np.float64),
        way_id=np.asarray(way, dtype=np.int64),
        highway=np.asarray(highway, dtype=object),
        directions=np.asarray(directions, dtype=bool).reshape(len(u), len(modes), 2),
        geometry_offsets=np.concatenate(([0], np.cumsum(counts))).astype(np.int64),
        geometry_lon=np.asarray(geometry_lon, dtype=np.float64),
        geometry_lat=np.asarray(geometry_lat, dtype=np.float64),
        modes=modes,
    )
