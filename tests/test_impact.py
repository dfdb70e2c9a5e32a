"""rc.aid_impact on Porto Alegre: against rc.accessibility and a brute force on matrices; rc.plot.aid_map."""

from __future__ import annotations

import matplotlib

matplotlib.use("Agg")

import warnings

import matplotlib.pyplot as plt
import numpy as np
import pandas as pd
import pytest

import reachable as rc
import reachable.impact
from reachable.aids import Aid
from reachable.errors import InvalidParameterError, UnknownModeError
from reachable.modes import is_transit

pytestmark = pytest.mark.filterwarnings("ignore::reachable.ReachableWarning")
DEPARTURE = "2019-05-13 14:00"
COLUMNS = ["jobs", "schools"]


@pytest.fixture(scope="module")
def origins(places):
    return places.iloc[::25].reset_index(drop=True)


@pytest.fixture(scope="module")
def impact(poa_transit, origins, places):
    """Base walk and transit; a lent bike, and a made-up aid adding e-bikes and cars."""
    fleet = [
        rc.aids.default()["bike_loan"],
        Aid("ebike_and_car", ("ebike", "car"), label_en="an e-bike and a car"),
    ]
    return rc.aid_impact(
        poa_transit, origins, places, columns=COLUMNS, base_modes=["walk", "transit"], aids=fleet,
        cutoff=30, departure=DEPARTURE, population="population",
    )  # fmt: skip


@pytest.fixture(autouse=True)
def close_figures():
    yield
    plt.close("all")


def brute_force(network, origins, places, modes, cutoff, **settings):
    """Opportunities within the cutoff by the fastest of ``modes``, from one matrix per mode."""
    frames = []
    for mode in modes:
        given = settings if is_transit(mode) else {}
        frames.append(rc.travel_time_matrix(network, origins, places, mode=mode, max_time=cutoff, **given))
    fastest = pd.concat(frames).groupby(["from_id", "to_id"], sort=False)["travel_time"].min().reset_index()
    reached = fastest[fastest["travel_time"] <= cutoff]
    counts = reached.merge(places[["id", *COLUMNS]], left_on="to_id", right_on="id")
    return counts.groupby("from_id")[COLUMNS].sum().reindex(origins["id"], fill_value=0.0)


@pytest.mark.parametrize(
    ("mode", "settings"),
    [("walk", {}), ("bike", {}), ("transit", {"departure": DEPARTURE}), ("transit", {"arrival": DEPARTURE})],
)
def test_base_alone_is_the_accessibility_of_its_mode(poa_transit, origins, places, mode, settings):
    impact = rc.aid_impact(
        poa_transit, origins, places, columns=COLUMNS, base_modes=mode, aids=[], cutoff=30, **settings
    )
    acc = rc.accessibility(poa_transit, origins, places, columns=COLUMNS, mode=mode, cutoffs=30, **settings)
    assert impact["scenario"].unique().tolist() == ["base"]
    assert impact["id"].tolist() == origins["id"].tolist()
    np.testing.assert_array_equal(impact[COLUMNS].to_numpy(), acc[COLUMNS].to_numpy())
    assert (impact[["jobs_gain", "schools_gain"]] == 0).all().all()
    assert impact.geometry.equals(acc.geometry)
    assert impact.crs == origins.crs


def test_scenarios_count_the_fastest_mode_of_each_trip(poa_transit, origins, places, impact):
    assert impact["scenario"].unique().tolist() == ["base", "bike_loan", "ebike_and_car"]
    assert list(impact.columns) == ["id", "scenario", *COLUMNS, "jobs_gain", "schools_gain", "geometry"]
    for scenario, modes in [
        ("base", ["walk", "transit"]),
        ("bike_loan", ["walk", "transit", "bike"]),
        ("ebike_and_car", ["walk", "transit", "ebike", "car"]),
    ]:
        ours = impact[impact["scenario"] == scenario].set_index("id")[COLUMNS]
        expected = brute_force(poa_transit, origins, places, modes, 30, departure=DEPARTURE)
        np.testing.assert_allclose(ours.to_numpy(), expected.to_numpy(), rtol=1e-12)


def test_gains_are_what_each_aid_adds(impact):
    base = impact[impact["scenario"] == "base"].set_index("id")
    for scenario in ("bike_loan", "ebike_and_car"):
        rows = impact[impact["scenario"] == scenario].set_index("id")
        for column in COLUMNS:
            gain = rows[f"{column}_gain"]
            assert (gain >= 0).all()
            np.testing.assert_allclose(gain, rows[column] - base[column])
    bike = impact[impact["scenario"] == "bike_loan"]
    assert (bike["jobs_gain"] > 0).any()  # a bike helps somewhere in Porto Alegre
    assert (impact.loc[impact["scenario"] == "base", ["jobs_gain", "schools_gain"]] == 0).all().all()


def test_attrs_and_population_totals_by_hand(impact, origins):
    assert impact.attrs["cutoff"] == 30
    assert impact.attrs["base_modes"] == ["walk", "transit"]
    assert impact.attrs["departure"] == DEPARTURE
    assert impact.attrs["arrival"] is None
    assert list(impact.attrs["aids"]) == ["bike_loan", "ebike_and_car"]
    totals = pd.DataFrame(impact.attrs["totals"]).set_index(["scenario", "column"])
    people = origins["population"].to_numpy(float)
    for scenario in ("base", "bike_loan", "ebike_and_car"):
        rows = impact[impact["scenario"] == scenario]
        for column in COLUMNS:
            value, gain = rows[column].to_numpy(), rows[f"{column}_gain"].to_numpy()
            row = totals.loc[(scenario, column)]
            assert row["per_person"] == pytest.approx(np.sum(people * value) / np.sum(people))
            assert row["gain_per_person"] == pytest.approx(np.sum(people * gain) / np.sum(people))
            assert row["share_gaining"] == pytest.approx(people[gain > 0].sum() / people.sum())
    assert totals.loc[("bike_loan", "jobs"), "share_gaining"] > 0
    assert totals.loc[("base", "jobs"), "gain_per_person"] == 0


def test_each_mode_is_routed_once(poa_transit, origins, places, monkeypatch):
    routed = []
    original = reachable.impact.travel_time_blocks

    def counting(network, origins, destinations, routing, **options):
        routed.append(routing.mode)
        return original(network, origins, destinations, routing, **options)

    monkeypatch.setattr(reachable.impact, "travel_time_blocks", counting)
    rc.aid_impact(
        poa_transit, origins, places, columns="jobs", base_modes=["walk", "bike"],
        aids=["bike_loan", "ebike_loan", "bike+transit"], cutoff=20, departure=DEPARTURE,
    )  # fmt: skip
    assert sorted(routed) == sorted(["walk", "bike", "ebike", "bike+transit"])


def test_departure_is_not_called_ignored_for_street_modes(poa_transit, origins, places):
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        rc.aid_impact(
            poa_transit, origins, places, columns="jobs", base_modes="walk", aids=["transit_pass"],
            cutoff=20, departure=DEPARTURE,
        )  # fmt: skip
    assert not [w for w in caught if "only apply" in str(w.message)]


@pytest.mark.parametrize(
    ("change", "error", "match"),
    [
        ({"population": "people"}, InvalidParameterError, "population must name a column of origins"),
        ({"population": "nan"}, InvalidParameterError, "1 missing values"),
        ({"population": "negative"}, InvalidParameterError, "1 negative values"),
        ({"population": "nobody"}, InvalidParameterError, "sums to 0"),
        ({"population": "id"}, InvalidParameterError, "numbers of people"),
        ({"aids": ["bike_loan", "jetpack_loan"]}, InvalidParameterError, "unknown aid 'jetpack_loan'"),
        ({"aids": [Aid("base", ("bike",))]}, InvalidParameterError, "cannot be named 'base'"),
        ({"base_modes": []}, InvalidParameterError, "base_modes is empty"),
        ({"base_modes": ["walk", "teleport"]}, UnknownModeError, "'teleport'"),
        ({"cutoff": 0}, InvalidParameterError, "cutoff must be a positive number of minutes"),
        ({"percentiles": (25, 50), "time_window": 10}, InvalidParameterError, "give one percentile"),
        ({"max_time": 60}, InvalidParameterError, "takes no max_time"),
        ({"access_mode": "bike"}, InvalidParameterError, "bike\\+transit"),
        ({"columns": ["jobs", "jobs_gain"]}, InvalidParameterError, "'jobs_gain'"),
        ({"columns": "scenario"}, InvalidParameterError, "'scenario'"),
        ({"base_modes": "transit", "departure": None}, InvalidParameterError, "needs a departure"),
    ],
)
def test_bad_input_is_refused_clearly(poa_transit, origins, places, change, error, match):
    people = origins.assign(nan=origins["population"].astype(float), negative=origins["population"], nobody=0)
    people.loc[3, "nan"] = np.nan
    people.loc[4, "negative"] = -1
    given = {
        "columns": "jobs", "base_modes": ["walk"], "aids": ["bike_loan"], "cutoff": 20,
        "departure": DEPARTURE, **change,
    }  # fmt: skip
    with pytest.raises(error, match=match):
        rc.aid_impact(poa_transit, people, places, **given)


def test_aid_map_draws_a_panel_per_aid(poa_transit, impact, tmp_path):
    fig = rc.plot.aid_map(impact, "jobs", network=poa_transit)
    maps = [ax for ax in fig.axes if ax.get_title()]
    assert [ax.get_title() for ax in maps] == [
        "Without aid: on foot or by transit",
        "With a lent bike",
        "With an e-bike and a car",
    ]
    labels = [ax.get_xlabel() for ax in fig.axes if ax.get_xlabel()]
    assert labels == [
        "jobs reachable within 30 min without aid",
        "more jobs reachable within 30 min (grey: none)",
    ]
    assert "transit departing 2019-05-13 14:00" in fig.get_suptitle()
    fig.savefig(tmp_path / "aid_map.png", dpi=60)

    fig = rc.plot.aid_map(impact, "schools", aids="ebike_and_car", cutoff=30)
    assert [ax.get_title() for ax in fig.axes if ax.get_title()][1:] == ["With an e-bike and a car"]


@pytest.mark.parametrize(
    ("change", "match"),
    [
        ({"column": "healthcare"}, "column 'healthcare' is not in the frame"),
        ({"aids": ["car_loan"]}, "aid 'car_loan' is not a scenario of impact"),
        ({"aids": []}, "aids is empty"),
        ({"network": "poa"}, "network must be a reachable.Network"),
    ],
)
def test_aid_map_refuses_what_is_not_in_the_frame(impact, change, match):
    given = {"column": "jobs", **change}
    with pytest.raises(InvalidParameterError, match=match):
        rc.plot.aid_map(impact, **given)


def test_aid_map_needs_an_impact_frame(impact):
    with pytest.raises(InvalidParameterError, match="no 'base' scenario"):
        rc.plot.aid_map(impact[impact["scenario"] != "base"], "jobs")
    with pytest.raises(InvalidParameterError, match="no 'jobs_gain' column"):
        rc.plot.aid_map(impact.drop(columns="jobs_gain"), "jobs")
