"""The receiver against forged, replayed and probing requests, over real sockets on loopback:
duplicate keys, old/future/unparseable Timestamps, replayed subscription confirmations, other
paths, /healthz from afar, and certificate URLs that would hold the only worker."""

from __future__ import annotations

import io
import threading
import time
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import orjson
import pytest
import urllib3

from sesops.capture.receiver import make_app
from sesops.capture.store import CaptureStore
from sesops.sns.signing import SigningAuthority
from sesops.sns.verify import SnsVerifier
from tests.capture.serve_helpers import InProcess, Server, notification, post, stored_ids
from tests.capture_samples import TOPIC, ses_bounce

EU_TOPIC = "arn:aws:sns:eu-west-1:123456789012:ses-feedback"
SNS_HEADERS = {"x-amz-sns-message-type": "Notification"}


@pytest.fixture
def http() -> Iterator[urllib3.PoolManager]:
    pool = urllib3.PoolManager(retries=False, timeout=10)
    yield pool
    pool.clear()


def send(http: urllib3.PoolManager, url: str, body: bytes) -> tuple[int, bytes]:
    r = http.request("POST", url, body=body, headers=SNS_HEADERS)
    return r.status, r.data


def call(app: Any, environ: dict[str, Any]) -> tuple[str, bytes]:
    """The WSGI app called directly (for what a socket on loopback cannot show): status and body."""
    environ.setdefault("wsgi.input", io.BytesIO())
    status: list[str] = []
    body = b"".join(app(environ, lambda s, h, exc=None: status.append(s)))
    return status[0], body


# -- through `sesops serve` (its defaults: path /, max age 2 h) ---------------------------------


def test_serve_refuses_forgeries_replays_and_other_paths(
    tmp_path: Path, cert_dir: Path, authority: SigningAuthority, http: urllib3.PoolManager
) -> None:
    server = Server(tmp_path / "capture.sqlite", cert_dir)
    try:
        genuine = orjson.dumps(notification(authority))
        complaint = orjson.dumps(orjson.dumps({"notificationType": "Complaint"}).decode())
        forged = b'{"Message": ' + complaint + b", " + genuine[1:]  # a second Message in front
        escaped = b'{"\\u004dessage": ' + complaint + b", " + genuine[1:]  # the same key, spelled apart
        extra = genuine[:-1] + b', "Extra": {"a": 1, "a": 2}}'
        inner = orjson.dumps(
            authority.notification(TOPIC, '{"notificationType":"Bounce","notificationType":"Complaint"}')
        )
        now = datetime.now(UTC)
        cases = [
            (forged, 400, b"duplicate key 'Message' in the body"),
            (escaped, 400, b"duplicate key 'Message' in the body"),
            (extra, 400, b"duplicate key 'Extra.a' in the body"),
            (inner, 400, b"duplicate key 'notificationType' in Message"),
            (orjson.dumps(notification(authority, timestamp="2016-01-01T00:00:00.000Z")), 403, b"too old"),
            (orjson.dumps(notification(authority, timestamp=now - timedelta(hours=3))), 403, b"too old"),
            (orjson.dumps(notification(authority, timestamp="2099-01-01T00:00:00.000Z")), 403, b"future"),
            (orjson.dumps(notification(authority, timestamp=now + timedelta(hours=1))), 403, b"future"),
            (orjson.dumps(notification(authority, timestamp="yesterday")), 400, b"Invalid Timestamp"),
        ]
        for body, status, reason in cases:
            assert send(http, server.url, body)[0] == status, reason
            assert reason in send(http, server.url, body)[1]
        assert send(http, server.base + "/other", genuine)[0] == 404
        assert send(http, server.base + "/healthz", genuine)[0] == 405
        assert stored_ids(server.db) == set()
        assert send(http, server.url, genuine) == (200, b"stored\n")
        with CaptureStore(server.db) as store:
            [row] = list(store.iter_messages())
        assert row.body.encode() == genuine  # exactly the bytes that were verified
        health = http.request("GET", server.base + "/healthz")
        assert (health.status, orjson.loads(health.data)) == (200, {"status": "ok"})
        counted = orjson.loads(http.request("GET", server.base + "/healthz?counts=1").data)
        assert counted["messages"] == 1
    finally:
        assert server.stop() == 0


# -- in process: a confirm we can count, certificates we can hold back ----------------------------


def test_a_replayed_subscription_confirmation_is_not_confirmed_again(
    tmp_path: Path, cert_dir: Path, authority: SigningAuthority, http: urllib3.PoolManager
) -> None:
    calls: list[str] = []
    store = CaptureStore(tmp_path / "c.sqlite")
    verifier = SnsVerifier(cert_dir=cert_dir, allowed_topics=[TOPIC], max_age=timedelta(hours=2))
    header = {"x-amz-sns-message-type": "SubscriptionConfirmation"}
    with InProcess(
        make_app(store, verifier, confirm=lambda t, token: calls.append(token), path="/sns")
    ) as srv:
        url = srv.url + "sns"
        confirmation = authority.subscription_confirmation(TOPIC, token="tok-1")
        for _ in range(3):
            assert post(http, url, confirmation, header).status == 200
        old = authority.subscription_confirmation(
            TOPIC, token="tok-old", timestamp=datetime.now(UTC) - timedelta(days=1)
        )
        r = post(http, url, old, header)
        assert r.status == 403 and b"too old" in r.data
        assert post(http, srv.url, confirmation, header).status == 404  # not the configured path
    assert calls == ["tok-1"]
    assert stored_ids(store.path) == {confirmation["MessageId"]}


def test_healthz_shows_counts_only_to_this_host_and_fails_without_a_store(
    tmp_path: Path, cert_dir: Path
) -> None:
    store = CaptureStore(tmp_path / "c.sqlite")
    app: Any = make_app(store, SnsVerifier(cert_dir=cert_dir, allowed_topics=[TOPIC]))

    def health(remote: str, query: str = "counts=1") -> tuple[str, bytes]:
        environ = {
            "REQUEST_METHOD": "GET",
            "PATH_INFO": "/healthz",
            "QUERY_STRING": query,
            "REMOTE_ADDR": remote,
        }
        return call(app, environ)

    for remote in ("203.0.113.7", "10.0.0.1", "::ffff:198.51.100.1", ""):
        assert health(remote) == ("200 OK", b'{"status":"ok"}\n')
    for remote in ("127.0.0.1", "::1", "::ffff:127.0.0.1"):
        assert b'"messages":0' in health(remote)[1]
    assert health("127.0.0.1", "") == ("200 OK", b'{"status":"ok"}\n')
    store.path.unlink()  # the store is gone: not ok, and no reason given to strangers
    assert health("203.0.113.7") == ("503 Service Unavailable", b'{"status":"unavailable"}\n')


def test_certificate_fetches_never_hold_the_only_worker(
    tmp_path: Path, authority: SigningAuthority, http: urllib3.PoolManager
) -> None:
    release = threading.Event()
    fetched: list[str] = []

    def fetcher(url: str) -> bytes:
        fetched.append(url)
        if "us-east-1" not in url:
            release.wait(10)  # a slow network, or a stranger's URL nobody answers
        return authority.cert_pem

    verifier = SnsVerifier(
        fetcher=fetcher, allowed_topics=[TOPIC, EU_TOPIC], fetch_wait=0.3, max_fetches_per_minute=10
    )
    store = CaptureStore(tmp_path / "c.sqlite")
    with InProcess(make_app(store, verifier), threads=1) as srv:
        assert post(http, srv.url, notification(authority)).status == 200  # us-east-1: cached now
        waiting: list[float] = []

        def eu_delivery() -> None:
            started = time.monotonic()
            r = post(http, srv.url, notification(authority, topic=EU_TOPIC))
            assert r.status == 503 and b"retry later" in r.data
            waiting.append(time.monotonic() - started)

        thread = threading.Thread(target=eu_delivery)
        thread.start()
        for _ in range(10):  # meanwhile, deliveries whose certificate is known go through
            started = time.monotonic()
            assert post(http, srv.url, notification(authority)).status == 200
            assert time.monotonic() - started < 1.0
        thread.join(10)
        assert waiting and waiting[0] < 1.5
        strangers = [  # each a new, well-formed certificate URL: at most 10 fetched a minute
            authority.sign(
                notification(authority, topic=EU_TOPIC),
                cert_url=f"https://sns.eu-west-1.amazonaws.com/SimpleNotificationService-{n:04d}.pem",
            )
            for n in range(30)
        ]
        started = time.monotonic()
        statuses = [post(http, srv.url, env).status for env in strangers]
        assert set(statuses) == {503}
        assert time.monotonic() - started < 10  # most answered at once, none waited past fetch_wait
        assert len(fetched) <= 1 + 10
        release.set()
        deadline = time.monotonic() + 5
        while post(http, srv.url, env := notification(authority, topic=EU_TOPIC)).status != 200:
            assert time.monotonic() < deadline
            time.sleep(0.05)
    assert env["MessageId"] in stored_ids(store.path)


def test_a_body_with_a_duplicate_at_any_level_is_never_stored(tmp_path: Path, cert_dir: Path) -> None:
    store = CaptureStore(tmp_path / "c.sqlite")
    app: Any = make_app(store, SnsVerifier(cert_dir=cert_dir, allowed_topics=[TOPIC]))
    bounce = orjson.dumps(ses_bounce()).decode()
    for key in ('"bounce"', '"bounceType"', '"emailAddress"', '"mail"'):
        message = bounce.replace(key + ":", key + ':"forged",' + key + ":", 1)
        body = orjson.dumps({"Type": "Notification", "MessageId": "m", "TopicArn": TOPIC, "Message": message})
        status, reply = call(
            app, {"REQUEST_METHOD": "POST", "PATH_INFO": "/", "wsgi.input": io.BytesIO(body)}
        )
        assert status == "400 Bad Request" and b"duplicate key" in reply and b"in Message" in reply
    assert store.counts().messages == 0
