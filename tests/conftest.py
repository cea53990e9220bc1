"""Shared fixtures. No test reaches real AWS unless it is marked ``integration`` and
SESOPS_INTEGRATION=1 is set: every other test runs with dummy credentials."""

from __future__ import annotations

import os
from collections.abc import Iterator
from pathlib import Path

import pytest

from sesops.sns.signing import SigningAuthority

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


@pytest.fixture(scope="session")
def authority() -> SigningAuthority:
    """A throwaway SNS signing authority (key and certificate), shared by the signing tests."""
    return SigningAuthority.generate()


@pytest.fixture(scope="session")
def cert_dir(authority: SigningAuthority, tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The authority's certificate pinned in a --cert-dir."""
    return authority.write_cert_dir(tmp_path_factory.mktemp("certs"))


@pytest.fixture(scope="session")
def postgres_server() -> Iterator[str]:
    """The URL of a PostgreSQL server for the tests: $SESOPS_TEST_POSTGRES_URL, else a throwaway one
    started once per session (skips only when no PostgreSQL binaries are installed)."""
    configured = os.environ.get("SESOPS_TEST_POSTGRES_URL")
    if configured:
        yield configured
        return
    from tests.pg_server import ThrowawayPostgres, find_bin

    bin_dir = find_bin()
    if bin_dir is None:
        pytest.skip("no PostgreSQL server: install Debian's postgresql or set SESOPS_TEST_POSTGRES_URL")
    server = ThrowawayPostgres(bin_dir)
    try:
        url = server.start()
    except (RuntimeError, KeyError, OSError) as err:  # e.g. root without a postgres user to run it as
        server.stop()
        pytest.skip(f"cannot start a throwaway PostgreSQL server: {err}")
    try:
        yield url
    finally:
        server.stop()


@pytest.fixture
def postgres_url(postgres_server: str) -> str:
    """A fresh, empty schema of the test server (its own search_path), one per test."""
    from tests.pg_server import fresh_schema_url

    return fresh_schema_url(postgres_server)


@pytest.fixture(params=["sqlite", "postgresql"])
def store_url(request: pytest.FixtureRequest, tmp_path: Path) -> str:
    """A new capture store location on each backend: a SQLite path, then a PostgreSQL schema."""
    if request.param == "sqlite":
        return str(tmp_path / "capture.sqlite")
    return str(request.getfixturevalue("postgres_url"))


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
