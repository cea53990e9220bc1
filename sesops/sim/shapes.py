"""Builders of the JSON shapes :mod:`sesops.sim.simulate` emits: SES objects and SNS envelopes.

Pure and fast: the hot path (a million envelopes a minute) formats times from per-minute
caches and assembles envelopes from byte templates instead of re-serialising dicts.
"""

from __future__ import annotations

import random
import time
from typing import Any

import orjson

from sesops import arns
from sesops.errors import InputError

EVENT_SUBJECT = "Amazon SES Email Event Notification"
_WEEKDAYS = ("Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun")
_MONTHS = ("Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec")


class Clock:
    """ISO-8601 (``2025-03-03T09:15:02.123Z``) and RFC 2822 times from epoch ms, cached per minute."""

    def __init__(self) -> None:
        self._iso: dict[int, str] = {}
        self._rfc: dict[int, str] = {}

    def iso(self, ms: int) -> str:
        minute = ms // 60_000
        prefix = self._iso.get(minute)
        if prefix is None:
            prefix = self._iso[minute] = time.strftime("%Y-%m-%dT%H:%M:", time.gmtime(minute * 60))
        rest = ms - minute * 60_000
        return f"{prefix}{rest // 1000:02d}.{rest % 1000:03d}Z"

    def rfc2822(self, ms: int) -> str:
        minute, rest = divmod(ms, 60_000)
        prefix = self._rfc.get(minute)
        if prefix is None:
            t = time.gmtime(minute * 60)
            prefix = self._rfc[minute] = (
                f"{_WEEKDAYS[t.tm_wday]}, {t.tm_mday:02d} {_MONTHS[t.tm_mon - 1]} {t.tm_year} "
                f"{t.tm_hour:02d}:{t.tm_min:02d}:"
            )
        return f"{prefix}{rest // 1000:02d} +0000"


_VARIANT = {f"{i:x}": "89ab"[i & 3] for i in range(16)}


def uuid4(rng: random.Random) -> str:
    """A version-4 UUID string drawn from ``rng`` (deterministic, unlike :func:`uuid.uuid4`)."""
    h = f"{rng.getrandbits(128):032x}"
    return f"{h[:8]}-{h[8:12]}-4{h[13:16]}-{_VARIANT[h[16]]}{h[17:20]}-{h[20:]}"


def ses_id(ms: int, rng: random.Random) -> str:
    """An SES message or feedback id: ``0100`` + the time in hex, a UUID, ``-000000``."""
    return f"0100{ms:012x}-{uuid4(rng)}-000000"


def event_time(obj: dict[str, Any]) -> str | None:
    """The time an SES object describes: its detail's timestamp, else the mail's."""
    for key in ("bounce", "complaint", "delivery", "deliveryDelay", "open", "click", "subscription"):
        detail = obj.get(key)
        if isinstance(detail, dict) and isinstance(detail.get("timestamp"), str):
            return str(detail["timestamp"])
    mail = obj.get("mail")
    stamp = mail.get("timestamp") if isinstance(mail, dict) else None
    return stamp if isinstance(stamp, str) else None


def sns_subject(obj: dict[str, Any]) -> str | None:
    """SNS sets this Subject on configuration-set events; identity notifications have none."""
    return EVENT_SUBJECT if "eventType" in obj else None


class Envelopes:
    """SNS ``Notification`` envelopes for one topic, as dicts or as ready-made JSON lines."""

    def __init__(self, topic_arn: str, subscription_id: str) -> None:
        try:
            host = arns.sns_host(arns.topic_region(topic_arn))
        except ValueError as err:
            raise InputError(f"topic ARN {topic_arn!r}: {err}") from None
        self.topic_arn = topic_arn
        self.cert_url = f"https://{host}/SimpleNotificationService-9c6465fa7f48f5cacd23014631ec1136.pem"
        self.unsubscribe_url = (
            f"https://{host}/?Action=Unsubscribe&SubscriptionArn={topic_arn}:{subscription_id}"
        )
        topic = orjson.dumps(topic_arn)
        self._head = (
            b'{"Type":"Notification","MessageId":"%s","TopicArn":' + topic.replace(b"%", b"%%") + b","
        )
        self._subject = b'"Subject":' + orjson.dumps(EVENT_SUBJECT) + b","
        self._tail = (
            b',"Timestamp":"%s","SignatureVersion":"1","Signature":"","SigningCertURL":'
            + orjson.dumps(self.cert_url).replace(b"%", b"%%")
            + b',"UnsubscribeURL":'
            + orjson.dumps(self.unsubscribe_url).replace(b"%", b"%%")
            + b"}\n"
        )

    def wrap(self, message: str, message_id: str, timestamp: str, subject: str | None) -> dict[str, Any]:
        env: dict[str, Any] = {"Type": "Notification", "MessageId": message_id, "TopicArn": self.topic_arn}
        if subject is not None:
            env["Subject"] = subject
        env.update(
            Message=message,
            Timestamp=timestamp,
            SignatureVersion="1",
            Signature="",
            SigningCertURL=self.cert_url,
            UnsubscribeURL=self.unsubscribe_url,
        )
        return env

    def line(self, ses_json: bytes, message_id: str, timestamp: str, event_publishing: bool) -> bytes:
        """One JSONL line: the envelope around ``ses_json`` (the SES object, already serialised)."""
        message = orjson.dumps(ses_json.decode())
        head = self._head % message_id.encode()
        subject = self._subject if event_publishing else b""
        return b"".join((head, subject, b'"Message":', message, self._tail % timestamp.encode()))
