"""`sesops suppress`: every format from the command line, the review list, the policy options,
what it prints, and one-line refusals with exit status 2."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from sesops.analysis.exports import FORMATS
from sesops.cli import main
from sesops.cli.suppress import EXPORT_FORMATS
from tests.analysis.feedback import bounce_of, complained, soft_on
from tests.analysis.importers import IMPORTERS


@pytest.fixture
def feedback(tmp_path: Path) -> Path:
    items = [
        bounce_of("gone@x.org"),
        bounce_of("-dash@x.org"),
        complained("angry@x.org"),
        bounce_of("ooo@x.org", "Transient", "General", None),
        *soft_on("full@x.org", "2026-11-01", "2026-11-02"),
    ]
    path = tmp_path / "exported.jsonl"
    path.write_text("".join(json.dumps(item) + "\n" for item in items))
    return path


def run(capsys: pytest.CaptureFixture[str], *argv: str) -> tuple[int, str, str]:
    status = main(["suppress", *argv, "--quiet"])
    captured = capsys.readouterr()
    return status, captured.out, captured.err


def test_the_cli_knows_every_library_format() -> None:
    assert list(EXPORT_FORMATS) == list(FORMATS)


@pytest.mark.parametrize("name", EXPORT_FORMATS)
def test_each_format_from_the_command_line(
    name: str, feedback: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    out = tmp_path / f"out{FORMATS[name].suffix}"
    status, text, err = run(capsys, str(feedback), "--format", name, "--out", str(out))
    assert (status, err) == (0, "")
    expected = {"sesops": 3, "mailgun-bounces": 2, "mailgun-complaints": 1}.get(name, 3)
    assert len(IMPORTERS[name]([out])) == expected
    assert "read 6 events from 6 messages (0 duplicates dropped, 0 records rejected)" in text
    assert "3 address(es) to suppress: 2 hard bounce, 1 complaint" in text
    assert f"wrote {expected} address(es) as {name} to {out}" in text


def test_it_says_what_was_left_out_and_what_was_escaped(
    feedback: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    status, text, _ = run(
        capsys, str(feedback), "--format", "mailgun-bounces", "--out", str(tmp_path / "m.csv")
    )
    assert status == 0
    assert "left out 1 complaints: this format does not take them (--format mailgun-complaints)" in text
    assert "note: 1 address(es) begin with = + - @ ' or a control character" in text
    assert "use ses-import-jsonl, sendgrid or postmark" in text


def test_review_list_and_policy_options(
    feedback: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    out, review = tmp_path / "s.csv", tmp_path / "review.csv"
    argv = [str(feedback), "--out", str(out), "--review", str(review), "--soft-bounce-threshold", "2"]
    status, text, _ = run(capsys, *argv, "--window-days", "30")
    assert status == 0
    assert "4 address(es) to suppress: 2 hard bounce, 1 complaint, 1 soft bounce threshold" in text
    assert "(policy: soft bounces on 2 distinct days within 30 days)" in text
    assert f"review list: 1 auto reply -> {review}" in text
    assert review.read_text().splitlines()[1].startswith("ooo@x.org,auto_reply,")
    status, text, _ = run(capsys, str(feedback), "--out", str(out), "--soft-bounce-threshold", "0")
    assert "(policy: soft bounces never suppress)" in text


def test_a_list_split_over_files_names_them(
    feedback: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    items = [bounce_of(f"u{i}@x.org") for i in range(60)]
    source = tmp_path / "many.jsonl"
    source.write_text("".join(json.dumps(item) + "\n" for item in items))
    (tmp_path / "pm-3.json").write_text("{}")  # from an earlier, longer list
    status, text, _ = run(capsys, str(source), "--format", "postmark", "--out", str(tmp_path / "pm.json"))
    assert status == 0
    assert (
        f"wrote 60 address(es) as postmark to 2 files, {tmp_path / 'pm.json'} ... {tmp_path / 'pm-2.json'}"
        in text
    )
    assert f"note: {tmp_path / 'pm-3.json'} is left from an earlier, longer list" in text


@pytest.mark.parametrize(
    ("argv", "says"),
    [
        (["missing.jsonl", "--out", "s.csv"], "missing.jsonl: no such file"),
        (["{feedback}", "--out", "s.csv", "--window-days", "0"], "--window-days 0: use 1 or more"),
        (["{feedback}", "--out", "s.csv", "--soft-bounce-threshold", "-1"], "--soft-bounce-threshold -1: use 1 or more"),
        (["{feedback}", "--out", "s.csv", "--review", "s.csv"], "--review s.csv is also --out"),
        (["{empty}", "--out", "s.csv"], "no SES feedback could be read from"),
        (["{feedback}", "--out", "{feedback}/s.csv"], "exported.jsonl"),
    ],
)  # fmt: skip
def test_refusals_are_one_line_and_exit_2(
    argv: list[str], says: str, feedback: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
) -> None:  # fmt: skip
    (tmp_path / "empty.jsonl").write_text("")
    monkeypatch.chdir(tmp_path)
    values = {"feedback": str(feedback), "empty": str(tmp_path / "empty.jsonl")}
    status, _, err = run(capsys, *(arg.format(**values) for arg in argv))
    assert status == 2
    assert err.count("\n") == 1 and err.startswith("sesops suppress: error: ") and says in err, err


def test_an_unknown_format_is_a_usage_error(feedback: Path, capsys: pytest.CaptureFixture[str]) -> None:
    with pytest.raises(SystemExit) as exit_info:
        main(["suppress", str(feedback), "--out", "x.csv", "--format", "excel"])
    assert exit_info.value.code == 2
    assert "invalid choice: 'excel'" in capsys.readouterr().err
