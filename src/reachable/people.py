"""The people an adviser follows and the offers made to them: reading and checking the frames.

Every bad row of a frame is reported in one error, so that a caseload is fixed in one pass.
"""

from __future__ import annotations

import datetime as dt

import numpy as np
import pandas as pd

from .aids import LICENCES, MODES, allowed
from .errors import InvalidPointsError
from .matrix import DEFAULT_MAX_WALK_TIME
from .modes import DEFAULT_WALK_SPEED
from .points import as_points

DAY_NAMES = ("mon", "tue", "wed", "thu", "fri", "sat", "sun")
"""Weekdays as offers name them, Monday first (the order of ``datetime.date.weekday``)."""

DAY_JOB = ("09:00", "17:00")
"""The hours of an offer given without times."""

_ALIASES = {"daily": "mon-sun", "weekdays": "mon-fri", "weekend": "sat,sun", "": "mon-fri"}


def read_people(frame) -> pd.DataFrame:
    """Check a frame of people and return it tidy.

    Parameters
    ----------
    frame : pandas.DataFrame or geopandas.GeoDataFrame
        ``id``; a home as ``lon``/``lat`` (WGS84 degrees) or Point geometries; ``modes``, a
        comma list of the modes they can use now (``"walk,transit"``, among
        :data:`reachable.aids.MODES`); ``licences``, a comma list of ``AM`` and ``B`` (empty
        or missing for none); ``max_commute``, minutes one way; optional ``walk_speed``
        (km/h, default 3.6), ``max_walk_time`` (minutes, default 20) and ``name``.

    Returns
    -------
    pandas.DataFrame
        ``id``, ``name``, ``lon``, ``lat``, ``modes`` and ``licences`` (tuples of str),
        ``max_commute``, ``walk_speed``, ``max_walk_time``, in the order given.

    Raises
    ------
    InvalidPointsError
        A missing column, or bad rows: an unknown mode or licence, a car or a moped without
        a licence for it, a missing home, a number that is not positive. One error lists
        every bad row.
    """
    frame = _frame(frame, "people", ("id", "modes", "max_commute"))
    problems = _missing_homes(frame, "people")
    modes = [_items(value) for value in frame["modes"]]
    licences = [tuple(item.upper() for item in _items(value)) for value in _column(frame, "licences", "")]
    for row, (person, own, held) in enumerate(zip(frame["id"], modes, licences, strict=True)):
        where = f"row {row} (id {person!r})"
        unknown = [m for m in own if m not in MODES]
        if unknown:
            problems.append(f"{where}: unknown mode {', '.join(unknown)} (modes: {', '.join(MODES)})")
        if not own:
            problems.append(f"{where}: no mode; give at least 'walk'")
        strange = [licence for licence in held if licence not in LICENCES]
        if strange:
            problems.append(
                f"{where}: unknown licence {', '.join(strange)} (licences: {', '.join(LICENCES)})"
            )
        unlicensed = [m for m in own if m in MODES and not allowed(m, held)]
        if unlicensed:
            problems.append(
                f"{where}: {', '.join(unlicensed)} without its licence (a car needs B, a moped AM or B)"
            )
    numbers = {
        column: _positive(frame, column, default, problems)
        for column, default in (
            ("max_commute", None),
            ("walk_speed", DEFAULT_WALK_SPEED),
            ("max_walk_time", DEFAULT_MAX_WALK_TIME),
        )
    }
    _raise(problems, "people")
    points = as_points(frame, "people")
    return pd.DataFrame({
        "id": points.ids.to_numpy(), "name": _names(frame, points), "lon": points.lon, "lat": points.lat,
        "modes": modes, "licences": licences, **numbers,
    })  # fmt: skip


def read_offers(frame) -> pd.DataFrame:
    """Check a frame of job and training offers and return it tidy.

    Parameters
    ----------
    frame : pandas.DataFrame or geopandas.GeoDataFrame
        ``id``; ``kind`` (``job``, ``training``...); a place as ``lon``/``lat`` or Point
        geometries; ``start`` and ``end`` clock times (``"06:00"``; an end at or before the
        start ends the next day; both missing: a day job, :data:`DAY_JOB`); ``days``, e.g.
        ``"mon-fri"``, ``"sat,sun"``, ``"mon,wed-fri"``, ``"daily"`` (missing: Monday to
        Friday); optional ``name``.

    Returns
    -------
    pandas.DataFrame
        ``id``, ``name``, ``kind``, ``lon``, ``lat``, ``start``, ``end`` (``"HH:MM"``),
        ``days`` (tuple of weekday numbers, Monday 0), ``day_job`` (True where the hours
        were assumed), in the order given.

    Raises
    ------
    InvalidPointsError
        A missing column or bad rows (a malformed time or day, one time without the other,
        a missing place): one error listing every bad row.
    """
    frame = _frame(frame, "offers", ("id", "kind"))
    problems = _missing_homes(frame, "offers")
    starts, ends, assumed, days = [], [], [], []
    columns = (frame["id"], *(_column(frame, column, None) for column in ("start", "end", "days")))
    for row, (offer, start, end, text) in enumerate(zip(*columns, strict=True)):
        where = f"row {row} (id {offer!r})"
        given = [not _blank(start), not _blank(end)]
        if given == [False, False]:
            start, end = DAY_JOB
        elif given != [True, True]:
            problems.append(f"{where}: give both start and end, or neither (then {DAY_JOB[0]}-{DAY_JOB[1]})")
        clock = []
        for value, column in ((start, "start"), (end, "end")):
            if _blank(value):  # said above
                clock.append("")
                continue
            try:
                clock.append(dt.time.fromisoformat(str(value).strip()).strftime("%H:%M"))
            except ValueError:
                problems.append(f"{where}: {column} {value!r} is not a clock time like '06:00'")
                clock.append("")
        starts.append(clock[0])
        ends.append(clock[1])
        assumed.append(given == [False, False])
        try:
            days.append(parse_days("" if _blank(text) else str(text)))
        except ValueError as error:
            problems.append(f"{where}: {error}")
            days.append(())
    _raise(problems, "offers")
    points = as_points(frame, "offers")
    return pd.DataFrame({
        "id": points.ids.to_numpy(), "name": _names(frame, points),
        "kind": frame["kind"].astype(str).to_numpy(),
        "lon": points.lon, "lat": points.lat, "start": starts, "end": ends, "days": days,
        "day_job": assumed,
    })  # fmt: skip


def parse_days(text: str) -> tuple[int, ...]:
    """Weekday numbers (Monday 0) of ``"mon-fri"``, ``"sat,sun"``, ``"mon,wed-fri"``, ``"daily"``."""
    text = _ALIASES.get(text.strip().lower(), text.strip().lower())
    days: set[int] = set()
    for part in text.replace(" ", "").split(","):
        first, dash, last = part.partition("-")
        if first not in DAY_NAMES or (dash and last not in DAY_NAMES):
            raise ValueError(
                f"days {text!r} is not like 'mon-fri' or 'sat,sun' (days: {', '.join(DAY_NAMES)})"
            )
        a, b = DAY_NAMES.index(first), DAY_NAMES.index(last if dash else first)
        days.update(range(a, b + 1) if a <= b else [*range(a, 7), *range(0, b + 1)])
    return tuple(sorted(days))


def _frame(frame, name: str, required: tuple[str, ...]) -> pd.DataFrame:
    if not isinstance(frame, pd.DataFrame):
        raise InvalidPointsError(f"{name} must be a DataFrame, got {type(frame).__name__}")
    if len(frame) == 0:
        raise InvalidPointsError(f"{name} is empty")
    absent = [column for column in required if column not in frame.columns]
    if absent:
        raise InvalidPointsError(
            f"{name} has no {', '.join(absent)} column; it has {', '.join(map(str, frame.columns))}"
        )
    return frame.reset_index(drop=True)


def _missing_homes(frame: pd.DataFrame, name: str) -> list[str]:
    """One line per row without a place (the rest of the checks are :func:`as_points`')."""
    import geopandas as gpd

    if isinstance(frame, gpd.GeoDataFrame) and frame.geometry.name in frame.columns:
        missing = (frame.geometry.isna() | frame.geometry.is_empty).to_numpy()
    elif {"lon", "lat"} <= set(frame.columns):
        missing = (
            pd.to_numeric(frame["lon"], errors="coerce").isna()
            | pd.to_numeric(frame["lat"], errors="coerce").isna()
        ).to_numpy()
    else:
        raise InvalidPointsError(f"{name} has no lon and lat columns nor Point geometries: where are they?")
    place = "home" if name == "people" else "place"
    return [
        f"row {row} (id {frame['id'].iloc[row]!r}): no {place} (lon/lat or geometry missing)"
        for row in np.flatnonzero(missing)
    ]


def _items(value) -> tuple[str, ...]:
    """The items of a comma list (empty for a missing value)."""
    if _blank(value):
        return ()
    if isinstance(value, (list, tuple)):
        return tuple(str(v).strip() for v in value)
    return tuple(item.strip() for item in str(value).split(",") if item.strip())


def _blank(value) -> bool:
    return (
        value is None
        or (isinstance(value, float) and np.isnan(value))
        or (isinstance(value, str) and not value.strip())
    )


def _column(frame: pd.DataFrame, column: str, default) -> pd.Series:
    return frame[column] if column in frame.columns else pd.Series([default] * len(frame))


def _names(frame: pd.DataFrame, points) -> np.ndarray:
    """The ``name`` column, or the ids as text."""
    names = frame["name"] if "name" in frame.columns else points.ids
    return names.astype(str).to_numpy()


def _positive(frame: pd.DataFrame, column: str, default, problems: list[str]) -> np.ndarray:
    """The column as float64 (``default`` where absent), noting every value that is not positive."""
    if column not in frame.columns:
        return np.full(len(frame), float(default))
    values = pd.to_numeric(frame[column], errors="coerce").to_numpy(dtype=float)
    for row in np.flatnonzero(~(values > 0) | ~np.isfinite(values)):
        problems.append(
            f"row {row} (id {frame['id'].iloc[row]!r}): {column} must be a positive number, "
            f"got {frame[column].iloc[row]}"
        )
    return values


def _raise(problems: list[str], name: str) -> None:
    if problems:
        problems = sorted(problems, key=lambda line: int(line.split()[1]))  # by row
        raise InvalidPointsError(
            f"{len(problems)} problem{'s' if len(problems) > 1 else ''} in {name}:\n  "
            + "\n  ".join(problems)
        )
