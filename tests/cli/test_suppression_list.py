"""``sesops suppression-list``: pull, diff, push and remove against the sandbox, and their failures
as one line and an exit status (0 ok, 1 differences, 2 usage, 3 AWS)."""

from __future__ import annotations

import json
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import boto3
import pytest

from sesops.aws import pacing
from sesops.cli import main
from sesops.cli import suppression_list as cli
from sesops.sandbox.server import Sandbox, dummy_session, mocked
from tests.payloads import bounce, complaint
from tests.sandbox_helpers import closed_port

ROOT = Path(__file__).resolve().parents[2]
REGION = ["--region", "us-east-1"]


@pytest.fixture
def aws() -> Iterator[boto3.Session]:
    """moto in-process with the sandbox's patches: the CLI's own boto3 sessions land in it."""
    with mocked():
        yield dummy_session()


def held(session: boto3.Session) -> dict[str, str]:
    page = session.client("sesv2").list_suppressed_destinations()
    return {s["EmailAddress"]: s["Reason"] for s in page["SuppressedDestinationSummaries"]}


def put(session: boto3.Session, *entries: tuple[str, str]) -> None:
    for email, reason in entries:
        session.client("sesv2").put_suppressed_destination(EmailAddress=email, Reason=reason)


def canonical(tmp_path: Path, *rows: str) -> Path:
    path = tmp_path / "suppress.csv"
    path.write_text("email,reason,category\n" + "".join(f"{row}\n" for row in rows))
    return path


def feedback(tmp_path: Path) -> Path:
    """Exported feedback: a hard bounce and a complaint (the policy suppresses both)."""
    path = tmp_path / "exported.jsonl"
    lines = [bounce("hard@example.org"), complaint("angry@example.org")]
    path.write_text("".join(json.dumps(line) + "\n" for line in lines))
    return path


# -- pull ----------------------------------------------------------------------------------------


def test_pull_writes_what_ses_holds(
    aws: boto3.Session, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    put(aws, ("a@x.com", "BOUNCE"), ("b@x.com", "COMPLAINT"), ("-dash@x.com", "BOUNCE"))
    out = tmp_path / "held.csv"
    assert main(["suppression-list", "pull", *REGION, "--out", str(out)]) == 0
    assert capsys.readouterr().out == (
        f"3 addresses on the SES suppression list (2 BOUNCE, 1 COMPLAINT): wrote {out}\n"
    )
    lines = out.read_text().splitlines()
    assert lines[0] == "email,reason,last_update"
    assert sorted(line.rsplit(",", 1)[0] for line in lines[1:]) == [
        "'-dash@x.com,BOUNCE",
        "a@x.com,BOUNCE",
        "b@x.com,COMPLAINT",
    ]
    assert main(["suppression-list", "pull", *REGION, "--reason", "COMPLAINT"]) == 0
    captured = capsys.readouterr()
    assert captured.out.splitlines()[1].startswith("b@x.com,COMPLAINT,20")
    assert "1 addresses on the SES suppression list (0 BOUNCE, 1 COMPLAINT)" in captured.err


# -- diff and push ---------------------------------------------------------------------------------


def test_diff_then_push_brings_ses_in_line_with_the_policy(
    aws: boto3.Session, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    put(aws, ("angry@example.org", "BOUNCE"), ("stale@example.org", "BOUNCE"))
    sources = [
        str(feedback(tmp_path)),
        str(canonical(tmp_path, "listed@example.org,hard_bounce,hard_bounce")),
    ]
    assert main(["suppression-list", "diff", *sources, *REGION]) == 1
    out = capsys.readouterr().out
    assert "  + hard@example.org  BOUNCE  (to add)" in out
    assert "  + listed@example.org  BOUNCE  (to add)" in out
    assert "  ~ angry@example.org  COMPLAINT  (BOUNCE -> COMPLAINT)" in out
    assert "    stale@example.org  BOUNCE  (only in SES, kept)" in out
    assert "2 to add, 1 to raise to COMPLAINT, 1 only in SES (kept; --prune removes them), 0 agreeing" in out

    assert main(["suppression-list", "push", *sources, *REGION, "--dry-run"]) == 0
    assert "dry run: nothing changed." in capsys.readouterr().out
    assert held(aws) == {"angry@example.org": "BOUNCE", "stale@example.org": "BOUNCE"}

    assert main(["suppression-list", "push", *sources, *REGION, "--prune", "--rate", "1000"]) == 0
    out = capsys.readouterr().out
    assert "added 3 (PutSuppressedDestination)." in out and "removed 1 (DeleteSuppressedDestination)." in out
    assert held(aws) == {
        "hard@example.org": "BOUNCE",
        "listed@example.org": "BOUNCE",
        "angry@example.org": "COMPLAINT",
    }

    assert main(["suppression-list", "diff", *sources, *REGION, "--prune"]) == 0
    assert "0 to add, 0 to raise to COMPLAINT, 3 agreeing — in line with SES." in capsys.readouterr().out
    assert main(["suppression-list", "push", *sources, *REGION]) == 0
    assert "nothing to change." in capsys.readouterr().out


def test_a_soft_bounce_threshold_of_zero_keeps_soft_bounces_off_the_list(
    aws: boto3.Session, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    path = tmp_path / "soft.jsonl"
    days = ["2026-11-01", "2026-11-02", "2026-11-03"]
    soft = [
        bounce(
            "full@example.org",
            bounce_type="Transient",
            subtype="MailboxFull",
            status="4.2.2",
            feedback_id=f"s{i}",
        )
        for i in range(3)
    ]
    for day, line in zip(days, soft, strict=True):
        line["bounce"]["timestamp"] = f"{day}T10:00:00.000Z"
        line["mail"]["messageId"] = f"m-{day}"
    path.write_text("".join(json.dumps(line) + "\n" for line in soft))
    assert main(["suppression-list", "diff", str(path), *REGION, "--soft-bounce-threshold", "3"]) == 1
    assert "+ full@example.org  BOUNCE" in capsys.readouterr().out
    assert main(["suppression-list", "diff", str(path), *REGION, "--soft-bounce-threshold", "0"]) == 0


def test_a_large_push_goes_through_an_import_job(
    aws: boto3.Session, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    aws.client("s3").create_bucket(Bucket="sesops-imports")
    source = str(canonical(tmp_path, *(f"u{i}@example.org,complaint" for i in range(5))))
    argv = ["suppression-list", "push", source, *REGION, "--import-above", "3", "--poll-seconds", "0"]
    assert main(argv) == 2
    assert (
        "5 changes: past --import-above 3 they go through an S3 import job; pass --bucket NAME"
        in capsys.readouterr().err
    )
    assert held(aws) == {}
    assert main([*argv, "--bucket", "sesops-imports"]) == 0
    assert ": 5 applied." in capsys.readouterr().out
    assert len(held(aws)) == 5 and set(held(aws).values()) == {"COMPLAINT"}


def test_prune_refuses_to_empty_the_list_from_an_empty_source(
    aws: boto3.Session, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    put(aws, ("a@x.com", "BOUNCE"))
    assert main(["suppression-list", "push", str(canonical(tmp_path)), *REGION, "--prune"]) == 2
    assert (
        "--prune with lists that name no address would remove all 1 addresses SES holds"
        in capsys.readouterr().err
    )
    assert held(aws) == {"a@x.com": "BOUNCE"}


# -- remove ----------------------------------------------------------------------------------------


def test_remove_takes_addresses_off_and_names_those_that_were_not_on(
    aws: boto3.Session, capsys: pytest.CaptureFixture[str]
) -> None:
    put(aws, ("a@x.com", "BOUNCE"), ("b@x.com", "COMPLAINT"))
    assert main(["suppression-list", "remove", " A@X.com", "nobody@x.com", *REGION, "--dry-run"]) == 0
    out = capsys.readouterr().out
    assert "  - a@x.com  BOUNCE" in out and "nobody@x.com  (not on the list)" in out and "dry run" in out
    assert main(["suppression-list", "remove", "a@x.com", "nobody@x.com", *REGION, "--rate", "1000"]) == 0
    assert "1 removed, 1 not on the list." in capsys.readouterr().out
    assert held(aws) == {"b@x.com": "COMPLAINT"}


# -- failures: one line, an exit status --------------------------------------------------------


@pytest.mark.parametrize(
    ("argv", "status", "message"),
    [
        (
            ["suppression-list", "remove", "not-an-address", *REGION],
            2,
            "'not-an-address' is not an email address",
        ),
        (["suppression-list", "diff", "missing.csv", *REGION], 2, "missing.csv: No such file or directory"),
        (
            ["suppression-list", "push", "{bad}", *REGION, "--rate", "0"],
            2,
            "--rate 0: give a positive number",
        ),
        (
            ["suppression-list", "push", "{bad}", *REGION, "--import-above", "-1"],
            2,
            "--import-above -1: use 0 or more",
        ),
        (["suppression-list", "diff", "{bad}", *REGION, "--show", "-2"], 2, "--show -2: use 0 or more"),
        (
            ["suppression-list", "diff", "{bad}", *REGION, "--window-days", "0"],
            2,
            "--window-days 0: use 1 or more",
        ),
    ],
)
def test_usage_errors_are_one_line(
    aws: boto3.Session,
    tmp_path: Path,
    argv: list[str],
    status: int,
    message: str,
    capsys: pytest.CaptureFixture[str],
) -> None:
    bad = canonical(tmp_path, "a@x.com,hard_bounce,x")
    argv = [str(bad) if arg == "{bad}" else arg for arg in argv]
    assert main(argv) == status
    err = capsys.readouterr().err
    assert err.startswith("sesops suppression-list: error: ") and message in err and err.count("\n") == 1


def test_an_action_is_required(capsys: pytest.CaptureFixture[str]) -> None:
    with pytest.raises(SystemExit) as exit_info:
        main(["suppression-list"])
    assert exit_info.value.code == 2
    assert "the following arguments are required: ACTION" in capsys.readouterr().err


def test_a_bad_list_names_its_line(
    aws: boto3.Session, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    source = canonical(tmp_path, "a@x.com,hard_bounce,x", "b@x.com,maybe,x")
    assert main(["suppression-list", "diff", str(source), *REGION]) == 2
    assert (
        capsys.readouterr().err
        == f"sesops suppression-list: error: {source}:3: reason 'maybe' is not one of hard_bounce, soft_bounce_threshold, bounce, complaint, BOUNCE, COMPLAINT\n"
    )


def test_an_unreachable_endpoint_is_an_aws_failure(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.setenv("AWS_ENDPOINT_URL", f"http://127.0.0.1:{closed_port()}")
    monkeypatch.setenv("AWS_MAX_ATTEMPTS", "1")
    assert main(["suppression-list", "pull", *REGION]) == 3
    err = capsys.readouterr().err
    assert err.startswith("sesops suppression-list: error: ses:ListSuppressedDestinations: Could not connect")
    assert "The endpoint is unreachable" in err and err.count("\n") == 1


def test_the_cli_default_rate_is_the_pacers() -> None:
    assert cli.DEFAULT_RATE == pacing.DEFAULT_RATE


def test_help_loads_neither_boto3_nor_pandas() -> None:
    code = (
        "import contextlib, io, sys\nfrom sesops.cli import main\n"
        "for argv in (['suppression-list', '--help'], ['suppression-list', 'push', '--help'], ['reconcile', '--help']):\n"
        "    with contextlib.redirect_stdout(io.StringIO()), contextlib.suppress(SystemExit):\n"
        "        main(argv)\n"
        "print(sorted({m.partition('.')[0] for m in sys.modules} & {'boto3', 'botocore', 'pandas', 'moto'}))\n"
    )
    proc = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, timeout=60, cwd=ROOT, check=False
    )
    assert proc.returncode == 0, proc.stderr
    assert proc.stdout.strip() == "[]"


# -- the "done when", through the sandbox server --------------------------------------------


def test_diff_then_push_on_the_sandbox_server(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    with Sandbox(port=0) as sandbox:
        monkeypatch.setenv("AWS_ENDPOINT_URL", sandbox.endpoint)
        source = str(feedback(tmp_path))
        assert main(["suppression-list", "diff", source, *REGION]) == 1
        assert main(["suppression-list", "push", source, *REGION, "--rate", "1000"]) == 0
        assert main(["suppression-list", "diff", source, *REGION]) == 0
        assert held(sandbox.session()) == {"hard@example.org": "BOUNCE", "angry@example.org": "COMPLAINT"}
    assert "in line with SES" in capsys.readouterr().out
