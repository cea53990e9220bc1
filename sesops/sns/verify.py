"""SNS message signature verification: pure, except an injected certificate fetcher and clock.

Check order, cheapest and least trusting first, so that nothing a stranger sends makes us
fetch anything: shape (keys, types, base64) → SignatureVersion → topic allowlist → the
SigningCertURL rule → certificate (cache, pinned directory or fetcher) → certificate validity
→ signature → message age (last: a Timestamp means nothing until the signature vouches for it).

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
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import TYPE_CHECKING, Any

from cryptography import x509
from cryptography.exceptions import InvalidSignature as _CryptoInvalidSignature
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.asymmetric import padding, rsa

from sesops import arns
from sesops.errors import (
    CertificateError,
    CertificateUnavailable,
    InvalidCertURL,
    InvalidMessage,
    InvalidSignature,
    MessageTooOld,
    TopicNotAllowed,
    UnsupportedSignatureVersion,
)
from sesops.sns.message import canonical_string, normalize_keys, topic_region

if TYPE_CHECKING:
    import urllib3

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

DEFAULT_MAX_CERT_BYTES = 64 * 1024
FETCH_TIMEOUT_SECONDS = 5.0
CACHE_SIZE = 64

_HASHES: dict[str, type[hashes.HashAlgorithm]] = {"1": hashes.SHA1, "2": hashes.SHA256}
_CERT_PATH = re.compile(r"/(SimpleNotificationService-[A-Za-z0-9]+\.pem)", re.ASCII)
_TIMESTAMP = re.compile(
    r"([0-9]{4})-([0-9]{2})-([0-9]{2})T([0-9]{2}):([0-9]{2}):([0-9]{2})(?:\.([0-9]{1,6}))?Z", re.ASCII
)
_PEM_BEGIN = b"-----BEGIN CERTIFICATE-----"
_PEM_END = b"-----END CERTIFICATE-----"


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


# -- certificates ---------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class _Cert:
    public_key: rsa.RSAPublicKey
    not_before: datetime
    not_after: datetime


def load_certificate(data: bytes) -> x509.Certificate:
    """Parse a body that must be exactly one PEM certificate; raises :class:`CertificateError`."""
    body = data.strip()
    if not (body.startswith(_PEM_BEGIN) and body.endswith(_PEM_END)) or body.count(b"-----BEGIN") != 1:
        raise CertificateError("Invalid certificate: not exactly one PEM certificate")
    try:
        return x509.load_pem_x509_certificate(body)
    except ValueError:
        raise CertificateError("Invalid certificate: unparsable PEM") from None


def _parse(data: bytes) -> _Cert:
    cert = load_certificate(data)
    key = cert.public_key()
    if not isinstance(key, rsa.RSAPublicKey):
        raise CertificateError("Invalid certificate: key is not RSA")
    return _Cert(key, cert.not_valid_before_utc, cert.not_valid_after_utc)


_default_pool: urllib3.PoolManager | None = None
_default_pool_lock = threading.Lock()


def _pool() -> urllib3.PoolManager:
    global _default_pool
    with _default_pool_lock:
        if _default_pool is None:
            import urllib3

            try:
                import certifi

                ca_certs: str | None = certifi.where()
            except ImportError:  # pragma: no cover - certifi comes with requests/botocore
                ca_certs = None
            _default_pool = urllib3.PoolManager(cert_reqs="CERT_REQUIRED", ca_certs=ca_certs)
        return _default_pool


def fetch_certificate(
    url: str,
    *,
    pool: urllib3.PoolManager | None = None,
    max_bytes: int = DEFAULT_MAX_CERT_BYTES,
    timeout: float = FETCH_TIMEOUT_SECONDS,
) -> bytes:
    """GET ``url`` (TLS verified, no redirects, no retries) and return at most ``max_bytes``.

    This does not check the URL: callers check it first (:func:`check_cert_url`).
    Network failures and non-200 answers raise :class:`CertificateUnavailable`; an
    oversized body raises :class:`CertificateError`.
    """
    import urllib3

    http = pool if pool is not None else _pool()
    try:
        response = http.request(
            "GET", url, redirect=False, retries=False, timeout=timeout, preload_content=False
        )
    except (urllib3.exceptions.HTTPError, OSError) as err:
        raise CertificateUnavailable(f"Certificate unavailable: {type(err).__name__}") from None
    try:
        if response.status != 200:
            raise CertificateUnavailable(f"Certificate unavailable: HTTP {response.status}")
        try:
            body = response.read(max_bytes + 1)
        except (urllib3.exceptions.HTTPError, OSError) as err:
            raise CertificateUnavailable(f"Certificate unavailable: {type(err).__name__}") from None
        if len(body) > max_bytes:
            raise CertificateError(f"Invalid certificate: larger than {max_bytes} bytes")
        return bytes(body)
    finally:
        # Closing (not returning to the pool) also covers bodies we stopped reading.
        response.close()


# -- the verifier ---------------------------------------------------------------------------


class SnsVerifier:
    """Verify SNS envelopes; :meth:`verify` raises a :class:`~sesops.errors.VerificationError`.

    ``cert_dir`` pins certificates (looked up by the URL's file name; the network is then
    never used); otherwise ``fetcher(url) -> bytes`` (default :func:`fetch_certificate`).
    ``clock() -> datetime`` (UTC; naive means UTC) judges certificate validity and ``max_age``
    (seconds or a timedelta). ``allowed_topics`` (if given) is the exact set of TopicArns accepted.
    Parsed certificates are cached per URL; one verifier is safe to share between threads.
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
    ) -> None:
        self.cert_dir = Path(cert_dir) if cert_dir is not None else None
        self._fetcher: Fetcher = fetcher if fetcher is not None else fetch_certificate
        self._clock: Clock = clock if clock is not None else _utcnow
        self.allow_expired = allow_expired
        self.allowed_topics = frozenset(allowed_topics) if allowed_topics is not None else None
        if isinstance(max_age, int | float):
            max_age = timedelta(seconds=max_age)
        self.max_age: timedelta | None = max_age
        self._cache: OrderedDict[str, _Cert] = OrderedDict()
        self._lock = threading.Lock()

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
        file_name = cert_file_name(url, topic)
        cert = self._certificate(url, file_name)
        now = self._now()
        if not self.allow_expired:
            if now < cert.not_before:
                raise CertificateError(f"Certificate not valid before {cert.not_before:%Y-%m-%dT%H:%M:%SZ}")
            if now > cert.not_after:
                raise CertificateError(f"Certificate expired at {cert.not_after:%Y-%m-%dT%H:%M:%SZ}")
        try:
            cert.public_key.verify(signature, signed, padding.PKCS1v15(), _HASHES[version]())
        except _CryptoInvalidSignature:
            raise InvalidSignature("Invalid signature") from None
        if self.max_age is not None:
            sent = parse_timestamp(envelope["Timestamp"])
            if now - sent > self.max_age:
                raise MessageTooOld(f"Message too old: sent {envelope['Timestamp']}")

    def _now(self) -> datetime:
        now = self._clock()
        return now.replace(tzinfo=UTC) if now.tzinfo is None else now

    def _certificate(self, url: str, file_name: str) -> _Cert:
        with self._lock:
            cert = self._cache.get(url)
            if cert is not None:
                self._cache.move_to_end(url)
                return cert
        # Fetch outside the lock: a slow network must not stall verifications of cached certs.
        cert = _parse(
            _read_pinned(self.cert_dir, file_name) if self.cert_dir is not None else self._fetch(url)
        )
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
