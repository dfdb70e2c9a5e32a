"""Running a query's chunks of origins on a Dask cluster, and writing big matrices in parts.

Origins are independent: a matrix, an accessibility table or isochrones computed for a chunk
of origins are exactly the rows they would be in one run (the kernels search each origin on
its own, whatever its neighbours in a chunk). So a query is cut into chunks of origins (of at
most :data:`PAIRS_PER_TASK` origin-destination pairs), each a task running the same function
on a worker, and the results are put back in origin order: bit for bit the local result.
Searches by arrival run backwards, one per destination, so they are cut by destinations:
accessibility and profiles add up the sums of their groups of destinations in the local run's
order (:func:`run_both_ways`); matrices and ``aid_impact`` search the departures first, then
hand each chunk of origins its rows of them.

The network goes to each worker once, never once per task nor once per query: a worker keeps
its copy, with the caches its queries fill, for the next tasks and queries. The matrix and
accessibility, the queries a region runs most, travel as arrays: their tasks take the points
and settings checked on the client and send back numbers, the frame is made on the client as
in one run (frames take tens of milliseconds a task to carry, more than small tasks compute).
Each task runs as many numba threads as its worker has task threads (``threads_per_worker``),
so a worker per core does not oversubscribe the cores. A worker that dies mid-run loses its
tasks, which the scheduler runs again elsewhere (tasks are pure: same inputs, same rows).
"""

from __future__ import annotations

import contextlib
import os
import threading
import uuid
import warnings
import weakref
from collections import OrderedDict
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import pandas as pd

from ._progress import progress_bar
from .errors import ClusterError, InvalidParameterError
from .network.network import Network, SavedFile

LOAD_TIMEOUT = 300.0
"""Seconds to wait for a worker to hold the network before giving up with an error."""

PAIRS_PER_TASK = 8_000_000
"""Origin-destination pairs per task: a worker holds one task's rows (x destinations) at a time,
64 MB of seconds per percentile. Large, since each task costs the cluster tens of milliseconds
whatever its size (a no-op task's round trip is about 6 to 10 ms on 2 cores) and each task of a
query does its own set-up: 8 million pairs make the 500 x 19,600 query of
``benchmarks/bench_scale.py`` two tasks, one per worker of its 2-worker cluster, not four."""


def check_client(client) -> None:
    """Refuse anything but a ``distributed.Client``."""
    try:
        from distributed import Client
    except ImportError as error:  # pragma: no cover - dask is a test dependency
        raise InvalidParameterError(
            "client= needs Dask's distributed scheduler: pip install 'dask[distributed]'"
        ) from error
    if not isinstance(client, Client):
        raise InvalidParameterError(
            f"client must be a distributed.Client, e.g. Client(LocalCluster()), got {type(client).__name__}"
        )


def origins_per_task(n_destinations: int) -> int:
    """How many origins a task routes to ``n_destinations`` (see :data:`PAIRS_PER_TASK`)."""
    return max(1, PAIRS_PER_TASK // max(1, n_destinations))


def chunks(frame: pd.DataFrame, size: int, *, client=None) -> list[pd.DataFrame]:
    """``frame`` cut into consecutive pieces of at most ``size`` rows (see :func:`chunk_rows`)."""
    return [frame.iloc[rows] for rows in chunk_rows(len(frame), size, client=client)]


def chunk_rows(n_rows: int, size: int, *, client=None, multiple: int = 1) -> list[slice]:
    """``n_rows`` rows cut into consecutive slices of at most ``size``, rounded up to a ``multiple``.

    With a ``client``, the number of slices is a multiple of the cluster's task threads, in
    slices of even sizes, so that no thread is left alone with the last one. Every slice but
    the last holds a multiple of ``multiple`` rows.
    """
    n_pieces = -(-n_rows // size)
    if client is not None:
        threads = max(1, sum(client.nthreads().values()))
        n_pieces = -(-n_pieces // threads) * threads
    size = max(1, -(-n_rows // max(n_pieces, 1)))
    size = -(-size // multiple) * multiple
    return [slice(start, min(start + size, n_rows)) for start in range(0, n_rows, size)]


def destination_rows(n_origins: int, n_destinations: int, *, client=None, multiple: int = 1) -> list[slice]:
    """Chunks of destinations searched backwards (by arrival), one search per destination.

    A task searches as many destinations as a task searching forward does origins (see
    :func:`chunk_rows` for ``client`` and ``multiple``).
    """
    return chunk_rows(n_destinations, origins_per_task(n_origins), client=client, multiple=multiple)


def run(
    function: Callable, network, pieces: list, *extra, client, progress, what: str, options: dict
) -> list:
    """``function(network, piece, *extra, progress=False, **options)`` for each piece, in order.

    On the client's workers; without a client the pieces run here one after the other (to
    write a matrix in parts). ``function`` is usually the public function itself: a chunk
    of origins gives the rows the whole query would.
    """
    with start(function, network, pieces, *extra, client=client, progress=progress, what=what,
               options=options) as results:  # fmt: skip
        return list(results())


def run_both_ways(
    function: Callable,
    network,
    extra: tuple,
    *,
    backward: list[bool],
    n_origins: int,
    n_destinations: int,
    shapes: list[tuple],
    origin_axis: int,
    group: int,
    client,
    progress,
    what: str,
) -> list[np.ndarray]:
    """Per mode, sums over destinations computed by chunks of origins, or of destinations.

    A mode searched ``backward`` (arriving by a deadline) runs a search per destination: a
    chunk of origins would search every destination again, so those modes split the
    destinations. ``function(network, ("origins", rows), *extra, progress=False)`` returns
    the forward modes' arrays for those origins (concatenated along ``origin_axis``);
    ``function(network, ("destinations", columns), *extra, progress=False)`` returns, per
    backward mode, the sums of its groups of ``group`` destinations (chunks hold whole
    groups), added here group after group as a local run adds them: the same numbers, bit
    for bit. ``shapes`` are the modes' whole arrays.
    """
    forward = [m for m, back in enumerate(backward) if not back]
    turned = [m for m, back in enumerate(backward) if back]
    pieces = []
    if forward:
        size = origins_per_task(n_destinations)
        pieces += [("origins", rows) for rows in chunk_rows(n_origins, size, client=client)]
    if turned:
        pieces += [
            ("destinations", columns)
            for columns in destination_rows(n_origins, n_destinations, client=client, multiple=group)
        ]
    chunks_of = {m: [] for m in forward}
    values = {m: np.zeros(shapes[m]) for m in turned}
    with start(function, network, pieces, *extra, client=client, progress=progress, what=what,
               options={}) as results:  # fmt: skip
        for (kind, _), result in zip(pieces, results(), strict=True):
            if kind == "origins":
                for m, part in zip(forward, result, strict=True):
                    chunks_of[m].append(part)
                continue
            for m, sums in zip(turned, result, strict=True):
                for group_sums in sums:
                    values[m] += group_sums
    values |= {m: np.concatenate(parts, axis=origin_axis) for m, parts in chunks_of.items()}
    return [values[m] for m in range(len(backward))]


@contextlib.contextmanager
def start(
    function: Callable, network, pieces: list, *extra, client, progress, what: str, options: dict
) -> Iterator[Callable[[], Iterator]]:
    """Set off :func:`run`'s tasks; give the function that iterates over their results, in order.

    Within the ``with`` block the client may prepare what does not depend on the results (the
    ids of a matrix) while the workers compute. Should the block fail, the tasks still queued
    or running are cancelled: nothing is left computing for a result no one will read (a
    notebook keeps the failed frame, and with it the tasks, alive). Without a client the
    pieces run as their results are asked for.
    """
    with progress_bar(len(pieces), what, progress, unit="chunk") as bar:
        if client is None:

            def here() -> Iterator:
                for piece in pieces:
                    yield function(network, piece, *extra, progress=False, **options)
                    bar.update()

            yield here
            return
        import dask

        ticket = _scattered(client, network)
        # A piece may carry rows of a matrix searched by earlier tasks (tens of MB): they go with
        # their task on purpose, as scattered data would be lost with the worker holding it.
        with dask.config.set({"distributed.admin.large-graph-warning-threshold": "2GB"}):
            futures = [
                client.submit(_on_worker, function, ticket, piece, extra, options, pure=False)
                for piece in pieces
            ]

        def gathered() -> Iterator:
            from distributed import as_completed

            order = {future.key: i for i, future in enumerate(futures)}
            early = {}
            following = 0
            # Results come over as their tasks end, while the other tasks still run; each is
            # handed on in its turn, so that a caller adding them up holds few at once.
            for future, result in as_completed(futures, with_results=True):
                index = order[future.key]
                early[index] = result
                futures[index] = None  # the result is here: the worker may forget it
                bar.update()
                while following in early:
                    yield early.pop(following)
                    following += 1

        try:
            yield gathered
        except BaseException:
            # The failure is the news: a client that cannot cancel (closed meanwhile) must not
            # replace it with its own error.
            with contextlib.suppress(Exception):
                client.cancel([future for future in futures if future is not None])
            raise


_SHARED: weakref.WeakKeyDictionary = weakref.WeakKeyDictionary()
"""Per network, the clients it was sent to and the future of its copy on their workers."""

KEPT_NETWORKS = 2
"""Networks a worker keeps warm (with their caches) between queries."""

_KEPT: OrderedDict[str, object] = OrderedDict()
"""On a worker: the networks it holds, by the token they were shipped with, oldest first."""
_KEPT_LOCK = threading.Lock()


class Shipped:
    """A network on its way to the workers.

    With a token naming this copy of it, and the version of reachable that sends it.
    """

    def __init__(self, network) -> None:
        self.network = network
        self.token = uuid.uuid4().hex
        self.version = _version()


def _version() -> str:
    from . import __version__

    return __version__


@dataclass(frozen=True)
class Ticket:
    """What a task carries instead of the network.

    The token of its copy, and either the file every worker loads it from or, when there is
    none, its name on the scheduler (a published dataset) from which a worker without a copy
    yet fetches it.
    """

    token: str
    saved_file: SavedFile | None = None

    @property
    def name(self) -> str:
        """The dataset's name."""
        return f"reachable-network-{self.token}"


def _scattered(client, network) -> Ticket:
    """The network on the client's workers, sent once, or read by each from its file.

    A network loaded from (or saved to) a file that every worker reads as it is here (same
    size and modification time) is loaded by each worker from that file: no copy goes through
    the client and the scheduler. Otherwise it travels as the result of a task, not as
    scattered data: the scheduler keeps the task, so a copy lost with a dead worker is made
    again (scattered data would be gone for good once the scheduler's memory manager has
    dropped its other replicas). Tasks do not depend on that result (the scheduler would then
    send them all to the one worker holding it and leave the others idle): the result is
    published as a dataset, tasks carry a :class:`Ticket` naming it, and each worker fetches
    it the first time. Either way a worker keeps its copy (:func:`_worker_copy`), with the
    caches (walks, routes, snapping indexes) its queries fill there. A dataset is unpublished
    when the network is dropped here.
    """
    futures = _SHARED.setdefault(network, {})
    held = futures.get(client.id)
    if held is not None and (held[0] is None or held[0].status in ("pending", "finished")):
        return held[1]
    shipped = Shipped(network)
    if _every_worker_reads(client, network.saved_file):
        futures[client.id] = (None, Ticket(shipped.token, network.saved_file))
        return futures[client.id][1]
    with warnings.catch_warnings():
        # "Large object in task graph": on purpose, see above.
        warnings.filterwarnings("ignore", message=".*[Ll]arge (object|graph)", category=UserWarning)
        future = client.submit(_as_is, shipped, pure=False)
    _check_loaded(client, future)
    ticket = Ticket(shipped.token)
    client.publish_dataset(future, name=ticket.name)
    weakref.finalize(network, _unpublish, client, ticket.name)
    futures[client.id] = (future, ticket)
    return ticket


def _every_worker_reads(client, saved_file: SavedFile | None) -> bool:
    """Whether the cluster has workers, each reading ``saved_file`` as it is here.

    Workers that read it but run another version of reachable stop the query (see
    :func:`_as_is`).
    """
    if saved_file is None or not saved_file.unchanged():
        return False
    answers = client.run(_reads, saved_file)
    for address, version in answers.items():
        if version is not None and version != _version():
            raise ClusterError(
                f"the workers of {client} cannot load the network (worker {address} runs reachable "
                f"{version}, the client {_version()}); install the same version of reachable and its "
                "dependencies on every worker"
            )
    return bool(answers) and all(version is not None for version in answers.values())


def _reads(saved_file: SavedFile) -> str | None:
    """On a worker: its version of reachable if it reads ``saved_file`` as it was, else None."""
    return _version() if saved_file.unchanged() else None


def _unpublish(client, name: str) -> None:
    # The client or its cluster may be gone already: nothing left to free then.
    with contextlib.suppress(Exception):
        client.unpublish_dataset(name)


def _check_loaded(client, future) -> None:
    """Wait until a worker holds the network, or say at once why none can."""
    from distributed import TimeoutError as DaskTimeout

    try:
        client.submit(_is_shipped, future, pure=False).result(timeout=LOAD_TIMEOUT)
    except DaskTimeout:
        raise ClusterError(
            f"no worker of {client} loaded the network within {LOAD_TIMEOUT:g} s: does the cluster have "
            "workers (client.wait_for_workers(1)), and memory for the network?"
        ) from None
    except Exception as error:
        raise ClusterError(
            f"the workers of {client} cannot load the network ({type(error).__name__}: {error}); install "
            "the same version of reachable and its dependencies on every worker"
        ) from error


def _is_shipped(shipped: Shipped) -> bool:
    return isinstance(shipped, Shipped)


def _as_is(shipped: Shipped) -> Shipped:
    """On a worker: the network as it arrived, once its version is checked."""
    if shipped.version != _version():
        # Another version may read the network's arrays differently: refuse, do not guess.
        raise ClusterError(f"this worker runs reachable {_version()}, the client {shipped.version}")
    return shipped


def _worker_copy(ticket: Ticket):
    """The worker's own copy of a network: loaded or fetched the first time, then kept, caches and all."""
    with _KEPT_LOCK:
        network = _KEPT.get(ticket.token)
    if network is None:
        network = _load(ticket.saved_file) if ticket.saved_file else _fetch(ticket)
    with _KEPT_LOCK:
        # Another task of this worker may have kept a copy meanwhile: the first one stays.
        network = _KEPT.setdefault(ticket.token, network)
        _KEPT.move_to_end(ticket.token)
        while len(_KEPT) > KEPT_NETWORKS:
            _KEPT.popitem(last=False)
    return network


def _fetch(ticket: Ticket):
    from distributed import get_client

    return get_client().get_dataset(ticket.name).result().network


def _load(saved_file: SavedFile) -> Network:
    from distributed import get_worker

    # A worker that joined after the query started may not see the file, or see another.
    if not saved_file.unchanged():
        raise ClusterError(
            f"worker {get_worker().address} does not read the network's file {saved_file.path} as the "
            "client does (missing, or changed since); keep it on storage every worker reads, unchanged"
        )
    return Network.load(saved_file.path)


def _on_worker(function, ticket: Ticket, piece, extra: tuple, options: dict):
    """Run a task on the worker's copy of the network.

    With as many numba threads as the worker has task threads: a worker process per core
    with numba's default (every core) would run cores x cores threads.
    """
    import numba
    from distributed import get_worker

    numba.set_num_threads(max(1, min(get_worker().state.nthreads, numba.config.NUMBA_NUM_THREADS)))
    return function(_worker_copy(ticket), piece, *extra, progress=False, **options)


def write_part(frame: pd.DataFrame, folder: Path, index: int) -> Path:
    """Write one chunk's rows as a staged part, atomically (a killed task leaves no part).

    A staged part (``.part-00000.parquet.staged``) is hidden from the readers of the folder,
    pyarrow's (dot first) and Dask's (not ``.parquet``), until :func:`publish_parts` names it
    ``part-00000.parquet``, once every chunk is written.
    """
    path = Path(folder) / f".part-{index:05d}.parquet.staged"
    temporary = path.with_name(f".part-{index:05d}.parquet.{os.getpid()}.tmp")
    frame.to_parquet(temporary, index=False)
    os.replace(temporary, path)
    return path


def clear_parts(folder: Path) -> None:
    """Remove the parts of an earlier matrix in ``folder``, published or staged."""
    for pattern in ("part-*.parquet", ".part-*"):
        for stale in folder.glob(pattern):
            stale.unlink(missing_ok=True)


def publish_parts(staged: list[Path]) -> None:
    """Name the staged parts of a whole matrix as readers expect them (see :func:`write_part`)."""
    for path in staged:
        os.replace(path, path.with_name(path.name.removeprefix(".").removesuffix(".staged")))
