"""exports: each format against its golden file and its tool's documented importer; splitting
at each tool's limits; the spreadsheet escape and its reverse; refusals."""

from __future__ import annotations

import dataclasses
from pathlib import Path

import pandas as pd
import pytest
from hypothesis import given
from hypothesis import strategies as st

from sesops.analysis.exports import FORMATS, Limits, write_export
from sesops.analysis.suppress import FRAME_COLUMNS, escape_cell, unescape_cell, write_review_csv
from sesops.analysis.suppress.cells import escape_column, unescape_column
from sesops.analysis.suppress.files import stale_parts
from sesops.errors import InputError
from tests.analysis.golden import golden_frame, golden_review, matches_golden
from tests.analysis.importers import IMPORTERS

FRAME = golden_frame()


def synthetic(n: int, reason: str = "BOUNCE", diagnostic: str = "smtp; 550 5.1.1 unknown") -> pd.DataFrame:
    """``n`` suppressed addresses, built directly (no events)."""
    emails = [f"user{i:07d}@example.org" for i in range(n)]
    frame = pd.DataFrame({c: pd.Series([""] * n, dtype="str") for c in FRAME_COLUMNS})
    frame["email"] = pd.Series(emails, dtype="str")
    frame["reason"] = reason
    frame["category"] = "hard_bounce" if reason == "BOUNCE" else "complaint"
    frame["first_seen"] = frame["last_seen"] = pd.Timestamp("2026-11-01T10:00:00Z")
    frame["events"] = 1
    frame["last_diagnostic"] = diagnostic
    return frame


def test_the_golden_frame_covers_every_rule() -> None:
    assert dict(FRAME["category"].value_counts()) == {
        "hard_bounce": 4,
        "complaint": 3,
        "soft_bounce_threshold": 1,
    }
    assert set(golden_review()["review_reason"]) == {"auto_reply", "content_problem"}


@pytest.mark.parametrize("name", FORMATS)
def test_each_format_matches_its_golden_file(name: str, tmp_path: Path) -> None:
    suffix = FORMATS[name].suffix
    result = write_export(FRAME, tmp_path / f"out{suffix}", name)
    assert [p.name for p in result.paths] == [f"out{suffix}"]
    assert matches_golden(result.paths[0], f"{name}{suffix}"), (
        f"{name}: differs from tests/data/golden/suppress"
    )


def test_the_review_list_matches_its_golden_file(tmp_path: Path) -> None:
    assert matches_golden(write_review_csv(golden_review(), tmp_path / "review.csv"), "review.csv")


@pytest.mark.parametrize("name", FORMATS)
def test_each_tool_would_import_every_address_it_takes(name: str, tmp_path: Path) -> None:
    result = write_export(FRAME, tmp_path / f"out{FORMATS[name].suffix}", name)
    imported = IMPORTERS[name](result.paths)
    taken = FRAME.loc[FRAME["reason"].isin(FORMATS[name].reasons), "email"]
    assert imported == list(taken)  # each address exactly as the policy has it, in order
    assert result.rows == len(taken) and result.left_out == len(FRAME) - len(taken)


def test_escaped_addresses_are_counted_for_csv_formats_only(tmp_path: Path) -> None:
    escaped = {
        "-minus@example.org",
        "=cmd|'/c calc'!a0@example.org",
        "'quote@example.org",
        "+plus@example.org",
    }
    assert escaped <= set(FRAME["email"])
    assert write_export(FRAME, tmp_path / "a.csv", "ses-import").escaped == 4
    assert write_export(FRAME, tmp_path / "b.csv", "mailgun-bounces").escaped == 3  # bounces only
    assert write_export(FRAME, tmp_path / "c.json", "sendgrid").escaped == 0


@pytest.mark.timeout(300)
def test_ses_import_splits_at_100000_addresses(tmp_path: Path) -> None:
    result = write_export(synthetic(100_001), tmp_path / "out.csv", "ses-import")
    assert [p.name for p in result.paths] == ["out.csv", "out-2.csv"]
    assert [len(p.read_text().splitlines()) for p in result.paths] == [100_000, 1]
    assert len(IMPORTERS["ses-import"](result.paths)) == 100_001


def test_postmark_is_one_request_of_at_most_50_per_file(tmp_path: Path) -> None:
    result = write_export(synthetic(120), tmp_path / "pm.json", "postmark")
    assert [p.name for p in result.paths] == ["pm.json", "pm-2.json", "pm-3.json"]
    assert len(IMPORTERS["postmark"](result.paths)) == 120


def test_mailgun_splits_by_bytes_each_part_with_its_header(tmp_path: Path) -> None:
    small = dataclasses.replace(FORMATS["mailgun-bounces"], limits=Limits(max_bytes=300))
    frame = synthetic(10)
    result = write_export(frame, tmp_path / "mg.csv", small)
    assert len(result.paths) > 1
    assert all(p.stat().st_size <= 300 for p in result.paths)
    assert all(p.read_text().startswith("address,code,error,created_at\n") for p in result.paths)
    assert IMPORTERS["mailgun-bounces"](result.paths) == list(frame["email"])


def test_a_row_over_the_byte_limit_alone_is_refused(tmp_path: Path) -> None:
    small = dataclasses.replace(FORMATS["mailgun-bounces"], limits=Limits(max_bytes=120))
    with pytest.raises(InputError, match=r"row 1 alone is .* bytes, over this format's 120-byte"):
        write_export(synthetic(1, diagnostic="x" * 200), tmp_path / "mg.csv", small)
    assert list(tmp_path.iterdir()) == []  # no part, no temporary file


def test_stale_parts_of_a_longer_earlier_list_are_found(tmp_path: Path) -> None:
    write_export(synthetic(120), tmp_path / "pm.json", "postmark")
    result = write_export(synthetic(60), tmp_path / "pm.json", "postmark")
    assert stale_parts(tmp_path / "pm.json", len(result.paths)) == [tmp_path / "pm-3.json"]


@pytest.mark.parametrize("name", FORMATS)
def test_an_empty_list_is_still_a_valid_file(name: str, tmp_path: Path) -> None:
    result = write_export(synthetic(0), tmp_path / f"e{FORMATS[name].suffix}", name)
    assert IMPORTERS[name](result.paths) == [] and result.rows == 0


def test_refusals(tmp_path: Path) -> None:
    with pytest.raises(InputError, match="unknown export format 'excel'; use one of sesops, ses-import"):
        write_export(FRAME, tmp_path / "x.csv", "excel")
    with pytest.raises(InputError, match=r"missing column.*build_suppression_list"):
        write_export(pd.DataFrame({"email": ["a@x.org"]}), tmp_path / "x.csv", "ses-import")


@pytest.mark.parametrize(
    ("cell", "escaped"),
    [("=1+2", "'=1+2"), ("+1", "'+1"), ("-x@y.org", "'-x@y.org"), ("@SUM(A1)", "'@SUM(A1)"), ("\tx", "'\tx"),
     ("\rx", "'\rx"), ("'quoted", "''quoted"), ("plain@x.org", "plain@x.org"), ("", ""), ("a=b", "a=b")],
)  # fmt: skip
def test_escape_cell(cell: str, escaped: str) -> None:
    assert escape_cell(cell) == escaped
    assert unescape_cell(escaped) == cell


@given(st.lists(st.text(max_size=12), max_size=20))
def test_the_escape_is_reversible(cells: list[str]) -> None:
    column = pd.Series(cells, dtype="str")
    escaped = escape_column(column)
    assert list(escaped) == [escape_cell(c) for c in cells]
    assert list(unescape_column(escaped)) == cells
