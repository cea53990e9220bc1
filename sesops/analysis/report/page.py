"""The report's self-contained HTML page, rendered from a :class:`~sesops.analysis.report.data.ReportData`.

CSS is inline and the charts are embedded as base64 data URIs, so ``report.html`` can be
mailed alone. Every value from the data is escaped.
"""

from __future__ import annotations

import base64
from collections.abc import Iterable, Mapping, Sequence
from datetime import datetime
from html import escape

import pandas as pd

from sesops.analysis.rates import Summary
from sesops.analysis.report.data import SUPPRESSIONS_NAME, LoadNotes, ReportData, pct

PREVIEW_ROWS = 20
DOMAIN_ROWS = 10
SUPPRESSION_COLUMNS = ["email", "reason", "category", "events", "last_seen", "rule", "last_diagnostic"]

_CSS = """
body{font-family:system-ui,-apple-system,Segoe UI,sans-serif;margin:2rem auto;max-width:1000px;color:#222;padding:0 1rem}
h1{margin-bottom:.2rem} .muted{color:#666} table{border-collapse:collapse;margin:.5rem 0 1.5rem}
th,td{border:1px solid #ddd;padding:.25rem .6rem;text-align:left;vertical-align:top} td.n{text-align:right}
th{background:#f4f4f4} img{max-width:100%;height:auto;margin:.5rem 0}
.status{display:inline-block;padding:.1rem .5rem;border-radius:.3rem;font-weight:600}
.ok{background:#dff0d8}.warning{background:#fcf8e3}.review{background:#f8d7a9}.pause{background:#f2b8b5}
.unknown{background:#e8e8e8} li{margin:.3rem 0} code{background:#f4f4f4;padding:0 .2rem}
"""


def _cell(value: object) -> str:
    if isinstance(value, bool):
        return f"<td>{value}</td>"
    if isinstance(value, int | float) and not pd.isna(value):
        return f'<td class="n">{value:,}</td>'
    if value is None or (isinstance(value, float) and pd.isna(value)) or value is pd.NaT:
        return "<td></td>"
    if isinstance(value, pd.Timestamp):
        return f"<td>{escape(_when(value))}</td>"
    return f"<td>{escape(str(value))}</td>"


def html_table(headers: Sequence[str], rows: Iterable[Sequence[object]]) -> str:
    """An HTML table with every header and cell escaped."""
    head = "".join(f"<th>{escape(h)}</th>" for h in headers)
    body = "".join("<tr>" + "".join(_cell(v) for v in row) + "</tr>" for row in rows)
    if not body:
        body = f'<tr><td colspan="{len(headers)}" class="muted">none</td></tr>'
    return f"<table><thead><tr>{head}</tr></thead><tbody>{body}</tbody></table>"


def _frame_table(frame: pd.DataFrame, index_name: str | None = None) -> str:
    if index_name is not None:
        frame = frame.rename_axis(index_name).reset_index()
    rows = [[_plain(v) for v in row] for row in frame.itertuples(index=False)]
    return html_table([str(c) for c in frame.columns], rows)


def _plain(value: object) -> object:
    """numpy scalars -> Python ones, so cells format the same whatever pandas returns."""
    item = getattr(value, "item", None)
    return item() if callable(item) and not isinstance(value, pd.Timestamp) else value


def _when(stamp: pd.Timestamp | datetime | None) -> str:
    if stamp is None or pd.isna(stamp):
        return "n/a"
    return pd.Timestamp(stamp).strftime("%Y-%m-%d %H:%M UTC")


def _badge(status: str) -> str:
    return f'<span class="status {escape(status)}">{escape(status)}</span>'


def _rates_table(s: Summary) -> str:
    t = s.thresholds
    rows = [
        ("hard bounce rate", s.hard_bounces, pct(s.bounce_rate), _badge(s.bounce_status), t.bounce_warning, t.bounce_review, t.bounce_pause),
        ("complaint rate", s.complaints, pct(s.complaint_rate), _badge(s.complaint_status), t.complaint_warning, t.complaint_review, t.complaint_pause),
    ]  # fmt: skip
    head = "".join(
        f"<th>{h}</th>" for h in ("rate", "events", "value", "status", "warning", "SES review", "SES pause")
    )
    body = "".join(
        f"<tr><td>{name}</td><td class='n'>{count:,}</td><td class='n'>{value}</td><td>{badge}</td>"
        f"<td class='n'>{pct(w)}</td><td class='n'>{pct(r)}</td><td class='n'>{pct(p)}</td></tr>"
        for name, count, value, badge, w, r, p in rows
    )
    return f"<table><thead><tr>{head}</tr></thead><tbody>{body}</tbody></table>"


def render_html(data: ReportData, images: Mapping[str, bytes]) -> str:
    """The whole report page (self-contained: CSS inline, charts as data URIs)."""
    s = data.summary
    sends = f"{s.sends:,}" if s.sends is not None else "unknown"
    suppressions = data.suppressions
    charts = "".join(
        f'<img alt="{escape(name)} chart" src="data:image/png;base64,{base64.b64encode(png).decode()}">'
        for name, png in images.items()
    )
    parts = [
        "<!DOCTYPE html>",
        '<html lang="en"><head><meta charset="utf-8">',
        '<meta name="viewport" content="width=device-width, initial-scale=1">',
        f"<title>{escape(data.title)}</title><style>{_CSS}</style></head><body>",
        f"<h1>{escape(data.title)}</h1>",
        f'<p class="muted">{s.rows:,} events from {s.messages:,} messages to {s.recipients:,} recipients, '
        f"{escape(_when(s.first))} to {escape(_when(s.last))}. Generated {escape(_when(data.generated))}.</p>",
        f"<h2>Status: {_badge(s.status)}</h2>",
        f"<p>Sends: <strong>{sends}</strong> ({escape(s.rate_note)}).</p>",
        _rates_table(s),
        "<h2>What to do next</h2><ol>" + "".join(f"<li>{escape(a)}</li>" for a in data.advice) + "</ol>",
        "<h2>Charts</h2>",
        charts,
        "<h2>Events by category</h2>",
        html_table(["category", "events"], s.by_category.items()),
        "<h2>Events by type</h2>",
        html_table(["event type", "events"], s.by_event_type.items()),
        "<h2>Recipient domains: rates (most bounces and complaints first)</h2>",
        _domain_rates_table(data.domain_rates.head(DOMAIN_ROWS)),
        "<h2>Time from send to bounce</h2>",
        _send_to_bounce(data.send_to_bounce),
        "<h2>Complaints by feedback type</h2>",
        _frame_table(data.feedback_types, "feedback type"),
        "<h2>Delivery delays by type</h2>",
        _frame_table(data.delay_types, "delay type"),
        "<h2>Top bounce diagnostics</h2>",
        '<p class="muted">Addresses in diagnostic codes are shown as &lt;address&gt;.</p>',
        _frame_table(data.diagnostics),
        "<h2>Subjects (by bounces and complaints)</h2>",
        _frame_table(data.subjects, "subject"),
        f"<h2>Suppression list: {len(suppressions):,} address(es)</h2>",
        f'<p>The full list is in <a href="{SUPPRESSIONS_NAME}"><code>{SUPPRESSIONS_NAME}</code></a>'
        + (f"; the first {PREVIEW_ROWS} are shown.</p>" if len(suppressions) > PREVIEW_ROWS else ".</p>"),
        _frame_table(suppressions.loc[:, SUPPRESSION_COLUMNS].head(PREVIEW_ROWS)),
        _load_notes(data.load),
        "</body></html>",
    ]
    return "\n".join(parts) + "\n"


def _domain_rates_table(table: pd.DataFrame) -> str:
    """Counts with their rate beside them (``n/a`` where sends cannot be known)."""
    headers = ["domain", "sends", "hard bounces", "rate", "soft bounces", "rate", "complaints", "rate"]
    sends = ["n/a" if pd.isna(v) else int(v) for v in table["sends"].tolist()]
    columns = [table.index.tolist(), sends]
    for count, rate in (("hard_bounces", "bounce_rate"), ("soft_bounces", "soft_bounce_rate"),
                        ("complaints", "complaint_rate")):  # fmt: skip
        columns += [[int(v) for v in table[count].tolist()], [_rate(v) for v in table[rate].tolist()]]
    return html_table(headers, list(zip(*columns, strict=True)))


def _rate(value: object) -> str:
    return pct(float(value)) if isinstance(value, int | float) and not pd.isna(value) else "n/a"


def duration(value: object) -> str:
    """A timedelta as ``850 ms``, ``12 s``, ``4 min 5 s``, ``3 h 20 min`` or ``2 d 4 h``."""
    if not isinstance(value, pd.Timedelta) or pd.isna(value):
        return "n/a"
    seconds = value.total_seconds()
    if seconds < 1:
        return f"{seconds * 1000:.0f} ms"
    whole = int(seconds)
    for unit, size, small, small_size in (
        ("d", 86400, "h", 3600),
        ("h", 3600, "min", 60),
        ("min", 60, "s", 1),
    ):
        if whole >= size:
            return f"{whole // size} {unit} {whole % size // small_size} {small}"
    return f"{seconds:.0f} s"


def _send_to_bounce(table: pd.DataFrame) -> str:
    headers = ["bounce category", "bounces", "with a send time", "median", "90th percentile", "longest"]
    columns = [table.index.tolist(), *(table[c].astype("int64").tolist() for c in ("bounces", "timed"))]
    columns += [[duration(v) for v in table[c].tolist()] for c in ("median", "p90", "longest")]
    rows = list(zip(*columns, strict=True))
    note = ""
    if len(table) and int(table["timed"].sum()) == 0:
        note = (
            '<p class="muted">No bounce has a send time: publish Send events with a configuration set '
            "(event publishing) to measure how long after sending each bounce came.</p>"
        )
    return html_table(headers, rows) + note


def _load_notes(load: LoadNotes) -> str:
    notes = [f"{load.duplicates:,} duplicate rows dropped", f"{load.rejected:,} records rejected"]
    if load.control:
        notes.append("control messages: " + ", ".join(f"{k} {v}" for k, v in sorted(load.control.items())))
    return '<p class="muted">Load: ' + escape("; ".join(notes)) + ".</p>"
