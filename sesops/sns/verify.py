"""SNS message signature verification: pure, except an injected certificate fetcher and clock.

Check order, cheapest and least trusting first, so that nothing a stranger sends makes us
fetch anything: shape (keys, types, base64) → SignatureVersion → topic allowlist → message
age window (with ``max_age``: too old, too far in the future or unparseable is refused before
any work; refusing on an unverified Timestamp accepts nothing) → the SigningCertURL rule →
certificate (cache, pinned directory or fetcher) → certificate validity → signature.

Certificate fetches are bounded in time, and optionally in number, by
:mod:`sesops.sns.certificates`; ``fetch_wait`` bounds how long a caller (a receiver's only
worker) waits before answering "retry later" while the fetch goes on.

:class:`~sesops.errors.CertificateUnavailable` is the one retryable failure (a receiver
answers 503 so SNS retries); every other :class:`~sesops.errors.VerificationError` is final.
"""

from __future__ import annotations

import base64
import binascii
import re
import threading
from collections import OrderedDict
from collections.abc import Callable, Iterable, Mapping
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

from cryptography.exceptions import InvalidSignature as _CryptoInvalidSignature
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.asymmetric import padding

from sesops import arns
from sesops.errors import (
    CertificateError,
    CertificateUnavailable,
    InvalidCertURL,
    InvalidMessage,
    InvalidSignature,
    MessageFromFuture,
    MessageTooOld,
    TopicNotAllowed,
    UnsupportedSignatureVersion,
)
from sesops.sns.certificates import (
    DEFAULT_MAX_CERT_BYTES,
    FAILURE_TTL_SECONDS,
    BoundedFetches,
    Certificate,
    fetch_certificate,
    load_certificate,
    parse_certificate,
)
from sesops.sns.message import canonical_string, normalize_keys, topic_region

__all__ = [
    "DEFAULT_MAX_CERT_BYTES",
    "SnsVerifier",
    "canonical_string",
    "cert_file_name",
    "check_cert_url",
    "fetch_certificate",
    "load_certificate",
]

Fetcher = Callable[[str], bytes]
Clock = Callable[[], datetime]

CACHE_SIZE = 64
MAX_CLOCK_SKEW = timedelta(minutes=5)  # how far in the future a Timestamp may be, with max_age

_HASHES: dict[str, type[hashes.HashAlgorithm]] = {"1": hashes.SHA1, "2": hashes.SHA256}
_CERT_PATH = re.compile(r"/(SimpleNotificationService-[A-Za-z0-9]+\.pem)", re.ASCII)
_TIMESTAMP = re.compile(
    r"([0-9]{4})-([0-9]{2})-([0-9]{2})T([0-9]{2}):([0-9]{2}):([0-9]{2})(?:\.([0-9]{1,6}))?Z", re.ASCII
)


# -- the certificate URL rule -------------------------------------------------------------


def cert_file_name(url: str, topic_arn: str) -> str:
    """Check ``url`` against the SNS certificate URL rule and return its file name.

    The whole URL is compared literally (no URL parser's leniency): ``https://``, then exactly
    ``sns.<region>.amazonaws.com`` (``.com.cn`` for ``cn-*``) with the region of ``topic_arn``,
    then exactly ``/SimpleNotificationService-<letters and digits>.pem``. Anything else
    (userinfo, port, query, fragment, percent-escapes, trailing dot, other case) is refused.
    """
    region = topic_region(topic_arn)
    host = arns.sns_host(region)
    if not url.startswith("https://"):
        raise InvalidCertURL("Invalid certificate URL: not https")
    authority, slash, path = url[len("https://") :].partition("/")
    if authority != host:
        raise InvalidCertURL(f"Invalid certificate URL: host is not {host}")
    match = _CERT_PATH.fullmatch(slash + path)
    if match is None:
        raise InvalidCertURL("Invalid certificate URL: path is not /SimpleNotificationService-<id>.pem")
    return match[1]


def check_cert_url(url: str, topic_arn: str) -> None:
    """Raise :class:`InvalidCertURL` (or :class:`InvalidMessage` for a bad ARN) unless ``url`` is valid."""
    cert_file_name(url, topic_arn)


# -- the verifier ---------------------------------------------------------------------------


class SnsVerifier:
    """Verify SNS envelopes; :meth:`verify` raises a :class:`~sesops.errors.VerificationError`.

    ``cert_dir`` pins certificates (looked up by the URL's file name; the network is then
    never used); otherwise ``fetcher(url) -> bytes`` (default :func:`fetch_certificate`) on a
    pool of its own, one fetch in flight per URL, a failure remembered for ``failure_ttl``
    seconds; ``fetch_wait`` (seconds; None: until the fetch ends) is how long :meth:`verify`
    waits for a fetch before raising :class:`CertificateUnavailable`, and
    ``max_fetches_per_minute`` (None: no bound; a receiver facing strangers uses
    :data:`~sesops.sns.certificates.MAX_FETCHES_PER_MINUTE`) caps new certificate URLs.
    ``clock() -> datetime`` (UTC; naive means UTC) judges certificate validity and ``max_age``
    (seconds or a timedelta): with it, a Timestamp older than that, more than ``max_skew``
    in the future, or unparseable is refused. ``allowed_topics`` (if given) is the exact set of
    TopicArns accepted. Parsed certificates are cached per URL; one verifier is safe to share
    between threads.
    """

    def __init__(
        self,
        *,
        cert_dir: str | Path | None = None,
        fetcher: Fetcher | None = None,
        clock: Clock | None = None,
        allow_expired: bool = False,
        allowed_topics: Iterable[str] | None = None,
        max_age: float | timedelta | None = None,
        max_skew: float | timedelta = MAX_CLOCK_SKEW,
        fetch_wait: float | None = None,
        max_fetches_per_minute: int | None = None,
        failure_ttl: float = FAILURE_TTL_SECONDS,
    ) -> None:
        self.cert_dir = Path(cert_dir) if cert_dir is not None else None
        self._fetcher: Fetcher = fetcher if fetcher is not None else fetch_certificate
        self._clock: Clock = clock if clock is not None else _utcnow
        self.allow_expired = allow_expired
        self.allowed_topics = frozenset(allowed_topics) if allowed_topics is not None else None
        self.max_age: timedelta | None = _as_timedelta(max_age) if max_age is not None else None
        self.max_skew: timedelta = _as_timedelta(max_skew)
        self.fetch_wait = fetch_wait
        self._cache: OrderedDict[str, Certificate] = OrderedDict()
        self._lock = threading.Lock()
        self._fetches = BoundedFetches(
            self._fetch_and_keep, per_minute=max_fetches_per_minute, failure_ttl=failure_ttl
        )

    def verify(self, message: Mapping[str, Any]) -> None:
        """Return if ``message`` is a genuine SNS message; else raise why not."""
        if not isinstance(message, Mapping):
            raise InvalidMessage("message is not a JSON object")
        envelope = normalize_keys(message)
        signed = canonical_string(envelope)  # checks Type and every signed key
        version = envelope.get("SignatureVersion")
        signature = _signature(envelope.get("Signature"))
        url = envelope.get("SigningCertURL")
        if not isinstance(url, str):
            raise InvalidMessage("missing SigningCertURL")
        if not isinstance(version, str) or version not in _HASHES:
            raise UnsupportedSignatureVersion(f"Unsupported SignatureVersion {version!r}")
        topic: str = envelope["TopicArn"]
        if self.allowed_topics is not None and topic not in self.allowed_topics:
            raise TopicNotAllowed(f"Topic not allowed: {topic}")
        now = self._now()
        if self.max_age is not None:
            self._check_age(envelope["Timestamp"], now, self.max_age)
        file_name = cert_file_name(url, topic)
        cert = self._certificate(url, file_name)
        if not self.allow_expired:
            if now < cert.not_before:
                raise CertificateError(f"Certificate not valid before {cert.not_before:%Y-%m-%dT%H:%M:%SZ}")
            if now > cert.not_after:
                raise CertificateError(f"Certificate expired at {cert.not_after:%Y-%m-%dT%H:%M:%SZ}")
        try:
            cert.public_key.verify(signature, signed, padding.PKCS1v15(), _HASHES[version]())
        except _CryptoInvalidSignature:
            raise InvalidSignature("Invalid signature") from None

    def _check_age(self, timestamp: str, now: datetime, max_age: timedelta) -> None:
        sent = parse_timestamp(timestamp)
        if now - sent > max_age:
            raise MessageTooOld(f"Message too old: sent {timestamp}")
        if sent - now > self.max_skew:
            raise MessageFromFuture(f"Message from the future: sent {timestamp}")

    def _now(self) -> datetime:
        now = self._clock()
        return now.replace(tzinfo=UTC) if now.tzinfo is None else now

    def _certificate(self, url: str, file_name: str) -> Certificate:
        with self._lock:
            cert = self._cache.get(url)
            if cert is not None:
                self._cache.move_to_end(url)
                return cert
        if self.cert_dir is not None:
            return self._keep(url, parse_certificate(_read_pinned(self.cert_dir, file_name)))
        # Off this thread and outside the lock: a slow network stalls neither verifications of
        # cached certificates nor, past fetch_wait, this one.
        return self._fetches.get(url, self.fetch_wait)

    def _fetch_and_keep(self, url: str) -> Certificate:
        return self._keep(url, parse_certificate(self._fetch(url)))

    def _keep(self, url: str, cert: Certificate) -> Certificate:
        with self._lock:
            self._cache[url] = cert
            while len(self._cache) > CACHE_SIZE:
                self._cache.popitem(last=False)
        return cert

    def _fetch(self, url: str) -> bytes:
        try:
            return self._fetcher(url)
        except (CertificateUnavailable, CertificateError):
            raise
        except Exception as err:  # an injected fetcher may raise anything: treat it as the network
            raise CertificateUnavailable(f"Certificate unavailable: {type(err).__name__}") from None


def _as_timedelta(value: float | timedelta) -> timedelta:
    return value if isinstance(value, timedelta) else timedelta(seconds=value)


def _read_pinned(cert_dir: Path, file_name: str) -> bytes:
    try:
        return (cert_dir / file_name).read_bytes()
    except FileNotFoundError:
        raise CertificateUnavailable(
            f"certificate {file_name} is not in the pinned directory {cert_dir}"
        ) from None
    except OSError as err:
        raise CertificateUnavailable(f"certificate {file_name}: cannot read ({err.strerror})") from None


def _signature(value: Any) -> bytes:
    if not isinstance(value, str) or not value:
        raise InvalidMessage("missing Signature")
    try:
        return base64.b64decode(value, validate=True)
    except (binascii.Error, ValueError):
        raise InvalidMessage("Signature is not base64") from None


def parse_timestamp(value: str) -> datetime:
    """Parse an SNS Timestamp (``2024-05-01T12:00:00.123Z``) strictly; raises :class:`InvalidMessage`."""
    match = _TIMESTAMP.fullmatch(value)
    if match is None:
        raise InvalidMessage("Invalid Timestamp")
    year, month, day, hour, minute, second, fraction = match.groups()
    try:
        return datetime(
            int(year),
            int(month),
            int(day),
            int(hour),
            int(minute),
            int(second),
            int((fraction or "0").ljust(6, "0")),
            tzinfo=UTC,
        )
    except ValueError:
        raise InvalidMessage("Invalid Timestamp") from None


def _utcnow() -> datetime:
    return datetime.now(UTC)
