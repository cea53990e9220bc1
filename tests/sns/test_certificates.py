"""Certificate fetches are bounded: one in flight per URL, a few new URLs a minute, failures
remembered briefly, and a caller waits no longer than it asks."""

from __future__ import annotations

import threading
import time
from datetime import UTC, datetime, timedelta

import pytest

from sesops.errors import CertificateError, CertificateUnavailable
from sesops.sns.certificates import BoundedFetches, Certificate, parse_certificate
from sesops.sns.signing import SigningAuthority
from sesops.sns.verify import SnsVerifier

NOW = datetime(2024, 5, 1, 12, 0, 0, tzinfo=UTC)
TOPIC = "arn:aws:sns:us-east-1:123456789012:ses-feedback"


@pytest.fixture(scope="module")
def authority() -> SigningAuthority:
    return SigningAuthority.generate(not_before=NOW - timedelta(days=30))


class Loader:
    """A certificate loader that counts calls, can be held, and can fail."""

    def __init__(self, cert: Certificate, error: Exception | None = None) -> None:
        self.cert = cert
        self.error = error
        self.urls: list[str] = []
        self.release = threading.Event()
        self.release.set()

    def __call__(self, url: str) -> Certificate:
        self.urls.append(url)
        self.release.wait(10)
        if self.error is not None:
            raise self.error
        return self.cert


class Clock:
    def __init__(self) -> None:
        self.now = 1000.0

    def __call__(self) -> float:
        return self.now


def fetches(loader: Loader, per_minute: int = 10, failure_ttl: float = 60.0) -> tuple[BoundedFetches, Clock]:
    bounded = BoundedFetches(loader, per_minute=per_minute, failure_ttl=failure_ttl)
    clock = Clock()
    bounded.timer = clock
    return bounded, clock


def test_a_slow_fetch_is_waited_for_only_as_long_as_asked(authority: SigningAuthority) -> None:
    loader = Loader(parse_certificate(authority.cert_pem))
    loader.release.clear()
    bounded, _ = fetches(loader)
    started = time.monotonic()
    for _ in range(3):  # the same URL again while in flight: no second fetch
        with pytest.raises(CertificateUnavailable, match="still fetching it; retry later"):
            bounded.get("https://a/x.pem", wait=0.05)
    assert time.monotonic() - started < 1.0
    assert loader.urls == ["https://a/x.pem"]
    loader.release.set()
    assert bounded.get("https://a/x.pem", wait=5) is loader.cert


def test_new_urls_are_limited_per_minute(authority: SigningAuthority) -> None:
    loader = Loader(parse_certificate(authority.cert_pem))
    bounded, clock = fetches(loader, per_minute=3)
    for n in range(3):
        bounded.get(f"https://a/{n}.pem", wait=5)
    with pytest.raises(CertificateUnavailable, match="over 3 new certificate URLs this minute"):
        bounded.get("https://a/3.pem", wait=5)
    clock.now += 61
    bounded.get("https://a/3.pem", wait=5)
    assert len(loader.urls) == 4


@pytest.mark.parametrize(
    "error", [CertificateUnavailable("Certificate unavailable: HTTP 404"), CertificateError("x")]
)
def test_a_failure_is_remembered_then_retried(authority: SigningAuthority, error: Exception) -> None:
    loader = Loader(parse_certificate(authority.cert_pem), error=error)
    bounded, clock = fetches(loader, failure_ttl=60)
    for _ in range(2):
        with pytest.raises(type(error), match=str(error)):
            bounded.get("https://a/x.pem", wait=5)
    assert len(loader.urls) == 1
    clock.now += 61
    loader.error = None
    assert bounded.get("https://a/x.pem", wait=5) is loader.cert
    assert len(loader.urls) == 2


def test_a_fetch_that_outlives_its_caller_is_kept_for_the_next_message(authority: SigningAuthority) -> None:
    release = threading.Event()
    urls: list[str] = []

    def slow(url: str) -> bytes:
        urls.append(url)
        release.wait(10)
        return authority.cert_pem

    verifier = SnsVerifier(fetcher=slow, clock=lambda: NOW, fetch_wait=0.1)
    message = authority.notification(TOPIC, "x", timestamp=NOW)
    with pytest.raises(CertificateUnavailable, match="retry later"):
        verifier.verify(message)  # the receiver answers 503; SNS retries
    release.set()
    deadline = time.monotonic() + 5
    while True:
        try:
            verifier.verify(message)
            break
        except CertificateUnavailable:
            assert time.monotonic() < deadline
            time.sleep(0.02)
    assert len(urls) == 1
