"""Sample data: Porto Alegre (Brazil) from the r5r project.

Files are fetched once with pooch from pinned URLs and checked against their sha256. When
the environment variable ``REACHABLE_DATA_DIR`` names a folder that already holds them (as in
CI and the tests), that folder is used and nothing is downloaded.

Sources and licences: OpenStreetMap (ODbL 1.0), EPTC and Trensurb GTFS (open data), Ipea's
Access to Opportunities hexagons (CC BY 4.0).
"""

from __future__ import annotations

import os
from dataclasses import dataclass
from pathlib import Path

import pooch

from .errors import DataFileNotFoundError

_BASE_URL = (
    "https://github.com/ipeaGIT/r5r/raw/65e61dfce4c24e53293b9c919c701399f752f549/r-package/inst/extdata/poa/"
)
_REGISTRY = {
    "poa_elevation.tif": "sha256:13e1d30246c9728e9468d7bd60baa1ba8347daed06908a338c63c6bc38ac302a",
    "poa_eptc.zip": "sha256:90f9e66980efc998d4bf69f13b760b93bb85bf41f884eb6818629cd261a547ba",
    "poa_hexgrid.csv": "sha256:2ed19dde671d13736faadba1a614650c93c2b7b96ec64ce1889d23b5796e5c8a",
    "poa_osm.pbf": "sha256:d0d692b2b13c3ccabb494856966ea40068fbb3b6d5534b70b9234c74f465787d",
    "poa_points_of_interest.csv": "sha256:d985fe56a2eb795546d5708157856c7c51d0b266478f6340a11f713cc41ad785",
    "poa_trensurb.zip": "sha256:1c0162e0b7c76604c79037e9e9879f94325989b3775cec854e93fe9473fd99f1",
}
_POOCH = pooch.create(path=pooch.os_cache("reachable") / "poa", base_url=_BASE_URL, registry=_REGISTRY)

DATA_DIR_VARIABLE = "REACHABLE_DATA_DIR"


@dataclass(frozen=True)
class PortoAlegre:
    """Paths of the Porto Alegre sample files.

    Attributes
    ----------
    osm : Path
        OpenStreetMap extract (PBF).
    gtfs : tuple of Path
        Bus (EPTC) and metro (Trensurb) GTFS feeds, valid in May 2019 (use Monday 2019-05-13;
        the bus trips run from 11:00 to 17:00).
    hexgrid : Path
        1,227 H3 cells (CSV: id, lon, lat, population, schools, jobs, healthcare).
    points_of_interest : Path
        15 named places (CSV: id, lat, lon).
    elevation : Path
        Elevation raster (GeoTIFF).
    """

    osm: Path
    gtfs: tuple[Path, Path]
    hexgrid: Path
    points_of_interest: Path
    elevation: Path


def fetch(name: str) -> Path:
    """Path of one sample file, from ``$REACHABLE_DATA_DIR`` or downloaded once and cached."""
    if name not in _REGISTRY:
        raise DataFileNotFoundError(f"no sample file {name!r}; choose one of {', '.join(_REGISTRY)}")
    folder = os.environ.get(DATA_DIR_VARIABLE)
    if folder:
        path = Path(folder) / name
        if not path.is_file():
            raise DataFileNotFoundError(
                f"{name} is not in {DATA_DIR_VARIABLE}={folder}; put the sample files there "
                f"or unset {DATA_DIR_VARIABLE} to download them"
            )
        return path
    return Path(_POOCH.fetch(name))


def porto_alegre() -> PortoAlegre:
    """Paths of every Porto Alegre sample file (downloaded on first use unless local)."""
    return PortoAlegre(
        osm=fetch("poa_osm.pbf"),
        gtfs=(fetch("poa_eptc.zip"), fetch("poa_trensurb.zip")),
        hexgrid=fetch("poa_hexgrid.csv"),
        points_of_interest=fetch("poa_points_of_interest.csv"),
        elevation=fetch("poa_elevation.tif"),
    )


def porto_alegre_hexgrid():
    """The 1,227 Porto Alegre H3 cells as a GeoDataFrame of centroids (EPSG:4326).

    Returns
    -------
    geopandas.GeoDataFrame
        Columns ``id`` (H3 index), ``population``, ``schools``, ``jobs``, ``healthcare``
        (counts) and ``geometry`` (cell centroid). Five cells have no ``jobs`` and
        ``healthcare`` values in the published data: they are NaN here, as published;
        fill them (``.fillna({"jobs": 0, "healthcare": 0})``) before measuring access.
    """
    import geopandas as gpd
    import pandas as pd

    table = pd.read_csv(fetch("poa_hexgrid.csv"))
    return gpd.GeoDataFrame(
        table.drop(columns=["lon", "lat"]),
        geometry=gpd.points_from_xy(table["lon"], table["lat"]),
        crs="EPSG:4326",
    )


def porto_alegre_points_of_interest():
    """The 15 named Porto Alegre places as a GeoDataFrame (EPSG:4326) with an ``id`` column."""
    import geopandas as gpd
    import pandas as pd

    table = pd.read_csv(fetch("poa_points_of_interest.csv"))
    return gpd.GeoDataFrame(
        table[["id"]], geometry=gpd.points_from_xy(table["lon"], table["lat"]), crs="EPSG:4326"
    )
