"""SNS signing certificates: parse one PEM, fetch one over HTTPS, and bound the fetching.

:class:`BoundedFetches` runs fetches off the caller's thread on a small pool: one in flight per
URL, each GET within :data:`FETCH_TIMEOUT_SECONDS`, a failure remembered for
:data:`FAILURE_TTL_SECONDS`, and for a receiver at most :data:`MAX_FETCHES_PER_MINUTE` started
in any minute. A stranger who names a new certificate URL in every request (each passing the
SNS URL rule) then costs at most that many fetches a minute, and a receiver's only worker waits
for none of them longer than its caller asks.
"""

from __future__ import annotations

import threading
import time
from collections import deque
from collections.abc import Callable
from concurrent.futures import Future, ThreadPoolExecutor
from concurrent.futures import TimeoutError as FutureTimeout
from dataclasses import dataclass
from datetime import datetime
from typing import TYPE_CHECKING

from cryptography import x509
from cryptography.hazmat.primitives.asymmetric import rsa

from sesops.errors import CertificateError, CertificateUnavailable, VerificationError

if TYPE_CHECKING:
    import urllib3

DEFAULT_MAX_CERT_BYTES = 64 * 1024
FETCH_TIMEOUT_SECONDS = 2.5  # the whole GET; DNS aside, which the caller's wait bounds
MAX_FETCHES_PER_MINUTE = 10  # new certificate URLs fetched a minute (SNS rotates a few a year)
FAILURE_TTL_SECONDS = 60.0  # a failed fetch is answered from memory this long
FETCH_WORKERS = 2

_PEM_BEGIN = b"-----BEGIN CERTIFICATE-----"
_PEM_END = b"-----END CERTIFICATE-----"


@dataclass(frozen=True, slots=True)
class Certificate:
    """What verification needs of a signing certificate: its RSA key and validity period."""

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


def parse_certificate(data: bytes) -> Certificate:
    """One PEM body as a :class:`Certificate`; raises :class:`CertificateError` (not RSA, unparsable)."""
    cert = load_certificate(data)
    key = cert.public_key()
    if not isinstance(key, rsa.RSAPublicKey):
        raise CertificateError("Invalid certificate: key is not RSA")
    return Certificate(key, cert.not_valid_before_utc, cert.not_valid_after_utc)


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
            "GET",
            url,
            redirect=False,
            retries=False,
            timeout=urllib3.Timeout(total=timeout),
            preload_content=False,
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


# -- fetching, bounded ----------------------------------------------------------------------


class BoundedFetches:
    """Certificate fetches off the caller's thread: one in flight per URL, at most
    ``per_minute`` (None: any number) started in any minute, a failure remembered for
    ``failure_ttl`` seconds.

    ``load(url)`` fetches, parses and caches (it runs on the pool, so a result that arrives after
    its caller stopped waiting is still kept for the next message).
    """

    def __init__(
        self, load: Callable[[str], Certificate], *, per_minute: int | None, failure_ttl: float
    ) -> None:
        self._load = load
        self.per_minute = per_minute
        self.failure_ttl = failure_ttl
        self.timer: Callable[[], float] = time.monotonic
        self._lock = threading.Lock()
        self._in_flight: dict[str, Future[Certificate]] = {}
        self._failures: dict[str, tuple[float, VerificationError]] = {}
        self._started: deque[float] = deque()
        self._pool: ThreadPoolExecutor | None = None

    def get(self, url: str, wait: float | None) -> Certificate:
        future = self._future(url)
        try:
            return future.result(timeout=wait)
        except FutureTimeout:
            raise CertificateUnavailable("Certificate unavailable: still fetching it; retry later") from None

    def _future(self, url: str) -> Future[Certificate]:
        with self._lock:
            now = self.timer()
            failed = self._failures.get(url)
            if failed is not None and failed[0] > now:
                error = failed[1]
                raise type(error)(f"{error} (failed {self.failure_ttl:g} s ago or less; not retried yet)")
            future = self._in_flight.get(url)
            if future is not None:
                return future
            while self._started and self._started[0] <= now - 60:
                self._started.popleft()
            if self.per_minute is not None and len(self._started) >= self.per_minute:
                raise CertificateUnavailable(
                    f"Certificate unavailable: over {self.per_minute} new certificate URLs this minute; "
                    "retry later"
                )
            self._started.append(now)
            if self._pool is None:
                self._pool = ThreadPoolExecutor(FETCH_WORKERS, thread_name_prefix="sesops-cert-fetch")
            future = self._pool.submit(self._run, url)
            self._in_flight[url] = future
            return future

    def _run(self, url: str) -> Certificate:
        try:
            return self._load(url)
        except VerificationError as err:
            with self._lock:
                now = self.timer()
                self._failures = {u: f for u, f in self._failures.items() if f[0] > now}
                self._failures[url] = (now + self.failure_ttl, err)
            raise
        finally:
            with self._lock:
                self._in_flight.pop(url, None)
