"""Opportunity locations (training sites, schools, ...) read from OpenStreetMap files.

:func:`from_osm` turns the tagged features of an OSM extract into one point per site, with a
``count`` column of 1.0 so the result can be used directly as the opportunities of an
accessibility measure.
"""

from __future__ import annotations

import logging
from collections.abc import Iterable, Mapping
from pathlib import Path

import geopandas as gpd
import numpy as np
import osmium
import pandas as pd
import shapely

from ._progress import progress_bar
from .errors import DataFileNotFoundError, InvalidParameterError, OSMFileError
from .osm.reader import _open

__all__ = ["COLUMNS", "KINDS", "SCHOOL_TAGS", "TRAINING_TAGS", "TagRule", "from_osm"]

logger = logging.getLogger("reachable")

TagRule = tuple[str | None, Mapping[str, tuple[str, ...] | None]]
"""One rule of a tag table: ``(kind, {key: accepted values or None for any value})``.

A feature matches when it has every key of the rule with one of the accepted values (values
separated by ``;`` in OSM are tried one by one). ``kind`` ``None`` means the matched value
itself (or the key, when the value is ``yes``) names the kind.
"""

_EDUCATION_AMENITIES = ("school", "college", "training")

TRAINING_TAGS: tuple[TagRule, ...] = (
    ("vocational", {"amenity": _EDUCATION_AMENITIES, "school": ("vocational",)}),
    ("adult_education", {"amenity": _EDUCATION_AMENITIES, "school:for": ("adults",)}),
    ("university", {"amenity": ("university",)}),
    ("college", {"amenity": ("college",)}),
    ("school", {"amenity": ("school",)}),
    ("training", {"amenity": ("training",)}),
)
"""Tags of training sites for ``kind="training"``; the first matching rule names the kind."""

SCHOOL_TAGS: tuple[TagRule, ...] = (("school", {"amenity": ("school",)}),)
"""Tags of ``kind="schools"``: primary and secondary schools only."""

KINDS: dict[str, tuple[TagRule, ...]] = {"training": TRAINING_TAGS, "schools": SCHOOL_TAGS}
"""Named tag tables accepted by ``from_osm(kind=...)``."""

COLUMNS = ("id", "kind", "name", "count", "geometry")
"""Columns of the GeoDataFrame returned by :func:`from_osm`."""

_TYPE_NAMES = {"n": "node", "w": "way", "r": "relation"}
_TYPE_ORDER = {"node": 0, "way": 1, "relation": 2}
_AREA_RELATION_TYPES = ("multipolygon", "boundary")  # the relations libosmium assembles


def from_osm(
    osm: str | Path,
    kind: str | Mapping[str, str | Iterable[str]] = "training",
    *,
    progress: bool | None = None,
) -> gpd.GeoDataFrame:
    """Opportunity sites tagged in an OpenStreetMap file, one point per site.

    Tag table of ``kind="training"`` (:data:`TRAINING_TAGS`), tried in this order; the first
    rule a feature matches gives its ``kind``:

    ============================================================  ===============
    tags (all required)                                           kind
    ============================================================  ===============
    ``amenity=school|college|training`` + ``school=vocational``   vocational
    ``amenity=school|college|training`` + ``school:for=adults``   adult_education
    ``amenity=university``                                        university
    ``amenity=college``                                           college
    ``amenity=school``                                            school
    ``amenity=training``                                          training
    ============================================================  ===============

    Why these tags: ``amenity=school``, ``college`` and ``university`` are the approved,
    universally used OSM tags for places of formal education (``college`` being further
    education such as technical colleges). ``amenity=training`` is OSM's tag for training
    centres (its sub-key ``training=*`` tells the subject), the main tag for short courses
    and professional training. ``school=vocational`` is the documented ``school=*`` value for
    vocational and trade schools, and ``school:for=adults`` the tag MapComplete writes for
    schools for adults; both only refine the kind of an education amenity. Not included:
    ``amenity=kindergarten`` (not training for work), hobby and single-skill schools
    (``amenity=music_school``, ``dancing_school``, ``language_school``, ``driving_school``,
    ``prep_school``) and ``office=educational_institution`` (administrative offices, not
    teaching sites). Add them with a custom mapping when they matter.

    ``kind="schools"`` (:data:`SCHOOL_TAGS`) keeps ``amenity=school`` only, all with kind
    ``school``.

    Geometry: a node gives its own location. Closed ways and ``type=multipolygon`` (or
    ``boundary``) relations are assembled into areas by pyosmium
    (``FileProcessor.with_areas()``) and give a representative point guaranteed to lie inside
    the area (:func:`shapely.point_on_surface`), not the centroid, which may fall outside an
    L-shaped campus or in a courtyard hole. A tagged way that is not closed, or a closed way that
    libosmium could not assemble (self-intersecting), falls back to the point halfway along
    the line, or to a point inside the repaired polygon. Other relations (``type=site``, ...)
    have no geometry of their own and are skipped, as are areas whose members are missing
    from a clipped extract; both are logged.

    Duplicates: a site is often mapped twice, as a node inside the area of the same site, or
    as a building inside its grounds. A feature whose point lies in a *larger* area of the
    same kind is dropped when their names agree (equal ignoring case, or either one
    unnamed); distinct named institutions sharing one set of grounds are all kept.

    Parameters
    ----------
    osm : str or Path
        ``.osm.pbf``, ``.pbf``, ``.osm``, ``.osm.xml`` or ``.xml`` file (optionally
        compressed with ``.gz``/``.bz2`` as libosmium allows).
    kind : str or mapping, default "training"
        ``"training"`` or ``"schools"`` (see above), or a custom mapping
        ``{tag_key: values}`` where ``values`` is a list of accepted values (or one value)
        or ``"*"`` for any value except ``no``. With a mapping, the matched tag value names
        the kind (the key when the value is ``yes``), e.g.
        ``{"office": "*", "shop": ["supermarket", "mall"]}`` as a proxy for jobs. Keys are
        tried in mapping order.
    progress : bool, optional
        Show a progress bar of the sites found; default only on an interactive terminal or
        notebook.

    Returns
    -------
    geopandas.GeoDataFrame
        One row per site, in EPSG:4326, with columns ``id`` (str, ``"node/123"``,
        ``"way/456"`` or ``"relation/789"``), ``kind`` (str), ``name`` (str, ``""`` when
        unnamed), ``count`` (float, 1.0 per site) and ``geometry`` (Point); sorted by
        node, way, relation and id. Empty, with these columns and a logged warning, when
        the file holds no matching feature.

    Raises
    ------
    DataFileNotFoundError
        The file does not exist.
    OSMFileError
        The file is empty or is not OpenStreetMap data.
    InvalidParameterError
        ``kind`` is neither a known name nor a valid mapping.

    Examples
    --------
    >>> import reachable as rc
    >>> sites = rc.opportunities.from_osm(rc.datasets.porto_alegre().osm)  # doctest: +SKIP
    >>> sites["kind"].value_counts()  # doctest: +SKIP
    """
    rules = _rules(kind)
    path = Path(osm)
    if not path.is_file():
        raise DataFileNotFoundError(f"OSM file not found: {path}")
    if path.stat().st_size == 0:
        raise OSMFileError(f"OSM file {path} is empty; pass a .osm.pbf or .osm (XML) extract")

    keys = sorted({key for _, tags in rules for key in tags})
    sites = _read_sites(path, rules, keys, progress)
    if sites.empty:
        logger.warning("%s: no opportunity site found for kind=%r", path, kind)
        return _empty()
    return _drop_duplicates(sites)


def _rules(kind: object) -> tuple[TagRule, ...]:
    """Tag table of a ``kind`` argument, validated."""
    if isinstance(kind, str):
        if kind not in KINDS:
            raise InvalidParameterError(
                f"unknown opportunity kind {kind!r}; use one of {', '.join(map(repr, KINDS))} "
                "or a mapping {tag_key: [values] or '*'}"
            )
        return KINDS[kind]
    if not isinstance(kind, Mapping) or not kind:
        raise InvalidParameterError(
            f"kind must be {' or '.join(map(repr, KINDS))} or a non-empty mapping "
            f"{{tag_key: [values] or '*'}}, not {kind!r}"
        )
    rules: list[TagRule] = []
    for key, values in kind.items():
        if not isinstance(key, str) or not key:
            raise InvalidParameterError(f"tag keys of kind must be non-empty strings, not {key!r}")
        if values == "*":
            rules.append((None, {key: None}))
            continue
        accepted = (values,) if isinstance(values, str) else tuple(values)
        if not accepted or not all(isinstance(value, str) and value for value in accepted):
            raise InvalidParameterError(
                f"values of kind[{key!r}] must be '*' or non-empty strings, not {values!r}"
            )
        rules.append((None, {key: accepted}))
    return tuple(rules)


def _match(tags: Mapping[str, str], rules: tuple[TagRule, ...]) -> str | None:
    """Kind of the first rule the tags match, or None."""
    for kind, required in rules:
        first: tuple[str, str] | None = None
        for key, accepted in required.items():
            raw = tags.get(key)
            if raw is None:
                break
            parts = [part.strip() for part in raw.split(";") if part.strip()]
            if accepted is None:
                hit = next((part for part in parts if part != "no"), None)
            else:
                hit = next((part for part in parts if part in accepted), None)
            if hit is None:
                break
            if first is None:
                first = (key, hit)
        else:
            if kind is not None:
                return kind
            if first is not None:
                return first[0] if first[1] == "yes" else first[1]
    return None


def _read_sites(
    path: Path, rules: tuple[TagRule, ...], keys: list[str], progress: bool | None
) -> gpd.GeoDataFrame:
    """Every matching feature with its point, and its area polygon when it has one."""
    wkb = osmium.geom.WKBFactory()
    records: dict[str, tuple[str, str, float, float]] = {}  # node id -> kind, name, lon, lat
    areas: dict[str, tuple[str, str, str]] = {}  # id -> kind, name, WKB (hex) of the area
    lines: dict[str, tuple[str, str, str]] = {}  # id -> kind, name, WKB (hex) of the way
    relations: dict[str, bool] = {}  # id -> whether libosmium should have made it an area
    missing_locations = 0
    try:
        processor = (
            osmium.FileProcessor(_open(path))
            .with_locations()
            .with_areas(osmium.filter.KeyFilter(*keys))
            .with_filter(osmium.filter.KeyFilter(*keys))
        )
        with progress_bar(None, "opportunity sites", progress, unit="site") as bar:  # type: ignore[arg-type]
            for obj in processor:
                tags = dict(obj.tags)
                kind = _match(tags, rules)
                if kind is None:
                    continue
                name = tags.get("name", "")
                type_str = obj.type_str()
                if type_str == "a":
                    osm_id = f"{'way' if obj.from_way() else 'relation'}/{obj.orig_id()}"
                    try:
                        areas[osm_id] = (kind, name, wkb.create_multipolygon(obj))
                    except (RuntimeError, osmium.InvalidLocationError):
                        # A broken ring (self-intersecting, ...): ways fall back to their
                        # line below, relations are reported as not assembled.
                        continue
                    bar.update(1)
                    continue
                osm_id = f"{_TYPE_NAMES[type_str]}/{obj.id}"
                if type_str == "n":
                    if not obj.location.valid():
                        missing_locations += 1
                        continue
                    records[osm_id] = (kind, name, obj.location.lon, obj.location.lat)
                    bar.update(1)
                elif type_str == "w":
                    try:
                        lines[osm_id] = (kind, name, wkb.create_linestring(obj))
                    except (RuntimeError, osmium.InvalidLocationError):
                        missing_locations += 1
                else:
                    relations[osm_id] = tags.get("type") in _AREA_RELATION_TYPES
    except RuntimeError as error:
        raise OSMFileError(
            f"cannot read {path} as OpenStreetMap data ({error}); pass a .osm.pbf or .osm (XML) file"
        ) from error

    unassembled = [osm_id for osm_id, is_area in relations.items() if is_area and osm_id not in areas]
    skipped_relations = sum(not is_area for is_area in relations.values())
    if unassembled:
        logger.warning(
            "%s: %d multipolygon sites could not be assembled (members missing from the "
            "extract?) and were skipped: %s",
            path,
            len(unassembled),
            ", ".join(unassembled[:5]),
        )
    if skipped_relations:
        logger.info("%s: %d sites mapped as non-multipolygon relations were skipped", path, skipped_relations)
    if missing_locations:
        logger.warning("%s: %d sites have nodes without location and were skipped", path, missing_locations)

    ids: list[str] = list(records)
    kinds = [records[i][0] for i in ids]
    names = [records[i][1] for i in ids]
    points = [shapely.Point(records[i][2], records[i][3]) for i in ids]
    polygons: list[shapely.Geometry | None] = [None] * len(ids)

    if areas:
        area_ids = list(areas)
        shapes = shapely.from_wkb([areas[i][2] for i in area_ids])
        ids += area_ids
        kinds += [areas[i][0] for i in area_ids]
        names += [areas[i][1] for i in area_ids]
        points += list(shapely.point_on_surface(shapes))
        polygons += list(shapes)

    fallback = [i for i in lines if i not in areas]
    if fallback:
        logger.debug("%s: %d ways are not areas; using a point on them", path, len(fallback))
        for osm_id in fallback:
            line = shapely.from_wkb(lines[osm_id][2])
            closed = shapely.is_closed(line) and shapely.get_num_points(line) >= 4
            if closed:
                polygon = shapely.make_valid(shapely.Polygon(shapely.get_coordinates(line)))
                point = shapely.point_on_surface(polygon)
            else:
                polygon = None
                point = shapely.line_interpolate_point(line, 0.5, normalized=True)
            ids.append(osm_id)
            kinds.append(lines[osm_id][0])
            names.append(lines[osm_id][1])
            points.append(point)
            polygons.append(polygon if closed and not polygon.is_empty else None)

    frame = gpd.GeoDataFrame(
        {
            "id": pd.Series(ids, dtype=object),
            "kind": pd.Series(kinds, dtype=object),
            "name": pd.Series(names, dtype=object),
            "count": np.ones(len(ids)),
            "area": gpd.GeoSeries(polygons, crs="EPSG:4326"),
        },
        geometry=gpd.GeoSeries(points, crs="EPSG:4326"),
        crs="EPSG:4326",
    )
    return frame


def _drop_duplicates(sites: gpd.GeoDataFrame) -> gpd.GeoDataFrame:
    """Drop features lying inside a larger area of the same site; sort; keep COLUMNS."""
    has_area = sites["area"].notna().to_numpy()
    if has_area.any():
        containers = gpd.GeoDataFrame(
            {
                "container": np.flatnonzero(has_area),
                "container_size": shapely.area(sites["area"].to_numpy()[has_area]),
            },
            geometry=gpd.GeoSeries(sites["area"].to_numpy()[has_area], crs=sites.crs),
        )
        points = gpd.GeoDataFrame(
            {"inner": np.arange(len(sites))}, geometry=sites.geometry.to_numpy(), crs=sites.crs
        )
        pairs = gpd.sjoin(points, containers, predicate="intersects", how="inner")
        inner = pairs["inner"].to_numpy()
        container = pairs["container"].to_numpy()
        kinds = sites["kind"].to_numpy()
        names = np.array([name.strip().casefold() for name in sites["name"]], dtype=object)
        sizes = shapely.area(sites["area"].to_numpy())
        sizes = np.where(has_area, np.nan_to_num(sizes), 0.0)
        ids = sites["id"].to_numpy()
        larger = (pairs["container_size"].to_numpy() > sizes[inner]) | (
            (pairs["container_size"].to_numpy() == sizes[inner]) & (ids[container] < ids[inner])
        )
        same_site = (
            (inner != container)
            & (kinds[inner] == kinds[container])
            & ((names[inner] == names[container]) | (names[inner] == "") | (names[container] == ""))
            & larger
        )
        drop = np.unique(inner[same_site])
        if len(drop):
            logger.info("dropped %d duplicate sites mapped inside the area of the same site", len(drop))
            sites = sites.drop(index=sites.index[drop])

    parts = sites["id"].str.split("/", n=1)
    types = parts.str[0].map(_TYPE_ORDER).to_numpy()
    numbers = parts.str[1].astype("int64").to_numpy()
    positions = np.lexsort((numbers, types))
    result = sites.iloc[positions][list(COLUMNS)].reset_index(drop=True)
    return gpd.GeoDataFrame(result, geometry="geometry", crs="EPSG:4326")


def _empty() -> gpd.GeoDataFrame:
    """A GeoDataFrame with the result columns and no row."""
    return gpd.GeoDataFrame(
        {
            "id": pd.Series([], dtype=object),
            "kind": pd.Series([], dtype=object),
            "name": pd.Series([], dtype=object),
            "count": pd.Series([], dtype=np.float64),
        },
        geometry=gpd.GeoSeries([], crs="EPSG:4326"),
        crs="EPSG:4326",
    )
