"""The Collector's interface: records, tables, rejects, and rolling a fast pass back."""

from __future__ import annotations

import json

import pytest

from sesops.errors import RecordError
from sesops.events.parse import parse_record
from sesops.load import collector as collector_module
from sesops.load.collector import Collector
from sesops.load.frames import rows_to_table
from sesops.load.sources import RawRecord
from tests.payloads import delivery, envelope


def table_of(*records: object) -> object:
    return rows_to_table(
        [row for record in records for parsed in parse_record(record) for row in parsed.rows]
    )


def test_records_lines_and_tables_end_in_one_frame_in_arrival_order() -> None:
    collector = Collector("report", dedupe=True)
    collector.consume([RawRecord("mem", 1, envelope(delivery("a@x.org"), message_id="m1"))])
    collector.consume_lines([json.dumps(envelope(delivery("b@x.org"), message_id="m2")).encode(), b"  "], "f")
    collector.add_table(table_of(envelope(delivery("c@x.org"), message_id="m3")), messages=1)
    collector.add(envelope(delivery("a@x.org"), message_id="m1"), "mem", 2)  # a redelivery
    df = collector.frame()
    assert list(df["email"]) == ["a@x.org", "b@x.org", "c@x.org"]
    assert collector.attrs() == {
        "rejects": [],
        "rejected": 0,
        "unread": 0,
        "control": {},
        "notices": [],
        "duplicates": 1,
        "messages": 4,
    }


def test_rollback_forgets_tables_messages_and_keys_seen_since_the_mark() -> None:
    collector = Collector("report", dedupe=True)
    collector.add(envelope(delivery("a@x.org"), message_id="m1"), "s", 1)
    mark = collector.mark()
    collector.add_table(table_of(envelope(delivery("b@x.org"), message_id="m2")), messages=1)
    collector.rollback(mark)
    collector.add(envelope(delivery("b@x.org"), message_id="m2"), "s", 2)  # no repeat of a forgotten row
    assert sorted(collector.frame()["email"]) == ["a@x.org", "b@x.org"]
    assert (collector.attrs()["messages"], collector.attrs()["duplicates"]) == (2, 0)


def test_rejects_are_counted_all_and_listed_up_to_the_limit(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(collector_module, "MAX_LISTED_REJECTS", 2)
    collector = Collector("report", dedupe=False)
    collector.consume([RawRecord("f", n, b"{nope") for n in (1, 2, 3)])
    collector.consume([RawRecord("f", 4, RecordError("not JSON"))])
    attrs = collector.attrs()
    assert attrs["rejected"] == 4
    assert [(r["source"], r["line"], r["reason"].split(" (")[0]) for r in attrs["rejects"]] == [
        ("f", 1, "not JSON"),
        ("f", 2, "not JSON"),
    ]


def test_errors_raise_stops_at_the_first_reject_naming_where() -> None:
    collector = Collector("raise", dedupe=False)
    with pytest.raises(RecordError, match=r"^f:7: expected a JSON object, got int$"):
        collector.add(17, "f", 7)
