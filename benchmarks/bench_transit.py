"""Public transport benchmarks on the Porto Alegre sample: reachable against r5r's published run and ferrobus.

Run from the repository root (a few minutes on a 2-core machine)::

    python benchmarks/bench_transit.py

ferrobus is optional (``pip install ferrobus==0.2.1``); without it, its rows say "skipped".
The bus trips of this sample run from 11:00 to 17:00 only, so every query departs on
Monday 2019-05-13 at 14:00. It prints, as text tables:

a. the r5r paper's workload: 1,227 x 1,227 hexagons, 120-minute window, percentiles
   5/25/50/75/95, walking legs of at most 1,000 m at 3.6 km/h, trips of at most 120 min,
   3 rides (r5r's default), against R5's published time (another machine); and with 4 rides;
b. one departure, 1,227 x 1,227, 4 rides, at ferrobus's reach (walks of at most 1,200 s at
   1.4 m/s, no boarding slack, for both), against ``ferrobus.travel_time_matrix``, with how
   far the two matrices agree;
c. one origin to all 1,227 cells at the same settings (mean ms per origin): ours as a service
   asks (``rc.one_to_many``) and through ``travel_time_matrix``, against ferrobus's
   ``find_routes_one_to_many``; the car matrix (120 min); the network build, against
   ferrobus's ``create_transit_model``;
d. reading the GTFS feeds alone;
e. whether two separate Python processes give identical matrices;
f. the peak memory;
g. the targets of issue 14 (and the measures it started from), met or not.

Ratios are ours / peer: below 1 means reachable is faster. Our kernels run on every numba
thread; ferrobus uses every core too (rayon). The script also runs itself as a worker
(``--worker FOLDER``) for part e.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import os
import platform
import resource
import subprocess
import sys
import tempfile
import time
import warnings
import zipfile
from dataclasses import dataclass
from pathlib import Path

import numba
import numpy as np
import pandas as pd

import reachable as rc
from _report import best_of, cpu_model, optional_version, print_table, ratio_text
from reachable.gtfs import read_gtfs

DATE = "2019-05-13"
DEPARTURE = f"{DATE} 14:00"
DEPARTURE_SECONDS = 14 * 3600
MAX_TIME = 120
"""Minutes: the longest trip of interest (r5r's max_trip_duration)."""
WALK_SPEED = 3.6
"""km/h, r5r's default."""
MAX_WALK_TIME = 1000 / 60
"""Minutes per walking leg: 1,000 m at 3.6 km/h (1 m/s) = 1,000 s = 16.67 min."""
BOARD_SLACK = 60
"""Seconds, our default: the least time between reaching a stop and boarding."""
TIME_WINDOW = 120
PERCENTILES = (5, 25, 50, 75, 95)
R5R_TRANSFERS = 2
"""r5r's default max_rides=3 is our max_transfers=2."""
R5R_PUBLISHED_SECONDS = 37.9
"""R5 through r5r on this workload, as published (1.9 GHz Intel i7 laptop): not measured here."""
FERROBUS_VERSION = "0.2.1"
FERROBUS_TRANSFERS = 3
"""Our max_transfers for the ferrobus comparison: 4 rides, ferrobus's max_transfers=4."""
FERROBUS_WALK_SECONDS = 1200
"""ferrobus's default max_walking_time of a point (20 min), given to its max_transfer_time
too (its default is 1,800 s) so that both tools walk at most 1,200 s per leg."""
FERROBUS_WALK_KMH = 1.4 * 3.6
"""ferrobus walks at a fixed 1.4 m/s (its WALKING_SPEED constant): 5.04 km/h."""
FERROBUS_SETTINGS = {
    "walk_speed": FERROBUS_WALK_KMH,
    "max_walk_time": FERROBUS_WALK_SECONDS / 60,
    "board_slack": 0,
    "max_transfers": 3,
}
"""Ours at ferrobus's reach: 1,200 s walks at 1.4 m/s (1,680 m), no boarding slack, 4 rides."""
FERROBUS_NEAREST_STOPS = 10
"""ferrobus's default max_nearest_stops of a point."""
DIFFERENCE_MINUTES = 2.0
N_ONE_TO_ALL = 50
SEED = 20190513
REPEATS = 2
"""Windowed matrix timings are the best of this many calls, after a warm-up call."""
SINGLE_REPEATS = 5
"""Single-departure timings (ours and ferrobus's, under a second each) are the best of this
many calls: a few noisy calls on a shared machine would otherwise decide the ratio."""
BUILD_REPEATS = 3
SMALL_WINDOW_ORIGINS = 100
SMALL_WINDOW = 30
CAR_MAX_TIME = 120
TARGET_WINDOWED_SECONDS = 6.0
TARGET_FERROBUS_RATIO = 0.7
TARGET_ONE_TO_ALL_RATIO = 1.0
TARGET_CAR_SECONDS = 0.3
BEFORE = {
    "windowed": "9-11 s",
    "single": "1.6-1.8x ferrobus",
    "one_to_all": "6.5x ferrobus (24 ms)",
    "car": "0.55 s",
}
"""The measures issue 14 started from, on this machine."""


# --------------------------------------------------------------------------- reporting
def print_header() -> None:
    print(
        f"machine: {os.cpu_count()} cores, {cpu_model()}; numba threads: {numba.get_num_threads()}; "
        f"Python {platform.python_version()}"
    )
    print(
        f"versions: reachable {rc.__version__}, numpy {np.__version__}, pandas {pd.__version__}, "
        f"numba {numba.__version__}, pyarrow {optional_version('pyarrow')}, "
        f"ferrobus {optional_version('ferrobus')}, psutil {optional_version('psutil')}"
    )
    print(
        f"workload: Porto Alegre, {DEPARTURE}, walking legs <= {MAX_WALK_TIME:.2f} min at {WALK_SPEED} km/h "
        f"(1,000 m), trips <= {MAX_TIME} min"
    )


def verdict(ok: bool) -> str:
    return "PASS" if ok else "MISS"


# --------------------------------------------------------------------------- our side
def transit_matrix(net, origins, destinations=None, **options) -> pd.DataFrame:
    """``travel_time_matrix`` in transit mode with this benchmark's fixed parameters."""
    settings = {
        "departure": DEPARTURE,
        "max_time": MAX_TIME,
        "max_walk_time": MAX_WALK_TIME,
        "walk_speed": WALK_SPEED,
        "board_slack": BOARD_SLACK,
        "time_window": 1,
        "percentiles": (50,),
        "max_transfers": FERROBUS_TRANSFERS,
        **options,
    }
    with warnings.catch_warnings():  # a few hexagons are too far from the streets: expected
        warnings.simplefilter("ignore", rc.ReachableWarning)
        return rc.travel_time_matrix(net, origins, destinations, mode="transit", progress=False, **settings)


def square(frame: pd.DataFrame, n: int, column: str = "travel_time") -> np.ndarray:
    """Minutes as an (origins x destinations) array, NaN where not reached."""
    return frame[column].to_numpy(dtype=float).reshape(-1, n)


def warm_up(net, hexes) -> float:
    """Compile numba's kernels with small calls; seconds spent."""
    started = time.perf_counter()
    few = hexes.iloc[:20]
    transit_matrix(net, few)
    transit_matrix(net, few, time_window=3, percentiles=PERCENTILES, max_transfers=R5R_TRANSFERS)
    return time.perf_counter() - started


# --------------------------------------------------------------------------- a. r5r workload
def bench_windowed(net, hexes) -> tuple[list[list[str]], float]:
    def run(transfers: int) -> pd.DataFrame:
        return transit_matrix(
            net, hexes, time_window=TIME_WINDOW, percentiles=PERCENTILES, max_transfers=transfers
        )

    three_rides, ttm = best_of(REPEATS, lambda: run(R5R_TRANSFERS))
    four_rides, _ = best_of(1, lambda: run(R5R_TRANSFERS + 1))
    n = len(hexes)
    reached = np.isfinite(square(ttm, n, "travel_time_p50")).mean()
    label = f"{n}x{n}, {TIME_WINDOW} departures, 5 percentiles"
    rows = [
        [
            label,
            "R5 via r5r, 3 rides (published, other machine: 1.9 GHz i7 laptop)",
            f"{R5R_PUBLISHED_SECONDS:.1f}",
            "",
        ],
        [
            label,
            f"ours, 3 rides (max_transfers={R5R_TRANSFERS}; best of {REPEATS})",
            f"{three_rides:.2f}",
            ratio_text(three_rides, R5R_PUBLISHED_SECONDS),
        ],
        [
            label,
            f"ours, 4 rides (max_transfers={R5R_TRANSFERS + 1}; 1 run, for information)",
            f"{four_rides:.2f}",
            ratio_text(four_rides, R5R_PUBLISHED_SECONDS),
        ],
    ]
    print_table(
        "a. The r5r paper's workload (ratio: ours / R5's published time on another machine)",
        ["matrix", "method", "seconds", "ours/R5"],
        rows,
    )
    print(f"   pairs reached at the median (3 rides): {reached:.1%}")
    return rows, three_rides


# --------------------------------------------------------------------------- ferrobus side
@dataclass
class Ferrobus:
    """ferrobus's model and the hexagons as its transit points (None where it cannot snap one)."""

    module: object
    model: object
    points: list
    snapped: np.ndarray  # indices of hexagons with a point
    prepare_s: float
    model_s: float
    points_s: float
    messages: list[str]


@contextlib.contextmanager
def captured_stderr(lines: list[str]):
    """Collect what native code writes to file descriptor 2 (ferrobus logs there) into ``lines``."""
    sys.stderr.flush()
    saved = os.dup(2)
    with tempfile.TemporaryFile(mode="w+b") as sink:
        os.dup2(sink.fileno(), 2)
        try:
            yield
        finally:
            os.dup2(saved, 2)
            os.close(saved)
            sink.seek(0)
            lines.extend(sink.read().decode(errors="replace").splitlines())


def hms(seconds: np.ndarray) -> np.ndarray:
    seconds = np.asarray(seconds, dtype=np.int64)
    return np.array([f"{s // 3600:02d}:{s % 3600 // 60:02d}:{s % 60:02d}" for s in seconds], dtype=object)


def filled_times(timetable, feed: str) -> pd.DataFrame:
    """The timetable's stop times of one feed's trips running on DATE, with the original ids.

    ``read_gtfs`` interpolates empty times; its ids are namespaced ``"<feed>:<id>"``. Trips of
    the previous service day (``"@previous-day"``, shifted by -24 h) are left out.
    """
    prefix = f"{feed}:"
    trip_of_row = np.repeat(timetable.trip_id.astype(str), np.diff(timetable.trip_offsets))
    keep = np.char.startswith(trip_of_row, prefix) & ~np.char.endswith(trip_of_row, "@previous-day")
    frame = pd.DataFrame(
        {
            "trip_id": [trip[len(prefix) :] for trip in trip_of_row[keep]],
            "filled_stop": [
                stop[len(prefix) :] for stop in timetable.stop_id[timetable.stop_time_stop[keep]]
            ],
            "filled_arrival": hms(timetable.stop_time_arrival[keep]),
            "filled_departure": hms(timetable.stop_time_departure[keep]),
        }
    )
    frame["position"] = frame.groupby("trip_id", sort=False).cumcount()
    return frame


def fill_feed(archive: Path, folder: Path, timetable) -> dict:
    """Unzip ``archive`` into ``folder`` and fill the empty times of its stop_times.txt.

    Rows are matched to the timetable by trip and position in ``stop_sequence`` order (the
    stops must agree). Trips whose empty times cannot be filled (not running on DATE) are
    dropped from stop_times.txt and trips.txt: ferrobus cannot read empty times.
    """
    with zipfile.ZipFile(archive) as feed:
        feed.extractall(folder)
    stop_times = pd.read_csv(folder / "stop_times.txt", dtype=str, keep_default_na=False)
    columns = list(stop_times.columns)
    stop_times["sequence"] = stop_times["stop_sequence"].astype(int)
    stop_times = stop_times.sort_values(["trip_id", "sequence"], kind="stable")
    stop_times["position"] = stop_times.groupby("trip_id", sort=False).cumcount()
    merged = stop_times.merge(filled_times(timetable, archive.stem), on=["trip_id", "position"], how="left")
    matched = merged["filled_stop"].notna()
    mismatched = int((matched & (merged["filled_stop"] != merged["stop_id"])).sum())
    if mismatched:
        raise RuntimeError(f"{archive.name}: {mismatched} stop times do not match the timetable's stops")
    empty = (merged["arrival_time"] == "") | (merged["departure_time"] == "")
    for column in ("arrival_time", "departure_time"):
        use = (merged[column] == "") & matched
        merged.loc[use, column] = merged.loc[use, f"filled_{column.split('_')[0]}"]
    unfilled = merged.loc[
        (merged["arrival_time"] == "") | (merged["departure_time"] == ""), "trip_id"
    ].unique()
    merged = merged[~merged["trip_id"].isin(unfilled)]
    merged[columns].to_csv(folder / "stop_times.txt", index=False)
    trips = pd.read_csv(folder / "trips.txt", dtype=str, keep_default_na=False)
    trips[~trips["trip_id"].isin(unfilled)].to_csv(folder / "trips.txt", index=False)
    return {"filled": int((empty & matched).sum()), "dropped_trips": len(unfilled)}


def prepare_ferrobus_gtfs(gtfs: tuple[Path, ...], folder: Path) -> tuple[list[str], list[str]]:
    """GTFS folders for ferrobus, with every empty time filled; and a line per feed."""
    timetable = read_gtfs(list(gtfs), DATE)
    folders, notes = [], []
    for archive in gtfs:
        target = folder / archive.stem
        target.mkdir()
        counts = fill_feed(archive, target, timetable)
        folders.append(str(target))
        notes.append(
            f"{archive.name}: {counts['filled']:,} stop times filled, "
            f"{counts['dropped_trips']:,} trips without times on {DATE} dropped"
        )
    return folders, notes


def setup_ferrobus(osm: Path, gtfs: tuple[Path, ...], hexes, folder: Path) -> Ferrobus:
    import ferrobus

    started = time.perf_counter()
    folders, notes = prepare_ferrobus_gtfs(gtfs, folder)
    prepare_s = time.perf_counter() - started
    messages: list[str] = []
    date = dt.date.fromisoformat(DATE)

    def create():
        return ferrobus.create_transit_model(str(osm), folders, date, FERROBUS_WALK_SECONDS)

    with captured_stderr(messages):
        model_s, model = best_of(BUILD_REPEATS, create)

    def make_points() -> list:
        points = []
        for lon, lat in zip(hexes.geometry.x, hexes.geometry.y, strict=True):
            try:
                points.append(
                    ferrobus.create_transit_point(
                        lat, lon, model, FERROBUS_WALK_SECONDS, FERROBUS_NEAREST_STOPS
                    )
                )
            except (ValueError, RuntimeError):
                points.append(None)
        return points

    points_s, points = best_of(SINGLE_REPEATS, make_points)
    snapped = np.array([i for i, point in enumerate(points) if point is not None])
    optional = sum(line.startswith("Skipping optional GTFS file") for line in messages)
    seen: set[str] = set()
    unique = [
        line
        for line in messages
        if not line.startswith("Skipping optional GTFS file") and not (line in seen or seen.add(line))
    ]
    if optional:
        notes.append(
            f"ferrobus skipped {optional // BUILD_REPEATS} optional GTFS files missing from the feeds"
        )
    return Ferrobus(ferrobus, model, points, snapped, prepare_s, model_s, points_s, notes + unique)


def ferrobus_matrix(fb: Ferrobus, n: int) -> tuple[float, np.ndarray]:
    """Seconds of ``ferrobus.travel_time_matrix`` and its minutes, NaN beyond MAX_TIME."""
    points = [fb.points[i] for i in fb.snapped]

    def run():
        return fb.module.travel_time_matrix(fb.model, points, DEPARTURE_SECONDS, FERROBUS_TRANSFERS + 1)

    seconds, rows = best_of(SINGLE_REPEATS, run)
    minutes = np.full((n, n), np.nan)
    values = np.array([[np.nan if value is None else value for value in row] for row in rows], dtype=float)
    minutes[np.ix_(fb.snapped, fb.snapped)] = values / 60.0
    minutes[minutes > MAX_TIME] = np.nan
    return seconds, minutes


# --------------------------------------------------------------------------- b. one departure
def agreement(ours: np.ndarray, theirs: np.ndarray) -> dict:
    a, b = np.isfinite(ours), np.isfinite(theirs)
    both = a & b
    gap = ours[both] - theirs[both]
    return {
        "ours": a.mean(),
        "theirs": b.mean(),
        "both": both.mean(),
        "both_of_either": both.sum() / max((a | b).sum(), 1),
        "ours_only": int((a & ~b).sum()),
        "theirs_only": int((b & ~a).sum()),
        "median_abs": float(np.median(np.abs(gap))) if gap.size else float("nan"),
        "faster": int((gap < -DIFFERENCE_MINUTES).sum()),
        "slower": int((gap > DIFFERENCE_MINUTES).sum()),
        "n_both": int(both.sum()),
    }


def print_agreement(label: str, s: dict) -> None:
    print(
        f"   {label}:\n"
        f"      reached by ours {s['ours']:.1%}, by ferrobus {s['theirs']:.1%}, by both {s['both']:.1%} "
        f"of all pairs ({s['both_of_either']:.1%} of the pairs either reaches); "
        f"ours only {s['ours_only']:,}, ferrobus only {s['theirs_only']:,}\n"
        f"      on the {s['n_both']:,} pairs both reach: median |ours - ferrobus| {s['median_abs']:.2f} min; "
        f"ours faster by > {DIFFERENCE_MINUTES:g} min on {s['faster']:,} "
        f"({s['faster'] / max(s['n_both'], 1):.1%}), slower by > {DIFFERENCE_MINUTES:g} min on "
        f"{s['slower']:,} ({s['slower'] / max(s['n_both'], 1):.1%})"
    )


FERROBUS_NOTE = f"""\
   Why the matrices differ (from ferrobus's docstrings and public source; the last two points
   were checked on pairs that differ by more than 10 min):
   - access: ferrobus boards only at the origin's nearest stop (MAX_CANDIDATE_STOPS = 1), then
     may walk a stop-to-stop footpath; ours tries every stop within the walking limit.
     Egress: ferrobus tries the {FERROBUS_NEAREST_STOPS} nearest stops of the destination, ours all in reach.
   - walking: both at 1.4 m/s ({FERROBUS_WALK_KMH:.2f} km/h), at most {FERROBUS_WALK_SECONDS} s per leg
     (1,680 m); ferrobus on an undirected graph (largest component) from the nearest street
     node, ours on the walking graph from the projection on the nearest edge.
   - boarding: no slack in either (ours: board_slack=0). ferrobus's max_transfers=4 means 4
     rides (rounds), as our max_transfers=3.
   - chained walks: ferrobus adds a stop-to-stop footpath to the access walk (before the first
     ride) and to the egress walk (after the last), so one walk can last 2 x {FERROBUS_WALK_SECONDS} s;
     ours caps every walk at {FERROBUS_WALK_SECONDS} s.
   - stops beyond the OSM extract (ferrobus: "outside the street network coverage area") are
     tied to their nearest street node at any distance, with no walking time for the gap; ours
     adds the straight line to the street (up to 1,600 m) at walking speed."""


def bench_single(net, hexes, fb: Ferrobus | None, skip_reason: str) -> tuple[list[list[str]], dict]:
    n = len(hexes)
    ours_s, ttm = best_of(SINGLE_REPEATS, lambda: transit_matrix(net, hexes, **FERROBUS_SETTINGS))
    ours = square(ttm, n)
    label = f"{n}x{n}, 1 departure, 4 rides, 1,200 s walks at 1.4 m/s"
    rows = [[label, f"ours travel_time_matrix (best of {SINGLE_REPEATS})", f"{ours_s:.3f}", "", ""]]
    result = {"ours_s": ours_s, "ttm": ttm, "ratio": None}
    if fb is None:
        rows.append([label, f"ferrobus: skipped: {skip_reason}", "", "", ""])
        print_table("b. One departure vs ferrobus", ["matrix", "method", "seconds", "ours/peer", ""], rows)
        return rows, result
    try:
        fb_s, theirs = ferrobus_matrix(fb, n)
    except Exception as error:  # ferrobus is a peer: report its failure, go on
        rows.append([label, f"ferrobus: skipped: {type(error).__name__}: {error}", "", "", ""])
        print_table("b. One departure vs ferrobus", ["matrix", "method", "seconds", "ours/peer", ""], rows)
        return rows, result
    end_to_end = fb.points_s + fb_s
    result["ratio"] = ours_s / end_to_end
    result["ratio_alone"] = ours_s / fb_s
    rows += [
        [
            label,
            f"ferrobus create_transit_point x {n} (best of {SINGLE_REPEATS})",
            f"{fb.points_s:.3f}",
            "",
            f"{n - len(fb.snapped)} not snapped",
        ],
        [label, "ferrobus travel_time_matrix alone", f"{fb_s:.3f}", ratio_text(ours_s, fb_s), ""],
        [
            label,
            "ferrobus points + matrix (same work as ours)",
            f"{end_to_end:.3f}",
            ratio_text(ours_s, end_to_end),
            "target",
        ],
    ]
    print_table(
        "b. One departure vs ferrobus (ours: snapping, access, RAPTOR, table; ferrobus: its two steps)",
        ["matrix", "method", "seconds", "ours/peer", ""],
        rows,
    )
    print(f"\n   agreement (minutes, {n * n:,} pairs, both capped at {MAX_TIME} min):")
    print_agreement("ours as timed, at ferrobus's settings", agreement(ours, theirs))
    print(FERROBUS_NOTE)
    result["ferrobus_minutes"] = theirs
    return rows, result


# --------------------------------------------------------------------------- c. one-to-all, build
def bench_one_to_all(net, hexes, fb: Ferrobus | None, skip_reason: str, matrix_s: float) -> dict:
    """Mean milliseconds from one origin to every cell: ours as a service would ask
    (``rc.one_to_many``), ours through ``travel_time_matrix`` with one-row origins, ferrobus."""
    n = len(hexes)
    rng = np.random.default_rng(SEED)
    candidates = np.arange(n) if fb is None else fb.snapped
    origins = np.sort(rng.choice(candidates, size=N_ONE_TO_ALL, replace=False))
    lon, lat = hexes.geometry.x.to_numpy(), hexes.geometry.y.to_numpy()
    query = rc.one_to_many(
        net, hexes, mode="transit", departure=DEPARTURE, max_time=MAX_TIME, **FERROBUS_SETTINGS
    )

    def mean_ms(ask) -> float:
        ask(int(origins[0]))  # warm up this shape
        best = np.inf
        for _ in range(SINGLE_REPEATS):
            started = time.perf_counter()
            for origin in origins:
                ask(int(origin))
            best = min(best, time.perf_counter() - started)
        return 1e3 * best / len(origins)

    service_ms = mean_ms(lambda i: query.travel_times(lon[i], lat[i]))
    frame_ms = mean_ms(lambda i: transit_matrix(net, hexes.iloc[[i]], hexes, **FERROBUS_SETTINGS))
    label = f"1 origin -> {n} cells, 1 departure, 4 rides, 1,200 s walks at 1.4 m/s"
    result = {"service_ms": service_ms, "ratio": None}
    rows = [
        [
            label,
            "ours rc.one_to_many(...).travel_times(lon, lat)",
            f"{len(origins)}",
            f"{service_ms:.2f}",
            "target",
        ],
        [
            label,
            "ours travel_time_matrix, one-row origins (a frame)",
            f"{len(origins)}",
            f"{frame_ms:.2f}",
            "",
        ],
        [label, f"ours full {n}x{n} matrix / {n} (for scale)", f"{n}", f"{1e3 * matrix_s / n:.2f}", ""],
    ]
    if fb is None:
        rows.append([label, f"ferrobus: skipped: {skip_reason}", "", "", ""])
        result["rows"] = rows
        return result
    targets = [fb.points[i] for i in fb.snapped]
    try:
        fb_ms = mean_ms(
            lambda i: fb.module.find_routes_one_to_many(
                fb.model, fb.points[i], targets, DEPARTURE_SECONDS, FERROBUS_TRANSFERS + 1
            )
        )
    except Exception as error:
        rows.append([label, f"ferrobus: skipped: {type(error).__name__}: {error}", "", "", ""])
        result["rows"] = rows
        return result
    rows[0][4] = f"{ratio_text(service_ms, fb_ms)} (target)"
    rows[1][4] = ratio_text(frame_ms, fb_ms)
    rows.append([label, "ferrobus find_routes_one_to_many (points made beforehand)", f"{len(origins)}",
                 f"{fb_ms:.2f}", ""])  # fmt: skip
    result.update(rows=rows, ratio=service_ms / fb_ms)
    return result


def bench_car(net, hexes) -> tuple[float, list[list[str]]]:
    n = len(hexes)

    def car():
        with warnings.catch_warnings():
            warnings.simplefilter("ignore", rc.ReachableWarning)
            return rc.travel_time_matrix(net, hexes, mode="car", max_time=CAR_MAX_TIME, progress=False)

    car()
    seconds, ttm = best_of(SINGLE_REPEATS, car)
    reached = ttm["travel_time"].notna().mean()
    method = f"ours travel_time_matrix (best of {SINGLE_REPEATS})"
    return seconds, [[f"car {n}x{n}, {CAR_MAX_TIME} min", method, f"{seconds:.3f}", f"{reached:.1%} reached"]]


def bench_build(paths, fb: Ferrobus | None, skip_reason: str):
    def build():
        return rc.Network.build(paths.osm, gtfs=list(paths.gtfs), date=DATE, cache=False, progress=False)

    build_s, net = best_of(BUILD_REPEATS, build)
    rows = [["ours Network.build (OSM + GTFS, cache=False)", f"{build_s:.3f}", ""]]
    if fb is None:
        rows.append([f"ferrobus: skipped: {skip_reason}", "", ""])
    else:
        rows += [
            [
                "ferrobus create_transit_model (OSM + filled GTFS folders)",
                f"{fb.model_s:.3f}",
                ratio_text(build_s, fb.model_s),
            ],
            ["(filling ferrobus's GTFS folders, benchmark side, not timed above)", f"{fb.prepare_s:.3f}", ""],
        ]
    return net, build_s, rows


# --------------------------------------------------------------------------- d. GTFS
def bench_gtfs(paths) -> list[list[str]]:
    read_s, timetable = best_of(BUILD_REPEATS, lambda: read_gtfs(list(paths.gtfs), DATE))
    return [
        [
            "read_gtfs(eptc + trensurb)",
            f"{read_s:.3f}",
            f"{timetable.n_stops:,} stops, {timetable.n_trips:,} trips, "
            f"{len(timetable.stop_time_stop):,} stop times",
        ]
    ]


# --------------------------------------------------------------------------- e. two processes
def small_window_origins(hexes):
    rng = np.random.default_rng(SEED + 1)
    return hexes.iloc[np.sort(rng.choice(len(hexes), size=SMALL_WINDOW_ORIGINS, replace=False))]


def small_windowed(net, hexes) -> pd.DataFrame:
    return transit_matrix(
        net,
        small_window_origins(hexes),
        hexes,
        time_window=SMALL_WINDOW,
        percentiles=PERCENTILES,
        max_transfers=R5R_TRANSFERS,
    )


def worker(folder: Path) -> None:
    """Build the network and write both matrices to ``folder`` (run in a separate process)."""
    paths = rc.datasets.porto_alegre()
    hexes = rc.datasets.porto_alegre_hexgrid()
    net = rc.Network.build(paths.osm, gtfs=list(paths.gtfs), date=DATE, cache=False, progress=False)
    transit_matrix(net, hexes, **FERROBUS_SETTINGS).to_parquet(folder / "single.parquet")
    small_windowed(net, hexes).to_parquet(folder / "windowed.parquet")
    (folder / "peak_mb.txt").write_text(f"{peak_mb():.1f}")


def bench_processes(net, hexes, single: pd.DataFrame) -> tuple[list[list[str]], bool, float]:
    here = small_windowed(net, hexes)
    peaks: list[float] = []
    with tempfile.TemporaryDirectory() as root:
        folders = []
        for k in (1, 2):
            folder = Path(root) / f"process{k}"
            folder.mkdir()
            environment = {**os.environ, "PYTHONHASHSEED": str(k)}
            started = time.perf_counter()
            done = subprocess.run(
                [sys.executable, str(Path(__file__).resolve()), "--worker", str(folder)],
                env=environment,
                capture_output=True,
                text=True,
                timeout=900,
                check=False,
            )
            if done.returncode != 0:
                raise RuntimeError(f"worker {k} failed:\n{done.stderr[-2000:]}")
            peaks.append(float((folder / "peak_mb.txt").read_text()))
            print(
                f"   process {k} (PYTHONHASHSEED={k}): {time.perf_counter() - started:.1f} s, "
                f"peak {peaks[-1]:.0f} MB"
            )
            folders.append(folder)
        rows, all_same = [], True
        for name, ours in (("single.parquet", single), ("windowed.parquet", here)):
            first, second = (pd.read_parquet(folder / name) for folder in folders)
            between = first.equals(second)
            with_this = first.reset_index(drop=True).equals(ours.reset_index(drop=True))
            all_same &= between
            what = (
                f"{len(hexes)}x{len(hexes)}, 1 departure, 4 rides, at ferrobus's reach"
                if name == "single.parquet"
                else f"{SMALL_WINDOW_ORIGINS}x{len(hexes)}, {SMALL_WINDOW} departures, 5 percentiles"
            )
            rows.append([what, f"identical: {between}", f"identical: {with_this}"])
    return rows, all_same, max(peaks)


# --------------------------------------------------------------------------- f. memory
def peak_mb() -> float:
    """Peak resident memory of this process so far, in MB.

    Linux: ``VmHWM`` of /proc/self/status, the high-water mark of this process's own memory
    (``getrusage`` would report a child's peak as at least its parent's RSS when it was
    spawned). Elsewhere: ``getrusage``.
    """
    try:
        for line in Path("/proc/self/status").read_text().splitlines():
            if line.startswith("VmHWM:"):
                return int(line.split()[1]) * 1024 / 1e6
    except OSError:
        pass
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss  # KiB on Linux, bytes on macOS
    return peak / 1e6 if sys.platform == "darwin" else peak * 1024 / 1e6


def current_rss_text() -> str:
    try:
        import psutil
    except ImportError:
        return ""
    return f"; now {psutil.Process().memory_info().rss / 1e6:.0f} MB (psutil)"


# --------------------------------------------------------------------------- main
def ferrobus_or_reason(paths, hexes, folder: Path) -> tuple[Ferrobus | None, str]:
    try:
        import ferrobus
    except ImportError:
        return None, f"ferrobus not installed (pip install ferrobus=={FERROBUS_VERSION})"
    try:
        fb = setup_ferrobus(paths.osm, paths.gtfs, hexes, folder)
    except Exception as error:  # a peer's failure is reported, not fatal
        return None, f"ferrobus {ferrobus.__version__} failed: {type(error).__name__}: {error}"
    return fb, ""


def load_text() -> str:
    try:
        one, five, _ = os.getloadavg()
    except OSError:
        return "load average unknown"
    return f"load average {one:.2f} (1 min), {five:.2f} (5 min)"


def main() -> None:
    started = time.perf_counter()
    print_header()
    print(f"{load_text()} at the start: other work on the machine slows every timing")
    paths = rc.datasets.porto_alegre()
    hexes = rc.datasets.porto_alegre_hexgrid()
    memory: list[list[str]] = []

    def checkpoint(label: str) -> None:
        memory.append([label, f"{peak_mb():.0f}"])

    checkpoint("start (imports, sample data)")
    with tempfile.TemporaryDirectory() as folder:
        fb, skip_reason = ferrobus_or_reason(paths, hexes, Path(folder))
        if fb is not None:
            version = fb.module.__version__
            if version != FERROBUS_VERSION:
                print(
                    f"note: ferrobus {version} installed; this benchmark was written for {FERROBUS_VERSION}"
                )
            print(f"ferrobus: {fb.model.stop_count():,} stops, {fb.model.route_count():,} routes; it said:")
            for line in fb.messages:
                print(f"   {line}")
        checkpoint("ferrobus model and points")

        net, build_s, build_rows = bench_build(paths, fb, skip_reason)
        print(f"network: {net}")
        print(f"numba warm-up (compilation): {warm_up(net, hexes):.1f} s")
        checkpoint("our network (3 builds) and warm-up")

        _, windowed_s = bench_windowed(net, hexes)
        checkpoint("a. windowed matrices")
        _, single = bench_single(net, hexes, fb, skip_reason)
        checkpoint("b. single-departure matrices (ours and ferrobus)")

        one = bench_one_to_all(net, hexes, fb, skip_reason, single["ours_s"])
        print_table(
            f"c. One origin to all cells, mean over {N_ONE_TO_ALL} random origins (fixed seed), "
            f"best of {SINGLE_REPEATS} rounds",
            ["query", "method", "origins", "ms/origin", "ours/peer"],
            one["rows"],
        )
        car_s, car_rows = bench_car(net, hexes)
        print_table("   Car matrix", ["matrix", "method", "seconds", ""], car_rows)
        print_table(
            f"   Network build (best of {BUILD_REPEATS})", ["step", "seconds", "ours/peer"], build_rows
        )
        checkpoint("c. one-to-all")

    print_table(
        f"d. GTFS reading alone (best of {BUILD_REPEATS})", ["step", "seconds", "size"], bench_gtfs(paths)
    )

    print("\ne. Same results in two separate processes (each builds its own network)")
    process_rows, identical, worker_peak = bench_processes(net, hexes, single["ttm"])
    print_table(
        "   parquet files compared with DataFrame.equals",
        ["matrix", "process 1 vs process 2", "process 1 vs this process"],
        process_rows,
    )
    checkpoint("e. small windowed matrix")

    memory.append(["worker process: ours only (build, 1 departure, small windowed)", f"{worker_peak:.0f}"])
    print_table(
        f"f. Peak memory (resident, MB; this process includes ferrobus){current_rss_text()}",
        ["peak after", "MB"],
        memory,
    )

    ratio, ratio_alone, one_ratio = single["ratio"], single.get("ratio_alone"), one["ratio"]

    def measured(value, text: str, ok) -> list[str]:
        return ["skipped", "skipped"] if value is None else [text, verdict(ok)]

    targets = [
        ["a. r5r workload (120 departures, 5 percentiles, 3 rides)", BEFORE["windowed"],
         f"<= {TARGET_WINDOWED_SECONDS:g} s", f"{windowed_s:.2f} s",
         verdict(windowed_s <= TARGET_WINDOWED_SECONDS)],
        ["b. 1227 x 1227, 1 departure, ferrobus's reach, 4 rides (vs its points + matrix)", BEFORE["single"],
         f"<= {TARGET_FERROBUS_RATIO}x ferrobus",
         *measured(ratio, f"{ratio or 0:.2f}x ({ratio_alone or 0:.2f}x its matrix alone)",
                   (ratio or 0) <= TARGET_FERROBUS_RATIO)],
        ["c. one origin -> 1227 cells, same settings (rc.one_to_many)", BEFORE["one_to_all"],
         f"<= {TARGET_ONE_TO_ALL_RATIO:g}x ferrobus",
         *measured(one_ratio, f"{one_ratio or 0:.2f}x ({one['service_ms']:.2f} ms)",
                   (one_ratio or 0) <= TARGET_ONE_TO_ALL_RATIO)],
        [f"car 1227 x 1227, {CAR_MAX_TIME} min", BEFORE["car"], f"<= {TARGET_CAR_SECONDS:g} s",
         f"{car_s:.3f} s", verdict(car_s <= TARGET_CAR_SECONDS)],
        ["e. identical results in two processes", "", "", f"{identical}", verdict(identical)],
    ]  # fmt: skip
    print_table("g. Targets (issue 14)", ["measure", "before", "target", "measured", "result"], targets)
    print(
        f"\ntotal benchmark time {time.perf_counter() - started:.0f} s (network build {build_s:.2f} s); "
        f"{load_text()} at the end"
    )


if __name__ == "__main__":
    if len(sys.argv) == 3 and sys.argv[1] == "--worker":
        worker(Path(sys.argv[2]))
    else:
        main()
