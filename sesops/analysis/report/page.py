"""The report: PNG charts, the canonical suppression CSV, and a self-contained ``report.html``.

Charts are drawn on :class:`matplotlib.figure.Figure` objects with the Agg canvas (no pyplot
state, safe in servers and threads), written as PNG files and embedded in the HTML as base64,
so ``report.html`` can be mailed alone. Every value from the data is escaped.
"""

from __future__ import annotations

import base64
import io
import os
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime
from html import escape
from pathlib import Path

import pandas as pd
from matplotlib.axes import Axes
from matplotlib.backends.backend_agg import FigureCanvasAgg
from matplotlib.figure import Figure

from sesops.analysis import plots
from sesops.analysis.rates import Summary, Thresholds, breakdown, by_domain, summarize, top_diagnostics
from sesops.analysis.suppress import SuppressionPolicy, build_suppression_list, write_suppression_csv

SUPPRESSIONS_NAME = "suppressions.csv"
HTML_NAME = "report.html"
PREVIEW_ROWS = 20

_CHARTS: dict[str, tuple[Callable[..., Axes], tuple[float, float]]] = {
    "categories": (plots.plot_categories, (7.0, 4.0)),
    "daily_rates": (plots.plot_daily_rates, (8.0, 4.0)),
    "daily_counts": (plots.plot_daily_counts, (8.0, 4.0)),
    "bounce_types": (plots.plot_bounce_types, (7.5, 4.0)),
    "domains": (plots.plot_domains, (7.5, 4.5)),
}


@dataclass(frozen=True, slots=True)
class ReportPaths:
    """Where :func:`write_report` wrote each file."""

    out_dir: Path
    html: Path
    suppressions: Path
    charts: dict[str, Path] = field(default_factory=dict)


def write_report(
    df: pd.DataFrame,
    out_dir: str | os.PathLike[str],
    *,
    policy: SuppressionPolicy | None = None,
    title: str = "SES feedback report",
    now: datetime | None = None,
    sends: int | None = None,
    thresholds: Thresholds | None = None,
) -> ReportPaths:
    """Write charts, ``suppressions.csv`` and ``report.html`` into ``out_dir`` (created if needed).

    ``now`` dates the report and is the suppression list's "as of" (default: the current time);
    ``sends`` and ``thresholds`` go to :func:`~sesops.analysis.rates.summarize`.
    """
    out = Path(out_dir)
    out.mkdir(parents=True, exist_ok=True)
    policy = policy or SuppressionPolicy()
    generated = now or datetime.now(UTC)
    summary = summarize(df, sends=sends, thresholds=thresholds)
    suppressions = build_suppression_list(df, policy, now=now)
    csv_path = write_suppression_csv(suppressions, out / SUPPRESSIONS_NAME)

    charts: dict[str, Path] = {}
    images: dict[str, bytes] = {}
    for name, (draw, size) in _CHARTS.items():
        png = render_png(draw, df, size)
        path = out / f"{name}.png"
        path.write_bytes(png)
        charts[name], images[name] = path, png

    advice = recommendations(summary, suppressions, df)
    page = render_html(df, summary, suppressions, images, advice, title=title, generated=generated)
    html_path = out / HTML_NAME
    html_path.write_text(page, encoding="utf-8")
    return ReportPaths(out_dir=out, html=html_path, suppressions=csv_path, charts=charts)


def render_png(
    draw: Callable[..., Axes], df: pd.DataFrame, size: tuple[float, float], dpi: int = 100
) -> bytes:
    """One chart as PNG bytes, drawn on a Figure of its own (no pyplot)."""
    fig = Figure(figsize=size, dpi=dpi)
    FigureCanvasAgg(fig)
    draw(df, ax=fig.add_subplot())
    fig.tight_layout()
    buffer = io.BytesIO()
    fig.savefig(buffer, format="png")
    return buffer.getvalue()


def pct(rate: float | None) -> str:
    """A fraction as a percentage with no trailing zeros: 0.061 -> ``6.1 %``, 0.0008 -> ``0.08 %``."""
    if rate is None:
        return "n/a"
    text = f"{rate * 100:.2f}".rstrip("0").rstrip(".")
    return f"{text} %"


def recommendations(summary: Summary, suppressions: pd.DataFrame, df: pd.DataFrame) -> list[str]:
    """What to do next, most urgent first, derived from the numbers (plain text)."""
    t = summary.thresholds
    out: list[str] = []
    csv = SUPPRESSIONS_NAME
    if summary.rate_basis == "unavailable" and summary.rows:
        out.append(
            "Rates cannot be computed: this feed has bounces and complaints but no Send or Delivery "
            "events. Enable Delivery notifications for the identity, or publish Send events with a "
            "configuration set, or pass the number of sends from the SES console."
        )
    bounce, status = summary.bounce_rate, summary.bounce_status
    if status == "pause":
        out.append(
            f"Bounce rate {pct(bounce)} is at or over the {pct(t.bounce_pause)} level where SES may pause "
            f"sending: stop campaigns, import {csv} into your mailing tool and clean the list before sending again."
        )
    elif status == "review":
        out.append(
            f"Bounce rate {pct(bounce)} is over the {pct(t.bounce_review)} review threshold: import {csv} "
            "into your mailing tool and clean the list."
        )
    elif status == "warning":
        out.append(
            f"Bounce rate {pct(bounce)} is above the {pct(t.bounce_warning)} AWS recommends: import {csv} "
            "and check how addresses are collected (confirmed opt-in catches typos)."
        )
    complaint, status = summary.complaint_rate, summary.complaint_status
    if status in ("pause", "review"):
        level = t.complaint_pause if status == "pause" else t.complaint_review
        out.append(
            f"Complaint rate {pct(complaint)} is over the {pct(level)} {'pause' if status == 'pause' else 'review'} "
            f"threshold: suppress complainers ({csv}), mail only people who opted in, and add a "
            "one-click List-Unsubscribe header."
        )
    elif status == "warning":
        out.append(
            f"Complaint rate {pct(complaint)} is approaching the {pct(t.complaint_review)} review threshold: "
            "check who is being mailed and make unsubscribing easy."
        )
    if len(suppressions):
        kinds = suppressions["category"].value_counts()
        parts = ", ".join(f"{int(n)} {str(k).replace('_', ' ')}" for k, n in kinds.items())
        out.append(
            f"{len(suppressions)} address(es) to suppress ({parts}): import {csv} into your mailing tool."
        )
    out.extend(_domain_advice(df, summary))
    rejected = int(df.attrs.get("rejected", 0) or 0)
    if rejected:
        out.append(
            f"{rejected} record(s) could not be read as SES feedback: see df.attrs['rejects'] for why."
        )
    if not out and not summary.rows:
        out.append("No feedback events were loaded: check the source path and df.attrs['rejects'].")
    elif not out:
        out.append(
            "Rates are within SES's thresholds and nothing needs suppressing. "
            f"Keep importing {csv} after each send."
        )
    return out


def _domain_advice(df: pd.DataFrame, summary: Summary) -> list[str]:
    """Domains that bounce and never accept mail: usually sign-up typos (gmial.com)."""
    if summary.rate_basis not in ("send_events", "inferred"):
        return []
    table = by_domain(df, top=len(df) or 1, sort_by="hard_bounce")
    if "hard_bounce" not in table.columns:
        return []
    delivered = table["delivery"] if "delivery" in table.columns else pd.Series(0, index=table.index)
    dead = table.loc[(table["hard_bounce"] > 0) & (delivered == 0)].head(5)
    if dead.empty:
        return []
    names = ", ".join(str(d) for d in dead.index)
    return [
        f"Nothing was delivered to {names}, only hard bounces: likely mistyped domains. "
        "Validate addresses at sign-up (confirmed opt-in) rather than mailing them."
    ]


# --- HTML ---------------------------------------------------------------------------------

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


def render_html(
    df: pd.DataFrame,
    summary: Summary,
    suppressions: pd.DataFrame,
    images: dict[str, bytes],
    advice: list[str],
    *,
    title: str,
    generated: datetime,
) -> str:
    """The whole report page (self-contained: CSS inline, charts as data URIs)."""
    s = summary
    sends = f"{s.sends:,}" if s.sends is not None else "unknown"
    domains = by_domain(df, top=10, sort_by="problems")
    subjects = breakdown(df, "subject", top=10, sort_by="problems")
    diagnostics = top_diagnostics(df, 10)
    preview = suppressions.loc[
        :, ["email", "reason", "category", "events", "last_seen", "rule", "last_diagnostic"]
    ]
    charts = "".join(
        f'<img alt="{escape(name)} chart" src="data:image/png;base64,{base64.b64encode(png).decode()}">'
        for name, png in images.items()
    )
    parts = [
        "<!DOCTYPE html>",
        '<html lang="en"><head><meta charset="utf-8">',
        '<meta name="viewport" content="width=device-width, initial-scale=1">',
        f"<title>{escape(title)}</title><style>{_CSS}</style></head><body>",
        f"<h1>{escape(title)}</h1>",
        f'<p class="muted">{s.rows:,} events from {s.messages:,} messages to {s.recipients:,} recipients, '
        f"{escape(_when(s.first))} to {escape(_when(s.last))}. Generated {escape(_when(generated))}.</p>",
        f"<h2>Status: {_badge(s.status)}</h2>",
        f"<p>Sends: <strong>{sends}</strong> ({escape(s.rate_note)}).</p>",
        _rates_table(s),
        "<h2>What to do next</h2><ol>" + "".join(f"<li>{escape(a)}</li>" for a in advice) + "</ol>",
        "<h2>Charts</h2>",
        charts,
        "<h2>Events by category</h2>",
        html_table(["category", "events"], s.by_category.items()),
        "<h2>Events by type</h2>",
        html_table(["event type", "events"], s.by_event_type.items()),
        "<h2>Top recipient domains (by bounces and complaints)</h2>",
        _frame_table(domains, "domain"),
        "<h2>Top bounce diagnostics</h2>",
        '<p class="muted">Addresses in diagnostic codes are shown as &lt;address&gt;.</p>',
        _frame_table(diagnostics),
        "<h2>Subjects (by bounces and complaints)</h2>",
        _frame_table(subjects, "subject"),
        f"<h2>Suppression list: {len(suppressions):,} address(es)</h2>",
        f'<p>The full list is in <a href="{SUPPRESSIONS_NAME}"><code>{SUPPRESSIONS_NAME}</code></a>'
        + (f"; the first {PREVIEW_ROWS} are shown.</p>" if len(suppressions) > PREVIEW_ROWS else ".</p>"),
        _frame_table(preview.head(PREVIEW_ROWS)),
        _load_notes(df),
        "</body></html>",
    ]
    return "\n".join(parts) + "\n"


def _load_notes(df: pd.DataFrame) -> str:
    attrs = df.attrs
    notes = [
        f"{int(attrs.get('duplicates', 0) or 0):,} duplicate rows dropped",
        f"{int(attrs.get('rejected', 0) or 0):,} records rejected",
    ]
    control = attrs.get("control") or {}
    if control:
        notes.append("control messages: " + ", ".join(f"{k} {v}" for k, v in sorted(control.items())))
    return '<p class="muted">Load: ' + escape("; ".join(notes)) + ".</p>"
