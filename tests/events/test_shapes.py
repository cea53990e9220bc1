"""The shapes table: its invariants, and the Python parser following it entry by entry."""

from __future__ import annotations

import pytest

from sesops.errors import RecordError
from sesops.events.classify import CATEGORIES, classify
from sesops.events.parse import COLUMNS, MessageFields, emit_rows, parse_record
from sesops.events.shapes import (
    COMMON_DETAIL_COLUMNS,
    DETAIL_VALUE_COLUMNS,
    RECIPIENT_COLUMNS,
    SHAPES,
    SHAPES_BY_TYPE,
    Case,
    EventShape,
    always,
    shape_for,
)
from tests.events.shape_examples import DETAIL_TIMESTAMP, Example, all_examples
from tests.payloads import envelope

EXAMPLES = all_examples()


def test_event_types_and_detail_keys_are_unique() -> None:
    assert len(SHAPES_BY_TYPE) == len(SHAPES)
    assert len({s.detail_key for s in SHAPES}) == len(SHAPES)


def test_the_table_names_only_contract_columns() -> None:
    named = (
        {c for c, _ in COMMON_DETAIL_COLUMNS} | set(DETAIL_VALUE_COLUMNS) | {c for c, _ in RECIPIENT_COLUMNS}
    )
    assert named <= set(COLUMNS)
    # every category the reports order is one a rule in the table can give
    assert set(CATEGORIES) <= {case.category for s in SHAPES for case in s.rule}


@pytest.mark.parametrize(
    ("shape", "message"),
    [
        (dict(rule=()), "must end with an unconditional case"),
        (dict(rule=(Case("a", (("status", None),)),)), "must end with an unconditional case"),
        (dict(rule=(Case("a", (("source", "x"),)), Case("b"))), "a rule may test only"),
        (dict(columns=(("subject", "x"),)), "detail columns must be among"),
        (dict(detailed_recipients=True), "detailed recipients need a recipients_key"),
    ],
)
def test_a_malformed_table_entry_is_refused(shape: dict[str, object], message: str) -> None:
    fields: dict[str, object] = dict(
        event_type="New",
        detail_key="new",
        recipients_key=None,
        detailed_recipients=False,
        columns=(),
        rule=always("new"),
    )
    with pytest.raises(ValueError, match=message):
        EventShape(**(fields | shape))  # type: ignore[arg-type]


def test_unknown_event_types_get_a_generic_shape() -> None:
    shape = shape_for("SomethingNew")
    assert (shape.detail_key, shape.recipients_key, shape.fixed_category) == (
        "somethingNew",
        None,
        "something_new",
    )
    assert shape_for("!!!").fixed_category == "unknown"
    assert shape_for("Rendering Failure") is SHAPES_BY_TYPE["Rendering Failure"]


@pytest.mark.parametrize("example", EXAMPLES, ids=lambda e: f"{e.shape.event_type}-{e.case.category}")
def test_the_python_parser_follows_each_entry(example: Example) -> None:
    [parsed] = parse_record(envelope(example.ses, message_id=f"sns-{example.ses['mail']['messageId']}"))
    rows = [dict(zip(COLUMNS, row, strict=True)) for row in parsed.rows]
    assert [r["email"] for r in rows] == list(example.emails)
    for row in rows:
        assert row["event_type"] == example.shape.event_type
        assert row["category"] == example.case.category
        assert row["timestamp"] == DETAIL_TIMESTAMP
        assert row["feedback_id"] == example.ses[example.shape.detail_key]["feedbackId"]
        for column in DETAIL_VALUE_COLUMNS:
            assert row[column] == example.detail.get(column), column
        assert row["category"] == classify(
            row["event_type"],
            row["bounce_type"],
            row["bounce_subtype"],
            row["status"],
            row["complaint_feedback_type"],
        )


def test_message_fields_are_named_as_contract_columns() -> None:
    named = set(MessageFields.__struct_fields__)
    assert named <= set(COLUMNS)
    assert set(DETAIL_VALUE_COLUMNS) <= named  # every column a table entry may feed


def test_emit_rows_takes_named_fields_and_categorises_each_recipient() -> None:
    fields = MessageFields(
        timestamp="2026-05-01T00:00:00Z",
        bounce_type="Transient",
        bounce_subtype="General",
        message_id="mail-1",
        sns_message_id="sns-1",
    )
    recipients = [(" Away@X.org", None, None, None), ("full@x.org", "failed", "4.2.2", "smtp; 452")]
    rows = emit_rows(SHAPES_BY_TYPE["Bounce"], fields, recipients)
    by_email = {row[COLUMNS.index("email")]: dict(zip(COLUMNS, row, strict=True)) for row in rows}
    assert by_email["away@x.org"]["category"] == "auto_reply"
    assert by_email["full@x.org"]["category"] == "soft_bounce"
    assert by_email["full@x.org"]["status"] == "4.2.2"
    assert {(r["event_type"], r["message_id"]) for r in by_email.values()} == {("Bounce", "mail-1")}
    with pytest.raises(RecordError, match="SES Bounce recipient without an email address"):
        emit_rows(SHAPES_BY_TYPE["Bounce"], fields, [(None, None, None, None)])
