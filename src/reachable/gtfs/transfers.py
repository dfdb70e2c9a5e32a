"""``transfers.txt``: the minimum time to change between two stops."""

from __future__ import annotations

import dataclasses
import logging

import numpy as np
import pandas as pd

from .files import Problems, column_or_empty, parse_integers
from .stops import Stops

__all__ = ["TRANSFERS_COLUMNS", "Transfers", "check_transfers"]

logger = logging.getLogger("reachable")

TRANSFERS_COLUMNS = ("from_stop_id", "to_stop_id", "transfer_type")
"""Required columns of ``transfers.txt``."""


@dataclasses.dataclass
class Transfers:
    """Minimum transfer times between stops, in ``transfers.txt`` order.

    Attributes
    ----------
    from_stop, to_stop : ndarray of int64
        Index into the stops.
    min_time : ndarray of int64
        Seconds.
    """

    from_stop: np.ndarray
    to_stop: np.ndarray
    min_time: np.ndarray


def check_transfers(frame: pd.DataFrame, name: str, stops: Stops, problems: Problems) -> Transfers:
    """Minimum times between stops from ``transfers.txt`` of feed ``name``.

    ``frame`` has no rows when the feed lacks the file. The times are those of the rows of
    ``transfer_type`` 2 with a ``min_transfer_time``, for all routes and trips; a station
    stands for each of its stops, and a row naming the stops themselves wins over one
    naming their station. Reports bad ``transfer_type`` and ``min_transfer_time``, and
    unknown stops in the rows kept.
    """
    where = f"{name}/transfers.txt"
    raw_type = column_or_empty(frame, "transfer_type")
    transfer_type, bad_type = parse_integers(raw_type, default=0)
    problems.bad_values(where, "transfer_type", raw_type, bad_type, "an integer")
    raw_time = column_or_empty(frame, "min_transfer_time")
    min_time, bad_time = parse_integers(raw_time, default=-1)
    bad_time |= (min_time < 0) & (raw_time.str.strip() != "").to_numpy(dtype=bool)
    problems.bad_values(
        where, "min_transfer_time", raw_time, bad_time, "a non-negative whole number of seconds"
    )
    # Rows for some routes or trips only cannot be told as a time between two stops.
    specific = np.zeros(len(frame), dtype=bool)
    for column in ("from_route_id", "to_route_id", "from_trip_id", "to_trip_id"):
        specific |= (column_or_empty(frame, column).str.strip() != "").to_numpy(dtype=bool)
    wanted = (transfer_type == 2) & (min_time >= 0) & ~bad_time & ~specific
    if (specific & (transfer_type == 2)).any():
        logger.info("%s: %d route- or trip-specific transfer rows ignored", where, int(specific.sum()))

    ends = {}
    for column in ("from_stop_id", "to_stop_id"):
        raw = column_or_empty(frame, column)
        ends[column] = stops.index.get_indexer(raw)
        problems.bad_values(where, column, raw, wanted & (ends[column] < 0), "in stops.txt")
    rows = np.flatnonzero(wanted & (ends["from_stop_id"] >= 0) & (ends["to_stop_id"] >= 0))

    # A station stands for each of its stops; a row naming the stops themselves wins over their station's.
    own = np.flatnonzero(stops.stop_of_location >= 0)
    members = pd.DataFrame(
        {
            "location": np.concatenate([own, stops.index.get_indexer(stops.parent)]),
            "stop": np.concatenate([stops.stop_of_location[own], np.arange(len(stops.parent))]),
            "via_station": np.repeat([0, 1], [len(own), len(stops.parent)]),
        }
    )
    members = members[members.location >= 0]
    pairs = pd.DataFrame(
        {
            "from_location": ends["from_stop_id"][rows],
            "to_location": ends["to_stop_id"][rows],
            "min_time": min_time[rows],
            "row": rows,
        }
    )
    pairs = pairs.merge(members.add_prefix("from_"), on="from_location").merge(
        members.add_prefix("to_"), on="to_location"
    )
    pairs["rank"] = pairs.from_via_station + pairs.to_via_station
    pairs = pairs.sort_values(["rank", "row"], kind="stable").drop_duplicates(["from_stop", "to_stop"])
    pairs = pairs.sort_values("row", kind="stable")
    return Transfers(
        from_stop=pairs.from_stop.to_numpy(dtype=np.int64),
        to_stop=pairs.to_stop.to_numpy(dtype=np.int64),
        min_time=pairs.min_time.to_numpy(dtype=np.int64),
    )
