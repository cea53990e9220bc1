"""Every export format, where its importer documents it, and :func:`write_export`.

Each :class:`ExportFormat` names the documented importer it targets (checked against each
tool's documentation; the URL is in ``doc``) and the limits one file of it may hold; the
tests parse every format back and check it against that documented schema.
"""

from __future__ import annotations

import os
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

import pandas as pd

from sesops.analysis.exports import writers
from sesops.analysis.exports.writers import Limits
from sesops.analysis.suppress import FRAME_COLUMNS
from sesops.analysis.suppress.cells import needs_escape
from sesops.errors import InputError

Writer = Callable[[pd.DataFrame, Path, Limits], list[Path]]
BOTH = ("BOUNCE", "COMPLAINT")
NO_LIMITS = Limits()


@dataclass(frozen=True, slots=True)
class ExportFormat:
    """One mailing tool's import format."""

    name: str
    summary: str  # one line: what it is and how to import it
    suffix: str  # the usual file name suffix
    writer: Writer
    doc: str  # where the tool documents its importer
    reasons: tuple[str, ...] = BOTH  # the suppression reasons it takes; other rows are left out
    limits: Limits = NO_LIMITS
    csv: bool = True  # CSV cells are escaped for spreadsheets; JSON is not


@dataclass(frozen=True, slots=True)
class ExportResult:
    """What :func:`write_export` wrote."""

    format: ExportFormat
    paths: list[Path]
    rows: int  # addresses written
    left_out: int  # addresses of a reason the format does not take (e.g. complaints in bounces)
    escaped: int  # addresses written with a leading ' (CSV formats; see suppress.cells)


FORMATS: dict[str, ExportFormat] = {
    f.name: f
    for f in (
        ExportFormat("sesops", "canonical CSV, header email,reason,category,...: every column",
                     ".csv", writers.sesops_csv, "README.md#suppression-policy"),
        # SES CreateImportJob, "Adding bulk email addresses to the account-level suppression list":
        # CSV lines `recipient@example.com,BOUNCE`, no header; at most 100,000 addresses per object.
        ExportFormat("ses-import", "SES account suppression list import (CreateImportJob), CSV: "
                     "email,BOUNCE|COMPLAINT, no header, 100,000 per file", ".csv", writers.ses_import_csv,
                     "https://docs.aws.amazon.com/ses/latest/dg/sending-email-suppression-list.html",
                     limits=Limits(max_rows=100_000)),
        # same page: newline-separated JSON objects {"emailAddress": ..., "reason": "BOUNCE"}
        ExportFormat("ses-import-jsonl", "SES account suppression list import (CreateImportJob), JSON "
                     'lines {"emailAddress","reason"}, 100,000 per file', ".jsonl", writers.ses_import_jsonl,
                     "https://docs.aws.amazon.com/ses/latest/dg/sending-email-suppression-list.html",
                     limits=Limits(max_rows=100_000), csv=False),
        # POST /v3/{domain}/bounces/import: "must be 25MB or under and must contain the following
        # column headers: address, code, error, created_at"; created_at in RFC 2822, code default 550
        ExportFormat("mailgun-bounces", "Mailgun bounce list import: address,code,error,created_at "
                     "(bounces only; 25 MB per file)", ".csv", writers.mailgun_bounces,
                     "https://documentation.mailgun.com/docs/mailgun/api-reference/send/mailgun/bounces",
                     reasons=("BOUNCE",), limits=Limits(max_bytes=25_000_000)),
        # POST /v3/{domain}/complaints/import: headers address, created_at (RFC 2822); 25MB or under
        ExportFormat("mailgun-complaints", "Mailgun complaint list import: address,created_at "
                     "(complaints only; 25 MB per file)", ".csv", writers.mailgun_complaints,
                     "https://documentation.mailgun.com/docs/mailgun/api-reference/send/mailgun/complaints",
                     reasons=("COMPLAINT",), limits=Limits(max_bytes=25_000_000)),
        # listmonk POST /api/import/subscribers, params {"mode": "blocklist"}: a CSV whose header
        # names email (required), name, attributes (a JSON object); its importer reads it with Go's
        # encoding/csv and skips rows whose field count differs from the header's
        ExportFormat("listmonk", "listmonk subscriber import, email,name,attributes: import in "
                     "blocklist mode", ".csv", writers.listmonk_csv, "https://listmonk.app/docs/apis/import/"),
        # "Format guidelines for your import file": the only required column is Email Address
        ExportFormat("mailchimp", "Mailchimp contact import, one Email Address column: import with "
                     "the status Unsubscribed", ".csv", writers.mailchimp_csv,
                     "https://mailchimp.com/help/format-guidelines-for-your-import-file/"),
        # POST /v3/asm/suppressions/global, body {"recipient_emails": ["a@x", ...]}
        ExportFormat("sendgrid", 'SendGrid global unsubscribes request body {"recipient_emails": [...]}',
                     ".json", writers.sendgrid_json, "https://www.twilio.com/docs/sendgrid/api-reference/"
                     "suppressions-global-suppressions/add-recipient-addresses-to-the-global-suppression-group",
                     csv=False),
        # POST /message-streams/{stream_id}/suppressions, body {"Suppressions": [{"EmailAddress": ...}]};
        # Postmark takes up to 50 addresses per request, so each file is one request of at most 50
        ExportFormat("postmark", 'Postmark create-suppressions request bodies {"Suppressions": '
                     '[{"EmailAddress": ...}]}, 50 per file', ".json", writers.postmark_json,
                     "https://postmarkapp.com/developer/api/suppressions-api",
                     limits=Limits(max_rows=50), csv=False),
    )
}  # fmt: skip


def format_named(name: str | ExportFormat) -> ExportFormat:
    """The format called ``name`` (a format passes through)."""
    if isinstance(name, ExportFormat):
        return name
    try:
        return FORMATS[name]
    except KeyError:
        raise InputError(f"unknown export format {name!r}; use one of {', '.join(FORMATS)}") from None


def write_export(
    frame: pd.DataFrame, path: str | os.PathLike[str], export_format: str | ExportFormat = "sesops"
) -> ExportResult:
    """Write the suppression list ``frame`` as ``export_format`` to ``path`` (and ``path``'s
    numbered siblings where the format splits: ``out.csv``, ``out-2.csv``, ...)."""
    chosen = format_named(export_format)
    missing = [c for c in FRAME_COLUMNS if c not in frame.columns]
    if missing:
        raise InputError(
            f"not a suppression frame: missing column(s) {', '.join(missing)}; "
            "build it with sesops.analysis.suppress.build_suppression_list"
        )
    ordered = frame.sort_values("email", kind="stable").reset_index(drop=True)
    taken = ordered.loc[ordered["reason"].isin(chosen.reasons)].reset_index(drop=True)
    paths = chosen.writer(taken, Path(path), chosen.limits)
    escaped = int(needs_escape(taken["email"]).sum()) if chosen.csv else 0
    return ExportResult(chosen, paths, rows=len(taken), left_out=len(ordered) - len(taken), escaped=escaped)
