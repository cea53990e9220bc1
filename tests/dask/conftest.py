"""A partitioned corpus with repeats across partitions, and an in-process Dask cluster to read it."""

from __future__ import annotations

import gzip
from collections.abc import Iterator
from pathlib import Path

import dask.dataframe as dd
import orjson
import pandas as pd
import pytest
from distributed import Client, LocalCluster

import sesops.dask
from sesops.load.reader import read_events
from sesops.sim.simulate import SimulationConfig, iter_lines
from tests.payloads import bounce

FILES = 4


@pytest.fixture(scope="package")
def client() -> Iterator[Client]:
    """Two in-process workers (threads): the real scheduler and shuffles, without process start-up."""
    with (
        LocalCluster(n_workers=2, threads_per_worker=1, processes=False, dashboard_address=":0") as cluster,
        Client(cluster) as connected,
    ):
        yield connected


def soft_bounces(address: str) -> list[bytes]:
    """A full mailbox on three days, one file each: the soft rule needs the address's whole history."""
    lines = []
    for day in range(3):
        record = bounce(
            address,
            bounce_type="Transient",
            subtype="MailboxFull",
            status="4.2.2",
            feedback_id=f"fb-soft-{day}",
        )
        record["bounce"]["timestamp"] = f"2025-03-0{4 + day}T09:00:00.000Z"
        record["mail"] |= {"messageId": f"soft-{day}", "timestamp": f"2025-03-0{4 + day}T08:59:00.000Z"}
        lines.append(orjson.dumps(record) + b"\n")
    return lines


def write_parts(root: Path, name: str, lines: list[bytes], extra: dict[int, list[bytes]]) -> None:
    """``lines`` split into :data:`FILES` gzip files, each starting with the last 25 lines of the
    one before (SNS redeliveries that land in the next file), plus ``extra`` lines per file."""
    size = len(lines) // FILES + 1
    for part in range(FILES):
        chunk = lines[part * size : (part + 1) * size]
        repeated = lines[part * size - 25 : part * size] if part else []
        with gzip.open(root / f"{name}-{part:02d}.jsonl.gz", "wb") as fh:
            fh.writelines([*repeated, *chunk, *extra.get(part, [])])


@pytest.fixture(scope="package")
def corpus(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """Identity notifications (``ids-*``) and configuration-set events (``events-*``): SNS
    redeliveries within and across files, the same feedback again as raw SES objects in a later
    file (another channel: no SNS id), high bounce rates so every policy rule fires."""
    root = tmp_path_factory.mktemp("dask-corpus")
    for name, publishing in (("ids", False), ("events", True)):
        config = SimulationConfig(
            messages=1200,
            days=12,
            seed=11,
            event_publishing=publishing,
            bounce_rate=0.05,
            soft_bounce_rate=0.08,
            complaint_rate=0.01,
        )
        raw = list(iter_lines(config, envelope=False))
        extra = {FILES - 1: raw[:300]}
        if not publishing:  # one address, written differently in each file
            for day, address in enumerate(("Full@Example.org", " full@example.org", "FULL@example.org")):
                extra[day] = soft_bounces(address)[day : day + 1]
        write_parts(root, name, list(iter_lines(config, redelivery_rate=0.05)), extra)
    return root


@pytest.fixture(scope="package")
def events(corpus: Path) -> pd.DataFrame:
    """The corpus through the pandas path."""
    return read_events(corpus)


@pytest.fixture(scope="package")
def ddf(corpus: Path, client: Client) -> dd.DataFrame:
    """The corpus through sesops.dask, read once into the workers' memory for every test to use."""
    return sesops.dask.read_events(corpus, client=client).persist()
