"""Read GTFS feeds into the :class:`~reachable.gtfs.timetable.Timetable` of one service day.

Every feed is checked completely before anything is built: all problems of all feeds
(missing files and columns, malformed times and dates, rows pointing at unknown ids,
trips running backwards, ...) are collected and raised together as one
:class:`~reachable.errors.GTFSError` whose ``problems`` name file and line, so a broken
feed is fixed in one pass.

Conventions of the result:

* ids are namespaced ``"<feed>:<id>"``; a feed is named by its dict key or its file stem;
* times are seconds since midnight of the query date; trips of the previous service day
  that run past midnight are included shifted by -24 h (id suffix ``"@previous-day"``);
* empty (non-timepoint) times are interpolated by distance along the trip;
* stops keep the order of the feeds and then of ``stops.txt``; routes that of
  ``routes.txt``; trips are ordered by feed, then trips of the query date before those of
  the previous day, then ``trips.txt`` order, then start time (runs expanded from one
  ``frequencies.txt`` trip);
* frequency windows with ``exact_times=1`` become scheduled trips; the others stay as
  template trips for :func:`~reachable.gtfs.frequencies.expand_frequencies`.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import io
import logging
import os
import re
import time
import warnings
import zipfile
from collections.abc import Callable, Mapping, Sequence
from pathlib import Path, PurePosixPath

import numpy as np
import pandas as pd

from ..errors import DataFileNotFoundError, GTFSError, InvalidParameterError, ReachableWarning
from .frequencies import DAY, PREVIOUS_DAY_SUFFIX, segment_rows
from .timetable import Timetable

__all__ = ["read_gtfs"]

logger = logging.getLogger("reachable")

MAX_PROBLEMS = 50
"""Problems listed in a GTFSError; the rest are only counted."""

EARTH_RADIUS = 6_371_008.8
"""Mean earth radius, metres."""

_DATE = re.compile(r"^\d{8}$")
_WEEKDAYS = ("monday", "tuesday", "wednesday", "thursday", "friday", "saturday", "sunday")
_LOCATION_TYPES = {0: "a stop", 1: "a station", 2: "an entrance", 3: "a generic node", 4: "a boarding area"}

FeedPath = str | os.PathLike
FeedsArgument = FeedPath | Sequence[FeedPath] | Mapping[str, FeedPath]


# --------------------------------------------------------------------------- problems


class _Problems:
    """Problems of every feed: the first MAX_PROBLEMS as text, all of them counted."""

    def __init__(self) -> None:
        self.messages: list[str] = []
        self.count = 0

    def add(self, where: str, text: str) -> None:
        self.count += 1
        if len(self.messages) < MAX_PROBLEMS:
            self.messages.append(f"{where}: {text}")

    def rows(self, where: str, positions: np.ndarray, describe: Callable[[int], str]) -> None:
        """One problem per data row ``positions`` (0-based) of file ``where``.

        ``describe`` is called for the listed rows only, so a file with 100,000 bad rows
        costs 50 messages, not 100,000.
        """
        positions = np.asarray(positions, dtype=np.int64)
        room = max(MAX_PROBLEMS - len(self.messages), 0)
        for position in positions[:room]:
            # Line 1 is the header, so data row 0 is on line 2.
            self.messages.append(f"{where} line {position + 2}: {describe(int(position))}")
        self.count += len(positions)

    def error(self) -> GTFSError:
        listed = list(self.messages)
        if self.count > len(listed):
            listed.append(f"... and {self.count - len(listed)} more problems")
        return GTFSError(f"{self.count} problem(s) in the GTFS feeds", listed)


# --------------------------------------------------------------------------- arguments


def _parse_date(date: object) -> dt.date:
    if isinstance(date, dt.datetime):
        return date.date()
    if isinstance(date, dt.date):
        return date
    if isinstance(date, str) and re.fullmatch(r"\d{4}-\d{2}-\d{2}", date.strip()):
        try:
            return dt.date.fromisoformat(date.strip())
        except ValueError:
            pass
    raise InvalidParameterError(
        f"date must be a datetime.date, a datetime or a 'YYYY-MM-DD' string, not {date!r}"
    )


def _feed_stem(path: Path) -> str:
    name = path.name
    for suffix in (".zip", ".ZIP"):
        if name.endswith(suffix):
            return name[: -len(suffix)]
    return path.stem if path.is_file() else name


def _name_feeds(feeds: FeedsArgument) -> list[tuple[str, Path]]:
    if isinstance(feeds, Mapping):
        named = list(feeds.items())
        for name, _ in named:
            if not isinstance(name, str) or not name or ":" in name:
                raise InvalidParameterError(f"feed names must be non-empty strings without ':', not {name!r}")
    elif isinstance(feeds, (str, os.PathLike)):
        named = [(None, feeds)]
    elif isinstance(feeds, Sequence):
        named = [(None, feed) for feed in feeds]
    else:
        raise InvalidParameterError(
            f"feeds must be a path, a list of paths or a dict {{name: path}}, not {feeds!r}"
        )
    if not named:
        raise InvalidParameterError("feeds is empty: give at least one GTFS zip file or folder")

    result: list[tuple[str, Path]] = []
    taken: set[str] = set()
    for name, feed in named:
        if not isinstance(feed, (str, os.PathLike)):
            raise InvalidParameterError(f"a GTFS feed must be a path (str or Path), not {feed!r}")
        path = Path(feed)
        if name is None:
            stem = _feed_stem(path).replace(":", "_") or "feed"
            name, number = stem, 1
            while name in taken:
                number += 1
                name = f"{stem}_{number}"
        taken.add(name)
        result.append((name, path))
    return result


# --------------------------------------------------------------------------- files


class _FeedFiles:
    """The text files of one feed, in a zip archive (possibly inside a folder of it) or a folder."""

    def __init__(self, name: str, path: Path, problems: _Problems) -> None:
        self.name = name
        self.path = path
        self.problems = problems
        self.readable = True
        self._zip: zipfile.ZipFile | None = None
        self._members: dict[str, str | Path] = {}
        if path.is_dir():
            self._members = {file.name.lower(): file for file in sorted(path.iterdir()) if file.is_file()}
            return
        try:
            self._zip = zipfile.ZipFile(path)
        except (zipfile.BadZipFile, OSError) as error:
            self.readable = False
            problems.add(name, f"{path} is neither a folder nor a readable zip archive ({error})")
            return
        depth: dict[str, int] = {}
        for info in self._zip.infolist():
            member = PurePosixPath(info.filename)
            if info.is_dir() or "__MACOSX" in member.parts:
                continue
            key = member.name.lower()
            # Some publishers zip the folder rather than its files: take the shallowest copy.
            if key not in depth or len(member.parts) < depth[key]:
                depth[key] = len(member.parts)
                self._members[key] = info.filename

    def close(self) -> None:
        if self._zip is not None:
            self._zip.close()

    def has(self, filename: str) -> bool:
        return filename in self._members

    def read(self, filename: str, required: Sequence[str], *, optional: bool = False, strict: bool = True):
        """The file as a DataFrame of strings, or None when it is absent or unusable.

        Problems go to the problem list when ``strict``, else only to the log (for files
        the reader can do without, such as shapes).
        """
        where = f"{self.name}/{filename}"

        def report(place: str, text: str) -> None:
            if strict:
                self.problems.add(place, text)
            else:
                logger.info("%s: %s; ignored", place, text)

        member = self._members.get(filename)
        if member is None:
            if not optional:
                report(where, "required file is missing")
            return None
        try:
            raw = self._zip.read(member) if self._zip is not None else Path(member).read_bytes()
            frame = pd.read_csv(
                io.BytesIO(raw),
                dtype=str,
                na_filter=False,
                skipinitialspace=True,
                encoding="utf-8-sig",
                encoding_errors="replace",
            )
        except pd.errors.EmptyDataError:
            report(where, "file is empty (not even a header line)")
            return None
        except (pd.errors.ParserError, zipfile.BadZipFile, OSError, ValueError) as error:
            report(where, f"cannot be read as CSV ({error})")
            return None
        # Headers such as "agency_id, agency_name" (Trensurb) carry spaces.
        frame.columns = [str(column).strip().lstrip("\ufeff") for column in frame.columns]
        missing = [column for column in required if column not in frame.columns]
        for column in missing:
            report(f"{where} line 1", f"required column {column!r} is missing")
        return None if missing else frame


def _column(frame: pd.DataFrame, name: str) -> pd.Series:
    """Column as strings, all ``""`` when the file has no such column."""
    if name in frame.columns:
        return frame[name]
    return pd.Series("", index=frame.index, dtype=frame.dtypes.iloc[0] if frame.shape[1] else object)


def _numbers(values: pd.Series) -> np.ndarray:
    """Floats, NaN where empty or not a number."""
    stripped = values.str.strip()
    filled = stripped.where(stripped != "")
    try:
        # Arrow's cast is ten times faster than to_numeric, but fails on the first bad value.
        return filled.astype("float64[pyarrow]").to_numpy(dtype=np.float64, na_value=np.nan)
    except (ImportError, TypeError, ValueError):
        return pd.to_numeric(filled, errors="coerce").to_numpy(dtype=np.float64, na_value=np.nan)


def _integers(values: pd.Series, default: int | None = None) -> tuple[np.ndarray, np.ndarray]:
    """Integers and a mask of bad values; empty values take ``default`` (bad when None)."""
    numbers = _numbers(values)
    bad = ~np.isfinite(numbers) | (numbers != np.round(numbers))
    if default is not None:
        empty = (values.str.strip() == "").to_numpy(dtype=bool)
        numbers = np.where(empty, default, numbers)
        bad &= ~empty
    return np.where(bad, -1, numbers).astype(np.int64), bad


def _parse_times(values: pd.Series) -> tuple[np.ndarray, np.ndarray]:
    """Seconds of ``H:MM:SS`` / ``HH:MM:SS`` times (hours may pass 24).

    Returns
    -------
    seconds : ndarray of int64
        -1 where the value is empty or malformed.
    bad : ndarray of bool
        Non-empty values that are not such a time.
    """
    stripped = values.str.strip()
    length = stripped.str.len().to_numpy(dtype=np.int64, na_value=0)
    filled = np.flatnonzero(length > 0)
    seconds = np.full(len(values), -1, dtype=np.int64)
    bad = np.zeros(len(values), dtype=bool)
    bad[filled] = True
    fits = filled[(length[filled] == 7) | (length[filled] == 8)]
    if len(fits):
        # Regular expressions run element by element in Python; code points in numpy do not.
        text = np.asarray(stripped.to_numpy(dtype=object)[fits], dtype="<U8")
        codes = text.view(np.uint32).reshape(-1, 8).astype(np.int64)
        short = length[fits] == 7
        codes[short] = np.concatenate([np.full((short.sum(), 1), ord("0")), codes[short, :7]], axis=1)
        digits = codes - ord("0")
        ok = (
            np.all((digits[:, [0, 1, 3, 4, 6, 7]] >= 0) & (digits[:, [0, 1, 3, 4, 6, 7]] <= 9), axis=1)
            & (codes[:, 2] == ord(":"))
            & (codes[:, 5] == ord(":"))
            & (digits[:, 3] <= 5)
            & (digits[:, 6] <= 5)
        )
        hours, minutes, secs = (
            digits[:, 0] * 10 + digits[:, 1],
            digits[:, 3] * 10 + digits[:, 4],
            digits[:, 6] * 10 + digits[:, 7],
        )
        seconds[fits[ok]] = (hours * 3600 + minutes * 60 + secs)[ok]
        bad[fits[ok]] = False
    return seconds, bad


def _parse_dates(values: pd.Series) -> tuple[np.ndarray, np.ndarray]:
    """``YYYYMMDD`` dates as int64 ``YYYYMMDD`` (comparable as numbers) and a mask of bad values."""
    stripped = values.str.strip()
    shaped = stripped.str.fullmatch(_DATE).to_numpy(dtype=bool)
    parsed = pd.to_datetime(stripped.where(shaped), format="%Y%m%d", errors="coerce")
    bad = ~shaped | np.asarray(pd.isna(parsed))
    dates = np.full(len(values), -1, dtype=np.int64)
    dates[~bad] = stripped[~bad].astype(np.int64).to_numpy()
    return dates, bad


def _first_index(
    ids: pd.Series, where: str, id_name: str, problems: _Problems
) -> tuple[pd.Index, np.ndarray]:
    """Index of the ids and the file row of each; a repeated id is a problem and only its first row counts."""
    empty = (ids.str.strip() == "").to_numpy(dtype=bool)
    problems.rows(where, np.flatnonzero(empty), lambda i: f"{id_name} is empty")
    repeated = ids.duplicated().to_numpy(dtype=bool) & ~empty
    problems.rows(where, np.flatnonzero(repeated), lambda i: f"{id_name} {ids.iloc[i]!r} is repeated")
    rows = np.flatnonzero(~repeated)
    return pd.Index(ids.to_numpy(dtype=object)[rows]), rows


def _as_str(values) -> np.ndarray:
    return np.asarray(pd.Series(values, dtype=object).to_numpy(dtype=object), dtype=str)


def _namespaced(name: str, ids) -> np.ndarray:
    ids = _as_str(ids)
    return np.char.add(f"{name}:", ids).astype(str) if len(ids) else ids


def _namespaced_or_empty(name: str, ids) -> np.ndarray:
    ids = _as_str(ids)
    return np.where(ids == "", "", _namespaced(name, ids)).astype(str) if len(ids) else ids


# --------------------------------------------------------------------------- tables


@dataclasses.dataclass
class _Stops:
    index: pd.Index  # every location of stops.txt (stops, stations, entrances, ...)
    location_type: np.ndarray  # per location
    stop_of_location: np.ndarray  # per location: index into the stops, -1 when not a stop
    ids: np.ndarray  # per stop (location_type 0), in stops.txt order
    names: np.ndarray
    lon: np.ndarray
    lat: np.ndarray
    parent: np.ndarray


def _check_stops(frame: pd.DataFrame, where: str, problems: _Problems) -> _Stops:
    index, rows = _first_index(_column(frame, "stop_id"), where, "stop_id", problems)
    raw_type = _column(frame, "location_type")
    location_type, bad_type = _integers(raw_type, default=0)
    bad_type |= ~np.isin(location_type, list(_LOCATION_TYPES))
    problems.rows(
        where,
        np.flatnonzero(bad_type),
        lambda i: f"location_type {raw_type.iloc[i]!r} is not one of 0, 1, 2, 3, 4",
    )
    is_stop = np.zeros(len(frame), dtype=bool)
    is_stop[rows] = location_type[rows] == 0
    raw_lat, raw_lon = _column(frame, "stop_lat"), _column(frame, "stop_lon")
    lat, lon = _numbers(raw_lat), _numbers(raw_lon)
    # Only stops are placed on the street network; stations may lack coordinates.
    problems.rows(
        where,
        np.flatnonzero(is_stop & ~(np.abs(lat) <= 90)),
        lambda i: f"stop_lat {raw_lat.iloc[i]!r} is not a latitude in [-90, 90] degrees",
    )
    problems.rows(
        where,
        np.flatnonzero(is_stop & ~(np.abs(lon) <= 180)),
        lambda i: f"stop_lon {raw_lon.iloc[i]!r} is not a longitude in [-180, 180] degrees",
    )
    stop_rows = np.flatnonzero(is_stop)
    stop_of_row = np.full(len(frame), -1, dtype=np.int64)
    stop_of_row[stop_rows] = np.arange(len(stop_rows))
    return _Stops(
        index=index,
        location_type=location_type[rows],
        stop_of_location=stop_of_row[rows],
        ids=_column(frame, "stop_id").to_numpy(dtype=object)[stop_rows],
        names=_column(frame, "stop_name").to_numpy(dtype=object)[stop_rows],
        lon=lon[stop_rows],
        lat=lat[stop_rows],
        parent=_column(frame, "parent_station").str.strip().to_numpy(dtype=object)[stop_rows],
    )


@dataclasses.dataclass
class _Routes:
    index: pd.Index
    short_name: np.ndarray
    long_name: np.ndarray
    route_type: np.ndarray


def _check_routes(frame: pd.DataFrame, where: str, problems: _Problems) -> _Routes:
    index, rows = _first_index(_column(frame, "route_id"), where, "route_id", problems)
    raw = _column(frame, "route_type")
    route_type, bad = _integers(raw)
    problems.rows(where, np.flatnonzero(bad), lambda i: f"route_type {raw.iloc[i]!r} is not an integer")
    return _Routes(
        index=index,
        short_name=_column(frame, "route_short_name").to_numpy(dtype=object)[rows],
        long_name=_column(frame, "route_long_name").to_numpy(dtype=object)[rows],
        route_type=route_type[rows],
    )


@dataclasses.dataclass
class _Trips:
    index: pd.Index
    rows: np.ndarray  # trips.txt row of each trip
    route: np.ndarray  # index into the routes, -1 when unknown
    service: np.ndarray
    shape: np.ndarray


def _check_trips(frame: pd.DataFrame, where: str, routes: _Routes | None, problems: _Problems) -> _Trips:
    index, rows = _first_index(_column(frame, "trip_id"), where, "trip_id", problems)
    route = np.full(len(frame), -1, dtype=np.int64)
    if routes is not None:
        route_ids = _column(frame, "route_id")
        route = routes.index.get_indexer(route_ids)
        problems.rows(
            where, np.flatnonzero(route < 0), lambda i: f"route_id {route_ids.iloc[i]!r} is not in routes.txt"
        )
    return _Trips(
        index=index,
        rows=rows,
        route=route[rows],
        service=_column(frame, "service_id").to_numpy(dtype=object)[rows],
        shape=_column(frame, "shape_id").str.strip().to_numpy(dtype=object)[rows],
    )


@dataclasses.dataclass
class _Services:
    today: np.ndarray  # service ids running on the query date
    yesterday: np.ndarray  # service ids running the day before
    start: str  # ISO dates the calendars cover, "" when they cover none
    end: str


def _iso(yyyymmdd: int) -> str:
    text = str(yyyymmdd)
    return f"{text[:4]}-{text[4:6]}-{text[6:]}"


def _check_services(
    calendar: pd.DataFrame | None,
    calendar_dates: pd.DataFrame | None,
    name: str,
    day: dt.date,
    problems: _Problems,
) -> _Services:
    covered: list[np.ndarray] = []
    if calendar is not None:
        where = f"{name}/calendar.txt"
        bounds = {}
        for column in ("start_date", "end_date"):
            raw = _column(calendar, column)
            bounds[column], bad = _parse_dates(raw)
            problems.rows(
                where,
                np.flatnonzero(bad),
                lambda i, raw=raw, column=column: f"{column} {raw.iloc[i]!r} is not a YYYYMMDD date",
            )
            covered.append(bounds[column][~bad])
        flags = {}
        for weekday in _WEEKDAYS:
            raw = _column(calendar, weekday).str.strip()
            flags[weekday] = (raw == "1").to_numpy(dtype=bool)
            bad = ~raw.isin(["0", "1"]).to_numpy(dtype=bool)
            problems.rows(
                where,
                np.flatnonzero(bad),
                lambda i, raw=raw, weekday=weekday: f"{weekday} {raw.iloc[i]!r} is not 0 or 1",
            )
        calendar_services = _column(calendar, "service_id").to_numpy(dtype=object)
    if calendar_dates is not None:
        where = f"{name}/calendar_dates.txt"
        raw_date, raw_type = _column(calendar_dates, "date"), _column(calendar_dates, "exception_type")
        exception_date, bad_date = _parse_dates(raw_date)
        exception_type, bad_type = _integers(raw_type)
        bad_type |= ~np.isin(exception_type, [1, 2])
        problems.rows(
            where, np.flatnonzero(bad_date), lambda i: f"date {raw_date.iloc[i]!r} is not a YYYYMMDD date"
        )
        problems.rows(
            where, np.flatnonzero(bad_type), lambda i: f"exception_type {raw_type.iloc[i]!r} is not 1 or 2"
        )
        exception_services = _column(calendar_dates, "service_id").to_numpy(dtype=object)
        # Removed dates do not widen the range: feeds list holidays well past their end.
        covered.append(exception_date[~bad_date & (exception_type == 1)])

    def running(on: dt.date) -> np.ndarray:
        key = int(on.strftime("%Y%m%d"))
        active = np.zeros(0, dtype=object)
        if calendar is not None:
            runs = (
                (bounds["start_date"] <= key) & (key <= bounds["end_date"]) & flags[_WEEKDAYS[on.weekday()]]
            )
            active = calendar_services[runs]
        if calendar_dates is not None:
            on_day = exception_date == key
            added = exception_services[on_day & (exception_type == 1)]
            removed = exception_services[on_day & (exception_type == 2)]
            active = np.concatenate([active, added])
            active = active[~pd.Index(active).isin(removed)]
        return active

    dates = np.concatenate(covered) if covered else np.zeros(0, dtype=np.int64)
    return _Services(
        today=running(day),
        yesterday=running(day - dt.timedelta(days=1)),
        start=_iso(dates.min()) if len(dates) else "",
        end=_iso(dates.max()) if len(dates) else "",
    )


@dataclasses.dataclass
class _StopTimes:
    """Rows of stop_times.txt that could be parsed, sorted by (trip, stop_sequence)."""

    trip: np.ndarray
    stop: np.ndarray
    arrival: np.ndarray  # seconds, -1 where empty
    departure: np.ndarray
    shape_dist: np.ndarray | None  # NaN where empty; None when the file has no such column


def _check_stop_times(
    frame: pd.DataFrame, name: str, trips: _Trips, stops: _Stops, problems: _Problems
) -> _StopTimes:
    where = f"{name}/stop_times.txt"
    trip_ids, stop_ids = _column(frame, "trip_id"), _column(frame, "stop_id")
    trip = trips.index.get_indexer(trip_ids)
    problems.rows(
        where, np.flatnonzero(trip < 0), lambda i: f"trip_id {trip_ids.iloc[i]!r} is not in trips.txt"
    )

    location = stops.index.get_indexer(stop_ids)
    problems.rows(
        where, np.flatnonzero(location < 0), lambda i: f"stop_id {stop_ids.iloc[i]!r} is not in stops.txt"
    )
    kind = np.where(location >= 0, stops.location_type[location], 0)
    problems.rows(
        where,
        np.flatnonzero(kind != 0),
        lambda i: (
            f"stop_id {stop_ids.iloc[i]!r} is {_LOCATION_TYPES.get(kind[i], 'not a stop')} "
            f"(location_type {kind[i]}); trips can only call at stops (location_type 0)"
        ),
    )
    stop = np.where(location >= 0, stops.stop_of_location[location], -1)

    raw_sequence = _column(frame, "stop_sequence")
    sequence, unusable = _integers(raw_sequence)
    unusable |= sequence < 0
    problems.rows(
        where,
        np.flatnonzero(unusable),
        lambda i: f"stop_sequence {raw_sequence.iloc[i]!r} is not a non-negative integer",
    )
    times = {}
    malformed = np.zeros(len(frame), dtype=bool)
    for column in ("arrival_time", "departure_time"):
        raw = _column(frame, column)
        times[column], bad = _parse_times(raw)
        problems.rows(
            where,
            np.flatnonzero(bad),
            lambda i, raw=raw, column=column: f"{column} {raw.iloc[i]!r} is not HH:MM:SS",
        )
        malformed |= bad
    arrival, departure = times["arrival_time"], times["departure_time"]
    # GTFS lets a timepoint give only one of the pair.
    arrival, departure = (
        np.where(arrival < 0, departure, arrival),
        np.where(departure < 0, arrival, departure),
    )

    counts = np.bincount(trip[trip >= 0], minlength=len(trips.index))
    few = np.flatnonzero(counts < 2)
    trip_of_row = dict(zip(trips.rows[few].tolist(), few.tolist(), strict=True))
    problems.rows(
        f"{name}/trips.txt",
        trips.rows[few],
        lambda i: (
            f"trip {trips.index[trip_of_row[i]]!r} has {counts[trip_of_row[i]]} stop time(s) in "
            "stop_times.txt; a trip needs at least 2"
        ),
    )

    # From here on, rows in trip order; `line` keeps each row's place in the file for messages.
    usable = np.flatnonzero((trip >= 0) & ~unusable)
    line = usable[np.lexsort((sequence[usable], trip[usable]))]
    t, a, d = trip[line], arrival[line], departure[line]
    n = len(line)
    new_trip = np.ones(n, dtype=bool)
    new_trip[1:] = t[1:] != t[:-1]
    last_of_trip = np.ones(n, dtype=bool)
    last_of_trip[:-1] = new_trip[1:]

    repeated = np.zeros(n, dtype=bool)
    repeated[1:] = ~new_trip[1:] & (sequence[line][1:] == sequence[line][:-1])
    problems.rows(
        where,
        line[repeated],
        lambda i: f"stop_sequence {sequence[i]} appears twice in trip {trip_ids.iloc[i]!r}",
    )
    # A malformed time is reported once, above: it counts as a time but is compared with none.
    given = (a >= 0) | malformed[line]
    timed = (a >= 0) & ~malformed[line]
    enough = counts[t] >= 2
    problems.rows(
        where,
        line[new_trip & ~given & enough],
        lambda i: (
            f"trip {trip_ids.iloc[i]!r} starts without a time: its first stop needs "
            "arrival_time or departure_time"
        ),
    )
    problems.rows(
        where,
        line[last_of_trip & ~given & enough],
        lambda i: (
            f"trip {trip_ids.iloc[i]!r} ends without a time: its last stop needs "
            "arrival_time or departure_time"
        ),
    )
    problems.rows(
        where,
        line[timed & (d < a)],
        lambda i: f"departure_time {_clock(departure[i])} is before arrival_time {_clock(arrival[i])}",
    )
    # Each arrival against the departure of the previous timed stop of the same trip.
    positions = np.arange(n)
    previous = np.full(n, -1, dtype=np.int64)
    previous[1:] = np.maximum.accumulate(np.where(timed, positions, -1))[:-1]
    trip_start = np.maximum.accumulate(np.where(new_trip, positions, 0))
    check = np.flatnonzero(timed & (previous >= trip_start))
    backwards = check[a[check] < d[previous[check]]]
    previous_departure = dict(zip(line[backwards].tolist(), d[previous[backwards]].tolist(), strict=True))
    problems.rows(
        where,
        line[backwards],
        lambda i: (
            f"trip {trip_ids.iloc[i]!r} goes back in time: arrival_time {_clock(arrival[i])} is before "
            f"the departure from its previous stop at {_clock(previous_departure[i])}"
        ),
    )

    shape_dist = None
    if "shape_dist_traveled" in frame.columns:
        shape_dist = _numbers(frame["shape_dist_traveled"])[line]
    return _StopTimes(trip=t, stop=stop[line], arrival=a, departure=d, shape_dist=shape_dist)


def _clock(seconds: int) -> str:
    hours, rest = divmod(int(seconds), 3600)
    return f"{hours:02d}:{rest // 60:02d}:{rest % 60:02d}"


@dataclasses.dataclass
class _Frequencies:
    """Usable windows, sorted by (trip, start)."""

    trip: np.ndarray
    start: np.ndarray
    end: np.ndarray
    headway: np.ndarray
    exact: np.ndarray


def _check_frequencies(frame: pd.DataFrame, name: str, trips: _Trips, problems: _Problems) -> _Frequencies:
    where = f"{name}/frequencies.txt"
    trip_ids = _column(frame, "trip_id")
    trip = trips.index.get_indexer(trip_ids)
    problems.rows(
        where, np.flatnonzero(trip < 0), lambda i: f"trip_id {trip_ids.iloc[i]!r} is not in trips.txt"
    )
    unusable = trip < 0
    times = {}
    for column in ("start_time", "end_time"):
        raw = _column(frame, column)
        times[column], _ = _parse_times(raw)
        bad = times[column] < 0  # empty or malformed: both required
        problems.rows(
            where,
            np.flatnonzero(bad),
            lambda i, raw=raw, column=column: f"{column} {raw.iloc[i]!r} is not HH:MM:SS",
        )
        unusable |= bad
    start, end = times["start_time"], times["end_time"]
    raw_start, raw_end = _column(frame, "start_time"), _column(frame, "end_time")
    backwards = (start >= 0) & (end >= 0) & (end <= start)
    problems.rows(
        where,
        np.flatnonzero(backwards),
        lambda i: f"end_time {raw_end.iloc[i]!r} is not after start_time {raw_start.iloc[i]!r}",
    )
    raw_headway = _column(frame, "headway_secs")
    headway, bad_headway = _integers(raw_headway)
    bad_headway |= headway <= 0
    problems.rows(
        where,
        np.flatnonzero(bad_headway),
        lambda i: f"headway_secs {raw_headway.iloc[i]!r} is not a positive whole number of seconds",
    )
    raw_exact = _column(frame, "exact_times")
    exact, bad_exact = _integers(raw_exact, default=0)
    bad_exact |= ~np.isin(exact, [0, 1])
    problems.rows(
        where, np.flatnonzero(bad_exact), lambda i: f"exact_times {raw_exact.iloc[i]!r} is not 0 or 1"
    )
    good = np.flatnonzero(~(unusable | backwards | bad_headway | bad_exact))

    # Overlapping windows of one trip would run it twice at once, and give two runs one id.
    order = good[np.lexsort((start[good], trip[good]))]
    overlap = np.zeros(len(order), dtype=bool)
    overlap[1:] = (trip[order][1:] == trip[order][:-1]) & (start[order][1:] < end[order][:-1])
    problems.rows(
        where,
        order[overlap],
        lambda i: (
            f"the window of trip {trip_ids.iloc[i]!r} from {raw_start.iloc[i]!r} overlaps "
            "an earlier window of the same trip"
        ),
    )
    return _Frequencies(
        trip=trip[order], start=start[order], end=end[order], headway=headway[order], exact=exact[order] == 1
    )


@dataclasses.dataclass
class _Transfers:
    from_stop: np.ndarray
    to_stop: np.ndarray
    min_time: np.ndarray


def _check_transfers(frame: pd.DataFrame, name: str, stops: _Stops, problems: _Problems) -> _Transfers:
    where = f"{name}/transfers.txt"
    raw_type = _column(frame, "transfer_type")
    transfer_type, bad_type = _integers(raw_type, default=0)
    problems.rows(
        where, np.flatnonzero(bad_type), lambda i: f"transfer_type {raw_type.iloc[i]!r} is not an integer"
    )
    raw_time = _column(frame, "min_transfer_time")
    min_time, bad_time = _integers(raw_time, default=-1)
    bad_time |= (min_time < 0) & (raw_time.str.strip() != "").to_numpy(dtype=bool)
    problems.rows(
        where,
        np.flatnonzero(bad_time),
        lambda i: f"min_transfer_time {raw_time.iloc[i]!r} is not a non-negative whole number of seconds",
    )
    # Rows for some routes or trips only cannot be told as a time between two stops.
    specific = np.zeros(len(frame), dtype=bool)
    for column in ("from_route_id", "to_route_id", "from_trip_id", "to_trip_id"):
        specific |= (_column(frame, column).str.strip() != "").to_numpy(dtype=bool)
    wanted = (transfer_type == 2) & (min_time >= 0) & ~bad_time & ~specific
    if (specific & (transfer_type == 2)).any():
        logger.info("%s: %d route- or trip-specific transfer rows ignored", where, int(specific.sum()))

    ends = {}
    for column in ("from_stop_id", "to_stop_id"):
        raw = _column(frame, column)
        ends[column] = stops.index.get_indexer(raw)
        problems.rows(
            where,
            np.flatnonzero(wanted & (ends[column] < 0)),
            lambda i, raw=raw, column=column: f"{column} {raw.iloc[i]!r} is not in stops.txt",
        )
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
    return _Transfers(
        from_stop=pairs.from_stop.to_numpy(dtype=np.int64),
        to_stop=pairs.to_stop.to_numpy(dtype=np.int64),
        min_time=pairs.min_time.to_numpy(dtype=np.int64),
    )


# --------------------------------------------------------------------------- interpolation


def _great_circle(lon: np.ndarray, lat: np.ndarray, new_trip: np.ndarray) -> np.ndarray:
    """Distance along each trip over straight legs between consecutive stops, metres."""
    lon, lat = np.radians(lon), np.radians(lat)
    step = np.zeros(len(lon))
    if len(lon) > 1:
        half = (
            np.sin((lat[1:] - lat[:-1]) / 2) ** 2
            + np.cos(lat[1:]) * np.cos(lat[:-1]) * np.sin((lon[1:] - lon[:-1]) / 2) ** 2
        )
        step[1:] = 2 * EARTH_RADIUS * np.arcsin(np.sqrt(np.clip(half, 0, 1)))
    step[new_trip] = 0
    total = np.cumsum(step)
    return total - total[np.maximum.accumulate(np.where(new_trip, np.arange(len(step)), 0))]


def _metric(lon: np.ndarray, lat: np.ndarray):
    """Transformer from WGS84 to metres: transverse Mercator centred on the stops.

    Only ratios of lengths within one trip matter, so a projection centred on the feed is
    as good as a UTM zone, needs no zone lookup and works across zone borders.
    """
    import pyproj

    centre = f"+lat_0={float(np.median(lat))} +lon_0={float(np.median(lon))}"
    crs = pyproj.CRS.from_proj4(f"+proj=tmerc {centre} +k=1 +datum=WGS84 +units=m")
    return pyproj.Transformer.from_crs("EPSG:4326", crs, always_xy=True)


def _read_shapes(files: _FeedFiles, transformer) -> tuple[pd.Index, np.ndarray] | None:
    """Shape ids and their metric LineStrings (None for a shape of fewer than 2 points)."""
    import shapely

    frame = files.read(
        "shapes.txt",
        ["shape_id", "shape_pt_lat", "shape_pt_lon", "shape_pt_sequence"],
        optional=True,
        strict=False,
    )
    if frame is None or len(frame) == 0:
        return None
    lat, lon = _numbers(frame["shape_pt_lat"]), _numbers(frame["shape_pt_lon"])
    sequence = _numbers(frame["shape_pt_sequence"])
    ok = np.flatnonzero(np.isfinite(lat) & np.isfinite(lon) & np.isfinite(sequence))
    if len(ok) < len(frame):
        logger.info(
            "%s/shapes.txt: %d points without coordinates or sequence ignored",
            files.name,
            len(frame) - len(ok),
        )
    codes, names = pd.factorize(frame["shape_id"].str.strip().to_numpy(dtype=object)[ok])
    order = np.lexsort((sequence[ok], codes))
    codes = codes[order]
    x, y = transformer.transform(lon[ok][order], lat[ok][order])
    lines = np.full(len(names), None, dtype=object)
    usable = np.bincount(codes, minlength=len(names))[codes] >= 2
    if usable.any():
        kept, inverse = np.unique(codes[usable], return_inverse=True)
        lines[kept] = shapely.linestrings(np.column_stack([x[usable], y[usable]]), indices=inverse)
    return pd.Index(names), lines


def _along_shapes(
    trip: np.ndarray,
    stop: np.ndarray,
    rows: np.ndarray,
    trip_shape: np.ndarray,
    stops: _Stops,
    files: _FeedFiles,
) -> np.ndarray | None:
    """Position of each stop of ``rows`` along its trip's shape, metres; NaN without a shape."""
    import shapely

    transformer = _metric(stops.lon, stops.lat)
    found = _read_shapes(files, transformer)
    if found is None:
        return None
    shape_index, lines = found
    shape = shape_index.get_indexer(trip_shape[trip])
    has_line = np.array([line is not None for line in lines], dtype=bool)  # one per shape
    rows = rows & (shape >= 0)
    rows[rows] = has_line[shape[rows]]
    along = np.full(len(trip), np.nan)
    if rows.any():
        # Trips of a route share shape and stops: locate each (shape, stop) pair once.
        n_stops = len(stops.lon)
        pair, inverse = np.unique(shape[rows].astype(np.int64) * n_stops + stop[rows], return_inverse=True)
        x, y = transformer.transform(stops.lon[pair % n_stops], stops.lat[pair % n_stops])
        along[rows] = shapely.line_locate_point(lines[pair // n_stops], shapely.points(x, y))[inverse.ravel()]
    return along


def _interpolate(
    arrival: np.ndarray,
    departure: np.ndarray,
    new_trip: np.ndarray,
    distances: Sequence[Callable[[np.ndarray], np.ndarray | None]],
) -> np.ndarray:
    """Fill empty times (-1) in place, linearly in distance between the timed stops around them.

    Every trip starts and ends at a timed stop (checked before), so the timed rows before
    and after an empty one are of the same trip. ``distances`` are tried in order, each
    called with the mask of rows still to place and returning distances along the trip
    (or None): an interval between two timed stops takes the first whose distances are
    known and never decrease over it; the last one must always work.

    Returns
    -------
    ndarray of int64
        For each empty time, which of ``distances`` placed it.
    """
    timed = arrival >= 0
    gap = np.flatnonzero(~timed)
    method = np.full(len(gap), -1, dtype=np.int64)
    if len(gap) == 0:
        return method
    n = len(arrival)
    positions = np.arange(n)
    last_timed = np.maximum.accumulate(np.where(timed, positions, -1))
    # Interval of a row: the last timed row strictly before it (rows opening a trip have none).
    interval = np.full(n, -1, dtype=np.int64)
    interval[1:] = last_timed[:-1]
    interval[new_trip] = -1
    before = last_timed[gap]
    after = np.minimum.accumulate(np.where(timed, positions, n)[::-1])[::-1][gap]
    fraction = np.zeros(len(gap))
    trip_number = np.cumsum(new_trip) - 1
    for number, distance_of in enumerate(distances):
        todo = method < 0
        if not todo.any():
            break
        # Whole trips are asked for, as distances along a trip depend on all its stops.
        wanted = np.isin(trip_number, trip_number[gap[todo]])
        distance = distance_of(wanted)
        if distance is None:
            continue
        step_bad = ~np.isfinite(distance)
        step_bad[1:] |= ~np.isfinite(distance[:-1]) | (distance[1:] < distance[:-1])
        bad_interval = np.zeros(n, dtype=bool)
        bad_interval[interval[step_bad & (interval >= 0)]] = True
        use = np.flatnonzero(todo & ~bad_interval[before])
        span = distance[after[use]] - distance[before[use]]
        covered = distance[gap[use]] - distance[before[use]]
        with np.errstate(divide="ignore", invalid="ignore"):
            # Stops at one spot (zero span) share the interval evenly, in sequence order.
            fraction[use] = np.where(
                span > 0, covered / span, (gap[use] - before[use]) / (after[use] - before[use])
            )
        method[use] = number
    start, end = departure[before], arrival[after]
    filled = start + np.rint(np.clip(fraction, 0, 1) * (end - start)).astype(np.int64)
    arrival[gap] = filled
    departure[gap] = filled
    return method


# --------------------------------------------------------------------------- assembly


@dataclasses.dataclass
class _Part:
    """One feed's share of the timetable, with indices local to the feed."""

    stop_id: np.ndarray
    stop_name: np.ndarray
    stop_lon: np.ndarray
    stop_lat: np.ndarray
    stop_parent: np.ndarray
    route_id: np.ndarray
    route_short_name: np.ndarray
    route_long_name: np.ndarray
    route_type: np.ndarray
    trip_id: np.ndarray
    trip_route: np.ndarray
    trip_shape: np.ndarray
    trip_offsets: np.ndarray
    stop_time_stop: np.ndarray
    stop_time_arrival: np.ndarray
    stop_time_departure: np.ndarray
    frequency_trip: np.ndarray
    frequency_start: np.ndarray
    frequency_end: np.ndarray
    frequency_headway: np.ndarray
    scheduled: np.ndarray
    transfer_from: np.ndarray
    transfer_to: np.ndarray
    transfer_min_time: np.ndarray
    info: dict
    n_today: int = 0
    n_previous_day: int = 0


def _runs(
    trips: np.ndarray,
    first_departure: np.ndarray,
    last_departure: np.ndarray,
    frequencies: _Frequencies,
    shift: int,
    rank: int,
) -> dict[str, np.ndarray]:
    """The trips one service day contributes: plain trips, expanded exact-time runs, templates.

    ``trips`` are segment numbers of the day's trips; the departures are per segment;
    ``shift`` is 0 for the query date and -86400 for the previous day, whose trips are kept
    only when some departure is at or after midnight.
    """
    previous_day = shift != 0
    has_window = np.zeros(len(first_departure), dtype=bool)
    has_window[frequencies.trip] = True
    in_day = np.zeros(len(first_departure), dtype=bool)
    in_day[trips] = True

    plain = trips[~has_window[trips]]
    if previous_day:
        plain = plain[last_departure[plain] >= DAY]
    runs = {
        "segment": [plain],
        "shift": [np.full(len(plain), shift, dtype=np.int64)],
        "start": [first_departure[plain]],
        "run": [np.full(len(plain), -1, dtype=np.int64)],  # start second in the id, -1 for none
        "scheduled": [np.ones(len(plain), dtype=bool)],
    }

    windows = in_day[frequencies.trip]
    exact = windows & frequencies.exact
    n_runs = -(-(frequencies.end[exact] - frequencies.start[exact]) // frequencies.headway[exact])
    window = np.repeat(np.flatnonzero(exact), n_runs)
    k = np.arange(len(window)) - np.repeat(np.cumsum(n_runs) - n_runs, n_runs)
    start = frequencies.start[window] + k * frequencies.headway[window]
    segment = frequencies.trip[window]
    offset = start - first_departure[segment]
    if previous_day:
        keep = last_departure[segment] + offset >= DAY
        segment, start, offset = segment[keep], start[keep], offset[keep]
    runs["segment"].append(segment)
    runs["shift"].append(offset + shift)
    runs["start"].append(start)
    runs["run"].append(start)
    runs["scheduled"].append(np.ones(len(segment), dtype=bool))

    inexact = np.flatnonzero(windows & ~frequencies.exact)
    segment = frequencies.trip[inexact]
    if previous_day:
        # Runs leave at some unknown phase before end_time: keep windows one of whose runs may pass midnight.
        duration = last_departure[segment] - first_departure[segment]
        keep = frequencies.end[inexact] - 1 + duration >= DAY
        inexact, segment = inexact[keep], segment[keep]
    # Windows are sorted by (trip, start): a template starts at its first window.
    template_segment, first_window = np.unique(segment, return_index=True)
    template_start = frequencies.start[inexact[first_window]]
    runs["segment"].append(template_segment)
    runs["shift"].append(template_start - first_departure[template_segment] + shift)
    runs["start"].append(template_start)
    runs["run"].append(np.full(len(template_segment), -1, dtype=np.int64))
    runs["scheduled"].append(np.zeros(len(template_segment), dtype=bool))

    result = {key: np.concatenate(value) for key, value in runs.items()}
    result["rank"] = np.full(len(result["segment"]), rank, dtype=np.int64)
    result["window_template"] = (
        np.searchsorted(template_segment, segment) + len(result["segment"]) - len(template_segment)
    )
    result["window_start"] = frequencies.start[inexact] + shift
    result["window_end"] = frequencies.end[inexact] + shift
    result["window_headway"] = frequencies.headway[inexact]
    return result


def _build_part(
    name: str,
    info: dict,
    files: _FeedFiles,
    stops: _Stops,
    routes: _Routes,
    trips: _Trips,
    stop_times: _StopTimes,
    services: _Services,
    frequencies: _Frequencies,
    transfers: _Transfers,
) -> _Part:
    service = pd.Index(trips.service)
    today = service.isin(services.today)
    yesterday = service.isin(services.yesterday)

    # Interpolate once per trip, for trips of either day.
    wanted = (today | yesterday)[stop_times.trip]
    trip = stop_times.trip[wanted]
    stop = stop_times.stop[wanted]
    arrival = stop_times.arrival[wanted].copy()
    departure = stop_times.departure[wanted].copy()
    new_trip = np.ones(len(trip), dtype=bool)
    new_trip[1:] = trip[1:] != trip[:-1]
    segment_start = np.flatnonzero(new_trip)
    segment_trip = trip[segment_start]
    offsets = np.append(segment_start, len(trip)).astype(np.int64)

    if (arrival < 0).any():
        shape_dist = stop_times.shape_dist[wanted] if stop_times.shape_dist is not None else None
        method = _interpolate(
            arrival,
            departure,
            new_trip,
            [
                lambda rows: shape_dist,
                lambda rows: _along_shapes(trip, stop, rows, trips.shape, stops, files),
                lambda rows: _great_circle(stops.lon[stop], stops.lat[stop], new_trip),
            ],
        )
        used = np.bincount(method, minlength=3)
        logger.info(
            "%s: %d empty times interpolated by shape_dist_traveled (%d), shapes (%d), straight lines (%d)",
            name,
            len(method),
            *used.tolist(),
        )

    segment_of_trip = np.full(len(trips.index), -1, dtype=np.int64)
    segment_of_trip[segment_trip] = np.arange(len(segment_trip))
    if len(trip):
        first_departure = departure[segment_start]
        last_departure = np.maximum.reduceat(departure, segment_start)
    else:
        first_departure = last_departure = np.zeros(0, dtype=np.int64)
    window_segment = segment_of_trip[frequencies.trip]
    frequencies = _Frequencies(
        trip=window_segment[window_segment >= 0],
        **{
            key: getattr(frequencies, key)[window_segment >= 0]
            for key in ("start", "end", "headway", "exact")
        },
    )

    days = [
        _runs(segment_of_trip[np.flatnonzero(today)], first_departure, last_departure, frequencies, 0, 0),
        _runs(
            segment_of_trip[np.flatnonzero(yesterday)], first_departure, last_departure, frequencies, -DAY, 1
        ),
    ]
    first_of_day = np.cumsum([0, len(days[0]["segment"])])
    run = {key: np.concatenate([day[key] for day in days]) for key in days[0]}
    run["window_template"] = np.concatenate(
        [day["window_template"] + first for day, first in zip(days, first_of_day, strict=True)]
    )
    order = np.lexsort((run["start"], trips.rows[segment_trip[run["segment"]]], run["rank"]))
    position = np.empty(len(order), dtype=np.int64)
    position[order] = np.arange(len(order))

    segment = run["segment"][order]
    shift = run["shift"][order]
    rows = segment_rows(offsets, segment)
    lengths = offsets[segment + 1] - offsets[segment]
    row_shift = np.repeat(shift, lengths)

    # Runs of exact-time windows are named by their start in their own day's clock.
    start = run["run"][order]
    previous_day = run["rank"][order] == 1
    suffix = np.char.add(
        np.where(start >= 0, np.char.add("#", start.astype(str)), ""),
        np.where(previous_day, PREVIOUS_DAY_SUFFIX, ""),
    )
    ids = np.char.add(_namespaced(name, np.asarray(trips.index, dtype=object)[segment_trip[segment]]), suffix)

    route = trips.route[segment_trip[segment]]
    n_today = int((~previous_day).sum())
    return _Part(
        stop_id=_namespaced(name, stops.ids),
        stop_name=np.asarray(stops.names, dtype=str),
        stop_lon=stops.lon.astype(np.float64),
        stop_lat=stops.lat.astype(np.float64),
        stop_parent=_namespaced_or_empty(name, stops.parent),
        route_id=_namespaced(name, np.asarray(routes.index, dtype=object)),
        route_short_name=np.asarray(routes.short_name, dtype=str),
        route_long_name=np.asarray(routes.long_name, dtype=str),
        route_type=routes.route_type.astype(np.int64),
        trip_id=np.asarray(ids, dtype=str),
        trip_route=route.astype(np.int64),
        trip_shape=_namespaced_or_empty(name, trips.shape[segment_trip[segment]]),
        trip_offsets=np.concatenate([[0], np.cumsum(lengths)]).astype(np.int64),
        stop_time_stop=stop[rows].astype(np.int64),
        stop_time_arrival=arrival[rows] + row_shift,
        stop_time_departure=departure[rows] + row_shift,
        frequency_trip=position[run["window_template"]].astype(np.int64),
        frequency_start=run["window_start"].astype(np.int64),
        frequency_end=run["window_end"].astype(np.int64),
        frequency_headway=run["window_headway"].astype(np.int64),
        scheduled=run["scheduled"][order],
        transfer_from=transfers.from_stop,
        transfer_to=transfers.to_stop,
        transfer_min_time=transfers.min_time,
        info=info,
        n_today=n_today,
        n_previous_day=len(order) - n_today,
    )


def _read_feed(name: str, path: Path, day: dt.date, problems: _Problems) -> _Part | None:
    """Check one feed, and build its part of the timetable when no feed so far had a problem."""
    files = _FeedFiles(name, path, problems)
    if not files.readable:
        return None
    try:
        stops_frame = files.read("stops.txt", ["stop_id", "stop_lat", "stop_lon"])
        routes_frame = files.read("routes.txt", ["route_id", "route_type"])
        trips_frame = files.read("trips.txt", ["route_id", "service_id", "trip_id"])
        stop_times_frame = files.read(
            "stop_times.txt", ["trip_id", "arrival_time", "departure_time", "stop_id", "stop_sequence"]
        )
        calendar = files.read(
            "calendar.txt", ["service_id", *_WEEKDAYS, "start_date", "end_date"], optional=True
        )
        calendar_dates = files.read(
            "calendar_dates.txt", ["service_id", "date", "exception_type"], optional=True
        )
        if not files.has("calendar.txt") and not files.has("calendar_dates.txt"):
            problems.add(
                name, "required file is missing: calendar.txt or calendar_dates.txt (neither is present)"
            )
        frequencies_frame = files.read(
            "frequencies.txt", ["trip_id", "start_time", "end_time", "headway_secs"], optional=True
        )
        transfers_frame = files.read(
            "transfers.txt", ["from_stop_id", "to_stop_id", "transfer_type"], optional=True
        )

        stops = _check_stops(stops_frame, f"{name}/stops.txt", problems) if stops_frame is not None else None
        routes = (
            _check_routes(routes_frame, f"{name}/routes.txt", problems) if routes_frame is not None else None
        )
        trips = (
            _check_trips(trips_frame, f"{name}/trips.txt", routes, problems)
            if trips_frame is not None
            else None
        )
        services = _check_services(calendar, calendar_dates, name, day, problems)
        stop_times = frequencies = transfers = None
        if stop_times_frame is not None and trips is not None and stops is not None:
            stop_times = _check_stop_times(stop_times_frame, name, trips, stops, problems)
        if trips is not None:
            frame = (
                frequencies_frame
                if frequencies_frame is not None
                else pd.DataFrame(columns=["trip_id", "start_time", "end_time", "headway_secs"])
            )
            frequencies = _check_frequencies(frame, name, trips, problems)
        if stops is not None:
            frame = (
                transfers_frame
                if transfers_frame is not None
                else pd.DataFrame(columns=["from_stop_id", "to_stop_id", "transfer_type"])
            )
            transfers = _check_transfers(frame, name, stops, problems)

        if problems.count:
            return None
        info = {"name": name, "path": str(path), "start_date": services.start, "end_date": services.end}
        return _build_part(
            name, info, files, stops, routes, trips, stop_times, services, frequencies, transfers
        )
    finally:
        files.close()


_INDEX_FIELDS = {
    "trip_route": "route_id",
    "stop_time_stop": "stop_id",
    "transfer_from": "stop_id",
    "transfer_to": "stop_id",
    "frequency_trip": "trip_id",
}


def _concatenate(parts: list[_Part]) -> Timetable:
    """Merge the feeds' parts; indices move by the sizes of the earlier feeds' arrays."""
    sizes = {
        "stop_id": [len(part.stop_id) for part in parts],
        "route_id": [len(part.route_id) for part in parts],
        "trip_id": [len(part.trip_id) for part in parts],
    }
    merged = {}
    for name, kind in _KINDS.items():
        arrays = [getattr(part, name) for part in parts]
        if name in _INDEX_FIELDS:
            bases = np.cumsum([0, *sizes[_INDEX_FIELDS[name]]])[:-1]
            arrays = [array + base for array, base in zip(arrays, bases, strict=True)]
        elif name == "trip_offsets":
            row_bases = np.cumsum([0, *[len(part.stop_time_stop) for part in parts]])[:-1]
            arrays = [np.zeros(1, np.int64)] + [
                part.trip_offsets[1:] + base for part, base in zip(parts, row_bases, strict=True)
            ]
        merged[name] = np.concatenate(arrays).astype(kind, copy=False) if arrays else np.zeros(0, dtype=kind)
    return Timetable(**merged, feeds=tuple(part.info for part in parts))


_KINDS = {
    "stop_id": str,
    "stop_name": str,
    "stop_lon": np.float64,
    "stop_lat": np.float64,
    "stop_parent": str,
    "route_id": str,
    "route_short_name": str,
    "route_long_name": str,
    "route_type": np.int64,
    "trip_id": str,
    "trip_route": np.int64,
    "trip_shape": str,
    "trip_offsets": np.int64,
    "stop_time_stop": np.int64,
    "stop_time_arrival": np.int64,
    "stop_time_departure": np.int64,
    "frequency_trip": np.int64,
    "frequency_start": np.int64,
    "frequency_end": np.int64,
    "frequency_headway": np.int64,
    "scheduled": bool,
    "transfer_from": np.int64,
    "transfer_to": np.int64,
    "transfer_min_time": np.int64,
}


# --------------------------------------------------------------------------- public


def read_gtfs(feeds: FeedsArgument, date: dt.date | dt.datetime | str) -> Timetable:
    """Read GTFS feeds into the timetable of one service day.

    Parameters
    ----------
    feeds : str, Path, list of them, or dict {name: path}
        GTFS zip archives or folders. A feed's name namespaces its ids (``"<name>:<id>"``);
        by default it is the file stem (``poa_eptc.zip`` -> ``poa_eptc``), with ``_2``,
        ``_3``, ... appended to repeated stems.
    date : datetime.date, datetime.datetime or str
        The service day, ``"YYYY-MM-DD"`` for a string (a datetime's time is ignored).

    Returns
    -------
    Timetable
        Trips running on ``date`` per ``calendar.txt`` and ``calendar_dates.txt``, plus the
        trips of the day before that are still running after midnight (times shifted by
        -86400 s, ids suffixed ``"@previous-day"``). Times are seconds since midnight of
        ``date``; empty times are interpolated linearly in distance (``shape_dist_traveled``,
        else the position along the trip's shape, else great-circle legs between stops).
        ``frequencies.txt`` windows with ``exact_times=1`` are expanded into trips (ids
        suffixed ``"#<start second>"``); other windows keep their template trip, shifted to
        the start of its first window, with ``scheduled`` False. ``transfers.txt`` rows of
        ``transfer_type`` 2 with a ``min_transfer_time`` give the transfers (a station
        stands for each of its stops). Trips are ordered by feed, then query date before
        previous day, then ``trips.txt`` order, then start time.

    Raises
    ------
    DataFileNotFoundError
        A feed path does not exist (raised before anything is read).
    GTFSError
        Any feed is unreadable or has broken rows; ``problems`` lists them all (up to
        50, then a count) with file and line.
    InvalidParameterError
        ``date`` or ``feeds`` is not of an accepted form.

    Warns
    -----
    ReachableWarning
        A feed schedules no trip on ``date`` (trips of the day before may still run past
        midnight); the message names the dates its calendars cover.
    """
    day = _parse_date(date)
    named = _name_feeds(feeds)
    for name, path in named:
        if not path.exists():
            raise DataFileNotFoundError(f"GTFS feed {name!r} not found: {path}")

    started = time.perf_counter()
    problems = _Problems()
    parts = []
    for name, path in named:
        part = _read_feed(name, path, day, problems)
        if part is not None:
            parts.append(part)
            logger.info(
                "%s: %d stops, %d trips on %s (%d of them from the previous day), %d stop times",
                name,
                len(part.stop_id),
                len(part.trip_id),
                day.isoformat(),
                part.n_previous_day,
                len(part.stop_time_stop),
            )
    if problems.count:
        raise problems.error()

    idle = [part.info for part in parts if part.n_today == 0]
    if idle:
        ranges = "; ".join(
            f"{info['name']} (its calendars cover {info['start_date']} to {info['end_date']})"
            if info["start_date"]
            else f"{info['name']} (its calendars cover no date)"
            for info in idle
        )
        warnings.warn(
            f"no service is scheduled on {day.isoformat()} in GTFS feed(s): {ranges}",
            ReachableWarning,
            stacklevel=2,
        )
    timetable = _concatenate(parts)
    logger.info(
        "read %d GTFS feed(s) for %s in %.2f s: %d stops, %d trips, %d stop times",
        len(parts),
        day.isoformat(),
        time.perf_counter() - started,
        timetable.n_stops,
        timetable.n_trips,
        len(timetable.stop_time_stop),
    )
    return timetable
