"""The reachable command, run in-process: help, errors, files written and read back."""

from __future__ import annotations

import logging

import geopandas as gpd
import numpy as np
import pandas as pd
import pytest

import reachable as rc
from reachable.cli import main, replace_atomically, replace_folder

from .conftest import TINY_TOWN
from .test_tiny_town import NODES

DATE = "2019-05-13"


@pytest.fixture
def cache(tmp_path_factory, monkeypatch):
    """One network cache for the module's tests, never the user's."""
    folder = tmp_path_factory.getbasetemp() / "cli-cache"
    folder.mkdir(exist_ok=True)
    monkeypatch.setenv("REACHABLE_CACHE_DIR", str(folder))
    return folder


@pytest.fixture
def town_csv(tmp_path):
    path = tmp_path / "places.csv"
    NODES.assign(jobs=np.arange(1.0, 9.0), schools=[0, 1, 0, 0, 2, 0, 0, 1]).to_csv(path, index=False)
    return path


@pytest.fixture
def poa_csv(hexes, tmp_path):
    """Every 100th Porto Alegre hexagon as a CSV of id, lon, lat and counts."""
    few = hexes.iloc[::100].fillna({"jobs": 0, "healthcare": 0})
    table = pd.DataFrame(few.drop(columns="geometry")).assign(lon=few.geometry.x, lat=few.geometry.y)
    path = tmp_path / "hexes.csv"
    table.to_csv(path, index=False)
    return path, few.reset_index(drop=True)


# ---------------------------------------------------------------------------- help and usage
def test_help_lists_the_commands_and_examples(capsys):
    assert main(["--help"]) == 0
    out = capsys.readouterr().out
    for word in ("demo", "accessibility", "matrix", "examples:", "reachable demo --sample 10"):
        assert word in out


@pytest.mark.parametrize(
    ("command", "options"),
    [
        ("demo", ["--out", "--sample", "--no-progress", "results/"]),
        (
            "accessibility",
            ["--osm", "--gtfs", "--date", "--opportunities", "--columns", "--mode", "--cutoffs",
             "--departure", "--time-window", "--percentiles", "--origins", "--out", ".gpkg", "example:"],
        ),
        (
            "matrix",
            ["--osm", "--gtfs", "--date", "--origins", "--destinations", "--mode", "--max-time",
             "--departure", "--time-window", "--percentiles", "--out", ".parquet", "example:"],
        ),
    ],
)  # fmt: skip
def test_help_of_each_command_mentions_its_options(capsys, command, options):
    assert main([command, "--help"]) == 0
    out = capsys.readouterr().out
    for option in options:
        assert option in out, option


def test_version(capsys):
    assert main(["--version"]) == 0
    assert rc.__version__ in capsys.readouterr().out


@pytest.mark.parametrize(
    ("argv", "message"),
    [
        ([], "required: COMMAND"),
        (["matrix", "--osm", "x.osm"], "the following arguments are required"),
        (["matrix", "--osm", "x.osm", "--origins", "o.csv", "--mode", "bus", "--max-time", "5",
          "--out", "o.csv"], "invalid choice: 'bus'"),
        (["matrix", "--osm", "x.osm", "--origins", "o.csv", "--mode", "car", "--max-time", "-5",
          "--out", "o.csv"], "expected a positive number"),
        (["demo", "--sample", "0"], "expected a whole number >= 1"),
    ],
)  # fmt: skip
def test_usage_errors_exit_2(capsys, argv, message):
    assert main(argv) == 2
    assert message in capsys.readouterr().err


# ---------------------------------------------------------------------------- errors
def accessibility_args(osm, places, out, *extra):
    return ["accessibility", "--osm", str(osm), "--opportunities", str(places), "--columns", "jobs",
            "--mode", "walk", "--cutoffs", "5", "--out", str(out), "--no-progress", *extra]  # fmt: skip


@pytest.mark.parametrize(
    ("change", "message"),
    [
        ({"osm": "missing.osm"}, "OSM file not found: missing.osm"),
        ({"places": "missing.csv"}, "opportunities file not found: missing.csv"),
        ({"out": "out.xlsx"}, "its name must end in .gpkg, .parquet, .csv"),
        ({"extra": ["--columns", "people"]}, "people"),
        ({"extra": ["--mode", "transit"]}, "--mode transit needs --gtfs"),
        ({"extra": ["--date", DATE]}, "--gtfs and --date go together"),
    ],
)
def test_errors_are_one_clear_line_and_exit_2(capsys, tmp_path, town_csv, change, message):
    args = {"osm": TINY_TOWN, "places": town_csv, "out": tmp_path / "out.csv", "extra": []}
    args.update(change)
    argv = accessibility_args(args["osm"], args["places"], args["out"], *args["extra"], "--no-cache")
    assert main(argv) == 2
    err = capsys.readouterr().err
    assert "reachable: error: " in err and message in err
    assert "Traceback" not in err
    assert not (tmp_path / "out.csv").exists()


def test_a_csv_without_coordinates_is_refused(capsys, tmp_path):
    path = tmp_path / "places.csv"
    pd.DataFrame({"id": [1], "x": [3.0], "y": [0.0], "jobs": [1.0]}).to_csv(path, index=False)
    assert main(accessibility_args(TINY_TOWN, path, tmp_path / "o.csv", "--no-cache")) == 2
    assert "has no lon, lat column(s)" in capsys.readouterr().err


def test_the_log_handler_is_removed_after_each_run(capsys, tmp_path, town_csv):
    logger = logging.getLogger("reachable")
    before, level = list(logger.handlers), logger.level
    main(accessibility_args(TINY_TOWN, town_csv, tmp_path / "o.csv", "--no-cache"))
    assert logger.handlers == before and logger.level == level
    assert "reachable: read 8 opportunities" in capsys.readouterr().err


def test_replace_atomically_keeps_the_old_file_when_writing_fails(tmp_path):
    path = tmp_path / "result.csv"
    path.write_text("old")

    def crash(temporary):
        temporary.write_text("half")
        raise RuntimeError("disk full")

    with pytest.raises(RuntimeError):
        replace_atomically(path, crash)
    assert path.read_text() == "old"
    assert sorted(p.name for p in tmp_path.iterdir()) == ["result.csv"]
    replace_atomically(path, lambda temporary: temporary.write_text("new"))
    assert path.read_text() == "new"
    assert sorted(p.name for p in tmp_path.iterdir()) == ["result.csv"]


# ---------------------------------------------------------------------------- tiny town
def read_back(path):
    if path.suffix == ".csv":
        return pd.read_csv(path)
    if path.suffix == ".parquet":
        return gpd.read_parquet(path)
    return gpd.read_file(path, layer="accessibility")


@pytest.mark.parametrize("suffix", [".gpkg", ".parquet", ".csv"])
def test_accessibility_on_the_tiny_town(capsys, tmp_path, town_csv, tiny_town, suffix):
    out = tmp_path / "sub" / f"access{suffix}"
    argv = ["accessibility", "--osm", str(TINY_TOWN), "--opportunities", str(town_csv),
            "--columns", "jobs", "schools", "--mode", "walk", "car", "--cutoffs", "2", "5",
            "--out", str(out), "--no-cache", "--no-progress"]  # fmt: skip
    assert main(argv) == 0
    assert f"wrote 32 rows to {out}" in capsys.readouterr().out
    assert [p.name for p in out.parent.iterdir()] == [out.name]  # no temporary file left
    result = read_back(out)
    expected = rc.accessibility(
        tiny_town, NODES, pd.read_csv(town_csv), columns=["jobs", "schools"], mode=["walk", "car"],
        cutoffs=[2, 5],
    )  # fmt: skip
    columns = ["id", "mode", "cutoff", "jobs", "schools"]
    assert list(result.columns) == [*columns, *([] if suffix == ".csv" else ["geometry"])]
    pd.testing.assert_frame_equal(pd.DataFrame(result[columns]), pd.DataFrame(expected[columns]))
    if suffix != ".csv":
        assert result.crs == "EPSG:4326"
        assert np.allclose(result.geometry.x[:8], NODES["lon"])


def test_origins_apart_from_opportunities(tmp_path, town_csv):
    origins = tmp_path / "origins.geojson"
    gpd.GeoDataFrame(
        {"id": ["a", "b"]}, geometry=gpd.points_from_xy([3.0, 3.003], [0.0, 0.001]), crs=4326
    ).to_file(origins)
    out = tmp_path / "access.csv"
    argv = accessibility_args(TINY_TOWN, town_csv, out, "--origins", str(origins), "--no-cache")
    assert main(argv) == 0
    assert pd.read_csv(out)["id"].tolist() == ["a", "b"]


@pytest.mark.parametrize("suffix", [".csv", ".parquet"])
def test_matrix_on_the_tiny_town(capsys, tmp_path, town_csv, tiny_town, suffix):
    out = tmp_path / f"ttm{suffix}"
    argv = ["matrix", "--osm", str(TINY_TOWN), "--origins", str(town_csv), "--mode", "bike",
            "--max-time", "3", "--out", str(out), "--no-cache"]  # fmt: skip
    assert main(argv) == 0
    assert "wrote 64 rows" in capsys.readouterr().out
    result = pd.read_csv(out) if suffix == ".csv" else pd.read_parquet(out)
    expected = rc.travel_time_matrix(tiny_town, NODES, mode="bike", max_time=3)
    assert list(result.columns) == ["from_id", "to_id", "travel_time"]
    pd.testing.assert_frame_equal(result, expected)


def test_matrix_refuses_a_geopackage(capsys, tmp_path, town_csv):
    argv = ["matrix", "--osm", str(TINY_TOWN), "--origins", str(town_csv), "--mode", "bike",
            "--max-time", "3", "--out", str(tmp_path / "ttm.gpkg")]  # fmt: skip
    assert main(argv) == 2
    assert "must end in .parquet, .csv" in capsys.readouterr().err


# ---------------------------------------------------------------------------- Porto Alegre
@pytest.mark.filterwarnings("ignore::reachable.ReachableWarning")
def test_transit_accessibility_on_a_few_poa_hexagons(capsys, tmp_path, poa, poa_csv, cache):
    path, few = poa_csv
    out = tmp_path / "access.parquet"
    argv = ["accessibility", "--osm", str(poa.osm), "--gtfs", *map(str, poa.gtfs), "--date", DATE,
            "--opportunities", str(path), "--columns", "jobs", "--mode", "transit", "walk",
            "--cutoffs", "30", "60", "--departure", "14:00", "--time-window", "5",
            "--percentiles", "25", "75", "--out", str(out), "--no-progress"]  # fmt: skip
    assert main(argv) == 0
    result = gpd.read_parquet(out)
    assert list(result.columns) == ["id", "mode", "cutoff", "percentile", "jobs", "geometry"]
    assert len(result) == len(few) * 2 * 2 * 2
    assert set(result["mode"]) == {"transit", "walk"}
    # Walks longer than 20 min are not transit trips, so only the totals compare.
    wide = result.pivot_table(index=["id", "cutoff"], columns="mode", values="jobs", aggfunc="max")
    assert wide["transit"].sum() > wide["walk"].sum()
    # The departure, window and percentiles reach the library: the same as calling it (on the
    # network the command cached), and the 5-min window spreads the percentiles somewhere.
    network = rc.Network.build(poa.osm, gtfs=list(poa.gtfs), date=DATE)
    expected = rc.accessibility(
        network, few, few, columns=["jobs"], mode=["transit", "walk"], cutoffs=[30, 60], departure="14:00",
        time_window=5, percentiles=(25, 75),
    )  # fmt: skip
    columns = ["id", "mode", "cutoff", "percentile", "jobs"]
    pd.testing.assert_frame_equal(pd.DataFrame(result[columns]), pd.DataFrame(expected[columns]))
    spread = result[result["mode"] == "transit"].pivot_table(
        index=["id", "cutoff"], columns="percentile", values="jobs"
    )
    assert (spread[25.0] > spread[75.0]).any()


@pytest.mark.filterwarnings("ignore::reachable.ReachableWarning")
def test_transit_matrix_on_a_few_poa_hexagons(tmp_path, poa, poa_csv, cache):
    path, few = poa_csv
    out = tmp_path / "ttm.csv"
    argv = ["matrix", "--osm", str(poa.osm), "--gtfs", *map(str, poa.gtfs), "--date", DATE,
            "--origins", str(path), "--mode", "transit", "--max-time", "60", "--departure", "14:00",
            "--time-window", "3", "--percentiles", "5", "95", "--out", str(out), "--no-progress"]  # fmt: skip
    assert main(argv) == 0
    result = pd.read_csv(out)
    assert list(result.columns) == ["from_id", "to_id", "travel_time_p5", "travel_time_p95"]
    # The same as calling the library with these settings (on the network the command
    # cached); a 3-min window gives some pairs a spread, so a dropped window would show.
    network = rc.Network.build(poa.osm, gtfs=list(poa.gtfs), date=DATE)
    expected = rc.travel_time_matrix(
        network, few, mode="transit", max_time=60, departure="14:00", time_window=3, percentiles=(5, 95)
    )
    pd.testing.assert_frame_equal(result, expected, check_dtype=False)
    both = result.dropna()
    assert (both["travel_time_p95"] > both["travel_time_p5"]).any()


def test_a_departure_off_the_service_day_is_a_clear_error(capsys, tmp_path, poa, poa_csv, cache):
    path, _ = poa_csv
    argv = ["matrix", "--osm", str(poa.osm), "--gtfs", *map(str, poa.gtfs), "--date", DATE,
            "--origins", str(path), "--mode", "transit", "--max-time", "60",
            "--departure", "2019-05-14 14:00", "--out", str(tmp_path / "ttm.csv"),
            "--no-progress"]  # fmt: skip
    assert main(argv) == 2
    err = capsys.readouterr().err
    assert "reachable: error: departure 2019-05-14 14:00:00 is not on 2019-05-13" in err


def test_demo_on_a_sample_of_hexagons(capsys, tmp_path, hexes, cache):
    out = tmp_path / "results"
    assert main(["demo", "--out", str(out), "--sample", "25", "--no-progress"]) == 0
    captured = capsys.readouterr()
    n = len(hexes.iloc[::25])
    names = [
        "accessibility.gpkg",
        "deserts_transit.png",
        "map_bike.png",
        "map_car.png",
        "map_modes.png",
        "map_transit.png",
        "map_walk.png",
        "summary.txt",
    ]
    assert sorted(p.name for p in out.iterdir()) == names
    for name in names[1:7]:
        assert (out / name).stat().st_size > 10_000
    acc = gpd.read_file(out / "accessibility.gpkg")
    assert list(acc.columns) == ["id", "mode", "cutoff", "jobs", "schools", "geometry"]
    assert len(acc) == n * 4 * 3
    assert set(acc["mode"]) == {"walk", "bike", "transit", "car"}
    summary = (out / "summary.txt").read_text()
    assert summary in captured.out
    assert "5 of the 1,227 hexagons have no jobs and healthcare values" in summary
    assert "one hexagon in 25 only" in summary
    assert "Within 45 min, the median cell reaches " in summary
    assert "% of the city's jobs on foot, " in summary and "% by transit, " in summary
    assert str(out / "map_transit.png") in captured.out
    assert "Mobility deserts: cells where transit reaches less than half the jobs a car reaches" in summary
    assert "Gini index of the jobs reachable within 45 min" in summary and "no income" in summary
    # One warning per set of points off the network (origins and destinations, every mode),
    # shown once, through the log, not a second time by warnings.warn.
    warned = [line for line in captured.err.splitlines() if line.startswith("reachable: warning:")]
    assert len(warned) == len(set(warned))
    unsnapped = [line for line in warned if "farther than max_snap_distance" in line]
    assert all("origins and destinations" in line for line in unsnapped)
    assert len(unsnapped) <= 2  # walk and bike miss the same hexagons; car one fewer


def test_places_are_checked_before_the_network_is_built(capsys, tmp_path, town_csv):
    assert main(accessibility_args(TINY_TOWN, town_csv, tmp_path / "o.csv", "--columns", "people")) == 2
    err = capsys.readouterr().err
    assert "reachable: error: opportunities has no column 'people'" in err
    assert "built the network" not in err


# ---------------------------------------------------------------------------- arrive by, shifts
def test_an_arrive_by_matrix_from_a_saved_network_of_two_days(tmp_path, poa, poa_csv):
    path, few = poa_csv
    network = rc.Network.build(poa.osm, gtfs=list(poa.gtfs), date=[DATE, "2019-05-14"], cache=False)
    saved = network.save(tmp_path / "poa.reachable")
    out = tmp_path / "ttm.parquet"
    argv = ["matrix", "--network", str(saved), "--origins", str(path), "--mode", "transit",
            "--max-time", "60", "--arrival", "2019-05-14 15:00", "--out", str(out),
            "--no-progress"]  # fmt: skip
    assert main(argv) == 0
    result = pd.read_parquet(out)
    expected = rc.travel_time_matrix(network, few, mode="transit", max_time=60, arrival="2019-05-14 15:00")
    pd.testing.assert_frame_equal(result, expected, check_dtype=False)
    assert (
        result["arrival"].max() <= pd.Timestamp("2019-05-14 15:00")
        and result["departure"].notna().mean() > 0.5
    )


def test_shifts_from_the_command_line_equal_the_library(tmp_path, poa, poa_csv):
    path, few = poa_csv
    network = rc.Network.build(poa.osm, gtfs=list(poa.gtfs), date=[DATE, "2019-05-14"], cache=False)
    saved = network.save(tmp_path / "poa.reachable")
    out = tmp_path / "shifts.csv"
    argv = ["shifts", "--network", str(saved), "--homes", str(path), "--workplaces", str(path),
            "--shift", "14:00-16:00", "22:00-06:00", "--max-time", "90", "--out", str(out),
            "--no-progress"]  # fmt: skip
    assert main(argv) == 0
    result = pd.read_csv(
        out, parse_dates=["start", "end", "leave_home", "arrive_work", "leave_work", "arrive_home"]
    )
    expected = rc.shifts(network, few, few, mode="transit", shifts=[("14:00", "16:00"), ("22:00", "06:00")],
                         date=DATE, max_time=90)  # fmt: skip
    pd.testing.assert_frame_equal(result.fillna({"reason": ""}), expected, check_dtype=False)
    # The buses of the sample run 11:00-17:00: the day shift works for more pairs than the night.
    share = expected.groupby("shift")["feasible"].mean()
    assert share["14:00-16:00"] > 0.5 > share["22:00-06:00"]


def test_network_given_twice_or_not_at_all_is_one_line(capsys, tmp_path, town_csv):
    argv = ["matrix", "--origins", str(town_csv), "--mode", "walk", "--max-time", "10", "--out",
            str(tmp_path / "o.csv")]  # fmt: skip
    assert main(argv) == 2
    assert capsys.readouterr().err.endswith(
        "reachable: error: give the network: --osm FILE (with --gtfs and --date), or --network FILE\n"
    )
    assert main([*argv, "--osm", str(TINY_TOWN), "--network", str(tmp_path / "x.reachable")]) == 2
    assert "not both" in capsys.readouterr().err


def test_car_to_park_and_ride_from_the_command_line_equals_the_library(tmp_path, poa, poa_csv, cache):
    path, few = poa_csv
    network = rc.Network.build(poa.osm, gtfs=list(poa.gtfs), date=DATE)
    stations = pd.DataFrame({
        "id": range(5), "lon": network.timetable.stop_lon[-5:], "lat": network.timetable.stop_lat[-5:]
    })  # fmt: skip
    stations.to_csv(tmp_path / "park_and_ride.csv", index=False)
    out = tmp_path / "ttm.csv"
    argv = ["matrix", "--osm", str(poa.osm), "--gtfs", *map(str, poa.gtfs), "--date", DATE,
            "--origins", str(path), "--mode", "car+transit", "--max-time", "60", "--departure", "14:00",
            "--max-access-time", "8", "--park-and-ride", str(tmp_path / "park_and_ride.csv"),
            "--out", str(out), "--no-progress"]  # fmt: skip
    assert main(argv) == 0
    expected = rc.travel_time_matrix(
        network, few, mode="car+transit", max_time=60, departure="14:00", max_access_time=8,
        park_and_ride=stations,
    )  # fmt: skip
    pd.testing.assert_frame_equal(pd.read_csv(out), expected, check_dtype=False)


# ---------------------------------------------------------------------------- diagnose
TIMES = ["leave", "arrive", "leave_back", "arrive_back"]
WRITTEN = ["aid_effects.csv", "caseload.csv", "diagnosis.csv", "diagnosis.gpkg", "sheets", "summary.csv"]


@pytest.fixture
def people_and_offers(hexes, tmp_path):
    """Two people and three offers in Porto Alegre, within 11:00-17:00 when its buses run, as CSV."""
    at = hexes.geometry
    people = pd.DataFrame({
        "id": ["ana", "bruno"], "lon": at.x.iloc[[100, 600]].to_numpy(),
        "lat": at.y.iloc[[100, 600]].to_numpy(), "modes": ["walk,transit", "walk"],
        "licences": ["", "B"], "max_commute": [60, 45], "name": ["Ana", "Bruno"],
    })  # fmt: skip
    offers = pd.DataFrame({
        "id": ["o1", "o2", "o3"], "kind": ["job", "job", "training"],
        "lon": at.x.iloc[[300, 700, 1000]].to_numpy(), "lat": at.y.iloc[[300, 700, 1000]].to_numpy(),
        "start": ["12:00", "13:00", "11:30"], "end": ["15:00", "16:00", "14:30"], "days": "mon-fri",
    })  # fmt: skip
    paths = tmp_path / "people.csv", tmp_path / "offers.csv"
    people.to_csv(paths[0], index=False)
    offers.to_csv(paths[1], index=False)
    return paths


def read_like(path, frame):
    """A CSV written from ``frame``, read back with its text and time columns as such."""
    texts = list(frame.select_dtypes(exclude=["number", "bool", "datetime"]).columns)
    times = list(frame.select_dtypes("datetime").columns)
    read = pd.read_csv(path, dtype=dict.fromkeys(texts, str), parse_dates=times)
    # Empty texts read back as NaN, and times at a coarser unit than the library's.
    return read.fillna(dict.fromkeys(texts, "")).astype(dict.fromkeys(times, "datetime64[ns]"))


def diagnose_args(network, people, offers, out, *extra):
    return ["diagnose", *network, "--people", str(people), "--offers", str(offers), "--out", str(out),
            "--no-progress", *extra]  # fmt: skip


def test_help_of_diagnose_mentions_its_options(capsys):
    assert main(["--help"]) == 0
    assert "reachable diagnose --network city.reachable" in capsys.readouterr().out
    assert main(["diagnose", "--help"]) == 0
    out = capsys.readouterr().out
    for option in ("--people", "--offers", "--aids", "--arrive-early", "--leave-after", "--lang",
                   "--park-and-ride", "--out DIR", "car_loan", "max_commute", "example:"):  # fmt: skip
        assert option in out, option


@pytest.mark.filterwarnings("ignore::reachable.ReachableWarning")
def test_diagnose_writes_every_file_and_equals_the_library(capsys, tmp_path, poa, people_and_offers, cache):
    pytest.importorskip("reachable.sheet")
    people, offers = people_and_offers
    out = tmp_path / "reports"
    network = ["--osm", str(poa.osm), "--gtfs", *map(str, poa.gtfs), "--date", DATE]
    assert main(diagnose_args(network, people, offers, out, "--lang", "fr")) == 0
    printed = capsys.readouterr().out.splitlines()
    assert len(printed) == 1 and printed[0].startswith("2 people, 3 offers: ")
    assert " feasible now; best aids: " in printed[0]
    assert sorted(p.name for p in out.iterdir()) == WRITTEN
    assert (out / "sheets" / "index.html").is_file()
    assert sorted(p.name for p in tmp_path.iterdir()) == ["offers.csv", "people.csv", "reports"]
    # The same as calling the library on the network the command cached: it built every street
    # mode the people and the aids use (else diagnose refuses it).
    expected = rc.diagnose(
        rc.Network.build(poa.osm, gtfs=list(poa.gtfs), date=DATE), pd.read_csv(people), pd.read_csv(offers)
    )
    assert list(expected.table.select_dtypes("datetime").columns) == TIMES
    assert expected.table["feasible"].any() and not expected.table["feasible"].all()
    for name in ("table", "summary", "aid_effects", "caseload"):
        frame = getattr(expected, name)
        read = read_like(out / f"{'diagnosis' if name == 'table' else name}.csv", frame)
        pd.testing.assert_frame_equal(read, frame, check_dtype=False)


@pytest.mark.filterwarnings("ignore::reachable.ReachableWarning")
def test_diagnose_geopackage_from_a_saved_network_into_an_existing_folder(
    capsys, tmp_path, poa, people_and_offers, cache
):
    pytest.importorskip("reachable.sheet")
    people, offers = people_and_offers
    network = rc.Network.build(poa.osm, gtfs=list(poa.gtfs), date=DATE)
    saved = network.save(tmp_path / "poa.reachable")
    out = tmp_path / "reports"
    (out / "sheets").mkdir(parents=True)
    (out / "notes.txt").write_text("mine")
    (out / "summary.csv").write_text("old")
    (out / "sheets" / "someone_gone.html").write_text("old")
    argv = diagnose_args(["--network", str(saved)], people, offers, out, "--aids", "bike_loan", "car_loan",
                         "--arrive-early", "10", "--leave-after", "0")  # fmt: skip
    assert main(argv) == 0
    assert capsys.readouterr().out.startswith("2 people, 3 offers: ")
    # The command's files are replaced, sheets/ whole; the user's own files stay.
    assert sorted(p.name for p in out.iterdir()) == sorted([*WRITTEN, "notes.txt"])
    assert (out / "notes.txt").read_text() == "mine"
    assert (out / "summary.csv").read_text() != "old"
    assert not (out / "sheets" / "someone_gone.html").exists()
    assert not [p.name for p in tmp_path.iterdir() if p.name.startswith(".")]  # no temporary folder left
    table = gpd.read_file(out / "diagnosis.gpkg", layer="diagnosis")
    assert len(table) == 2 * 3 * 3  # people x offers x (now, bike_loan, car_loan)
    assert set(table["scenario"]) == {"now", "bike_loan", "car_loan"}
    assert table.crs == "EPSG:4326"
    places = pd.read_csv(offers).set_index("id")
    assert np.allclose(table.geometry.x, places.loc[table["offer"], "lon"])
    assert np.allclose(table.geometry.y, places.loc[table["offer"], "lat"])
    # The aids and the timing reach the library.
    expected = rc.diagnose(
        network, pd.read_csv(people), pd.read_csv(offers), aids=["bike_loan", "car_loan"], arrive_early=10,
        leave_after=0,
    )  # fmt: skip
    csv = read_like(out / "diagnosis.csv", expected.table)
    pd.testing.assert_frame_equal(csv, expected.table, check_dtype=False)
    for column in TIMES:
        assert (table[column].isna() == csv[column].isna()).all()
        assert (table[column].dropna() == csv[column].dropna()).all()


def test_diagnose_names_every_bad_row_and_writes_nothing(capsys, tmp_path, poa, people_and_offers):
    people, offers = people_and_offers
    bad_people = pd.read_csv(people).assign(modes=["walk,bus", "car"], licences=["", ""])
    bad_offers = pd.read_csv(offers).assign(start=["12:00", "25:00", "11:30"], days=["", "", "someday"])
    bad_people.to_csv(people, index=False)
    bad_offers.to_csv(offers, index=False)
    out = tmp_path / "reports"
    argv = diagnose_args(["--osm", str(poa.osm)], people, offers, out)
    assert main(argv) == 2
    err = capsys.readouterr().err
    for line in ("reachable: error: 2 problems in people:", "row 0 (id 'ana'): unknown mode bus",
                 "row 1 (id 'bruno'): car without its licence", "2 problems in offers:",
                 "row 1 (id 'o2'): start '25:00'", "row 2 (id 'o3'): days 'someday'"):  # fmt: skip
        assert line in err, line
    assert "Traceback" not in err
    assert sorted(p.name for p in tmp_path.iterdir()) == ["offers.csv", "people.csv"]
    # An earlier folder stays as it was.
    out.mkdir()
    (out / "summary.csv").write_text("old")
    assert main(argv) == 2
    assert [p.name for p in out.iterdir()] == ["summary.csv"] and (out / "summary.csv").read_text() == "old"


def test_diagnose_says_who_needs_public_transport(capsys, tmp_path, poa, people_and_offers):
    people, offers = people_and_offers
    out = tmp_path / "reports"
    assert main(diagnose_args(["--osm", str(poa.osm)], people, offers, out)) == 2
    err = capsys.readouterr().err
    assert "public transport needs --gtfs FEED [FEED ...] and --date YYYY-MM-DD" in err
    assert "people ana and by the aids transit_pass, bike+transit (choose others with --aids)" in err
    assert not out.exists()


def test_replace_folder_moves_everything_in_or_nothing(tmp_path):
    out = tmp_path / "reports"

    def write(folder, crash=False):
        (folder / "pages").mkdir()
        (folder / "pages" / "a.html").write_text("new")
        (folder / "table.csv").write_text("new")
        if crash:
            raise OSError("disk full")

    with pytest.raises(OSError, match="disk full"):
        replace_folder(out, lambda folder: write(folder, crash=True))
    assert list(tmp_path.iterdir()) == []
    out.mkdir()
    (out / "pages").mkdir()
    (out / "pages" / "gone.html").write_text("old")
    (out / "table.csv").write_text("old")
    (out / "notes.txt").write_text("mine")
    with pytest.raises(OSError, match="disk full"):
        replace_folder(out, lambda folder: write(folder, crash=True))
    assert [p.name for p in tmp_path.iterdir()] == ["reports"]
    assert (out / "table.csv").read_text() == "old" and (out / "pages" / "gone.html").exists()
    assert replace_folder(out, write) == out
    assert [p.name for p in tmp_path.iterdir()] == ["reports"]
    assert sorted(p.name for p in out.iterdir()) == ["notes.txt", "pages", "table.csv"]
    assert [p.name for p in (out / "pages").iterdir()] == ["a.html"]
    assert (out / "table.csv").read_text() == "new" and (out / "notes.txt").read_text() == "mine"


def test_deserts_from_the_command_line_equal_the_library(capsys, tmp_path, poa, poa_csv, cache):
    path, few = poa_csv
    out = tmp_path / "deserts"
    argv = ["deserts", "--osm", str(poa.osm), "--gtfs", *map(str, poa.gtfs), "--date", DATE,
            "--grid", str(path), "--column", "jobs", "--mode", "transit", "--cutoff", "45",
            "--departure", "14:00", "--line", "0.5", "--relative-to", "car", "--out", str(out),
            "--no-progress"]  # fmt: skip
    assert main(argv) == 0
    assert sorted(p.name for p in out.iterdir()) == [
        "desert_map.png",
        "deserts.gpkg",
        "lorenz.png",
        "summary.csv",
    ]
    network = rc.Network.build(poa.osm, gtfs=list(poa.gtfs), date=DATE)
    acc = rc.accessibility(network, few, few, columns=["jobs"], mode=["transit", "car"], cutoffs=[45],
                           departure="14:00")  # fmt: skip
    expected = rc.deserts(acc, few, column="jobs", mode="transit", cutoff=45, line=0.5, relative_to="car")
    pd.testing.assert_frame_equal(pd.read_csv(out / "summary.csv"), expected.summary, check_dtype=False)
    cells = gpd.read_file(out / "deserts.gpkg")
    assert cells["desert"].astype(bool).tolist() == expected.cells["desert"].tolist()
    assert "live in deserts of jobs by transit within 45 min" in capsys.readouterr().out
