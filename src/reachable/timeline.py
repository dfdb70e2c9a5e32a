"""The timeline of a network's timetable: its service days, and seconds on it.

A network is built for one service day or several (``date=["2019-05-13", "2019-05-14"]``).
Its timetable runs on one timeline across them: times are seconds since midnight of the
first day, so 08:00 on the second day is 115,200 s, and a journey started late on one day
goes on with the next day's trips. Times of day are local times of the GTFS feeds, without
a time zone, as ``stop_times.txt`` writes them.
"""

from __future__ import annotations

import datetime as dt
import re

from .errors import InvalidParameterError

__all__ = ["local_time", "service_days", "timeline_seconds"]


def _one_day(value: object, date: object) -> dt.date:
    if isinstance(value, dt.datetime):
        return value.date()
    if isinstance(value, dt.date):
        return value
    if isinstance(value, str) and re.fullmatch(r"\d{4}-\d{2}-\d{2}", value.strip()):
        try:
            return dt.date.fromisoformat(value.strip())
        except ValueError:
            pass
    raise InvalidParameterError(
        f"date must be a datetime.date, a datetime or a 'YYYY-MM-DD' string, or a list of them, not {date!r}"
    )


def service_days(date: object) -> tuple[dt.date, ...]:
    """The service days a ``date=`` argument names.

    Parameters
    ----------
    date : datetime.date, datetime.datetime, str, or list, tuple or set of them
        ``"YYYY-MM-DD"`` for a string; a datetime's time of day is ignored.

    Returns
    -------
    tuple of datetime.date
        Sorted, each day once.

    Raises
    ------
    InvalidParameterError
        A value of another form, a date that does not exist, or no date at all.
    """
    values = list(date) if isinstance(date, (list, tuple, set, frozenset)) else [date]
    if not values:
        raise InvalidParameterError("date is an empty list: give at least one service day, e.g. '2019-05-13'")
    return tuple(sorted({_one_day(value, date) for value in values}))


def _listed(days: tuple[dt.date, ...]) -> str:
    return ", ".join(day.isoformat() for day in days)


def _as_datetime(when: object, days: tuple[dt.date, ...], name: str) -> dt.datetime:
    """``when`` as a datetime, the only day of ``days`` standing for a missing date."""
    example = days[0].isoformat() if days else "2019-05-13"
    if isinstance(when, dt.datetime):  # pandas.Timestamp too
        return when
    if isinstance(when, dt.date):
        when = when.isoformat()  # refused below, as a date without a time of day
    if not isinstance(when, str):
        raise InvalidParameterError(
            f"{name} must be a datetime or a string like '{example} 14:00', got {when!r}"
        )
    text = when.strip()
    if len(text) == 10 and text[4:5] == "-":
        raise InvalidParameterError(
            f"{name} {when!r} has no time of day; write the time too, e.g. '{text} 08:00'"
        )
    try:
        parsed = dt.time.fromisoformat(text) if len(text) <= 8 else dt.datetime.fromisoformat(text)
    except ValueError as error:
        forms = f"'{example} 14:00' or '14:00'" if len(days) == 1 else f"'{example} 14:00'"
        raise InvalidParameterError(f"{name} must look like {forms}, got {when!r}") from error
    if isinstance(parsed, dt.datetime):
        return parsed
    if len(days) != 1:
        # A time of day alone would be ambiguous: the same clock time comes once per day.
        why = (
            f"the network has several service days ({_listed(days)})"
            if days
            else "the network has no service day to take it from"
        )
        raise InvalidParameterError(
            f"{name} {when!r} has no date and {why}; write the date too, e.g. '{example} {text}'"
        )
    return dt.datetime.combine(days[0], parsed)


def local_time(when: object, dates: tuple[dt.date, ...], name: str = "departure") -> dt.datetime:
    """A departure or arrival time as a local date and time on one of the service days.

    Parameters
    ----------
    when : datetime.datetime, pandas.Timestamp or str
        ``"YYYY-MM-DD HH:MM[:SS]"``, or ``"HH:MM[:SS]"`` when there is one service day, in
        the feeds' local time: a date without a time of day, or a time with a time zone, is
        refused rather than guessed.
    dates : tuple of datetime.date
        The service days (a network's ``dates``); empty for a network without public
        transport, on which any day will do but a time of day alone has no date.
    name : str, default "departure"
        The parameter ``when`` was given as, named by error messages.

    Returns
    -------
    datetime.datetime
        Naive; ``when`` itself when it is a datetime (or a pandas.Timestamp).

    Raises
    ------
    InvalidParameterError
        ``when`` is of another form, has no time of day, has a time zone, has no date while
        there is not exactly one day, or is not on one of ``dates``.
    """
    days = tuple(dates)
    moment = _as_datetime(when, days, name)
    if moment.tzinfo is not None:
        raise InvalidParameterError(
            f"{name} {moment} has a time zone; give the local time of the GTFS feeds without "
            "one (e.g. convert with .tz_convert(zone).tz_localize(None))"
        )
    if days and moment.date() not in days:
        if len(days) == 1:
            raise InvalidParameterError(
                f"{name} {moment} is not on {days[0]}, the service day this network was built for; "
                "build it again with date= that day"
            )
        raise InvalidParameterError(
            f"{name} {moment} is not on the network's service days {_listed(days)}; "
            "build it again with date= that day too"
        )
    return moment


def timeline_seconds(network, when: object, name: str = "departure") -> int:
    """Seconds on a network's timeline for a departure or arrival time.

    Parameters
    ----------
    network : Network
        Built with ``gtfs=`` and ``date=``: its ``dates`` are the days of the timeline.
    when : datetime.datetime, pandas.Timestamp or str
        As :func:`local_time` accepts it, on one of the network's days.
    name : str, default "departure"
        The parameter ``when`` was given as, named by error messages.

    Returns
    -------
    int
        Seconds since midnight of the network's first service day (fractions of a second
        dropped).

    Raises
    ------
    InvalidParameterError
        The network has no service day, or :func:`local_time` refuses ``when``.
    """
    days = tuple(network.dates)
    if not days:
        raise InvalidParameterError(
            f"{name} needs a network built with gtfs= and date=: this one has no service day"
        )
    moment = local_time(when, days, name)
    return (moment - dt.datetime.combine(days[0], dt.time())) // dt.timedelta(seconds=1)
