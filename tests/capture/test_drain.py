"""SQS drain against moto's SQS: store, delete after commit, keep junk, verify, idempotency, CLI."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import boto3
import orjson
import pytest
from moto import mock_aws

from sesops.capture.drain import drain
from sesops.capture.store import CaptureStore
from sesops.cli import main
from sesops.errors import AwsError, StoreUnavailable
from sesops.load.reader import read_events
from sesops.sns.signing import SigningAuthority
from sesops.sns.verify import SnsVerifier
from tests.capture_samples import TOPIC, ses_bounce

REGION = "us-east-1"


@pytest.fixture(autouse=True)
def aws_env(monkeypatch: pytest.MonkeyPatch) -> Iterator[None]:
    for name, value in {
        "AWS_ACCESS_KEY_ID": "testing",
        "AWS_SECRET_ACCESS_KEY": "testing",
        "AWS_SESSION_TOKEN": "testing",
        "AWS_DEFAULT_REGION": REGION,
        "AWS_REGION": REGION,
    }.items():
        monkeypatch.setenv(name, value)
    monkeypatch.delenv("AWS_PROFILE", raising=False)
    monkeypatch.delenv("AWS_ENDPOINT_URL", raising=False)
    with mock_aws():
        yield


def _queue(name: str = "feedback") -> tuple[Any, str]:
    sqs = boto3.client("sqs", region_name=REGION)
    return sqs, sqs.create_queue(QueueName=name)["QueueUrl"]


def _send(sqs: Any, url: str, bodies: list[str]) -> None:
    for i in range(0, len(bodies), 10):
        entries = [{"Id": str(j), "MessageBody": b} for j, b in enumerate(bodies[i : i + 10])]
        assert not sqs.send_message_batch(QueueUrl=url, Entries=entries).get("Failed")


def _remaining(sqs: Any, url: str) -> list[str]:
    """Bodies still on the queue, made visible again first."""
    out: dict[str, str] = {}
    for _ in range(10):
        got = sqs.receive_message(QueueUrl=url, MaxNumberOfMessages=10).get("Messages", [])
        if not got:
            break
        for m in got:
            out[m["MessageId"]] = m["Body"]
            sqs.change_message_visibility(
                QueueUrl=url, ReceiptHandle=m["ReceiptHandle"], VisibilityTimeout=300
            )
    return list(out.values())


def _make_visible(sqs: Any, url: str) -> None:
    """Drained-but-kept messages are invisible for the visibility timeout: end it now."""
    attrs = sqs.get_queue_attributes(QueueUrl=url, AttributeNames=["All"])["Attributes"]
    if int(attrs["ApproximateNumberOfMessagesNotVisible"]):
        # the drain kept no receipt handles to reset with: end it in moto (pinned) directly
        from moto.sqs.models import sqs_backends

        queue = sqs_backends["123456789012"][REGION].queues[url.rsplit("/", 1)[1]]
        for message in queue._messages:
            message.change_visibility(0)


def _envelopes(authority: SigningAuthority, n: int) -> list[str]:
    return [
        orjson.dumps(
            authority.notification(TOPIC, orjson.dumps(ses_bounce(f"env{i}@example.com")).decode())
        ).decode()
        for i in range(n)
    ]


def test_drain_stores_and_deletes_good_and_keeps_junk(tmp_path: Path, authority: SigningAuthority) -> None:
    sqs, url = _queue()
    envelopes = _envelopes(authority, 12)
    raws = [orjson.dumps(ses_bounce(f"raw{i}@example.com")).decode() for i in range(5)]
    junk = ["not json at all", '{"hello": "world"}', "[1, 2]"]
    _send(sqs, url, envelopes + raws + junk)
    store = CaptureStore(tmp_path / "c.sqlite")
    ticks: list[int] = []
    result = drain(store, "feedback", region=REGION, wait_seconds=0, progress=ticks.append)
    assert (result.received, result.stored, result.duplicates, result.rejected) == (20, 17, 0, 3)
    assert result.deleted == 17 and not result.delete_failures
    assert sum(ticks) == 20
    _make_visible(sqs, url)
    assert sorted(_remaining(sqs, url)) == sorted(junk)
    rejects = list(store.iter_rejects())
    assert sorted(r["body"] for r in rejects) == sorted(junk)
    assert all(r["channel"] == "sqs" and r["reason"] for r in rejects)
    rows = list(store.iter_raw())
    assert {r.channel for r in rows} == {"sqs"} and not any(r.verified for r in rows)
    df = read_events(tmp_path / "c.sqlite")
    assert len(df) == 17 and df.attrs["rejected"] == 0


def test_second_drain_of_redelivered_messages_is_idempotent(
    tmp_path: Path, authority: SigningAuthority
) -> None:
    sqs, url = _queue()
    bodies = _envelopes(authority, 4)
    _send(sqs, url, bodies)
    store = CaptureStore(tmp_path / "c.sqlite")
    assert drain(store, url, region=REGION, wait_seconds=0).stored == 4
    _send(sqs, url, bodies)  # SNS/SQS at-least-once: the same messages again
    again = drain(store, url, region=REGION, wait_seconds=0)
    assert (again.received, again.stored, again.duplicates, again.deleted) == (4, 0, 4, 4)
    assert store.counts().messages == 4
    _make_visible(sqs, url)
    assert _remaining(sqs, url) == []


def test_verify_rejects_bad_signature_and_keeps_it(tmp_path: Path, authority: SigningAuthority) -> None:
    sqs, url = _queue()
    good = _envelopes(authority, 3)
    tampered = orjson.loads(_envelopes(authority, 1)[0])
    tampered["Message"] = tampered["Message"].replace("Permanent", "Transient")
    raw = orjson.dumps(ses_bounce()).decode()
    _send(sqs, url, [*good, orjson.dumps(tampered).decode(), raw])
    store = CaptureStore(tmp_path / "c.sqlite")
    verifier = SnsVerifier(cert_dir=authority.write_cert_dir(tmp_path / "certs"))
    result = drain(store, url, region=REGION, verifier=verifier, wait_seconds=0)
    assert (result.stored, result.rejected, result.deleted) == (4, 1, 4)
    [reject] = list(store.iter_rejects())
    assert "signature" in reject["reason"].lower()
    _make_visible(sqs, url)
    assert _remaining(sqs, url) == [orjson.dumps(tampered).decode()]
    verified = {r.verified for r in store.iter_raw() if r.topic_arn == TOPIC}
    assert verified == {True}


def test_unavailable_certificate_leaves_message_for_later(
    tmp_path: Path, authority: SigningAuthority
) -> None:
    sqs, url = _queue()
    _send(sqs, url, _envelopes(authority, 2))
    store = CaptureStore(tmp_path / "c.sqlite")
    empty = tmp_path / "no-certs"
    empty.mkdir()
    result = drain(store, url, region=REGION, verifier=SnsVerifier(cert_dir=empty), wait_seconds=0)
    assert (result.deferred, result.stored, result.deleted, result.rejected) == (2, 0, 0, 0)
    _make_visible(sqs, url)
    assert len(_remaining(sqs, url)) == 2


def test_max_and_missing_queue(tmp_path: Path, authority: SigningAuthority) -> None:
    sqs, url = _queue()
    _send(sqs, url, _envelopes(authority, 15))
    store = CaptureStore(tmp_path / "c.sqlite")
    assert drain(store, url, region=REGION, max_messages=12, wait_seconds=0).received == 12
    with pytest.raises(AwsError, match="GetQueueUrl"):
        drain(store, "no-such-queue", region=REGION, wait_seconds=0)


def test_an_unknown_aws_profile_is_an_aws_error_naming_it(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("AWS_PROFILE", "nope")
    with pytest.raises(AwsError, match=r"--profile nope: no such profile in your AWS config"):
        drain(CaptureStore(tmp_path / "c.sqlite"), "feedback", region=REGION, wait_seconds=0)


def test_cli_drain(tmp_path: Path, authority: SigningAuthority, capsys: pytest.CaptureFixture[str]) -> None:
    sqs, url = _queue("cli-queue")
    _send(sqs, url, [*_envelopes(authority, 5), "junk"])
    certs = authority.write_cert_dir(tmp_path / "certs")
    db = tmp_path / "c.sqlite"
    args = ["drain", "--region", REGION, "--queue", "cli-queue", "--db", str(db), "--wait", "0", "--quiet"]
    assert main([*args, "--verify", "--cert-dir", str(certs)]) == 0
    out = capsys.readouterr().out
    assert "received 6, stored new 5, duplicates 0, rejected 1, deleted 5" in out
    assert main([*args, "--wait", "30"]) == 2
    assert "--wait must be between 0 and 20" in capsys.readouterr().err
    assert (
        main(["drain", "--region", REGION, "--queue", "nope", "--db", str(db), "--quiet", "--wait", "0"]) == 3
    )
    err = capsys.readouterr().err
    assert "GetQueueUrl" in err and "Traceback" not in err


def test_junk_returning_at_once_does_not_loop(tmp_path: Path) -> None:
    sqs = boto3.client("sqs", region_name=REGION)
    url = sqs.create_queue(QueueName="zero", Attributes={"VisibilityTimeout": "0"})["QueueUrl"]
    _send(sqs, url, ["junk 1", "junk 2"])
    store = CaptureStore(tmp_path / "c.sqlite")
    result = drain(store, url, region=REGION, wait_seconds=0)
    assert result.rejected == 2 and store.counts().rejects == 2


def _forge_first_message(envelope: str, forged: str) -> str:
    """A genuine signed envelope with a second, forged ``Message`` in front of the real one."""
    return envelope.replace('{"Type"', '{"Message":' + orjson.dumps(forged).decode() + ',"Type"', 1)


def test_duplicate_keys_are_refused_not_stored_as_verified(
    tmp_path: Path, authority: SigningAuthority
) -> None:
    sqs, url = _queue()
    genuine = _envelopes(authority, 2)
    forged_complaint = (
        orjson.dumps(ses_bounce("victim@example.com")).decode().replace("Permanent", "Transient")
    )
    envelope_forgery = _forge_first_message(genuine[0], forged_complaint)
    inner = orjson.loads(genuine[1])
    inner["Message"] = inner["Message"].replace(
        '{"notificationType"', '{"notificationType":"Complaint","notificationType"', 1
    )
    message_forgery = orjson.dumps(inner).decode()
    _send(sqs, url, [envelope_forgery, message_forgery, *_envelopes(authority, 1)])
    store = CaptureStore(tmp_path / "c.sqlite")
    verifier = SnsVerifier(cert_dir=authority.write_cert_dir(tmp_path / "certs"))
    result = drain(store, url, region=REGION, verifier=verifier, wait_seconds=0)
    assert (result.stored, result.rejected) == (1, 2)
    reasons = sorted(r["reason"] for r in store.iter_rejects())
    assert reasons[0].startswith("duplicate key 'Message'")
    assert reasons[1].startswith("duplicate key 'Message.notificationType'")
    assert all(m.verified and "victim" not in m.body for m in store.iter_messages())


class FlakyStore:
    """A store that refuses its first ``refusals`` batches, as a restarting PostgreSQL would."""

    def __init__(self, store: CaptureStore, refusals: int) -> None:
        self.store, self.refusals = store, refusals

    def add_many(self, messages: Any) -> list[bool]:
        if self.refusals:
            self.refusals -= 1
            raise StoreUnavailable("capture store out of reach (test)")
        return self.store.add_many(messages)

    def __getattr__(self, name: str) -> Any:
        return getattr(self.store, name)


def test_a_following_drain_waits_out_a_store_that_refuses(
    tmp_path: Path, authority: SigningAuthority, caplog: pytest.LogCaptureFixture
) -> None:
    sqs = boto3.client("sqs", region_name=REGION)
    url = sqs.create_queue(QueueName="feedback", Attributes={"VisibilityTimeout": "0"})["QueueUrl"]
    _send(sqs, url, _envelopes(authority, 3))
    store = CaptureStore(tmp_path / "c.sqlite")
    waits: list[float] = []
    result = drain(
        FlakyStore(store, refusals=3),  # type: ignore[arg-type]
        url,
        region=REGION,
        follow=True,
        wait_seconds=0,
        should_stop=lambda: store.counts().messages == 3,
        pause=waits.append,
    )
    assert waits == [1.0, 2.0, 4.0]  # doubling while the store refuses
    assert (result.store_refusals, result.stored, result.deleted) == (3, 3, 3)
    assert "left on the queue" in result.summary()
    assert "capture store refused a batch" in caplog.text
    assert sqs.receive_message(QueueUrl=url).get("Messages") is None  # all deleted, none lost


def test_a_one_off_drain_stops_at_a_store_that_refuses(tmp_path: Path, authority: SigningAuthority) -> None:
    sqs, url = _queue()
    _send(sqs, url, _envelopes(authority, 2))
    with pytest.raises(StoreUnavailable):
        drain(FlakyStore(CaptureStore(tmp_path / "c.sqlite"), refusals=1), url, region=REGION, wait_seconds=0)  # type: ignore[arg-type]
    _make_visible(sqs, url)
    assert len(_remaining(sqs, url)) == 2  # nothing deleted
