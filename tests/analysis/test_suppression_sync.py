"""The desired list (from files and from the policy's frame) and the plan against what SES holds."""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path

import pandas as pd
import pytest

from sesops.analysis.suppression_sync import (
    Entry,
    SyncPlan,
    desired_from_frame,
    desired_from_pairs,
    merge,
    plan_sync,
    read_suppression_file,
    write_held_csv,
)
from sesops.errors import InputError


def write(tmp_path: Path, text: str, name: str = "list.csv", encoding: str = "utf-8") -> Path:
    path = tmp_path / name
    path.write_text(text, encoding=encoding)
    return path


# -- reading lists -------------------------------------------------------------------------------


def test_the_canonical_list_maps_its_reasons_to_ses_reasons(tmp_path: Path) -> None:
    text = (
        "email,reason,first_seen,events\n"
        "Hard@Example.com ,hard_bounce,2026-11-03T10:00:00Z,1\n"
        "soft@example.com,soft_bounce_threshold,2026-11-03T10:00:00Z,3\n"
        "angry@example.com,complaint,2026-11-04T10:00:00Z,1\n"
    )
    assert read_suppression_file(write(tmp_path, text)) == {
        "hard@example.com": "BOUNCE",
        "soft@example.com": "BOUNCE",
        "angry@example.com": "COMPLAINT",
    }


def test_what_pull_writes_reads_back(tmp_path: Path) -> None:
    text = "email,reason,last_update\na@example.com,BOUNCE,2026-11-03T10:00:00Z\nb@example.com,COMPLAINT,\n"
    assert read_suppression_file(write(tmp_path, text)) == {
        "a@example.com": "BOUNCE",
        "b@example.com": "COMPLAINT",
    }


def test_ses_import_format_has_no_header(tmp_path: Path) -> None:
    text = "a@example.com,BOUNCE\r\nb@example.com,COMPLAINT\r\n"
    assert read_suppression_file(write(tmp_path, text)) == {
        "a@example.com": "BOUNCE",
        "b@example.com": "COMPLAINT",
    }


def test_a_byte_order_mark_and_the_formula_escape_are_undone(tmp_path: Path) -> None:
    text = "email,reason\n'-dash@example.com,hard_bounce\n\"'=sum@example.com\",complaint\n''o@example.com,bounce\n"
    path = write(tmp_path, text, encoding="utf-8-sig")
    assert read_suppression_file(path) == {
        "-dash@example.com": "BOUNCE",
        "=sum@example.com": "COMPLAINT",
        "'o@example.com": "BOUNCE",
    }


def test_an_address_listed_twice_keeps_its_strongest_reason(tmp_path: Path) -> None:
    text = "email,reason\na@example.com,complaint\nA@example.com,hard_bounce\n"
    assert read_suppression_file(write(tmp_path, text)) == {"a@example.com": "COMPLAINT"}


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("", r"list\.csv: empty; a suppression list starts with the header email,reason"),
        ("\n\n", r"list\.csv: empty"),
        ("address,why\nx@example.com,BOUNCE\n", r"list\.csv: not a suppression list: the first line must be"),
        ("x@example.com,SPAM\n", r"list\.csv: not a suppression list"),
        (
            "email,reason\na@example.com,BOUNCE\nb@example.com,spam\n",
            r"list\.csv:3: reason 'spam' is not one of",
        ),
        (
            "email,reason\n\na@example.com,BOUNCE\nnobody,BOUNCE\n",
            r"list\.csv:4: 'nobody' is not an email address",
        ),
        (
            "email,reason\na b@example.com,BOUNCE\n",
            r"list\.csv:2: 'a b@example\.com' is not an email address",
        ),
        ("email,reason\n@example.com,BOUNCE\n", r"list\.csv:2: '@example\.com' is not an email address"),
        ("email,reason\na@example.com\n", r"list\.csv:2: expected email,reason, found 1 field\(s\)"),
    ],
)
def test_files_that_are_not_suppression_lists_are_refused(tmp_path: Path, text: str, message: str) -> None:
    with pytest.raises(InputError, match=message):
        read_suppression_file(write(tmp_path, text))


def test_desired_from_frame_reads_email_and_reason() -> None:
    frame = pd.DataFrame(
        {"email": ["b@x.com", "a@x.com"], "reason": ["complaint", "hard_bounce"], "events": [1, 2]}
    )
    assert desired_from_frame(frame) == {"a@x.com": "BOUNCE", "b@x.com": "COMPLAINT"}
    with pytest.raises(InputError, match="the policy: not a suppression list: missing column\\(s\\) reason"):
        desired_from_frame(frame.drop(columns="reason"))


def test_pairs_are_numbered_in_errors() -> None:
    with pytest.raises(InputError, match=r"^argv:2: reason 'x' is not one of"):
        desired_from_pairs([("a@x.com", "BOUNCE"), ("b@x.com", "x")], "argv")


@pytest.mark.parametrize("order", [0, 1])
def test_merge_keeps_the_complaint_whichever_comes_first(order: int) -> None:
    lists = [{"a@x.com": "BOUNCE", "b@x.com": "BOUNCE"}, {"a@x.com": "COMPLAINT"}]
    assert merge(*(lists if order == 0 else lists[::-1])) == {"a@x.com": "COMPLAINT", "b@x.com": "BOUNCE"}


# -- the plan -------------------------------------------------------------------------------------

DESIRED = {"new@x.com": "BOUNCE", "same@x.com": "BOUNCE", "worse@x.com": "COMPLAINT", "kept@x.com": "BOUNCE"}
HELD = [
    ("Same@X.com", "BOUNCE"),
    ("worse@x.com", "BOUNCE"),
    ("kept@x.com", "COMPLAINT"),
    ("ses-only@x.com", "BOUNCE"),
]


def test_the_plan_adds_raises_and_keeps_what_only_ses_holds() -> None:
    plan = plan_sync(DESIRED, HELD)
    assert plan == SyncPlan(
        add=(Entry("new@x.com", "BOUNCE"),),
        raise_reason=(Entry("worse@x.com", "COMPLAINT", held="BOUNCE"),),
        remove=(),
        only_in_ses=(Entry("ses-only@x.com", "BOUNCE", held="BOUNCE"),),
        agreeing=2,  # same@ (case aside), kept@ (SES's COMPLAINT is never lowered to BOUNCE)
    )
    assert plan.to_put == [("new@x.com", "BOUNCE"), ("worse@x.com", "COMPLAINT")]
    assert plan.to_delete == [] and not plan.in_line
    assert plan.summary() == (
        "1 to add, 1 to raise to COMPLAINT, 1 only in SES (kept; --prune removes them), 2 agreeing"
    )


def test_pruning_removes_what_the_list_does_not_name() -> None:
    plan = plan_sync(DESIRED, HELD, prune=True)
    assert plan.remove == (Entry("ses-only@x.com", "BOUNCE", held="BOUNCE"),) and plan.only_in_ses == ()
    assert plan.to_delete == ["ses-only@x.com"]
    assert "1 to remove" in plan.summary()


def test_a_list_in_line_with_ses_plans_nothing() -> None:
    plan = plan_sync({"a@x.com": "BOUNCE"}, [("A@x.com", "BOUNCE"), ("b@x.com", "COMPLAINT")])
    assert plan.in_line and plan.to_put == [] and plan.agreeing == 1
    assert not plan_sync({"a@x.com": "BOUNCE"}, [("b@x.com", "BOUNCE")], prune=True).in_line


def test_what_ses_holds_is_written_escaped_and_reads_back(tmp_path: Path) -> None:
    when = datetime(2026, 11, 3, 10, 0, 5, 700, tzinfo=UTC)
    path = tmp_path / "held.csv"
    with open(path, "w", encoding="utf-8", newline="") as out:
        count = write_held_csv(
            [("-x@example.com", "BOUNCE", when), ("b@example.com", "COMPLAINT", None)], out
        )
    assert count == 2
    assert path.read_text() == (
        "email,reason,last_update\n'-x@example.com,BOUNCE,2026-11-03T10:00:05Z\nb@example.com,COMPLAINT,\n"
    )
    assert read_suppression_file(path) == {"-x@example.com": "BOUNCE", "b@example.com": "COMPLAINT"}
