"""Every entry of the shapes table is read alike by the Python parser, the msgspec decoder and DuckDB,
as an SNS notification, a raw SES object and an EventBridge event.

The examples come from the table alone (one per case of each rule), so an event type added
to the table is checked here without a new test.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pandas as pd
import pytest

from sesops.errors import RecordError
from sesops.events.parse import COLUMNS, parse_record
from sesops.events.shapes import EVENTBRIDGE_DETAIL_TYPES
from sesops.load import fastload
from sesops.load.reader import read_events
from sesops.load.typed import notification_line_rows
from tests.events.shape_examples import Example, all_examples
from tests.payloads import envelope

EXAMPLES = all_examples()


def notification(example: Example) -> dict[str, Any]:
    return envelope(example.ses, message_id=f"sns-{example.ses['mail']['messageId']}")


DETAIL_TYPE = {event_type: name for name, event_type in EVENTBRIDGE_DETAIL_TYPES.items()}


def eventbridge(example: Example) -> dict[str, Any]:
    detail_type = DETAIL_TYPE[example.shape.event_type]
    return {
        "version": "0",
        "id": "e-1",
        "detail-type": detail_type,
        "source": "aws.ses",
        "detail": example.ses,
    }


CHANNELS = {"sns": notification, "raw": lambda e: e.ses, "eventbridge": eventbridge}


@pytest.mark.parametrize("channel", sorted(CHANNELS))
@pytest.mark.parametrize("example", EXAMPLES, ids=lambda e: f"{e.shape.event_type}-{e.case.category}")
def test_the_typed_decoder_reads_each_entry_as_the_parser_does(example: Example, channel: str) -> None:
    line = json.dumps(CHANNELS[channel](example)).encode()
    typed = notification_line_rows(line)
    assert typed is not None, "the typed decoder did not recognise a table entry"
    assert typed == [row for parsed in parse_record(line) for row in parsed.rows]


FIRST_OF_EACH_TYPE = list({e.shape.event_type: e for e in reversed(EXAMPLES)}.values())


@pytest.mark.parametrize("example", FIRST_OF_EACH_TYPE, ids=lambda e: e.shape.event_type)
@pytest.mark.parametrize("part", ["mail", "recipients"])
def test_the_typed_decoder_judges_a_trimmed_message_as_the_parser_does(example: Example, part: str) -> None:
    broken = json.loads(json.dumps(example.ses))
    if part == "mail":
        del broken["mail"]
    elif example.shape.recipients_key is not None:
        del broken[example.shape.detail_key]
    else:
        broken["mail"]["destination"] = []
    line = json.dumps(envelope(broken)).encode()
    if part == "mail" and example.shape.recipients_key is not None:  # trimmed: rows, mail's columns empty
        typed_rows = notification_line_rows(line)
        assert typed_rows == [row for parsed in parse_record(line) for row in parsed.rows]
        assert typed_rows and all(row[COLUMNS.index("message_id")] is None for row in typed_rows)
        return
    with pytest.raises(RecordError) as typed:
        notification_line_rows(line)
    with pytest.raises(RecordError) as general:
        parse_record(line)
    assert typed.value.reason == general.value.reason


def test_duckdb_reads_every_entry_itself_and_as_the_parser_does(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    lines = [wrap(e) for wrap in CHANNELS.values() for e in EXAMPLES]  # SNS-wrapped, raw, EventBridge
    path = tmp_path / "table.jsonl"
    path.write_text("\n".join(json.dumps(line) for line in lines) + "\n")
    slow = read_events(path, engine="python", dedupe=False)

    def handed_over(*args: object) -> None:
        raise AssertionError("DuckDB left a table entry to the pure parser")

    monkeypatch.setattr(fastload, "_irregular_ordinals", handed_over)
    fast = read_events(path, engine="duckdb", dedupe=False)
    assert len(fast) == len(CHANNELS) * sum(len(e.emails) for e in EXAMPLES)
    assert fast.attrs["rejected"] == 0
    key = ["sns_message_id", "message_id", "email"]
    pd.testing.assert_frame_equal(
        fast.sort_values(key, na_position="first").reset_index(drop=True),
        slow.sort_values(key, na_position="first").reset_index(drop=True),
    )
    categories = {e.case.category for e in EXAMPLES}
    assert set(fast["category"]) == categories
