"""``calendar.txt`` and ``calendar_dates.txt``: which services run on which day."""

from __future__ import annotations

import dataclasses
import datetime as dt

import numpy as np
import pandas as pd

from .files import Problems, column_or_empty, parse_dates, parse_integers

__all__ = ["CALENDAR_COLUMNS", "CALENDAR_DATES_COLUMNS", "Calendars", "check_calendars"]

WEEKDAYS = ("monday", "tuesday", "wednesday", "thursday", "friday", "saturday", "sunday")
"""Weekday columns of ``calendar.txt``, in the order of :meth:`datetime.date.weekday`."""

CALENDAR_COLUMNS = ("service_id", *WEEKDAYS, "start_date", "end_date")
"""Required columns of ``calendar.txt``."""

CALENDAR_DATES_COLUMNS = ("service_id", "date", "exception_type")
"""Required columns of ``calendar_dates.txt``."""


@dataclasses.dataclass(frozen=True)
class Calendars:
    """The service days of one feed.

    Dates are int64 ``YYYYMMDD``; unparsable values are -1 and so never match a day.

    Attributes
    ----------
    weekly_service : ndarray of object, shape (n_weekly,)
        ``service_id`` of each ``calendar.txt`` row.
    weekly_start, weekly_end : ndarray of int64, shape (n_weekly,)
        ``start_date`` and ``end_date``, both included.
    weekly_days : ndarray of bool, shape (n_weekly, 7)
        Whether the service runs on Monday, ..., Sunday.
    exception_service, exception_date, exception_type : ndarray, shape (n_exceptions,)
        The rows of ``calendar_dates.txt``: type 1 adds the service on the date, 2 removes it.
    start, end : str
        ISO dates the calendars cover, ``""`` when they cover none.
    """

    weekly_service: np.ndarray
    weekly_start: np.ndarray
    weekly_end: np.ndarray
    weekly_days: np.ndarray
    exception_service: np.ndarray
    exception_date: np.ndarray
    exception_type: np.ndarray
    start: str
    end: str

    def services_on(self, day: dt.date) -> np.ndarray:
        """The ``service_id`` of every service that runs on ``day``.

        Parameters
        ----------
        day : datetime.date

        Returns
        -------
        ndarray of object
            Services whose ``calendar.txt`` row covers ``day`` and its weekday, plus those
            ``calendar_dates.txt`` adds on ``day``, minus those it removes.
        """
        key = int(day.strftime("%Y%m%d"))
        weekly = (self.weekly_start <= key) & (key <= self.weekly_end) & self.weekly_days[:, day.weekday()]
        on_day = self.exception_date == key
        added = self.exception_service[on_day & (self.exception_type == 1)]
        removed = self.exception_service[on_day & (self.exception_type == 2)]
        active = np.concatenate([self.weekly_service[weekly], added])
        return active[~pd.Index(active).isin(removed)]


def _iso(yyyymmdd: int) -> str:
    text = str(yyyymmdd)
    return f"{text[:4]}-{text[4:6]}-{text[6:]}"


def check_calendars(
    calendar: pd.DataFrame | None, calendar_dates: pd.DataFrame | None, name: str, problems: Problems
) -> Calendars:
    """The service days of ``calendar.txt`` and ``calendar_dates.txt`` of feed ``name``.

    Reports dates that are not ``YYYYMMDD``, weekday flags other than 0 and 1, and
    ``exception_type`` other than 1 and 2. A file that is None (absent or unusable) runs
    no service.
    """
    covered: list[np.ndarray] = []
    weekly_service = np.zeros(0, dtype=object)
    weekly_start = weekly_end = np.zeros(0, dtype=np.int64)
    weekly_days = np.zeros((0, len(WEEKDAYS)), dtype=bool)
    if calendar is not None:
        where = f"{name}/calendar.txt"
        bounds = {}
        for column in ("start_date", "end_date"):
            raw = column_or_empty(calendar, column)
            bounds[column], bad = parse_dates(raw)
            problems.bad_values(where, column, raw, bad, "a YYYYMMDD date")
            covered.append(bounds[column][~bad])
        flags = []
        for weekday in WEEKDAYS:
            raw = column_or_empty(calendar, weekday).str.strip()
            flags.append((raw == "1").to_numpy(dtype=bool))
            problems.bad_values(where, weekday, raw, ~raw.isin(["0", "1"]).to_numpy(dtype=bool), "0 or 1")
        weekly_service = column_or_empty(calendar, "service_id").to_numpy(dtype=object)
        weekly_start, weekly_end = bounds["start_date"], bounds["end_date"]
        weekly_days = np.column_stack(flags)

    exception_service = np.zeros(0, dtype=object)
    exception_date = exception_type = np.zeros(0, dtype=np.int64)
    if calendar_dates is not None:
        where = f"{name}/calendar_dates.txt"
        raw_date = column_or_empty(calendar_dates, "date")
        raw_type = column_or_empty(calendar_dates, "exception_type")
        exception_date, bad_date = parse_dates(raw_date)
        exception_type, bad_type = parse_integers(raw_type)
        bad_type |= ~np.isin(exception_type, [1, 2])
        problems.bad_values(where, "date", raw_date, bad_date, "a YYYYMMDD date")
        problems.bad_values(where, "exception_type", raw_type, bad_type, "1 or 2")
        exception_service = column_or_empty(calendar_dates, "service_id").to_numpy(dtype=object)
        # Removed dates do not widen the range: feeds list holidays well past their end.
        covered.append(exception_date[~bad_date & (exception_type == 1)])

    dates = np.concatenate(covered) if covered else np.zeros(0, dtype=np.int64)
    return Calendars(
        weekly_service=weekly_service,
        weekly_start=weekly_start,
        weekly_end=weekly_end,
        weekly_days=weekly_days,
        exception_service=exception_service,
        exception_date=exception_date,
        exception_type=exception_type,
        start=_iso(dates.min()) if len(dates) else "",
        end=_iso(dates.max()) if len(dates) else "",
    )
