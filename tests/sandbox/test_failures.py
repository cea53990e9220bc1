"""What the sandbox cannot deliver is logged on ``sesops.sandbox`` and listed on the Sandbox,
never dropped in silence; its other failures say what went wrong."""

from __future__ import annotations

import io
import logging
import shutil
import tempfile
import time
import urllib.error
import uuid
from collections.abc import Iterator
from email.message import Message
from pathlib import Path
from types import SimpleNamespace
from typing import Any

import pytest

from sesops.sandbox import failures, patch_state, patching
from sesops.sandbox.failures import DeliveryFailure
from sesops.sandbox.server import Sandbox
from sesops.sandbox.sesv2 import list_suppressed_destinations, put_suppressed_destination
from sesops.sandbox.sns_delivery import post_error
from tests.sandbox_helpers import closed_port, dummy_credentials, http_capture

SIM = "simulator.amazonses.com"


@pytest.fixture(autouse=True)
def _dummy(monkeypatch: pytest.MonkeyPatch) -> None:
    dummy_credentials(monkeypatch)


@pytest.fixture(scope="module")
def sandbox() -> Iterator[Sandbox]:
    with Sandbox(port=0) as sb:
        yield sb


def _name(prefix: str) -> str:
    return f"{prefix}-{uuid.uuid4().hex[:8]}"


def failure_for(sandbox: Sandbox, target: str, timeout: float = 5.0) -> DeliveryFailure:
    """The first failure the sandbox recorded for ``target`` (waits, since POSTs run on a timer)."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        found = [f for f in sandbox.delivery_failures if f.target == target]
        if found:
            return found[0]
        time.sleep(0.02)
    raise AssertionError(f"no delivery failure for {target}; recorded: {sandbox.delivery_failures}")


def logged(caplog: pytest.LogCaptureFixture, text: str) -> bool:
    return any(r.name == "sesops.sandbox" and text in r.getMessage() for r in caplog.records)


def test_refused_http_delivery_is_recorded_and_logged(
    sandbox: Sandbox, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.WARNING, logger="sesops.sandbox")
    sns = sandbox.session().client("sns")
    topic = sns.create_topic(Name=_name("t"))["TopicArn"]
    url = f"http://127.0.0.1:{closed_port()}/sns"
    sns.subscribe(TopicArn=topic, Protocol="http", Endpoint=url)
    failure = failure_for(sandbox, url)
    assert failure.reason == "Connection refused"
    assert str(failure).startswith("the sandbox could not deliver a SubscriptionConfirmation (MessageId ")
    assert str(failure).endswith(f" to {url}: Connection refused")
    assert logged(caplog, str(failure))


def test_http_error_answer_is_recorded_with_what_the_endpoint_said(sandbox: Sandbox) -> None:
    sns = sandbox.session().client("sns")
    topic = sns.create_topic(Name=_name("t"))["TopicArn"]
    with http_capture(status=403, answer=b"signature rejected") as endpoint:
        sns.subscribe(TopicArn=topic, Protocol="http", Endpoint=endpoint.url)
        failure = failure_for(sandbox, endpoint.url)
    assert failure.reason == "HTTP 403 Forbidden (signature rejected)"


def test_deleted_queue_fails_the_delivery_not_the_publish(
    sandbox: Sandbox, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.WARNING, logger="sesops.sandbox")
    session = sandbox.session()
    sns, sqs = session.client("sns"), session.client("sqs")
    topic = sns.create_topic(Name=_name("t"))["TopicArn"]
    url = sqs.create_queue(QueueName=_name("q"))["QueueUrl"]
    queue_arn = sqs.get_queue_attributes(QueueUrl=url, AttributeNames=["QueueArn"])["Attributes"]["QueueArn"]
    sns.subscribe(TopicArn=topic, Protocol="sqs", Endpoint=queue_arn)
    sqs.delete_queue(QueueUrl=url)
    message_id = sns.publish(TopicArn=topic, Message="hello")["MessageId"]  # SNS accepts it
    failure = failure_for(sandbox, queue_arn)
    assert failure.what == f"a Notification (MessageId {message_id})"
    assert "NonExistentQueue" in failure.reason
    assert logged(caplog, queue_arn)


def test_feedback_for_a_deleted_topic_is_recorded(sandbox: Sandbox) -> None:
    session = sandbox.session()
    ses, sns = session.client("ses"), session.client("sns")
    domain = f"{_name('d')}.example.com"
    ses.verify_domain_identity(Domain=domain)
    topic = sns.create_topic(Name=_name("t"))["TopicArn"]
    ses.set_identity_notification_topic(Identity=domain, NotificationType="Bounce", SnsTopic=topic)
    sns.delete_topic(TopicArn=topic)
    ses.send_email(
        Source=f"test@{domain}",
        Destination={"ToAddresses": [f"bounce@{SIM}"]},
        Message={"Subject": {"Data": "s"}, "Body": {"Text": {"Data": "b"}}},
    )  # SES accepts the mail and drops the notification
    failure = failure_for(sandbox, topic)
    assert failure.what == f"the SES Bounce for bounce@{SIM}"
    assert "no such topic" in failure.reason


def _http_error(code: int, reason: str, body: bytes) -> urllib.error.HTTPError:
    return urllib.error.HTTPError("http://x/", code, reason, Message(), io.BytesIO(body))


@pytest.mark.parametrize(
    ("error", "reason"),
    [
        (urllib.error.URLError(ConnectionRefusedError(111, "Connection refused")), "Connection refused"),
        (urllib.error.URLError(TimeoutError("timed out")), "no answer within 10 s"),
        (TimeoutError("timed out"), "no answer within 10 s"),
        (
            _http_error(500, "Internal Server Error", b"store full\n"),
            "HTTP 500 Internal Server Error (store full)",
        ),
        (_http_error(404, "Not Found", b""), "HTTP 404 Not Found"),
        (ValueError("unknown url type: 'x'"), "not a URL the sandbox can POST to (unknown url type: 'x')"),
    ],
)
def test_post_error_says_why(error: BaseException, reason: str) -> None:
    assert post_error(error) == reason


def test_uninstall_without_install_is_refused(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(patch_state, "_signers", [])  # as in a process that installed nothing
    with pytest.raises(RuntimeError, match="without a matching install"):
        patching.uninstall()


def test_failed_start_keeps_its_own_error_and_logs_the_failed_stop(
    monkeypatch: pytest.MonkeyPatch, caplog: pytest.LogCaptureFixture, tmp_path: Path
) -> None:
    from moto.server import ThreadedMotoServer

    caplog.set_level(logging.ERROR, logger="sesops.sandbox")
    monkeypatch.setattr(tempfile, "tempdir", str(tmp_path))  # where the sandbox makes its cert dir
    users = patch_state.users()
    stop = ThreadedMotoServer.stop

    def stop_then_fail(self: ThreadedMotoServer) -> None:
        stop(self)
        raise OSError("stop failed")

    def refuse_reset(self: Sandbox) -> None:
        raise RuntimeError("reset refused")

    monkeypatch.setattr(ThreadedMotoServer, "stop", stop_then_fail)
    monkeypatch.setattr(Sandbox, "_reset", refuse_reset)
    with pytest.raises(RuntimeError, match="reset refused"):
        Sandbox(port=0).start()
    assert logged(caplog, "stopping moto's server after a failed start failed too")
    assert patch_state.users() == users, "the failed start uninstalled its patches"
    assert list(tmp_path.iterdir()) == [], "the failed start removed its certificate directory"


def test_cert_dir_that_cannot_be_removed_is_logged(
    monkeypatch: pytest.MonkeyPatch, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.WARNING, logger="sesops.sandbox")
    sandbox = Sandbox(port=0).start()
    cert_dir = sandbox.cert_dir

    def refuse(path: Any) -> None:
        raise PermissionError(13, "Permission denied", str(path))

    monkeypatch.setattr("sesops.sandbox.server.shutil.rmtree", refuse)
    sandbox.stop()
    assert logged(caplog, f"could not remove its certificate directory {cert_dir}: Permission denied")
    monkeypatch.undo()
    shutil.rmtree(cert_dir)


def test_a_sandbox_keeps_the_first_failures_and_logs_them_all(
    monkeypatch: pytest.MonkeyPatch, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.WARNING, logger="sesops.sandbox")
    monkeypatch.setattr("sesops.sandbox.server.KEPT_FAILURES", 2)
    with Sandbox(port=0) as sb:
        for n in range(3):
            failures.report(f"http://127.0.0.1:1/{n}", "a Notification", "Connection refused")
        kept = [f.target for f in sb.delivery_failures]
    assert kept == ["http://127.0.0.1:1/0", "http://127.0.0.1:1/1"]
    assert logged(caplog, "to http://127.0.0.1:1/2: Connection refused")
    failures.report("http://127.0.0.1:1/after", "a Notification", "Connection refused")
    assert [f.target for f in sb.delivery_failures] == kept, "a stopped sandbox no longer listens"


def _request(body: str = "", **query: str) -> Any:
    return SimpleNamespace(body=body, querystring={k: [v] for k, v in query.items()})


@pytest.mark.parametrize(
    ("call", "fake", "message"),
    [
        (put_suppressed_destination, _request("[1]"), "must be a JSON object, not list"),
        (put_suppressed_destination, _request("{"), "the request body is not JSON"),
        (
            list_suppressed_destinations,
            _request(PageSize="ten"),
            "PageSize must be a whole number, not 'ten'",
        ),
        (list_suppressed_destinations, _request(StartDate="yesterday"), "StartDate 'yesterday' is neither"),
    ],
)
def test_sesv2_bad_requests_say_what_was_wrong(call: Any, fake: Any, message: str) -> None:
    from moto.core.exceptions import JsonRESTError

    with pytest.raises(JsonRESTError) as err:
        call(fake)
    assert err.value.error_type == "BadRequestException" and message in err.value.message
