"""`sesops report`: the files `sesops demo` writes, from any feedback, and one-line refusals."""

from __future__ import annotations

import csv
import json
from pathlib import Path

import pytest

from sesops.cli import main
from tests.analysis.feedback import bounce_of, complained, delivered


@pytest.fixture
def feedback(tmp_path: Path) -> Path:
    items = [
        *(delivered(f"u{i}@x.org") for i in range(18)),
        bounce_of("gone@y.org"),
        complained("angry@x.org"),
    ]
    path = tmp_path / "exported.jsonl"
    path.write_text("".join(json.dumps(item) + "\n" for item in items))
    return path


def test_writes_the_charts_the_page_and_the_list(
    feedback: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    out = tmp_path / "report"
    assert main(["report", str(feedback), "--out", str(out), "--title", "Weekly", "--quiet"]) == 0
    text = capsys.readouterr().out
    assert (
        "20 events; hard bounce rate 5 % (review), complaint rate 5 % (pause); 2 address(es) to suppress"
        in text
    )
    assert f"wrote {out / 'report.html'}, suppressions.csv and 6 charts into {out}" in text
    assert {p.name for p in out.iterdir()} == {
        "report.html", "suppressions.csv", "categories.png", "daily_rates.png", "daily_counts.png",
        "bounce_types.png", "domains.png", "domain_rates.png",
    }  # fmt: skip
    html = (out / "report.html").read_text(encoding="utf-8")
    assert "<title>Weekly</title>" in html and "Recipient domains: rates" in html
    with (out / "suppressions.csv").open(newline="", encoding="utf-8") as fh:
        assert [row["email"] for row in csv.DictReader(fh)] == ["angry@x.org", "gone@y.org"]


def test_policy_options_and_sends_reach_the_report(
    feedback: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    argv = [
        "report",
        str(feedback),
        "--out",
        str(tmp_path / "r"),
        "--sends",
        "1000",
        "--undetermined",
        "hard",
    ]
    assert main([*argv, "--quiet"]) == 0
    assert "hard bounce rate 0.1 % (ok), complaint rate 0.1 % (review)" in capsys.readouterr().out


@pytest.mark.parametrize(
    ("argv", "says"),
    [
        (["missing.jsonl", "--out", "r"], "missing.jsonl: no such file"),
        (["{feedback}", "--out", "r", "--sends", "-5"], "--sends -5: a number of messages"),
        (["{feedback}", "--out", "r", "--window-days", "0"], "--window-days 0"),
        (["{feedback}", "--out", "{feedback}"], "exported.jsonl"),
    ],
)
def test_refusals_are_one_line_and_exit_2(
    argv: list[str],
    says: str,
    feedback: Path,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
) -> None:
    monkeypatch.chdir(tmp_path)
    assert main(["report", *(arg.format(feedback=feedback) for arg in argv), "--quiet"]) == 2
    err = capsys.readouterr().err
    assert err.count("\n") == 1 and err.startswith("sesops report: error: ") and says in err, err
