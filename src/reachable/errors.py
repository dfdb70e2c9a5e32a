"""Exceptions raised by reachable.

Every error derives from :class:`ReachableError` and also from the builtin exception a
caller would naturally catch (``FileNotFoundError``, ``ValueError``, ...), so both
``except reachable.ReachableError`` and ``except ValueError`` work.
"""

from __future__ import annotations

__all__ = [
    "CRSError",
    "ClusterError",
    "DataFileNotFoundError",
    "ElevationError",
    "GTFSError",
    "InvalidParameterError",
    "InvalidPointsError",
    "NetworkFormatError",
    "OSMFileError",
    "ReachableError",
    "ReachableWarning",
    "UnknownModeError",
]


class ReachableError(Exception):
    """Base class of every error raised on purpose by reachable."""


class DataFileNotFoundError(ReachableError, FileNotFoundError):
    """An input file or folder does not exist."""


class OSMFileError(ReachableError, ValueError):
    """An OpenStreetMap input is empty, unreadable or holds no routable street."""


class ElevationError(ReachableError, ValueError):
    """An elevation raster is unreadable, has no CRS, or does not cover the streets."""


class InvalidPointsError(ReachableError, ValueError):
    """Origins, destinations or opportunities are malformed (ids, geometry, columns)."""


class GTFSError(ReachableError, ValueError):
    """A GTFS feed is missing, unreadable or has broken rows.

    ``problems`` lists every problem found, each naming the file and line, so a feed is
    fixed in one pass rather than one error at a time.
    """

    def __init__(self, message: str, problems: list[str] | None = None) -> None:
        self.problems = list(problems or [])
        if self.problems:
            message += "\n" + "\n".join(f"  - {problem}" for problem in self.problems)
        super().__init__(message)


class CRSError(ReachableError, ValueError):
    """A geometry has no coordinate reference system, or one that cannot be used."""


class UnknownModeError(ReachableError, ValueError):
    """A transport mode that reachable does not know, or that the network was not built for."""


class InvalidParameterError(ReachableError, ValueError):
    """A parameter value is impossible (negative speed, zero time budget, ...)."""


class NetworkFormatError(ReachableError, ValueError):
    """A saved network file is not a reachable network, or was written by another format version."""


class ClusterError(ReachableError, RuntimeError):
    """A Dask cluster's workers cannot take a query (they cannot load the network, or there are none)."""


class ReachableWarning(UserWarning):
    """Base class of the warnings reachable emits (unsnapped points, ...)."""
