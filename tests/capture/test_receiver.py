"""The receiver over real HTTP: `sesops serve` in a subprocess, a real store, signed envelopes."""

from __future__ import annotations

import io
import os
import signal
import socket
import threading
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import boto3
import orjson
import pytest
import urllib3
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from moto import mock_aws

from sesops.aws.messaging import confirm_subscription
from sesops.capture.receiver import MAX_BODY, make_app
from sesops.capture.store import CaptureStore
from sesops.errors import AwsError
from sesops.sns.signing import SigningAuthority
from sesops.sns.verify import SnsVerifier
from tests.capture.serve_helpers import InProcess, Server, notification, post, stored_ids
from tests.capture_samples import OTHER_TOPIC, TOPIC, ses_bounce


@pytest.fixture
def server(tmp_path: Path, cert_dir: Path) -> Iterator[Server]:
    srv = Server(tmp_path / "capture.sqlite", cert_dir)
    yield srv
    if srv.proc.poll() is None:
        srv.stop()


@pytest.fixture
def http() -> Iterator[urllib3.PoolManager]:
    pool = urllib3.PoolManager(retries=False, timeout=10)
    yield pool
    pool.clear()


# -- over HTTP ------------------------------------------------------------------------------


def test_valid_v1_and_v2_are_stored_once(
    server: Server, http: urllib3.PoolManager, authority: SigningAuthority
) -> None:
    v1, v2 = (
        notification(authority, "1"),
        notification(authority, "2", subject="Amazon SES Email Event Notification"),
    )
    for env in (v1, v2):
        r = post(http, server.url, env)
        assert (r.status, r.data) == (200, b"stored\n")
    r = post(http, server.url, v1)  # SNS redelivery
    assert (r.status, r.data) == (200, b"already stored\n")
    rows = list(CaptureStore(server.db).iter_raw())
    assert [r.message_id for r in rows] == [v1["MessageId"], v2["MessageId"]]
    assert all(r.verified and r.channel == "http" and r.topic_arn == TOPIC for r in rows)
    assert orjson.loads(rows[0].body) == v1


def test_rejections_store_nothing(
    server: Server, http: urllib3.PoolManager, authority: SigningAuthority
) -> None:
    tampered = notification(authority)
    tampered["Message"] = tampered["Message"].replace("Permanent", "Transient")
    foreign = notification(authority, topic=OTHER_TOPIC)
    bad_url = authority.sign(
        notification(authority), cert_url="https://evil.example.com/SimpleNotificationService-x.pem"
    )
    big = orjson.dumps({"Type": "Notification", "Message": "x" * (MAX_BODY + 10)})
    cases: list[tuple[bytes | dict[str, Any], dict[str, str], int, bytes]] = [
        (tampered, {}, 403, b"Invalid signature"),
        (foreign, {}, 403, b"Topic not allowed"),
        (bad_url, {}, 403, b"rejected"),
        (b"this is not json", {}, 400, b"not JSON"),
        (b"[1,2,3]", {}, 400, b"not an SNS message"),
        (b'{"hello": "world"}', {}, 400, b"not an SNS message"),
        ({k: v for k, v in notification(authority).items() if k != "Signature"}, {}, 400, b"Signature"),
        ({**notification(authority), "SignatureVersion": "3"}, {}, 400, b"SignatureVersion"),
        (big, {}, 413, b"body over"),
        (notification(authority), {"x-amz-sns-message-type": "SubscriptionConfirmation"}, 400, b"disagrees"),
        (notification(authority), {"x-amz-sns-rawdelivery": "true"}, 400, b"turn it off"),
        (orjson.dumps(ses_bounce()), {"x-amz-sns-rawdelivery": "true"}, 400, b"raw message delivery"),
        (b"", {}, 400, b"empty"),
    ]
    for body, headers, status, text in cases:
        r = post(http, server.url, body, headers)
        assert r.status == status, (r.status, r.data, text)
        assert text in r.data
    huge = http.request("POST", server.url, body=b"x" * (3 * MAX_BODY))  # refused by waitress itself
    assert huge.status == 413
    assert http.request("GET", server.url).status == 405
    assert http.request("PUT", server.url, body=b"{}").status == 405
    health = http.request("GET", server.url + "healthz")
    assert health.status == 200 and health.headers["Content-Type"] == "application/json"
    assert orjson.loads(health.data) == {"status": "ok"}  # no counts unless asked, from this host
    counted = http.request("GET", server.url + "healthz?counts=1")
    assert orjson.loads(counted.data)["messages"] == 0
    assert stored_ids(server.db) == set()
    assert server.stop() == 0
    log_lines = [orjson.loads(line) for line in server.stderr.splitlines() if line.startswith("{")]
    assert len(log_lines) == len(cases) + 4
    assert {"method", "path", "status", "sns_type", "message_id", "topic", "duration_ms"} <= set(log_lines[0])
    assert tampered["Signature"] not in server.stderr and "bounce@example.com" not in server.stderr


def test_unsubscribe_confirmation_is_stored_not_confirmed(
    server: Server, http: urllib3.PoolManager, authority: SigningAuthority
) -> None:
    env = authority.subscription_confirmation(TOPIC, unsubscribe=True)
    r = post(http, server.url, env, {"x-amz-sns-message-type": "UnsubscribeConfirmation"})
    assert (r.status, r.data) == (200, b"unsubscribe noted\n")
    assert stored_ids(server.db) == {env["MessageId"]}
    assert server.stop() == 0
    assert "unsubscribed from" in server.stderr


def test_sigterm_finishes_a_request_in_flight(server: Server, authority: SigningAuthority) -> None:
    body = orjson.dumps(notification(authority))
    head = (
        f"POST / HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: text/plain\r\n"
        f"x-amz-sns-message-type: Notification\r\nContent-Length: {len(body)}\r\n\r\n"
    ).encode()
    with socket.create_connection(("127.0.0.1", server.port), timeout=10) as sock:
        sock.sendall(head + body[:100])
        time.sleep(0.3)
        server.proc.send_signal(signal.SIGTERM)
        time.sleep(0.5)
        assert server.proc.poll() is None  # waiting for our request
        sock.sendall(body[100:])
        reply = sock.recv(4096)
    assert reply.startswith(b"HTTP/1.1 200"), reply
    server.proc.wait(10)  # it ends on its own; a second SIGTERM after its handlers are gone would kill it
    assert server.stop() == 0
    assert "stopped" in server.stdout
    with pytest.raises(OSError):
        socket.create_connection(("127.0.0.1", server.port), timeout=1).close()
    assert len(stored_ids(server.db)) == 1


def test_kill_9_loses_nothing_acknowledged(
    tmp_path: Path, cert_dir: Path, authority: SigningAuthority
) -> None:
    first = Server(tmp_path / "capture.sqlite", cert_dir)
    acknowledged: list[str] = []
    lock = threading.Lock()
    stop = threading.Event()
    envelopes = [orjson.dumps(notification(authority)) for _ in range(2000)]

    def client(worker: int) -> None:
        pool = urllib3.PoolManager(retries=False, timeout=5)
        for body in envelopes[worker::8]:
            if stop.is_set():
                return
            try:
                r = pool.request(
                    "POST", first.url, body=body, headers={"x-amz-sns-message-type": "Notification"}
                )
            except urllib3.exceptions.HTTPError:
                return  # the server died under us
            if r.status == 200:
                with lock:
                    acknowledged.append(orjson.loads(body)["MessageId"])

    threads = [threading.Thread(target=client, args=(w,)) for w in range(8)]
    for t in threads:
        t.start()
    while len(acknowledged) < 100:
        time.sleep(0.01)
    os.kill(first.proc.pid, signal.SIGKILL)
    first.proc.wait(10)
    stop.set()
    for t in threads:
        t.join(30)
    assert 100 <= len(acknowledged) < len(envelopes)
    second = Server(first.db, cert_dir)  # recovers the WAL on open
    try:
        assert set(acknowledged) <= stored_ids(first.db)
        r = urllib3.PoolManager(retries=False).request("GET", second.url + "healthz?counts=1")
        assert orjson.loads(r.data)["messages"] >= len(acknowledged)
    finally:
        assert second.stop() == 0


# -- in process: subscription confirmation ---------------------------------------------------


def test_subscription_confirmation(tmp_path: Path, cert_dir: Path, authority: SigningAuthority) -> None:
    calls: list[tuple[str, str]] = []
    failing = {"on": False}

    def confirm(topic_arn: str, token: str) -> str:
        if failing["on"]:
            raise AwsError("ConfirmSubscription: Throttled")
        calls.append((topic_arn, token))
        return topic_arn + ":sub"

    store = CaptureStore(tmp_path / "c.sqlite")
    verifier = SnsVerifier(cert_dir=cert_dir, allowed_topics=[TOPIC])
    srv = InProcess(make_app(store, verifier, confirm=confirm))
    http = urllib3.PoolManager(retries=False, timeout=10)
    header = {"x-amz-sns-message-type": "SubscriptionConfirmation"}
    try:
        ok = authority.subscription_confirmation(TOPIC, token="tok-1", subscribe_url="https://evil.example/")
        r = post(http, srv.url, ok, header)
        assert (r.status, r.data) == (200, b"subscription confirmed\n")
        assert calls == [(TOPIC, "tok-1")]  # the API with the token; SubscribeURL never fetched
        other = authority.subscription_confirmation(OTHER_TOPIC, token="tok-2")
        assert post(http, srv.url, other, header).status == 403
        r = post(http, srv.url, ok, header)  # a replay of a stored confirmation: not confirmed again
        assert (r.status, r.data) == (200, b"subscription already confirmed\n")
        failing["on"] = True
        retry = authority.subscription_confirmation(TOPIC, token="tok-3")
        r = post(http, srv.url, retry, header)
        assert r.status == 503 and b"SNS will resend" in r.data
        assert calls == [(TOPIC, "tok-1")]
        assert stored_ids(store.path) == {ok["MessageId"]}  # confirm first, then store: nothing kept
        failing["on"] = False
        assert post(http, srv.url, retry, header).status == 200  # SNS's resend
        assert calls == [(TOPIC, "tok-1"), (TOPIC, "tok-3")]
        no_allowlist = InProcess(make_app(store, SnsVerifier(cert_dir=cert_dir), confirm=confirm))
        try:
            assert post(http, no_allowlist.url, ok, header).status == 403
        finally:
            no_allowlist.close()
    finally:
        http.clear()
        srv.close()


def test_confirm_subscription_calls_the_api(monkeypatch: pytest.MonkeyPatch) -> None:
    for name in ("AWS_ACCESS_KEY_ID", "AWS_SECRET_ACCESS_KEY", "AWS_SESSION_TOKEN"):
        monkeypatch.setenv(name, "testing")
    monkeypatch.setenv("AWS_DEFAULT_REGION", "us-east-1")
    monkeypatch.delenv("AWS_ENDPOINT_URL", raising=False)
    with mock_aws():
        session = boto3.Session()
        sent: list[dict[str, Any]] = []
        session.events.register(
            "provide-client-params.sns.ConfirmSubscription", lambda params, **_: sent.append(params)
        )
        topic = boto3.client("sns", region_name="eu-west-1").create_topic(Name="t")["TopicArn"]
        arn = confirm_subscription(topic, "abc", session=session)
        assert arn.startswith(topic)
        assert sent == [{"TopicArn": topic, "Token": "abc", "AuthenticateOnUnsubscribe": "true"}]
        with pytest.raises(Exception, match="not an SNS topic ARN"):
            confirm_subscription("arn:nope", "abc", session=session)


# -- hypothesis: the WSGI app called directly ------------------------------------------------


@pytest.fixture(scope="module")
def direct_app(
    tmp_path_factory: pytest.TempPathFactory, cert_dir: Path
) -> tuple[Any, CaptureStore, list[tuple[str, str]]]:
    store = CaptureStore(tmp_path_factory.mktemp("fuzz") / "c.sqlite")
    confirmed: list[tuple[str, str]] = []
    verifier = SnsVerifier(cert_dir=cert_dir, allowed_topics=[TOPIC])
    return make_app(store, verifier, confirm=lambda t, k: confirmed.append((t, k))), store, confirmed


def call(app: Any, method: str, body: bytes, headers: dict[str, str], path: str = "/") -> tuple[int, bytes]:
    environ: dict[str, Any] = {
        "REQUEST_METHOD": method,
        "PATH_INFO": path,
        "CONTENT_LENGTH": str(len(body)),
        "wsgi.input": io.BytesIO(body),
    }
    environ.update({"HTTP_" + k.upper().replace("-", "_"): v for k, v in headers.items()})
    status: list[str] = []
    out = b"".join(app(environ, lambda s, h, exc=None: status.append(s)))
    return int(status[0].split()[0]), out


SIGNED_KEYS = [
    "Type",
    "MessageId",
    "TopicArn",
    "Message",
    "Timestamp",
    "Signature",
    "SignatureVersion",
    "SigningCertURL",
]
json_values = st.recursive(
    st.none()
    | st.booleans()
    | st.integers(-(2**63), 2**63 - 1)
    | st.floats(allow_nan=False)
    | st.text(max_size=30),
    lambda inner: st.lists(inner, max_size=3) | st.dictionaries(st.text(max_size=10), inner, max_size=3),
    max_leaves=8,
)


@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(
    method=st.sampled_from(["POST", "GET", "PUT", "DELETE", "HEAD"]),
    body=st.binary(max_size=300)
    | st.dictionaries(st.sampled_from([*SIGNED_KEYS, "Token", "x"]), json_values, max_size=8).map(
        orjson.dumps
    ),
    headers=st.dictionaries(
        st.sampled_from(["x-amz-sns-message-type", "x-amz-sns-rawdelivery", "x-amz-sns-topic-arn"]),
        st.sampled_from(["Notification", "true", "false", TOPIC, "", "SubscriptionConfirmation"]),
    ),
)
def test_fuzz_never_500_never_stores(
    direct_app: tuple[Any, CaptureStore, list[tuple[str, str]]],
    method: str,
    body: bytes,
    headers: dict[str, str],
) -> None:
    app, store, confirmed = direct_app
    status, _ = call(app, method, body, headers)
    assert 400 <= status < 500
    assert store.counts().messages == 0 and confirmed == []


@settings(max_examples=200, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(data=st.data(), key=st.sampled_from(SIGNED_KEYS), version=st.sampled_from(["1", "2"]))
def test_fuzz_any_change_to_a_signed_field_is_refused(
    direct_app: tuple[Any, CaptureStore, list[tuple[str, str]]],
    authority: SigningAuthority,
    data: st.DataObject,
    key: str,
    version: str,
) -> None:
    app, store, _ = direct_app
    env = notification(authority, version)
    value = data.draw(json_values.filter(lambda v: v != env[key]))
    env[key] = value
    status, _ = call(app, "POST", orjson.dumps(env), {})
    assert status in (400, 403), status
    assert store.counts().messages == 0
