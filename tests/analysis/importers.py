"""What each tool's documented importer requires of a file, as checks: each reads the files of
one export the way the tool documents it and returns the addresses it would import (after
undoing sesops' spreadsheet escape), or fails an assertion naming the broken rule.

Sources: the ``doc`` URL of each format in :data:`sesops.analysis.exports.FORMATS`.
"""

from __future__ import annotations

import csv
import io
import json
import re
from collections.abc import Callable
from email.utils import parsedate_to_datetime
from pathlib import Path

from sesops.analysis.suppress import unescape_cell
from sesops.analysis.suppress.cells import FORMULA_TRIGGERS

REASONS = {"BOUNCE", "COMPLAINT"}


def text_of(path: Path) -> str:
    raw = path.read_bytes()
    assert not raw.startswith(b"\xef\xbb\xbf"), f"{path.name}: a byte-order mark"
    return raw.decode("utf-8")  # strict: UTF-8 or an error


def csv_rows(path: Path) -> list[list[str]]:
    """RFC 4180 rows; no cell a spreadsheet would run as a formula."""
    rows = list(csv.reader(io.StringIO(text_of(path), newline=""), strict=True))
    for row in rows:
        for cell in row:
            assert not cell.startswith(FORMULA_TRIGGERS), f"{path.name}: formula cell {cell!r}"
    return rows


def with_header(path: Path, header: list[str]) -> list[list[str]]:
    rows = csv_rows(path)
    assert rows and rows[0] == header, f"{path.name}: header {rows[:1]} is not {header}"
    assert all(len(row) == len(header) for row in rows[1:]), f"{path.name}: a row's field count differs"
    return rows[1:]


def ses_import(paths: list[Path]) -> list[str]:
    """CreateImportJob CSV: no header, ``address,BOUNCE|COMPLAINT``, at most 100,000 per object."""
    out = []
    for path in paths:
        rows = csv_rows(path)
        assert len(rows) <= 100_000
        for row in rows:
            assert len(row) == 2 and row[1] in REASONS, f"{path.name}: {row}"
            out.append(unescape_cell(row[0]))
    return out


def ses_import_jsonl(paths: list[Path]) -> list[str]:
    """CreateImportJob JSON: newline-separated objects ``{"emailAddress", "reason"}``."""
    out = []
    for path in paths:
        lines = text_of(path).splitlines()
        assert len(lines) <= 100_000
        for line in lines:
            entry = json.loads(line)
            assert set(entry) == {"emailAddress", "reason"} and entry["reason"] in REASONS
            out.append(entry["emailAddress"])
    return out


def mailgun(header: list[str]) -> Callable[[list[Path]], list[str]]:
    def check(paths: list[Path]) -> list[str]:
        """Mailgun import: the documented headers, 25 MB or under, created_at in RFC 2822."""
        out = []
        for path in paths:
            assert path.stat().st_size <= 25_000_000
            for row in with_header(path, header):
                fields = dict(zip(header, row, strict=True))
                if fields["created_at"]:
                    assert parsedate_to_datetime(fields["created_at"]).tzinfo is not None
                if "code" in fields:
                    assert re.fullmatch(r"[45]\d\d", fields["code"]), fields["code"]
                out.append(unescape_cell(fields["address"]))
        return out

    return check


def listmonk(paths: list[Path]) -> list[str]:
    """listmonk's importer (Go encoding/csv): an ``email`` header, every row as wide as the
    header, ``attributes`` a JSON object; it lower-cases and trims the address itself."""
    out = []
    for path in paths:
        rows = csv_rows(path)
        header = rows[0]
        assert "email" in header and set(header) <= {"email", "name", "status", "attributes"}
        for row in rows[1:]:
            assert len(row) == len(header)
            fields = dict(zip(header, row, strict=True))
            assert isinstance(json.loads(fields["attributes"]), dict)
            email = unescape_cell(fields["email"])
            assert email == email.strip().lower()
            out.append(email)
    return out


def mailchimp(paths: list[Path]) -> list[str]:
    """Mailchimp: a column for email address (``Email Address``), one address per contact."""
    return [unescape_cell(row[0]) for path in paths for row in with_header(path, ["Email Address"])]


def sendgrid(paths: list[Path]) -> list[str]:
    """POST /v3/asm/suppressions/global body: ``{"recipient_emails": [str, ...]}``."""
    (path,) = paths
    body = json.loads(text_of(path))
    assert set(body) == {"recipient_emails"} and all(isinstance(e, str) for e in body["recipient_emails"])
    return list(body["recipient_emails"])


def postmark(paths: list[Path]) -> list[str]:
    """POST /message-streams/{id}/suppressions body: ``{"Suppressions": [{"EmailAddress"}]}``, at most 50."""
    out = []
    for path in paths:
        body = json.loads(text_of(path))
        assert set(body) == {"Suppressions"} and len(body["Suppressions"]) <= 50
        for entry in body["Suppressions"]:
            assert set(entry) == {"EmailAddress"}
            out.append(entry["EmailAddress"])
    return out


def canonical(paths: list[Path]) -> list[str]:
    """sesops' own CSV: a header starting ``email,reason``."""
    (path,) = paths
    rows = csv_rows(path)
    assert rows[0][:2] == ["email", "reason"]
    return [unescape_cell(row[0]) for row in rows[1:]]


IMPORTERS: dict[str, Callable[[list[Path]], list[str]]] = {
    "sesops": canonical,
    "ses-import": ses_import,
    "ses-import-jsonl": ses_import_jsonl,
    "mailgun-bounces": mailgun(["address", "code", "error", "created_at"]),
    "mailgun-complaints": mailgun(["address", "created_at"]),
    "listmonk": listmonk,
    "mailchimp": mailchimp,
    "sendgrid": sendgrid,
    "postmark": postmark,
}
