"""Accessibility measures and decay functions on hand-computed cases.

The small town used throughout (3 origins A, B, C; 3 destinations 1, 2, 3), minutes:

    travel_time   to 1   to 2   to 3        id   jobs  schools  population
    from A          5     15     30         A      0      0        100
    from B         20     10    NaN         B      0      0        200
    from C         40     25     50         C      0      0        300
                                            1     10      1          0
                                            2     20      0          0
                                            3     40      2          0

B cannot reach 3 (NaN). Every expected number below is derived by hand in a comment.
"""

from __future__ import annotations

import math

import numpy as np
import pandas as pd
import pytest

import reachable as rc
from reachable import decay, measures
from reachable.errors import InvalidParameterError, InvalidPointsError


@pytest.fixture
def town():
    matrix = pd.DataFrame(
        {
            "from_id": list("AAABBBCCC"),
            "to_id": ["1", "2", "3"] * 3,
            "travel_time": [5, 15, 30, 20, 10, np.nan, 40, 25, 50],
        }
    )
    places = pd.DataFrame(
        {
            "id": list("ABC123"),
            "jobs": [0, 0, 0, 10, 20, 40],
            "schools": [0, 0, 0, 1, 0, 2],
            "population": [100, 200, 300, 0, 0, 0],
        }
    )
    return matrix, places


def column(result: pd.DataFrame, name: str, **where) -> list[float]:
    for key, value in where.items():
        result = result[result[key] == value]
    return result[name].tolist()


# --------------------------------------------------------------------------- decay


def test_decay_objects_are_frozen_dataclasses():
    d = decay.exponential(0.1)
    assert d.name == "exponential"
    assert d.params == {"beta": 0.1}
    assert d == decay.exponential(0.1)
    assert len({d, decay.exponential(0.1), decay.stepped([10], [0.5])}) == 2
    with pytest.raises(AttributeError):
        d.name = "linear"
    assert d(np.array([1.0, 2.0])).dtype == np.float64


def test_binary_includes_the_cutoff():
    # f(t) = 1 if t <= 30
    assert decay.binary(30)([0, 20, 30, 30.0001, 35]).tolist() == [1, 1, 1, 0, 0]
    assert decay.binary(30).max_cost == 30
    assert decay.binary(0)([0, 1]).tolist() == [1, 0]


def test_exponential_at_known_points():
    # exp(-0.1 * 10) = exp(-1); exp(0) = 1
    assert decay.exponential(0.1)([0, 10, 20]) == pytest.approx([1, math.exp(-1), math.exp(-2)])
    assert decay.exponential(0.1).max_cost == math.inf


def test_linear():
    # 1 - t / 40: 1 at 0, 0.75 at 10, 0.5 at 20, 0 at 40 and beyond
    assert decay.linear(40)([0, 10, 20, 40, 60]).tolist() == [1, 0.75, 0.5, 0, 0]
    assert decay.linear(40).max_cost == 40


def test_power_is_capped_at_one():
    # t ** -2: 0 -> inf -> capped 1, 0.5 -> 4 -> capped 1, 1 -> 1, 2 -> 0.25, 10 -> 0.01
    assert decay.power(2)([0, 0.5, 1, 2, 10]) == pytest.approx([1, 1, 1, 0.25, 0.01])
    assert decay.power(0)([0, 5, 100]).tolist() == [1, 1, 1]
    assert decay.power(2).max_cost == math.inf


def test_logistic_is_one_at_zero_and_half_at_cutoff():
    # f(t) = g(0) / g(t), g(x) = 1 + exp((x - T) pi / (sd sqrt 3)); f(0) = 1 exactly and
    # f(T) = (1 + exp(-T pi / (sd sqrt 3))) / 2: for T=20, sd=2 the exponential term is
    # exp(-18.1) ~ 1e-8, so 0.5; for T=30, sd=10, exp(-5.44) = 0.0043, so 0.502 (both
    # values are in ipea's test-decay_logistic.R).
    f = decay.logistic(20, 2)
    assert f([0, 20]) == pytest.approx([1, 0.5], abs=1e-7)
    g = decay.logistic(30, 10)
    assert g([0])[0] == 1
    assert g([30])[0] == pytest.approx(0.502, abs=1e-3)
    assert g([30])[0] == pytest.approx((1 + math.exp(-30 * math.pi / (10 * math.sqrt(3)))) / 2)
    # decreasing, tends to 0, never overflows
    w = g([0, 10, 30, 60, 1e6])
    assert np.all(np.diff(w) < 0) and w[-1] == 0
    assert g.max_cost == math.inf


def test_stepped_is_closed_on_the_left():
    # ipea's decay_stepped example: steps 10, 20, 30, 40 with weights 0.75, 0.5, 0.25, 0.
    # Costs 5, 25, 35, 45 -> 1, 0.5, 0.25, 0; at the steps themselves the new weight applies.
    f = decay.stepped([10, 20, 30, 40], [0.75, 0.5, 0.25, 0])
    assert f([5, 25, 35, 45]).tolist() == [1, 0.5, 0.25, 0]
    assert f([0, 10, 20, 30, 40]).tolist() == [1, 0.75, 0.5, 0.25, 0]
    assert f.max_cost == 40
    # last weight positive: never 0; weights need not decrease
    assert decay.stepped([10, 20], [0.5, 0.2]).max_cost == math.inf
    assert decay.stepped([10, 20, 30], [0, 0.5, 0]).max_cost == 30


def test_nan_cost_has_weight_zero():
    for d in (
        decay.binary(30),
        decay.exponential(0.1),
        decay.linear(30),
        decay.power(1),
        decay.logistic(30, 5),
        decay.stepped([10], [0.5]),
    ):
        assert d([np.nan, 5]).tolist()[0] == 0
        assert np.all((d([0, 5, 50, 500]) >= 0) & (d([0, 5, 50, 500]) <= 1))


@pytest.mark.parametrize(
    ("make", "args"),
    [
        (decay.binary, (-1,)),
        (decay.binary, (math.inf,)),
        (decay.binary, ("30",)),
        (decay.exponential, (-0.1,)),
        (decay.linear, (0,)),
        (decay.linear, (-5,)),
        (decay.power, (-1,)),
        (decay.logistic, (0, 5)),
        (decay.logistic, (30, 0)),
        (decay.logistic, (30, -1)),
        (decay.stepped, ([], [])),
        (decay.stepped, ([0, 10], [0.5, 0])),
        (decay.stepped, ([20, 10], [0.5, 0])),
        (decay.stepped, ([10, 10], [0.5, 0])),
        (decay.stepped, ([10, 20], [0.5])),
        (decay.stepped, ([10, 20], [1.5, 0])),
        (decay.stepped, ([10, 20], [0.5, -0.1])),
    ],
)
def test_decay_rejects_impossible_parameters(make, args):
    with pytest.raises(InvalidParameterError):
        make(*args)


def test_decay_rejects_negative_costs_and_unknown_names():
    with pytest.raises(InvalidParameterError, match="negative"):
        decay.binary(30)([-1, 5])
    with pytest.raises(InvalidParameterError, match="unknown decay"):
        decay.Decay("gaussian", {"sd": 1})
    with pytest.raises(InvalidParameterError):
        decay.Decay("binary", {"beta": 1})


# --------------------------------------------------------------------------- cumulative


def test_cumulative_cutoff_active(town):
    matrix, places = town
    result = measures.cumulative_cutoff(matrix, places, columns=["jobs", "schools"], cutoffs=15)
    # A reaches 1 (5 min) and 2 (15 min, the cutoff counts): 10 + 20 jobs, 1 school;
    # B reaches 2 (10): 20 jobs; C reaches nothing within 15 but is listed with 0.
    assert list(result.columns) == ["id", "jobs", "schools"]
    assert result["id"].tolist() == ["A", "B", "C"]
    assert result["jobs"].tolist() == [30, 20, 0]
    assert result["schools"].tolist() == [1, 0, 0]
    assert result["jobs"].dtype == np.float64


def test_cumulative_cutoff_several_cutoffs_is_monotonic(town):
    matrix, places = town
    result = measures.cumulative_cutoff(matrix, places, columns="jobs", cutoffs=[60, 15, 30])
    assert list(result.columns) == ["id", "cutoff", "jobs"]
    # rows sorted by id then cutoff
    assert result["cutoff"].tolist() == [15, 30, 60] * 3
    # A: 30 | 10+20+40 = 70 | 70;  B: 20 | 10+20 = 30 | 30 (3 unreachable);  C: 0 | 20 | 70
    assert column(result, "jobs", id="A") == [30, 70, 70]
    assert column(result, "jobs", id="B") == [20, 30, 30]
    assert column(result, "jobs", id="C") == [0, 20, 70]
    for _, rows in result.groupby("id"):
        assert rows["jobs"].is_monotonic_increasing


def test_cumulative_cutoff_passive(town):
    matrix, places = town
    result = measures.cumulative_cutoff(matrix, places, columns="population", cutoffs=15, active=False)
    # people who reach each destination within 15 min: 1 <- A (100); 2 <- A, B (300);
    # 3 <- nobody
    assert result["id"].tolist() == ["1", "2", "3"]
    assert result["population"].tolist() == [100, 300, 0]


def test_cumulative_cutoff_single_cutoff_in_a_list_has_no_cutoff_column(town):
    matrix, places = town
    result = measures.cumulative_cutoff(matrix, places, columns="jobs", cutoffs=[30])
    assert list(result.columns) == ["id", "jobs"]
    assert result["jobs"].tolist() == [70, 30, 20]


def test_cumulative_interval_median_and_mean(town):
    matrix, places = town
    # cutoffs 10, 11, ..., 20 (11 values).
    # A: 10 jobs at 10..14 (5 cutoffs), 30 at 15..20 (6) -> median 30, mean 230/11 = 20.9 -> 20
    # B: 20 at 10..19 (10), 30 at 20 (1)                -> median 20, mean 230/11 -> 20
    # C: 0 everywhere
    median = measures.cumulative_interval(matrix, places, columns="jobs", interval=(10, 20))
    assert median["jobs"].tolist() == [30, 20, 0]
    mean = measures.cumulative_interval(matrix, places, columns="jobs", interval=(10, 20), summary="mean")
    assert mean["jobs"].tolist() == [20, 20, 0]


def test_cumulative_interval_increment_and_even_count(town):
    matrix, places = town
    # cutoffs 10, 15, 20: A 10, 30, 30 -> median 30, mean 70/3 = 23.3 -> 23; B 20, 20, 30 -> 20, 23
    result = measures.cumulative_interval(
        matrix, places, columns="jobs", interval=(10, 20), interval_increment=5, summary="mean"
    )
    assert result["jobs"].tolist() == [23, 23, 0]
    # cutoffs 14, 15: A 10, 30 -> median of an even count is the mean of the two middle ones, 20
    result = measures.cumulative_interval(matrix, places, columns="jobs", interval=(14, 15))
    assert result["jobs"].tolist() == [20, 20, 0]
    # cutoffs 10, 14 (18 is past 17): A 10, 10 -> 10
    result = measures.cumulative_interval(
        matrix, places, columns="jobs", interval=(10, 17), interval_increment=4
    )
    assert result["jobs"].tolist() == [10, 20, 0]


def test_cumulative_interval_passive(town):
    matrix, places = town
    # cutoffs 10..20: dest 1 <- A (5) at all 11 cutoffs, + B at 20 -> median 100;
    # dest 2 <- B at all, A from 15 (6 cutoffs) -> median 300; dest 3 <- nobody
    result = measures.cumulative_interval(
        matrix, places, columns="population", interval=(10, 20), active=False
    )
    assert result["population"].tolist() == [100, 300, 0]


# --------------------------------------------------------------------------- gravity


def test_gravity_exponential(town):
    matrix, places = town
    result = measures.gravity(matrix, places, columns="jobs", decay=decay.exponential(0.1))
    # A: 10 e^-0.5 + 20 e^-1.5 + 40 e^-3 = 6.065 + 4.463 + 1.991 = 12.519
    # B: 10 e^-2 + 20 e^-1 = 1.353 + 7.358 = 8.711 (NaN to 3 left out)
    # C: 10 e^-4 + 20 e^-2.5 + 40 e^-5 = 0.183 + 1.642 + 0.270 = 2.094
    expected = [
        10 * math.exp(-0.5) + 20 * math.exp(-1.5) + 40 * math.exp(-3),
        10 * math.exp(-2) + 20 * math.exp(-1),
        10 * math.exp(-4) + 20 * math.exp(-2.5) + 40 * math.exp(-5),
    ]
    assert result["jobs"].tolist() == pytest.approx(expected)
    assert result["jobs"].tolist() == pytest.approx([12.519, 8.711, 2.094], abs=1e-3)


def test_gravity_with_binary_decay_equals_cumulative(town):
    matrix, places = town
    g = measures.gravity(matrix, places, columns=["jobs", "schools"], decay=decay.binary(30))
    c = measures.cumulative_cutoff(matrix, places, columns=["jobs", "schools"], cutoffs=30)
    pd.testing.assert_frame_equal(g, c)


def test_gravity_linear_and_stepped_passive(town):
    matrix, places = town
    # linear(40), weights 1 - t/40: A->1 0.875, A->2 0.625, A->3 0.25, B->1 0.5, B->2 0.75,
    # C->1 0, C->2 0.375, C->3 0.
    # passive population: 1 <- 100*0.875 + 200*0.5 = 187.5; 2 <- 62.5 + 150 + 112.5 = 325;
    # 3 <- 100 * 0.25 = 25
    result = measures.gravity(matrix, places, columns="population", decay=decay.linear(40), active=False)
    assert result["id"].tolist() == ["1", "2", "3"]
    assert result["population"].tolist() == pytest.approx([187.5, 325, 25])
    # stepped([10, 30], [0.5, 0]): weight 1 below 10, 0.5 on [10, 30), 0 from 30.
    # A: 10*1 + 20*0.5 + 0 = 20; B: 10*0.5 + 20*0.5 = 15; C: 20*0.5 = 10
    result = measures.gravity(matrix, places, columns="jobs", decay=decay.stepped([10, 30], [0.5, 0]))
    assert result["jobs"].tolist() == [20, 15, 10]


# --------------------------------------------------------------------------- floating catchment


def test_2sfca_by_hand(town):
    matrix, places = town
    result = measures.floating_catchment(
        matrix, places, columns="jobs", demand="population", decay=decay.binary(30)
    )
    # within 30 min: A -> 1, 2, 3; B -> 1, 2; C -> 2.
    # demand: 1 <- A + B = 300; 2 <- A + B + C = 600; 3 <- A = 100
    # jobs per person: 1: 10/300 = 1/30; 2: 20/600 = 1/30; 3: 40/100 = 0.4
    # A = 1/30 + 1/30 + 0.4; B = 2/30; C = 1/30
    assert result["id"].tolist() == ["A", "B", "C"]
    assert result["jobs"].tolist() == pytest.approx([2 / 30 + 0.4, 2 / 30, 1 / 30])


def test_2sfca_conserves_reached_opportunities(town):
    matrix, places = town
    population = places.set_index("id")["population"]
    # within 30: every destination is reached by somebody, sum_i A_i P_i = 10 + 20 + 40
    result = measures.floating_catchment(
        matrix, places, columns="jobs", demand="population", decay=decay.binary(30)
    )
    assert (result.set_index("id")["jobs"] * population).sum() == pytest.approx(70)
    # within 12: A reaches 1 only, B 2 only, C nothing; 3 is reached by nobody:
    # A = 10/100 = 0.1, B = 20/200 = 0.1, C = 0, and sum_i A_i P_i = 10 + 20 = 30
    result = measures.floating_catchment(
        matrix, places, columns="jobs", demand="population", decay=decay.binary(12)
    )
    assert result["jobs"].tolist() == pytest.approx([0.1, 0.1, 0])
    assert (result.set_index("id")["jobs"] * population).sum() == pytest.approx(30)
    # with a decay that never reaches 0, every destination with a finite cost counts: 70
    result = measures.floating_catchment(
        matrix, places, columns="jobs", demand="population", decay=decay.exponential(0.05)
    )
    assert (result.set_index("id")["jobs"] * population).sum() == pytest.approx(70)


def test_bfca_by_hand_and_totals(town):
    matrix, places = town
    result = measures.floating_catchment(
        matrix, places, columns="jobs", demand="population", decay=decay.binary(30), method="bfca"
    )
    # weights within 30 min as in the 2SFCA test.
    # by origin: A's 3 weights -> 1/3 each, B's 2 -> 1/2, C's 1 -> 1.
    # by destination: 1 has A, B -> 1/2 each; 2 has A, B, C -> 1/3; 3 has A -> 1.
    # balanced demand: D1 = 100/3 + 200/2 = 400/3; D2 = 100/3 + 200/2 + 300 = 1300/3;
    #   D3 = 100/3 (they add up to 600, the whole population)
    # level of service R = jobs / D: R1 = 30/400 = 3/40, R2 = 60/1300 = 3/65, R3 = 120/100 = 6/5
    # A = R1/2 + R2/3 + R3 = 3/80 + 1/65 + 6/5; B = 3/80 + 1/65; C = 1/65
    expected = [3 / 80 + 1 / 65 + 6 / 5, 3 / 80 + 1 / 65, 1 / 65]
    assert result["jobs"].tolist() == pytest.approx(expected)
    # total: sum_i A_i = sum_j R_j, since each destination's R is shared out exactly once
    assert result["jobs"].sum() == pytest.approx(3 / 40 + 3 / 65 + 6 / 5)


def test_fca_zero_demand_destination_counts_nothing():
    # one origin O (population 0) and one P (population 10); destination X only reached by
    # O (0/0 for P, nothing to share), Y reached by P. 2SFCA: O reaches X with ratio 5/0.
    matrix = pd.DataFrame({"from_id": ["P", "O"], "to_id": ["Y", "X"], "travel_time": [5.0, 5.0]})
    places = pd.DataFrame({"id": ["P", "O", "X", "Y"], "jobs": [0, 0, 5, 8], "pop": [10, 0, 0, 0]})
    result = measures.floating_catchment(matrix, places, columns="jobs", demand="pop", decay=decay.binary(10))
    # ids sorted: O, P. As in ipea: O's ratio to X is 5 / 0 = inf; P gets 8 / 10.
    assert result["id"].tolist() == ["O", "P"]
    assert result["jobs"].tolist() == [math.inf, 0.8]
    places["jobs"] = [0, 0, 0, 8]
    result = measures.floating_catchment(matrix, places, columns="jobs", demand="pop", decay=decay.binary(10))
    # 0 jobs / 0 people = NaN, dropped like R's na.rm
    assert result["jobs"].tolist() == [0, 0.8]


def test_fca_unknown_method(town):
    matrix, places = town
    with pytest.raises(InvalidParameterError, match="method"):
        measures.floating_catchment(
            matrix, places, columns="jobs", demand="population", decay=decay.binary(30), method="3sfca"
        )


# --------------------------------------------------------------------------- cost to closest


def test_cost_to_closest(town):
    matrix, places = town
    result = measures.cost_to_closest(matrix, places, columns=["jobs", "schools"])
    # closest jobs: A 5 (dest 1), B 10 (dest 2), C 25 (dest 2)
    # closest school (1 or 3): A 5, B 20 (3 unreachable), C 40
    assert list(result.columns) == ["id", "jobs", "schools"]
    assert result["jobs"].tolist() == [5, 10, 25]
    assert result["schools"].tolist() == [5, 20, 40]


def test_cost_to_closest_several_n(town):
    matrix, places = town
    result = measures.cost_to_closest(matrix, places, columns="jobs", n=[30, 70, 80])
    assert list(result.columns) == ["id", "n", "jobs"]
    # A by cost: 5 (10 jobs), 15 (30 so far), 30 (70) -> n=30: 15, n=70: 30, n=80: never (inf)
    # B: 10 (20), 20 (30), 3 unreachable -> 20, inf, inf
    # C: 25 (20), 40 (30), 50 (70) -> 40, 50, inf
    assert column(result, "jobs", id="A") == [15, 30, math.inf]
    assert column(result, "jobs", id="B") == [20, math.inf, math.inf]
    assert column(result, "jobs", id="C") == [40, 50, math.inf]


def test_cost_to_closest_passive(town):
    matrix, places = town
    result = measures.cost_to_closest(matrix, places, columns="population", active=False)
    # nearest resident to each destination: 1 <- A 5; 2 <- B 10; 3 <- A 30
    assert result["id"].tolist() == ["1", "2", "3"]
    assert result["population"].tolist() == [5, 10, 30]


def test_cost_to_closest_n_one_means_any_positive_count():
    # ipea's n = 1 takes the nearest destination with a count > 0, even a fraction
    matrix = pd.DataFrame({"from_id": ["A", "A"], "to_id": ["1", "2"], "travel_time": [5.0, 9.0]})
    places = pd.DataFrame({"id": ["A", "1", "2"], "beds": [0, 0.5, 0.7]})
    assert measures.cost_to_closest(matrix, places, columns="beds")["beds"].tolist() == [5]
    # n = 1.2 needs the running total 0.5 + 0.7 = 1.2 -> 9
    assert measures.cost_to_closest(matrix, places, columns="beds", n=1.2)["beds"].tolist() == [9]


# --------------------------------------------------------------------------- balancing cost


@pytest.fixture
def balance_town(town):
    matrix, places = town
    places = places.copy()
    places["people"] = [25, 30, 0, 0, 0, 0]
    return matrix, places


def test_balancing_cost(balance_town):
    matrix, places = balance_town
    result = measures.balancing_cost(matrix, places, columns="jobs", demand="people")
    # A (25 people): jobs within c are 10 from 5 min, 30 from 15 -> 30 > 25 first at 15.
    # B (30 people): 20 from 10, 30 from 20, 3 unreachable: 30 > 30 is false (strict, as
    #   ipea's code) -> never -> NaN.
    # C has no people -> 0.
    assert result["id"].tolist() == ["A", "B", "C"]
    assert result["jobs"].tolist()[0] == 15
    assert math.isnan(result["jobs"].tolist()[1])
    assert result["jobs"].tolist()[2] == 0


def test_balancing_cost_increment_grid(balance_town):
    matrix, places = balance_town
    # grid 0, 4, ..., 48 (the highest cost is 50): A balances at 15 -> first grid value >= 15 is 16
    result = measures.balancing_cost(matrix, places, columns="jobs", demand="people", cost_increment=4)
    assert result["jobs"].tolist()[0] == 16
    # grid 0, 7, ..., 49: -> 21
    result = measures.balancing_cost(matrix, places, columns="jobs", demand="people", cost_increment=7)
    assert result["jobs"].tolist()[0] == 21
    # C with 50 people: 20 by 25, 30 by 40, 70 by 50 -> balances at 50; but with an
    # increment of 20 the grid is 0, 20, 40 (R's seq.int(0, 50, by = 20)), so never: NaN
    places.loc[places["id"] == "C", "people"] = 50
    result = measures.balancing_cost(matrix, places, columns="jobs", demand="people")
    assert result["jobs"].tolist()[2] == 50
    result = measures.balancing_cost(matrix, places, columns="jobs", demand="people", cost_increment=20)
    assert math.isnan(result["jobs"].tolist()[2])


# --------------------------------------------------------------------------- spatial availability


def test_spatial_availability_by_hand(town):
    matrix, places = town
    result = measures.spatial_availability(
        matrix, places, columns="jobs", demand="population", decay=decay.binary(30)
    )
    # within 30: 1 shared by A (100) and B (200); 2 by A, B, C (100, 200, 300); 3 by A alone.
    # A = 10*100/300 + 20*100/600 + 40 = 46.67; B = 10*200/300 + 20*200/600 = 13.33;
    # C = 20*300/600 = 10. Total 70: every job allocated once.
    assert result["jobs"].tolist() == pytest.approx([140 / 3, 40 / 3, 10])
    assert result["jobs"].sum() == pytest.approx(70)
    # alpha = 0: population no longer matters, each destination split evenly among those
    # reaching it: A = 5 + 20/3 + 40; B = 5 + 20/3; C = 20/3
    result = measures.spatial_availability(
        matrix, places, columns="jobs", demand="population", decay=decay.binary(30), alpha=0
    )
    assert result["jobs"].tolist() == pytest.approx([5 + 20 / 3 + 40, 5 + 20 / 3, 20 / 3])


def test_spatial_availability_soukhov_example():
    # The example of ipea's spatial_availability() documentation (data of Soukhov et al.,
    # 2023); the rounded results 66833, 133203, 9963 are asserted in ipea's
    # tests/testthat/test-spatial_availability.R ("calculates spatial availability correctly").
    matrix = pd.DataFrame(
        {
            "from_id": np.repeat(["A", "B", "C"], 3),
            "to_id": ["1", "2", "3"] * 3,
            "travel_time": [15, 30, 100, 30, 15, 100, 100, 100, 15],
        }
    )
    places = pd.DataFrame(
        {
            "id": ["A", "B", "C", "1", "2", "3"],
            "population": [50000, 150000, 10000, 0, 0, 0],
            "jobs": [0, 0, 0, 100000, 100000, 10000],
        }
    )
    result = measures.spatial_availability(
        matrix, places, columns="jobs", demand="population", decay=decay.exponential(0.1)
    )
    assert result["jobs"].round().tolist() == [66833, 133203, 9963]
    assert result["jobs"].sum() == pytest.approx(210000)


def test_spatial_availability_unreached_destination_allocates_nothing(town):
    matrix, places = town
    # within 12: 1 <- A only, 2 <- B only, 3 <- nobody (its 40 jobs stay unallocated)
    result = measures.spatial_availability(
        matrix, places, columns="jobs", demand="population", decay=decay.binary(12)
    )
    assert result["jobs"].tolist() == [10, 20, 0]


# --------------------------------------------------------------------------- inputs


def test_geodataframe_and_int_ids_and_extra_columns():
    gpd = pytest.importorskip("geopandas")
    from shapely.geometry import Point

    matrix = pd.DataFrame(
        {"from_id": [1, 1, 2], "to_id": [10, 20, 10], "travel_time": [3.0, 8.0, 4.0], "mode": "walk"}
    )
    places = gpd.GeoDataFrame(
        {"id": [1, 2, 10, 20], "jobs": [0, 0, 5, 7]},
        geometry=[Point(0, 0), Point(1, 0), Point(0, 1), Point(1, 1)],
        crs="EPSG:4326",
    )
    result = measures.cumulative_cutoff(matrix, places, columns="jobs", cutoffs=5)
    # 1 reaches 10 (3 min): 5 jobs; 2 reaches 10 (4 min): 5 jobs
    assert result["id"].tolist() == [1, 2]
    assert result["id"].dtype == matrix["from_id"].dtype
    assert result["jobs"].tolist() == [5, 5]
    assert type(result) is pd.DataFrame


def test_origin_with_only_unreachable_rows_is_listed(town):
    matrix, places = town
    matrix = pd.concat(
        [matrix, pd.DataFrame({"from_id": ["D"], "to_id": ["1"], "travel_time": [np.nan]})],
        ignore_index=True,
    )
    places = pd.concat([places, pd.DataFrame({"id": ["D"], "jobs": [0], "schools": [0], "population": [5]})])
    for result in (
        measures.cumulative_cutoff(matrix, places, columns="jobs", cutoffs=30),
        measures.gravity(matrix, places, columns="jobs", decay=decay.exponential(0.1)),
        measures.floating_catchment(
            matrix, places, columns="jobs", demand="population", decay=decay.binary(30)
        ),
        measures.spatial_availability(
            matrix, places, columns="jobs", demand="population", decay=decay.binary(30)
        ),
    ):
        assert result["id"].tolist() == ["A", "B", "C", "D"]
        assert result["jobs"].tolist()[-1] == 0
    closest = measures.cost_to_closest(matrix, places, columns="jobs")
    assert closest["jobs"].tolist()[-1] == math.inf
    balance = measures.balancing_cost(matrix, places, columns="jobs", demand="population")
    assert math.isnan(balance["jobs"].tolist()[-1])


def test_inputs_are_not_modified(town):
    matrix, places = town
    before = matrix.copy(), places.copy()
    measures.floating_catchment(
        matrix, places, columns="jobs", demand="population", decay=decay.exponential(0.1), method="bfca"
    )
    measures.balancing_cost(matrix, places, columns="jobs", demand="population")
    pd.testing.assert_frame_equal(matrix, before[0])
    pd.testing.assert_frame_equal(places, before[1])


def test_exported_from_package():
    assert rc.decay is decay
    assert rc.measures is measures
    assert "decay" in rc.__all__ and "measures" in rc.__all__


# --------------------------------------------------------------------------- errors


ALL_MEASURES = {
    "cumulative_cutoff": lambda m, p, **kw: measures.cumulative_cutoff(m, p, cutoffs=30, **kw),
    "cumulative_interval": lambda m, p, **kw: measures.cumulative_interval(m, p, interval=(10, 20), **kw),
    "gravity": lambda m, p, **kw: measures.gravity(m, p, decay=decay.exponential(0.1), **kw),
    "floating_catchment": lambda m, p, **kw: measures.floating_catchment(
        m, p, demand="population", decay=decay.binary(30), **kw
    ),
    "cost_to_closest": lambda m, p, **kw: measures.cost_to_closest(m, p, **kw),
    "balancing_cost": lambda m, p, **kw: measures.balancing_cost(m, p, demand="population", **kw),
    "spatial_availability": lambda m, p, **kw: measures.spatial_availability(
        m, p, demand="population", decay=decay.binary(30), **kw
    ),
}


@pytest.fixture(params=sorted(ALL_MEASURES))
def measure(request):
    return ALL_MEASURES[request.param]


def test_every_measure_runs(town, measure):
    matrix, places = town
    result = measure(matrix, places, columns="jobs")
    assert list(result.columns) == ["id", "jobs"]
    assert result["id"].tolist() == ["A", "B", "C"]
    assert result["jobs"].dtype == np.float64


def test_missing_opportunity_column(town, measure):
    matrix, places = town
    with pytest.raises(InvalidPointsError, match="no column 'beds'"):
        measure(matrix, places, columns="beds")


def test_non_numeric_opportunity_column(town, measure):
    matrix, places = town
    places = places.assign(jobs=places["jobs"].astype(str))
    with pytest.raises(InvalidPointsError, match="'jobs' must hold numbers"):
        measure(matrix, places, columns="jobs")


def test_nan_counts_name_column_and_ids(town, measure):
    matrix, places = town
    places = places.assign(jobs=[0, 0, 0, np.nan, 20, np.nan])
    with pytest.raises(InvalidPointsError, match=r"'jobs' has 2 missing \(NaN\) values, at ids '1', '3'"):
        measure(matrix, places, columns="jobs")


def test_negative_counts(town, measure):
    matrix, places = town
    places = places.assign(jobs=[0, 0, 0, 10, -20, 40])
    with pytest.raises(InvalidPointsError, match="'jobs' has 1 negative values, at ids '2'"):
        measure(matrix, places, columns="jobs")


def test_matrix_missing_columns(town, measure):
    matrix, places = town
    for name in ("from_id", "to_id", "travel_time"):
        with pytest.raises(InvalidPointsError, match=f"no column '{name}'"):
            measure(matrix.drop(columns=name), places, columns="jobs")
    with pytest.raises(InvalidPointsError, match="no column 'minutes'"):
        measure(matrix, places, columns="jobs", travel_cost="minutes")


def test_matrix_ids_absent_from_opportunities(town, measure):
    matrix, places = town
    with pytest.raises(InvalidPointsError, match=r"absent from opportunities.*'3'"):
        measure(matrix, places[places["id"] != "3"], columns="jobs")


def test_empty_frames(town, measure):
    matrix, places = town
    with pytest.raises(InvalidPointsError, match="travel_matrix is empty"):
        measure(matrix.iloc[:0], places, columns="jobs")
    with pytest.raises(InvalidPointsError, match="opportunities is empty"):
        measure(matrix, places.iloc[:0], columns="jobs")


def test_bad_frames_and_columns_argument(town, measure):
    matrix, places = town
    with pytest.raises(InvalidPointsError, match="must be a pandas DataFrame"):
        measure(matrix.to_dict(), places, columns="jobs")
    with pytest.raises(InvalidPointsError, match="no 'id' column"):
        measure(matrix, places.rename(columns={"id": "code"}), columns="jobs")
    with pytest.raises(InvalidPointsError, match="duplicate ids"):
        measure(matrix, pd.concat([places, places.iloc[:1]]), columns="jobs")
    with pytest.raises(InvalidParameterError, match="columns is empty"):
        measure(matrix, places, columns=[])
    with pytest.raises(InvalidPointsError, match="negative costs"):
        measure(matrix.assign(travel_time=-matrix["travel_time"]), places, columns="jobs")
    with pytest.raises(InvalidPointsError, match="must be numeric"):
        measure(matrix.assign(travel_time="x"), places, columns="jobs")


def test_missing_demand_column(town):
    matrix, places = town
    with pytest.raises(InvalidPointsError, match="no column 'people'"):
        measures.floating_catchment(matrix, places, columns="jobs", demand="people", decay=decay.binary(30))
    with pytest.raises(InvalidPointsError, match="'population' has 1 negative"):
        measures.balancing_cost(
            matrix, places.assign(population=[-1, 0, 0, 0, 0, 0]), columns="jobs", demand="population"
        )
    # demand is read at origins: an origin absent from opportunities is an error
    with pytest.raises(InvalidPointsError, match=r"origin ids .* absent.*'A'"):
        measures.spatial_availability(
            matrix, places[places["id"] != "A"], columns="jobs", demand="population", decay=decay.binary(30)
        )


def test_active_measures_need_only_destination_ids(town):
    matrix, places = town
    # only destinations in the frame: fine for an active measure, an error for a passive one
    destinations = places[places["id"].isin(["1", "2", "3"])]
    assert measures.cumulative_cutoff(matrix, destinations, columns="jobs", cutoffs=30)["jobs"].tolist() == [
        70,
        30,
        20,
    ]
    with pytest.raises(InvalidPointsError, match="3 origin ids"):
        measures.cumulative_cutoff(matrix, destinations, columns="jobs", cutoffs=30, active=False)


def test_dtype_mismatch_hint(town):
    matrix, places = town
    matrix = matrix.assign(to_id=matrix["to_id"].astype(int))
    with pytest.raises(InvalidPointsError, match="convert one to the other"):
        measures.gravity(matrix, places, columns="jobs", decay=decay.binary(30))


@pytest.mark.parametrize("cutoffs", [0, -5, [10, 0], [], [10, 10], math.nan, "30"])
def test_cutoffs_must_be_positive(town, cutoffs):
    matrix, places = town
    with pytest.raises(InvalidParameterError):
        measures.cumulative_cutoff(matrix, places, columns="jobs", cutoffs=cutoffs)


@pytest.mark.parametrize(
    "kwargs",
    [
        {"interval": (20, 10)},
        {"interval": (10, 10)},
        {"interval": (-5, 10)},
        {"interval": (10,)},
        {"interval": (10, 20), "interval_increment": 0},
        {"interval": (10, 20), "summary": "max"},
        {"interval": (10, 20), "active": "yes"},
    ],
)
def test_cumulative_interval_parameters(town, kwargs):
    matrix, places = town
    with pytest.raises(InvalidParameterError):
        measures.cumulative_interval(matrix, places, columns="jobs", **kwargs)


def test_other_parameters(town):
    matrix, places = town
    with pytest.raises(InvalidParameterError, match="n must be >= 1"):
        measures.cost_to_closest(matrix, places, columns="jobs", n=0)
    with pytest.raises(InvalidParameterError, match="cost_increment"):
        measures.balancing_cost(matrix, places, columns="jobs", demand="population", cost_increment=0)
    with pytest.raises(InvalidParameterError, match="alpha"):
        measures.spatial_availability(
            matrix, places, columns="jobs", demand="population", decay=decay.binary(30), alpha=-1
        )
    with pytest.raises(InvalidParameterError, match="decay must be"):
        measures.gravity(matrix, places, columns="jobs", decay=30)
    with pytest.raises(InvalidParameterError, match="one per cost"):
        measures.gravity(matrix, places, columns="jobs", decay=lambda cost: np.ones(2))
    with pytest.raises(InvalidParameterError, match="taken by the output"):
        measures.cumulative_cutoff(matrix, places, columns=["jobs", "cutoff"], cutoffs=[10, 20])


# --------------------------------------------------------------------------- random check


def test_random_matrix_against_plain_loops():
    # a direct, row-by-row reading of the definitions on a random matrix with NaN holes
    rng = np.random.default_rng(7)
    origins, destinations = [f"o{i}" for i in range(12)], [f"d{j}" for j in range(9)]
    matrix = pd.DataFrame(
        [(o, d, float(rng.integers(0, 60))) for o in origins for d in destinations if rng.random() < 0.8],
        columns=["from_id", "to_id", "travel_time"],
    )
    matrix.loc[rng.random(len(matrix)) < 0.1, "travel_time"] = np.nan
    places = pd.DataFrame(
        {
            "id": origins + destinations,
            "jobs": [0] * 12 + rng.integers(0, 50, 9).tolist(),
            "population": rng.integers(1, 100, 12).tolist() + [0] * 9,
        }
    )
    jobs = places.set_index("id")["jobs"]
    people = places.set_index("id")["population"]
    rows = matrix.dropna()
    f = decay.exponential(0.05)
    pairs = list(zip(rows["from_id"], rows["to_id"], strict=True))
    w = dict(zip(pairs, f(rows["travel_time"].to_numpy()), strict=True))
    t = dict(zip(pairs, rows["travel_time"], strict=True))
    ids = sorted(matrix["from_id"].unique())

    cumulative = [sum(jobs[d] for (o, d), c in t.items() if o == i and c <= 25) for i in ids]
    result = measures.cumulative_cutoff(matrix, places, columns="jobs", cutoffs=25)
    assert result["jobs"].tolist() == cumulative

    grav = [sum(jobs[d] * x for (o, d), x in w.items() if o == i) for i in ids]
    result = measures.gravity(matrix, places, columns="jobs", decay=f)
    assert result["jobs"].tolist() == pytest.approx(grav)

    served = {d: sum(people[o] * x for (o, dd), x in w.items() if dd == d) for d in destinations}
    fca = [sum(jobs[d] / served[d] * x for (o, d), x in w.items() if o == i) for i in ids]
    result = measures.floating_catchment(matrix, places, columns="jobs", demand="population", decay=f)
    assert result["jobs"].tolist() == pytest.approx(fca)

    cutoffs = range(10, 31)
    medians = [
        math.floor(np.median([sum(jobs[d] for (o, d), c in t.items() if o == i and c <= k) for k in cutoffs]))
        for i in ids
    ]
    result = measures.cumulative_interval(matrix, places, columns="jobs", interval=(10, 30))
    assert result["jobs"].tolist() == medians

    closest = []
    for i in ids:
        reached = sorted((c, jobs[d]) for (o, d), c in t.items() if o == i)
        running = np.cumsum([j for _, j in reached])
        hits = [c for (c, _), total in zip(reached, running, strict=True) if total >= 60]
        closest.append(hits[0] if hits else math.inf)
    result = measures.cost_to_closest(matrix, places, columns="jobs", n=60)
    assert result["jobs"].tolist() == closest
