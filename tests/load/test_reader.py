"""read_events over every kind of source, dedupe, rejects, and both engines agreeing."""

from __future__ import annotations

import gzip
import json
import logging
from pathlib import Path
from typing import Any

import pandas as pd
import pytest

from sesops import COLUMNS, read_events
from sesops.errors import InputError, RecordError
from tests.conftest import ROOT
from tests.payloads import bounce, complaint, delivery, envelope, event


def write_lines(path: Path, records: list[object]) -> Path:
    lines = [r if isinstance(r, str) else json.dumps(r) for r in records]
    path.write_text("\n".join(lines) + "\n")
    return path


def test_columns_and_dtypes(tmp_path: Path) -> None:
    df = read_events(write_lines(tmp_path / "a.jsonl", [envelope(bounce())]))
    assert list(df.columns) == list(COLUMNS)
    assert isinstance(df["timestamp"].dtype, pd.DatetimeTZDtype)
    assert str(df["timestamp"].dt.tz) == "UTC"
    assert df["timestamp"].iloc[0] == pd.Timestamp("2026-11-01T10:00:05Z")


def test_empty_result_has_the_contract_columns() -> None:
    df = read_events([])
    assert list(df.columns) == list(COLUMNS) and len(df) == 0
    assert isinstance(df["timestamp"].dtype, pd.DatetimeTZDtype)


def test_every_file_kind_and_directories(tmp_path: Path) -> None:
    (tmp_path / "sub" / "deeper").mkdir(parents=True)
    (tmp_path / "one.json").write_text(json.dumps(envelope(bounce("a@x.org"), message_id="1")))
    (tmp_path / "array.json").write_text(
        json.dumps([envelope(delivery("b@x.org"), message_id="2"), complaint("c@x.org")])
    )
    write_lines(tmp_path / "sub" / "log.ndjson", [envelope(delivery("d@x.org"), message_id="3")])
    with gzip.open(tmp_path / "sub" / "deeper" / "log.jsonl.gz", "wt") as fh:
        fh.write(json.dumps(envelope(delivery("e@x.org"), message_id="4")) + "\n")
    with gzip.open(tmp_path / "sub" / "one.json.gz", "wt") as fh:
        fh.write(json.dumps(delivery("f@x.org")))
    (tmp_path / "README.md").write_text("not data: ignored inside a directory")
    df = read_events(tmp_path)
    assert sorted(df["email"]) == ["a@x.org", "b@x.org", "c@x.org", "d@x.org", "e@x.org", "f@x.org"]
    assert df.attrs["rejected"] == 0


def test_iterables_of_dicts_str_and_bytes() -> None:
    items = [
        envelope(bounce("a@x.org"), message_id="1"),
        json.dumps(delivery("b@x.org")),
        json.dumps(complaint("c@x.org")).encode(),
    ]
    df = read_events(items, envelope(delivery("d@x.org"), message_id="9"))
    assert sorted(df["email"]) == ["a@x.org", "b@x.org", "c@x.org", "d@x.org"]
    assert df.attrs["messages"] == 4


def test_mislabelled_json_lines_in_a_json_file(tmp_path: Path) -> None:
    path = write_lines(
        tmp_path / "log.json", [envelope(bounce(), message_id="1"), envelope(delivery(), message_id="2")]
    )
    assert len(read_events(path)) == 2


def test_sns_redelivery_and_repeated_feedback_are_dropped() -> None:
    first = envelope(bounce("a@x.org", "b@x.org", feedback_id="fb-1"), message_id="sns-1")
    redelivered = dict(first)
    same_feedback_other_channel = bounce("a@x.org", "b@x.org", feedback_id="fb-1")
    df = read_events([first, redelivered, same_feedback_other_channel, delivery("c@x.org")])
    assert sorted(df["email"]) == ["a@x.org", "b@x.org", "c@x.org"]
    assert df.attrs["duplicates"] == 4
    kept = read_events([first, redelivered], dedupe=False)
    assert len(kept) == 4


def test_rejects_are_listed_and_good_neighbours_kept(
    tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    path = write_lines(
        tmp_path / "mixed.jsonl",
        [
            envelope(bounce("a@x.org"), message_id="1"),
            "{truncated",
            "[1, 2]",
            {"notificationType": "Bounce"},
            delivery("b@x.org"),
        ],
    )
    with caplog.at_level(logging.WARNING):
        df = read_events(path)
    assert sorted(df["email"]) == ["a@x.org", "b@x.org"]
    assert df.attrs["rejected"] == 3
    assert [(r["line"], r["reason"].split(" (")[0]) for r in df.attrs["rejects"]] == [
        (2, "not JSON"),
        (3, "expected a JSON object, got array"),
        (4, "SES Bounce without its 'bounce' object"),
    ]
    assert all(r["source"] == str(path) for r in df.attrs["rejects"])
    assert "skipped 3 bad record(s)" in caplog.text and f"{path}:2" in caplog.text


def test_errors_raise_names_source_and_line(tmp_path: Path) -> None:
    path = write_lines(tmp_path / "bad.jsonl", [delivery(), "nope"])
    with pytest.raises(RecordError, match=rf"^{path}:2: not JSON"):
        read_events(path, errors="raise")


def test_control_messages_are_counted() -> None:
    df = read_events(
        [
            {"Type": "SubscriptionConfirmation", "MessageId": "m1", "Token": "t"},
            envelope("Successfully validated SNS topic for Amazon SES event publishing.", message_id="m2"),
            envelope({"notificationType": "AmazonSnsSubscriptionSucceeded"}, message_id="m3"),
        ]
    )
    assert len(df) == 0
    assert df.attrs["control"] == {
        "SubscriptionConfirmation": 1,
        "EventPublishingValidation": 1,
        "AmazonSnsSubscriptionSucceeded": 1,
    }


@pytest.mark.parametrize(
    ("source", "message"),
    [
        ("does/not/exist.jsonl", "no such file or directory"),
        ("pyproject.toml", "cannot read .toml"),
    ],
)
def test_bad_sources_fail_fast_with_one_line(source: str, message: str) -> None:
    with pytest.raises(InputError, match=message):
        read_events(source)


def test_bad_options() -> None:
    with pytest.raises(InputError, match="errors must be"):
        read_events([], errors="ignore")  # type: ignore[arg-type]
    with pytest.raises(InputError, match="cannot read a int"):
        read_events(42)  # type: ignore[arg-type]


def irregular_mix() -> list[object]:
    """Regular envelopes and raw objects interleaved with every irregular kind."""
    records: list[object] = []
    for i in range(40):
        records.append(
            envelope(bounce(f"u{i}@x.org", f"v{i}@y.org", feedback_id=f"fb{i}"), message_id=f"b{i}")
        )
        records.append(envelope(delivery(f"d{i}@x.org"), message_id=f"d{i}"))
        records.append(complaint(f"c{i}@x.org", feedback_id=f"cf{i}"))
    extras: list[object] = [
        "",
        "   ",
        "{broken",
        "[1]",
        "17",
        {"Type": "SubscriptionConfirmation", "MessageId": "s", "Token": "t"},
        envelope("Successfully validated SNS topic for Amazon SES event publishing.", message_id="v"),
        envelope({"notificationType": "AmazonSnsSubscriptionSucceeded"}, message_id="ok"),
        {"Body": json.dumps(envelope(delivery("body@x.org"), message_id="body"))},
        {"Records": [{"Sns": envelope(delivery("lambda@x.org"), message_id="lam")}]},
        envelope(event("SomethingNew", "somethingNew"), message_id="new"),
        envelope(delivery('"Name" <Display@X.org>'), message_id="disp"),
        envelope(delivery("ok@x.org") | {"delivery": {"recipients": ["ok2@x.org", ""]}}, message_id="empty"),
        envelope("{looks like json but is not", message_id="bad-inner"),
        envelope(event("Open", "open", timestamp="2026-11-05T00:00:00Z"), message_id="open"),
        envelope(bounce(bounce_type="Transient", status=None), message_id="ooto"),
        envelope(bounce("a@x.org", feedback_id="fb1"), message_id="b1"),  # a redelivery
    ]
    for i, extra in enumerate(extras):
        records.insert(3 * i + 1, extra)
    return records


@pytest.mark.parametrize("suffix", [".jsonl", ".jsonl.gz"])
def test_duckdb_and_python_engines_agree(tmp_path: Path, suffix: str) -> None:
    records = irregular_mix()
    text = "\n".join(r if isinstance(r, str) else json.dumps(r) for r in records) + "\n"
    path = tmp_path / f"mix{suffix}"
    if suffix.endswith(".gz"):
        with gzip.open(path, "wt") as fh:
            fh.write(text)
    else:
        path.write_text(text)
    fast = read_events(path, engine="duckdb")
    slow = read_events(path, engine="python")
    key = ["sns_message_id", "email", "event_type", "message_id"]
    pd.testing.assert_frame_equal(
        fast.sort_values(key).reset_index(drop=True), slow.sort_values(key).reset_index(drop=True)
    )
    assert fast.attrs == slow.attrs
    assert slow.attrs["rejected"] == 5  # broken, [1], 17, an empty recipient, a bad inner Message
    assert "display@x.org" in set(fast["email"])


def test_a_line_too_long_for_duckdb_falls_back_to_the_pure_parser(tmp_path: Path) -> None:
    from sesops.load.fastsql import MAX_LINE_BYTES

    huge = bounce("big@x.org", feedback_id="fb-big")
    huge["bounce"]["bouncedRecipients"][0]["diagnosticCode"] = "x" * (MAX_LINE_BYTES + 10)
    path = write_lines(
        tmp_path / "big.jsonl",
        [envelope(delivery("a@x.org"), message_id="1"), envelope(huge, message_id="2")],
    )
    fast = read_events(path, engine="duckdb")
    slow = read_events(path, engine="python")
    pd.testing.assert_frame_equal(fast, slow)
    assert sorted(fast["email"]) == ["a@x.org", "big@x.org"]


def test_many_batches_dedupe_across_them(tmp_path: Path) -> None:
    from sesops.load import fastload

    records = [envelope(delivery(f"u{i}@x.org"), message_id=f"m{i}") for i in range(3000)]
    records += records[:50]  # redelivered much later, in another batch
    path = write_lines(tmp_path / "many.jsonl", records)
    old = fastload.BATCH_ROWS
    fastload.BATCH_ROWS = 256
    try:
        fast = read_events(path, engine="duckdb")
    finally:
        fastload.BATCH_ROWS = old
    assert len(fast) == 3000 and fast.attrs["duplicates"] == 50 and fast.attrs["messages"] == 3050


def test_typed_and_general_paths_give_the_same_rows(tmp_path: Path) -> None:
    """The msgspec fast path for common notifications agrees with the general parser."""
    from sesops.events.parse import parse_record
    from sesops.load.typed import notification_line_rows

    lines = (ROOT / "sample_payloads" / "logs" / "feedback-export.jsonl").read_bytes().splitlines()
    lines += [json.dumps(r).encode() for r in irregular_mix() if isinstance(r, dict)]

    def outcome(parse: Any, line: bytes) -> Any:
        try:
            return parse(line)
        except RecordError as err:
            return err.reason

    compared = 0
    for line in lines:
        typed = outcome(notification_line_rows, line)
        if typed is None:
            continue
        general = outcome(lambda raw: [row for parsed in parse_record(raw) for row in parsed.rows], line)
        assert typed == general, line[:200]
        compared += 1
    assert compared > 300


def test_cyclic_gc_is_restored_after_a_load_even_when_it_fails(tmp_path: Path) -> None:
    import gc

    assert gc.isenabled()
    read_events([delivery()])
    assert gc.isenabled()
    bad = write_lines(tmp_path / "bad.jsonl", ["nope"])
    with pytest.raises(RecordError):
        read_events(bad, errors="raise")
    assert gc.isenabled()
