"""The fixed feedback behind the golden export files (tests/data/golden/suppress/), and how to
compare with them. ``SESOPS_UPDATE_GOLDEN=1 pytest tests/analysis/test_exports.py`` rewrites
the files from the current code; review the diff before committing it."""

from __future__ import annotations

import os
from pathlib import Path
from typing import Any

import pandas as pd

from sesops import read_events
from sesops.analysis.suppress import SuppressionPolicy, build_review_list, build_suppression_list
from tests.analysis.feedback import bounced, complained, recipient
from tests.conftest import DATA

GOLDEN = DATA / "golden" / "suppress"
UPDATE = os.environ.get("SESOPS_UPDATE_GOLDEN") == "1"


def hard(
    address: str, n: int, code: str, status: str = "5.1.1", bounce_type: str = "Permanent"
) -> dict[str, Any]:
    return bounced(
        recipient(address, status, code=code),
        bounce_type=bounce_type,
        stamp=f"2026-11-0{n}T10:00:05Z",
        message_id=f"0100-golden-{n}",
        feedback_id=f"fb-golden-{n}",
    )


def soft(address: str, day: int) -> dict[str, Any]:
    return bounced(
        recipient(address, "4.2.2", code="smtp; 452 4.2.2 mailbox full"),
        bounce_type="Transient",
        subtype="MailboxFull",
        stamp=f"2026-11-0{day}T12:00:00Z",
        message_id=f"0100-soft-{day}",
        feedback_id=f"fb-soft-{day}",
    )


def golden_items() -> list[dict[str, Any]]:
    """Every rule, and every cell a CSV writer or a spreadsheet could get wrong."""
    return [
        hard("zed@example.org", 1, "smtp; 550 5.1.1 <zed@example.org>: Recipient address rejected"),
        hard('"o\'brien, jr"@example.org', 2, 'smtp; 550-5.1.1 The account "o\'brien" does not exist,\r\n550 5.1.1 try',
             bounce_type="Transient"),
        hard("-minus@example.org", 3, '=HYPERLINK("http://evil.example/","click")'),
        hard("=cmd|'/c calc'!a0@example.org", 4, "@SUM(1+1)*cmd|' /C calc'!A0"),
        complained("Ünï@Example.org", "abuse", stamp="2026-11-05T11:00:00Z", message_id="0100-complaint-1"),
        complained("nofb@example.org", None, stamp="2026-11-05T12:00:00Z", message_id="0100-complaint-2"),
        complained("'quote@example.org", "fraud", stamp="2026-11-06T09:30:00Z", message_id="0100-complaint-3"),
        *(soft("+plus@example.org", day) for day in (1, 3, 5)),
        bounced(recipient("ooo@example.org", None, action=None), bounce_type="Transient", subtype="General",
                stamp="2026-11-02T08:00:00Z", message_id="0100-ooo", feedback_id="fb-ooo"),
        bounced(recipient("big@example.org", "5.3.4", code="smtp; 552 5.3.4 message too big"),
                bounce_type="Transient", subtype="MessageTooLarge", stamp="2026-11-03T08:00:00Z",
                message_id="0100-big", feedback_id="fb-big"),
    ]  # fmt: skip


def golden_frame() -> pd.DataFrame:
    return build_suppression_list(read_events(golden_items()), SuppressionPolicy())


def golden_review() -> pd.DataFrame:
    return build_review_list(read_events(golden_items()), SuppressionPolicy())


def matches_golden(written: Path, name: str) -> bool:
    """Whether ``written`` has the bytes of golden file ``name`` (rewriting it under UPDATE)."""
    expected = GOLDEN / name
    if UPDATE:
        expected.parent.mkdir(parents=True, exist_ok=True)
        expected.write_bytes(written.read_bytes())
    return written.read_bytes() == expected.read_bytes()
