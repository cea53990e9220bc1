"""Every documented failure is one line on stderr and an exit status, never a traceback:
2 usage or input, 3 AWS or network (``sesops --help`` lists them; so does the README)."""

from __future__ import annotations

import argparse
import os
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest
from botocore.exceptions import ClientError, EndpointConnectionError

from sesops.cli import EPILOG, main
from tests.conftest import ROOT, SAMPLES

TOPIC = "arn:aws:sns:us-east-1:123456789012:ses-feedback"
UNREACHABLE = "http://127.0.0.1:9"  # nothing listens on the discard port
SESOPS = Path(sys.executable).with_name("sesops")


def one_line_error(capsys: pytest.CaptureFixture[str], command: str) -> str:
    err = capsys.readouterr().err
    assert "Traceback" not in err
    assert err.count("\n") == 1 and err.startswith(f"sesops {command}: error: "), err
    return err


@pytest.fixture
def bad_store(tmp_path: Path) -> Path:
    path = tmp_path / "capture.sqlite"
    path.write_bytes(b"not an SQLite database, though named like one")
    return path


@pytest.mark.parametrize(
    ("argv", "says"),
    [
        (["load", "missing.jsonl"], "missing.jsonl: no such file"),
        (["verify", "missing.json"], "missing.json: no such file"),
        (["export", "--db", "missing.sqlite", "--out", "out.jsonl"], "no such capture store"),
        (["simulate", "--messages", "1", "--out", "o.jsonl", "--redelivery-rate", "2"], "between 0 and 1"),
        (["simulate", "--messages", "1", "--topic-arn", TOPIC, "--raw"], "apply to --out only"),
    ],
)
def test_a_missing_file_or_a_bad_option_exits_2(
    argv: list[str],
    says: str,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
) -> None:
    monkeypatch.chdir(tmp_path)
    assert main(argv) == 2
    assert says in one_line_error(capsys, argv[0])


@pytest.mark.parametrize(
    "argv",
    [
        ["load", "{store}"],
        ["export", "--db", "{store}", "--out", "out.jsonl"],
        ["drain", "--region", "us-east-1", "--queue", "q", "--db", "{store}", "--quiet"],
    ],
)
def test_an_unreadable_store_exits_2(
    argv: list[str], bad_store: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.chdir(bad_store.parent)
    assert main([arg.format(store=bad_store) for arg in argv]) == 2
    assert "is not a sesops capture store" in one_line_error(capsys, argv[0])


def test_an_output_path_under_a_file_exits_2(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    (tmp_path / "taken").write_text("a file, not a folder")
    source = SAMPLES / "logs" / "feedback-export.jsonl"
    assert main(["load", str(source), "--out", str(tmp_path / "taken" / "events.csv"), "--quiet"]) == 2
    assert "taken" in one_line_error(capsys, "load")


def test_an_unknown_profile_exits_3(capsys: pytest.CaptureFixture[str]) -> None:
    argv = ["simulate", "--messages", "1", "--topic-arn", TOPIC, "--profile", "nope"]
    assert main(argv) == 3
    assert "--profile nope: no such profile" in one_line_error(capsys, "simulate")


def test_no_credentials_exits_3(monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]) -> None:
    for name in ("AWS_ACCESS_KEY_ID", "AWS_SECRET_ACCESS_KEY"):
        monkeypatch.delenv(name)
    monkeypatch.setenv("AWS_EC2_METADATA_DISABLED", "true")
    assert main(["simulate", "--messages", "1", "--topic-arn", TOPIC]) == 3
    assert "no AWS credentials" in one_line_error(capsys, "simulate")


def test_an_unreachable_endpoint_exits_3(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.setenv("AWS_ENDPOINT_URL", UNREACHABLE)
    assert main(["status", "--region", "us-east-1"]) == 3
    assert UNREACHABLE in one_line_error(capsys, "status")


def run_sesops(*argv: str, env: dict[str, str] | None = None) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [SESOPS, *argv], capture_output=True, text=True, timeout=120, cwd=ROOT, env=env, check=False
    )


def test_the_real_command_prints_one_line_for_a_profile_a_store_and_an_endpoint(bad_store: Path) -> None:
    proc = run_sesops("status", "--region", "us-east-1", "--profile", "nope")
    assert (proc.returncode, proc.stderr.count("\n")) == (3, 1), proc.stderr
    assert proc.stderr.startswith("sesops status: error: --profile nope: no such profile")
    proc = run_sesops("drain", "--region", "us-east-1", "--queue", "q", "--db", str(bad_store))
    assert (proc.returncode, proc.stderr.count("\n")) == (2, 1), proc.stderr
    assert "is not a sesops capture store" in proc.stderr
    env = {**os.environ, "AWS_ENDPOINT_URL": UNREACHABLE}
    proc = run_sesops("simulate", "--messages", "1", "--topic-arn", TOPIC, env=env)
    assert (proc.returncode, proc.stderr.count("\n")) == (3, 1), proc.stderr
    assert "Traceback" not in proc.stderr and UNREACHABLE in proc.stderr


def failing_handler(err: BaseException) -> Any:
    def handler(args: argparse.Namespace) -> int:
        raise err

    return handler


@pytest.mark.parametrize(
    ("err", "status", "says"),
    [
        (EndpointConnectionError(endpoint_url=UNREACHABLE), 3, UNREACHABLE),
        (ClientError({"Error": {"Code": "AccessDenied", "Message": "no"}}, "Publish"), 3, "AccessDenied"),
        (ModuleNotFoundError("No module named 'pandas'", name="pandas"), 2, "pip install 'sesops[analysis]'"),
        (FileNotFoundError(2, "No such file or directory", "gone.jsonl"), 2, "gone.jsonl: No such file"),
    ],
)
def test_stray_library_errors_are_one_line_too(
    err: Exception,
    status: int,
    says: str,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
) -> None:
    """A safety net: sesops maps these itself where it calls boto3 or opens files."""
    monkeypatch.setattr("sesops.cli.export.run", failing_handler(err))
    assert main(["export", "--db", "x.sqlite", "--out", "x.jsonl"]) == status
    assert says in one_line_error(capsys, "export")


def test_a_stray_client_error_names_its_operation_not_a_made_up_service(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    """botocore names a ClientError's operation but not its service: "Publish", never "AWS:Publish"."""
    err = ClientError({"Error": {"Code": "AccessDenied", "Message": "no"}}, "Publish")
    monkeypatch.setattr("sesops.cli.export.run", failing_handler(err))
    assert main(["export", "--db", "x.sqlite", "--out", "x.jsonl"]) == 3
    assert one_line_error(capsys, "export").startswith("sesops export: error: Publish: AccessDenied: no. ")


@pytest.mark.parametrize(
    "err", [ModuleNotFoundError("No module named 'sesops.gone'", name="sesops.gone"), ValueError("a bug")]
)
def test_a_bug_keeps_its_traceback(err: Exception, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr("sesops.cli.export.run", failing_handler(err))
    with pytest.raises(type(err)):
        main(["export", "--db", "x.sqlite", "--out", "x.jsonl"])


def test_help_and_readme_document_the_exit_statuses() -> None:
    readme = (ROOT / "README.md").read_text()
    for status in ("0", "1", "2", "3"):
        assert f"\n  {status}  " in EPILOG
        assert f"`{status}`" in readme, f"README does not explain exit status {status}"
