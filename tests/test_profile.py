"""rc.accessibility_profile equals rc.accessibility at each time, from one search; rc.plot.profile."""

from __future__ import annotations

import matplotlib

matplotlib.use("Agg")

import matplotlib.dates as mdates
import matplotlib.pyplot as plt
import numpy as np
import pandas as pd
import pytest
from matplotlib.collections import PolyCollection

import reachable as rc
from reachable import profile as profile_module
from reachable.errors import InvalidParameterError, UnknownModeError

from .transit_towns import QUERY_DATE

pytestmark = pytest.mark.filterwarnings("ignore::reachable.ReachableWarning")

# Buses run from about 12:00 to 17:00 on 2019-05-13, the metro all day; given out of order.
TIMES = ["2019-05-13 16:59", "2019-05-13 06:00", "2019-05-13 18:00", "2019-05-13 11:30", "2019-05-13 14:00"]
COLUMNS = ["jobs", "healthcare"]
CUTOFFS = [30, 45]
MODES = ["transit", "walk"]


@pytest.fixture(autouse=True)
def close_figures():
    yield
    plt.close("all")


@pytest.fixture(scope="module")
def origins(places):
    return places.iloc[::25].reset_index(drop=True)


@pytest.fixture(scope="module")
def profiles(poa_transit, origins, places):
    """The profile of each kind of time, for transit and walking."""
    return {
        by: rc.accessibility_profile(
            poa_transit, origins, places, columns=COLUMNS, mode=MODES, cutoffs=CUTOFFS, times=TIMES, by=by
        )
        for by in ("departure", "arrival")
    }


def at_time(prof, when) -> pd.DataFrame:
    rows = prof[prof["time"] == pd.Timestamp(when)].drop(columns="time")
    return pd.DataFrame(rows).reset_index(drop=True)


@pytest.mark.parametrize("by", ["departure", "arrival"])
def test_profile_equals_accessibility_at_each_time(poa_transit, origins, places, profiles, by):
    prof = profiles[by]
    assert list(prof.columns) == ["id", "mode", "time", "cutoff", *COLUMNS, "geometry"]
    assert list(pd.unique(prof["mode"])) == MODES
    # Ordered by mode, then time (increasing, whatever the order given), cutoff, origin.
    for mode in MODES:
        assert list(pd.unique(prof.loc[prof["mode"] == mode, "time"])) == sorted(
            pd.Timestamp(t) for t in TIMES
        )
    for when in TIMES:
        acc = rc.accessibility(
            poa_transit, origins, places, columns=COLUMNS, mode=MODES, cutoffs=CUTOFFS, **{by: when}
        )
        pd.testing.assert_frame_equal(at_time(prof, when), pd.DataFrame(acc), check_exact=True)
    assert prof.attrs["totals"] == {c: float(places[c].sum()) for c in COLUMNS}
    assert prof.attrs["by"] == by


@pytest.mark.parametrize("by", ["departure", "arrival"])
def test_transit_drops_outside_bus_hours_and_walking_does_not(profiles, by):
    prof = profiles[by]
    transit = prof[(prof["mode"] == "transit") & (prof["cutoff"] == 45)]
    median = transit.groupby("time")["jobs"].median() / prof.attrs["totals"]["jobs"]
    assert median[pd.Timestamp("2019-05-13 14:00")] > 2 * median[pd.Timestamp("2019-05-13 06:00")]
    assert median[pd.Timestamp("2019-05-13 14:00")] > 2 * median[pd.Timestamp("2019-05-13 18:00")]
    walk = prof[prof["mode"] == "walk"].pivot_table(index=["id", "cutoff"], columns="time", values="jobs")
    assert (walk.to_numpy() == walk.to_numpy()[:, :1]).all()


@pytest.mark.parametrize("by", ["departure", "arrival"])
def test_percentiles_over_frequency_draws_equal_accessibility_at_each_time(town, by):
    network, points = town
    places = points.assign(jobs=np.random.default_rng(0).integers(0, 100, len(points)))
    times = [f"{QUERY_DATE} {clock}" for clock in ("14:02", "14:13", "14:27", "14:44")]
    settings = {"cutoffs": list(range(1, 31)), "percentiles": (10, 50, 90), "frequency_draws": 5}
    prof = rc.accessibility_profile(
        network, points, places, columns="jobs", mode="transit", times=times, by=by, **settings
    )
    assert "percentile" in prof.columns
    for when in times:
        acc = rc.accessibility(
            network, points, places, columns="jobs", mode="transit", **{by: when}, **settings
        )
        pd.testing.assert_frame_equal(at_time(prof, when), pd.DataFrame(acc), check_exact=True)
    # Where a frequency-based service runs (not in town 2), the draws differ somewhere: the
    # percentiles over them are tested.
    if len(network.timetable.frequency_trip):
        spread = prof.pivot_table(index=["time", "cutoff", "id"], columns="percentile", values="jobs")
        assert (spread[90] != spread[10]).any()


@pytest.mark.parametrize(
    ("by", "search", "times"),
    [("departure", "transit_blocks", "departures"), ("arrival", "arrival_blocks", "deadlines")],
)
def test_one_search_covers_every_time(poa_transit, origins, places, monkeypatch, by, search, times):
    """One range search (one call of the kernels' driver) for all the times, none per time."""
    calls = []
    blocks = getattr(profile_module, search)

    def counted(network, origin_points, destination_points, query, **options):
        calls.append(getattr(query, times).copy())
        yield from blocks(network, origin_points, destination_points, query, **options)

    def refused(*args, **kwargs):
        raise AssertionError("transit goes through the range search, not the street searches")

    monkeypatch.setattr(profile_module, search, counted)
    monkeypatch.setattr(profile_module, "street_opportunity_sums", refused)
    rc.accessibility_profile(
        poa_transit, origins.iloc[:5], places, columns="jobs", mode="transit", cutoffs=45, times=TIMES, by=by
    )
    assert len(calls) == 1
    assert list(calls[0]) == sorted(rc.timeline.timeline_seconds(poa_transit, t) for t in TIMES)


def test_times_forms_and_percentile_column(poa_transit, origins, places):
    prof = rc.accessibility_profile(
        poa_transit, origins.iloc[:3], places, columns="jobs", mode="walk", cutoffs=[15, 30],
        times=np.array(["2019-05-13T08:00", "2019-05-13T07:30:20.7"], dtype="datetime64[ms]"),
        percentiles=(25, 75),
    )  # fmt: skip
    assert list(prof.columns) == ["id", "mode", "time", "cutoff", "percentile", "jobs", "geometry"]
    assert pd.api.types.is_datetime64_dtype(prof["time"])
    assert list(pd.unique(prof["time"])) == [
        pd.Timestamp("2019-05-13 07:30:20"),
        pd.Timestamp("2019-05-13 08:00"),
    ]
    first = prof.iloc[: 2 * 2 * 3]
    assert list(first["cutoff"]) == [15.0] * 6 + [30.0] * 6
    assert list(first["percentile"]) == [25.0] * 3 + [75.0] * 3 + [25.0] * 3 + [75.0] * 3
    assert "percentile" not in prof.attrs
    # A time of day alone on a one-day network, and one time on its own.
    one = rc.accessibility_profile(
        poa_transit, origins.iloc[:3], places, columns="jobs", mode="transit", cutoffs=30, times="14:00"
    )
    assert list(pd.unique(one["time"])) == [pd.Timestamp("2019-05-13 14:00")]


@pytest.mark.parametrize(
    ("change", "error", "message"),
    [
        ({"by": "sideways"}, InvalidParameterError, "by must be 'departure'"),
        ({"times": []}, InvalidParameterError, "times is empty"),
        ({"times": 1400}, InvalidParameterError, "times must be a list of times"),
        ({"times": ["2019-05-13 14:00", "2019-05-13 14:00:00"]}, InvalidParameterError, "repeated values"),
        ({"times": ["2019-05-13 14:00", "2019-05-14 08:00"]}, InvalidParameterError, "not on 2019-05-13"),
        ({"times": ["2019-05-13"]}, InvalidParameterError, "has no time of day"),
        ({"times": [pd.Timestamp("2019-05-13 14:00"), pd.NaT]}, InvalidParameterError, "missing time"),
        ({"departure": "2019-05-13 14:00"}, InvalidParameterError, "takes no departure: times= gives"),
        ({"time_window": 10}, InvalidParameterError, "takes no time_window"),
        ({"max_time": 60}, InvalidParameterError, "takes no max_time"),
        ({"columns": ["jobs", "time"]}, InvalidParameterError, "the name is taken by the output"),
        ({"cutoffs": [0, 30]}, InvalidParameterError, "cutoffs must be positive"),
        ({"mode": "boat"}, UnknownModeError, "unknown or unavailable mode 'boat'"),
        ({"percentiles": 120}, InvalidParameterError, "percentiles must be numbers in"),
    ],
)
def test_bad_arguments_are_refused_with_clear_messages(poa_transit, origins, places, change, error, message):
    arguments = {"columns": "jobs", "mode": "transit", "cutoffs": 30, "times": ["2019-05-13 14:00"], **change}
    with pytest.raises(error, match=message):
        rc.accessibility_profile(poa_transit, origins.iloc[:3], places, **arguments)


def fake_profile() -> pd.DataFrame:
    """A profile of 3 origins across midnight: walking flat, transit rising then falling."""
    times = pd.date_range("2019-05-13 22:00", "2019-05-14 02:00", freq="1h")
    frames = []
    for mode, level in (("transit", [10.0, 30.0, 50.0, 30.0, 10.0]), ("walk", [5.0] * 5)):
        for k, value in enumerate(level):
            frames.append(
                pd.DataFrame({
                    "id": ["a", "b", "c"], "mode": mode, "time": times[k], "cutoff": 45.0,
                    "jobs": [value, 2 * value, 6 * value],
                })
            )  # fmt: skip
    prof = pd.concat(frames, ignore_index=True)
    prof.attrs.update(totals={"jobs": 400.0}, by="departure")
    return prof


def test_profile_plot_draws_a_median_and_a_band_per_mode_in_percent():
    ax = rc.plot.profile(fake_profile(), "jobs", cutoff=45)
    assert len(ax.lines) == 2
    assert len([c for c in ax.collections if isinstance(c, PolyCollection)]) == 2
    # Shares v/4, v/2 and 3v/2 %: the median is the middle origin's (not the mean, 3v/4).
    np.testing.assert_allclose(ax.lines[0].get_ydata(), [5.0, 15.0, 25.0, 15.0, 5.0])
    np.testing.assert_allclose(ax.lines[1].get_ydata(), [2.5] * 5)
    band = ax.collections[0].get_paths()[0].vertices[:, 1]
    # Linear between the origins' shares: 0.3 v at the 10th percentile, 1.3 v at the 90th.
    assert band.min() == pytest.approx(0.3 * 10) and band.max() == pytest.approx(1.3 * 50)
    assert "%" in ax.get_ylabel()
    assert ax.yaxis.get_major_formatter()(50, 0) == "50%"
    assert ax.get_ylim()[0] == 0
    clock = ax.xaxis.get_major_formatter()
    assert clock(mdates.date2num(pd.Timestamp("2019-05-13 23:00")), 0) == "23:00"
    assert clock(mdates.date2num(pd.Timestamp("2019-05-14 01:00")), 0) == "01:00\n(+1 day)"
    assert ax.get_xlabel() == "Departure time, Mon 2019-05-13"
    assert [t.get_text() for t in ax.get_legend().get_texts()] == [
        "By transit, median of the origins",
        "On foot, median of the origins",
        "10th to 90th percentile of the origins",
    ]
    assert ax.get_title() == "Share of jobs reachable within 45 min, leaving at each time"


def test_profile_plot_of_a_place_and_of_a_real_profile(profiles):
    ax = rc.plot.profile(fake_profile(), "jobs", mode="transit", place="c")
    assert len(ax.lines) == 2
    np.testing.assert_allclose(ax.lines[1].get_ydata(), [15.0, 45.0, 75.0, 45.0, 15.0])
    assert ax.lines[1].get_linestyle() == "--"
    _, ax = plt.subplots()
    assert rc.plot.profile(profiles["arrival"], "jobs", cutoff=30, ax=ax) is ax
    assert len(ax.lines) == 2 and ax.get_xlabel() == "Arrival time, Mon 2019-05-13"


@pytest.mark.parametrize(
    ("change", "message"),
    [
        ({"column": "schools"}, "column 'schools' is not in prof; available: 'jobs'"),
        ({"cutoff": 30}, "cutoff 30 is not in the frame; available: 45.0"),
        ({"mode": "bike"}, "mode 'bike' is not in the frame; available: 'transit', 'walk'"),
        ({"place": "z"}, "place 'z' is not an origin of prof; e.g. 'a', 'b', 'c'"),
        ({"percentile": 50}, "leave percentile out"),
    ],
)
def test_profile_plot_refuses_bad_selections(change, message):
    arguments = {"column": "jobs", **change}
    with pytest.raises(InvalidParameterError, match=message):
        rc.plot.profile(fake_profile(), **arguments)


def test_profile_plot_needs_the_totals():
    prof = fake_profile()
    prof.attrs = {}
    with pytest.raises(InvalidParameterError, match=r"prof.attrs\['totals'\] has no total of 'jobs'"):
        rc.plot.profile(prof, "jobs")
    with pytest.raises(InvalidParameterError, match=r"must be the frame of reachable\.accessibility_profile"):
        rc.plot.profile(prof.to_numpy(), "jobs")
