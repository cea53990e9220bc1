"""sample_payloads/ loads cleanly, file by file, as its README table says; tests/data/bad is rejected."""

from __future__ import annotations

import gzip
from collections import Counter
from pathlib import Path

import pytest

from sesops.load.reader import read_events
from tests.conftest import DATA, SAMPLES

# file -> [(event_type, email, category)]: the README table's "rows it yields".
EXPECTED: dict[str, list[tuple[str, str, str]]] = {
    "control/event-publishing-validation.json": [],
    "control/subscription-confirmation.json": [],
    "control/subscription-succeeded.json": [],
    "control/unsubscribe-confirmation.json": [],
    "eventbridge/bounce.json": [("Bounce", "costa.jessica293@yaho-com.example.com", "hard_bounce")],
    "eventbridge/delivery-delay.json": [("DeliveryDelay", "sarahpark43@gmail-com.example.com", "delay")],
    "eventbridge/sending-status-disabled.json": [],
    "eventbridge/sqs-message.json": [("Complaint", "jones.andrew802@yahoo-com.example.com", "complaint")],
    "lambda/ses-receipt-event.json": [],
    "lambda/sqs-event.json": [
        ("Bounce", "martinez.melissa51319@gmail-com.example.com", "hard_bounce"),
        ("Bounce", "mei.rodriguez+news@gmial-com.example.com", "hard_bounce"),
        ("Open", "arjunmurphy99@gmail-com.example.com", "open"),
        ("Delivery", "arjunmurphy99@gmail-com.example.com", "delivery"),
    ],
    "raw/complaint-without-mail.json": [("Complaint", "mjones@live-com.example.com", "complaint")],
    "sns/received-inbound.json": [],
    "event_publishing/bounce.json": [("Bounce", "costa.jessica293@yaho-com.example.com", "hard_bounce")],
    "event_publishing/click.json": [("Click", "noah_allen@gmail-com.example.com", "click")],
    "event_publishing/complaint.json": [("Complaint", "jones.andrew802@yahoo-com.example.com", "complaint")],
    "event_publishing/delivery-delay.json": [("DeliveryDelay", "sarahpark43@gmail-com.example.com", "delay")],
    "event_publishing/delivery.json": [("Delivery", "arjunmurphy99@gmail-com.example.com", "delivery")],
    "event_publishing/open.json": [("Open", "arjunmurphy99@gmail-com.example.com", "open")],
    "event_publishing/reject.json": [("Reject", "hiroshinguyen22@hotmail-com.example.com", "reject")],
    "event_publishing/rendering-failure.json": [
        ("Rendering Failure", "chris.martin@gmail-com.example.com", "rendering_failure")
    ],
    "event_publishing/send.json": [("Send", "arjunmurphy99@gmail-com.example.com", "send")],
    "event_publishing/subscription.json": [
        ("Subscription", "ivanclark93@gmail-com.example.com", "subscription")
    ],
    "raw/bounce-on-account-suppression-list.json": [
        ("Bounce", "melissabrown1925@gmail-com.example.com", "hard_bounce")
    ],
    "raw/bounce-soft-content-rejected.json": [("Bounce", "ivan.clark@icloud-com.example.com", "soft_bounce")],
    "raw/bounce-undetermined.json": [
        ("Bounce", "william.thompson+news@gmail-com.example.com", "undetermined")
    ],
    "raw/delivery.json": [("Delivery", "kevin_kowalski@gmail-com.example.com", "delivery")],
    "raw/sqs-raw-message-delivery.json": [("Bounce", "ashleypark17@gmail-com.example.com", "soft_bounce")],
    "sns/bounce-multi-recipient.json": [
        ("Bounce", "martinez.melissa51319@gmail-com.example.com", "hard_bounce"),
        ("Bounce", "mei.rodriguez+news@gmial-com.example.com", "hard_bounce"),
    ],
    "sns/bounce-ooto-auto-reply.json": [("Bounce", "kevin_kowalski@gmail-com.example.com", "auto_reply")],
    "sns/bounce-permanent-general.json": [("Bounce", "lhernandez@gnail-com.example.com", "hard_bounce")],
    "sns/complaint-abuse.json": [("Complaint", "mjones@live-com.example.com", "complaint")],
    "sns/complaint-no-feedback-report.json": [
        ("Complaint", "joseph.clark+news@aol-com.example.com", "complaint")
    ],
    "sns/delivery-delay.json": [("DeliveryDelay", "weitanaka85@gmail-com.example.com", "delay")],
    "sns/delivery.json": [("Delivery", "steven_hernandez@gmail-com.example.com", "delivery")],
    "sns/lambda-event.json": [
        ("Bounce", "brianmurphy53@yahoo-com.example.com", "soft_bounce"),
        ("Delivery", "olga.costa@gmail-com.example.com", "delivery"),
    ],
    "sns/pasted-nbsp-indented.json": [("Bounce", "sandra.jones+news@gmail-com.example.com", "soft_bounce")],
    "sns/sqs-message.json": [("Bounce", "robert.murphy+news10@outlook-com.example.com", "hard_bounce")],
    "sns/sqs-receive-message.json": [
        ("Bounce", "robert.murphy+news10@outlook-com.example.com", "hard_bounce"),
        ("Delivery", "sarah_singh@icloud-com.example.com", "delivery"),
    ],
}
CONTROL = {
    "control/event-publishing-validation.json": "EventPublishingValidation",
    "control/subscription-confirmation.json": "SubscriptionConfirmation",
    "control/subscription-succeeded.json": "AmazonSnsSubscriptionSucceeded",
    "control/unsubscribe-confirmation.json": "UnsubscribeConfirmation",
    "eventbridge/sending-status-disabled.json": "eventbridge:Sending Status Disabled",
    "lambda/ses-receipt-event.json": "Received",
    "sns/received-inbound.json": "Received",
}
#: Samples that repeat another sample's events through another channel (EventBridge, a Lambda
#: relay, a trimmed payload): the whole folder keeps one row of each.
REPEATS = {
    "eventbridge/bounce.json",
    "eventbridge/delivery-delay.json",
    "eventbridge/sqs-message.json",
    "lambda/sqs-event.json",
    "raw/complaint-without-mail.json",
}
LOGS = {  # file -> (rows after dedupe, SNS messages read (repeats included), repeated rows dropped)
    "logs/feedback-export.jsonl": (346, 348, 4),
    "logs/feedback-small.jsonl.gz": (43, 43, 0),
}


def test_whole_folder_loads_without_rejects() -> None:
    df = read_events(SAMPLES)
    assert df.attrs["rejected"] == 0, df.attrs["rejects"]
    assert df.attrs["control"] == dict(Counter(CONTROL.values()))
    repeated = sum(len(EXPECTED[name]) for name in REPEATS)
    # two redelivered envelopes (one a two-recipient bounce), and every row of the repeats
    assert df.attrs["duplicates"] == 4 + repeated
    rows = sum(map(len, EXPECTED.values())) + sum(rows for rows, _, _ in LOGS.values())
    assert len(df) == rows - repeated


def test_every_sample_file_is_in_the_table() -> None:
    on_disk = {
        str(p.relative_to(SAMPLES))
        for p in SAMPLES.rglob("*")
        if p.is_file() and p.suffix in (".json", ".jsonl", ".gz")
    }
    assert on_disk == set(EXPECTED) | set(LOGS)


@pytest.mark.parametrize("name", sorted(EXPECTED))
def test_file_yields_its_rows(name: str) -> None:
    df = read_events(SAMPLES / name)
    assert df.attrs["rejected"] == 0
    assert [tuple(r) for r in df[["event_type", "email", "category"]].itertuples(index=False)] == EXPECTED[
        name
    ]
    assert df["timestamp"].notna().all()
    assert df["message_id"].isna().all() == (name == "raw/complaint-without-mail.json" or df.empty)
    if name in CONTROL:
        assert df.attrs["control"] == {CONTROL[name]: 1}


@pytest.mark.parametrize("name", sorted(LOGS))
def test_logs(name: str) -> None:
    rows, messages, duplicates = LOGS[name]
    df = read_events(SAMPLES / name)
    assert (len(df), df.attrs["messages"], df.attrs["duplicates"], df.attrs["rejected"]) == (
        rows,
        messages,
        duplicates,
        0,
    )
    assert {"delivery", "hard_bounce"} <= set(df["category"])


def test_nbsp_file_really_uses_nbsp_and_parses() -> None:
    text = (SAMPLES / "sns/pasted-nbsp-indented.json").read_text("utf-8")
    assert "\n\xa0\xa0" in text
    assert len(read_events(SAMPLES / "sns/pasted-nbsp-indented.json")) == 1


def test_event_publishing_samples_carry_the_sns_subject() -> None:
    import orjson

    for path in (SAMPLES / "event_publishing").glob("*.json"):
        assert orjson.loads(path.read_bytes())["Subject"] == "Amazon SES Email Event Notification", path


def test_gz_log_is_gzip() -> None:
    assert gzip.decompress((SAMPLES / "logs/feedback-small.jsonl.gz").read_bytes()).count(b"\n") == 43


BAD = DATA / "bad"


def test_bad_files_are_rejected_with_source_and_line() -> None:
    df = read_events(BAD)
    found = {(Path(r["source"]).name, r["line"]) for r in df.attrs["rejects"]}
    assert found == {
        ("not-json.json", 1),
        ("array-of-numbers.json", 1),
        ("array-of-numbers.json", 2),
        ("array-of-numbers.json", 3),
        ("ses-without-mail.json", 1),
        ("bounce-without-recipients.json", 1),
        ("truncated-line.jsonl", 3),
    }
    reasons = {Path(r["source"]).name: r["reason"] for r in df.attrs["rejects"]}
    assert "mail" in reasons["ses-without-mail.json"]
    assert "bouncedRecipients" in reasons["bounce-without-recipients.json"]
    # The truncated line's good neighbours (lines 1, 2 and 4) are kept.
    assert len(df) == 3


def test_bad_file_raises_with_location_when_strict() -> None:
    from sesops.errors import RecordError

    with pytest.raises(RecordError) as err:
        read_events(BAD / "truncated-line.jsonl", errors="raise")
    assert str(err.value).startswith(f"{BAD / 'truncated-line.jsonl'}:3:")
