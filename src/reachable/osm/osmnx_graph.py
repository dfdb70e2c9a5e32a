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
    ``reversed`` both true), which only walking uses; walking travels every edge both ways.
    The two OSMnx edges of a two-way street (same way, reversed, same length) become one
    edge with both directions. Graphs downloaded with ``bidirectional=True`` have lost their
    one-way information, and tags OSMnx does not keep (``foot``, ``oneway:bicycle``, ...)
    cannot be honoured.

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
    # OSMnx stores a two-way street as two edges; they become one edge with both directions.
    index_of = {}
    for a, b, data in G.edges(data=True):
        walk_only = bool(data.get("oneway")) and bool(data.get("reversed"))
        allowed = [mode_allowed(data, mode) and (mode == "walk" or not walk_only) for mode in modes]
        if not any(allowed):
            continue
        way_id = int(first_value(data.get("osmid")) or -1)
        measured = data.get("length")
        geometry = data.get("geometry")
        if geometry is not None:
            xs, ys = (list(c) for c in geometry.xy)
        else:
            xs, ys = [G.nodes[a]["x"], G.nodes[b]["x"]], [G.nodes[a]["y"], G.nodes[b]["y"]]
        metres = (
            float(measured)
            if measured is not None
            else float(great_circle_m(xs[:-1], ys[:-1], xs[1:], ys[1:]).sum())
        )
        twin = index_of.get((b, a, way_id))
        if twin is not None and abs(length[twin] - metres) < 1e-6 * max(1.0, metres):
            for m, ok in enumerate(allowed):
                directions[twin][m][1] |= ok
            continue
        index_of[(a, b, way_id)] = len(u)
        u.append(a)
        v.append(b)
        length.append(metres)
        speed.append(car_speed_kph(data))
        way.append(way_id)
        highway.append(first_value(data.get("highway")) or "")
        # Walking ignores one-way streets, so it may travel every edge backwards.
        directions.append([[ok, ok and mode == "walk"] for mode, ok in zip(modes, allowed, strict=True)])
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
