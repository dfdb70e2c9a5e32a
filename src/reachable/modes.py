"""Transport modes known to reachable and their default speeds."""

from __future__ import annotations

from .errors import UnknownModeError

STREET_MODES: tuple[str, ...] = ("walk", "bike", "moped", "car")
"""Modes routed on a street graph of their own."""

EBIKE = "ebike"
"""Pedal-assisted bicycles: the bike graph and its rules, at :data:`DEFAULT_EBIKE_SPEED`."""

GRAPH_OF: dict[str, str] = {EBIKE: "bike"}
"""Modes that travel another mode's street graph."""

ACCESS_MODES: tuple[str, ...] = ("walk", "bike", EBIKE, "moped", "car")
"""Modes that can take a person to public transport (``access_mode``)."""

PARKED_AT_PARK_AND_RIDE: tuple[str, ...] = ("moped", "car")
"""Access modes left only at park-and-ride places; bikes may be locked at any stop."""

DEFAULT_WALK_SPEED = 3.6
"""Walking speed in km/h (r5py's and r5r's default)."""

DEFAULT_BIKE_SPEED = 12.0
"""Cycling speed in km/h (r5py's and r5r's default)."""

DEFAULT_EBIKE_SPEED = 18.0
"""Pedelec speed in km/h.

Pedelecs averaged 17.4 km/h against 15.3 km/h for ordinary bicycles in a naturalistic study
of 85 riders (Schleinitz, Petzoldt, Franke-Bartholdt, Krems and Gehlert 2017, "The German
Naturalistic Cycling Study: comparing cycling speed of riders of different e-bikes and
conventional bicycles", Safety Science 92, 290-297); in the EU the assistance stops at
25 km/h (Regulation 168/2013, art. 2(2)(h))."""

MOPED_MAX_SPEED = 45.0
"""Top speed of a moped in km/h: the 45 km/h two-wheelers that mobility platforms lend."""

DEFAULT_MAX_ACCESS_TIME = {"walk": None, "bike": 15.0, EBIKE: 15.0, "moped": 20.0, "car": 20.0}
"""Minutes of the ride or drive to public transport by default (walks use ``max_walk_time``)."""


def graph_mode(mode: str) -> str:
    """The street mode whose graph ``mode`` travels (``"bike"`` for ``"ebike"``)."""
    return GRAPH_OF.get(mode, mode)


def combined_mode(access_mode: str) -> str:
    """The name of public transport reached by ``access_mode``: ``"transit"`` or ``"bike+transit"``."""
    return "transit" if access_mode == "walk" else f"{access_mode}+transit"


def split_mode(mode: str) -> tuple[str, str | None]:
    """``(mode, access_mode)``: ``("transit", "bike")`` for ``"bike+transit"``, else ``(mode, None)``."""
    access, plus, rest = mode.partition("+")
    if plus and rest == "transit" and access in ACCESS_MODES:
        return "transit", access
    return mode, None


def is_transit(mode: str) -> bool:
    """Whether ``mode`` uses public transport (``"transit"``, ``"bike+transit"``...)."""
    return split_mode(mode)[0] == "transit"


def check_street_mode(mode: str, available: tuple[str, ...] = STREET_MODES) -> str:
    """Return ``mode`` if it is one of ``available``, else raise :class:`UnknownModeError`."""
    if mode not in available:
        raise UnknownModeError(
            f"unknown or unavailable mode {mode!r}; choose one of {', '.join(available)}"
            + (
                ""
                if mode not in STREET_MODES
                else " (build the network with this mode in `modes=` to use it)"
            )
        )
    return mode
