"""The same results on a Dask cluster of two worker processes, even when one of them dies."""

from __future__ import annotations

import copy
import dataclasses
import importlib
import os
import threading
import time

import numpy as np
import pandas as pd
import pytest

import reachable as rc
import reachable.cluster
import reachable.matrix

distributed = pytest.importorskip("distributed")
dd = pytest.importorskip("dask.dataframe")

pytestmark = pytest.mark.filterwarnings("ignore::reachable.ReachableWarning")
DEPARTURE = "2019-05-13 14:00"
ARRIVAL = "2019-05-13 15:00"


@pytest.fixture(scope="module")
def client():
    cluster = distributed.LocalCluster(
        n_workers=2, threads_per_worker=1, processes=True, dashboard_address=None
    )
    with distributed.Client(cluster) as client:
        yield client
    cluster.close()


@pytest.fixture(autouse=True)
def small_tasks(monkeypatch):
    # Tasks of 256 origins to POA's 1,227 cells, so that these small queries make several.
    monkeypatch.setattr(reachable.cluster, "PAIRS_PER_TASK", 256 * 1227)


@pytest.fixture(scope="module")
def origins_and_places(hexes):
    # 307 origins: with tasks of at most 256 (see small_tasks), two chunks, of 154 and 153.
    return hexes.iloc[::4].fillna({"jobs": 0}).reset_index(drop=True), hexes.fillna({"jobs": 0})


@pytest.mark.parametrize(("mode", "options"), [("walk", {}), ("transit", {"departure": DEPARTURE})])
def test_a_matrix_on_the_cluster_is_the_local_one(poa_transit, origins_and_places, client, mode, options):
    origins, destinations = origins_and_places
    local = rc.travel_time_matrix(poa_transit, origins, destinations, mode=mode, max_time=40, **options)
    remote = rc.travel_time_matrix(
        poa_transit, origins, destinations, mode=mode, max_time=40, client=client, **options
    )
    pd.testing.assert_frame_equal(remote, local)
    assert local["travel_time"].notna().mean() > 0.05


def test_accessibility_and_isochrones_on_the_cluster(poa_transit, origins_and_places, client):
    origins, destinations = origins_and_places
    settings = {"columns": ["jobs"], "mode": ["walk", "transit"], "cutoffs": [20, 40], "departure": DEPARTURE}
    local = rc.accessibility(poa_transit, origins, destinations, **settings)
    remote = rc.accessibility(poa_transit, origins, destinations, client=client, **settings)
    pd.testing.assert_frame_equal(remote, local)
    assert remote.attrs == local.attrs
    few = origins.iloc[:20]  # two tasks of 16 origins and a partial one
    local = rc.isochrones(poa_transit, few, mode="walk", cutoffs=[5, 10])
    remote = rc.isochrones(poa_transit, few, mode="walk", cutoffs=[5, 10], client=client)
    pd.testing.assert_frame_equal(remote.drop(columns="geometry"), local.drop(columns="geometry"))
    assert remote.geometry.geom_equals_exact(local.geometry, tolerance=0).all()


def _destinations_of(arrays, lon, *rest):
    """What a call of ``routing.transit._durations`` searches from: destinations, turned round."""
    return len(lon)


BACKWARD_SEARCHES = ("reachable.routing.transit", "_durations", _destinations_of)


def _origins_of(routes, transfers, stop_board_slack, board_slack, access, direct, egress_in, leave_offsets,
               *rest):  # fmt: skip
    """What a call of ``raptor_arrivals.arrivals_by_origin`` searches from: its origins' departures."""
    return len(leave_offsets) - 1


RANGE_SEARCHES = ("reachable.kernels.raptor_arrivals", "arrivals_by_origin", _origins_of)


def _start_counting(module, name, measure):
    """On a worker (through ``client.run``): add up ``measure(*arguments)`` over calls of ``module.name``."""
    owner = importlib.import_module(module)
    function = getattr(owner, name)
    counts = [0]

    def counted(*arguments):
        counts[0] += measure(*arguments)
        return function(*arguments)

    counted.unpatched, counted.counts = function, counts
    setattr(owner, name, counted)


def _stop_counting(module, name, measure):
    owner = importlib.import_module(module)
    counted = getattr(owner, name)
    setattr(owner, name, counted.unpatched)
    return counted.counts[0]


def _counting_searches(client, query, also=None):
    """``query()`` on the cluster, and how many destinations its workers searched back from.

    With ``also`` (as :data:`RANGE_SEARCHES`), a third value: how many points those started from.
    """
    counted = [BACKWARD_SEARCHES] + ([] if also is None else [also])
    for searches in counted:
        client.run(_start_counting, *searches)
    try:
        result = query()
    finally:
        totals = [sum(client.run(_stop_counting, *searches).values()) for searches in counted]
    return (result, *totals)


def _counting_searches_here(monkeypatch) -> list[int]:
    """The points each transit kernel call of this process searches from, as they come."""
    import reachable.routing.transit as transit

    calls = []
    search = transit._durations

    def counted(arrays, lon, *rest):
        calls.append(len(lon))
        return search(arrays, lon, *rest)

    monkeypatch.setattr(transit, "_durations", counted)
    return calls


def test_arrival_accessibility_on_the_cluster_searches_each_destination_once(
    poa_transit, origins_and_places, client
):
    # Arrive-by searches run per destination: the cluster splits the destinations (two tasks
    # here, of 640 and 587), not the origins, whose every chunk would search them all again.
    # Fractional counts make the sums depend on the order they are added in.
    origins, destinations = origins_and_places
    destinations = destinations.assign(jobs=destinations["jobs"] * 0.37 + 1 / 3)
    settings = {"columns": ["jobs"], "mode": ["walk", "transit"], "cutoffs": [20, 45], "arrival": ARRIVAL}
    local = rc.accessibility(poa_transit, origins, destinations, **settings)
    remote, searched = _counting_searches(
        client, lambda: rc.accessibility(poa_transit, origins, destinations, client=client, **settings)
    )
    assert searched == len(destinations)
    pd.testing.assert_frame_equal(remote, local, check_exact=True)
    assert remote.attrs == local.attrs
    transit = local[local["mode"] == "transit"]
    assert transit["jobs"].gt(transit.groupby("cutoff")["jobs"].transform("min")).any()

    decay = rc.decay.exponential(0.1)
    gravity = {"columns": ["jobs"], "mode": "transit", "measure": "gravity", "decay": decay, "max_time": 45}
    local = rc.accessibility(poa_transit, origins, destinations, arrival=ARRIVAL, **gravity)
    remote = rc.accessibility(poa_transit, origins, destinations, arrival=ARRIVAL, client=client, **gravity)
    pd.testing.assert_frame_equal(remote, local, check_exact=True)


def _set_in_transit(name, value):
    """Set ``reachable.routing.transit.<name>`` (on a worker, through ``client.run``); the old value."""
    import reachable.routing.transit as transit

    old = getattr(transit, name)
    setattr(transit, name, value)
    return old


# The arrivals by a range search per origin (inf), or from the trips boarded (0.0).
@pytest.mark.parametrize("share", [np.inf, 0.0])
def test_an_arrival_matrix_in_chunks_searches_each_destination_once(
    poa_transit, origins_and_places, client, tmp_path, monkeypatch, share
):
    # On the cluster, and written in parts here, the departures are searched by chunks of
    # destinations (each destination once); by origin, the arrivals then by chunks of origins.
    import reachable.routing.transit as transit

    origins, destinations = origins_and_places
    settings = {"mode": "transit", "arrival": ARRIVAL, "max_time": 45}
    monkeypatch.setattr(transit, "ORIGIN_MINUTES_PER_STOP_BY_TRIPS", share)
    before = client.run(_set_in_transit, "ORIGIN_MINUTES_PER_STOP_BY_TRIPS", share)
    try:
        local = rc.travel_time_matrix(poa_transit, origins, destinations, **settings)
        remote, searched, ranged = _counting_searches(
            client,
            lambda: rc.travel_time_matrix(poa_transit, origins, destinations, client=client, **settings),
            RANGE_SEARCHES,
        )
    finally:
        client.run(_set_in_transit, "ORIGIN_MINUTES_PER_STOP_BY_TRIPS", next(iter(before.values())))
    assert searched == len(destinations)
    # By origin, chunks of origins then follow the journeys, each origin once.
    assert ranged == (len(origins) if share == np.inf else 0)
    pd.testing.assert_frame_equal(remote, local)
    assert local["departure"].notna().mean() > 0.05

    here = _counting_searches_here(monkeypatch)
    folder = rc.travel_time_matrix(poa_transit, origins, destinations, out=tmp_path / "parts", **settings)
    assert sum(here) == len(destinations)
    pd.testing.assert_frame_equal(pd.read_parquet(folder), local, check_dtype=False)


@pytest.mark.parametrize("per_call", [None, 40])
def test_an_arrival_profile_on_the_cluster(poa_transit, origins_and_places, client, monkeypatch, per_call):
    # With per_call, memory allows 40 destinations a kernel call (307 origins x 3 deadlines):
    # calls of 32 tile the groups of 128 the same way here and in every task.
    origins, destinations = origins_and_places
    destinations = destinations.assign(jobs=destinations["jobs"] * 0.37 + 1 / 3)
    times = ["2019-05-13 12:00", "2019-05-13 15:00", "2019-05-13 16:30"]
    settings = {"columns": ["jobs"], "mode": ["walk", "transit"], "cutoffs": [30, 60], "by": "arrival",
                "times": times}  # fmt: skip
    if per_call is not None:
        import reachable.routing.transit as transit

        monkeypatch.setattr(transit, "DURATIONS_PER_CHUNK", per_call * len(origins) * len(times))
        calls = _counting_searches_here(monkeypatch)
        before = client.run(_set_in_transit, "DURATIONS_PER_CHUNK", transit.DURATIONS_PER_CHUNK)
    try:
        local = rc.accessibility_profile(poa_transit, origins, destinations, **settings)
        remote, searched = _counting_searches(
            client,
            lambda: rc.accessibility_profile(poa_transit, origins, destinations, client=client, **settings),
        )
    finally:
        if per_call is not None:
            client.run(_set_in_transit, "DURATIONS_PER_CHUNK", next(iter(before.values())))
    assert searched == len(destinations)
    pd.testing.assert_frame_equal(remote, local, check_exact=True)
    assert remote.attrs == local.attrs
    if per_call is not None:
        assert max(calls) == 32 and sum(calls) == len(destinations)


def test_a_worker_killed_mid_run_changes_nothing(poa_transit, origins_and_places, client):
    origins, destinations = origins_and_places
    local = rc.travel_time_matrix(
        poa_transit, origins, destinations, mode="transit", max_time=40, departure=DEPARTURE
    )
    result = {}

    def compute():
        result["matrix"] = rc.travel_time_matrix(
            poa_transit,
            origins,
            destinations,
            mode="transit",
            max_time=40,
            departure=DEPARTURE,
            client=client,
        )

    worker = threading.Thread(target=compute)
    worker.start()
    # Once a chunk runs somewhere, kill that worker's process (its nanny starts another).
    deadline = time.monotonic() + 60
    busy = []
    while not busy and time.monotonic() < deadline:
        busy = [address for address, tasks in client.processing().items() if tasks]
        time.sleep(0.05)
    assert busy, "no chunk ever started"
    client.run(os._exit, 1, workers=busy[:1], on_error="ignore")  # it dies before it can answer
    worker.join(timeout=300)
    assert not worker.is_alive()
    pd.testing.assert_frame_equal(result["matrix"], local)


def test_a_matrix_written_in_parts_reads_back_equal(poa_transit, origins_and_places, client, tmp_path):
    origins, destinations = origins_and_places
    local = rc.travel_time_matrix(poa_transit, origins, destinations, mode="walk", max_time=30)
    for where, run_on in ((tmp_path / "here", None), (tmp_path / "there", client)):
        folder = rc.travel_time_matrix(
            poa_transit, origins, destinations, mode="walk", max_time=30, client=run_on, out=where
        )
        assert folder == where and sorted(p.name for p in where.iterdir()) == [
            "part-00000.parquet", "part-00001.parquet",
        ]  # fmt: skip
        back = dd.read_parquet(where).compute().reset_index(drop=True)  # as users would read it
        pd.testing.assert_frame_equal(back, local, check_dtype=False)
    # A staged part (left by a cancelled task that ended after its run failed) is not read.
    local.head(3).to_parquet(where / ".part-00002.parquet.staged", index=False)
    pd.testing.assert_frame_equal(dd.read_parquet(where).compute().reset_index(drop=True), back)
    pd.testing.assert_frame_equal(pd.read_parquet(where), local, check_dtype=False)


def test_a_query_failing_on_the_client_cancels_its_tasks(
    poa_transit, origins_and_places, client, monkeypatch
):
    origins, destinations = origins_and_places

    def tasks(dask_scheduler):
        return [str(key) for key in dask_scheduler.tasks if "_on_worker" in str(key)]

    def until(done):
        deadline = time.monotonic() + 30
        while not done() and time.monotonic() < deadline:
            time.sleep(0.05)
        return done()

    def broken(*args):
        # Fail once the scheduler holds the tasks (submitting them does not wait for it).
        assert until(lambda: client.run_on_scheduler(tasks))
        raise MemoryError("no room for the ids")

    monkeypatch.setattr(reachable.matrix, "_id_columns", broken)
    with pytest.raises(MemoryError, match="no room for the ids") as failure:
        rc.travel_time_matrix(poa_transit, origins, destinations, mode="walk", max_time=30, client=client)
    # The failed call's frame, kept by the traceback (as a notebook keeps it), holds the
    # futures: only their cancellation lets the scheduler forget the tasks.
    assert until(lambda: not client.run_on_scheduler(tasks))
    del failure  # kept until here


def test_a_client_that_cannot_cancel_lets_the_failure_through(
    poa_transit, origins_and_places, client, monkeypatch
):
    origins, destinations = origins_and_places

    def closed(*args, **kwargs):
        raise distributed.client.ClosedClientError("Client is closed. Can't send cancel-keys message.")

    def broken(*args):
        raise MemoryError("no room for the ids")

    monkeypatch.setattr(reachable.matrix, "_id_columns", broken)
    monkeypatch.setattr(client, "cancel", closed)
    with pytest.raises(MemoryError, match="no room for the ids"):
        rc.travel_time_matrix(poa_transit, origins, destinations, mode="walk", max_time=30, client=client)


def test_a_matrix_written_in_parts_leaves_no_part_when_a_chunk_fails(
    poa_transit, origins_and_places, tmp_path, monkeypatch
):
    origins, destinations = origins_and_places
    where = tmp_path / "ttm"
    rc.travel_time_matrix(poa_transit, origins, destinations, mode="walk", max_time=30, out=where)
    assert len(list(where.glob("part-*.parquet"))) == 2
    written = reachable.matrix._matrix_piece

    def second_fails(network, piece, *args, **kwargs):
        if piece[0] == 1:
            assert list(where.glob(".part-00000.parquet.staged")), "the first chunk written, not published"
            raise RuntimeError("chunk 1 failed")
        return written(network, piece, *args, **kwargs)

    monkeypatch.setattr(reachable.matrix, "_matrix_piece", second_fails)
    with pytest.raises(RuntimeError, match="chunk 1 failed"):
        rc.travel_time_matrix(poa_transit, origins, destinations, mode="walk", max_time=30, out=where)
    assert list(where.iterdir()) == []  # neither this run's first chunk nor the earlier matrix


@pytest.mark.parametrize("shipped", ["from its file", "sent"])
def test_workers_that_cannot_load_the_network_give_one_clear_error(
    poa_transit, origins_and_places, client, monkeypatch, shipped
):
    # The client sends the network as another version would: the workers refuse it.
    monkeypatch.setattr(reachable.cluster, "_version", lambda: "0.0-elsewhere")
    origins, destinations = origins_and_places
    network = copy.copy(poa_transit)  # not yet on the workers
    if shipped == "sent":
        network.saved_file = None
    started = time.monotonic()
    with pytest.raises(rc.ClusterError, match=r"cannot load the network .*runs reachable .*0\.0-elsewhere"):
        rc.travel_time_matrix(network, origins, destinations, mode="walk", max_time=30, client=client)
    assert time.monotonic() - started < 60  # at once, not after the loading timeout


def test_each_worker_reads_a_saved_network_from_its_file_else_it_is_sent(
    poa_transit, origins_and_places, client, tmp_path
):
    origins, destinations = origins_and_places
    settings = {"columns": ["jobs"], "mode": "walk", "cutoffs": [20]}
    local = rc.accessibility(poa_transit, origins, destinations, **settings)
    saved = poa_transit.save(tmp_path / "poa.reachable")
    from_file = rc.Network.load(saved)
    pd.testing.assert_frame_equal(
        rc.accessibility(from_file, origins, destinations, client=client, **settings), local
    )
    ticket = reachable.cluster._scattered(client, from_file)
    assert ticket.saved_file == from_file.saved_file and ticket.name not in client.list_datasets()
    # The workers that ran a task loaded the file themselves: nothing was published to fetch.
    kept = client.run(lambda: [n.saved_file for n in reachable.cluster._KEPT.values()])
    assert any(from_file.saved_file in files for files in kept.values())

    changed = rc.Network.load(saved)
    os.utime(saved, ns=(0, changed.saved_file.mtime_ns + 10**9))  # not the file it was loaded from
    pd.testing.assert_frame_equal(
        rc.accessibility(changed, origins, destinations, client=client, **settings), local
    )
    ticket = reachable.cluster._scattered(client, changed)
    assert ticket.saved_file is None and ticket.name in client.list_datasets()
    # A worker joining later that does not see the file as the client did says so.
    gone = dataclasses.replace(from_file.saved_file, path=str(tmp_path / "gone.reachable"))
    with pytest.raises(rc.ClusterError, match=r"does not read the network's file .*gone\.reachable"):
        client.submit(reachable.cluster._load, gone, pure=False).result()


def test_a_client_that_is_not_one_is_refused(poa_transit, origins_and_places):
    origins, destinations = origins_and_places
    with pytest.raises(rc.InvalidParameterError, match=r"client must be a distributed\.Client"):
        rc.travel_time_matrix(poa_transit, origins, destinations, mode="walk", max_time=30, client="tcp://x")


def test_a_profile_and_a_diagnosis_on_the_cluster(poa_transit, origins_and_places, client):
    origins, destinations = origins_and_places
    few = origins.iloc[:260]  # a chunk of 256 and a partial one
    settings = {"columns": ["jobs"], "mode": ["walk", "transit"], "cutoffs": [30],
                "times": ["2019-05-13 12:00", "2019-05-13 15:00"]}  # fmt: skip
    local = rc.accessibility_profile(poa_transit, few, destinations, **settings)
    remote = rc.accessibility_profile(poa_transit, few, destinations, client=client, **settings)
    pd.testing.assert_frame_equal(remote, local)
    homes = origins.iloc[:130]  # people in a chunk of 100 and a partial one
    people = pd.DataFrame({"id": homes["id"], "lon": homes.geometry.x, "lat": homes.geometry.y,
                           "modes": "walk,transit", "licences": "", "max_commute": 45})  # fmt: skip
    jobs = destinations.nlargest(4, "jobs")
    offers = pd.DataFrame({"id": jobs["id"], "kind": "job", "lon": jobs.geometry.x, "lat": jobs.geometry.y,
                           "start": "12:00", "end": "16:00", "days": "mon-fri"})  # fmt: skip
    aids = ["bike_loan", "transit_pass"]
    here = rc.diagnose(poa_transit, people, offers, aids=aids)
    there = rc.diagnose(poa_transit, people, offers, aids=aids, client=client)
    for name in ("table", "summary", "aid_effects", "caseload"):
        pd.testing.assert_frame_equal(getattr(there, name), getattr(here, name))
    assert here.table["feasible"].any()


def test_aid_impact_on_the_cluster(poa_transit, origins_and_places, client):
    origins, destinations = origins_and_places
    origins = origins.fillna({"population": 0})
    settings = {"columns": ["jobs"], "base_modes": ["walk"], "aids": ["bike_loan"], "cutoff": 20,
                "population": "population"}  # fmt: skip
    local = rc.aid_impact(poa_transit, origins, destinations, **settings)
    remote = rc.aid_impact(poa_transit, origins, destinations, client=client, **settings)
    pd.testing.assert_frame_equal(remote, local)
    assert remote.attrs["totals"] == local.attrs["totals"]


def test_aid_impact_by_arrival_on_the_cluster_searches_each_destination_once(
    poa_transit, origins_and_places, client
):
    origins, destinations = origins_and_places
    origins = origins.fillna({"population": 0})
    settings = {"columns": ["jobs"], "base_modes": ["walk", "transit"], "aids": ["bike_loan"], "cutoff": 40,
                "arrival": ARRIVAL, "population": "population"}  # fmt: skip
    local = rc.aid_impact(poa_transit, origins, destinations, **settings)
    remote, searched = _counting_searches(
        client, lambda: rc.aid_impact(poa_transit, origins, destinations, client=client, **settings)
    )
    assert searched == len(destinations)
    pd.testing.assert_frame_equal(remote, local)
    assert remote.attrs["totals"] == local.attrs["totals"]
    base = local[local["scenario"] == "base"]
    assert base["jobs"].gt(0).any()
