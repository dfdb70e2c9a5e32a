"""Which jobs and training sites can people reach, by each mode, in time.

>>> import reachable as rc
>>> net = rc.Network.build("poa_osm.pbf")                              # doctest: +SKIP
>>> ttm = rc.travel_time_matrix(net, hexes, mode="bike", max_time=45)  # doctest: +SKIP
"""

from __future__ import annotations

import logging

from . import aids, datasets, decay, equity, grid, measures, opportunities, plot
from .accessibility import accessibility
from .deserts import deserts
from .diagnosis import diagnose
from .errors import (
    ClusterError,
    CRSError,
    DataFileNotFoundError,
    ElevationError,
    GTFSError,
    InvalidParameterError,
    InvalidPointsError,
    NetworkFormatError,
    OSMFileError,
    ReachableError,
    ReachableWarning,
    UnknownModeError,
)
from .impact import aid_impact
from .isochrones import isochrones
from .itinerary import itinerary
from .matrix import travel_time_matrix
from .modes import STREET_MODES
from .network import Network
from .profile import accessibility_profile
from .service import OneToMany, one_to_many
from .shifts import shifts

__version__ = "0.1.0"

logging.getLogger("reachable").addHandler(logging.NullHandler())

__all__ = [
    "STREET_MODES",
    "CRSError",
    "ClusterError",
    "DataFileNotFoundError",
    "ElevationError",
    "GTFSError",
    "InvalidParameterError",
    "InvalidPointsError",
    "Network",
    "NetworkFormatError",
    "OSMFileError",
    "OneToMany",
    "ReachableError",
    "ReachableWarning",
    "UnknownModeError",
    "accessibility",
    "accessibility_profile",
    "aid_impact",
    "aids",
    "datasets",
    "decay",
    "deserts",
    "diagnose",
    "equity",
    "grid",
    "isochrones",
    "itinerary",
    "measures",
    "one_to_many",
    "opportunities",
    "plot",
    "shifts",
    "travel_time_matrix",
]
