"""A quarter of history on a Dask cluster: the events table as a ``dask.dataframe``, and the
suppression policy and daily rates computed on it, returning only their small results.

``read_events`` (:mod:`~sesops.dask.reader`) makes one partition per file or S3 object, each
read by sesops' own loader, with exactly the pandas table's columns and dtypes and the same
rows once deduplicated across partitions; ``suppression_list``, ``review_list`` and
``daily_rates`` (:mod:`~sesops.dask.analysis`) give the frames the pandas functions give.
Every call takes a ``distributed`` client (``client=``); without one it uses the current
default client, else :func:`local_client`'s local cluster (:mod:`~sesops.dask.cluster`).
Needs the ``dask`` extra (:class:`~sesops.errors.MissingExtra` otherwise).

This package's name shadows nothing: inside it ``import dask`` is still the Dask library
(absolute imports); sesops' own modules are ``sesops.dask.*``.
"""

from __future__ import annotations

import importlib
from typing import TYPE_CHECKING

from sesops.errors import require_extra

if TYPE_CHECKING:
    from sesops.dask.analysis import daily_rates, policy_rows, review_list, suppression_list
    from sesops.dask.cluster import local_client
    from sesops.dask.reader import read_events

_EXPORTS = {
    "daily_rates": "analysis",
    "local_client": "cluster",
    "policy_rows": "analysis",
    "read_events": "reader",
    "review_list": "analysis",
    "suppression_list": "analysis",
}

__all__ = ["daily_rates", "local_client", "policy_rows", "read_events", "review_list", "suppression_list"]


def __getattr__(name: str) -> object:
    module = _EXPORTS.get(name)
    if module is None:
        raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
    require_extra("analysis")
    require_extra("dask")
    return getattr(importlib.import_module(f"{__name__}.{module}"), name)
