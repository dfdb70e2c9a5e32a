"""GTFS reader: tiny hand-made feeds with hand-derived timetables, every failure mode, and POA.

Tiny feeds lie on the meridian 51.2 W from 30 S northwards, where one metre north is
1 / 111,194.93 degrees on the sphere (and close enough on the ellipsoid for ratios).
"""

from __future__ import annotations

import datetime as dt
import math
import warnings
import zipfile
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from reachable.errors import DataFileNotFoundError, GTFSError, InvalidParameterError, ReachableWarning
from reachable.gtfs import Timetable, expand_frequencies, read_gtfs

MONDAY = "2019-05-13"
METRES_PER_DEGREE = 111_194.93
LAT0, LON0 = -30.0, -51.2


def lat(north_m: float) -> str:
    return f"{LAT0 + north_m / METRES_PER_DEGREE:.9f}"


def lon(east_m: float) -> str:
    return f"{LON0 + east_m / (METRES_PER_DEGREE * math.cos(math.radians(-LAT0))):.9f}"


def clock(text: str) -> int:
    hours, minutes, seconds = (int(part) for part in text.split(":"))
    return hours * 3600 + minutes * 60 + seconds


CALENDAR_HEADER = "service_id,monday,tuesday,wednesday,thursday,friday,saturday,sunday,start_date,end_date"

# One bus line calling at S1, S2, S3 (0, 300 and 1000 m north), timed at both ends only.
BASE = {
    "agency.txt": "agency_id,agency_name,agency_url,agency_timezone\nA,Agency,http://a.example,America/Sao_Paulo\n",
    "stops.txt": (
        "stop_id,stop_name,stop_lat,stop_lon\n"
        f"S1,One,{lat(0)},{lon(0)}\nS2,Two,{lat(300)},{lon(0)}\nS3,Three,{lat(1000)},{lon(0)}\n"
    ),
    "routes.txt": "route_id,route_short_name,route_long_name,route_type\nR1,1,Line one,3\n",
    "trips.txt": "route_id,service_id,trip_id\nR1,WEEK,T1\n",
    "stop_times.txt": (
        "trip_id,arrival_time,departure_time,stop_id,stop_sequence\n"
        "T1,10:00:00,10:00:00,S1,1\nT1,,,S2,2\nT1,10:10:00,10:10:00,S3,3\n"
    ),
    "calendar.txt": f"{CALENDAR_HEADER}\nWEEK,1,1,1,1,1,0,0,20190415,20190715\n",
}


def write_feed(folder: Path, name: str, zipped: bool = False, **files: str | None) -> Path:
    """Write BASE with ``files`` replacing (or, when None, removing) its tables.

    Keyword ``stop_times`` stands for ``stop_times.txt`` and so on.
    """
    tables = dict(BASE)
    for key, text in files.items():
        filename = f"{key}.txt"
        if text is None:
            tables.pop(filename, None)
        else:
            tables[filename] = text
    folder.mkdir(parents=True, exist_ok=True)
    if zipped:
        path = folder / f"{name}.zip"
        with zipfile.ZipFile(path, "w") as archive:
            for filename, text in tables.items():
                archive.writestr(filename, text)
        return path
    path = folder / name
    path.mkdir(parents=True)
    for filename, text in tables.items():
        (path / filename).write_text(text)
    return path


def trip_times(timetable: Timetable, trip_id: str) -> tuple[list[int], list[int], list[str]]:
    """Arrivals, departures and stop ids of one trip."""
    (trip,) = np.flatnonzero(timetable.trip_id == trip_id)
    rows = slice(timetable.trip_offsets[trip], timetable.trip_offsets[trip + 1])
    return (
        timetable.stop_time_arrival[rows].tolist(),
        timetable.stop_time_departure[rows].tolist(),
        timetable.stop_id[timetable.stop_time_stop[rows]].tolist(),
    )


def problems_of(*feeds: Path, date: str = MONDAY) -> list[str]:
    with pytest.raises(GTFSError) as caught:
        read_gtfs(list(feeds), date)
    return caught.value.problems


# --------------------------------------------------------------------------- reading


@pytest.mark.parametrize("zipped", [False, True])
def test_base_feed_as_folder_and_zip(tmp_path, zipped):
    feed = write_feed(tmp_path, "base", zipped=zipped)
    timetable = read_gtfs(feed, MONDAY)
    assert timetable.stop_id.tolist() == ["base:S1", "base:S2", "base:S3"]
    assert timetable.stop_name.tolist() == ["One", "Two", "Three"]
    assert timetable.stop_parent.tolist() == ["", "", ""]
    assert timetable.route_id.tolist() == ["base:R1"]
    assert timetable.route_short_name.tolist() == ["1"]
    assert timetable.route_type.tolist() == [3]
    assert timetable.trip_id.tolist() == ["base:T1"]
    assert timetable.trip_route.tolist() == [0]
    assert timetable.trip_shape.tolist() == [""]
    assert timetable.trip_offsets.tolist() == [0, 3]
    assert timetable.stop_time_stop.tolist() == [0, 1, 2]
    assert timetable.scheduled.tolist() == [True]
    assert len(timetable.frequency_trip) == len(timetable.transfer_from) == 0
    assert timetable.feeds == (
        {"name": "base", "path": str(feed), "start_date": "2019-04-15", "end_date": "2019-07-15"},
    )
    assert timetable.stop_time_arrival.dtype == np.int64
    assert timetable.stop_lat.dtype == np.float64


def test_zip_holding_a_folder(tmp_path):
    path = tmp_path / "feed_in_subfolder.zip"
    with zipfile.ZipFile(path, "w") as archive:
        for filename, text in BASE.items():
            archive.writestr(f"gtfs/{filename}", text)
    assert read_gtfs(path, MONDAY).trip_id.tolist() == ["feed_in_subfolder:T1"]


@pytest.mark.parametrize("date", [MONDAY, dt.date(2019, 5, 13), dt.datetime(2019, 5, 13, 8, 30)])
def test_date_forms(tmp_path, date):
    assert read_gtfs(write_feed(tmp_path, "base"), date).n_trips == 1


@pytest.mark.parametrize("date", ["2019-5-13", "13/05/2019", "20190513", "2019-02-30", 20190513, None])
def test_bad_date_is_invalid_parameter(tmp_path, date):
    with pytest.raises(InvalidParameterError):
        read_gtfs(write_feed(tmp_path, "base"), date)


@pytest.mark.parametrize("feeds", [[], 42, {"bad:name": "x"}, {"": "x"}, [42]])
def test_bad_feeds_argument_is_invalid_parameter(feeds):
    with pytest.raises(InvalidParameterError):
        read_gtfs(feeds, MONDAY)


def test_header_names_and_values_with_spaces(tmp_path):
    # Trensurb's agency.txt reads "agency_id, agency_name,...".
    feed = write_feed(
        tmp_path,
        "feed_with_spaces",
        stop_times=(
            "trip_id, arrival_time, departure_time, stop_id, stop_sequence\r\n"
            "T1, 10:00:00, 10:00:00,S1,1\r\nT1,,,S2, 2\r\nT1,10:10:00 ,10:10:00 ,S3,3"
        ),
    )
    assert trip_times(read_gtfs(feed, MONDAY), "feed_with_spaces:T1")[0] == [
        clock("10:00:00"),
        clock("10:03:00"),
        clock("10:10:00"),
    ]


# --------------------------------------------------------------------------- times


def test_interpolation_along_straight_lines(tmp_path):
    # 0, 300 and 1000 m apart, 10:00 -> 10:10: the middle stop is 3/10 of the way.
    timetable = read_gtfs(write_feed(tmp_path, "feed_without_shapes"), MONDAY)
    arrival, departure, _ = trip_times(timetable, "feed_without_shapes:T1")
    assert arrival == departure == [clock("10:00:00"), clock("10:03:00"), clock("10:10:00")]


def test_interpolation_by_shape_dist_traveled(tmp_path):
    # S2 is 500 m north (straight lines would say 10:05) but 300 of 1000 along the trip.
    feed = write_feed(
        tmp_path,
        "feed_with_shape_dist",
        stops=(
            "stop_id,stop_name,stop_lat,stop_lon\n"
            f"S1,One,{lat(0)},{lon(0)}\nS2,Two,{lat(500)},{lon(0)}\nS3,Three,{lat(1000)},{lon(0)}\n"
        ),
        stop_times=(
            "trip_id,arrival_time,departure_time,stop_id,stop_sequence,shape_dist_traveled\n"
            "T1,10:00:00,10:00:00,S1,1,0\nT1,,,S2,2,0.3\nT1,10:10:00,10:10:00,S3,3,1.0\n"
        ),
    )
    arrival, _, _ = trip_times(read_gtfs(feed, MONDAY), "feed_with_shape_dist:T1")
    assert arrival[1] == clock("10:03:00")


def shape_feed(tmp_path: Path, name: str, points: list[tuple[float, float]]) -> Path:
    shapes = "shape_id,shape_pt_lat,shape_pt_lon,shape_pt_sequence\n" + "".join(
        f"SH,{lat(north)},{lon(east)},{sequence}\n" for sequence, (east, north) in enumerate(points, start=1)
    )
    return write_feed(
        tmp_path, name, shapes=shapes, trips="route_id,service_id,trip_id,shape_id\nR1,WEEK,T1,SH\n"
    )


def test_interpolation_along_a_straight_shape(tmp_path):
    feed = shape_feed(tmp_path, "feed_with_straight_shape", [(0, -200), (0, 1000)])
    timetable = read_gtfs(feed, MONDAY)
    assert trip_times(timetable, "feed_with_straight_shape:T1")[0][1] == clock("10:03:00")
    assert timetable.trip_shape.tolist() == ["feed_with_straight_shape:SH"]


def test_interpolation_along_a_detour_shape(tmp_path):
    # The bus goes 300 m north to S2, 400 m east, 700 m north and 400 m back west to S3:
    # S2 is 300 of 1800 m along, so 600 s * 1/6 = 100 s after 10:00 (straight lines: 180 s).
    feed = shape_feed(
        tmp_path, "feed_with_detour_shape", [(0, 0), (0, 300), (400, 300), (400, 1000), (0, 1000)]
    )
    assert trip_times(read_gtfs(feed, MONDAY), "feed_with_detour_shape:T1")[0][1] == clock("10:01:40")


def test_shape_projecting_backwards_falls_back_to_straight_lines(tmp_path):
    # Drawn from S3 to S1: positions along it decrease, so the shape is not trusted.
    feed = shape_feed(tmp_path, "feed_with_reversed_shape", [(0, 1000), (300, 600), (0, 0)])
    assert trip_times(read_gtfs(feed, MONDAY), "feed_with_reversed_shape:T1")[0][1] == clock("10:03:00")


def test_one_of_arrival_and_departure_copies_the_other(tmp_path):
    feed = write_feed(
        tmp_path,
        "feed_with_half_times",
        stop_times=(
            "trip_id,arrival_time,departure_time,stop_id,stop_sequence\n"
            "T1,,10:00:00,S1,1\nT1,10:04:00,,S2,2\nT1,10:10:00,,S3,3\n"
        ),
    )
    arrival, departure, _ = trip_times(read_gtfs(feed, MONDAY), "feed_with_half_times:T1")
    assert arrival == departure == [clock("10:00:00"), clock("10:04:00"), clock("10:10:00")]


def test_stop_times_sorted_by_stop_sequence(tmp_path):
    feed = write_feed(
        tmp_path,
        "feed_with_shuffled_rows",
        stop_times=(
            "trip_id,arrival_time,departure_time,stop_id,stop_sequence\n"
            "T1,10:10:00,10:10:00,S3,30\nT1,10:00:00,10:01:00,S1,5\nT1,,,S2,12\n"
        ),
    )
    arrival, departure, stops = trip_times(read_gtfs(feed, MONDAY), "feed_with_shuffled_rows:T1")
    assert stops == ["feed_with_shuffled_rows:S1", "feed_with_shuffled_rows:S2", "feed_with_shuffled_rows:S3"]
    # 10:01 -> 10:10 over 1000 m: S2 at 10:01 + 0.3 * 540 s = 10:03:42.
    assert arrival == [clock("10:00:00"), clock("10:03:42"), clock("10:10:00")]
    assert departure[0] == clock("10:01:00")


def test_times_past_midnight(tmp_path):
    feed = write_feed(
        tmp_path,
        "feed_past_midnight",
        stop_times=(
            "trip_id,arrival_time,departure_time,stop_id,stop_sequence\n"
            "T1,23:55:00,23:55:00,S1,1\nT1,24:30:00,24:31:00,S2,2\nT1,25:10:00,25:10:00,S3,3\n"
        ),
    )
    arrival, departure, _ = trip_times(read_gtfs(feed, MONDAY), "feed_past_midnight:T1")
    assert arrival == [86100, 88200, 90600]
    assert departure == [86100, 88260, 90600]


def test_previous_day_trips_running_past_midnight(tmp_path):
    # SUN runs on Sunday 12 May; on Monday only its trip still running after 24:00 matters.
    feed = write_feed(
        tmp_path,
        "feed_with_night_buses",
        calendar=(
            f"{CALENDAR_HEADER}\nWEEK,1,1,1,1,1,0,0,20190415,20190715\nSUN,0,0,0,0,0,0,1,20190415,20190715\n"
        ),
        trips="route_id,service_id,trip_id\nR1,WEEK,T1\nR1,SUN,LATE\nR1,SUN,EVENING\nR1,WEEK,NIGHT\n",
        stop_times=(
            "trip_id,arrival_time,departure_time,stop_id,stop_sequence\n"
            "T1,10:00:00,10:00:00,S1,1\nT1,10:10:00,10:10:00,S3,2\n"
            "LATE,23:50:00,23:50:00,S1,1\nLATE,25:30:00,25:30:00,S3,2\n"
            "EVENING,22:00:00,22:00:00,S1,1\nEVENING,23:59:59,23:59:59,S3,2\n"
            "NIGHT,23:40:00,23:40:00,S1,1\nNIGHT,24:20:00,24:20:00,S3,2\n"
        ),
    )
    timetable = read_gtfs(feed, MONDAY)
    name = "feed_with_night_buses"
    # Query-date trips first, then the previous day's, each in trips.txt order.
    assert timetable.trip_id.tolist() == [f"{name}:T1", f"{name}:NIGHT", f"{name}:LATE@previous-day"]
    arrival, _, _ = trip_times(timetable, f"{name}:LATE@previous-day")
    assert arrival == [clock("23:50:00") - 86400, clock("01:30:00")]
    # On Tuesday, Monday's NIGHT is the one still running.
    tuesday = read_gtfs(feed, "2019-05-14")
    assert tuesday.trip_id.tolist() == [f"{name}:T1", f"{name}:NIGHT", f"{name}:NIGHT@previous-day"]
    assert trip_times(tuesday, f"{name}:NIGHT@previous-day")[0] == [
        clock("23:40:00") - 86400,
        clock("00:20:00"),
    ]


def test_calendar_dates_add_and_remove_days(tmp_path):
    feed = write_feed(
        tmp_path,
        "feed_with_exceptions",
        trips="route_id,service_id,trip_id\nR1,WEEK,T1\nR1,HOLIDAY,T2\n",
        stop_times=(
            "trip_id,arrival_time,departure_time,stop_id,stop_sequence\n"
            "T1,10:00:00,10:00:00,S1,1\nT1,10:10:00,10:10:00,S3,2\n"
            "T2,11:00:00,11:00:00,S1,1\nT2,11:10:00,11:10:00,S3,2\n"
        ),
        calendar_dates="service_id,date,exception_type\nWEEK,20190513,2\nHOLIDAY,20190513,1\nHOLIDAY,20190520,1\n",
    )
    assert read_gtfs(feed, MONDAY).trip_id.tolist() == ["feed_with_exceptions:T2"]
    assert read_gtfs(feed, "2019-05-14").trip_id.tolist() == ["feed_with_exceptions:T1"]
    assert read_gtfs(feed, "2019-05-20").trip_id.tolist() == [
        "feed_with_exceptions:T1",
        "feed_with_exceptions:T2",
    ]


def test_calendar_dates_alone(tmp_path):
    feed = write_feed(
        tmp_path,
        "feed_with_calendar_dates_only",
        calendar=None,
        calendar_dates="service_id,date,exception_type\nWEEK,20190513,1\n",
    )
    timetable = read_gtfs(feed, MONDAY)
    assert timetable.n_trips == 1
    assert timetable.feeds[0]["start_date"] == timetable.feeds[0]["end_date"] == MONDAY


def test_date_without_service_warns_with_the_valid_range(tmp_path):
    feed = write_feed(tmp_path, "feed_of_spring_2019")
    with pytest.warns(ReachableWarning, match=r"feed_of_spring_2019.*2019-04-15 to 2019-07-15"):
        timetable = read_gtfs(feed, "2020-01-06")
    assert timetable.n_trips == 0
    assert timetable.trip_offsets.tolist() == [0]
    assert timetable.n_stops == 3


def test_no_warning_when_there_is_service(tmp_path):
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        read_gtfs(write_feed(tmp_path, "base"), MONDAY)


# --------------------------------------------------------------------------- several feeds


def test_two_feeds_with_clashing_ids(tmp_path):
    bus = write_feed(tmp_path, "bus")
    metro = write_feed(
        tmp_path,
        "metro",
        stops=(
            "stop_id,stop_name,stop_lat,stop_lon\n"
            f"S9,Nine,{lat(0)},{lon(50)}\nS1,Metro one,{lat(5)},{lon(60)}\n"
        ),
        stop_times=(
            "trip_id,arrival_time,departure_time,stop_id,stop_sequence\n"
            "T1,08:00:00,08:00:00,S1,1\nT1,08:05:00,08:05:00,S9,2\n"
        ),
    )
    timetable = read_gtfs([bus, metro], MONDAY)
    assert timetable.stop_id.tolist() == ["bus:S1", "bus:S2", "bus:S3", "metro:S9", "metro:S1"]
    assert timetable.route_id.tolist() == ["bus:R1", "metro:R1"]
    assert timetable.trip_id.tolist() == ["bus:T1", "metro:T1"]
    assert timetable.trip_route.tolist() == [0, 1]
    assert timetable.trip_offsets.tolist() == [0, 3, 5]
    assert trip_times(timetable, "metro:T1")[2] == ["metro:S1", "metro:S9"]
    assert [feed["name"] for feed in timetable.feeds] == ["bus", "metro"]


def test_feed_names_from_stems_and_dict(tmp_path):
    first = write_feed(tmp_path / "a", "city", zipped=True)
    second = write_feed(tmp_path / "b", "city")
    timetable = read_gtfs([first, second], MONDAY)
    assert timetable.trip_id.tolist() == ["city:T1", "city_2:T1"]
    named = read_gtfs({"bus": first, "other": second}, MONDAY)
    assert named.trip_id.tolist() == ["bus:T1", "other:T1"]


# --------------------------------------------------------------------------- frequencies


def test_exact_times_frequencies_become_trips(tmp_path):
    feed = write_feed(
        tmp_path,
        "feed_with_exact_frequencies",
        trips="route_id,service_id,trip_id\nR1,WEEK,T1\nR1,WEEK,F\n",
        stop_times=BASE["stop_times.txt"]
        + "F,06:00:00,06:00:00,S1,1\nF,06:04:00,06:05:00,S2,2\nF,06:10:00,06:10:00,S3,3\n",
        frequencies="trip_id,start_time,end_time,headway_secs,exact_times\nF,07:00:00,08:00:00,900,1\n",
    )
    timetable = read_gtfs(feed, MONDAY)
    name = "feed_with_exact_frequencies"
    starts = [clock("07:00:00") + k * 900 for k in range(4)]  # 07:00, 07:15, 07:30, 07:45 (< 08:00)
    assert timetable.trip_id.tolist() == [f"{name}:T1"] + [f"{name}:F#{start}" for start in starts]
    assert timetable.scheduled.all()
    assert len(timetable.frequency_trip) == 0
    arrival, departure, _ = trip_times(timetable, f"{name}:F#{clock('07:15:00')}")
    assert arrival == [clock("07:15:00"), clock("07:19:00"), clock("07:25:00")]
    assert departure == [clock("07:15:00"), clock("07:20:00"), clock("07:25:00")]


def frequency_feed(tmp_path: Path) -> Path:
    return write_feed(
        tmp_path,
        "feed_with_headways",
        trips="route_id,service_id,trip_id\nR1,WEEK,T1\nR1,WEEK,F\n",
        stop_times=BASE["stop_times.txt"] + "F,06:00:00,06:00:00,S1,1\nF,06:10:00,06:10:00,S3,2\n",
        frequencies=(
            "trip_id,start_time,end_time,headway_secs\n"
            "F,09:00:00,09:30:00,600\nF,07:00:00,08:00:00,1200\n"  # not in time order on purpose
        ),
    )


def test_inexact_frequencies_keep_a_template(tmp_path):
    timetable = read_gtfs(frequency_feed(tmp_path), MONDAY)
    assert timetable.trip_id.tolist() == ["feed_with_headways:T1", "feed_with_headways:F"]
    assert timetable.scheduled.tolist() == [True, False]
    # The template holds the run leaving at the start of its first window (07:00).
    assert trip_times(timetable, "feed_with_headways:F")[0] == [clock("07:00:00"), clock("07:10:00")]
    assert timetable.frequency_trip.tolist() == [1, 1]
    assert timetable.frequency_start.tolist() == [clock("07:00:00"), clock("09:00:00")]
    assert timetable.frequency_end.tolist() == [clock("08:00:00"), clock("09:30:00")]
    assert timetable.frequency_headway.tolist() == [1200, 600]


def test_expand_frequencies_with_a_phase(tmp_path):
    timetable = read_gtfs(frequency_feed(tmp_path), MONDAY)
    expanded = expand_frequencies(timetable, np.array([300, 0]))
    # 07:05, 07:25, 07:45 in the first window; 09:00, 09:10, 09:20 in the second.
    starts = [
        clock(text) for text in ("07:05:00", "07:25:00", "07:45:00", "09:00:00", "09:10:00", "09:20:00")
    ]
    assert expanded.trip_id.tolist() == ["feed_with_headways:T1"] + [
        f"feed_with_headways:F#{s}" for s in starts
    ]
    assert expanded.scheduled.all()
    assert len(expanded.frequency_trip) == len(expanded.frequency_headway) == 0
    assert trip_times(expanded, f"feed_with_headways:F#{starts[1]}")[0] == [starts[1], starts[1] + 600]
    assert trip_times(expanded, "feed_with_headways:T1") == trip_times(timetable, "feed_with_headways:T1")
    assert expanded.trip_offsets.tolist() == [0, 3, 5, 7, 9, 11, 13, 15]
    assert expanded.stop_id is timetable.stop_id
    assert expanded.feeds == timetable.feeds


def test_expand_frequencies_checks_the_phase(tmp_path):
    timetable = read_gtfs(frequency_feed(tmp_path), MONDAY)
    for phase in ([0], [0, 600], [-1, 0], [0.5, 0]):
        with pytest.raises(InvalidParameterError):
            expand_frequencies(timetable, np.array(phase))


def night_frequency_feed(tmp_path: Path, exact: int) -> Path:
    # Sunday night service every 30 min from 23:00 to 25:00, each run taking 20 min.
    return write_feed(
        tmp_path,
        f"feed_with_night_headways_{exact}",
        calendar=f"{CALENDAR_HEADER}\nSUN,0,0,0,0,0,0,1,20190415,20190715\n",
        trips="route_id,service_id,trip_id\nR1,SUN,F\n",
        stop_times=(
            "trip_id,arrival_time,departure_time,stop_id,stop_sequence\n"
            "F,00:00:00,00:00:00,S1,1\nF,00:20:00,00:20:00,S3,2\n"
        ),
        frequencies=f"trip_id,start_time,end_time,headway_secs,exact_times\nF,23:00:00,25:00:00,1800,{exact}\n",
    )


def test_previous_day_exact_frequencies(tmp_path):
    with pytest.warns(ReachableWarning, match="no service is scheduled on 2019-05-13"):
        timetable = read_gtfs(night_frequency_feed(tmp_path, exact=1), MONDAY)
    # Runs leave at 23:00, 23:30, 24:00 and 24:30; only the last two are still running after midnight.
    name = "feed_with_night_headways_1"
    assert timetable.trip_id.tolist() == [f"{name}:F#86400@previous-day", f"{name}:F#88200@previous-day"]
    assert timetable.stop_time_arrival.tolist() == [0, 1200, 1800, 3000]


def test_previous_day_inexact_frequencies(tmp_path):
    with pytest.warns(ReachableWarning, match="no service is scheduled on 2019-05-13"):
        timetable = read_gtfs(night_frequency_feed(tmp_path, exact=0), MONDAY)
    name = "feed_with_night_headways_0"
    assert timetable.trip_id.tolist() == [f"{name}:F@previous-day"]
    assert timetable.scheduled.tolist() == [False]
    assert timetable.frequency_start.tolist() == [-3600]
    assert timetable.frequency_end.tolist() == [3600]
    assert timetable.stop_time_arrival.tolist() == [-3600, -2400]
    expanded = expand_frequencies(timetable, np.array([600]))
    # Ids keep the previous day's clock, as when the reader expands exact times.
    assert expanded.trip_id.tolist() == [
        f"{name}:F#{second}@previous-day" for second in (83400, 85200, 87000, 88800)
    ]
    assert expanded.stop_time_departure.tolist() == [-3000, -1800, -1200, 0, 600, 1800, 2400, 3600]


# --------------------------------------------------------------------------- transfers and stations


STATION_STOPS = (
    "stop_id,stop_name,stop_lat,stop_lon,location_type,parent_station\n"
    f"ST,Station,{lat(0)},{lon(0)},1,\n"
    f"S1,One,{lat(0)},{lon(0)},0,ST\n"
    f"S2,Two,{lat(300)},{lon(0)},,ST\n"
    f"S3,Three,{lat(1000)},{lon(0)},0,\n"
)


def test_parent_stations(tmp_path):
    timetable = read_gtfs(write_feed(tmp_path, "feed_with_station", stops=STATION_STOPS), MONDAY)
    assert timetable.stop_id.tolist() == [
        "feed_with_station:S1",
        "feed_with_station:S2",
        "feed_with_station:S3",
    ]
    assert timetable.stop_parent.tolist() == ["feed_with_station:ST", "feed_with_station:ST", ""]


def test_transfers(tmp_path):
    feed = write_feed(
        tmp_path,
        "feed_with_transfers",
        stops=STATION_STOPS,
        transfers=(
            "from_stop_id,to_stop_id,transfer_type,min_transfer_time\n"
            "S1,S2,2,120\n"  # kept
            "S2,S1,1,\n"  # timed transfer: not a minimum time
            "S2,S3,2,\n"  # no time given
            "ST,S3,2,60\n"  # a station stands for S1 and S2 ...
            "S1,S3,2,30\n"  # ... but S1 -> S3 has its own row
        ),
    )
    timetable = read_gtfs(feed, MONDAY)
    transfers = {
        (timetable.stop_id[a].split(":")[1], timetable.stop_id[b].split(":")[1], int(t))
        for a, b, t in zip(
            timetable.transfer_from, timetable.transfer_to, timetable.transfer_min_time, strict=True
        )
    }
    assert transfers == {("S1", "S2", 120), ("S2", "S3", 60), ("S1", "S3", 30)}


# --------------------------------------------------------------------------- failure modes


def test_missing_feed_path(tmp_path):
    with pytest.raises(DataFileNotFoundError, match=r"nowhere\.zip"):
        read_gtfs([write_feed(tmp_path, "base"), tmp_path / "nowhere.zip"], MONDAY)


def test_file_that_is_not_a_zip(tmp_path):
    path = tmp_path / "feed_not_a_zip.zip"
    path.write_text("stop_id,stop_name\n")
    (problem,) = problems_of(path)
    assert problem.startswith("feed_not_a_zip: ") and "zip" in problem


def test_empty_file(tmp_path):
    path = tmp_path / "feed_empty.zip"
    path.write_bytes(b"")
    (problem,) = problems_of(path)
    assert problem.startswith("feed_empty: ")


def test_missing_required_file(tmp_path):
    feed = write_feed(tmp_path, "feed_without_stop_times", stop_times=None)
    assert problems_of(feed) == ["feed_without_stop_times/stop_times.txt: required file is missing"]


def test_missing_calendars(tmp_path):
    (problem,) = problems_of(write_feed(tmp_path, "feed_without_calendars", calendar=None))
    assert problem.startswith("feed_without_calendars: ") and "calendar.txt or calendar_dates.txt" in problem


def test_missing_required_column(tmp_path):
    feed = write_feed(
        tmp_path,
        "feed_without_stop_id_column",
        stop_times="trip_id,arrival_time,departure_time,stop_sequence\nT1,10:00:00,10:00:00,1\n",
    )
    assert problems_of(feed) == [
        "feed_without_stop_id_column/stop_times.txt line 1: required column 'stop_id' is missing"
    ]


def test_bad_time_format(tmp_path):
    feed = write_feed(
        tmp_path,
        "feed_with_bad_time",
        stop_times=(
            "trip_id,arrival_time,departure_time,stop_id,stop_sequence\n"
            "T1,10:00:00,10:00:00,S1,1\nT1,,,S2,2\nT1,25:7x:00,25:7x:00,S3,3\n"
        ),
    )
    problems = problems_of(feed)
    assert "feed_with_bad_time/stop_times.txt line 4: departure_time '25:7x:00' is not HH:MM:SS" in problems
    assert "feed_with_bad_time/stop_times.txt line 4: arrival_time '25:7x:00' is not HH:MM:SS" in problems


def test_unknown_stop(tmp_path):
    feed = write_feed(
        tmp_path,
        "feed_with_unknown_stop",
        stop_times=BASE["stop_times.txt"].replace("S2", "S7"),
    )
    assert problems_of(feed) == [
        "feed_with_unknown_stop/stop_times.txt line 3: stop_id 'S7' is not in stops.txt"
    ]


def test_stop_time_at_a_station(tmp_path):
    feed = write_feed(
        tmp_path,
        "feed_calling_at_station",
        stops=STATION_STOPS,
        stop_times=BASE["stop_times.txt"].replace("S2", "ST"),
    )
    (problem,) = problems_of(feed)
    assert problem.startswith("feed_calling_at_station/stop_times.txt line 3: stop_id 'ST' is a station")


def test_unknown_trip(tmp_path):
    feed = write_feed(
        tmp_path,
        "feed_with_unknown_trip",
        stop_times=BASE["stop_times.txt"] + "T9,11:00:00,11:00:00,S1,1\n",
    )
    assert problems_of(feed) == [
        "feed_with_unknown_trip/stop_times.txt line 5: trip_id 'T9' is not in trips.txt"
    ]


def test_unknown_route(tmp_path):
    feed = write_feed(tmp_path, "feed_with_unknown_route", trips="route_id,service_id,trip_id\nR5,WEEK,T1\n")
    assert problems_of(feed) == [
        "feed_with_unknown_route/trips.txt line 2: route_id 'R5' is not in routes.txt"
    ]


def test_stop_without_coordinates(tmp_path):
    feed = write_feed(
        tmp_path,
        "feed_with_bad_coordinates",
        stops=(
            "stop_id,stop_name,stop_lat,stop_lon\n"
            f"S1,One,,{lon(0)}\nS2,Two,{lat(300)},{lon(0)}\nS3,Three,-95.0,{lon(0)}\n"
        ),
    )
    assert problems_of(feed) == [
        "feed_with_bad_coordinates/stops.txt line 2: stop_lat '' is not a latitude in [-90, 90] degrees",
        "feed_with_bad_coordinates/stops.txt line 4: stop_lat '-95.0' is not a latitude in [-90, 90] degrees",
    ]


def test_bad_calendar_date(tmp_path):
    feed = write_feed(
        tmp_path,
        "feed_with_bad_calendar_date",
        calendar=f"{CALENDAR_HEADER}\nWEEK,1,1,1,1,1,0,0,2019-04-15,20190230\n",
    )
    assert problems_of(feed) == [
        "feed_with_bad_calendar_date/calendar.txt line 2: start_date '2019-04-15' is not a YYYYMMDD date",
        "feed_with_bad_calendar_date/calendar.txt line 2: end_date '20190230' is not a YYYYMMDD date",
    ]


def test_bad_frequencies(tmp_path):
    feed = write_feed(
        tmp_path,
        "feed_with_bad_frequencies",
        frequencies=(
            "trip_id,start_time,end_time,headway_secs\n"
            "T1,07:00:00,7h30,600\n"
            "T1,08:00:00,09:00:00,0\n"
            "T1,10:00:00,09:00:00,-60\n"
        ),
    )
    where = "feed_with_bad_frequencies/frequencies.txt"
    assert problems_of(feed) == [
        f"{where} line 2: end_time '7h30' is not HH:MM:SS",
        f"{where} line 4: end_time '09:00:00' is not after start_time '10:00:00'",
        f"{where} line 3: headway_secs '0' is not a positive whole number of seconds",
        f"{where} line 4: headway_secs '-60' is not a positive whole number of seconds",
    ]


def test_trip_going_back_in_time(tmp_path):
    feed = write_feed(
        tmp_path,
        "feed_with_time_travel",
        stop_times=(
            "trip_id,arrival_time,departure_time,stop_id,stop_sequence\n"
            "T1,10:00:00,10:05:00,S1,1\nT1,10:04:00,10:03:00,S2,2\nT1,10:10:00,10:10:00,S3,3\n"
        ),
    )
    problems = problems_of(feed)
    assert len(problems) == 2
    where = "feed_with_time_travel/stop_times.txt line 3"
    assert problems[0] == f"{where}: departure_time 10:03:00 is before arrival_time 10:04:00"
    assert problems[1].startswith(f"{where}: trip 'T1' goes back in time")


def test_trip_with_a_single_stop_time(tmp_path):
    feed = write_feed(
        tmp_path,
        "feed_with_lonely_trip",
        trips="route_id,service_id,trip_id\nR1,WEEK,T1\nR1,WEEK,T2\nR1,WEEK,T3\n",
        stop_times=BASE["stop_times.txt"] + "T2,11:00:00,11:00:00,S1,1\n",
    )
    assert problems_of(feed) == [
        "feed_with_lonely_trip/trips.txt line 3: trip 'T2' has 1 stop time(s) in stop_times.txt; "
        "a trip needs at least 2",
        "feed_with_lonely_trip/trips.txt line 4: trip 'T3' has 0 stop time(s) in stop_times.txt; "
        "a trip needs at least 2",
    ]


def test_trip_ending_without_a_time(tmp_path):
    feed = write_feed(
        tmp_path,
        "feed_with_open_end",
        stop_times=(
            "trip_id,arrival_time,departure_time,stop_id,stop_sequence\n"
            "T1,10:00:00,10:00:00,S1,1\nT1,10:03:00,10:03:00,S2,2\nT1,,,S3,3\n"
        ),
    )
    (problem,) = problems_of(feed)
    assert problem.startswith("feed_with_open_end/stop_times.txt line 4: trip 'T1' ends without a time")


def test_all_problems_of_all_feeds_are_listed(tmp_path):
    broken = write_feed(
        tmp_path,
        "feed_with_many_problems",
        stops=f"stop_id,stop_name,stop_lat,stop_lon\nS1,One,{lat(0)},{lon(0)}\nS2,Two,{lat(300)},500\n"
        f"S3,Three,{lat(1000)},{lon(0)}\n",
        trips="route_id,service_id,trip_id\nR1,WEEK,T1\nR2,WEEK,T2\n",
        stop_times=(
            "trip_id,arrival_time,departure_time,stop_id,stop_sequence\n"
            "T1,10:00:00,10:00:00,S1,1\nT1,,,S4,2\nT1,10:1:00,10:10:00,S3,3\n"
            "T2,11:00:00,11:00:00,S1,1\nT2,11:10:00,11:10:00,S3,two\n"
        ),
        calendar=f"{CALENDAR_HEADER}\nWEEK,1,1,1,1,1,0,0,20190415,2019-07-15\n",
    )
    other = write_feed(tmp_path, "feed_without_routes", routes=None)
    problems = problems_of(broken, other)
    expected = [
        "feed_with_many_problems/stops.txt line 3: stop_lon '500' is not a longitude in [-180, 180] degrees",
        "feed_with_many_problems/trips.txt line 3: route_id 'R2' is not in routes.txt",
        "feed_with_many_problems/calendar.txt line 2: end_date '2019-07-15' is not a YYYYMMDD date",
        "feed_with_many_problems/stop_times.txt line 3: stop_id 'S4' is not in stops.txt",
        "feed_with_many_problems/stop_times.txt line 6: stop_sequence 'two' is not a non-negative integer",
        "feed_with_many_problems/stop_times.txt line 4: arrival_time '10:1:00' is not HH:MM:SS",
        "feed_without_routes/routes.txt: required file is missing",
    ]
    assert sorted(problems) == sorted(expected)
    with pytest.raises(ValueError, match="7 problem"):  # GTFSError is also a ValueError
        read_gtfs([broken, other], MONDAY)


def test_problems_are_capped(tmp_path):
    rows = "".join(f"T1,{hour}h,{hour}h,S1,{hour}\n" for hour in range(60))
    feed = write_feed(
        tmp_path,
        "feed_with_sixty_bad_times",
        stop_times="trip_id,arrival_time,departure_time,stop_id,stop_sequence\n" + rows,
    )
    problems = problems_of(feed)
    assert len(problems) == 51
    assert problems[0] == "feed_with_sixty_bad_times/stop_times.txt line 2: arrival_time '0h' is not HH:MM:SS"
    assert problems[-1] == "... and 70 more problems"


# --------------------------------------------------------------------------- Porto Alegre


@pytest.fixture(scope="module")
def poa_timetable(poa):
    return read_gtfs(list(poa.gtfs), MONDAY)


def test_poa_feeds_load(poa_timetable):
    timetable = poa_timetable
    assert [feed["name"] for feed in timetable.feeds] == ["poa_eptc", "poa_trensurb"]
    for name in ("poa_eptc", "poa_trensurb"):
        assert np.char.startswith(timetable.trip_id, f"{name}:").sum() > 0
    assert timetable.n_stops == len(np.unique(timetable.stop_id))
    assert len(np.unique(timetable.trip_id)) == timetable.n_trips
    assert timetable.trip_offsets[-1] == len(timetable.stop_time_stop)


def test_poa_times_are_complete_and_never_go_back(poa_timetable):
    timetable = poa_timetable
    arrival, departure = timetable.stop_time_arrival, timetable.stop_time_departure
    assert (arrival >= 0).all() and (departure >= arrival).all()
    opens_trip = np.zeros(len(arrival), dtype=bool)
    opens_trip[timetable.trip_offsets[:-1]] = True
    assert (arrival[1:][~opens_trip[1:]] >= departure[:-1][~opens_trip[1:]]).all()
    assert (np.diff(timetable.trip_offsets) >= 2).all()


def test_poa_interpolated_times_lie_between_timed_stops(poa, poa_timetable):
    eptc = next(path for path in poa.gtfs if "eptc" in path.name)
    with zipfile.ZipFile(eptc) as archive, archive.open("stop_times.txt") as file:
        raw = pd.read_csv(file, dtype=str, keep_default_na=False)
    trip_id = raw.trip_id[raw.arrival_time == ""].iloc[0]
    rows = raw[raw.trip_id == trip_id].sort_values("stop_sequence", key=lambda s: s.astype(int))
    empty = (rows.arrival_time == "").to_numpy()
    arrival, _, stops = trip_times(poa_timetable, f"poa_eptc:{trip_id}")
    assert stops == [f"poa_eptc:{stop}" for stop in rows.stop_id]
    timed = np.flatnonzero(~empty)
    for gap in np.flatnonzero(empty):
        before, after = timed[timed < gap].max(), timed[timed > gap].min()
        assert arrival[before] <= arrival[gap] <= arrival[after]
    assert arrival == sorted(arrival)
    assert arrival[timed[0]] == clock(rows.departure_time.iloc[timed[0]])


def test_times_parsed_from_the_bytes_of_each_value():
    """``H:MM:SS`` and ``HH:MM:SS`` (hours past 24 too) to seconds, whatever the strings'
    storage (Arrow, a slice of it, Python objects); anything else is bad, empty is not."""
    from reachable.gtfs.files import parse_times

    cases = {
        "08:00:00": 8 * 3600, "8:00:00": 8 * 3600, " 7:05:09 ": 7 * 3600 + 5 * 60 + 9,
        "\t25:59:59": 25 * 3600 + 59 * 60 + 59, "0:00:00": 0, "99:59:59": 99 * 3600 + 59 * 60 + 59,
        "": -1, "  ": -1,
    }  # fmt: skip
    bad = ["24:60:00", "12:00", "ab:cd:ef", "1:2:3", "08:00:000", "é8:00:0", "08:00:0é", "08.00.00",
           "-1:00:00", "8:0a:00", "07:59:60", "7:5:009"]  # fmt: skip
    values = list(cases) + bad
    want = np.array(list(cases.values()) + [-1] * len(bad))
    want_bad = np.array([False] * len(cases) + [True] * len(bad))
    arrow = pd.Series(["x"] * 3 + values, dtype="str").iloc[3:]  # a slice: its buffer starts further on
    for series in (arrow, pd.Series(values, dtype=object)):
        seconds, is_bad = parse_times(series)
        np.testing.assert_array_equal(seconds, want)
        np.testing.assert_array_equal(is_bad, want_bad)


READ_AS_PANDAS = [
    b"a,b\nx,y\n", b"a,b\r\nx,y\r\n", b"a,b\rx,y\r", b"a,b\nx,y", b"a,b\n", b"a,b", b"a,b\n\nx,y\n\n",
    b"a,b\n,\n", b'"a","b"\n"x","y"\n', b'a,b\n"x\ny",z\n', b'a,b\nab"c,d\n', b'a,b\n"a""b",c\n',
    b'a,b\n"x"y,z\n', b'a,b\n"",x\n', b"a,b\n\tx,y\n", b"a,b\nx ,y \n", b"\xef\xbb\xbfa,b\n1,2\n",
    b"a, b\n x, y\n", b"a,b\n x,y\n", b"a,a\n1,2\n", b"a,\n1,2\n", b"a,b\nx,y,z\n", b"a,b\nx\n",
    b"a,b\n\xff,1\n", b"a;b\n1;2\n",
    # Unterminated quotes, on the last line or not, with an odd or even number of quotes.
    b'a,b\nx,"y\n', b'a,b\nx,"y\nz,w\n', b'a,b\nq"r,s\nx,"y\nz,w\n', b'a,b\nq"r,s\nx,"y',
]  # fmt: skip


@pytest.mark.parametrize("raw", READ_AS_PANDAS, ids=range(len(READ_AS_PANDAS)))
def test_files_are_read_as_pandas_reads_them(raw):
    """Arrow reads the files it reads as pandas would (the same frame to the dtype), and
    leaves the others (spaces after commas, odd quotes, repeated names, ragged rows...) to
    pandas: the frame, or the error, is pandas' own."""
    from reachable.gtfs.files import _pandas_strings, read_strings

    try:
        want = _pandas_strings(raw)
    except (pd.errors.ParserError, pd.errors.EmptyDataError) as error:
        with pytest.raises(type(error)):
            read_strings(raw)
        return
    got = read_strings(raw)
    pd.testing.assert_frame_equal(got, want)


def test_plain_files_are_read_by_arrow():
    """The files of Porto Alegre's feeds, quoted or not, take Arrow's way, to the same frames."""
    from reachable.datasets import porto_alegre
    from reachable.gtfs.files import _arrow_strings, _pandas_strings

    for feed in porto_alegre().gtfs:
        with zipfile.ZipFile(feed) as archive:
            for name in ("stops.txt", "trips.txt", "stop_times.txt"):
                raw = archive.read(name)
                want = _pandas_strings(raw)
                got = _arrow_strings(raw)
                assert got is not None, f"{feed.name}/{name}"
                pd.testing.assert_frame_equal(got, want)


def test_ids_looked_up_as_pandas_does():
    from reachable.gtfs.files import positions_in

    index = pd.Index(["T1", "", "T3", "t1"], dtype=object)
    values = ["T3", "T1", "nope", "", "t1", "T1 ", "T3"]
    want = index.get_indexer(pd.Series(values, dtype=object))
    for series in (pd.Series(values, dtype="str"), pd.Series(values, dtype=object)):
        np.testing.assert_array_equal(positions_in(index, series), want)
    assert positions_in(index, pd.Series([], dtype=object)).shape == (0,)


def test_stop_times_in_trip_then_sequence_order():
    """The rows by (trip, stop_sequence), ties in file order, as ``np.lexsort`` puts them:
    sorted, shuffled, and with a stop_sequence too big to share one integer with the trip."""
    from reachable.gtfs.stop_times import _trip_order

    rng = np.random.default_rng(1)
    trip = np.sort(rng.integers(0, 50, 2_000))
    sequence = rng.integers(0, 30, 2_000)  # repeated pairs: ties
    for order in (np.arange(2_000), rng.permutation(2_000)):
        np.testing.assert_array_equal(_trip_order(trip[order], sequence[order]),
                                      np.lexsort((sequence[order], trip[order])))  # fmt: skip
    huge = sequence * 2**58
    np.testing.assert_array_equal(_trip_order(trip, huge), np.lexsort((huge, trip)))


def test_arrivals_before_the_previous_departure_of_their_trip():
    """The kernel against a plain scan back to the previous timed row of the same trip: trips
    of one row, untimed rows between timed ones, equal times, the first row of a trip never
    compared with the trip before."""
    from reachable.kernels import backwards_in_time

    rng = np.random.default_rng(3)
    trip = np.sort(rng.integers(0, 300, 3_000))
    arrival = rng.integers(0, 50, 3_000)
    departure = arrival + rng.integers(0, 5, 3_000)
    timed = rng.random(3_000) < 0.7
    want_rows, want_before = [], []
    for i in np.flatnonzero(timed):
        j = i - 1
        while j >= 0 and trip[j] == trip[i] and not timed[j]:
            j -= 1
        if j >= 0 and trip[j] == trip[i] and arrival[i] < departure[j]:
            want_rows.append(i)
            want_before.append(departure[j])
    rows, before = backwards_in_time(trip, arrival, departure, timed)
    assert len(want_rows) > 100  # the case is exercised
    np.testing.assert_array_equal(rows, want_rows)
    np.testing.assert_array_equal(before, want_before)
    empty = np.empty(0, dtype=np.int64)
    assert backwards_in_time(empty, empty, empty, np.empty(0, dtype=bool))[0].shape == (0,)
