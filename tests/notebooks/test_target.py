"""connect(): a profile, an endpoint, configured credentials, or the kernel's own sandbox."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from sesops.errors import AwsError, InputError
from sesops.notebook.target import CERT_DIR_VARIABLE, connect, kernel_sandbox, stop_kernel_sandbox

ENDPOINT = "http://127.0.0.1:4566"


@pytest.fixture
def aws_config(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    config = tmp_path / "config"
    config.write_text("[profile ops]\nregion = eu-west-2\n\n[profile bare]\noutput = json\n")
    monkeypatch.setenv("AWS_CONFIG_FILE", str(config))
    monkeypatch.delenv("AWS_DEFAULT_REGION")  # it would win over the profile's region, as in boto3
    return config


@pytest.fixture
def no_credentials(monkeypatch: pytest.MonkeyPatch) -> Iterator[None]:
    """Nothing for boto3's chain to find (not even an instance role), and no kernel sandbox left over."""
    for name in ("AWS_ACCESS_KEY_ID", "AWS_SECRET_ACCESS_KEY"):
        monkeypatch.delenv(name, raising=False)
    monkeypatch.setenv("AWS_EC2_METADATA_DISABLED", "true")
    stop_kernel_sandbox()
    yield
    stop_kernel_sandbox()


def test_profile_is_the_real_account_of_that_profile(aws_config: Path) -> None:
    target = connect(profile="ops")
    assert (target.kind, target.region, target.session.profile_name) == ("profile", "eu-west-2", "ops")
    assert "real AWS account of profile `ops`" in target.description
    assert not target.is_sandbox and target.sandbox is None
    assert target.session.client("sqs").meta.endpoint_url == "https://sqs.eu-west-2.amazonaws.com"


def test_profile_ignores_the_labs_sandbox_endpoint(aws_config: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("AWS_ENDPOINT_URL", ENDPOINT)
    target = connect(profile="ops", region="eu-west-1")
    assert target.region == "eu-west-1"
    assert target.session.client("sqs").meta.endpoint_url == "https://sqs.eu-west-1.amazonaws.com"
    assert "AWS_ENDPOINT_URL` ignored" in target.description


@pytest.mark.parametrize(
    ("profile", "match"),
    [
        ("nope", r"AWS profile 'nope' is not configured \(known: bare, ops\).*aws configure --profile"),
        ("bare", r"no AWS region: set region in the parameters cell \(or the region in the profile 'bare'\)"),
    ],
)
def test_profile_refusals(aws_config: Path, profile: str, match: str) -> None:
    with pytest.raises(InputError, match=match):
        connect(profile=profile)


def test_endpoint_is_used_with_the_environments_credentials(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("AWS_ENDPOINT_URL", ENDPOINT)
    target = connect(region="eu-central-1")
    assert (target.kind, target.region) == ("endpoint", "eu-central-1")
    assert target.session.client("sns").meta.endpoint_url == ENDPOINT
    assert f"the endpoint at {ENDPOINT}" in target.description
    assert not target.is_sandbox and target.verifier().cert_dir is None


def test_endpoint_of_make_lab_knows_the_sandbox_certificates(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    monkeypatch.setenv("AWS_ENDPOINT_URL", ENDPOINT)
    monkeypatch.setenv(CERT_DIR_VARIABLE, str(tmp_path))
    target = connect()
    assert target.is_sandbox and target.region == "us-east-1"  # AWS_DEFAULT_REGION
    assert f"the sandbox at {ENDPOINT}" in target.description
    assert target.verifier(("arn:aws:sns:us-east-1:123456789012:t",)).cert_dir == tmp_path


def test_configured_credentials_are_used() -> None:
    target = connect()  # conftest: dummy keys in the environment, AWS_DEFAULT_REGION=us-east-1
    assert (target.kind, target.region) == ("credentials", "us-east-1")
    assert target.session.get_credentials() is not None
    assert "configured credentials" in target.description and target.sandbox is None


def test_no_endpoint_no_credentials_starts_the_sandbox_once_per_kernel(no_credentials: None) -> None:
    first = connect()  # boto3's own chain finds nothing
    assert first.kind == "sandbox" and first.is_sandbox and first.sandbox is not None
    assert "started the **embedded sandbox**" in first.description
    assert first.session.client("sqs").meta.endpoint_url == first.sandbox.endpoint
    first.session.client("sqs").create_queue(QueueName="kept")

    again = connect(region="eu-west-1")  # the cell runs again: same sandbox, same state
    assert again.sandbox is first.sandbox and kernel_sandbox() is first.sandbox
    assert "reusing the **embedded sandbox**" in again.description
    assert again.region == "eu-west-1"
    urls = first.session.client("sqs").list_queues().get("QueueUrls", [])
    assert any(url.endswith("/kept") for url in urls)
    assert again.verifier().cert_dir == first.sandbox.cert_dir


def test_an_unknown_aws_profile_in_the_environment_is_named(
    aws_config: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("AWS_PROFILE", "gone")
    with pytest.raises(
        AwsError, match=r"gone: no such profile in your AWS config \(the profiles there: bare, ops\)"
    ):
        connect()


def test_injected_credential_finder_decides(no_credentials: None) -> None:
    assert connect(find_credentials=lambda: True, region="us-west-2").kind == "credentials"
    target = connect(find_credentials=lambda: False)
    assert target.kind == "sandbox" and target.region == "us-east-1"


def test_stopping_the_kernel_sandbox_lets_the_next_connect_start_anew(no_credentials: None) -> None:
    first = connect().sandbox
    stop_kernel_sandbox()
    second = connect().sandbox
    assert first is not None and second is not None and second is not first
