"""Real AWS-signed SNS envelopes from ../shared/conformance (skipped when the corpus is absent)."""

from __future__ import annotations

import json
import os
from pathlib import Path
from typing import Any

import pytest

from sesops.errors import CertificateError, CertificateUnavailable, InvalidSignature
from sesops.sns.verify import SnsVerifier


def _corpus() -> Path:
    configured = os.environ.get("SESOPS_CONFORMANCE")
    return Path(configured) if configured else Path(__file__).resolve().parents[3] / "shared" / "conformance"


CORPUS = _corpus()
EXPECTED_FILE = CORPUS / "expected_signatures.json"
EXPECTED: dict[str, bool | None] = (
    json.loads(EXPECTED_FILE.read_text())["signature_valid"] if EXPECTED_FILE.is_file() else {}
)
pytestmark = pytest.mark.skipif(
    not EXPECTED, reason=f"conformance corpus not found at {CORPUS} (set SESOPS_CONFORMANCE)"
)


def _never_fetch(url: str) -> bytes:
    raise AssertionError(f"fetched {url}")


@pytest.fixture(scope="module")
def verifier() -> SnsVerifier:
    return SnsVerifier(cert_dir=CORPUS / "certs", allow_expired=True, fetcher=_never_fetch)


def test_every_signed_file_has_an_expectation() -> None:
    assert sorted(p.name for p in (CORPUS / "signed").glob("*.json")) == sorted(EXPECTED)


@pytest.mark.parametrize("name", sorted(EXPECTED))
def test_signed_envelope(verifier: SnsVerifier, name: str) -> None:
    message: dict[str, Any] = json.loads((CORPUS / "signed" / name).read_text())
    expected = EXPECTED[name]
    if expected is True:
        verifier.verify(message)
    elif expected is False:
        with pytest.raises(InvalidSignature):
            verifier.verify(message)
    else:
        with pytest.raises(CertificateUnavailable, match="is not in the pinned directory"):
            verifier.verify(message)


def test_real_certificates_are_expired_without_allow_expired() -> None:
    name = next(n for n, ok in sorted(EXPECTED.items()) if ok)
    message = json.loads((CORPUS / "signed" / name).read_text())
    strict = SnsVerifier(cert_dir=CORPUS / "certs", fetcher=_never_fetch)
    with pytest.raises(CertificateError, match="Certificate expired"):
        strict.verify(message)
