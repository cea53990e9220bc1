"""``sesops verify``: one line per message, exit 0/1/2, never a traceback."""

from __future__ import annotations

import gzip
import json
import subprocess
import sys
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest

from sesops.cli import main
from sesops.sns.signing import SigningAuthority

TOPIC = "arn:aws:sns:us-east-1:123456789012:ses-feedback"


def signed(authority: SigningAuthority, **kwargs: Any) -> dict[str, Any]:
    return authority.notification(TOPIC, '{"notificationType":"Bounce"}', **kwargs)


def run(capsys: pytest.CaptureFixture[str], *argv: str | Path) -> tuple[int, list[str], str]:
    code = main(["verify", *map(str, argv)])
    out, err = capsys.readouterr()
    return code, out.splitlines(), err


def test_single_object_valid(
    authority: SigningAuthority, cert_dir: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    path = tmp_path / "one.json"
    path.write_text(json.dumps(signed(authority)))
    assert run(capsys, path, "--cert-dir", cert_dir) == (0, [f"{path}: valid"], "")


def test_array_with_tampered_message(
    authority: SigningAuthority, cert_dir: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    tampered = signed(authority)
    tampered["Message"] = "{}"
    path = tmp_path / "two.json"
    path.write_text(json.dumps([signed(authority), tampered]))
    code, lines, _ = run(capsys, path, "--cert-dir", cert_dir)
    assert code == 1
    assert lines == [f"{path}:1: valid", f"{path}:2: invalid: Invalid signature"]


def test_jsonl_with_bad_lines_and_nbsp(
    authority: SigningAuthority, cert_dir: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    pasted = json.dumps(signed(authority)).replace('", "', '",\u00a0"')
    path = tmp_path / "feed.jsonl"
    path.write_text(
        "\n".join([json.dumps(signed(authority)), "{not json", "", pasted, '"just a string"', "[1]"]) + "\n"
    )
    code, lines, err = run(capsys, path, "--cert-dir", cert_dir)
    assert code == 1
    assert err == ""
    assert lines[0] == f"{path}:1: valid"
    assert lines[1].startswith(f"{path}:2: invalid: not JSON")
    assert lines[2:] == [
        f"{path}:4: valid",
        f"{path}:5: invalid: message is not a JSON object",
        f"{path}:6: invalid: message is not a JSON object",
    ]


def test_gzip_and_directories(
    authority: SigningAuthority, cert_dir: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    folder = tmp_path / "in"
    folder.mkdir()
    (folder / "a.json.gz").write_bytes(gzip.compress(json.dumps(signed(authority)).encode()))
    (folder / "b.jsonl").write_text(json.dumps(signed(authority, version="1")) + "\n")
    code, lines, _ = run(capsys, folder, "--cert-dir", cert_dir)
    assert (code, lines) == (0, [f"{folder / 'a.json.gz'}: valid", f"{folder / 'b.jsonl'}: valid"])


def test_options_reach_the_verifier(
    authority: SigningAuthority, cert_dir: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    path = tmp_path / "old.json"
    path.write_text(json.dumps(signed(authority, timestamp=datetime.now(UTC) - timedelta(hours=2))))
    assert run(capsys, path, "--cert-dir", cert_dir, "--max-age", "7300")[0] == 0
    assert run(capsys, path, "--cert-dir", cert_dir, "--max-age", "3h")[0] == 0  # as serve takes it
    code, lines, _ = run(capsys, path, "--cert-dir", cert_dir, "--max-age", "1m")
    assert code == 1 and lines[0].startswith(f"{path}: invalid: Message too old: sent ")
    code, lines, _ = run(capsys, path, "--cert-dir", cert_dir, "--allow-topic", "arn:aws:sns:us-east-1:1:x")
    assert (code, lines) == (1, [f"{path}: invalid: Topic not allowed: {TOPIC}"])
    code, _, _ = run(capsys, path, "--cert-dir", cert_dir, "--allow-topic", "arn:x", "--allow-topic", TOPIC)
    assert code == 0


def test_expired_certificate_needs_allow_expired(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    old = SigningAuthority.generate(not_before=datetime(2020, 1, 1, tzinfo=UTC), valid_days=1, key_size=1024)
    pinned = old.write_cert_dir(tmp_path / "certs")
    path = tmp_path / "m.json"
    path.write_text(json.dumps(old.notification(TOPIC, "x")))
    code, lines, _ = run(capsys, path, "--cert-dir", pinned)
    assert (code, lines) == (1, [f"{path}: invalid: Certificate expired at 2020-01-02T00:00:00Z"])
    assert run(capsys, path, "--cert-dir", pinned, "--allow-expired")[:2] == (0, [f"{path}: valid"])


def test_certificate_not_pinned(
    authority: SigningAuthority, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    empty = tmp_path / "empty"
    empty.mkdir()
    path = tmp_path / "m.json"
    path.write_text(json.dumps(signed(authority)))
    code, lines, _ = run(capsys, path, "--cert-dir", empty)
    assert code == 1
    assert lines == [
        f"{path}: invalid: certificate {authority.file_name} is not in the pinned directory {empty}"
    ]


def test_empty_file_is_a_problem(cert_dir: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    path = tmp_path / "empty.json"
    path.write_text("  \n")
    assert run(capsys, path, "--cert-dir", cert_dir)[:2] == (1, [f"{path}: invalid: no messages"])


@pytest.mark.parametrize(
    ("argv", "message"),
    [
        (["missing.json"], "no such file or directory"),
        (["x.json", "--cert-dir", "nowhere"], "--cert-dir nowhere: not a directory"),
    ],
)
def test_usage_errors_exit_2(
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
    argv: list[str],
    message: str,
) -> None:
    monkeypatch.chdir(tmp_path)
    (tmp_path / "x.json").write_text("{}")
    code, lines, err = run(capsys, *argv)
    assert (code, lines) == (2, [])
    assert err.startswith("sesops verify: error: ") and message in err


@pytest.mark.parametrize("value", ["abc", "0", "-5", "2x", "h"])
def test_bad_max_age_is_a_usage_error(value: str, capsys: pytest.CaptureFixture[str]) -> None:
    with pytest.raises(SystemExit) as info:
        main(["verify", "x.json", "--max-age", value])
    assert info.value.code == 2
    assert "--max-age" in capsys.readouterr().err


def test_installed_command(authority: SigningAuthority, cert_dir: Path, tmp_path: Path) -> None:
    script = Path(sys.executable).with_name("sesops")
    if not script.exists():
        pytest.skip(f"{script} not installed (pip install -e .)")
    good, bad = tmp_path / "good.json", tmp_path / "bad.json"
    good.write_text(json.dumps(signed(authority)))
    bad.write_text(json.dumps({**signed(authority), "Signature": "AAAA"}))
    result = subprocess.run(
        [str(script), "verify", str(good), str(bad), "--cert-dir", str(cert_dir)],
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )
    assert result.returncode == 1, result.stderr
    assert result.stdout.splitlines() == [f"{good}: valid", f"{bad}: invalid: Invalid signature"]
    assert result.stderr == ""
