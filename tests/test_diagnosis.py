"""The mobility diagnosis on a hand-made town where every answer is worked out by hand.

Home H is where three streets meet, at lon 3 E on the equator, where a metre along the
meridian or the equator is 1 / 111,195.08 degree on the library's sphere (see
test_transit_rules.py), so every length below is exact:

- the high street runs north from H to N (6,000 m) through B (1,200 m); walking and cycling
  only (``motor_vehicle=no``); a bus calls at H and N: H 06:10 -> N 06:25, H 13:00 -> N 13:15,
  N 14:10 -> H 14:25, on weekdays; the network holds Monday and Tuesday only;
- a cycleway (``foot=no``) runs east from H to C (4,500 m): bikes only;
- a motorway runs south from H to M (15,000 m) at 110 km/h: cars only.

Walking at 3.6 km/h is 1 m/s, cycling at 12 km/h 10/3 m/s. With ``max_commute=25`` min:
B is 20 min on foot; C is 22.5 min by bike; N is 100 min on foot, 30 min by bike (too long),
15 min by bus plus the minute of board_slack; M is 15,000 / (110 / 3.6) = 490.9 s by car.
The offers (all on weekdays but the Saturday one):

============  ====  ===========  ==========================================================
offer         at    hours        why
============  ====  ===========  ==========================================================
bakery        B     08:00-16:00  20 min on foot each way: feasible now
kitchen       N     06:00-14:00  by 05:55 no bus runs (the first leaves at 06:10)
school        N     07:00-14:00  the 06:10 bus there, the 14:10 bus back: a transit pass
late          N     13:25-23:00  the 13:00 bus there, but no bus back after 23:05
saturday      N     07:00-14:00  on Saturdays, a day the network's timetable lacks
workshop      C     09:00-17:00  by bike only: a bike loan
depot         M     09:00-17:00  by car only: a car loan, which needs a B licence
============  ====  ===========  ==========================================================

Amina walks (no pass, no licence); Bruno walks and holds a B licence.
"""

from __future__ import annotations

import math

import numpy as np
import pandas as pd
import pytest

import reachable as rc
from reachable.aids import Aid
from reachable.people import read_offers, read_people

from .test_transit_rules import write_stop_times, write_table

METRES_PER_DEGREE = 6_371_009.0 * math.pi / 180
MONDAY = "2019-05-13"
PLACES = {"H": (0, 0), "B": (0, 1200), "N": (0, 6000), "C": (4500, 0), "M": (0, -15000)}  # metres east, north


def lonlat(name: str) -> tuple[float, float]:
    x, y = PLACES[name]
    return round(3 + x / METRES_PER_DEGREE, 7), round(y / METRES_PER_DEGREE, 7)


def write_town(folder):
    nodes = "\n".join(
        f'<node id="{i}" lat="{lonlat(n)[1]:.7f}" lon="{lonlat(n)[0]:.7f}"/>' for i, n in enumerate(PLACES, 1)
    )
    ids = {n: i for i, n in enumerate(PLACES, 1)}

    def way(number, refs, tags):
        nds = "".join(f'<nd ref="{ids[r]}"/>' for r in refs)
        return f'<way id="{number}">{nds}{"".join(f"<tag k={k!r} v={v!r}/>" for k, v in tags.items())}</way>'

    osm = folder / "town.osm"
    osm.write_text(
        f"<?xml version='1.0' encoding='UTF-8'?>\n<osm version=\"0.6\">\n{nodes}\n"
        + way(1, ["H", "B", "N"], {"highway": "residential", "motor_vehicle": "no"})
        + way(2, ["H", "C"], {"highway": "cycleway", "foot": "no"})
        + way(3, ["H", "M"], {"highway": "motorway", "oneway": "no"})
        + "\n</osm>"
    )
    feed = folder / "bus"
    feed.mkdir()
    write_table(feed / "agency.txt", ["agency_id", "agency_name", "agency_url", "agency_timezone"],
                [["A", "Bus", "https://example.org", "UTC"]])  # fmt: skip
    write_table(feed / "stops.txt", ["stop_id", "stop_name", "stop_lat", "stop_lon"],
                [[s, s, lonlat(s)[1], lonlat(s)[0]] for s in ("H", "N")])  # fmt: skip
    write_table(
        feed / "routes.txt", ["route_id", "agency_id", "route_short_name", "route_type"], [["L", "A", "1", 3]]
    )
    trips = {
        "out_0610": [("H", "06:10:00"), ("N", "06:25:00")],
        "out_1300": [("H", "13:00:00"), ("N", "13:15:00")],
        "back_1410": [("N", "14:10:00"), ("H", "14:25:00")],
    }
    write_table(feed / "trips.txt", ["route_id", "service_id", "trip_id"], [["L", "WK", t] for t in trips])
    write_stop_times(feed, trips)
    days = ["monday", "tuesday", "wednesday", "thursday", "friday", "saturday", "sunday"]
    write_table(feed / "calendar.txt", ["service_id", *days, "start_date", "end_date"],
                [["WK", 1, 1, 1, 1, 1, 0, 0, "20190101", "20191231"]])  # fmt: skip
    # No street allows mopeds: the network has no moped graph.
    with pytest.warns(rc.ReachableWarning, match="allows moped"):
        return rc.Network.build(osm, gtfs={"bus": feed}, date=[MONDAY, "2019-05-14"], cache=False)


@pytest.fixture(scope="module")
def town(tmp_path_factory):
    return write_town(tmp_path_factory.mktemp("diagnosis_town"))


def people():
    h = lonlat("H")
    return pd.DataFrame({
        "id": ["amina", "bruno"], "lon": [h[0]] * 2, "lat": [h[1]] * 2, "modes": ["walk", "walk"],
        "licences": ["", "B"], "max_commute": [25, 25],
    })  # fmt: skip


OFFERS = [  # id, place, start, end, days
    ("bakery", "B", "08:00", "16:00", "mon-fri"),
    ("kitchen", "N", "06:00", "14:00", "mon-fri"),
    ("school", "N", "07:00", "14:00", "mon-fri"),
    ("late", "N", "13:25", "23:00", "mon-fri"),
    ("saturday", "N", "07:00", "14:00", "sat"),
    ("workshop", "C", "09:00", "17:00", "mon-fri"),
    ("depot", "M", "09:00", "17:00", "mon-fri"),
]


def offers():
    return pd.DataFrame({
        "id": [o[0] for o in OFFERS], "kind": "job", "lon": [lonlat(o[1])[0] for o in OFFERS],
        "lat": [lonlat(o[1])[1] for o in OFFERS], "start": [o[2] for o in OFFERS],
        "end": [o[3] for o in OFFERS], "days": [o[4] for o in OFFERS],
    })  # fmt: skip


AIDS = [
    Aid("bike_loan", ("bike",)),
    Aid("transit_pass", ("transit",)),
    Aid("car_loan", ("car",), requires="B"),
]


@pytest.fixture(scope="module")
def diagnosis(town):
    with pytest.warns(rc.ReachableWarning):  # M and C lie far from the walking streets
        return rc.diagnose(town, people(), offers(), aids=AIDS)


def outcome(d, person, scenario):
    rows = d.table[(d.table["person"] == person) & (d.table["scenario"] == scenario)]
    return rows.set_index("offer")


def test_now_only_the_bakery_is_within_a_walk(diagnosis):
    now = outcome(diagnosis, "amina", "now")
    assert now["feasible"].tolist() == [o[0] == "bakery" for o in OFFERS]
    bakery = now.loc["bakery"]
    # 1,200 m at 1 m/s: leave 07:35 to be there at 07:55; leave at 16:05, home at 16:25.
    assert bakery["mode"] == "walk" and bakery["minutes_there"] == pytest.approx(20, abs=1e-3)
    assert bakery["leave"] == pd.Timestamp(f"{MONDAY} 07:35") and bakery["arrive"] == pd.Timestamp(
        f"{MONDAY} 07:55"
    )
    assert bakery["leave_back"] == pd.Timestamp(f"{MONDAY} 16:05")
    assert bakery["arrive_back"] == pd.Timestamp(f"{MONDAY} 16:25")
    assert bakery["daily_minutes"] == pytest.approx(40, abs=1e-3)
    assert (now.drop("bakery")["reason"] == "too_far").all()  # on foot, nothing else is within 25 min


def test_a_trip_by_public_transport_that_is_a_walk_is_shown_as_the_walk(diagnosis):
    # With a pass, the bakery is 20 min on foot by either mode (no bus calls at B): a tie.
    bakery = outcome(diagnosis, "amina", "transit_pass").loc["bakery"]
    assert bakery["mode"] == "walk" and bakery["daily_minutes"] == pytest.approx(40, abs=1e-3)
    school = outcome(diagnosis, "amina", "transit_pass").loc["school"]
    assert school["mode"] == "transit"  # the bus itself wins where it is quicker


def test_each_reason_shows_where_it_applies(diagnosis):
    with_pass = outcome(diagnosis, "amina", "transit_pass")
    assert with_pass.loc["kitchen", "reason"] == "no_transit_then"  # nothing runs before 06:10
    assert with_pass.loc["late", "reason"] == "no_trip_back"  # the 13:00 bus there, none back at 23:05
    assert with_pass.loc["saturday", "reason"] == "no_timetable"  # the network has no Saturday
    assert with_pass.loc["workshop", "reason"] == "too_far"
    car = outcome(diagnosis, "amina", "car_loan")
    assert car.loc["depot", "reason"] == "needs_licence"  # a car would make it; she has no licence
    assert car.loc["kitchen", "reason"] == "too_far"  # no car reaches N: the licence would not help
    assert set(diagnosis.table["reason"]) == {"", *rc.diagnosis.REASONS}


def test_each_aid_opens_exactly_one_offer(diagnosis):
    effects = diagnosis.aid_effects.set_index(["person", "aid"])
    assert effects.loc[("amina", "bike_loan"), "opened_offers"] == "workshop"
    assert effects.loc[("amina", "transit_pass"), "opened_offers"] == "school"
    assert effects.loc[("amina", "car_loan"), "opens"] == 0  # no licence
    assert effects.loc[("bruno", "car_loan"), "opened_offers"] == "depot"
    assert (effects["opens"] == [1, 1, 0, 1, 1, 1]).all()
    summary = diagnosis.summary.set_index("person")
    # Ties on offers opened go to the least commuting over the offers feasible with the aid: the
    # bike (bakery 2 x 6 min, workshop 2 x 22.5 min) before the pass (bakery 40 min on foot, school 36).
    commute = effects["commute_minutes"]
    assert commute[("amina", "bike_loan")] == pytest.approx(57) and commute[("amina", "transit_pass")] == 76
    assert summary.loc["amina", "best_aid"] == "bike_loan" and summary.loc["amina", "feasible_now"] == 1
    assert summary.loc["amina", "feasible_now_offers"] == "bakery"
    caseload = diagnosis.caseload.set_index("aid")
    assert caseload.loc["car_loan", "helps"] == 1 and caseload["offers_opened"].sum() == 5


def test_the_times_are_those_of_shifts_and_of_the_matrix(town, diagnosis):
    school = outcome(diagnosis, "amina", "transit_pass").loc["school"]
    home, work = people().iloc[[0]], offers().iloc[[2]]
    shift = rc.shifts(town, home, work, mode="transit", shifts=[("07:00", "14:00")], date=MONDAY, max_time=25)
    expected = shift.iloc[0]
    assert school["mode"] == "transit"
    for ours, theirs in (("leave", "leave_home"), ("arrive", "arrive_work"), ("leave_back", "leave_work"),
                         ("arrive_back", "arrive_home"), ("minutes_there", "minutes_there"),
                         ("minutes_back", "minutes_back")):  # fmt: skip
        assert school[ours] == expected[theirs], ours
    # By hand: leave at 06:09 for the 06:10 bus (board_slack 60 s), at N 06:25; back on the 14:10.
    assert school["leave"] == pd.Timestamp(f"{MONDAY} 06:09") and school["minutes_there"] == 16
    assert school["arrive_back"] == pd.Timestamp(f"{MONDAY} 14:25") and school["daily_minutes"] == 36
    workshop = outcome(diagnosis, "amina", "bike_loan").loc["workshop"]
    bike = rc.travel_time_matrix(town, home, offers().iloc[[5]], mode="bike", max_time=60)
    assert workshop["mode"] == "bike" and workshop["minutes_there"] == bike["travel_time"].iloc[0]
    assert workshop["minutes_there"] == pytest.approx(22.5, abs=1e-3)  # 4,500 m at 10/3 m/s
    depot = outcome(diagnosis, "bruno", "car_loan").loc["depot"]
    assert depot["mode"] == "car" and depot["minutes_there"] == pytest.approx(round(15000 / (110 / 3.6)) / 60)


def test_offers_on_several_days_need_every_day(town):
    both = offers().iloc[[2]].assign(id="school_sat", days="mon-sat")
    d = rc.diagnose(town, people().iloc[[0]], both, aids=[Aid("transit_pass", ("transit",))])
    row = outcome(d, "amina", "transit_pass").loc["school_sat"]
    # Monday works, Saturday's timetable is not loaded: not feasible, and the note says which day.
    assert not row["feasible"] and row["reason"] == "no_timetable" and row["mode"] == "transit"
    assert row["days"] == "weekday, saturday" and row["note"] == "saturday does not work"


def test_bad_rows_are_listed_together():
    bad_people = people().assign(modes=["walk,car", "horse"], max_commute=[25, -3])
    bad_people.loc[1, "lon"] = np.nan
    with pytest.raises(rc.InvalidPointsError) as error:
        read_people(bad_people)
    message = str(error.value)
    assert "4 problems in people" in message
    for words in (
        "row 0 (id 'amina'): car without its licence",
        "row 1 (id 'bruno'): unknown mode horse",
        "row 1 (id 'bruno'): no home",
        "max_commute must be a positive number, got -3",
    ):
        assert words in message
    bad_offers = offers().assign(
        start=["08:00", "6h", None, "15:00", "07:00", "09:00", "09:00"],
        days=["mon-fri", "mon-fri", "mon-fri", "someday", "sat", "sat", "sun"],
    )
    with pytest.raises(rc.InvalidPointsError) as error:
        read_offers(bad_offers)
    message = str(error.value)
    assert "3 problems in offers" in message and "'6h' is not a clock time" in message
    assert "row 2 (id 'school'): give both start and end" in message and "days 'someday'" in message


def test_offers_without_hours_are_day_jobs():
    read = read_offers(offers().assign(start=None, end=None, days=None).iloc[:1])
    assert (read["start"].iloc[0], read["end"].iloc[0], read["day_job"].iloc[0]) == ("09:00", "17:00", True)
    assert read["days"].iloc[0] == (0, 1, 2, 3, 4)


def test_modes_the_network_lacks_and_options_that_come_from_people(town):
    with pytest.raises(rc.UnknownModeError, match="cannot route moped"):
        rc.diagnose(town, people(), offers(), aids=[Aid("moped_loan", ("moped",))])
    with pytest.raises(rc.InvalidParameterError, match="comes from each person's row"):
        rc.diagnose(town, people(), offers(), aids=[], walk_speed=3)
