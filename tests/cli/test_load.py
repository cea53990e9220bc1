"""`sesops load`: summary, outputs by suffix, exit codes, one-line errors."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pandas as pd
import pytest

from sesops.cli import main
from tests.payloads import bounce, complaint, delivery, envelope


@pytest.fixture
def log(tmp_path: Path) -> Path:
    lines = [
        envelope(bounce("a@x.org", "b@x.org"), message_id="1"),
        envelope(bounce("a@x.org", "b@x.org"), message_id="1"),
        envelope(delivery("c@x.org"), message_id="2"),
        complaint("d@x.org"),
        {"Type": "SubscriptionConfirmation", "MessageId": "3", "Token": "t"},
    ]
    path = tmp_path / "log.jsonl"
    path.write_text("\n".join(json.dumps(x) for x in lines) + "\nnot json\n")
    return path


@pytest.mark.parametrize("suffix", [".csv", ".jsonl", ".parquet"])
def test_load_writes_table_and_summary(
    log: Path, tmp_path: Path, suffix: str, capsys: pytest.CaptureFixture[str]
) -> None:
    out = tmp_path / f"events{suffix}"
    assert main(["load", str(log), "--out", str(out), "--quiet"]) == 0
    text = capsys.readouterr().out
    assert "4 event rows from 5 messages" in text
    assert "hard_bounce" in text and "complaint" in text
    assert "control messages (no rows): SubscriptionConfirmation 1" in text
    assert "duplicates dropped: 2" in text
    assert "rejected records: 1" in text and f"{log}:6: not JSON" in text
    frame = {
        ".csv": pd.read_csv,
        ".jsonl": lambda p: pd.read_json(p, lines=True),
        ".parquet": pd.read_parquet,
    }[suffix](out)
    assert sorted(frame["email"]) == ["a@x.org", "b@x.org", "c@x.org", "d@x.org"]


def test_refuse_duplicate_keys_rejects_a_forged_record(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    genuine = json.dumps(envelope(bounce("a@x.org"), message_id="1"))
    forged = genuine.replace('{"Type"', '{"Message": "{}", "Type"', 1)
    assert forged != genuine
    path = tmp_path / "log.jsonl"
    path.write_text(forged + "\n" + json.dumps(envelope(delivery("c@x.org"), message_id="2")) + "\n")
    assert main(["load", str(path), "--quiet"]) == 0
    assert "rejected records: 0" in capsys.readouterr().out  # trusted by default: one reading, no check
    assert main(["load", str(path), "--quiet", "--refuse-duplicate-keys"]) == 0
    text = capsys.readouterr().out
    assert "1 event rows from 1 messages" in text and "duplicate key 'Message'" in text


def test_csv_timestamps_are_iso_utc(log: Path, tmp_path: Path) -> None:
    out = tmp_path / "events.csv"
    main(["load", str(log), "--out", str(out), "--quiet"])
    assert "2026-11-01T10:00:05.000000Z" in out.read_text()


def test_nothing_readable_exits_2(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    bad = tmp_path / "bad.jsonl"
    bad.write_text("nope\n[1]\n")
    assert main(["load", str(bad), "--quiet"]) == 2
    assert "rejected records: 2" in capsys.readouterr().out


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["load", "missing.jsonl"], "sesops load: error: missing.jsonl: no such file or directory"),
        (["load", "pyproject.toml"], "cannot read .toml"),
        (["load", "{src}", "--out", "events.xlsx"], "--out events.xlsx: unknown suffix"),
        (["load", "{bad}", "--strict"], ":1: not JSON"),
    ],
)
def test_errors_are_one_line(
    args: list[str], message: str, log: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    bad = tmp_path / "bad.jsonl"
    bad.write_text("nope\n")
    argv = [a.format(src=log, bad=bad) for a in args]
    assert main(argv) == 2
    err = capsys.readouterr().err
    assert message in err
    assert "Traceback" not in err and len(err.strip().splitlines()) == 1


def test_help_on_every_subcommand() -> None:
    from sesops.cli import build_parser

    parser = build_parser()
    actions = [a for a in parser._actions if a.__class__.__name__ == "_SubParsersAction"]
    names = sorted(actions[0].choices)  # type: ignore[attr-defined]
    assert "load" in names
    for name in names:
        result = subprocess.run(
            [sys.executable, "-m", "sesops", name, "--help"], capture_output=True, text=True, check=False
        )
        assert result.returncode == 0, (name, result.stderr)
        assert "usage: sesops " + name in result.stdout
