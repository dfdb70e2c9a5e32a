"""Seeded random towns for the transit tests: a street grid in OSM XML and GTFS feeds.

Each town has a square grid of two-way residential streets and two feeds whose ids clash
(both have stops ``S0``, ``S1``, ...), with routes of random stop sequences, trips whose
intermediate times are sometimes left empty (interpolated by the reader), trips of the
previous day running past midnight, frequency-based and exact-times frequencies, a service
removed and one added on the query day by calendar_dates.txt, and transfers.txt rows.
"""

from __future__ import annotations

import csv
from pathlib import Path

import numpy as np

LON0, LAT0, STEP = 3.0, 0.0, 0.002  # about 222 m between parallel streets
QUERY_DATE = "2019-05-13"  # a Monday


def clock(seconds: int) -> str:
    return f"{seconds // 3600:02d}:{seconds // 60 % 60:02d}:{seconds % 60:02d}"


def write_grid(path: Path, n: int) -> Path:
    """An n x n grid of residential streets, as OSM XML."""
    lines = ['<?xml version="1.0" encoding="UTF-8"?>', '<osm version="0.6" generator="tests">']
    node = lambda i, j: i * n + j + 1  # noqa: E731
    for i in range(n):
        for j in range(n):
            lines.append(f'<node id="{node(i, j)}" lat="{LAT0 + i * STEP:.6f}" lon="{LON0 + j * STEP:.6f}"/>')
    way = 1
    for i in range(n):
        for refs in ([node(i, j) for j in range(n)], [node(j, i) for j in range(n)]):
            nds = "".join(f'<nd ref="{r}"/>' for r in refs)
            lines.append(f'<way id="{way}" version="1">{nds}<tag k="highway" v="residential"/></way>')
            way += 1
    lines.append("</osm>")
    path.write_text("\n".join(lines))
    return path


def _write(folder: Path, name: str, header: list[str], rows: list[list]) -> None:
    with open(folder / name, "w", newline="") as file:
        writer = csv.writer(file)
        writer.writerow(header)
        writer.writerows(rows)


def write_feed(
    folder: Path,
    rng: np.random.Generator,
    n_grid: int,
    *,
    n_stops: int = 12,
    n_routes: int = 5,
    late_trips: int = 0,
) -> Path:
    """A random GTFS feed in ``folder`` for a town of ``n_grid`` streets.

    ``late_trips`` adds that many weekday trips per route, leaving between 23:00 and 24:10
    so that some run past midnight; the default 0 draws nothing more from ``rng``.
    """
    folder.mkdir(parents=True, exist_ok=True)
    extent = (n_grid - 1) * STEP
    stops = [
        [f"S{i}", f"stop {i}", f"{LAT0 + rng.uniform(0, extent):.6f}", f"{LON0 + rng.uniform(0, extent):.6f}"]
        for i in range(n_stops)
    ]
    _write(folder, "stops.txt", ["stop_id", "stop_name", "stop_lat", "stop_lon"], stops)
    _write(
        folder,
        "agency.txt",
        ["agency_id", "agency_name", "agency_url", "agency_timezone"],
        [["A", "Agency", "https://example.org", "UTC"]],
    )
    _write(
        folder,
        "calendar.txt",
        [
            "service_id",
            "monday",
            "tuesday",
            "wednesday",
            "thursday",
            "friday",
            "saturday",
            "sunday",
            "start_date",
            "end_date",
        ],
        [
            ["WK", 1, 1, 1, 1, 1, 0, 0, "20190101", "20191231"],
            ["SUN", 0, 0, 0, 0, 0, 0, 1, "20190101", "20191231"],
            ["GONE", 1, 1, 1, 1, 1, 1, 1, "20190101", "20191231"],
        ],
    )
    _write(
        folder,
        "calendar_dates.txt",
        ["service_id", "date", "exception_type"],
        [["GONE", "20190513", 2], ["EXTRA", "20190513", 1]],
    )
    routes, trips, stop_times, frequencies = [], [], [], []
    for r in range(n_routes):
        routes.append([f"R{r}", "A", f"{r}", f"route {r}", 3])
        sequence = rng.choice(n_stops, size=int(rng.integers(3, 7)), replace=False)
        hops = rng.integers(60, 400, size=len(sequence) - 1)
        dwell = rng.integers(0, 40, size=len(sequence))
        n_trips = int(rng.integers(3, 8))
        for t in range(n_trips + late_trips):
            late = t >= n_trips
            service = "WK" if late else str(rng.choice(["WK", "WK", "WK", "SUN", "GONE", "EXTRA"]))
            if late:  # journeys cross midnight on this trip, or wait for the next day's first ones
                start = int(rng.integers(23 * 3600, 24 * 3600 + 600))
            elif service == "SUN":  # runs past midnight of Sunday: boardable on Monday morning
                start = int(rng.integers(24 * 3600, 24 * 3600 + 2400))
            else:
                start = int(
                    rng.choice([rng.integers(0, 2400), rng.integers(14 * 3600 - 600, 14 * 3600 + 2400)])
                )
            trip_id = f"T{r}_{t}"
            trips.append([f"R{r}", service, trip_id])
            time = start
            for position, stop in enumerate(sequence):
                arrival = time
                departure = time + int(dwell[position])
                timed = position in (0, len(sequence) - 1) or rng.random() < 0.6
                stop_times.append(
                    [
                        trip_id,
                        clock(arrival) if timed else "",
                        clock(departure) if timed else "",
                        f"S{stop}",
                        position + 1,
                    ]
                )
                if position < len(sequence) - 1:
                    time = departure + int(hops[position])
        if r == 0:  # frequency-based: random phase per draw
            frequencies.append([f"T{r}_0", "14:00:00", "15:00:00", 600, 0])
        if r == 1:
            frequencies.append([f"T{r}_0", "13:50:00", "14:40:00", 900, 1])
    _write(
        folder,
        "routes.txt",
        ["route_id", "agency_id", "route_short_name", "route_long_name", "route_type"],
        routes,
    )
    _write(folder, "trips.txt", ["route_id", "service_id", "trip_id"], trips)
    _write(
        folder,
        "stop_times.txt",
        ["trip_id", "arrival_time", "departure_time", "stop_id", "stop_sequence"],
        stop_times,
    )
    _write(
        folder,
        "frequencies.txt",
        ["trip_id", "start_time", "end_time", "headway_secs", "exact_times"],
        frequencies,
    )
    _write(
        folder,
        "transfers.txt",
        ["from_stop_id", "to_stop_id", "transfer_type", "min_transfer_time"],
        [["S0", "S1", 2, 300], ["S2", "S2", 2, 180]],
    )
    return folder


N_GRID = 7
"""Streets each way in the towns of the tests."""


def write_town(folder: Path, seed: int, *, late_trips: int = 0):
    """A seeded town in ``folder``: its OSM file, two feeds (``bus``, ``tram``) and 8 points.

    Returns ``(osm path, {feed name: folder}, DataFrame of id, lon, lat)``; ``late_trips`` as
    in :func:`write_feed`.
    """
    import pandas as pd

    rng = np.random.default_rng(seed)
    osm = write_grid(folder / "town.osm", N_GRID)
    feeds = {name: write_feed(folder / name, rng, N_GRID, late_trips=late_trips) for name in ("bus", "tram")}
    extent = (N_GRID - 1) * STEP
    points = pd.DataFrame(
        {"id": np.arange(8), "lon": LON0 + rng.uniform(0, extent, 8), "lat": LAT0 + rng.uniform(0, extent, 8)}
    )
    return osm, feeds, points
