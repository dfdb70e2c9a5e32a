"""Access to GTFS feeds: naming them, reading their CSV files, collecting their problems.

Each GTFS file has a module with a ``check_<file>`` function that takes the file as a
DataFrame of strings, reports every broken row into one :class:`Problems` shared by all
files of all feeds, and returns arrays of what can be used; so a broken feed fails with a
single :class:`~reachable.errors.GTFSError` that lists all its problems. The parsers here
turn columns of strings into arrays plus a mask of the values that are not what the GTFS
reference asks for, leaving the wording of the problem to the caller.
"""

from __future__ import annotations

import csv
import io
import logging
import os
import re
import zipfile
from collections.abc import Callable, Mapping, Sequence
from pathlib import Path, PurePosixPath

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc
import pyarrow.csv as pa_csv

from ..errors import GTFSError, InvalidParameterError
from ..kernels import clock_seconds

__all__ = [
    "FeedFiles",
    "FeedsArgument",
    "Problems",
    "column_or_empty",
    "feed_names",
    "first_index",
    "namespaced",
    "namespaced_or_empty",
    "parse_dates",
    "parse_integers",
    "parse_numbers",
    "parse_times",
]

logger = logging.getLogger("reachable")

MAX_PROBLEMS = 50
"""Problems listed in a GTFSError; the rest are only counted."""

_DATE = re.compile(r"^\d{8}$")

FeedPath = str | os.PathLike
FeedsArgument = FeedPath | Sequence[FeedPath] | Mapping[str, FeedPath]


class Problems:
    """Problems of every feed: the first MAX_PROBLEMS as text, all of them counted."""

    def __init__(self) -> None:
        self.messages: list[str] = []
        self.count = 0

    def add(self, where: str, text: str) -> None:
        """One problem of file or feed ``where``."""
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

    def bad_values(self, where: str, column: str, raw: pd.Series, bad: np.ndarray, expected: str) -> None:
        """One problem per data row of file ``where`` whose ``column`` value (in ``raw``) is ``bad``.

        The message says the value ``is not <expected>``.
        """
        self.rows(where, np.flatnonzero(bad), lambda i: f"{column} {raw.iloc[i]!r} is not {expected}")

    def error(self) -> GTFSError:
        """The error listing every problem so far."""
        listed = list(self.messages)
        if self.count > len(listed):
            listed.append(f"... and {self.count - len(listed)} more problems")
        return GTFSError(f"{self.count} problem(s) in the GTFS feeds", listed)


def _feed_stem(path: Path) -> str:
    name = path.name
    for suffix in (".zip", ".ZIP"):
        if name.endswith(suffix):
            return name[: -len(suffix)]
    return path.stem if path.is_file() else name


def feed_names(feeds: FeedsArgument) -> list[tuple[str, Path]]:
    """Name each feed, as its ids will be namespaced.

    Parameters
    ----------
    feeds : str, Path, list of them, or dict {name: path}
        GTFS zip archives or folders.

    Returns
    -------
    list of (str, Path)
        Names and paths, in the order given. A dict keeps its keys; other feeds are named
        by their file stem (``poa_eptc.zip`` -> ``poa_eptc``), with ``_2``, ``_3``, ...
        appended to repeated stems.

    Raises
    ------
    InvalidParameterError
        ``feeds`` is empty, not of an accepted form, or a dict key is empty or holds ``':'``.
    """
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


class FeedFiles:
    """The text files of one feed, in a zip archive (possibly inside a folder of it) or a folder."""

    def __init__(self, name: str, path: Path, problems: Problems) -> None:
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
        """Close the zip archive, if any."""
        if self._zip is not None:
            self._zip.close()

    def has(self, filename: str) -> bool:
        """Whether the feed holds ``filename`` (lower case, e.g. ``"stops.txt"``)."""
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
            frame = read_strings(raw)
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


def read_strings(raw: bytes) -> pd.DataFrame:
    """A CSV file's bytes as a frame of strings, as pandas reads them.

    Empty values are ``""``, spaces after a delimiter are skipped, a byte-order mark is
    dropped and invalid UTF-8 is replaced. Arrow's reader does it when it reads the file as
    pandas would (:func:`_arrow_strings`): pandas turning 4.6 million rows of
    ``stop_times.txt`` into strings took 5.3 s, Arrow takes 0.4 s.
    """
    frame = _arrow_strings(raw)
    return frame if frame is not None else _pandas_strings(raw)


def _pandas_strings(raw: bytes) -> pd.DataFrame:
    """:func:`read_strings` by pandas' reader: what Arrow's must match."""
    return pd.read_csv(
        io.BytesIO(raw),
        dtype=str,
        na_filter=False,
        skipinitialspace=True,
        encoding="utf-8-sig",
        encoding_errors="replace",
    )


def _arrow_strings(raw: bytes) -> pd.DataFrame | None:
    """:func:`read_strings` by Arrow's reader, or None where it could read otherwise than pandas.

    Left to pandas (which raises, renames or mends as the problem reports expect): spaces
    after a delimiter or at the start of a line (skipped by pandas), an odd number of quotes
    (Arrow reads an unterminated quote to the end of the file), quoted line breaks, header
    names empty or repeated (pandas renames them), rows of another length than the header
    and invalid UTF-8 (Arrow raises on both).
    """
    text = raw.removeprefix(b"\xef\xbb\xbf")
    if text[:1] == b" " or b", " in text or b"\n " in text or b"\r " in text or text.count(b'"') % 2:
        return None
    end = min((i for i in (text.find(b"\n"), text.find(b"\r")) if i >= 0), default=len(text))
    try:
        names = next(csv.reader([text[:end].decode("utf-8")]), [])
    except UnicodeDecodeError:
        return None
    if not names or "" in names or len(set(names)) < len(names):
        return None
    try:
        table = pa_csv.read_csv(
            io.BytesIO(text),
            parse_options=pa_csv.ParseOptions(newlines_in_values=True),
            convert_options=pa_csv.ConvertOptions(
                column_types=dict.fromkeys(names, pa.string()), strings_can_be_null=False
            ),
        )
    except pa.ArrowInvalid:
        return None
    if table.column_names != names:
        return None
    if b'"' in text:
        # An unterminated quote would have run to the end of the file, over line breaks or
        # on the last line, which then ends without one.
        last_line = text[max(text.rfind(b"\n"), text.rfind(b"\r")) + 1 :]
        if b'"' in last_line or _breaks_in_values(text, table):
            return None
    return table.to_pandas()


def _breaks_in_values(text: bytes, table: pa.Table) -> bool:
    """Whether a value of ``table``, read from ``text``, holds a line break.

    None does when the file has a line per row and the header (counted in a millisecond);
    else (blank lines, or breaks in quoted values) the values are searched.
    """
    if (text.count(b"\n") or text.count(b"\r")) == table.num_rows + 1:
        return False
    return any(
        pc.any(pc.match_substring(column, line_break)).as_py()
        for column in table.columns
        for line_break in ("\n", "\r")
    )


def positions_in(index: pd.Index, values: pd.Series) -> np.ndarray:
    """``index.get_indexer(values)`` for an index of unique strings, by Arrow's hash lookup.

    Five times faster on the millions of ids of ``stop_times.txt``; -1 where absent.
    """
    found = _arrow_text(values)
    known = pa.array(index.to_numpy(dtype=object), type=found.type)
    return pc.index_in(found, value_set=known).fill_null(-1).to_numpy(zero_copy_only=False).astype(np.int64)


def _arrow_text(values: pd.Series) -> pa.Array:
    """A column of strings as one Arrow string array (of large strings when it has no values)."""
    text = pa.array(values)
    if isinstance(text, pa.ChunkedArray):
        text = text.combine_chunks()
    if not (pa.types.is_string(text.type) or pa.types.is_large_string(text.type)):
        text = text.cast(pa.large_string())  # no values at all: a null column
    return text


def column_or_empty(frame: pd.DataFrame, name: str) -> pd.Series:
    """Column as strings, all ``""`` when the file has no such column."""
    if name in frame.columns:
        return frame[name]
    return pd.Series("", index=frame.index, dtype=frame.dtypes.iloc[0] if frame.shape[1] else object)


def parse_numbers(values: pd.Series) -> np.ndarray:
    """Floats, NaN where empty or not a number."""
    stripped = values.str.strip()
    filled = stripped.where(stripped != "")
    try:
        # Arrow's cast is ten times faster than to_numeric, but fails on the first bad value.
        return filled.astype("float64[pyarrow]").to_numpy(dtype=np.float64, na_value=np.nan)
    except (ImportError, TypeError, ValueError):
        return pd.to_numeric(filled, errors="coerce").to_numpy(dtype=np.float64, na_value=np.nan)


def parse_integers(values: pd.Series, default: int | None = None) -> tuple[np.ndarray, np.ndarray]:
    """Integers and a mask of bad values; empty values take ``default`` (bad when None)."""
    numbers = parse_numbers(values)
    bad = ~np.isfinite(numbers) | (numbers != np.round(numbers))
    if default is not None:
        empty = (values.str.strip() == "").to_numpy(dtype=bool)
        numbers = np.where(empty, default, numbers)
        bad &= ~empty
    return np.where(bad, -1, numbers).astype(np.int64), bad


def parse_times(values: pd.Series) -> tuple[np.ndarray, np.ndarray]:
    """Seconds of ``H:MM:SS`` / ``HH:MM:SS`` times, and the mask of bad non-empty values.

    As :func:`reachable.kernels.clock_seconds` reads them (-1 where empty or malformed).
    """
    text = _arrow_text(values.str.strip())
    _, offsets_buffer, data_buffer = text.buffers()
    width = np.int64 if pa.types.is_large_string(text.type) else np.int32
    offsets = np.frombuffer(offsets_buffer, dtype=width)[text.offset : text.offset + len(text) + 1]
    data = np.frombuffer(data_buffer, dtype=np.uint8) if data_buffer is not None else np.empty(0, np.uint8)
    # Bytes straight from Arrow's buffer: Python strings would take twenty times longer.
    return clock_seconds(offsets.astype(np.int64), data)


def parse_dates(values: pd.Series) -> tuple[np.ndarray, np.ndarray]:
    """``YYYYMMDD`` dates as int64 ``YYYYMMDD`` (comparable as numbers) and a mask of bad values."""
    stripped = values.str.strip()
    shaped = stripped.str.fullmatch(_DATE).to_numpy(dtype=bool)
    parsed = pd.to_datetime(stripped.where(shaped), format="%Y%m%d", errors="coerce")
    bad = ~shaped | np.asarray(pd.isna(parsed))
    dates = np.full(len(values), -1, dtype=np.int64)
    dates[~bad] = stripped[~bad].astype(np.int64).to_numpy()
    return dates, bad


def first_index(ids: pd.Series, where: str, id_name: str, problems: Problems) -> tuple[pd.Index, np.ndarray]:
    """Index of the ids and the file row of each; a repeated id is a problem and only its first row counts."""
    empty = (ids.str.strip() == "").to_numpy(dtype=bool)
    problems.rows(where, np.flatnonzero(empty), lambda i: f"{id_name} is empty")
    repeated = ids.duplicated().to_numpy(dtype=bool) & ~empty
    problems.rows(where, np.flatnonzero(repeated), lambda i: f"{id_name} {ids.iloc[i]!r} is repeated")
    rows = np.flatnonzero(~repeated)
    return pd.Index(ids.to_numpy(dtype=object)[rows]), rows


def _as_str(values) -> np.ndarray:
    return np.asarray(pd.Series(values, dtype=object).to_numpy(dtype=object), dtype=str)


def namespaced(name: str, ids) -> np.ndarray:
    """Ids of feed ``name`` as ``"<name>:<id>"`` strings."""
    ids = _as_str(ids)
    return np.char.add(f"{name}:", ids).astype(str) if len(ids) else ids


def namespaced_or_empty(name: str, ids) -> np.ndarray:
    """As :func:`namespaced`, but an empty id stays ``""``."""
    ids = _as_str(ids)
    return np.where(ids == "", "", namespaced(name, ids)).astype(str) if len(ids) else ids
