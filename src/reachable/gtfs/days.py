"""The calendar days whose trips make up a timetable of one or several service days.

Each listed date contributes all its trips; the day before a date contributes the trips
still running after midnight, unless that day is listed itself (then all its trips are
there already, and a trip past 24:00 must not appear twice). Times are shifted onto one
timeline, in seconds since midnight of the first date.
"""

from __future__ import annotations

import dataclasses
import datetime as dt

from .frequencies import DAY, PREVIOUS_DAY_SUFFIX

__all__ = ["TimelineDay", "timeline_days"]


@dataclasses.dataclass(frozen=True)
class TimelineDay:
    """One calendar day's share of the timeline.

    Attributes
    ----------
    day : datetime.date
        The day whose ``calendar.txt`` and ``calendar_dates.txt`` services run.
    shift : int
        Seconds added to the day's ``stop_times.txt`` times: its midnight on the timeline.
    partial : bool
        Only its trips still running after midnight count: the day before a listed date,
        not listed itself.
    suffix : str
        Appended to its trip ids: ``""`` for the date of a one-day timetable,
        ``"@previous-day"`` for the day before the first date, else ``"@YYYY-MM-DD"``.
    """

    day: dt.date
    shift: int
    partial: bool
    suffix: str


def timeline_days(dates: tuple[dt.date, ...]) -> tuple[TimelineDay, ...]:
    """The days contributing trips to the timetable of ``dates``.

    Parameters
    ----------
    dates : tuple of datetime.date
        Sorted, each once, at least one.

    Returns
    -------
    tuple of TimelineDay
        Each date in order, followed by the day before it when that day is not listed:
        with one date, the date and then the previous day, as trips are ordered.
    """
    first = dates[0]
    one_day = len(dates) == 1
    days = []
    for date in dates:
        shift = (date - first).days * DAY
        days.append(TimelineDay(date, shift, False, "" if one_day else f"@{date.isoformat()}"))
        before = date - dt.timedelta(days=1)
        if before not in dates:
            suffix = PREVIOUS_DAY_SUFFIX if date == first else f"@{before.isoformat()}"
            days.append(TimelineDay(before, shift - DAY, True, suffix))
    return tuple(days)
