"""The suppression list in each mailing tool's import format (``sesops suppress --format``).

:func:`write_export` writes a :func:`~sesops.analysis.suppress.build_suppression_list` frame
as one of :data:`FORMATS`: ``sesops`` (the canonical CSV), ``ses-import``,
``ses-import-jsonl``, ``mailgun-bounces``, ``mailgun-complaints``, ``listmonk``, ``mailchimp``,
``sendgrid``, ``postmark``. Formats with a per-file limit split into ``out.csv``,
``out-2.csv``, ...; CSV cells are escaped against spreadsheet formula injection
(:mod:`sesops.analysis.suppress.cells`, reversible with ``unescape_cell``).
"""

from __future__ import annotations

from sesops.analysis.exports.formats import FORMATS, ExportFormat, ExportResult, format_named, write_export
from sesops.analysis.exports.writers import Limits

__all__ = ["FORMATS", "ExportFormat", "ExportResult", "Limits", "format_named", "write_export"]
