"""sesops.sim.simulate: deterministic, realistic, at the configured rates, and readable by read_events."""

from __future__ import annotations

import gzip
from collections import Counter
from pathlib import Path
from typing import Any

import orjson
import pandas as pd
import pytest

from sesops.cli import main
from sesops.errors import InputError
from sesops.load.reader import read_events
from sesops.sim.simulate import SimulationConfig, generate, iter_lines, publish, wrap_sns, write_jsonl

HIGH = {
    "bounce_rate": 0.05,
    "soft_bounce_rate": 0.04,
    "complaint_rate": 0.01,
    "ooto_rate": 0.01,
    "delay_rate": 0.03,
}


def _kind(obj: dict[str, Any]) -> str:
    return str(obj.get("eventType") or obj.get("notificationType"))


def _expected_category(obj: dict[str, Any]) -> str:
    """The category each generated object should get, worked out independently of classify()."""
    kind = _kind(obj)
    if kind == "Bounce":
        bounce = obj["bounce"]
        if bounce["bounceType"] == "Permanent":
            return "hard_bounce"
        if bounce["bounceType"] == "Undetermined":
            return "undetermined"
        return "soft_bounce" if "status" in bounce["bouncedRecipients"][0] else "auto_reply"
    if kind == "Complaint":
        return "not_spam" if obj["complaint"].get("complaintFeedbackType") == "not-spam" else "complaint"
    return {"Delivery": "delivery", "DeliveryDelay": "delay", "Rendering Failure": "rendering_failure"}.get(
        kind, kind.lower()
    )


def _signature(obj: dict[str, Any]) -> tuple[Any, ...]:
    """What makes two generated objects a different 'kind' for round-trip coverage."""
    detail = obj.get("bounce") or obj.get("complaint") or obj.get("deliveryDelay") or {}
    return (
        _kind(obj),
        "eventType" in obj,
        detail.get("bounceType"),
        detail.get("bounceSubType"),
        detail.get("complaintFeedbackType", "-") if "complaint" in obj else None,
        detail.get("delayType"),
        len(detail.get("bouncedRecipients", [])) > 1,
    )


@pytest.fixture(scope="module")
def mixed() -> list[dict[str, Any]]:
    identity = list(generate(SimulationConfig(messages=6000, seed=5, **HIGH)))
    events = SimulationConfig(
        messages=3000, seed=6, event_publishing=True, reject_rate=0.004, rendering_failure_rate=0.004, **HIGH
    )
    return identity + list(generate(events))


def test_same_seed_same_output_other_seed_differs() -> None:
    config = SimulationConfig(messages=500, seed=42, event_publishing=True)
    first = list(iter_lines(config, redelivery_rate=0.02))
    assert first == list(iter_lines(config, redelivery_rate=0.02))
    assert first != list(iter_lines(SimulationConfig(messages=500, seed=43, event_publishing=True)))


def test_objects_are_time_ordered_within_the_window() -> None:
    config = SimulationConfig(messages=2000, days=3, seed=1, **HIGH)
    times = [orjson.loads(line)["Timestamp"] for line in iter_lines(config)]
    assert times[0] >= "2025-03-03T00:00:00"
    assert times[-1] < "2025-03-12"  # complaints may trail a few days behind the last send
    stamps = pd.to_datetime(pd.Series([_event_time(o) for o in generate(config)]), utc=True)
    assert stamps.is_monotonic_increasing


def _event_time(obj: dict[str, Any]) -> str:
    for key in ("bounce", "complaint", "delivery", "deliveryDelay", "open", "click", "subscription"):
        if key in obj:
            return str(obj[key]["timestamp"])
    return str(obj["mail"]["timestamp"])


def test_every_kind_round_trips_with_the_right_category(mixed: list[dict[str, Any]]) -> None:
    representatives: dict[tuple[Any, ...], dict[str, Any]] = {}
    for obj in mixed:
        representatives.setdefault(_signature(obj), obj)
    for obj in representatives.values():
        df = read_events([obj], errors="raise")
        recipients = (obj.get("bounce") or {}).get("bouncedRecipients") or obj["mail"]["destination"]
        assert len(df) >= 1
        assert set(df["category"]) == {_expected_category(obj)}, _signature(obj)
        assert df["message_id"].iloc[0] == obj["mail"]["messageId"]
        if _kind(obj) == "Bounce":
            assert len(df) == len(recipients)
    kinds = {s[0] for s in representatives}
    assert kinds == {
        "Bounce", "Complaint", "Delivery", "DeliveryDelay", "Send", "Open", "Click", "Reject",
        "Rendering Failure", "Subscription",
    }  # fmt: skip
    subtypes = {s[3] for s in representatives if s[0] == "Bounce"}
    assert subtypes >= {
        "General", "NoEmail", "Suppressed", "OnAccountSuppressionList", "UnsubscribedRecipient",
        "MailboxFull", "MessageTooLarge", "ContentRejected", "AttachmentRejected", "Undetermined",
    }  # fmt: skip
    feedback = {s[4] for s in representatives if s[0] == "Complaint"}
    assert feedback >= {"abuse", "other", "fraud", "-"}  # "-": no feedback report (key absent)
    assert any(s[-1] for s in representatives)  # a multi-recipient bounce


def test_whole_stream_classifies_as_expected(mixed: list[dict[str, Any]]) -> None:
    df = read_events(mixed, errors="raise", dedupe=False)
    expected: Counter[str] = Counter()
    for obj in mixed:
        n = len(_recipients(obj))
        expected[_expected_category(obj)] += n
    assert Counter(df["category"]) == expected


def _recipients(obj: dict[str, Any]) -> list[Any]:
    for key, field in (
        ("bounce", "bouncedRecipients"),
        ("complaint", "complainedRecipients"),
        ("delivery", "recipients"),
        ("deliveryDelay", "delayedRecipients"),
    ):
        if key in obj:
            return list(obj[key][field])
    return list(obj["mail"]["destination"])


def test_realistic_details(mixed: list[dict[str, Any]]) -> None:
    mail = mixed[0]["mail"]
    for key in ("timestamp", "source", "sourceArn", "sourceIp", "callerIdentity", "sendingAccountId"):
        assert key in mail
    assert mail["messageId"].startswith("010001") and mail["messageId"].endswith("-000000")
    assert mail["commonHeaders"]["subject"] and mail["headers"]
    complaints = [o["complaint"] for o in mixed if _kind(o) == "Complaint"]
    assert all(c["complaintSubType"] is None and "complaintSubType" in c for c in complaints)
    ooto = [o for o in mixed if _expected_category(o) == "auto_reply"]
    assert ooto and all(set(o["bounce"]["bouncedRecipients"][0]) == {"emailAddress"} for o in ooto)
    gmail = [
        r["diagnosticCode"]
        for o in mixed
        if _kind(o) == "Bounce" and o["bounce"]["bounceSubType"] == "General"
        for r in o["bounce"]["bouncedRecipients"]
        if r.get("emailAddress", "").endswith("@gmail.com") and o["bounce"]["bounceType"] == "Permanent"
    ]
    assert gmail and all(
        "550-5.1.1 The email account that you tried to reach does not exist" in d for d in gmail
    )
    domains = Counter(e.rpartition("@")[2] for o in mixed for e in o["mail"]["destination"])
    assert domains.most_common(1)[0][0] == "gmail.com"
    assert {"yahoo.com", "outlook.com", "hotmail.com", "icloud.com", "aol.com"} <= set(domains)
    assert any(d in domains for d in ("gmial.com", "gmal.com", "gnail.com", "yaho.com", "hotmial.com"))


def _rates(config: SimulationConfig) -> dict[str, float]:
    df = read_events(generate(config))
    sent = len(df[["message_id", "email"]].drop_duplicates())  # every sent recipient has a row
    counts = df["category"].value_counts()
    return {
        "sent_messages": df["message_id"].nunique(),
        "bounce_rate": counts.get("hard_bounce", 0) / sent,
        "soft_bounce_rate": (counts.get("soft_bounce", 0) + counts.get("undetermined", 0)) / sent,
        "complaint_rate": (df["event_type"] == "Complaint").sum() / sent,
        "ooto_rate": counts.get("auto_reply", 0) / sent,
        "delay_rate": counts.get("delay", 0) / sent,
    }


def test_rates_come_out_near_the_configured_ones() -> None:
    config = SimulationConfig(messages=20_000, seed=9, complaint_rate=0.004)
    measured = _rates(config)
    assert measured["sent_messages"] == 20_000
    for name in ("bounce_rate", "soft_bounce_rate", "complaint_rate", "ooto_rate", "delay_rate"):
        assert measured[name] == pytest.approx(getattr(config, name), rel=0.25), name


def test_rates_can_be_pushed_over_ses_thresholds() -> None:
    measured = _rates(SimulationConfig(messages=10_000, seed=3, bounce_rate=0.08, complaint_rate=0.003))
    assert measured["bounce_rate"] > 0.05
    assert measured["complaint_rate"] > 0.001


def test_envelopes_parse_to_the_same_rows_as_raw_objects() -> None:
    config = SimulationConfig(messages=1500, seed=4, event_publishing=True, **HIGH)
    raw = read_events(list(iter_lines(config, envelope=False)), errors="raise")
    wrapped = read_events(list(iter_lines(config)), errors="raise")
    columns = ["event_type", "email", "category", "message_id", "timestamp"]
    pd.testing.assert_frame_equal(raw[columns], wrapped[columns])
    assert wrapped["sns_message_id"].notna().all() and wrapped["topic_arn"].notna().all()
    line = orjson.loads(next(iter_lines(config)))
    assert line["Subject"] == "Amazon SES Email Event Notification"
    for key in ("SignatureVersion", "Signature", "SigningCertURL", "UnsubscribeURL"):
        assert key in line
    assert line["SignatureVersion"] == "1" and line["Signature"] == ""


def test_wrap_sns_matches_the_fast_path() -> None:
    config = SimulationConfig(messages=50, seed=8)
    obj = next(generate(config))
    line = orjson.loads(next(iter_lines(config)))
    env = wrap_sns(
        obj, topic_arn=config.default_topic_arn, message_id=line["MessageId"], timestamp=line["Timestamp"]
    )
    assert env == line
    assert "Subject" not in env  # identity notifications carry no SNS Subject
    assert orjson.loads(env["Message"]) == obj


def test_average_envelope_is_about_2_2_kb() -> None:
    lines = list(iter_lines(SimulationConfig(messages=5000, seed=2)))
    average = sum(map(len, lines)) / len(lines)
    assert 1900 < average < 2600, average


def test_redeliveries_repeat_envelopes_and_dedupe_away(tmp_path: Path) -> None:
    config = SimulationConfig(messages=2000, seed=10)
    plain = write_jsonl(tmp_path / "plain.jsonl", config)
    repeated = write_jsonl(tmp_path / "repeated.jsonl.gz", config, redelivery_rate=0.05)
    assert repeated > plain
    with gzip.open(tmp_path / "repeated.jsonl.gz") as fh:
        assert sum(1 for _ in fh) == repeated
    a = read_events(tmp_path / "plain.jsonl")
    b = read_events(tmp_path / "repeated.jsonl.gz")
    assert b.attrs["duplicates"] == repeated - plain
    assert len(a) == len(b)


def test_write_jsonl_at_scale(tmp_path: Path) -> None:
    # Its speed is measured by benchmarks/bench_simulate.py, against writing the same bytes.
    written = write_jsonl(tmp_path / "sim.jsonl", SimulationConfig(messages=50_000, seed=1))
    assert written > 50_000
    with open(tmp_path / "sim.jsonl", "rb") as fh:
        assert sum(1 for _ in fh) == written


def test_config_validation() -> None:
    with pytest.raises(InputError):
        SimulationConfig(messages=-1)
    with pytest.raises(InputError):
        SimulationConfig(messages=10, bounce_rate=1.5)
    with pytest.raises(InputError):
        SimulationConfig(messages=10, days=0)


def test_arns_and_hosts_follow_the_partition() -> None:
    with pytest.raises(InputError, match=r"^region: 'nowhere' is not an AWS region name"):
        SimulationConfig(messages=1, region="nowhere")
    with pytest.raises(InputError, match=r"^topic ARN 'arn:aws:sns:cn-north-1:1:t': not an SNS topic ARN"):
        next(iter_lines(SimulationConfig(messages=1), topic_arn="arn:aws:sns:cn-north-1:1:t"))
    china = SimulationConfig(messages=1, region="cn-north-1")
    envelope = orjson.loads(next(iter_lines(china)))
    assert envelope["TopicArn"] == "arn:aws-cn:sns:cn-north-1:123456789012:ses-feedback"
    assert envelope["SigningCertURL"].startswith("https://sns.cn-north-1.amazonaws.com.cn/")
    mail = orjson.loads(envelope["Message"])["mail"]
    assert mail["sourceArn"] == "arn:aws-cn:ses:cn-north-1:123456789012:identity/mail.example.com"


def test_cli_writes_a_readable_file(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    out = tmp_path / "sim.jsonl"
    code = main(["simulate", "--messages", "200", "--seed", "3", "--bounce-rate", "0.07", "--out", str(out)])
    assert code == 0
    assert "SNS envelopes" in capsys.readouterr().out
    df = read_events(out)
    assert df.attrs["rejected"] == 0 and df["message_id"].nunique() == 200


def test_cli_needs_a_target() -> None:
    with pytest.raises(SystemExit) as err:
        main(["simulate", "--messages", "10"])
    assert err.value.code == 2


def test_publish_through_sns_to_sqs() -> None:
    import boto3
    from moto import mock_aws

    with mock_aws():
        session = boto3.Session(region_name="us-east-1")
        sns, sqs = session.client("sns"), session.client("sqs")
        topic = sns.create_topic(Name="ses-feedback")["TopicArn"]
        queue = sqs.create_queue(QueueName="ses-feedback")["QueueUrl"]
        queue_arn = sqs.get_queue_attributes(QueueUrl=queue, AttributeNames=["QueueArn"])["Attributes"][
            "QueueArn"
        ]
        sns.subscribe(TopicArn=topic, Protocol="sqs", Endpoint=queue_arn)
        config = SimulationConfig(messages=40, seed=12, event_publishing=True, **HIGH)
        count = publish(config, topic, session=session)
        expected = list(generate(config))
        assert count == len(expected)
        bodies: list[str] = []
        while batch := sqs.receive_message(QueueUrl=queue, MaxNumberOfMessages=10).get("Messages", []):
            bodies += [m["Body"] for m in batch]
            sqs.delete_message_batch(
                QueueUrl=queue,
                Entries=[{"Id": m["MessageId"], "ReceiptHandle": m["ReceiptHandle"]} for m in batch],
            )
    assert len(bodies) == count
    received = read_events(bodies, errors="raise")
    assert sorted(received["category"]) == sorted(read_events(expected)["category"])
    assert set(received["topic_arn"]) == {topic}


def test_publish_stops_after_the_batch_in_flight_when_asked() -> None:
    import boto3
    from moto import mock_aws

    asked = 0

    def stop_after_25() -> bool:
        nonlocal asked
        asked += 1
        return asked > 25

    with mock_aws():
        session = boto3.Session(region_name="us-east-1")
        topic = session.client("sns").create_topic(Name="ses-feedback")["TopicArn"]
        config = SimulationConfig(messages=200, seed=3)
        count = publish(config, topic, session=session, should_stop=stop_after_25)
    assert count == 25 < len(list(generate(config)))


def test_publish_reports_aws_errors() -> None:
    import boto3
    from moto import mock_aws

    from sesops.errors import AwsError

    with mock_aws(), pytest.raises(AwsError, match="PublishBatch"):
        publish(
            SimulationConfig(messages=5),
            "arn:aws:sns:us-east-1:123456789012:no-such-topic",
            session=boto3.Session(region_name="us-east-1"),
        )


def test_cli_publishes_to_a_topic(capsys: pytest.CaptureFixture[str]) -> None:
    import boto3
    from moto import mock_aws

    with mock_aws():
        topic = boto3.client("sns", region_name="eu-west-1").create_topic(Name="feedback")["TopicArn"]
        assert main(["simulate", "--messages", "15", "--topic-arn", topic]) == 0
    expected = sum(1 for _ in generate(SimulationConfig(messages=15)))
    assert f"published {expected} SES notifications" in capsys.readouterr().out
