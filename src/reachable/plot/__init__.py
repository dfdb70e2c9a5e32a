"""Static maps of accessibility and isochrones, and accessibility through the day, with matplotlib.

>>> import reachable as rc
>>> acc = rc.accessibility(net, hexes, hexes, columns="jobs", mode="transit", cutoffs=45,
...                        departure="2019-05-13 14:00")                  # doctest: +SKIP
>>> ax = rc.plot.accessibility_map(acc, "jobs", "transit", 45, network=net)  # doctest: +SKIP
>>> ax.figure.savefig("jobs_transit_45.png", dpi=150)                     # doctest: +SKIP
>>> fig = rc.plot.accessibility_panels(acc, "jobs", 45, network=net)      # doctest: +SKIP
>>> prof = rc.accessibility_profile(net, hexes, hexes, columns="jobs", mode="transit",
...                                 cutoffs=45, times=times)              # doctest: +SKIP
>>> ax = rc.plot.profile(prof, "jobs", 45)                                # doctest: +SKIP

Origins whose ids are H3 cells are drawn as their hexagons; given the ``network``, its own
streets are drawn as a light background (no tile server). Maps are in metres (the
network's UTM CRS, or the frame's), with a scale bar; no basemap, everything offline.

matplotlib is imported on first use, and pyplot only to make a new figure (no ``ax`` given,
or :func:`accessibility_panels` and :func:`aid_map`); the backend is never chosen here.
"""

from ._base import MODE_PHRASES
from .day import profile
from .equity import by_income, lorenz, lorenz_points
from .maps import accessibility_map, accessibility_panels, aid_map, desert_map, isochrone_map

__all__ = [
    "MODE_PHRASES", "accessibility_map", "accessibility_panels", "aid_map", "by_income", "desert_map",
    "isochrone_map", "lorenz", "lorenz_points", "profile",
]  # fmt: skip
