"""read_events with errors="report" never raises on arbitrary bytes or JSON, and loses no good record."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pandas as pd
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from sesops import COLUMNS, read_events
from tests.payloads import bounce, delivery, envelope

json_values = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats(allow_nan=False) | st.text(max_size=20),
    lambda children: (
        st.lists(children, max_size=4) | st.dictionaries(st.text(max_size=12), children, max_size=5)
    ),
    max_leaves=20,
)

# Objects that look like SES/SNS feedback but with any value in any slot.
sesish = st.fixed_dictionaries(
    {},
    optional={
        "Type": st.sampled_from(["Notification", "SubscriptionConfirmation", "Other"]) | json_values,
        "Message": st.text(max_size=40) | json_values.map(json.dumps),
        "MessageId": json_values,
        "notificationType": st.sampled_from(["Bounce", "Complaint", "Delivery", "X"]) | json_values,
        "eventType": st.sampled_from(["Open", "DeliveryDelay", "Rendering Failure"]) | json_values,
        "mail": st.fixed_dictionaries({}, optional={"destination": json_values, "messageId": json_values})
        | json_values,
        "bounce": st.fixed_dictionaries(
            {}, optional={"bouncedRecipients": json_values, "bounceType": json_values}
        ),
        "delivery": st.fixed_dictionaries({}, optional={"recipients": json_values}),
        "Body": json_values.map(json.dumps) | json_values,
        "Records": json_values,
        "detail-type": st.sampled_from(["Email Bounced", "Email Opened", "Sending Status Enabled"])
        | json_values,
        "source": st.sampled_from(["aws.ses", "aws.sns"]) | json_values,
        "detail": json_values,
    },
)

GOOD = [envelope(bounce("good@x.org"), message_id="good-1"), delivery("fine@x.org")]


def check(df: pd.DataFrame) -> None:
    assert list(df.columns) == list(COLUMNS)
    assert {"good@x.org", "fine@x.org"} <= set(df["email"])


@settings(max_examples=150, deadline=None)
@given(st.lists(st.binary(max_size=200), max_size=5))
def test_arbitrary_bytes_never_raise(blobs: list[bytes]) -> None:
    check(read_events([*blobs, *GOOD]))


@pytest.mark.timeout(300)  # 27 s on a quiet 2-core machine, 78 s at load average 6
@settings(max_examples=200, deadline=None)
@given(st.lists(json_values | sesish, max_size=5))
def test_arbitrary_json_never_raises(values: list[Any]) -> None:
    check(read_events([*values, *GOOD]))
    check(read_events([json.dumps(v) for v in values] + GOOD))


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(
    st.lists(
        st.binary(max_size=120).filter(lambda b: b"\n" not in b) | sesish.map(json.dumps).map(str.encode),
        max_size=6,
    )
)
def test_arbitrary_lines_in_a_file_both_engines(tmp_path: Path, lines: list[bytes]) -> None:
    path = tmp_path / "fuzz.jsonl"
    good = [json.dumps(g).encode() for g in GOOD]
    path.write_bytes(b"\n".join([*lines, *good]) + b"\n")
    fast = read_events(path, engine="duckdb")
    slow = read_events(path, engine="python")
    check(fast)
    check(slow)
    assert sorted(fast["email"].astype(object).fillna("")) == sorted(slow["email"].astype(object).fillna(""))
    assert fast.attrs["rejected"] == slow.attrs["rejected"]


recipient = st.fixed_dictionaries(
    {}, optional={"emailAddress": json_values | st.emails(), "status": json_values, "action": json_values}
)
ses_message = st.fixed_dictionaries(
    {
        "notificationType": st.sampled_from(
            ["Bounce", "Complaint", "Delivery", "Open", "DeliveryDelay", "Nope"]
        )
    },
    optional={
        "eventType": st.sampled_from(["Bounce", "Click", "Rendering Failure"]) | json_values,
        "mail": st.fixed_dictionaries(
            {},
            optional={
                "destination": st.lists(st.emails() | json_values, max_size=3) | json_values,
                "messageId": json_values,
                "timestamp": json_values,
                "commonHeaders": st.fixed_dictionaries({}, optional={"subject": json_values}) | json_values,
            },
        )
        | json_values,
        "bounce": st.fixed_dictionaries(
            {},
            optional={
                "bouncedRecipients": st.lists(recipient | json_values, max_size=3) | json_values,
                "bounceType": json_values,
                "feedbackId": json_values,
            },
        )
        | json_values,
        "complaint": st.fixed_dictionaries(
            {}, optional={"complainedRecipients": st.lists(recipient, max_size=2) | json_values}
        ),
        "delivery": st.fixed_dictionaries(
            {}, optional={"recipients": st.lists(st.emails() | json_values, max_size=2) | json_values}
        ),
        "open": json_values,
    },
)


def as_eventbridge(message: dict[str, Any]) -> dict[str, Any]:
    detail_type = "Email Bounced" if message.get("eventType") == "Bounce" else "Email Clicked"
    return {"detail-type": detail_type, "source": "aws.ses", "detail": message}


@settings(max_examples=300, deadline=None)
@given(ses_message, st.sampled_from([envelope, as_eventbridge, dict]))
def test_typed_decoder_agrees_with_the_general_parser(message: dict[str, Any], wrap: Any) -> None:
    from sesops.errors import RecordError
    from sesops.events.parse import parse_record
    from sesops.load.typed import notification_line_rows

    line = json.dumps(wrap(message)).encode()

    def outcome(parse: Any) -> Any:
        try:
            return parse(line)
        except RecordError as err:  # anything else is a parser bug: let it fail the test
            return err.reason

    typed = outcome(notification_line_rows)
    if typed is None:
        return
    general = outcome(lambda raw: [row for parsed in parse_record(raw) for row in parsed.rows])
    assert typed == general
