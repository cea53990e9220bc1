"""One writer per mailing-tool format: a suppression frame in, the tool's import file(s) out.

Each writer takes the frame (:data:`~sesops.analysis.suppress.FRAME_COLUMNS`, sorted by
email), the target path and its :class:`Limits`, and returns the paths it wrote. CSV cells are
spreadsheet-safe (:func:`~sesops.analysis.suppress.cells.escape_column`); JSON is not escaped.
Where each format comes from is cited in :mod:`sesops.analysis.exports.formats`.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import pandas as pd

from sesops.analysis.exports.cells import json_strings, one_line, rfc2822, smtp_reply_codes
from sesops.analysis.suppress import write_suppression_csv
from sesops.analysis.suppress.canonical import iso_seconds
from sesops.analysis.suppress.cells import escape_column
from sesops.analysis.suppress.files import Render, column_renderer, csv_bytes, write_documents, write_parts


@dataclass(frozen=True, slots=True)
class Limits:
    """What one file of a format may hold (``None``: no limit)."""

    max_rows: int | None = None
    max_bytes: int | None = None


def write_csv(
    path: Path, header: tuple[str, ...] | None, columns: list[pd.Series], limits: Limits
) -> list[Path]:
    """Spreadsheet-safe CSV cells of ``columns``, with ``header`` (``None``: no header line)."""
    cells = [escape_column(column).tolist() for column in columns]
    count = len(columns[0]) if columns else 0
    head = csv_bytes([header]) if header is not None else b""
    return write_parts(
        path, count, column_renderer(cells), header=head, max_rows=limits.max_rows, max_bytes=limits.max_bytes
    )


def line_renderer(lines: list[str]) -> Render:
    """A :data:`~sesops.analysis.suppress.files.Render` of one text line per row."""
    return lambda start, stop: "".join(line + "\n" for line in lines[start:stop]).encode("utf-8")


def sesops_csv(frame: pd.DataFrame, path: Path, limits: Limits) -> list[Path]:
    """The canonical CSV (header ``email,reason,...``)."""
    return [write_suppression_csv(frame, path)]


def ses_import_csv(frame: pd.DataFrame, path: Path, limits: Limits) -> list[Path]:
    """SES CreateImportJob CSV: no header, ``email,BOUNCE|COMPLAINT``."""
    return write_csv(path, None, [frame["email"], frame["reason"]], limits)


def ses_import_jsonl(frame: pd.DataFrame, path: Path, limits: Limits) -> list[Path]:
    """SES CreateImportJob JSON: one ``{"emailAddress": ..., "reason": ...}`` per line."""
    lines = (
        '{"emailAddress":' + json_strings(frame["email"]) + ',"reason":' + json_strings(frame["reason"]) + "}"
    )
    return write_parts(path, len(lines), line_renderer(lines.tolist()), max_rows=limits.max_rows)


def mailgun_bounces(frame: pd.DataFrame, path: Path, limits: Limits) -> list[Path]:
    """Mailgun's bounce-list import: ``address,code,error,created_at`` (given BOUNCE rows)."""
    diagnostic = frame["last_diagnostic"]
    columns = [
        frame["email"],
        smtp_reply_codes(diagnostic),
        one_line(diagnostic),
        rfc2822(frame["last_seen"]),
    ]
    return write_csv(path, ("address", "code", "error", "created_at"), columns, limits)


def mailgun_complaints(frame: pd.DataFrame, path: Path, limits: Limits) -> list[Path]:
    """Mailgun's complaint-list import: ``address,created_at`` (given COMPLAINT rows)."""
    return write_csv(path, ("address", "created_at"), [frame["email"], rfc2822(frame["last_seen"])], limits)


def listmonk_csv(frame: pd.DataFrame, path: Path, limits: Limits) -> list[Path]:
    """listmonk's subscriber import (``email,name,attributes``), to import in blocklist mode.

    ``name`` is left empty (listmonk then makes one from the address); ``attributes`` is a
    JSON object saying why the address is blocklisted.
    """
    attributes = (
        '{"sesops_reason":' + json_strings(frame["reason"])
        + ',"sesops_category":' + json_strings(frame["category"])
        + ',"sesops_last_seen":' + json_strings(iso_seconds(frame["last_seen"])) + "}"
    )  # fmt: skip
    name = pd.Series("", index=frame.index, dtype="str")
    return write_csv(path, ("email", "name", "attributes"), [frame["email"], name, attributes], limits)


def mailchimp_csv(frame: pd.DataFrame, path: Path, limits: Limits) -> list[Path]:
    """Mailchimp's contact import: one ``Email Address`` column, to import as unsubscribed."""
    return write_csv(path, ("Email Address",), [frame["email"]], limits)


def sendgrid_json(frame: pd.DataFrame, path: Path, limits: Limits) -> list[Path]:
    """SendGrid's global-unsubscribes request body: ``{"recipient_emails": [...]}``."""
    body = '{"recipient_emails":[' + ",".join(json_strings(frame["email"]).tolist()) + "]}\n"
    return write_documents(path, [body.encode("utf-8")])


def postmark_json(frame: pd.DataFrame, path: Path, limits: Limits) -> list[Path]:
    """Postmark's create-suppressions request bodies, ``{"Suppressions":[{"EmailAddress": ...}]}``,
    ``limits.max_rows`` addresses per file."""
    entries = ('{"EmailAddress":' + json_strings(frame["email"]) + "}").tolist()
    size = limits.max_rows or max(len(entries), 1)
    documents = [
        ('{"Suppressions":[' + ",".join(entries[start : start + size]) + "]}\n").encode("utf-8")
        for start in range(0, max(len(entries), 1), size)
    ]
    return write_documents(path, documents)
