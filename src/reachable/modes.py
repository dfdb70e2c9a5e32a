"""Transport modes known to reachable and their default speeds."""

from __future__ import annotations

from .errors import UnknownModeError

STREET_MODES: tuple[str, ...] = ("walk", "bike", "moped", "car")
"""Modes routed on a street graph of their own."""

DEFAULT_WALK_SPEED = 3.6
"""Walking speed in km/h (r5py's and r5r's default)."""

DEFAULT_BIKE_SPEED = 12.0
"""Cycling speed in km/h (r5py's and r5r's default)."""

MOPED_MAX_SPEED = 45.0
"""Top speed of a moped in km/h: the 45 km/h two-wheelers that mobility platforms lend."""


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
