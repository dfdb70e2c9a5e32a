"""Running a query's chunks of origins on a Dask cluster, and writing big matrices in parts.

Origins are independent: a matrix, an accessibility table or isochrones computed for a chunk
of origins are exactly the rows they would be in one run (the kernels search each origin on
its own, whatever its neighbours in a chunk). So a query is cut into chunks of
:data:`ORIGINS_PER_TASK` origins, each a task running the very same public function on a
worker, and the results are put back in origin order: bit for bit the local result.

The network goes to each worker once, never once per task nor once per query: a worker keeps
its copy, with the caches its queries fill, for
the next tasks and queries. Each task runs as many numba threads as its worker has task
threads (``threads_per_worker``), so a worker per core does not oversubscribe the cores. A
worker that dies mid-run loses its tasks, which the scheduler runs again elsewhere (tasks
are pure: same inputs, same rows).
"""

from __future__ import annotations

import os
import warnings
import weakref
from collections.abc import Callable
from pathlib import Path

import pandas as pd

from ._progress import progress_bar
from .errors import ClusterError, InvalidParameterError

LOAD_TIMEOUT = 300.0
"""Seconds to wait for a worker to hold the network before giving up with an error."""

ORIGINS_PER_TASK = 256
"""Origins per task: a worker holds one task's rows (x destinations) at a time."""


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


def chunks(frame: pd.DataFrame, size: int = ORIGINS_PER_TASK) -> list[pd.DataFrame]:
    """``frame`` cut into consecutive pieces of ``size`` rows."""
    return [frame.iloc[start : start + size] for start in range(0, len(frame), size)]


def run(function: Callable, network, pieces: list, *, client, progress, what: str, **options) -> list:
    """``function(network, piece, **options)`` for each piece, on the client's workers, in order.

    Without a client the pieces run here one after the other (to write a matrix in parts).
    """
    with progress_bar(len(pieces), what, progress, unit="chunk") as bar:
        if client is None:
            results = []
            for piece in pieces:
                results.append(function(network, piece, **options))
                bar.update()
            return results
        from distributed import as_completed

        shared = _scattered(client, network)
        futures = [
            client.submit(_on_worker, function, shared, piece, **options, pure=False) for piece in pieces
        ]
        for _ in as_completed(futures):
            bar.update()
        return client.gather(futures)


_SHARED: weakref.WeakKeyDictionary = weakref.WeakKeyDictionary()
"""Per network, the clients it was scattered to and the future of its copy on their workers."""


def _scattered(client, network):
    """The network on the client's workers, sent once.

    It travels as the result of a task, not as scattered data: the scheduler keeps the task,
    so a copy lost with a dead worker is made again (scattered data would be gone for good
    once the scheduler's memory manager has dropped its other replicas). Later queries reuse
    the workers' copy, with the caches (walks, routes, snapping indexes) earlier queries
    filled there.
    """
    futures = _SHARED.setdefault(network, {})
    future = futures.get(client.id)
    if future is None or future.status not in ("pending", "finished"):
        with warnings.catch_warnings():
            # "Large object in task graph": on purpose, see above.
            warnings.filterwarnings("ignore", message=".*[Ll]arge (object|graph)", category=UserWarning)
            future = client.submit(_as_is, network, pure=False)
        _check_loaded(client, future)
        futures[client.id] = future
    return future


def _check_loaded(client, future) -> None:
    """Wait until a worker holds the network, or say at once why none can."""
    from distributed import TimeoutError as DaskTimeout

    try:
        client.submit(_is_network, future, pure=False).result(timeout=LOAD_TIMEOUT)
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


def _is_network(network) -> bool:
    return True


def _as_is(network):
    return network


def _on_worker(function, network, piece, **options):
    """Run a task with as many numba threads as the worker has task threads.

    A worker process per core with numba's default (every core) would run cores x cores
    threads.
    """
    import numba
    from distributed import get_worker

    numba.set_num_threads(max(1, min(get_worker().state.nthreads, numba.config.NUMBA_NUM_THREADS)))
    return function(network, piece, **options)


def interleave(frames: list[pd.DataFrame], sizes: list[int]) -> pd.DataFrame:
    """Put back together per-chunk tables made of blocks of one row per origin of the chunk.

    Chunk ``i`` holds ``k`` blocks of ``sizes[i]`` rows (one per mode, cutoff...); the whole
    table holds the same ``k`` blocks of all the origins.
    """
    n_blocks = len(frames[0]) // sizes[0] if sizes[0] else 0
    parts = [
        frame.iloc[b * size : (b + 1) * size]
        for b in range(n_blocks)
        for frame, size in zip(frames, sizes, strict=True)
    ]
    return pd.concat(parts, ignore_index=True)


def write_part(frame: pd.DataFrame, folder: Path, index: int) -> Path:
    """Write one chunk's rows as ``part-00000.parquet``, atomically (a killed task leaves no part)."""
    path = Path(folder) / f"part-{index:05d}.parquet"
    temporary = path.with_name(f".{path.name}.{os.getpid()}.tmp")
    frame.to_parquet(temporary, index=False)
    os.replace(temporary, path)
    return path
