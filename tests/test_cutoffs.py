"""One definition of "within the cutoff": matrices, accessibility and measures agree to the trip."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

import reachable as rc
from reachable.cutoffs import last_second, search_limit, whole_seconds

pytestmark = pytest.mark.filterwarnings("ignore::reachable.ReachableWarning")

CUTOFFS = list(range(1, 61))


@pytest.mark.parametrize(
    ("cutoff", "seconds"), [(45, 2700), (1, 60), (2.05, 123), (0.5, 30), (45.999, 2759), (1 / 60, 1)]
)
def test_last_second_is_the_longest_whole_trip_within(cutoff, seconds):
    assert last_second(cutoff) == seconds
    assert search_limit(cutoff) == seconds + 0.5


def test_last_second_agrees_with_the_minutes_the_matrix_reports():
    # s / 60 is how a matrix shows s seconds; comparing it with the cutoff must give the same
    # answer as comparing s with last_second, for cutoffs typed as decimals and for odd floats.
    rng = np.random.default_rng(1)
    cutoffs = np.concatenate((np.arange(1, 3000) / 100, rng.uniform(0.01, 200, 2000)))
    seconds = np.arange(0, 13_000)
    for cutoff in cutoffs:
        np.testing.assert_array_equal(seconds / 60 <= cutoff, seconds <= last_second(cutoff))


def test_whole_seconds_rounds_and_keeps_unreached():
    np.testing.assert_array_equal(whole_seconds(np.array([2700.4, 2700.6, np.inf])), [2700, 2701, np.inf])


def matrix_sums(ttm: pd.DataFrame, places: pd.DataFrame, column: str = "travel_time") -> pd.DataFrame:
    """Jobs of the destinations within each cutoff, summed per origin, from the matrix alone."""
    jobs = ttm["to_id"].map(places.set_index("id")["jobs"]).to_numpy()
    sums = {
        cutoff: pd.Series(np.where(ttm[column].to_numpy() <= cutoff, jobs, 0.0)).groupby(ttm["from_id"]).sum()
        for cutoff in CUTOFFS
    }
    return pd.DataFrame(sums).reindex(places["id"])


def accessibility_table(acc: pd.DataFrame) -> pd.DataFrame:
    return acc.pivot_table(index="id", columns="cutoff", values="jobs", aggfunc="first")


@pytest.mark.parametrize(
    ("mode", "options"),
    [("walk", {}), ("transit", {"departure": "2019-05-13 14:00", "time_window": 5})],
)
def test_accessibility_equals_the_matrix_summed_at_every_whole_cutoff(poa_transit, places, mode, options):
    # The matrix searches farther (90 min) than accessibility (60): pairs at exactly a cutoff,
    # whose unrounded time is a fraction of a second past it, must count in both.
    ttm = rc.travel_time_matrix(poa_transit, places, mode=mode, max_time=90, **options)
    acc = rc.accessibility(poa_transit, places, places, columns="jobs", mode=mode, cutoffs=CUTOFFS, **options)
    expected = matrix_sums(ttm, places)
    got = accessibility_table(acc).reindex(places["id"])
    got.columns = got.columns.astype(int)
    pd.testing.assert_frame_equal(got, expected, check_names=False, check_exact=True)
    # The comparison matters: some pairs sit exactly at a whole minute.
    times = ttm["travel_time"].dropna().to_numpy()
    assert np.isin(times, CUTOFFS).sum() > 100
    # rc.measures on the same matrix counts the same trips.
    measured = rc.measures.cumulative_cutoff(ttm, places, columns="jobs", cutoffs=CUTOFFS)
    measured = measured.pivot_table(index="id", columns="cutoff", values="jobs", aggfunc="first").reindex(
        places["id"]
    )
    measured.columns = measured.columns.astype(int)
    pd.testing.assert_frame_equal(measured, expected, check_names=False, check_exact=True)
