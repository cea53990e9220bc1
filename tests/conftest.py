"""Shared fixtures. No test reaches real AWS unless it is marked ``integration`` and
SESOPS_INTEGRATION=1 is set: every other test runs with dummy credentials."""

from __future__ import annotations

import os
from collections.abc import Iterator
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
SAMPLES = ROOT / "sample_payloads"
DATA = Path(__file__).resolve().parent / "data"


def conformance_root() -> Path | None:
    """../shared/conformance beside the checkout (or $SESOPS_CONFORMANCE), when present."""
    configured = os.environ.get("SESOPS_CONFORMANCE")
    candidate = Path(configured) if configured else ROOT.parent / "shared" / "conformance"
    return candidate if candidate.is_dir() else None


@pytest.fixture
def conformance() -> Path:
    root = conformance_root()
    if root is None:
        pytest.skip("no conformance corpus (../shared/conformance or $SESOPS_CONFORMANCE)")
    return root


@pytest.fixture(autouse=True)
def _dummy_aws(
    request: pytest.FixtureRequest, monkeypatch: pytest.MonkeyPatch, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[None]:
    if request.node.get_closest_marker("integration"):
        if os.environ.get("SESOPS_INTEGRATION") != "1":
            pytest.skip("integration test: set SESOPS_INTEGRATION=1 and AWS credentials to run it")
        yield
        return
    empty = tmp_path_factory.getbasetemp() / "no-aws-config"
    empty.touch()
    for name in ("AWS_PROFILE", "AWS_SESSION_TOKEN", "AWS_SECURITY_TOKEN", "AWS_ENDPOINT_URL"):
        monkeypatch.delenv(name, raising=False)
    monkeypatch.setenv("AWS_ACCESS_KEY_ID", "testing")
    monkeypatch.setenv("AWS_SECRET_ACCESS_KEY", "testing")
    monkeypatch.setenv("AWS_DEFAULT_REGION", "us-east-1")
    monkeypatch.setenv("AWS_CONFIG_FILE", str(empty))
    monkeypatch.setenv("AWS_SHARED_CREDENTIALS_FILE", str(empty))
    yield
