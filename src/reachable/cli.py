"""The ``reachable`` command: accessibility and travel-time matrices from the shell.

``reachable demo`` runs the whole pipeline on the Porto Alegre sample; ``reachable
accessibility``, ``reachable matrix`` and ``reachable shifts`` run it on your own files;
``reachable diagnose`` writes a mobility diagnosis of the people an adviser follows.
Run ``reachable --help`` or ``reachable <command> --help`` for the options.
"""

from __future__ import annotations

import argparse
import logging
import os
import shutil
import sys
import tempfile
import textwrap
import time
import warnings
from collections.abc import Callable, Sequence
from pathlib import Path

from .errors import (
    DataFileNotFoundError,
    InvalidParameterError,
    InvalidPointsError,
    ReachableError,
)
from .modes import ACCESS_MODES, combined_mode, graph_mode, is_transit, split_mode

__all__ = ["main"]

logger = logging.getLogger("reachable")

STREET_MODE_CHOICES = ("walk", "bike", "ebike", "moped", "car")
MODE_CHOICES = (*STREET_MODE_CHOICES, *(combined_mode(m) for m in ACCESS_MODES))
ACCESSIBILITY_FORMATS = (".gpkg", ".parquet", ".csv")
MATRIX_FORMATS = (".parquet", ".csv")

DEMO_DATE = "2019-05-13"
DEMO_DEPARTURE = "2019-05-13 14:00"
DEMO_TIME_WINDOW = 60
DEMO_MODES = ("walk", "bike", "transit", "car")
DEMO_CUTOFFS = (30, 45, 60)
DEMO_COLUMNS = ("jobs", "schools")
DEMO_MAP_CUTOFF = 45
DEMO_FILLED = ("jobs", "healthcare")

EXIT_ERROR = 2
TRACEBACK_VARIABLE = "REACHABLE_TRACEBACK"

_DESCRIPTION = """\
Which jobs and training sites can people reach, by walking, cycling, moped, car and
public transport? Builds a routing network from OpenStreetMap (and GTFS feeds), then
counts the opportunities reachable from each origin, or writes a travel-time matrix.
Networks are cached, so a second run on the same files starts at once."""

_EPILOG = """\
examples:
  reachable demo                         # Porto Alegre sample -> results/
  reachable demo --sample 10 --out quick # every 10th hexagon, for a quick look
  reachable accessibility --osm city.osm.pbf --gtfs bus.zip --date 2019-05-13 \\
      --opportunities hexes.gpkg --columns jobs schools --mode walk transit \\
      --cutoffs 30 45 60 --departure 14:00 --time-window 60 --out access.gpkg
  reachable matrix --osm city.osm.pbf --origins homes.csv --destinations schools.csv \\
      --mode bike --max-time 45 --out bike.parquet
  reachable matrix --network city.reachable --origins homes.csv --destinations jobs.csv \\
      --mode transit --arrival "2019-05-13 06:00" --max-time 90 --out by6.parquet
  reachable shifts --network city.reachable --homes homes.csv --workplaces jobs.csv \\
      --shift 06:00-14:00 22:00-06:00 --out shifts.csv
  reachable diagnose --network city.reachable --people people.csv --offers offers.csv \\
      --lang fr --out reports/

Points files: GeoPackage, GeoJSON, Shapefile... (read with geopandas), GeoParquet, or CSV
with id, lon, lat columns (WGS84 degrees); each needs an 'id' column.
Logs go to stderr; results to the --out file. Exit status 2 on any error."""


# ---------------------------------------------------------------------------- arguments
def _positive_number(text: str) -> float:
    try:
        value = float(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"expected a number, got {text!r}") from None
    if not value > 0 or value == float("inf"):
        raise argparse.ArgumentTypeError(f"expected a positive number, got {text!r}")
    return value


def _non_negative_number(text: str) -> float:
    try:
        value = float(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"expected a number, got {text!r}") from None
    if not 0 <= value < float("inf"):
        raise argparse.ArgumentTypeError(f"expected a number >= 0, got {text!r}")
    return value


def _positive_int(text: str) -> int:
    try:
        value = int(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"expected a whole number, got {text!r}") from None
    if value < 1:
        raise argparse.ArgumentTypeError(f"expected a whole number >= 1, got {text!r}")
    return value


def _percentile(text: str) -> float:
    try:
        value = float(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"expected a percentile in [0, 100], got {text!r}") from None
    if not 0 <= value <= 100:
        raise argparse.ArgumentTypeError(f"expected a percentile in [0, 100], got {text!r}")
    return value


def _network_options() -> argparse.ArgumentParser:
    parent = argparse.ArgumentParser(add_help=False)
    group = parent.add_argument_group("network (--osm, or --network)")
    group.add_argument("--osm", metavar="FILE", help="OpenStreetMap extract (.osm.pbf, .pbf, .osm, .osm.xml)")
    group.add_argument(
        "--network", metavar="FILE", help="a network saved with Network.save, instead of --osm/--gtfs/--date"
    )
    group.add_argument(
        "--gtfs", nargs="+", metavar="FEED", help="GTFS feeds (zip files or folders) for --mode transit"
    )
    group.add_argument(
        "--date",
        nargs="+",
        metavar="YYYY-MM-DD",
        help="service days of the GTFS feeds to route on (several: one timeline across them)",
    )
    group.add_argument(
        "--elevation",
        metavar="FILE",
        help="GeoTIFF of ground elevation (m, any CRS): walking and cycling times follow the slopes",
    )
    group.add_argument(
        "--no-cache", action="store_true", help="build the network again instead of reusing a cached one"
    )
    group.add_argument("--no-progress", action="store_true", help="hide the progress bars")
    return parent


def _transit_options() -> argparse.ArgumentParser:
    parent = argparse.ArgumentParser(add_help=False)
    group = parent.add_argument_group("public transport (--mode transit)")
    when = group.add_mutually_exclusive_group()
    when.add_argument(
        "--departure", metavar="HH:MM", help="first departure, on --date (e.g. 14:00 or '2019-05-13 14:00')"
    )
    when.add_argument(
        "--arrival",
        metavar="HH:MM",
        help="arrive by this time instead: the latest departures that make it (any mode)",
    )
    group.add_argument(
        "--time-window",
        type=_positive_int,
        default=1,
        metavar="MIN",
        help="minutes of departures, one per minute from --departure (default: 1)",
    )
    group.add_argument(
        "--percentiles",
        type=_percentile,
        nargs="+",
        default=[50.0],
        metavar="P",
        help="percentiles of the travel times over the window (default: 50, the median); "
        "several give one result per percentile",
    )
    return parent


def _vehicle_options() -> argparse.ArgumentParser:
    parent = argparse.ArgumentParser(add_help=False)
    group = parent.add_argument_group("vehicles to public transport (--mode bike+transit, car+transit...)")
    group.add_argument(
        "--max-access-time",
        type=_positive_number,
        metavar="MIN",
        help="minutes of the ride or drive to public transport (default: 15 by bike, 20 by car or moped)",
    )
    group.add_argument(
        "--park-and-ride",
        metavar="FILE",
        help="places where cars and mopeds are left (points or areas; default: OSM park_ride=*)",
    )
    group.add_argument(
        "--bike-parking-only",
        action="store_true",
        help="leave bikes only at stops within 100 m of an OSM bicycle parking",
    )
    return parent


def _vehicle_settings(args) -> dict:
    """The options of combined modes given on the command line."""
    settings = {}
    if args.max_access_time is not None:
        settings["max_access_time"] = args.max_access_time
    if args.park_and_ride is not None:
        settings["park_and_ride"] = _read_places(args.park_and_ride, "park-and-ride places")
    if args.bike_parking_only:
        settings["bike_parking_only"] = True
    return settings


def build_parser() -> argparse.ArgumentParser:
    """The argument parser of the ``reachable`` command, with its subcommands."""
    parser = argparse.ArgumentParser(
        prog="reachable",
        description=_DESCRIPTION,
        epilog=_EPILOG,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    from . import __version__

    parser.add_argument("--version", action="version", version=f"%(prog)s {__version__}")
    commands = parser.add_subparsers(dest="command", required=True, metavar="COMMAND")
    network, transit, vehicles = _network_options(), _transit_options(), _vehicle_options()

    demo = commands.add_parser(
        "demo",
        help="accessibility to jobs and schools in Porto Alegre, with maps and a summary",
        description=_wrap(
            "Run the whole pipeline on the Porto Alegre sample shipped with reachable (or read "
            "from $REACHABLE_DATA_DIR): build the street and transit network for "
            f"{DEMO_DATE}, count the jobs and schools reachable from each of the 1,227 hexagons "
            f"on foot, by bike, by transit and by car within {', '.join(map(str, DEMO_CUTOFFS))} "
            f"min (transit: median over departures {DEMO_DEPARTURE[-5:]}-15:00), and write "
            "accessibility.gpkg, one map per mode (map_<mode>.png, jobs within "
            f"{DEMO_MAP_CUTOFF} min), the four side by side (map_modes.png) and summary.txt to --out."
        ),
        epilog="example:\n  reachable demo --out results/",
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    demo.add_argument(
        "--out", default="results", metavar="DIR", help="folder of the results (default: results/)"
    )
    demo.add_argument(
        "--sample",
        type=_positive_int,
        default=1,
        metavar="N",
        help="use every Nth hexagon, for a quick look (default: 1, all of them)",
    )
    demo.add_argument("--no-progress", action="store_true", help="hide the progress bars")

    access = commands.add_parser(
        "accessibility",
        parents=[network, transit, vehicles],
        help="opportunities reachable from each origin, by mode and cutoff",
        description=_wrap(
            "Count the opportunities (numeric columns of --opportunities, such as jobs or schools) "
            "reachable from each origin within each cutoff, for each mode. Writes one row per "
            "origin, mode, cutoff (and percentile, when several): id, mode, cutoff, "
            "[percentile], one column per --columns name, and the origin's geometry."
        ),
        epilog=(
            "example:\n"
            "  reachable accessibility --osm poa_osm.pbf --gtfs poa_eptc.zip poa_trensurb.zip \\\n"
            "      --date 2019-05-13 --opportunities hexes.csv --columns jobs --mode walk transit \\\n"
            "      --cutoffs 30 60 --departure 14:00 --time-window 30 --out access.gpkg"
        ),
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    places = access.add_argument_group("places and measure")
    places.add_argument(
        "--opportunities",
        required=True,
        metavar="FILE",
        help="places with an 'id' column and count columns "
        "(.gpkg, .geojson, .parquet, .csv with id, lon, lat)",
    )
    places.add_argument(
        "--columns", required=True, nargs="+", metavar="C", help="count columns to sum, e.g. jobs schools"
    )
    places.add_argument(
        "--origins", metavar="FILE", help="where people start (same formats; default: the opportunities)"
    )
    places.add_argument(
        "--mode", required=True, nargs="+", choices=MODE_CHOICES, metavar="M", help=_modes_help()
    )
    places.add_argument(
        "--cutoffs",
        required=True,
        nargs="+",
        type=_positive_number,
        metavar="N",
        help="travel-time budgets in minutes, e.g. 30 45 60",
    )
    access.add_argument_group("output").add_argument(
        "--out",
        required=True,
        metavar="FILE",
        help="result file: .gpkg (GeoPackage), .parquet (GeoParquet) or .csv (no geometry)",
    )

    matrix = commands.add_parser(
        "matrix",
        parents=[network, transit, vehicles],
        help="travel times between origins and destinations by one mode",
        description=_wrap(
            "Write the travel time in minutes from every origin to every destination: columns "
            "from_id, to_id, travel_time (NaN beyond --max-time); with several percentiles one "
            "travel_time_p<P> column each."
        ),
        epilog=(
            "example:\n"
            "  reachable matrix --osm poa_osm.pbf --origins hexes.csv --mode car --max-time 60 \\\n"
            "      --out car.parquet"
        ),
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    points = matrix.add_argument_group("places and routing")
    points.add_argument(
        "--origins",
        required=True,
        metavar="FILE",
        help="points with an 'id' column (.gpkg, .geojson, .parquet, .csv with id, lon, lat)",
    )
    points.add_argument("--destinations", metavar="FILE", help="same formats (default: the origins)")
    points.add_argument(
        "--mode", required=True, choices=MODE_CHOICES, metavar="M", help=_modes_help(one=True)
    )
    points.add_argument(
        "--max-time",
        required=True,
        type=_positive_number,
        metavar="MIN",
        help="largest travel time of interest in minutes; longer trips are left empty",
    )
    matrix.add_argument_group("output").add_argument(
        "--out", required=True, metavar="FILE", help="result file: .csv or .parquet (one row per pair)"
    )
    shift = commands.add_parser(
        "shifts",
        parents=[network, vehicles],
        help="can each home reach each workplace by the start of a shift, and get home after it",
        description=_wrap(
            "For each home, workplace and shift: the latest departure from home arriving before "
            "the start, the earliest way home after the end, both durations and whether the "
            "commute is feasible within --max-time each way (else why). A shift ending before it "
            "starts ends the next day: build the network for both days (--date D D+1)."
        ),
        epilog=(
            "example:\n"
            "  reachable shifts --network poa.reachable --homes homes.csv --workplaces jobs.csv \\\n"
            "      --shift 06:00-14:00 22:00-06:00 --out shifts.csv"
        ),
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    people = shift.add_argument_group("people, places and shifts")
    people.add_argument("--homes", required=True, metavar="FILE", help="homes: points with an 'id' column")
    people.add_argument("--workplaces", required=True, metavar="FILE", help="workplaces, same formats")
    people.add_argument(
        "--shift",
        required=True,
        nargs="+",
        type=_shift,
        metavar="HH:MM-HH:MM",
        help="shifts, e.g. 06:00-14:00",
    )
    people.add_argument(
        "--shift-date",
        metavar="YYYY-MM-DD",
        help="the day the shifts start (default: the network's first day)",
    )
    people.add_argument(
        "--mode", default="transit", choices=MODE_CHOICES, metavar="M", help=_modes_help(one=True)
    )
    people.add_argument(
        "--max-time",
        type=_positive_number,
        default=60.0,
        metavar="MIN",
        help="longest trip each way (default 60)",
    )
    people.add_argument(
        "--arrive-early", type=float, default=5.0, metavar="MIN", help="minutes before the start (default 5)"
    )
    people.add_argument(
        "--leave-after", type=float, default=5.0, metavar="MIN", help="minutes after the end (default 5)"
    )
    shift.add_argument_group("output").add_argument(
        "--out",
        required=True,
        metavar="FILE",
        help="result file: .csv or .parquet (one row per home, workplace, shift)",
    )

    from .aids import LICENCES, MODES
    from .aids import default as default_aids

    aid_names = tuple(default_aids())
    diagnosis = commands.add_parser(
        "diagnose",
        parents=[network, vehicles],
        help="which job and training offers each person reaches in time, and which aid opens the rest",
        description=_wrap(
            "For each person and offer, check every working day of the offer: at work by the start "
            "(--arrive-early minutes before), home after the end (leaving --leave-after minutes "
            "after it), each way within the person's max_commute; by the modes they use now, then "
            "with each aid (a lent bike, a transit pass, a licence course...). Writes to --out: "
            "diagnosis.csv and diagnosis.gpkg (one row per person, offer and scenario; in the "
            "GeoPackage at the offer's place), summary.csv (one row per person), aid_effects.csv "
            "(per person and aid), caseload.csv (per aid) and sheets/ (index.html and one page per "
            "person). Public transport, used by people or aids, needs --gtfs and --date: a "
            "weekday, and a Saturday and a Sunday for offers on those days."
        ),
        epilog=(
            "example:\n"
            "  reachable diagnose --network poa.reachable --people people.csv --offers offers.csv \\\n"
            "      --lang fr --out reports/\n\n"
            "people.csv: id,lon,lat,modes,licences,max_commute[,walk_speed,max_walk_time,name]\n"
            '  e.g.      7,-51.22,-30.03,"walk,transit",,60\n'
            "offers.csv: id,kind,lon,lat,start,end,days[,name]\n"
            "  e.g.      a1,job,-51.19,-30.05,06:00,14:00,mon-fri\n"
            + _wrap(
                f"modes: a comma list among {', '.join(MODES)}; licences: {', '.join(LICENCES)} (a "
                "car needs B, a moped AM or B); max_commute: minutes one way; days: mon-fri, "
                "sat,sun, daily... Or any points file with these columns (GeoPackage, GeoParquet...)."
            )
        ),
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    cases = diagnosis.add_argument_group("people, offers and aids")
    cases.add_argument(
        "--people", required=True, metavar="FILE", help="the people followed: homes, modes, licences..."
    )
    cases.add_argument(
        "--offers", required=True, metavar="FILE", help="job and training offers: places, hours, days"
    )
    cases.add_argument(
        "--aids",
        nargs="+",
        choices=aid_names,
        metavar="NAME",
        help=f"aids to try, among {', '.join(aid_names)} (default: all)",
    )
    cases.add_argument(
        "--arrive-early",
        type=_non_negative_number,
        default=5.0,
        metavar="MIN",
        help="minutes at work before the start (default 5)",
    )
    cases.add_argument(
        "--leave-after",
        type=_non_negative_number,
        default=5.0,
        metavar="MIN",
        help="minutes from the end until leaving work (default 5)",
    )
    output = diagnosis.add_argument_group("output")
    output.add_argument(
        "--lang", choices=("en", "fr"), default="en", help="language of the pages (default: en)"
    )
    output.add_argument(
        "--out",
        required=True,
        metavar="DIR",
        help="folder of the results, made or updated (its other files are kept)",
    )

    desert = commands.add_parser(
        "deserts",
        parents=[network, transit, vehicles],
        help="where people reach too little without a car, and who lives there",
        description=_wrap(
            "Count the opportunities (--column of --grid) reachable from each cell within --cutoff "
            "minutes by --mode, and flag the cells below a poverty line: --line opportunities "
            "(--relative-to absolute), a share of the population-weighted median (median, the "
            "default), or a share of what a car reaches (car). Writes to --out: deserts.gpkg (the "
            "cells: accessibility, line, shortfall, desert, population), summary.csv (people in "
            "deserts, FGT0/1/2, by --income-group when given), desert_map.png and lorenz.png."
        ),
        epilog=(
            "example:\n"
            "  reachable deserts --network poa.reachable --grid cells.gpkg --column jobs \\\n"
            "      --mode transit --cutoff 45 --departure 14:00 --out deserts/"
        ),
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    where = desert.add_argument_group("cells and line")
    where.add_argument(
        "--grid", required=True, metavar="FILE", help="cells with an 'id', their people and opportunities"
    )
    where.add_argument("--column", required=True, metavar="C", help="the opportunities, e.g. jobs")
    where.add_argument("--mode", required=True, choices=MODE_CHOICES, metavar="M", help=_modes_help(one=True))
    where.add_argument("--cutoff", required=True, type=_positive_number, metavar="MIN", help="minutes")
    where.add_argument(
        "--line", type=_positive_number, default=0.5, metavar="X", help="the poverty line (default 0.5)"
    )
    where.add_argument(
        "--relative-to",
        choices=("absolute", "median", "car"),
        default="median",
        help="what the line is relative to (default: median)",
    )
    where.add_argument("--population", default="population", metavar="C", help="people per cell (column)")
    where.add_argument("--income-group", metavar="C", help="a column of groups, e.g. income_decile")
    desert.add_argument_group("output").add_argument(
        "--out", required=True, metavar="DIR", help="folder of the results, made or updated"
    )
    return parser


def _wrap(text: str) -> str:
    return textwrap.fill(text, width=88)


def _modes_help(one: bool = False) -> str:
    listed = ", ".join(MODE_CHOICES)
    return (
        f"{'mode' if one else 'modes'}: {listed} (transit and the X+transit modes, public transport "
        "reached on foot or by vehicle X, need --gtfs, --date and --departure or --arrival)"
    )


# ---------------------------------------------------------------------------- files
def _read_places(text: str, name: str):
    """Points or areas from a vector file, a GeoParquet file or a CSV of id, lon, lat."""
    import geopandas as gpd
    import pandas as pd

    path = Path(text)
    if not path.is_file():
        raise DataFileNotFoundError(f"{name} file not found: {path}")
    suffix = path.suffix.lower()
    try:
        if suffix == ".csv":
            frame = pd.read_csv(path)
            missing = [c for c in ("id", "lon", "lat") if c not in frame.columns]
            if missing:
                raise InvalidPointsError(
                    f"{name} file {path} has no {', '.join(missing)} column(s); a CSV needs id, lon and "
                    f"lat (WGS84 degrees), it has {', '.join(map(str, frame.columns))}"
                )
        elif suffix in (".parquet", ".geoparquet"):
            try:
                frame = gpd.read_parquet(path)
            except ValueError:  # a plain Parquet table: id, lon, lat
                frame = pd.read_parquet(path)
        else:
            frame = gpd.read_file(path)
    except ReachableError:
        raise
    except Exception as error:
        raise InvalidPointsError(f"cannot read {name} from {path}: {error}") from error
    logger.info("read %d %s from %s", len(frame), name, path)
    return frame


def _checked_output(text: str, formats: tuple[str, ...]) -> Path:
    path = Path(text)
    if path.suffix.lower() not in formats:
        raise InvalidParameterError(
            f"cannot tell the format of --out {path}: its name must end in {', '.join(formats)}"
        )
    if path.is_dir():
        raise InvalidParameterError(f"--out {path} is a folder; give a file name")
    _check_writable(path.parent)
    return path


def _check_writable(folder: Path) -> None:
    """Fail before the computation, not after it, when the results cannot be written."""
    try:
        folder.mkdir(parents=True, exist_ok=True)
        with tempfile.TemporaryFile(dir=folder):
            pass
    except OSError as error:
        raise InvalidParameterError(
            f"cannot write to {folder} ({error.strerror or error}); choose an --out you can write to"
        ) from None


def replace_atomically(path: Path, write: Callable[[Path], object]) -> Path:
    """Write a file through ``write(temporary)`` in the same folder, then rename it to ``path``.

    A crash or an interruption while writing leaves any earlier ``path`` untouched and no
    half-written file behind.
    """
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    temporary = path.with_name(f".{path.stem}.{os.getpid()}.partial{path.suffix}")
    leftovers = [
        temporary,
        *(temporary.with_name(temporary.name + end) for end in ("-journal", "-wal", "-shm")),
    ]
    try:
        for leftover in leftovers:
            leftover.unlink(missing_ok=True)
        write(temporary)
        os.replace(temporary, path)
    finally:
        for leftover in leftovers:
            leftover.unlink(missing_ok=True)
    return path


def replace_folder(path: Path, write: Callable[[Path], object]) -> Path:
    """Write a folder through ``write(temporary)`` next to it, then move what it wrote into ``path``.

    A failure while writing leaves no ``path``, or the earlier one untouched, and no temporary
    folder behind. In an existing ``path`` each file written replaces its namesake, each
    subfolder the old one whole (so that no stale page stays among the new ones); other files
    stay.
    """
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    here = path.resolve()  # ``--out .`` has no name of its own to derive the temporary one from
    temporary = here.with_name(f".{here.name}.{os.getpid()}.partial")
    shutil.rmtree(temporary, ignore_errors=True)
    temporary.mkdir()
    try:
        write(temporary)
        if not path.exists():
            os.replace(temporary, path)
            return path
        replaced = temporary / ".replaced"
        written = list(temporary.iterdir())
        replaced.mkdir()
        for entry in written:
            target = path / entry.name
            if target.is_dir():
                os.replace(target, replaced / entry.name)
            os.replace(entry, target)
    finally:
        shutil.rmtree(temporary, ignore_errors=True)
    return path


def _write_table(frame, path: Path, layer: str) -> Path:
    """Write by suffix: GeoPackage, (Geo)Parquet or CSV (without geometry)."""
    import geopandas as gpd

    suffix = path.suffix.lower()
    if suffix == ".gpkg":
        return replace_atomically(path, lambda tmp: frame.to_file(tmp, driver="GPKG", layer=layer))
    if suffix == ".parquet":
        return replace_atomically(path, lambda tmp: frame.to_parquet(tmp, index=False))
    if isinstance(frame, gpd.GeoDataFrame):
        frame = frame.drop(columns=frame.geometry.name)
    return replace_atomically(path, lambda tmp: frame.to_csv(tmp, index=False))


# ---------------------------------------------------------------------------- commands
def _progress(args) -> bool | None:
    return False if args.no_progress else None


def _build_network(args, modes: Sequence[str]):
    from .network import Network

    if args.network is not None:
        if args.osm or args.gtfs or args.date or args.elevation:
            raise InvalidParameterError(
                "give --network, or --osm (with --gtfs, --date and --elevation), not both"
            )
        network = Network.load(args.network)
        missing = [mode for mode in modes if mode not in network.modes]
        if missing:
            raise InvalidParameterError(
                f"{args.network} has no {', '.join(missing)} network (it has {', '.join(network.modes)}); "
                "build it with those modes"
            )
        return network
    if args.osm is None:
        raise InvalidParameterError(
            "give the network: --osm FILE (with --gtfs and --date), or --network FILE"
        )
    if any(map(is_transit, modes)) and not args.gtfs:
        raise InvalidParameterError("--mode transit needs --gtfs FEED [FEED ...] and --date YYYY-MM-DD")
    if bool(args.gtfs) != bool(args.date):
        raise InvalidParameterError(
            "--gtfs and --date go together: the feeds and the service day to route on, "
            "e.g. --gtfs bus.zip --date 2019-05-13"
        )
    for feed in args.gtfs or ():
        if not Path(feed).exists():
            raise DataFileNotFoundError(f"GTFS feed not found: {feed}")
    # The street graphs the modes travel: walking for public transport, the vehicle's own.
    street = {graph_mode(split_mode(m)[1] or m) for m in modes} | (
        {"walk"} if any(map(is_transit, modes)) else set()
    )
    street.discard("transit")
    return Network.build(
        args.osm,
        gtfs=args.gtfs or None,
        date=args.date,
        modes=sorted(street),
        cache=not args.no_cache,
        progress=_progress(args),
        elevation=args.elevation,
    )


def _run_accessibility(args) -> int:
    from .accessibility import accessibility
    from .points import as_points, opportunity_counts

    out = _checked_output(args.out, ACCESSIBILITY_FORMATS)
    opportunities = _read_places(args.opportunities, "opportunities")
    origins = opportunities if args.origins is None else _read_places(args.origins, "origins")
    # Check the places before the network is built, so that a typo fails at once.
    as_points(origins, "origins")
    as_points(opportunities, "opportunities", areas=True)
    opportunity_counts(opportunities, args.columns)
    modes = list(dict.fromkeys(args.mode))
    network = _build_network(args, modes)
    started = time.perf_counter()
    acc = accessibility(
        network, origins, opportunities, columns=args.columns, mode=modes, cutoffs=args.cutoffs,
        departure=args.departure, arrival=args.arrival, time_window=args.time_window,
        percentiles=tuple(args.percentiles), progress=_progress(args), **_vehicle_settings(args),
    )  # fmt: skip
    logger.info("accessibility of %d origins in %.1f s", len(origins), time.perf_counter() - started)
    _write_table(acc, out, layer="accessibility")
    print(f"wrote {len(acc):,} rows to {out}")
    return 0


def _run_matrix(args) -> int:
    from .matrix import travel_time_matrix
    from .points import as_points

    out = _checked_output(args.out, MATRIX_FORMATS)
    origins = _read_places(args.origins, "origins")
    destinations = None if args.destinations is None else _read_places(args.destinations, "destinations")
    as_points(origins, "origins")
    if destinations is not None:
        as_points(destinations, "destinations")
    network = _build_network(args, [args.mode])
    started = time.perf_counter()
    ttm = travel_time_matrix(
        network, origins, destinations, mode=args.mode, max_time=args.max_time, departure=args.departure,
        arrival=args.arrival, time_window=args.time_window, percentiles=tuple(args.percentiles),
        progress=_progress(args), **_vehicle_settings(args),
    )  # fmt: skip
    logger.info("%d travel times in %.1f s", len(ttm), time.perf_counter() - started)
    _write_table(ttm, out, layer="matrix")
    print(f"wrote {len(ttm):,} rows to {out}")
    return 0


def _run_shifts(args) -> int:
    from .points import as_points
    from .shifts import shifts

    out = _checked_output(args.out, MATRIX_FORMATS)
    homes, workplaces = _read_places(args.homes, "homes"), _read_places(args.workplaces, "workplaces")
    as_points(homes, "homes")
    as_points(workplaces, "workplaces")
    network = _build_network(args, [args.mode])
    day = args.shift_date or network.date
    if day is None:
        raise InvalidParameterError("give the day the shifts start: --shift-date YYYY-MM-DD")
    table = shifts(
        network, homes, workplaces, mode=args.mode, shifts=args.shift, date=day, max_time=args.max_time,
        arrive_early=args.arrive_early, leave_after=args.leave_after, progress=_progress(args),
        **_vehicle_settings(args),
    )  # fmt: skip
    feasible = table.groupby("shift", sort=False)["feasible"].mean()
    for shift, share in feasible.items():
        logger.info("shift %s: %s of the home-workplace pairs feasible", shift, _percent(100 * share))
    _write_table(table, out, layer="shifts")
    print(f"wrote {len(table):,} rows to {out}")
    return 0


def _run_diagnose(args) -> int:
    from .aids import catalogue
    from .diagnosis import diagnose, modes_needed, scenarios

    out = Path(args.out)
    if out.exists() and not out.is_dir():
        raise InvalidParameterError(f"--out {out} is a file; give a folder")
    _check_writable(out if out.is_dir() else out.parent)
    kit = catalogue(args.aids)
    people, offers, folks = _read_people_and_offers(args.people, args.offers)
    modes = modes_needed(scenarios(folks, kit))
    if args.network is None and any(map(is_transit, modes)) and not args.gtfs:
        raise InvalidParameterError(_transit_needed(folks, kit))
    routing = _vehicle_settings(args)
    network = _build_network(args, modes)
    started = time.perf_counter()
    result = diagnose(
        network, people, offers, aids=kit, arrive_early=args.arrive_early, leave_after=args.leave_after,
        progress=_progress(args), **routing,
    )  # fmt: skip
    logger.info(
        "diagnosis of %d people and %d offers by %s in %.1f s",
        len(result.people), len(result.offers), ", ".join(modes), time.perf_counter() - started,
    )  # fmt: skip
    for row in result.summary.itertuples(index=False):
        logger.info(
            "%s (%s): %d of %d offers feasible now%s; best aid: %s",
            row.person, row.name, row.feasible_now, row.offers,
            f" ({row.feasible_now_offers})" if row.feasible_now else "",
            f"{row.best_aid}, opens {row.best_aid_opens}, saves {row.best_aid_minutes_saved:.0f} min a day"
            if row.best_aid else "none",
        )  # fmt: skip
    for row in result.caseload.itertuples(index=False):
        logger.info(
            "aid %s: best for %d, helps %d, opens %d offers in all",
            row.aid, row.best_for, row.helps, row.offers_opened,
        )  # fmt: skip
    replace_folder(out, lambda folder: _write_diagnosis(result, folder, args.lang))
    logger.info(
        "wrote %s: diagnosis.csv, diagnosis.gpkg, summary.csv, aid_effects.csv, caseload.csv, sheets/", out
    )
    print(_diagnosis_line(result))
    return 0


def _run_deserts(args) -> int:
    import matplotlib

    from .accessibility import accessibility
    from .deserts import deserts
    from .points import opportunity_counts

    out = Path(args.out)
    if out.exists() and not out.is_dir():
        raise InvalidParameterError(f"--out {out} is a file; give a folder")
    grid = _read_places(args.grid, "grid")
    opportunity_counts(grid, [args.column], name="grid")
    relative_to = None if args.relative_to == "absolute" else args.relative_to
    modes = [args.mode] + (["car"] if relative_to == "car" and args.mode != "car" else [])
    network = _build_network(args, modes)
    acc = accessibility(
        network, grid, grid, columns=[args.column], mode=modes, cutoffs=[args.cutoff],
        departure=args.departure, arrival=args.arrival, time_window=args.time_window,
        percentiles=tuple(args.percentiles)[:1], progress=_progress(args), **_vehicle_settings(args),
    )  # fmt: skip
    result = deserts(
        acc, grid, column=args.column, mode=args.mode, cutoff=args.cutoff, line=args.line,
        relative_to=relative_to, population=args.population, income_group=args.income_group,
    )  # fmt: skip
    matplotlib.use("Agg")  # files only: no window
    replace_folder(out, lambda folder: _write_deserts(result, acc, grid, network, folder, args))
    everyone = result.summary.iloc[-1]
    print(
        f"{everyone['in_deserts']:,.0f} of {everyone['population']:,.0f} people ({everyone['fgt0']:.1%}) "
        f"live in deserts of {args.column} by {args.mode} within {args.cutoff:g} min; wrote {out}"
    )
    return 0


def _write_deserts(result, acc, grid, network, folder: Path, args) -> None:
    import matplotlib.pyplot as plt

    from . import plot

    result.cells.to_file(folder / "deserts.gpkg", driver="GPKG", layer="deserts")
    result.summary.to_csv(folder / "summary.csv", index=False)
    ax = plot.desert_map(result, network=network)
    ax.figure.savefig(folder / "desert_map.png", dpi=150)
    plt.close(ax.figure)
    ax = plot.lorenz(acc, grid, column=args.column, population=args.population)
    ax.figure.savefig(folder / "lorenz.png", dpi=150)
    plt.close(ax.figure)


def _read_people_and_offers(people_file: str, offers_file: str):
    """Both frames as read, and the people checked; one error lists the bad rows of both files."""
    from .people import read_offers, read_people

    people, offers = _read_places(people_file, "people"), _read_places(offers_file, "offers")
    problems = []
    try:
        folks = read_people(people)
    except InvalidPointsError as error:
        problems.append(str(error))
    try:
        read_offers(offers)
    except InvalidPointsError as error:
        problems.append(str(error))
    if problems:
        raise InvalidPointsError("\n".join(problems))
    return people, offers, folks


def _transit_needed(folks, kit) -> str:
    """Who uses public transport, for a network built without GTFS."""
    riders = [str(p) for p, own in zip(folks["id"], folks["modes"], strict=True) if any(map(is_transit, own))]
    users = [f"people {', '.join(riders[:5])}{', ...' if len(riders) > 5 else ''}"] if riders else []
    aids = [name for name, aid in kit.items() if any(map(is_transit, aid.modes))]
    if aids:
        users.append(f"the aids {', '.join(aids)} (choose others with --aids)")
    return (
        "public transport needs --gtfs FEED [FEED ...] and --date YYYY-MM-DD (a weekday, and a "
        f"Saturday and a Sunday for offers on those days); it is used by {' and by '.join(users)}"
    )


def _write_diagnosis(result, folder: Path, lang: str) -> None:
    """The tables and the pages of a diagnosis, into a new folder."""
    import geopandas as gpd
    import pandas as pd

    table, offers = result.table, result.offers
    at = pd.Index(offers["id"]).get_indexer(table["offer"])
    places = gpd.points_from_xy(offers["lon"].to_numpy()[at], offers["lat"].to_numpy()[at], crs="EPSG:4326")
    table.to_csv(folder / "diagnosis.csv", index=False)
    gpd.GeoDataFrame(table, geometry=places).to_file(
        folder / "diagnosis.gpkg", driver="GPKG", layer="diagnosis"
    )
    for name in ("summary", "aid_effects", "caseload"):
        getattr(result, name).to_csv(folder / f"{name}.csv", index=False)
    result.to_html(folder / "sheets", lang=lang)


def _diagnosis_line(result) -> str:
    """The result in one line: the person-offer pairs feasible now, and the aids most often best."""
    n_people, n_offers = len(result.people), len(result.offers)
    best = result.caseload[result.caseload["best_for"] > 0].sort_values(
        "best_for", ascending=False, kind="stable"
    )
    aids = ", ".join(f"{aid} ({count})" for aid, count in zip(best["aid"], best["best_for"], strict=True))
    return (
        f"{n_people} {'person' if n_people == 1 else 'people'}, {n_offers} offer{'s' * (n_offers != 1)}: "
        f"{int(result.summary['feasible_now'].sum())} feasible now; best aids: {aids or 'none'}"
    )


def _shift(text: str) -> tuple[str, str]:
    start, separator, end = text.partition("-")
    if not separator:
        raise argparse.ArgumentTypeError(f"expected a shift like 06:00-14:00, got {text!r}")
    return start.strip(), end.strip()


def _percent(value: float) -> str:
    if 99.95 <= value < 100:
        return "> 99.9 %"  # not "100.0 %" when a few jobs are out of reach
    return f"{value:.1f} %" if value >= 0.1 or value == 0 else f"{value:.2f} %"


def demo_summary(acc, totals: dict[str, float], *, n_cells: int, notes: Sequence[str] = ()) -> str:
    """The demo's summary: the share of the city's opportunities the median cell reaches."""
    from .plot import MODE_PHRASES

    lines = [
        f"Porto Alegre: {n_cells:,} hexagons; departures {DEMO_DEPARTURE} to 15:00 "
        "(transit times: the median over that hour).",
        "In the hexgrid: " + ", ".join(f"{totals[c]:,.0f} {c}" for c in DEMO_COLUMNS) + ".",
        *notes,
        "Car times are at posted speeds, without congestion. The maps share one colour scale.",
    ]
    modes = list(dict.fromkeys(acc["mode"]))
    medians = acc.groupby(["mode", "cutoff"])[list(DEMO_COLUMNS)].median()
    for column in DEMO_COLUMNS:
        lines.append("")
        for cutoff in sorted(acc["cutoff"].unique()):
            shares = [
                (_percent(100 * medians.loc[(mode, cutoff), column] / totals[column]), MODE_PHRASES[mode])
                for mode in modes
            ]
            (first, phrase), others = shares[0], shares[1:]
            lines.append(
                f"Within {cutoff:g} min, the median cell reaches {first} of the city's {column} {phrase}"
                + "".join(f", {share} {phrase}" for share, phrase in others)
                + "."
            )
    return "\n".join(lines) + "\n"


def demo_deserts(acc, hexes):
    """The demo's deserts: jobs by transit within 45 min below half of what a car reaches."""
    from .deserts import deserts

    return deserts(
        acc, hexes, column="jobs", mode="transit", cutoff=DEMO_MAP_CUTOFF, line=0.5, relative_to="car"
    )


def desert_summary(deserts, acc, hexes) -> str:
    """The deserts section of the demo's summary, with the Gini index of each mode."""
    from .equity import gini_index
    from .plot import MODE_PHRASES

    everyone = deserts.summary.iloc[-1]
    rows = acc[acc["cutoff"] == DEMO_MAP_CUTOFF]
    gini = gini_index(
        rows, hexes.fillna({"population": 0}), column="jobs", population="population", group_by=["mode"]
    )
    ginis = [
        f"{value:.2f} {MODE_PHRASES[mode]}"
        for mode, value in zip(gini["mode"], gini["gini_index"], strict=True)
    ]
    return "\n".join([
        "",
        f"Mobility deserts: cells where transit reaches less than half the jobs a car reaches in "
        f"{DEMO_MAP_CUTOFF} min. {everyone['in_deserts']:,.0f} of {everyone['population']:,.0f} people "
        f"({_percent(100 * everyone['fgt0'])}) live in one; mean shortfall (FGT1) {everyone['fgt1']:.3f}, "
        f"FGT2 {everyone['fgt2']:.3f} (deserts_transit.png).",
        f"Gini index of the jobs reachable within {DEMO_MAP_CUTOFF} min, over the people: "
        + ", ".join(ginis) + ".",
        "The Porto Alegre grid has population but no income: the measures by income (Palma ratio, "
        "concentration index, deserts by income decile) need an income column, as in the Belo "
        "Horizonte example (examples/mobility_deserts.py).",
    ]) + "\n"  # fmt: skip


def _save_desert_map(deserts, path: Path, network) -> Path:
    from matplotlib.backends.backend_agg import FigureCanvasAgg
    from matplotlib.figure import Figure

    from .plot import desert_map

    figure = Figure(figsize=(8, 8), layout="constrained")
    FigureCanvasAgg(figure)
    desert_map(deserts, network=network, ax=figure.subplots())
    return replace_atomically(path, lambda tmp: figure.savefig(tmp, dpi=120))


def _save_map(acc, mode: str, path: Path, **options) -> Path:
    from matplotlib.backends.backend_agg import FigureCanvasAgg
    from matplotlib.figure import Figure

    from .plot import accessibility_map

    figure = Figure(figsize=(8, 8), layout="constrained")
    FigureCanvasAgg(figure)  # the non-interactive backend, without touching pyplot's state
    accessibility_map(acc, "jobs", mode, DEMO_MAP_CUTOFF, ax=figure.subplots(), **options)
    return replace_atomically(path, lambda tmp: figure.savefig(tmp, dpi=120))


def _save_panels(acc, path: Path, **options) -> Path:
    import matplotlib.pyplot as plt

    from .plot import accessibility_panels

    figure = accessibility_panels(acc, "jobs", DEMO_MAP_CUTOFF, modes=list(DEMO_MODES), ncols=2, **options)
    try:
        return replace_atomically(path, lambda tmp: figure.savefig(tmp, dpi=120))
    finally:
        plt.close(figure)


def _unsnapped_note(network, hexes) -> str | None:
    """The hexagons too far from any street, said once in words (the log has their ids)."""
    from .matrix import DEFAULT_MAX_SNAP_DISTANCE

    x, y = hexes.geometry.x.to_numpy(), hexes.geometry.y.to_numpy()
    off = int((network.snap("walk", x, y, max_snap_distance=DEFAULT_MAX_SNAP_DISTANCE).edge < 0).sum())
    if not off:
        return None
    return (
        f"{off} hexagons lie more than {DEFAULT_MAX_SNAP_DISTANCE:,.0f} m from any walkable street of the "
        "OpenStreetMap extract: they reach nothing and nobody reaches them."
    )


def _run_demo(args) -> int:
    from . import datasets
    from .accessibility import accessibility
    from .network import Network

    started = time.perf_counter()
    out = Path(args.out)
    if out.exists() and not out.is_dir():
        raise InvalidParameterError(f"--out {out} is a file; give a folder")
    _check_writable(out)
    paths = datasets.porto_alegre()
    hexes = datasets.porto_alegre_hexgrid()
    missing = int(hexes[list(DEMO_FILLED)].isna().any(axis=1).sum())
    hexes = hexes.fillna(dict.fromkeys(DEMO_FILLED, 0))
    notes = []
    if missing:
        notes.append(
            f"{missing} of the {len(hexes):,} hexagons have no {' and '.join(DEMO_FILLED)} values in the "
            "published data; they count as 0 here."
        )
    if args.sample > 1:
        hexes = hexes.iloc[:: args.sample].reset_index(drop=True)
        notes.append(f"Quick look: one hexagon in {args.sample} only (--sample {args.sample}).")
    logger.info("Porto Alegre: %d hexagons", len(hexes))

    network = Network.build(
        paths.osm, gtfs=list(paths.gtfs), date=DEMO_DATE, modes=sorted({*DEMO_MODES} - {"transit"}),
        cache=True, progress=_progress(args),
    )  # fmt: skip
    computing = time.perf_counter()
    acc = accessibility(
        network, hexes, hexes, columns=list(DEMO_COLUMNS), mode=list(DEMO_MODES), cutoffs=list(DEMO_CUTOFFS),
        departure=DEMO_DEPARTURE, time_window=DEMO_TIME_WINDOW, percentiles=(50,), progress=_progress(args),
    )  # fmt: skip
    logger.info("accessibility by %s in %.1f s", ", ".join(DEMO_MODES), time.perf_counter() - computing)

    out.mkdir(parents=True, exist_ok=True)
    written = [_write_table(acc, out / "accessibility.gpkg", layer="accessibility")]
    shown = acc[acc["cutoff"] == DEMO_MAP_CUTOFF]["jobs"]
    scale = {"vmin": 0, "vmax": float(shown.max()), "network": network}
    for mode in DEMO_MODES:
        written.append(_save_map(acc, mode, out / f"map_{mode}.png", **scale))
    written.append(_save_panels(acc, out / "map_modes.png", **scale))
    unsnapped = _unsnapped_note(network, hexes)
    if unsnapped:
        notes.append(unsnapped)
    totals = {column: float(hexes[column].sum()) for column in DEMO_COLUMNS}
    deserts = demo_deserts(acc, hexes)
    written.append(_save_desert_map(deserts, out / "deserts_transit.png", network))
    summary = demo_summary(acc, totals, n_cells=len(hexes), notes=notes) + desert_summary(deserts, acc, hexes)
    written.append(replace_atomically(out / "summary.txt", lambda tmp: tmp.write_text(summary)))
    print(summary)
    print("wrote:")
    for path in written:
        print(f"  {path}")
    logger.info("demo done in %.1f s", time.perf_counter() - started)
    return 0


# ---------------------------------------------------------------------------- entry point
class _Formatter(logging.Formatter):
    def format(self, record: logging.LogRecord) -> str:
        level = "" if record.levelno == logging.INFO else f"{record.levelname.lower()}: "
        return f"reachable: {level}{record.getMessage()}"


class _Seen(logging.Filter):
    """Remembers the messages logged, so a warning also raised with warnings.warn shows once."""

    def __init__(self) -> None:
        super().__init__()
        self.messages: set[str] = set()

    def filter(self, record: logging.LogRecord) -> bool:
        self.messages.add(record.getMessage())
        return True


def main(argv: Sequence[str] | None = None) -> int:
    """Run the ``reachable`` command.

    Parameters
    ----------
    argv : list of str, optional
        The arguments after the program name; default ``sys.argv[1:]``.

    Returns
    -------
    int
        The exit status: 0 on success (and for ``--help``), 2 on a reachable error (the
        message is printed to stderr, without traceback) or a usage error.
    """
    parser = build_parser()
    try:
        args = parser.parse_args(argv)
    except SystemExit as exit_:  # --help, --version and usage errors
        return exit_.code if isinstance(exit_.code, int) else (0 if exit_.code is None else EXIT_ERROR)

    handler = logging.StreamHandler(sys.stderr)
    handler.setFormatter(_Formatter())
    seen = _Seen()
    handler.addFilter(seen)
    previous_level = logger.level
    logger.addHandler(handler)
    logger.setLevel(logging.INFO)

    def show_warning(message, category, filename, lineno, file=None, line=None):
        if str(message) not in seen.messages:
            logger.warning("%s", message)

    run = {
        "demo": _run_demo, "accessibility": _run_accessibility, "matrix": _run_matrix, "shifts": _run_shifts,
        "diagnose": _run_diagnose, "deserts": _run_deserts,
    }[args.command]  # fmt: skip
    try:
        with warnings.catch_warnings():
            warnings.showwarning = show_warning
            return run(args)
    except ReachableError as error:
        print(f"reachable: error: {error}", file=sys.stderr)
        return EXIT_ERROR
    except KeyboardInterrupt:
        print("reachable: interrupted", file=sys.stderr)
        return 130
    except OSError as error:  # a disk full, a file removed under our feet: still one line
        print(f"reachable: error: {error}", file=sys.stderr)
        return EXIT_ERROR
    except Exception as error:
        if os.environ.get(TRACEBACK_VARIABLE):
            raise
        print(
            f"reachable: error: unexpected {type(error).__name__}: {error} "
            f"(set {TRACEBACK_VARIABLE}=1 to see the traceback, and please report it)",
            file=sys.stderr,
        )
        return EXIT_ERROR
    finally:
        logger.removeHandler(handler)
        logger.setLevel(previous_level)


if __name__ == "__main__":
    sys.exit(main())
