"""Public transport timetables from GTFS feeds."""

from __future__ import annotations

from .frequencies import expand_frequencies
from .reader import read_gtfs
from .timetable import Timetable

__all__ = ["Timetable", "expand_frequencies", "read_gtfs"]
