"""Which Dask cluster runs the work: the client you pass, the current default one, or a local one.

:func:`local_client` starts (once per process) a :class:`distributed.LocalCluster` of worker
processes on this machine; :func:`resolve_client` picks the client a call uses.
:func:`pandas_strings` keeps pandas' own ``str`` dtype in the graphs sesops builds (Dask would
otherwise convert text columns to ``string[pyarrow]``, and the table would differ from pandas').
"""

from __future__ import annotations

import atexit
import contextlib
from collections.abc import Iterator, Sequence
from typing import Any

import dask
from distributed import Client, LocalCluster, default_client

_started: dict[tuple[int, str | int | float, bool], Client] = {}


def local_client(
    n_workers: int = 2, memory_limit: str | int | float = "auto", *, processes: bool = True
) -> Client:
    """A client of a local cluster: ``n_workers`` worker processes (one thread each) capped at
    ``memory_limit`` each (``"1GiB"``, bytes, or ``"auto"``: this machine's memory shared out).

    Started once per settings and process, closed at exit; it becomes the default client, so a
    ``.compute()`` on a frame from :func:`sesops.dask.read_events` runs there too.
    """
    key = (n_workers, memory_limit, processes)
    client = _started.get(key)
    if client is None or client.status in ("closing", "closed"):
        cluster = LocalCluster(  # type: ignore[no-untyped-call]
            n_workers=n_workers,
            threads_per_worker=1,
            memory_limit=memory_limit,
            processes=processes,
            dashboard_address=None,
        )
        client = _started[key] = Client(cluster)  # type: ignore[no-untyped-call]
        atexit.register(_close, client)
    return client


def _close(client: Client) -> None:
    cluster = client.cluster
    client.close()  # type: ignore[no-untyped-call]
    if cluster is not None:
        cluster.close()


def resolve_client(client: Client | None = None) -> Client:
    """``client``, else the process's default Dask client, else :func:`local_client`'s."""
    if client is not None:
        return client
    try:
        found: Client = default_client()  # type: ignore[no-untyped-call]
        return found
    except ValueError:  # no client yet
        return local_client()


@contextlib.contextmanager
def pandas_strings() -> Iterator[None]:
    """Build graphs whose text columns keep pandas' ``str`` dtype, as the pandas table has it."""
    with dask.config.set({"dataframe.convert-string": False}):
        yield


def compute(client: Client, collections: Sequence[Any]) -> list[Any]:
    """The results of ``collections`` computed together on ``client`` (shared inputs read once)."""
    results: list[Any] = client.compute(list(collections), sync=True)  # type: ignore[no-untyped-call]
    return results
