"""One place at a time to fixed destinations: travel times for a service answering requests.

A web service or an adviser's tool asks "from this address, how long to each of these
jobs?" many times, with the same destinations and settings. :func:`one_to_many` checks the
settings and prepares everything that does not depend on the origin once (the destinations
on the streets, the walks from the stops to them, the transfers, the timetable's routes);
each call then snaps one point, searches its streets and runs the kernel for that origin
alone, with no pandas on the way, and returns a NumPy array.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import replace

import numpy as np

from .errors import InvalidPointsError
from .kernels import raptor
from .matrix import (
    DEFAULT_BOARD_SLACK,
    DEFAULT_FREQUENCY_DRAWS,
    DEFAULT_MAX_TRANSFERS,
    DEFAULT_MAX_WALK_TIME,
    routing_settings,
    street_block,
    unreached_as_inf,
)
from .modes import DEFAULT_BIKE_SPEED, DEFAULT_EBIKE_SPEED, DEFAULT_WALK_SPEED
from .network.network import Network
from .network.snapping import DEFAULT_MAX_SNAP_DISTANCE
from .points import Points, as_points
from .routing.street import SnappedCosts
from .routing.transit import (
    access_streets,
    kernel_arrays,
    percentile_values,
    stacked_draws,
    walk_legs,
)


class OneToMany:
    """Travel times from one origin at a time to fixed destinations (see :func:`one_to_many`).

    Attributes
    ----------
    ids : pandas.Series
        The destinations' ids, in the order of the arrays returned.
    percentiles : ndarray
        The percentiles of each column when there are several.
    """

    def __init__(self, network: Network, destinations: Points, routing) -> None:
        self.ids = destinations.ids
        self.percentiles = routing.percentiles
        self._network = network
        self._routing = routing
        self._destinations = destinations
        query = routing.transit
        if query is None:
            self._weight, self._snap = routing.streets(network)
            self._targets = self._snap(destinations, "destinations")
            return
        # Everything a transit query needs but the origin's own access: the destinations on
        # the streets, the walks from the stops to them, the transfers and the routes.
        self._legs = walk_legs(network, destinations, destinations, query)
        _, _, self._snap = access_streets(network, query)
        self._routes = stacked_draws(network, query)

    def travel_times(self, lon: float, lat: float) -> np.ndarray:
        """Minutes from the point ``(lon, lat)`` (WGS84 degrees) to every destination.

        Returns
        -------
        ndarray of float64
            Shape ``(n_destinations,)``, or ``(n_destinations, n_percentiles)`` with several
            percentiles: minutes rounded to the second, NaN beyond ``max_time``. The same
            values as the row of :func:`reachable.travel_time_matrix` for that origin.

        Raises
        ------
        InvalidPointsError
            The point is not a finite WGS84 coordinate, or farther than
            ``max_snap_distance`` from the streets it starts on.
        """
        try:
            lon, lat = float(lon), float(lat)
        except (TypeError, ValueError) as error:
            raise InvalidPointsError(f"the origin's lon and lat must be numbers ({error})") from error
        if not (abs(lon) <= 180 and abs(lat) <= 90):
            raise InvalidPointsError(
                f"the origin ({lon}, {lat}) is not a WGS84 coordinate (lon in [-180, 180], lat in [-90, 90])"
            )
        origin = self._snap(Points(ids=None, lon=np.array([lon]), lat=np.array([lat])), None)
        if origin.edge[0] < 0:
            swapped = self._snap(Points(ids=None, lon=np.array([lat]), lat=np.array([lon])), None)
            hint = "; it would lie on them with longitude and latitude swapped: give lon first"
            raise InvalidPointsError(
                f"the origin ({lon}, {lat}) is farther than max_snap_distance="
                f"{self._routing.max_snap_distance:g} m from the streets of {self._routing.mode!r}"
                + (hint if swapped.edge[0] >= 0 else "")
            )
        here = np.flatnonzero((self._destinations.lon == lon) & (self._destinations.lat == lat))
        routing = self._routing
        if routing.transit is None:
            seconds = street_block(
                self._network, routing.mode, self._weight, origin, self._targets, routing.max_time
            )[0]
            seconds[here] = 0.0
            seconds = np.repeat(seconds[:, None], len(self.percentiles), axis=1)
        else:
            seconds = self._transit_seconds(origin, here)
        minutes = np.where(np.isfinite(seconds), seconds / 60.0, np.nan)
        return minutes[:, 0] if len(self.percentiles) == 1 else minutes

    def _transit_seconds(self, origin: SnappedCosts, here: np.ndarray) -> np.ndarray:
        query = self._routing.transit
        legs = replace(
            self._legs, access=replace(self._legs.access, origins=origin),
            same_place=(np.zeros(len(here), dtype=np.int64), here),
        )  # fmt: skip
        walks = legs.from_origins(self._network, slice(0, 1))
        arrays = kernel_arrays(self._routes, legs, query, *walks, len(self.ids))
        durations = raptor.transit_travel_times(*arrays, 1)
        seconds = percentile_values(durations, query.percentiles)[0]
        return unreached_as_inf(seconds)

    def __repr__(self) -> str:
        return f"<OneToMany {self._routing.mode}, {len(self.ids)} destinations>"


def one_to_many(
    network: Network,
    destinations,
    *,
    mode: str,
    max_time: float,
    departure=None,
    time_window: int = 1,
    percentiles: float | Sequence[float] = (50,),
    max_walk_time: float = DEFAULT_MAX_WALK_TIME,
    max_transfers: int = DEFAULT_MAX_TRANSFERS,
    walk_speed: float = DEFAULT_WALK_SPEED,
    bike_speed: float = DEFAULT_BIKE_SPEED,
    ebike_speed: float = DEFAULT_EBIKE_SPEED,
    car_speed_factor: float = 1.0,
    access_mode: str = "walk",
    max_access_time: float | None = None,
    bike_parking_only: bool = False,
    park_and_ride=None,
    board_slack: float = DEFAULT_BOARD_SLACK,
    frequency_draws: int = DEFAULT_FREQUENCY_DRAWS,
    seed: int = 0,
    max_snap_distance: float = DEFAULT_MAX_SNAP_DISTANCE,
) -> OneToMany:
    """Prepare travel times from one origin at a time to fixed ``destinations``.

    For services answering one person at a time: the settings are checked and the work that
    does not depend on the origin is done here, once; ``query.travel_times(lon, lat)`` then
    returns the minutes to every destination as a NumPy array, the row
    :func:`reachable.travel_time_matrix` would give for that origin, on one thread (run
    several queries side by side for several requests).

    Parameters
    ----------
    network : Network
    destinations : geopandas.GeoDataFrame or pandas.DataFrame
        Points with an ``id`` (see :func:`reachable.points.as_points`).
    mode, max_time, departure, time_window, percentiles, max_walk_time, max_transfers,
    walk_speed, bike_speed, ebike_speed, car_speed_factor, access_mode, max_access_time,
    bike_parking_only, park_and_ride, board_slack, frequency_draws, seed, max_snap_distance :
        As in :func:`reachable.travel_time_matrix` (minutes, km/h, seconds, metres); leaving
        at ``departure`` (arrive-by queries are matrices: ``travel_time_matrix(arrival=)``).

    Returns
    -------
    OneToMany

    Raises
    ------
    UnknownModeError, InvalidParameterError, InvalidPointsError, CRSError
        As :func:`reachable.travel_time_matrix`, at once rather than at the first request.

    Examples
    --------
    >>> query = rc.one_to_many(net, jobs, mode="transit", departure="2019-05-13 14:00",
    ...                        max_time=60)                             # doctest: +SKIP
    >>> minutes = query.travel_times(-51.2177, -30.0346)                # doctest: +SKIP
    >>> int((minutes <= 45).sum())            # destinations within 45 min  # doctest: +SKIP
    """
    points = as_points(destinations, "destinations")
    routing = routing_settings(
        network, mode, max_time=max_time, departure=departure, time_window=time_window,
        percentiles=percentiles, max_walk_time=max_walk_time, max_transfers=max_transfers,
        walk_speed=walk_speed, bike_speed=bike_speed, ebike_speed=ebike_speed,
        car_speed_factor=car_speed_factor, access_mode=access_mode, max_access_time=max_access_time,
        bike_parking_only=bike_parking_only, park_and_ride=park_and_ride, board_slack=board_slack,
        frequency_draws=frequency_draws, seed=seed, max_snap_distance=max_snap_distance,
    )  # fmt: skip
    return OneToMany(network, points, routing)
