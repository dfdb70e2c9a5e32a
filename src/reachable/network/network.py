"""The :class:`Network`: street graphs of every mode, built once and queried many times."""

from __future__ import annotations

import datetime
import logging
import time
import warnings
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

import numpy as np

from .._progress import progress_bar
from ..errors import (
    DataFileNotFoundError,
    GTFSError,
    InvalidParameterError,
    NetworkFormatError,
    ReachableWarning,
)
from ..gtfs.timetable import Timetable
from ..modes import (
    ACCESS_MODES,
    DEFAULT_BIKE_SPEED,
    DEFAULT_EBIKE_SPEED,
    DEFAULT_WALK_SPEED,
    GRAPH_OF,
    STREET_MODES,
    check_street_mode,
    combined_mode,
    graph_mode,
)
from ..timeline import service_days
from .cells import StreetCells, street_cells
from .edges import StreetEdges, split_ways
from .elevation import SLOPE_MODES, EdgeElevation, read_edge_elevation
from .snapping import DEFAULT_MAX_SNAP_DISTANCE, EdgeIndex, SnappedPoints, utm_crs
from .storage import cache_key, default_cache_dir, file_digest, read_network, write_network
from .street import StreetGraph, build_street_graph, edge_speed_kph

if TYPE_CHECKING:
    import networkx as nx

logger = logging.getLogger("reachable")


def _check_modes(modes) -> tuple[str, ...]:
    if modes is None:
        return STREET_MODES
    if isinstance(modes, str):
        modes = [modes]
    modes = list(modes)
    if not modes:
        raise InvalidParameterError(f"modes is empty; choose among {', '.join(STREET_MODES)}")
    for mode in modes:
        check_street_mode(mode)
    return tuple(mode for mode in STREET_MODES if mode in modes)


@dataclass(frozen=True)
class SavedFile:
    """The file a network was loaded from or saved to: where it is, and how to tell it unchanged."""

    path: str
    size: int
    mtime_ns: int

    @classmethod
    def of(cls, path: str | Path) -> SavedFile:
        """The file at ``path`` as it is now."""
        path = Path(path).resolve()
        stat = path.stat()
        return cls(str(path), stat.st_size, stat.st_mtime_ns)

    def unchanged(self) -> bool:
        """Whether the file is still there as it was (same size and modification time)."""
        try:
            return SavedFile.of(self.path) == self
        except OSError:
            return False


class Network:
    """Street graphs for walking, cycling, moped and car, built from OpenStreetMap.

    Build one with :meth:`Network.build` (from an OSM file or an OSMnx graph) or
    :meth:`Network.load`; pass it to :func:`reachable.travel_time_matrix`. Its ``elevation``
    holds the streets' elevation profiles, climbs and descents
    (:class:`~reachable.network.elevation.EdgeElevation`) when built with a raster, else None.
    """

    def __init__(
        self,
        edges: StreetEdges,
        graphs: dict[str, StreetGraph],
        metadata: dict,
        timetable: Timetable | None = None,
        elevation: EdgeElevation | None = None,
    ) -> None:
        self.edges = edges
        self._graphs = graphs
        self.metadata = metadata
        self.timetable = timetable
        self.elevation = elevation
        self.crs = utm_crs(float(np.mean(edges.node_lon)), float(np.mean(edges.node_lat)))
        self._edge_indexes: dict[str, EdgeIndex] = {}
        self._street_cells: dict[str, StreetCells] = {}
        # Derived data that depends on query settings (walking transfers, RAPTOR routes):
        # computed on first use, kept for the next query, never saved.
        self.query_cache: dict = {}
        self.saved_file: SavedFile | None = None
        """The file this network was loaded from or last saved to (cluster workers read it)."""

    def __getstate__(self) -> dict:
        # What is sent to a cluster's workers: the network itself, not the caches of queries
        # (rebuilt there on first use).
        state = dict(self.__dict__)
        state.update(query_cache={}, _edge_indexes={}, _street_cells={})
        return state

    # ------------------------------------------------------------------ building
    @classmethod
    def build(
        cls,
        osm,
        gtfs=None,
        *,
        date=None,
        modes=None,
        cache: bool = True,
        cache_dir: str | Path | None = None,
        progress: bool | None = None,
        elevation: str | Path | None = None,
    ) -> Network:
        """Build a network from OpenStreetMap data.

        Parameters
        ----------
        osm : str, Path or networkx.MultiDiGraph
            An OSM file (``.osm.pbf``, ``.pbf``, ``.osm``, ``.osm.xml``), read with pyosmium,
            or a graph from OSMnx (``osmnx.graph_from_place`` and friends).
        gtfs : str, Path, list or dict, optional
            GTFS feeds (zip files or folders) for public transport, as a path, a list of
            paths or ``{name: path}``; ids are namespaced by feed name (default: file stem).
            Enables ``mode="transit"``, which walks on the ``walk`` graph.
        date : str, datetime.date, datetime.datetime, or a list of them, optional
            The service day to route on (``"2019-05-13"``), or several days
            (``["2019-05-13", "2019-05-14"]``); required with ``gtfs``. Several days make one
            timeline, in seconds since midnight of the first day, on which a journey started
            late on one day goes on with the next day's trips (see :mod:`reachable.timeline`).
            Trips of the day before a day (not listed itself) still running after midnight
            are included.
        modes : str or list of str, optional
            Street modes to build among ``walk``, ``bike``, ``moped`` and ``car`` (default:
            all; ``walk`` is added when ``gtfs`` is given). Each mode keeps only the largest
            strongly connected part of its graph.
        cache : bool, default True
            Reuse a network built earlier from the same file bytes and options, and store
            new builds. Applies to OSM files, not OSMnx graphs.
        cache_dir : str or Path, optional
            Cache folder; default ``$REACHABLE_CACHE_DIR`` or the user cache folder.
        progress : bool, optional
            Show a progress bar; default only on an interactive terminal or notebook.
        elevation : str or Path, optional
            A GeoTIFF of ground elevation in metres, in any CRS (read with rasterio), that
            makes walking and cycling times depend on slopes and direction. Each edge is
            sampled at its vertices and every 10 m at most (bilinear interpolation); its climb
            and descent are :attr:`elevation` ``.climb`` and ``.descent`` (m, u to v). Each
            piece of street between samples is priced on its grade ``s`` (rise over run,
            within ±35 %), relative to the flat speed the queries give
            (:mod:`reachable.network.elevation` has the constants):

            - walking: Tobler's hiking function (Tobler 1993, NCGIA Technical Report 93-1),
              speed times ``exp(-3.5 |s + 0.05|) / exp(-3.5 x 0.05)``: 19 % faster on a 5 %
              descent, 16 % slower on a 5 % climb;
            - cycling: the rider's power balance of rolling resistance, gravity and air drag
              (Wilson and Papadopoulos 2004, Bicycling Science): 90 kg, rolling coefficient
              0.01, drag area 0.5 m². Climbs are ridden at the flat speed while that takes
              at most 100 W (or the flat power, if higher), then slower at that power;
              descents at the flat power, up to 30 km/h;
            - e-bikes: the same, 100 kg, with a 250 W motor below 25 km/h (the EU's pedelec
              limits), so at 18 km/h they hold their speed on climbs up to about 5 %;
            - cars and mopeds: unaffected (speed limits and traffic set their speeds).

            Edges the raster does not cover (nodata) are taken as flat, with a warning.
            Without a raster, every street is flat.

        Returns
        -------
        Network

        Raises
        ------
        DataFileNotFoundError, OSMFileError
            The OSM input is missing, empty, unreadable or has no routable street.
        ElevationError
            The raster is unreadable, has no CRS, or misses more than half of the streets.
        GTFSError
            A feed is unreadable or has broken rows (all of them are listed).
        UnknownModeError
            A mode that is not a street mode.
        InvalidParameterError
            ``gtfs`` without ``date`` or the reverse, a malformed date, or an empty list.
        """
        if (gtfs is None) != (date is None):
            raise InvalidParameterError(
                "gtfs and date go together: pass the feeds and the service day to route on, "
                "e.g. gtfs=['feed.zip'], date='2019-05-13'"
            )
        days = () if date is None else service_days(date)
        modes = _check_modes(modes)
        if gtfs is not None and "walk" not in modes:
            modes = _check_modes(("walk", *modes))
        raster = None if elevation is None else Path(elevation)
        if raster is not None and not raster.is_file():
            raise DataFileNotFoundError(f"elevation raster not found: {raster}")
        if not isinstance(osm, (str, Path)):
            from ..osm.osmnx_graph import edges_from_osmnx

            edges = edges_from_osmnx(osm, modes)
            network = cls._from_edges(edges, {"source": "osmnx graph", "modes": list(modes)}, progress)
            return network._with_elevation(raster)._with_timetable(gtfs, days)

        path = Path(osm)
        if not path.is_file():
            raise DataFileNotFoundError(f"OSM file not found: {path}")
        feeds = _feed_paths(gtfs)
        options = {
            "modes": list(modes),
            "dates": [day.isoformat() for day in days],
            "feeds": list(feeds),
        }
        if raster is not None:
            # A network built without the raster, or with another one, is another network.
            options["elevation"] = file_digest(raster)
        cached = None
        if cache:
            digests = [file_digest(path)] + [_feed_digest(p) for p in feeds.values()]
            cached = Path(cache_dir) if cache_dir is not None else default_cache_dir()
            cached = cached / f"{cache_key(digests, options)}.reachable"
            if cached.is_file():
                try:
                    network = cls.load(cached)
                except NetworkFormatError as error:
                    message = f"the cached network {cached} is damaged ({error}); building it again"
                    logger.warning(message)
                    warnings.warn(message, ReachableWarning, stacklevel=2)
                else:
                    logger.info("reusing the network cached in %s", cached)
                    return network
        network = cls._from_osm_file(path, modes, progress)._with_elevation(raster)
        network = network._with_timetable(feeds or None, days)
        if cached is not None:
            network.save(cached)
            logger.info("cached the network in %s", cached)
        return network

    def _with_elevation(self, raster: Path | None) -> Network:
        if raster is None:
            return self
        started = time.perf_counter()
        self.elevation = read_edge_elevation(raster, self.edges)
        self.metadata["elevation"] = str(raster)
        logger.info("sampled %s along the streets in %.1f s", raster, time.perf_counter() - started)
        return self

    def _with_timetable(self, gtfs, days: tuple[datetime.date, ...]) -> Network:
        if gtfs is None:
            return self
        from ..gtfs import read_gtfs

        started = time.perf_counter()
        self.timetable = read_gtfs(gtfs, days)
        self._check_stops_on_streets()
        self.metadata["dates"] = [day.isoformat() for day in days]
        self.metadata["feeds"] = [dict(feed) for feed in self.timetable.feeds]
        logger.info(
            "read %d trips at %d stops for %s in %.1f s",
            self.timetable.n_trips,
            self.timetable.n_stops,
            ", ".join(self.metadata["dates"]),
            time.perf_counter() - started,
        )
        return self

    def _check_stops_on_streets(self) -> None:
        """Warn about stops the streets do not reach; refuse a feed whose coordinates look swapped."""
        timetable, limit = self.timetable, DEFAULT_MAX_SNAP_DISTANCE
        lon, lat = timetable.stop_lon, timetable.stop_lat
        off = self.snap("walk", lon, lat, max_snap_distance=limit).edge < 0
        if not off.any():
            return
        feed_of_stop = np.array([stop.split(":", 1)[0] for stop in timetable.stop_id.astype(str)])
        swapped = None
        for feed in dict.fromkeys(feed_of_stop):
            mine = feed_of_stop == feed
            n_off, n = int(off[mine].sum()), int(mine.sum())
            if n_off > n / 2:
                if swapped is None:
                    swapped = self.snap("walk", lat, lon, max_snap_distance=limit).edge >= 0
                if swapped[mine].mean() > 0.5:
                    raise GTFSError(
                        f"{n_off} of the {n} stops of GTFS feed {feed} are off the OpenStreetMap "
                        "extract, but most would lie on it with stop_lon and stop_lat swapped: fix "
                        "the columns of its stops.txt"
                    )
            if n_off:
                message = (
                    f"{n_off} of the {n} stops of GTFS feed {feed} ({n_off / n:.0%}) are farther than "
                    f"{limit:,.0f} m from the streets of the OpenStreetMap extract: nobody walks to or from "
                    "them (vehicles still pass them); use an extract that covers the feed's area"
                )
                logger.warning(message)
                warnings.warn(message, ReachableWarning, stacklevel=4)

    @classmethod
    def _from_osm_file(cls, path: Path, modes: tuple[str, ...], progress: bool | None) -> Network:
        from ..osm.reader import read_parking, read_street_ways

        started = time.perf_counter()
        with progress_bar(2 + len(modes), "building network", progress) as bar:
            bar.set_postfix_str("reading OSM")
            ways = read_street_ways(path, modes)
            bar.update()
            edges = split_ways(ways)
            bar.update()
            metadata = {"source": str(path), "modes": list(modes), "parking": read_parking(path)}
            network = cls._from_edges(edges, metadata, bar)
        logger.info("built the network of %s in %.1f s", path, time.perf_counter() - started)
        return network

    @classmethod
    def _from_edges(cls, edges: StreetEdges, metadata: dict, bar) -> Network:
        graphs = {}
        for mode in edges.modes:
            graph = build_street_graph(edges, mode)
            if hasattr(bar, "update"):
                bar.update()
            logger.debug("%s graph: %d nodes, %d arcs", mode, graph.n_nodes, graph.n_arcs)
            if graph.n_arcs == 0:
                message = f"no street of the OpenStreetMap data allows {mode}: no {mode} graph is built"
                logger.warning(message)
                warnings.warn(message, ReachableWarning, stacklevel=4)
                continue
            graphs[mode] = graph
        return cls(edges, graphs, metadata)

    # ------------------------------------------------------------------ persistence
    def save(self, path: str | Path) -> Path:
        """Save the network to one file (versioned ``.npz``), reloadable with :meth:`load`.

        Parameters
        ----------
        path : str or Path
            Destination file, e.g. ``"city.reachable"``. It is written atomically.

        Returns
        -------
        Path
        """
        written = write_network(path, self.edges, self._graphs, self.metadata, self.timetable, self.elevation)
        self.saved_file = SavedFile.of(written)
        return written

    @classmethod
    def load(cls, path: str | Path) -> Network:
        """Load a network saved with :meth:`save`.

        Raises
        ------
        DataFileNotFoundError
            The file does not exist.
        NetworkFormatError
            The file is not a reachable network, or was saved by an incompatible version.
        """
        edges, graphs, metadata, timetable, elevation = read_network(path)
        network = cls(edges, graphs, metadata, timetable, elevation)
        network.saved_file = SavedFile.of(path)
        return network

    # ------------------------------------------------------------------ access
    @property
    def modes(self) -> tuple[str, ...]:
        """The modes this network can route.

        Its street modes (``ebike`` with ``bike``), and with GTFS ``transit`` and public
        transport reached by each of them (``"bike+transit"``, ``"car+transit"``...).
        """
        street = tuple(m for m in ACCESS_MODES if graph_mode(m) in self._graphs)
        if self.timetable is None:
            return street
        return street + tuple(combined_mode(m) for m in street)

    @property
    def dates(self) -> tuple[datetime.date, ...]:
        """The service days of the timetable, sorted; empty without public transport."""
        return tuple(datetime.date.fromisoformat(day) for day in self.metadata.get("dates", ()))

    @property
    def date(self) -> datetime.date | None:
        """The first service day, or None without public transport.

        Times on the timetable are seconds since its midnight, also when the network has
        several days (see :attr:`dates`).
        """
        return self.dates[0] if self.dates else None

    def parking(self, kind: str) -> tuple[np.ndarray, np.ndarray]:
        """Longitude and latitude of the OSM file's park-and-ride places or bicycle parkings.

        Parameters
        ----------
        kind : {"park_and_ride", "bicycle_parking"}

        Returns
        -------
        (ndarray, ndarray)
            WGS84 degrees; empty for networks built from an OSMnx graph.
        """
        found = self.metadata.get("parking", {"lon": [], "lat": [], "kind": []})
        mine = np.asarray(found["kind"], dtype=object) == kind
        return np.asarray(found["lon"], float)[mine], np.asarray(found["lat"], float)[mine]

    def graph(self, mode: str) -> StreetGraph:
        """The street graph of ``mode`` (e-bikes use the bike graph)."""
        available = tuple(self._graphs) + tuple(m for m, g in GRAPH_OF.items() if g in self._graphs)
        return self._graphs[graph_mode(check_street_mode(mode, available))]

    def edge_index(self, mode: str) -> EdgeIndex:
        """The spatial index of ``mode``'s edges in the network's UTM CRS (built on first use)."""
        mode = graph_mode(mode)
        if mode not in self._edge_indexes:
            self._edge_indexes[mode] = EdgeIndex(self.edges, self.graph(mode), self.crs)
        return self._edge_indexes[mode]

    def street_cells(self, mode: str) -> StreetCells:
        """Samples along ``mode``'s streets and their Voronoi cells (built on first use)."""
        mode = graph_mode(mode)
        if mode not in self._street_cells:
            self._street_cells[mode] = street_cells(self.edge_index(mode).lines)
        return self._street_cells[mode]

    def snap(self, mode: str, lon, lat, *, max_snap_distance: float) -> SnappedPoints:
        """Snap WGS84 points to the nearest edge of ``mode`` within ``max_snap_distance`` m."""
        return self.edge_index(mode).snap(lon, lat, max_snap_distance)

    def edge_seconds(
        self,
        mode: str,
        *,
        walk_speed: float = DEFAULT_WALK_SPEED,
        bike_speed: float = DEFAULT_BIKE_SPEED,
        ebike_speed: float = DEFAULT_EBIKE_SPEED,
        car_speed_factor: float = 1.0,
    ) -> np.ndarray:
        """Seconds ``mode`` takes along every street edge, in each direction.

        Parameters
        ----------
        mode : {"walk", "bike", "ebike", "moped", "car"}
        walk_speed, bike_speed, ebike_speed : float
            km/h on flat ground.
        car_speed_factor : float
            Multiplies free-flow car speeds.

        Returns
        -------
        ndarray of float64, shape (n_edges, 2)
            Seconds from u to v and from v to u at the speeds of :func:`edge_speed_kph`; the
            two differ for walking and cycling on a network built with an ``elevation``
            raster (see :meth:`build`).
        """
        speed = edge_speed_kph(
            self.edges, mode, walk_speed=walk_speed, bike_speed=bike_speed, ebike_speed=ebike_speed,
            car_speed_factor=car_speed_factor,
        )  # fmt: skip
        seconds = self.edges.length / (speed / 3.6)
        seconds = np.column_stack((seconds, seconds))
        if self.elevation is not None and mode in SLOPE_MODES:
            flat_speed = {"walk": walk_speed, "bike": bike_speed, "ebike": ebike_speed}[mode]
            seconds *= self.elevation.time_factors(mode, flat_speed)
        return seconds

    def to_networkx(
        self,
        mode: str,
        *,
        walk_speed: float = DEFAULT_WALK_SPEED,
        bike_speed: float = DEFAULT_BIKE_SPEED,
        ebike_speed: float = DEFAULT_EBIKE_SPEED,
        car_speed_factor: float = 1.0,
    ) -> nx.MultiDiGraph:
        """The street graph of ``mode`` as an OSMnx-compatible ``networkx.MultiDiGraph``.

        Nodes are OSM node ids with ``x``, ``y`` (WGS84 degrees); each arc is an edge with
        ``osmid`` (way id), ``highway``, ``length`` (m), ``speed_kph`` (the mean speed along
        the arc, slopes included), ``travel_time`` (s), ``reversed`` and ``geometry`` (a
        shapely LineString in travel direction). The graph's
        ``crs`` is ``"epsg:4326"``, so OSMnx functions (``ox.plot_graph``,
        ``ox.shortest_path``, ``ox.project_graph``) work on it.

        Parameters
        ----------
        mode : {"walk", "bike", "ebike", "moped", "car"}
        walk_speed, bike_speed, ebike_speed : float
            km/h.
        car_speed_factor : float
            Multiplies free-flow car speeds.
        """
        import networkx as nx
        import shapely

        graph = self.graph(mode)
        edges = self.edges
        speed = edge_speed_kph(
            edges, mode, walk_speed=walk_speed, bike_speed=bike_speed, ebike_speed=ebike_speed,
            car_speed_factor=car_speed_factor,
        )  # fmt: skip
        seconds = self.edge_seconds(
            mode, walk_speed=walk_speed, bike_speed=bike_speed, ebike_speed=ebike_speed,
            car_speed_factor=car_speed_factor,
        )  # fmt: skip
        flat = (edges.length / (speed / 3.6))[:, None]
        arc_speed = speed[:, None] * np.divide(flat, seconds, out=np.ones_like(seconds), where=seconds > 0)
        G = nx.MultiDiGraph(crs="epsg:4326", mode=mode)
        global_node = graph.node
        G.add_nodes_from(
            (int(edges.node_id[i]), {"x": float(edges.node_lon[i]), "y": float(edges.node_lat[i])})
            for i in global_node
        )
        offsets = edges.geometry_offsets
        coords = np.column_stack((edges.geometry_lon, edges.geometry_lat))
        tail = np.repeat(np.arange(graph.n_nodes), np.diff(graph.indptr))
        for arc in range(graph.n_arcs):
            e = graph.arc_edge[arc]
            reverse = bool(graph.arc_reverse[arc])
            line = coords[offsets[e] : offsets[e + 1]]
            G.add_edge(
                int(edges.node_id[global_node[tail[arc]]]),
                int(edges.node_id[global_node[graph.head[arc]]]),
                osmid=int(edges.way_id[e]),
                highway=str(edges.highway[e]),
                length=float(edges.length[e]),
                speed_kph=float(arc_speed[e, int(reverse)]),
                travel_time=float(seconds[e, int(reverse)]),
                reversed=reverse,
                geometry=shapely.LineString(line[::-1] if reverse else line),
            )
        return G

    def __repr__(self) -> str:
        graphs = ", ".join(f"{m}: {g.n_nodes} nodes/{g.n_arcs} arcs" for m, g in self._graphs.items())
        if self.timetable is not None:
            timetable = self.timetable
            graphs += (
                f"; transit on {', '.join(self.metadata['dates'])}: "
                f"{timetable.n_stops} stops/{timetable.n_trips} trips"
            )
        return f"<reachable.Network from {self.metadata.get('source')!s} ({graphs})>"


def _feed_paths(gtfs) -> dict[str, Path]:
    """Feed names and paths, as the GTFS reader names them."""
    from ..gtfs.files import feed_names

    return {} if gtfs is None else dict(feed_names(gtfs))


def _feed_digest(path: Path) -> str:
    """Digest of a feed: its zip file, or every file of its folder."""
    if not path.exists():
        raise DataFileNotFoundError(f"GTFS feed not found: {path}")
    if path.is_dir():
        return cache_key([file_digest(f) for f in sorted(path.iterdir()) if f.is_file()], {})
    return file_digest(path)
