"""Shifts on a hand-made line where the answer is obvious: no bus before 06:00, a night bus.

The street and the way its walks are timed are those of test_transit_rules.py: home sits on
stop O (y = 0 m), work on stop D3 (y = 6,200 m), so walking between them takes 6,200 s
(103 min 20 s) and the walks to and from the stops take 0 s. Buses (weekdays, so Monday
2019-05-13 and Tuesday 2019-05-14 alike) ride O -> D3 in 30 min at 06:10, 13:00 and 22:30,
a slow one in 80 min at 09:00, and D3 -> O in 30 min at 06:15, 14:10 and 23:10. Nothing runs
before 06:00. board_slack is 60 s: one leaves home a minute before the bus.
"""

from __future__ import annotations

import pandas as pd
import pytest

import reachable as rc

from .test_transit_rules import points, transit_network

MONDAY, TUESDAY = "2019-05-13", "2019-05-14"
TRIPS = {
    "out_0610": ("OUT", [("O", "06:10:00"), ("D3", "06:40:00")]),
    "out_0900": ("SLOW", [("O", "09:00:00"), ("D3", "10:20:00")]),
    "out_1300": ("OUT", [("O", "13:00:00"), ("D3", "13:30:00")]),
    "out_2230": ("OUT", [("O", "22:30:00"), ("D3", "23:00:00")]),
    "back_0615": ("BACK", [("D3", "06:15:00"), ("O", "06:45:00")]),
    "back_1410": ("BACK", [("D3", "14:10:00"), ("O", "14:40:00")]),
    "back_2310": ("BACK", [("D3", "23:10:00"), ("O", "23:40:00")]),
}


@pytest.fixture(scope="module")
def two_days(tmp_path_factory):
    folder = tmp_path_factory.mktemp("shifts")
    return transit_network(folder, ("O", "D3"), TRIPS, date=[MONDAY, TUESDAY])


SHIFTS = [("06:00", "14:00"), ("07:00", "14:00"), ("23:30", "06:00"), ("15:00", "23:45"), ("10:30", "14:00")]


@pytest.fixture(scope="module")
def table(two_days):
    return rc.shifts(two_days, points("O"), points("D3"), mode="transit", shifts=SHIFTS, date=MONDAY,
                     max_time=60, board_slack=60)  # fmt: skip


def row(table, shift):
    (found,) = table.index[table["shift"] == shift]
    return table.loc[found]


def test_a_shift_before_the_first_bus_has_no_trip_there(table):
    early = row(table, "06:00-14:00")
    # Arrive by 05:55: nothing runs before 06:00, and walking takes 103 min > 2 x 60.
    assert not early["feasible"] and early["reason"] == "no_trip_there"
    assert pd.isna(early["leave_home"]) and pd.isna(early["minutes_there"])


def test_a_day_shift_takes_the_first_bus_there_and_the_afternoon_bus_back(table):
    day = row(table, "07:00-14:00")
    # There: the 06:10 bus, boarded a minute after leaving home at 06:09; 06:40 at work.
    assert day["leave_home"] == pd.Timestamp(f"{MONDAY} 06:09") and day["arrive_work"] == pd.Timestamp(
        f"{MONDAY} 06:40"
    )
    assert day["minutes_there"] == 31
    # Back: out at 14:05, the 14:10 bus, home at 14:40.
    assert day["leave_work"] == pd.Timestamp(f"{MONDAY} 14:05") and day["arrive_home"] == pd.Timestamp(
        f"{MONDAY} 14:40"
    )
    assert day["minutes_back"] == 35 and day["commute_minutes"] == 66
    assert day["feasible"] and day["reason"] == ""


def test_a_night_shift_goes_home_on_the_next_morning_timetable(table):
    night = row(table, "23:30-06:00")
    assert night["end"] == pd.Timestamp(f"{TUESDAY} 06:00")
    # There: the 22:30 bus (leave 22:29, at work 23:00). Back: out at 06:05 on Tuesday, the
    # 06:15 bus of Tuesday, home at 06:45.
    assert night["leave_home"] == pd.Timestamp(f"{MONDAY} 22:29") and night["minutes_there"] == 31
    assert night["arrive_home"] == pd.Timestamp(f"{TUESDAY} 06:45") and night["minutes_back"] == 40
    assert night["feasible"]


def test_no_bus_back_late_at_night_and_a_slow_bus_is_too_long(table):
    late = row(table, "15:00-23:45")
    # There: the 13:00 bus is fine. Back: out at 23:50, the next bus is 06:15 (over 2 x 60 min).
    assert late["minutes_there"] == 31 and pd.isna(late["minutes_back"])
    assert late["reason"] == "no_trip_back"
    slow = row(table, "10:30-14:00")
    # Arrive by 10:25: only the slow 09:00 bus (leave 08:59, 81 min); back on the 14:10 bus.
    assert slow["minutes_there"] == 81 and slow["minutes_back"] == 35
    assert slow["reason"] == "too_long_there"


def test_the_frame_has_one_row_per_home_workplace_and_shift(two_days):
    homes, works = points("O", "A"), points("D3", "C2")
    table = rc.shifts(two_days, homes, works, mode="transit", shifts=SHIFTS[:2], date=MONDAY, max_time=60)
    assert list(table[["home_id", "workplace_id", "shift"]].itertuples(index=False, name=None)) == [
        (h, w, f"{s}-{e}") for h in ("O", "A") for w in ("D3", "C2") for s, e in SHIFTS[:2]
    ]
    assert table["feasible"].dtype == bool


def test_street_modes_are_feasible_within_max_time(two_days):
    walk = rc.shifts(two_days, points("O"), points("D3", "B"), mode="walk", shifts=[("08:00", "16:00")],
                     date=MONDAY, max_time=60)  # fmt: skip
    far, near = walk.iloc[0], walk.iloc[1]
    # 6,200 m at 1 m/s: 103 min 20 s, each way; 2,000 m: 33 min 20 s.
    assert far["reason"] == "too_long_there" and far["minutes_there"] == pytest.approx(6200 / 60)
    assert near["feasible"] and near["minutes_back"] == pytest.approx(2000 / 60)
    assert near["leave_home"] == pd.Timestamp(f"{MONDAY} 07:55") - pd.Timedelta(seconds=2000)


def test_the_night_shift_needs_the_next_day_and_malformed_shifts_are_refused(tmp_path, two_days):
    monday = transit_network(tmp_path, ("O", "D3"), TRIPS, date=MONDAY)
    with pytest.raises(rc.InvalidParameterError, match="2019-05-14 06:05:00 is not on 2019-05-13"):
        rc.shifts(monday, points("O"), points("D3"), mode="transit", shifts=[("23:30", "06:00")], date=MONDAY,
                  max_time=60)  # fmt: skip
    for bad, message in (([("25:00", "06:00")], "not a clock time"), ([("06:00",)], r"a \(start, end\) pair"),
                         ([], "shifts is empty")):  # fmt: skip
        with pytest.raises(rc.InvalidParameterError, match=message):
            rc.shifts(
                two_days, points("O"), points("D3"), mode="transit", shifts=bad, date=MONDAY, max_time=60
            )
