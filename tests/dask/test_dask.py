"""sesops.dask against the pandas path: the same rows, dtypes, suppression and review lists, daily rates."""

from __future__ import annotations

import gzip
import importlib.util
import logging
from pathlib import Path

import dask.dataframe as dd
import pandas as pd
import pytest
from distributed import Client

import sesops.dask
from sesops.analysis.rates import daily, sent_pairs
from sesops.analysis.suppress import SuppressionPolicy, build_review_list, build_suppression_list
from sesops.errors import InputError, MissingExtra, RecordError
from sesops.events.parse import COLUMNS
from sesops.load.reader import read_events
from sesops.sim.simulate import SimulationConfig, iter_lines

NOW = pd.Timestamp("2025-03-09T12:00:00Z")


def same_rows(left: pd.DataFrame, right: pd.DataFrame) -> None:
    """Equal as tables: columns, dtypes and every row (order aside)."""
    assert list(right.columns) == list(left.columns) == list(COLUMNS)
    assert right.dtypes.to_dict() == left.dtypes.to_dict()
    ordered = [
        frame.sort_values(list(COLUMNS), na_position="first").reset_index(drop=True)
        for frame in (left, right)
    ]
    pd.testing.assert_frame_equal(*ordered)


def test_rows_and_dtypes_are_the_pandas_tables(
    corpus: Path, client: Client, events: pd.DataFrame, ddf: dd.DataFrame
) -> None:
    files = sorted(corpus.iterdir())
    within_files = sum(read_events(path).attrs["duplicates"] for path in files)
    assert events.attrs["duplicates"] > within_files > 0  # repeats inside files and across them
    assert ddf.npartitions == len(files)
    assert ddf.dtypes.to_dict() == events.dtypes.to_dict()  # the lazy frame's meta too
    same_rows(events, ddf.compute())
    undeduped = sesops.dask.read_events(
        [str(corpus / "ids-*"), corpus / "events-00.jsonl.gz"], dedupe=False, client=client
    )
    same_rows(
        read_events(*sorted(corpus.glob("ids-*")), corpus / "events-00.jsonl.gz", dedupe=False),
        undeduped.compute(),
    )


@pytest.mark.parametrize(
    ("policy", "now"),
    [
        (None, None),
        (SuppressionPolicy(undetermined="hard", soft_bounce_days=2, reset_on_delivery=False), NOW),
    ],
)
def test_suppression_and_review_lists_are_the_pandas_lists(
    client: Client,
    events: pd.DataFrame,
    ddf: dd.DataFrame,
    policy: SuppressionPolicy | None,
    now: pd.Timestamp | None,
) -> None:
    expected = build_suppression_list(events, policy, now)
    assert {"complaint", "hard_bounce", "soft_bounce_threshold"} <= set(expected["category"])
    pd.testing.assert_frame_equal(sesops.dask.suppression_list(ddf, policy, now, client=client), expected)
    review = build_review_list(events, policy, now)
    assert len(review)
    pd.testing.assert_frame_equal(sesops.dask.review_list(ddf, policy, now, client=client), review)


def test_daily_rates_are_the_pandas_rates(
    corpus: Path, client: Client, events: pd.DataFrame, ddf: dd.DataFrame
) -> None:
    assert sent_pairs(events)[0] == "inferred"  # Send events for some messages only
    pd.testing.assert_frame_equal(sesops.dask.daily_rates(ddf, client=client), daily(events))

    published = read_events(*sorted(corpus.glob("events-*")), dedupe=False)
    assert sent_pairs(published)[0] == "send_events"  # for every message
    repeated = sesops.dask.read_events(str(corpus / "events-*"), dedupe=False, client=client)
    pd.testing.assert_frame_equal(sesops.dask.daily_rates(repeated, client=client), daily(published))


def test_bounces_alone_have_no_rate_and_nothing_is_empty(tmp_path: Path, client: Client) -> None:
    config = SimulationConfig(messages=400, seed=3, bounce_rate=0.2)
    bounces = [line for line in iter_lines(config, envelope=False) if b'"Bounce"' in line]
    (tmp_path / "bounces.jsonl").write_bytes(b"".join(bounces))
    events = read_events(tmp_path)
    ddf = sesops.dask.read_events(tmp_path, client=client)
    rates = sesops.dask.daily_rates(ddf)  # on the default client: the fixture's, the last one made
    pd.testing.assert_frame_equal(rates, daily(events))
    assert rates["bounce_rate"].isna().all()

    empty = tmp_path / "empty"
    empty.mkdir()
    nothing = sesops.dask.read_events(empty, client=client)
    same_rows(read_events(empty), nothing.compute())
    pd.testing.assert_frame_equal(sesops.dask.daily_rates(nothing, client=client), daily(read_events(empty)))
    assert sesops.dask.suppression_list(nothing, client=client).empty


def test_bad_records_are_reported_or_raised(
    tmp_path: Path, client: Client, caplog: pytest.LogCaptureFixture
) -> None:
    lines = list(iter_lines(SimulationConfig(messages=50, seed=1)))
    with gzip.open(tmp_path / "a.jsonl.gz", "wb") as fh:
        fh.writelines([*lines[:10], b"{not json\n", *lines[10:]])
    with caplog.at_level(logging.WARNING, logger="sesops.dask"):
        ddf = sesops.dask.read_events(tmp_path, client=client)
    assert "skipped 1 bad record(s); first: " in caplog.text and "a.jsonl.gz:11" in caplog.text
    same_rows(read_events(tmp_path), ddf.compute())
    with pytest.raises(RecordError, match=r"a\.jsonl\.gz:11"):
        sesops.dask.read_events(tmp_path, errors="raise", client=client)
    with pytest.raises(InputError, match="no such file"):
        sesops.dask.read_events(tmp_path / "missing.jsonl", client=client)
    with pytest.raises(InputError, match="no file matches"):
        sesops.dask.read_events(str(tmp_path / "*.json"), client=client)


@pytest.mark.timeout(180)
def test_on_a_local_cluster_of_worker_processes(corpus: Path) -> None:
    """Worker processes as on a real cluster: partitions are read where they run, results come back."""
    client = sesops.dask.local_client(n_workers=2, memory_limit="1GiB")
    try:
        assert client is sesops.dask.local_client(n_workers=2, memory_limit="1GiB")  # started once
        assert len(client.scheduler_info()["workers"]) == 2
        ddf = sesops.dask.read_events(str(corpus / "ids-*"), client=client)
        events = read_events(*sorted(corpus.glob("ids-*")))
        pd.testing.assert_frame_equal(
            sesops.dask.suppression_list(ddf, client=client), build_suppression_list(events)
        )
    finally:
        client.close()
        client.cluster.close()


def test_missing_extra_is_named(monkeypatch: pytest.MonkeyPatch) -> None:
    real = importlib.util.find_spec
    monkeypatch.setattr(
        importlib.util, "find_spec", lambda name, *a: None if name == "distributed" else real(name, *a)
    )
    with pytest.raises(MissingExtra, match="dask"):
        sesops.dask.read_events  # noqa: B018
