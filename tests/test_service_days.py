"""Several service days in one network: one timeline across them, in seconds since the first midnight.

A journey started late on one day goes on with the next day's trips; each day's calendars
apply to it; a trip past 24:00 belongs to the day that started it and is there once. Times
on the hand-made street are derived by hand in the comments (see test_transit_rules.py for
how the street is measured: one metre is one second of walking at 3.6 km/h).
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import re
import types
import warnings

import numpy as np
import pandas as pd
import pytest

import reachable as rc
from reachable.errors import InvalidParameterError, ReachableWarning
from reachable.gtfs import expand_frequencies, read_gtfs
from reachable.kernels.raptor import UNREACHED
from reachable.points import as_points
from reachable.routing import transit
from reachable.timeline import local_time, timeline_seconds

from . import transit_reference as reference
from .test_gtfs import BASE, clock, write_feed
from .test_transit_reference import brute_force, brute_force_legs
from .test_transit_rules import STREET, WEEKDAYS, points, seconds, where, write_stop_times, write_table
from .transit_towns import QUERY_DATE, write_town

DAY = 86_400
MONDAY, TUESDAY, WEDNESDAY = "2019-05-13", "2019-05-14", "2019-05-15"
TWO_DAYS = [MONDAY, TUESDAY]


# --------------------------------------------------------------------------- RAPTOR over midnight


@pytest.fixture(scope="module", params=[1, 2, 3])
def two_day_town(request, tmp_path_factory):
    """A seeded town with weekday trips late in the evening, for Monday alone and Monday-Tuesday."""
    folder = tmp_path_factory.mktemp(f"night_town{request.param}")
    osm, feeds, spots = write_town(folder, request.param, late_trips=2)
    one_day = rc.Network.build(osm, gtfs=feeds, date=QUERY_DATE, cache=False)
    two_days = rc.Network.build(osm, gtfs=feeds, date=[QUERY_DATE, TUESDAY], cache=False)
    return one_day, two_days, spots


def town_query(start, window, max_rounds, board_slack):
    return transit.TransitQuery(
        departures=start + 60 * np.arange(window, dtype=np.int64), max_duration=3600, max_walk=600.0,
        max_rounds=max_rounds, walk_speed=3.6, board_slack=board_slack, frequency_draws=2, seed=3,
        percentiles=np.array([50.0]), max_snap_distance=1600.0,
    )  # fmt: skip


@pytest.mark.parametrize(
    ("start", "window", "max_rounds", "board_slack"),
    [(23 * 3600 + 1800, 60, 3, 60), (DAY + 14 * 3600 - 300, 30, 2, 0)],
    ids=["Monday 23:30 to 00:29", "Tuesday 13:55 to 14:24"],
)
def test_range_raptor_equals_brute_force_across_midnight(
    two_day_town, start, window, max_rounds, board_slack
):
    one_day, network, spots = two_day_town
    query = town_query(start, window, max_rounds, board_slack)
    pts = as_points(spots)
    _, minutes = transit.transit_seconds(network, pts, pts, query, keep_minutes=True)
    expected = brute_force(network, spots, query)
    np.testing.assert_array_equal(np.where(minutes >= UNREACHED, reference.INF, minutes), expected)
    # Rides matter: many trips are faster than walking alone, or possible only by transit.
    walk = rc.travel_time_matrix(network, spots, mode="walk", max_time=query.max_walk / 60)
    walk_seconds = np.nan_to_num(walk["travel_time"].to_numpy().reshape(len(spots), 1, -1) * 60, nan=np.inf)
    assert np.mean(expected < walk_seconds - 1) > 0.3
    if start < DAY:
        # Tuesday's first trips shorten journeys begun on Monday night, which Monday alone cannot.
        _, alone = transit.transit_seconds(one_day, pts, pts, query, keep_minutes=True)
        alone = np.where(alone >= UNREACHED, reference.INF, alone)
        assert (expected <= alone).all()
        assert np.mean(expected < alone) > 0.15


@pytest.mark.parametrize(
    "deadlines",
    [[DAY + 10 * 60, DAY + 20 * 60 + 7], [DAY + 14 * 3600 + 33]],
    ids=["Tuesday 00:10 and 00:20:07", "Tuesday 14:00:33"],
)
def test_arrive_by_equals_brute_force_across_midnight(two_day_town, deadlines):
    """The latest departures by a deadline just after midnight come from Monday night's trips."""
    _, network, spots = two_day_town
    query = dataclasses.replace(
        town_query(0, 1, 3, 60), departures=np.empty(0, dtype=np.int64), deadlines=np.array(deadlines)
    )
    pts = as_points(spots)
    lead = np.concatenate([lead for _, lead in transit.arrival_blocks(network, pts, pts, query)], axis=1)
    legs, tables = brute_force_legs(network, spots, query)
    rides = 0
    for d, table in enumerate(tables):
        for m, deadline in enumerate(deadlines):
            want, arrival = reference.latest_departures(
                table,
                deadline,
                *legs,
                len(spots),
                max_rounds=3,
                board_slack=60,
                max_duration=query.max_duration,
            )
            got = lead[:, :, d * len(deadlines) + m]
            np.testing.assert_array_equal(np.where(got >= UNREACHED, reference.INF, deadline - got), want)
            rides += ((arrival < deadline) & (want < reference.INF)).sum()
    if deadlines[0] < DAY + 3600:
        assert rides > 0  # Monday night's trips (and Tuesday's first) carry people by 00:10


# --------------------------------------------------------------------------- calendars of each day


def night_line(folder, date) -> rc.Network:
    """The street with a feed whose buses cross midnight, for service day(s) ``date``.

    ``late`` (weekdays) leaves A at 23:40 and reaches B at 24:05, that is 00:05 the next
    day. From B to D0 on the next day: ``sunday`` (Sundays only) at 00:08:00, ``except``
    (weekdays but not Tuesday 14 May, by calendar_dates.txt) at 00:08:30, and ``first``
    (weekdays) at 00:10:00, each day's first bus.
    """
    feed = folder / "line"
    feed.mkdir(parents=True, exist_ok=True)
    write_table(
        feed / "agency.txt",
        ["agency_id", "agency_name", "agency_url", "agency_timezone"],
        [["A", "Agency", "https://example.org", "UTC"]],
    )
    stop_rows = [[s, s, f"{where(s)[1]:.7f}", f"{where(s)[0]:.7f}"] for s in ("A", "B", "D0")]
    write_table(feed / "stops.txt", ["stop_id", "stop_name", "stop_lat", "stop_lon"], stop_rows)
    trips = {
        "late": ("WK", [("A", "23:40:00"), ("B", "24:05:00")]),
        "sunday": ("SUN", [("B", "00:08:00"), ("D0", "00:14:00")]),
        "except": ("WK_X", [("B", "00:08:30"), ("D0", "00:13:00")]),
        "first": ("WK", [("B", "00:10:00"), ("D0", "00:25:00")]),
    }
    write_table(
        feed / "routes.txt",
        ["route_id", "agency_id", "route_short_name", "route_type"],
        [[t, "A", t, 3] for t in trips],
    )
    write_table(
        feed / "trips.txt", ["route_id", "service_id", "trip_id"], [[t, s, t] for t, (s, _) in trips.items()]
    )
    write_stop_times(feed, {t: calls for t, (_, calls) in trips.items()})
    write_table(
        feed / "calendar.txt",
        ["service_id", *WEEKDAYS, "start_date", "end_date"],
        [
            ["WK", 1, 1, 1, 1, 1, 0, 0, "20190101", "20191231"],
            ["WK_X", 1, 1, 1, 1, 1, 0, 0, "20190101", "20191231"],
            ["SUN", 0, 0, 0, 0, 0, 0, 1, "20190101", "20191231"],
        ],
    )
    write_table(
        feed / "calendar_dates.txt", ["service_id", "date", "exception_type"], [["WK_X", "20190514", 2]]
    )
    return rc.Network.build(STREET, gtfs={"line": feed}, date=date, modes=["walk"], cache=False)


@pytest.fixture(scope="module")
def night_networks(tmp_path_factory):
    return {
        "monday": night_line(tmp_path_factory.mktemp("monday"), MONDAY),
        "both": night_line(tmp_path_factory.mktemp("both"), TWO_DAYS),
    }


def test_a_monday_night_bus_connects_to_tuesdays_first_bus(night_networks):
    both = night_networks["both"]
    # O leaves at Monday 23:30:00, walks 200 m to A (23:33:20), may board from 23:34:20: the
    # 23:40:00 ``late``, at B at 24:05:00 = Tuesday 00:05:00; may board again from 00:06:00.
    # On Tuesday ``sunday`` does not run (00:08:00) nor ``except`` (00:08:30, removed that
    # day): ``first`` at 00:10:00, D0 at 00:25:00, X0 (100 m on) at 00:26:40: 56 min 40 s.
    assert seconds(both, ["O"], ["X0"], departure=f"{MONDAY} 23:30", board_slack=60) == {("O", "X0"): 3400}
    # With Monday alone no bus leaves B after 00:05 Tuesday, and X0 is a 55-minute walk
    # (3,300 m) beyond the 10-minute limit: not reached within the hour.
    alone = seconds(night_networks["monday"], ["O"], ["X0"], departure=f"{MONDAY} 23:30", board_slack=60)
    assert np.isnan(alone[("O", "X0")])


def test_each_day_keeps_its_own_calendar(night_networks):
    both = night_networks["both"]
    # Q walks 100 m to B: there 100 s after leaving at 00:05:00, may board from 00:07:40.
    # Monday: ``except`` runs (removed on Tuesday only): 00:08:30, D0 00:13:00, X0 00:14:40:
    # 9 min 40 s. ``sunday``, though earlier at B, is not Monday's.
    assert seconds(both, ["Q"], ["X0"], departure=f"{MONDAY} 00:05", board_slack=60) == {("Q", "X0"): 580}
    # Tuesday: neither ``sunday`` nor ``except``: ``first`` at 00:10:00, D0 00:25:00, X0
    # 00:26:40: 21 min 40 s.
    assert seconds(both, ["Q"], ["X0"], departure=f"{TUESDAY} 00:05", board_slack=60) == {("Q", "X0"): 1300}
    # Tuesday 23:30: ``late`` reaches B on Wednesday, which the network does not have.
    late = seconds(both, ["O"], ["X0"], departure=f"{TUESDAY} 23:30", board_slack=60)
    assert np.isnan(late[("O", "X0")])


def test_itinerary_times_on_the_second_day(night_networks):
    legs = rc.itinerary(
        night_networks["both"], points("O"), points("X0"), departure=f"{MONDAY} 23:30", walk_speed=3.6,
        max_walk_time=10, board_slack=60,
    )  # fmt: skip
    rides = legs[legs["mode"] == "ride"]
    assert rides["trip_id"].tolist() == ["line:late@2019-05-13", "line:first@2019-05-14"]
    assert rides["departure_time"].tolist() == [
        pd.Timestamp("2019-05-13 23:40"),
        pd.Timestamp("2019-05-14 00:10"),
    ]
    assert legs["arrival_time"].iloc[-1] == pd.Timestamp("2019-05-14 00:26:40")


# --------------------------------------------------------------------------- the reader


def night_feed(tmp_path):
    """Weekday service (BASE's WEEK): T1 at 10:00, NIGHT 23:40 to 24:20, F and G every 30 min
    from 23:00 to 25:00 taking 20 min, F at exact times, G at an unknown phase."""
    return write_feed(
        tmp_path,
        "nights",
        trips="route_id,service_id,trip_id\nR1,WEEK,T1\nR1,WEEK,NIGHT\nR1,WEEK,F\nR1,WEEK,G\n",
        stop_times=BASE["stop_times.txt"]
        + "NIGHT,23:40:00,23:40:00,S1,1\nNIGHT,24:20:00,24:20:00,S3,2\n"
        + "F,23:00:00,23:00:00,S1,1\nF,23:20:00,23:20:00,S3,2\n"
        + "G,23:00:00,23:00:00,S1,1\nG,23:20:00,23:20:00,S3,2\n",
        frequencies=(
            "trip_id,start_time,end_time,headway_secs,exact_times\n"
            "F,23:00:00,25:00:00,1800,1\nG,23:00:00,25:00:00,1800,0\n"
        ),
    )


def departures_of(timetable, trip_id):
    (trip,) = np.flatnonzero(timetable.trip_id == trip_id)
    return timetable.stop_time_departure[
        timetable.trip_offsets[trip] : timetable.trip_offsets[trip + 1]
    ].tolist()


def test_a_trip_past_midnight_is_on_the_next_mornings_timeline_once(tmp_path):
    timetable = read_gtfs(night_feed(tmp_path), [TUESDAY, MONDAY, dt.date(2019, 5, 13)])
    f_runs = [f"nights:F#{s}" for s in (82800, 84600, 86400, 88200)]
    tuesday_runs = [f"nights:F#{s + DAY}@2019-05-14" for s in (82800, 84600, 86400, 88200)]
    # Monday, then Sunday's trips past midnight (none: WEEK does not run on Sunday), then Tuesday.
    assert timetable.trip_id.tolist() == [
        "nights:T1@2019-05-13", "nights:NIGHT@2019-05-13", *[f"{run}@2019-05-13" for run in f_runs],
        "nights:G@2019-05-13", "nights:T1@2019-05-14", "nights:NIGHT@2019-05-14", *tuesday_runs,
        "nights:G@2019-05-14",
    ]  # fmt: skip
    assert departures_of(timetable, "nights:NIGHT@2019-05-13") == [clock("23:40:00"), clock("24:20:00")]
    assert departures_of(timetable, "nights:NIGHT@2019-05-14") == [
        DAY + clock("23:40:00"),
        DAY + clock("24:20:00"),
    ]
    assert departures_of(timetable, "nights:T1@2019-05-14")[0] == DAY + clock("10:00:00")
    # Tuesday 00:00 to 03:00 on the timeline: Monday's NIGHT and its last two F runs, once each.
    early = [
        trip_id
        for trip, trip_id in enumerate(timetable.trip_id)
        if timetable.scheduled[trip]
        and (DAY <= timetable.stop_time_departure[timetable.trip_offsets[trip + 1] - 1] < DAY + 3 * 3600)
    ]
    assert early == ["nights:NIGHT@2019-05-13", "nights:F#86400@2019-05-13", "nights:F#88200@2019-05-13"]
    # G's windows, one per day, shifted with it.
    assert timetable.frequency_start.tolist() == [82800, 82800 + DAY]
    assert timetable.frequency_end.tolist() == [90000, 90000 + DAY]
    assert timetable.trip_id[timetable.frequency_trip].tolist() == [
        "nights:G@2019-05-13",
        "nights:G@2019-05-14",
    ]
    expanded = expand_frequencies(timetable, np.array([600, 0]))
    runs = [trip_id for trip_id in expanded.trip_id.tolist() if trip_id.startswith("nights:G")]
    assert runs == [
        *[f"nights:G#{s}@2019-05-13" for s in (83400, 85200, 87000, 88800)],
        *[f"nights:G#{s + DAY}@2019-05-14" for s in (82800, 84600, 86400, 88200)],
    ]
    assert departures_of(expanded, f"nights:G#{88200 + DAY}@2019-05-14") == [88200 + DAY, 89400 + DAY]


def test_the_day_before_a_date_that_follows_a_gap(tmp_path):
    # Monday and Wednesday: Tuesday is not listed, so only its trips still running after
    # midnight are there (NIGHT, F's runs from 24:00 and G's window reaching past it), named
    # by Tuesday; Sunday, before Monday, runs no WEEK trip.
    timetable = read_gtfs(night_feed(tmp_path), [MONDAY, WEDNESDAY])
    tuesday = [trip_id for trip_id in timetable.trip_id.tolist() if trip_id.endswith("@2019-05-14")]
    assert tuesday == [
        "nights:NIGHT@2019-05-14", f"nights:F#{86400 + DAY}@2019-05-14", f"nights:F#{88200 + DAY}@2019-05-14",
        "nights:G@2019-05-14",
    ]  # fmt: skip
    assert departures_of(timetable, "nights:NIGHT@2019-05-14") == [
        DAY + clock("23:40:00"),
        DAY + clock("24:20:00"),
    ]
    assert departures_of(timetable, "nights:T1@2019-05-15")[0] == 2 * DAY + clock("10:00:00")
    # Windows in the order of the days: Monday, Wednesday, then the Tuesday before it.
    assert timetable.frequency_start.tolist() == [82800, 82800 + 2 * DAY, 82800 + DAY]


def test_a_single_date_keeps_its_ids(tmp_path):
    feed = night_feed(tmp_path)
    assert read_gtfs(feed, [MONDAY]).trip_id.tolist() == read_gtfs(feed, MONDAY).trip_id.tolist()
    tuesday = read_gtfs(feed, TUESDAY)
    assert "nights:NIGHT@previous-day" in tuesday.trip_id.tolist()
    assert "nights:F#86400@previous-day" in tuesday.trip_id.tolist()


def test_days_without_service_are_named_in_one_warning(tmp_path):
    feed = write_feed(tmp_path, "weekdays")
    with pytest.warns(ReachableWarning) as caught:
        timetable = read_gtfs(feed, ["2019-05-17", "2019-05-18", "2019-05-19"])
    assert [str(w.message) for w in caught] == [
        "no service is scheduled on 2019-05-18, 2019-05-19 in GTFS feed(s): weekdays "
        "(its calendars cover 2019-04-15 to 2019-07-15)"
    ]
    assert timetable.trip_id.tolist() == ["weekdays:T1@2019-05-17"]
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        read_gtfs(feed, TWO_DAYS)


@pytest.mark.parametrize("date", [[], (), set()])
def test_an_empty_list_of_dates_is_refused(tmp_path, date):
    with pytest.raises(InvalidParameterError, match="date is an empty list"):
        read_gtfs(write_feed(tmp_path, "base"), date)


def test_a_bad_date_in_the_list_is_refused(tmp_path):
    with pytest.raises(InvalidParameterError, match="or a list of them, not \\['2019-05-13', '2019-5-14'\\]"):
        read_gtfs(write_feed(tmp_path, "base"), [MONDAY, "2019-5-14"])


# --------------------------------------------------------------------------- the network


def test_saved_and_cached_networks_keep_their_days(tmp_path):
    feed = tmp_path / "feed"
    night_line(feed, MONDAY)  # writes the feed
    build = lambda date: rc.Network.build(  # noqa: E731
        STREET, gtfs={"line": feed / "line"}, date=date, modes=["walk"], cache_dir=tmp_path / "cache"
    )
    network = build([TUESDAY, MONDAY, TUESDAY])
    assert network.dates == (dt.date(2019, 5, 13), dt.date(2019, 5, 14))
    assert network.date == dt.date(2019, 5, 13)
    assert "transit on 2019-05-13, 2019-05-14: 3 stops/" in repr(network)
    loaded = rc.Network.load(network.save(tmp_path / "night.reachable"))
    assert loaded.dates == network.dates and loaded.date == network.date
    np.testing.assert_array_equal(loaded.timetable.trip_id, network.timetable.trip_id)
    np.testing.assert_array_equal(loaded.timetable.stop_time_departure, network.timetable.stop_time_departure)
    assert seconds(loaded, ["O"], ["X0"], departure=f"{MONDAY} 23:30", board_slack=60) == {("O", "X0"): 3400}

    cached = lambda: sorted((tmp_path / "cache").glob("*.reachable"))  # noqa: E731
    assert len(cached()) == 1
    assert build(TWO_DAYS).dates == network.dates  # the same days: the same cache entry
    assert len(cached()) == 1
    assert build(MONDAY).dates == (dt.date(2019, 5, 13),)
    assert build([MONDAY, WEDNESDAY]).dates == (dt.date(2019, 5, 13), dt.date(2019, 5, 15))
    assert len(cached()) == 3
    assert build(MONDAY).dates == (dt.date(2019, 5, 13),)  # from its own entry
    assert len(cached()) == 3


def test_the_build_refuses_an_empty_list_of_dates():
    with pytest.raises(InvalidParameterError, match="date is an empty list"):
        rc.Network.build(STREET, gtfs=["feed.zip"], date=[], cache=False)


# --------------------------------------------------------------------------- timeline_seconds

ONE = types.SimpleNamespace(dates=(dt.date(2019, 5, 13),))
TWO = types.SimpleNamespace(dates=(dt.date(2019, 5, 13), dt.date(2019, 5, 14)))


@pytest.mark.parametrize(
    ("network", "when", "expected"),
    [
        (TWO, dt.datetime(2019, 5, 14, 8, 0), DAY + 8 * 3600),
        (TWO, pd.Timestamp("2019-05-13 23:30"), 23 * 3600 + 1800),
        (TWO, "2019-05-14 00:10", DAY + 600),
        (TWO, " 2019-05-14 00:10:30 ", DAY + 630),
        (TWO, "2019-05-14T00:10:30", DAY + 630),
        (TWO, dt.datetime(2019, 5, 14, 0, 0, 1, 999_999), DAY + 1),  # fractions of a second dropped
        (ONE, "08:00", 8 * 3600),
        (ONE, "08:00:30", 8 * 3600 + 30),
        (ONE, "2019-05-13 08:00", 8 * 3600),
    ],
)
def test_timeline_seconds(network, when, expected):
    assert timeline_seconds(network, when) == expected


@pytest.mark.parametrize(
    ("network", "when", "message"),
    [
        (TWO, "2019-05-14", "departure '2019-05-14' has no time of day; write the time too, e.g. "
                            "'2019-05-14 08:00'"),
        (TWO, dt.date(2019, 5, 14), "departure '2019-05-14' has no time of day"),
        (TWO, dt.datetime(2019, 5, 14, 8, tzinfo=dt.timezone.utc),
         "departure 2019-05-14 08:00:00+00:00 has a time zone"),
        (TWO, "2019-05-14 08:00+02:00", "has a time zone"),
        (TWO, pd.Timestamp("2019-05-14 08:00", tz="America/Sao_Paulo"), "has a time zone"),
        (TWO, "08:00", "departure '08:00' has no date and the network has several service days "
                       "(2019-05-13, 2019-05-14); write the date too, e.g. '2019-05-13 08:00'"),
        (TWO, "2019-05-15 08:00", "departure 2019-05-15 08:00:00 is not on the network's service days "
                                  "2019-05-13, 2019-05-14; build it again with date= that day too"),
        (TWO, "2019-05-12 23:00", "is not on the network's service days 2019-05-13, 2019-05-14"),
        (ONE, "2019-05-14 08:00", "departure 2019-05-14 08:00:00 is not on 2019-05-13, the service day"),
        (TWO, "tomorrow 8:00", "departure must look like '2019-05-13 14:00', got 'tomorrow 8:00'"),
        (ONE, "8h", "departure must look like '2019-05-13 14:00' or '14:00', got '8h'"),
        (TWO, 28800, "departure must be a datetime or a string like '2019-05-13 14:00', got 28800"),
        (types.SimpleNamespace(dates=()), "08:00", "departure needs a network built with gtfs= and date="),
    ],
)  # fmt: skip
def test_timeline_seconds_refuses(network, when, message):
    with pytest.raises(InvalidParameterError, match=re.escape(message)):
        timeline_seconds(network, when)


def test_timeline_seconds_names_the_parameter():
    with pytest.raises(InvalidParameterError, match=r"^arrival '08:00' has no date"):
        timeline_seconds(TWO, "08:00", name="arrival")


def test_departures_on_a_network_of_two_days(night_networks):
    both = night_networks["both"]
    with pytest.raises(InvalidParameterError, match="has no date and the network has several service days"):
        seconds(both, ["O"], ["X0"], departure="23:30")
    with pytest.raises(
        InvalidParameterError, match="is not on the network's service days 2019-05-13, 2019-05-14"
    ):
        rc.isochrones(both, points("O"), mode="transit", departure="2019-05-15 08:00", cutoffs=[30])


def test_local_time_without_service_days():
    # A network without public transport: any day will do, but a time of day alone has none.
    assert local_time("2019-05-20 08:00", (), "arrival") == dt.datetime(2019, 5, 20, 8)
    with pytest.raises(
        InvalidParameterError, match="arrival '08:00' has no date and the network has no service"
    ):
        local_time("08:00", (), "arrival")
    with pytest.raises(InvalidParameterError, match="has a time zone"):
        local_time("2019-05-20 08:00Z", (), "arrival")
