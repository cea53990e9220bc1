"""The HTTPS subscription endpoint as a plain WSGI application (mount it in any WSGI host).

Status codes tell SNS what to do: 200 only after the message is committed to the store;
503 when a retry can succeed (certificate fetch, store, or ConfirmSubscription failed);
403 for messages that are not genuinely from an allowed topic, or outside the verifier's
age window; 400 for malformed ones, including a key named twice (in the body or in its
``Message``: JSON readers disagree on which one counts, so what is stored, exactly the bytes
that were verified, must read one way only). Nothing is stored unless its signature verified.
A SubscriptionConfirmation is confirmed, then stored; one already stored is not confirmed again.
Only the configured path is answered (others 404), and ``GET /healthz``: ok or 503, with the
store's counts only when asked (``?counts=1``) from this host.
Bodies are short plain text saying why. One JSON log line per request (no bodies, no tokens).
"""

from __future__ import annotations

import ipaddress
import logging
import time
from collections.abc import Callable, Collection, Iterable, Mapping
from dataclasses import dataclass, field
from typing import Any, Protocol
from urllib.parse import parse_qs
from wsgiref.types import StartResponse, WSGIApplication, WSGIEnvironment

import orjson

from sesops.capture.store import CaptureStore
from sesops.errors import (
    CertificateUnavailable,
    InvalidMessage,
    RecordError,
    SesopsError,
    StoreError,
    UnsupportedSignatureVersion,
    VerificationError,
)
from sesops.events.strict import envelope_duplicate

MAX_BODY = 1024 * 1024
SNS_TYPES = frozenset({"Notification", "SubscriptionConfirmation", "UnsubscribeConfirmation"})
RAW_DELIVERY_HINT = (
    "raw message delivery is on for this HTTPS subscription: turn it off "
    "(aws sns set-subscription-attributes --attribute-name RawMessageDelivery --attribute-value false) "
    "so messages arrive signed"
)

_REASONS = {
    200: "200 OK",
    400: "400 Bad Request",
    403: "403 Forbidden",
    404: "404 Not Found",
    405: "405 Method Not Allowed",
    411: "411 Length Required",
    413: "413 Content Too Large",
    500: "500 Internal Server Error",
    503: "503 Service Unavailable",
}

Confirm = Callable[[str, str], object]  # (topic_arn, token) -> anything; raises on failure


class Verifier(Protocol):
    """What the receiver needs of :class:`sesops.sns.verify.SnsVerifier`."""

    @property
    def allowed_topics(self) -> Collection[str] | None: ...

    def verify(self, message: Mapping[str, Any]) -> None: ...


@dataclass(slots=True)
class _Outcome:
    status: int
    text: str
    content_type: str = "text/plain; charset=utf-8"
    headers: list[tuple[str, str]] = field(default_factory=list)
    sns_type: str | None = None
    message_id: str | None = None
    topic: str | None = None


class Receiver:
    """The WSGI callable; build it with :func:`make_app`."""

    def __init__(
        self,
        store: CaptureStore,
        verifier: Verifier,
        *,
        confirm: Confirm | None = None,
        logger: logging.Logger | None = None,
        max_body: int = MAX_BODY,
        path: str | None = None,
    ) -> None:
        self.store = store
        self.path = path
        self.verifier = verifier
        self.confirm = confirm if confirm is not None else _aws_confirm
        self.log = logger or logging.getLogger("sesops.capture.receiver")
        self.max_body = max_body

    def __call__(self, environ: WSGIEnvironment, start_response: StartResponse) -> Iterable[bytes]:
        started = time.perf_counter()
        method = str(environ.get("REQUEST_METHOD", ""))
        path = str(environ.get("PATH_INFO", "") or "/")
        try:
            outcome = self._handle(environ, method, path)
        except Exception:  # a bug, never bad input: log it, answer 500 (SNS retries)
            self.log.exception("receiver failed on %s %s", method, path)
            outcome = _Outcome(500, "internal error; see the receiver log")
        body = outcome.text.encode("utf-8")
        if not body.endswith(b"\n"):
            body += b"\n"
        headers = [
            ("Content-Type", outcome.content_type),
            ("Content-Length", str(len(body))),
            *outcome.headers,
        ]
        start_response(_REASONS[outcome.status], headers)
        self._log(method, path, outcome, started)
        return [body]

    def _log(self, method: str, path: str, outcome: _Outcome, started: float) -> None:
        if not self.log.isEnabledFor(logging.INFO):
            return
        line = {
            "method": method,
            "path": path[:200],
            "status": outcome.status,
            "sns_type": outcome.sns_type,
            "message_id": outcome.message_id and outcome.message_id[:100],
            "topic": outcome.topic and outcome.topic[:300],
            "duration_ms": round((time.perf_counter() - started) * 1000, 2),
        }
        if outcome.status != 200:
            line["reason"] = outcome.text[:200]
        self.log.info(orjson.dumps(line).decode())

    # -- request handling ----------------------------------------------------------------------

    def _handle(self, environ: WSGIEnvironment, method: str, path: str) -> _Outcome:
        if path == "/healthz":
            return self._health(environ, method)
        if self.path is not None and path != self.path:
            return _Outcome(404, "not found")
        if method != "POST":
            return _Outcome(405, "SNS delivers with POST", headers=[("Allow", "POST")])
        if str(environ.get("HTTP_X_AMZ_SNS_RAWDELIVERY", "")).lower() == "true":
            return _Outcome(400, RAW_DELIVERY_HINT)
        body = self._read_body(environ)
        if isinstance(body, _Outcome):
            return body
        message = _decode(body)
        if isinstance(message, _Outcome):
            return message
        result = _identify(message, environ)
        if result.status != 200:
            return result
        refused = self._verify(message, result)
        if refused is not None:
            return refused
        if result.sns_type == "SubscriptionConfirmation":
            return self._subscribe(body, message, result)
        stored = self._store(body, result)
        if stored.status == 200 and result.sns_type == "UnsubscribeConfirmation":
            self.log.warning("unsubscribed from %s (stored; not re-confirmed)", result.topic)
            stored.text = "unsubscribe noted"
        return stored

    def _verify(self, message: dict[str, Any], result: _Outcome) -> _Outcome | None:
        """None when ``message`` is genuine; else the refusal (403 final, 503 retry, 400 malformed)."""
        if result.sns_type == "SubscriptionConfirmation" and self.verifier.allowed_topics is None:
            return _fail(result, 403, "no topic allowlist configured; refusing to confirm any subscription")
        try:
            self.verifier.verify(message)
        except CertificateUnavailable as err:
            return _fail(result, 503, f"cannot verify now: {err}")
        except (InvalidMessage, UnsupportedSignatureVersion) as err:
            return _fail(result, 400, f"not a valid SNS message: {err}")
        except VerificationError as err:
            return _fail(result, 403, f"rejected: {err}")
        return None

    def _subscribe(self, body: bytes, message: dict[str, Any], result: _Outcome) -> _Outcome:
        """Confirm, then store: a confirmation already stored (a replay) is not confirmed again."""
        topic, message_id = str(message["TopicArn"]), str(message["MessageId"])
        try:
            if self.store.contains(message_id):
                result.text = "subscription already confirmed"
                return result
        except StoreError as err:
            self.log.error("capture store read failed: %s", err)
            return _fail(result, 503, "cannot check the capture store now; retry later")
        try:
            self.confirm(topic, str(message["Token"]))
        except Exception as err:  # AwsError, or anything an injected confirm raises
            detail = str(err) if isinstance(err, SesopsError) else type(err).__name__
            self.log.error("ConfirmSubscription failed for %s: %s", topic, detail)
            return _fail(result, 503, "could not confirm the subscription now; SNS will resend")
        stored = self._store(body, result)
        if stored.status == 200:
            stored.text = "subscription confirmed"
        return stored

    def _store(self, body: bytes, result: _Outcome) -> _Outcome:
        """Store exactly the bytes that were verified; 503 when the store cannot take them now."""
        try:
            new = self.store.add(
                body, channel="http", verified=True, message_id=result.message_id, topic_arn=result.topic
            )
        except StoreError as err:
            self.log.error("capture store write failed: %s", err)
            return _fail(result, 503, "cannot store the message now; retry later")
        result.text = "stored" if new else "already stored"
        return result

    def _read_body(self, environ: WSGIEnvironment) -> bytes | _Outcome:
        length_text = environ.get("CONTENT_LENGTH") or ""
        if length_text:
            try:
                length = int(length_text)
            except ValueError:
                return _Outcome(400, "bad Content-Length")
            if length < 0:
                return _Outcome(400, "bad Content-Length")
            if length > self.max_body:
                return _Outcome(413, f"body over {self.max_body} bytes; SNS messages are at most 256 KiB")
        else:
            length = self.max_body + 1  # unknown length (chunked): read at most one byte past the cap
        stream = environ["wsgi.input"]
        chunks: list[bytes] = []
        remaining = min(length, self.max_body + 1)
        while remaining > 0:
            chunk = stream.read(min(remaining, 65536))
            if not chunk:
                break
            chunks.append(chunk)
            remaining -= len(chunk)
        body = b"".join(chunks)
        if len(body) > self.max_body:
            return _Outcome(413, f"body over {self.max_body} bytes; SNS messages are at most 256 KiB")
        if not body:
            return _Outcome(400, "empty body (expected an SNS message)")
        return body

    def _health(self, environ: WSGIEnvironment, method: str) -> _Outcome:
        """ok or 503 for anyone; the store's counts only when asked (?counts=1) from this host."""
        if method not in ("GET", "HEAD"):
            return _Outcome(405, "use GET /healthz", headers=[("Allow", "GET, HEAD")])
        with_counts = "1" in parse_qs(str(environ.get("QUERY_STRING", ""))).get("counts", ())
        try:
            if with_counts and _loopback(str(environ.get("REMOTE_ADDR", ""))):
                payload: dict[str, Any] = {"status": "ok", **self.store.counts().as_dict()}
            else:
                self.store.check()
                payload = {"status": "ok"}
        except StoreError as err:
            self.log.error("health check: capture store unavailable: %s", err)
            return _Outcome(503, '{"status":"unavailable"}', content_type="application/json")
        return _Outcome(200, orjson.dumps(payload).decode(), content_type="application/json")


def _decode(body: bytes) -> dict[str, Any] | _Outcome:
    """The body as one JSON object read one way only: a key named twice (in the body or in the
    JSON of its ``Message``) is refused, as readers disagree on which value counts."""
    try:
        message = orjson.loads(body)
        duplicate = envelope_duplicate(body, message)
    except (RecordError, orjson.JSONDecodeError):
        return _Outcome(400, "body is not JSON (expected an SNS message)")
    if duplicate is not None:
        where, path = duplicate
        place = "the body" if where == "body" else "Message"
        return _Outcome(400, f"duplicate key {path!r} in {place}; refused (JSON readers disagree)")
    if not isinstance(message, dict):
        return _Outcome(400, "body is not an SNS message (expected a JSON object)")
    return message


def _identify(message: dict[str, Any], environ: WSGIEnvironment) -> _Outcome:
    """A 200 outcome naming the message (type, id, topic), or why it is no SNS message."""
    sns_type, message_id, topic = message.get("Type"), message.get("MessageId"), message.get("TopicArn")
    if not isinstance(sns_type, str) or sns_type not in SNS_TYPES:
        return _Outcome(400, "body is not an SNS message (no SNS Type)")
    if not isinstance(message_id, str) or not message_id or not isinstance(topic, str) or not topic:
        return _Outcome(400, "SNS message without MessageId or TopicArn", sns_type=sns_type)
    result = _Outcome(200, "", sns_type=sns_type, message_id=message_id, topic=topic)
    header_type = environ.get("HTTP_X_AMZ_SNS_MESSAGE_TYPE")
    if header_type is not None and header_type != sns_type:
        return _fail(result, 400, f"x-amz-sns-message-type {str(header_type)[:40]!r} disagrees with Type")
    header_topic = environ.get("HTTP_X_AMZ_SNS_TOPIC_ARN")
    if header_topic is not None and header_topic != topic:
        return _fail(result, 400, "x-amz-sns-topic-arn disagrees with TopicArn")
    return result


def _loopback(address: str) -> bool:
    try:
        ip = ipaddress.ip_address(address)
    except ValueError:
        return False
    mapped = ip.ipv4_mapped if isinstance(ip, ipaddress.IPv6Address) else None
    return ip.is_loopback or (mapped is not None and mapped.is_loopback)


def _fail(outcome: _Outcome, status: int, text: str) -> _Outcome:
    outcome.status, outcome.text = status, text
    return outcome


def _aws_confirm(topic_arn: str, token: str) -> str:
    from sesops.aws.messaging import confirm_subscription

    return confirm_subscription(topic_arn, token)


def make_app(
    store: CaptureStore,
    verifier: Verifier,
    *,
    confirm: Confirm | None = None,
    logger: logging.Logger | None = None,
    max_body: int = MAX_BODY,
    path: str | None = None,
) -> WSGIApplication:
    """The receiver as a WSGI application.

    ``verifier`` checks signatures and the topic allowlist (a :class:`sesops.sns.verify.SnsVerifier`;
    without an allowlist, subscriptions are never confirmed). ``confirm(topic_arn, token)``
    confirms a subscription (default: SNS ``ConfirmSubscription`` in the topic's region).
    ``path`` is the one path deliveries are accepted on (others 404); None accepts any path
    (for an app mounted under a router that has already chosen it).
    """
    return Receiver(store, verifier, confirm=confirm, logger=logger, max_body=max_body, path=path)
