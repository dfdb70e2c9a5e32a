"""Work shifts: getting to work by the start of a shift, and home after it."""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence

import numpy as np
import pandas as pd

from ._checks import positive
from .errors import InvalidParameterError
from .matrix import travel_time_matrix
from .modes import is_transit
from .network.network import Network
from .points import as_points
from .timeline import service_days

REASONS = ("no_trip_there", "no_trip_back", "too_long_there", "too_long_back")
"""Why a commute is not feasible, in the order they are checked."""

HORIZON = 2.0
"""A trip up to this many times ``max_time`` is searched, to tell "too long" from "none"."""


def shifts(
    network: Network,
    homes,
    workplaces,
    *,
    mode: str,
    shifts: Sequence[tuple],
    date,
    max_time: float,
    arrive_early: float = 5,
    leave_after: float = 5,
    progress: bool | None = None,
    **routing,
) -> pd.DataFrame:
    """The commute of each home to each workplace for each shift: there by the start, home after the end.

    The trip there is the latest departure from home that arrives ``arrive_early`` minutes
    before the start of the shift (see ``arrival=`` in :func:`travel_time_matrix`); the trip
    back is the earliest arrival home leaving work ``leave_after`` minutes after its end. A
    commute is feasible when both trips exist and each takes at most ``max_time``.

    Parameters
    ----------
    network : Network
        For ``transit``, built for ``date`` and, for a shift ending after midnight, the next
        day too (``date=[day, next day]``), so the trip home uses that morning's timetable.
    homes, workplaces : geopandas.GeoDataFrame or pandas.DataFrame
        Points with an ``id`` column (see :func:`travel_time_matrix`).
    mode : {"walk", "bike", "moped", "car", "transit"}
    shifts : list of (start, end)
        Clock times, ``"06:00"`` or ``datetime.time``; an end at or before the start ends
        the next day (``("22:00", "06:00")``).
    date : str or datetime.date
        The day the shifts start.
    max_time : float
        Minutes: the longest acceptable trip each way.
    arrive_early, leave_after : float, default 5
        Minutes between arriving and the start, and between the end and leaving.
    progress : bool, optional
        Progress bars of the searches.
    **routing
        Other settings of :func:`travel_time_matrix` (``max_walk_time``, ``walk_speed``,
        ``board_slack``, ...).

    Returns
    -------
    pandas.DataFrame
        One row per home, workplace and shift (homes in the order given, then workplaces,
        then shifts): ``home_id``, ``workplace_id``, ``shift`` (``"06:00-14:00"``),
        ``start``, ``end`` (Timestamps), ``leave_home``, ``arrive_work``, ``minutes_there``
        (the trip there, minutes), ``leave_work``, ``arrive_home``, ``minutes_back``,
        ``commute_minutes`` (both trips), ``feasible`` (bool) and ``reason`` (the first of
        ``no_trip_there``, ``no_trip_back``, ``too_long_there``, ``too_long_back`` that
        applies, empty when feasible). "No trip" means none within twice ``max_time``. By
        public transport, :func:`itinerary` shows a trip leg by leg: ``arrival=`` the start
        less ``arrive_early`` for the way there, ``departure=leave_work`` for the way back.

    Raises
    ------
    InvalidParameterError
        A malformed shift, a day the network lacks (the trip home of a night shift needs
        the next day), and the errors of :func:`travel_time_matrix`.
    """
    if not isinstance(date, (str, dt.date)):
        raise InvalidParameterError(f"date must be one day, e.g. '2019-05-13', got {date!r}")
    (day,) = service_days(date)
    periods = [_shift(item, day) for item in _shift_list(shifts)]
    max_time = positive("max_time", max_time, unit="minutes")
    early = pd.Timedelta(minutes=positive("arrive_early", arrive_early, unit="minutes", allow_zero=True))
    after = pd.Timedelta(minutes=positive("leave_after", leave_after, unit="minutes", allow_zero=True))
    home_ids = as_points(homes, "homes").ids
    work_ids = as_points(workplaces, "workplaces").ids
    horizon = HORIZON * max_time
    frames, back = [], None
    for label, start, end in periods:
        there = travel_time_matrix(
            network, homes, workplaces, mode=mode, arrival=start - early, max_time=horizon, progress=progress,
            **routing,
        )  # fmt: skip
        if is_transit(mode) or back is None:  # street times do not depend on the hour
            back = travel_time_matrix(
                network, workplaces, homes, mode=mode, max_time=horizon, progress=progress,
                departure=end + after if is_transit(mode) else None, **routing,
            )  # fmt: skip
        # The trip back per (workplace, home), turned to the frame's (home, workplace) order.
        minutes_back = back["travel_time"].to_numpy().reshape(len(work_ids), len(home_ids)).T.ravel()
        frame = pd.DataFrame({
            "home_id": there["from_id"], "workplace_id": there["to_id"], "shift": label,
            "start": start, "end": end, "leave_home": there["departure"], "arrive_work": there["arrival"],
            "minutes_there": there["travel_time"], "leave_work": end + after,
        })  # fmt: skip
        frame["arrive_home"] = frame["leave_work"] + pd.to_timedelta(np.round(minutes_back * 60), unit="s")
        frame["minutes_back"] = minutes_back
        frame["commute_minutes"] = frame["minutes_there"] + frame["minutes_back"]
        frames.append(frame)
    result = pd.concat(frames, ignore_index=True)
    n_pairs = len(home_ids) * len(work_ids)
    # Homes, then workplaces, then shifts.
    order = np.arange(len(result)).reshape(len(periods), n_pairs).T.ravel()
    result = result.iloc[order].reset_index(drop=True)
    checks = (
        result["minutes_there"].isna(),
        result["minutes_back"].isna(),
        result["minutes_there"] > max_time,
        result["minutes_back"] > max_time,
    )
    result["reason"] = np.select(checks, REASONS, default="")
    result["feasible"] = result["reason"] == ""
    columns = [c for c in result.columns if c not in ("feasible", "reason")] + ["feasible", "reason"]
    return result[columns]


def _shift_list(shifts) -> list:
    if isinstance(shifts, tuple) and len(shifts) == 2 and not isinstance(shifts[0], (tuple, list)):
        return [shifts]
    try:
        items = list(shifts)
    except TypeError:
        raise InvalidParameterError(f"shifts must be a list of (start, end) times, got {shifts!r}") from None
    if not items:
        raise InvalidParameterError(
            "shifts is empty: give at least one (start, end), e.g. ('06:00', '14:00')"
        )
    return items


def _clock(value, shift) -> dt.time:
    if isinstance(value, dt.time):
        return value
    try:
        return dt.time.fromisoformat(str(value).strip())
    except ValueError:
        raise InvalidParameterError(
            f"shift {shift!r}: {value!r} is not a clock time like '06:00' or '22:30'"
        ) from None


def _shift(item, day: dt.date) -> tuple[str, pd.Timestamp, pd.Timestamp]:
    if not (isinstance(item, (tuple, list)) and len(item) == 2):
        raise InvalidParameterError(f"a shift is a (start, end) pair of clock times, got {item!r}")
    start_clock, end_clock = (_clock(value, item) for value in item)
    start = pd.Timestamp(dt.datetime.combine(day, start_clock))
    end = pd.Timestamp(dt.datetime.combine(day, end_clock))
    if end <= start:  # a night shift ends the next day
        end += pd.Timedelta(days=1)
    return f"{start_clock:%H:%M}-{end_clock:%H:%M}", start, end
