"""The vehicle leg of combined modes: riding or driving to public transport, and parking.

A person with a bike or an e-bike rides to a stop and locks it there (any stop, or with
``bike_parking_only`` the stops within :data:`PARKING_REACH` of an OSM bicycle parking); a
person with a car or a moped drives to a park-and-ride place and walks from it to the stops
within ``max_walk_time``. Public transport and the walk to the destination follow as for
walkers.

A combined mode is its own mode, not the best of walking to public transport and the
vehicle: every trip rides public transport after the vehicle is parked (only an origin at
its destination is 0). A trip with the vehicle alone is the vehicle's own mode (``bike``,
``car``...); a walk-only trip is ``walk``, or part of ``transit``.
"""

from __future__ import annotations

import logging
import warnings
from dataclasses import dataclass

import numpy as np
import pandas as pd

from .._checks import positive
from ..cutoffs import last_second
from ..errors import InvalidParameterError, ReachableWarning
from ..modes import DEFAULT_MAX_ACCESS_TIME, PARKED_AT_PARK_AND_RIDE, combined_mode
from ..network.edges import great_circle_m
from ..network.network import Network
from ..osm.reader import BICYCLE_PARKING, PARK_AND_RIDE
from ..points import as_points

logger = logging.getLogger("reachable")

PARKING_REACH = 100.0
"""Metres between a stop and a bicycle parking for a bike to be left at the stop."""


@dataclass(frozen=True)
class AccessLeg:
    """The ride or drive to public transport of a combined mode (``"bike+transit"``...).

    Attributes
    ----------
    mode : str
        ``bike``, ``ebike``, ``moped`` or ``car``.
    max_access : int
        Whole seconds of the ride or drive to where the vehicle is left.
    speeds : tuple of (str, float)
        Keyword arguments of :meth:`Network.edge_seconds` for the vehicle.
    places : ndarray of float64, shape (n, 2), or None
        Longitude and latitude of the park-and-ride places where the vehicle is left, from
        which one walks to the stops; None when it is left at the stops themselves.
    stops : ndarray of int64 or None
        The stops where a bike may be left (``bike_parking_only``); None for every stop.
    """

    mode: str
    max_access: int
    speeds: tuple
    places: np.ndarray | None = None
    stops: np.ndarray | None = None


def access_leg(
    network: Network,
    mode: str,
    *,
    max_access_time: float | None,
    speeds: dict,
    bike_parking_only: bool,
    park_and_ride,
) -> AccessLeg:
    """Check the options of the vehicle leg of ``mode`` + public transport and gather them.

    Parameters
    ----------
    network : Network
    mode : {"bike", "ebike", "moped", "car"}
    max_access_time : float or None
        Minutes of the ride or drive (default 15 for bikes, 20 for cars and mopeds).
    speeds : dict
        ``walk_speed``, ``bike_speed``, ``ebike_speed`` (km/h), ``car_speed_factor``.
    bike_parking_only : bool
        Bikes only left at stops near an OSM bicycle parking.
    park_and_ride : GeoDataFrame or DataFrame, optional
        Park-and-ride places for cars and mopeds (points or areas, or ``lon``/``lat``
        columns); default those of the OSM file (``park_ride=*``).
    """
    name = combined_mode(mode)
    minutes = DEFAULT_MAX_ACCESS_TIME[mode] if max_access_time is None else max_access_time
    max_access = last_second(positive("max_access_time", minutes, unit="minutes"))
    vehicle_speeds = tuple(sorted(speeds.items()))
    if not isinstance(bike_parking_only, (bool, np.bool_)):
        raise InvalidParameterError(f"bike_parking_only must be True or False, got {bike_parking_only!r}")
    if mode not in PARKED_AT_PARK_AND_RIDE:
        if park_and_ride is not None:
            raise InvalidParameterError(
                f"park_and_ride is where cars and mopeds are left; a {mode} is left at the stops "
                "(bike_parking_only=True keeps the stops near a bicycle parking)"
            )
        if not bike_parking_only:
            return AccessLeg(mode, max_access, vehicle_speeds)
        lon, lat = network.parking(BICYCLE_PARKING)
        timetable = network.timetable
        near = np.zeros(timetable.n_stops, dtype=bool)
        for x, y in zip(lon, lat, strict=True):
            near |= great_circle_m(timetable.stop_lon, timetable.stop_lat, x, y) <= PARKING_REACH
        if not near.any():
            _warn(
                f"no stop is within {PARKING_REACH:g} m of a bicycle parking of the OpenStreetMap "
                f"data ({len(lon)} parkings): {name} reaches nothing (its trips all ride public "
                "transport); leave bike_parking_only=False to lock bikes at any stop"
            )
        return AccessLeg(mode, max_access, vehicle_speeds, stops=np.flatnonzero(near))
    if bike_parking_only:
        raise InvalidParameterError(f"bike_parking_only applies to bikes and e-bikes, not to {mode}")
    places = _park_and_ride_places(network, park_and_ride)
    if len(places) == 0:
        _warn(
            f"no park-and-ride place: the OpenStreetMap data has none (park_ride=*) and "
            f"park_and_ride= was not given, so {name} reaches nothing (its trips all ride public "
            "transport); pass park_and_ride= with the places"
        )
    return AccessLeg(mode, max_access, vehicle_speeds, places=places)


def _park_and_ride_places(network: Network, park_and_ride) -> np.ndarray:
    """Longitude and latitude of the park-and-ride places, given or from the OSM file."""
    if park_and_ride is None:
        return np.column_stack(network.parking(PARK_AND_RIDE))
    if isinstance(park_and_ride, pd.DataFrame) and "id" not in park_and_ride.columns:
        park_and_ride = park_and_ride.assign(id=np.arange(len(park_and_ride)))
    points = as_points(park_and_ride, "park_and_ride places", areas=True)
    return np.column_stack((points.lon, points.lat))


def _warn(message: str) -> None:
    logger.warning(message)
    warnings.warn(message, ReachableWarning, stacklevel=5)
