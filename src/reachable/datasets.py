"""Sample data: Porto Alegre (Brazil) from the r5r project, shipped with the package.

The files (2.2 MB) are inside the package, as r5r ships them in ``inst/extdata``, so the demo
and the tests run offline; each is checked against its sha256 before use. When the
environment variable ``REACHABLE_DATA_DIR`` names a folder, the files are read from there
instead. A file that is neither there nor in the package (a slimmed installation) is
downloaded once from its pinned URL with pooch.

Sources and licences (see ``data/poa/SOURCES.md`` in the package): OpenStreetMap
contributors (ODbL 1.0), EPTC and Trensurb GTFS (open data), Ipea's Access to Opportunities
hexagons (CC BY 4.0), r5r's sample data (MIT).
"""

from __future__ import annotations

import functools
import hashlib
import os
from dataclasses import dataclass
from pathlib import Path

from .errors import DataFileNotFoundError, ReachableError

BASE_URL = (
    "https://github.com/ipeaGIT/r5r/raw/65e61dfce4c24e53293b9c919c701399f752f549/r-package/inst/extdata/poa/"
)
SHA256 = {
    "poa_elevation.tif": "13e1d30246c9728e9468d7bd60baa1ba8347daed06908a338c63c6bc38ac302a",
    "poa_eptc.zip": "90f9e66980efc998d4bf69f13b760b93bb85bf41f884eb6818629cd261a547ba",
    "poa_hexgrid.csv": "2ed19dde671d13736faadba1a614650c93c2b7b96ec64ce1889d23b5796e5c8a",
    "poa_osm.pbf": "d0d692b2b13c3ccabb494856966ea40068fbb3b6d5534b70b9234c74f465787d",
    "poa_points_of_interest.csv": "d985fe56a2eb795546d5708157856c7c51d0b266478f6340a11f713cc41ad785",
    "poa_trensurb.zip": "1c0162e0b7c76604c79037e9e9879f94325989b3775cec854e93fe9473fd99f1",
}
"""The sample files and their sha256."""

PACKAGED = Path(__file__).parent / "data" / "poa"
"""Where the package keeps the sample files."""

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
    """Path of one sample file, checked against its sha256.

    From ``$REACHABLE_DATA_DIR`` when it is set, else from the package, else downloaded once
    from the pinned URL into the user's cache.

    Raises
    ------
    DataFileNotFoundError
        An unknown name; a file missing from ``$REACHABLE_DATA_DIR``; a download that failed.
    ReachableError
        A file whose sha256 is not the published one.
    """
    if name not in SHA256:
        raise DataFileNotFoundError(f"no sample file {name!r}; choose one of {', '.join(SHA256)}")
    folder = os.environ.get(DATA_DIR_VARIABLE)
    if folder:
        path = Path(folder) / name
        if not path.is_file():
            raise DataFileNotFoundError(
                f"{name} is not in {DATA_DIR_VARIABLE}={folder}; put the sample files there "
                f"or unset {DATA_DIR_VARIABLE} to use the ones shipped with reachable"
            )
    elif (PACKAGED / name).is_file():
        path = PACKAGED / name
    else:
        path = download(name, BASE_URL + name, SHA256[name])
    _check_digest(path, SHA256[name])
    return path


def download(name: str, url: str, sha256: str) -> Path:
    """Download a file once into the user's cache with pooch, or one clear error.

    Raises
    ------
    DataFileNotFoundError
        The download failed (no network, a moved URL, a changed file): the message names
        the file, the URL and how to do without the download.
    """
    import pooch

    try:
        return Path(
            pooch.retrieve(
                url,
                known_hash=f"sha256:{sha256}",
                fname=name,
                path=pooch.os_cache("reachable"),
                progressbar=False,
            )
        )
    except Exception as error:  # every failure of a download gets the same advice
        reason = str(error).splitlines()[0] if str(error) else type(error).__name__
        raise DataFileNotFoundError(
            f"could not download {name} from {url} ({reason[:200]}); download it by hand into a folder "
            f"and set {DATA_DIR_VARIABLE} to that folder"
        ) from None


@functools.cache
def _check_digest(path: Path, sha256: str) -> None:
    digest = hashlib.sha256(path.read_bytes()).hexdigest()
    if digest != sha256:
        raise ReachableError(
            f"{path} is not the published sample file (sha256 {digest[:12]}..., expected {sha256[:12]}...); "
            "replace it with the original"
        )


def porto_alegre() -> PortoAlegre:
    """Paths of every Porto Alegre sample file (see :func:`fetch`)."""
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
