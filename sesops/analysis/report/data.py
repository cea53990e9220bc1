"""Everything the report shows, computed once from the events table (pure, pandas only).

:func:`build_report_data` runs every calculation — the summary, daily table, breakdowns,
domain counts and rates, send-to-bounce times, complaint feedback and delay types,
diagnostics, suppression list and recommendations — into one
:class:`ReportData`; the PNG charts (:mod:`~sesops.analysis.report.charts`) and the HTML page
(:mod:`~sesops.analysis.report.page`) only render it.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import UTC, datetime

import pandas as pd

from sesops.analysis.breakdowns import (
    delay_summary,
    delay_types,
    domain_rates,
    feedback_types,
    send_to_bounce,
)
from sesops.analysis.rates import (
    RateBasis,
    Summary,
    Thresholds,
    bounce_breakdown,
    breakdown,
    crosstab,
    daily,
    sent_pairs,
    summarize,
    top_diagnostics,
    top_of,
)
from sesops.analysis.suppress import SuppressionPolicy, build_suppression_list

SUPPRESSIONS_NAME = "suppressions.csv"
TOP = 10  # rows of the subject and diagnostic tables


@dataclass(frozen=True, slots=True)
class LoadNotes:
    """What loading the events dropped (from ``df.attrs``)."""

    duplicates: int = 0
    rejected: int = 0
    control: dict[str, int] = field(default_factory=dict)  # SNS control messages by type

    @classmethod
    def of(cls, df: pd.DataFrame) -> LoadNotes:
        attrs = df.attrs
        control = attrs.get("control") or {}
        return cls(
            duplicates=int(attrs.get("duplicates", 0) or 0),
            rejected=int(attrs.get("rejected", 0) or 0),
            control=dict(control),
        )


@dataclass(frozen=True, slots=True)
class ReportData:
    """What the report shows; every renderer reads it, none computes."""

    title: str
    generated: datetime
    summary: Summary
    feed_basis: RateBasis  # what the events alone allow (the daily rates chart), whatever sends= says
    daily: pd.DataFrame  # rates.daily
    bounce_types: pd.DataFrame  # rates.bounce_breakdown
    domains: pd.DataFrame  # every recipient domain, most bounces and complaints first
    domain_rates: pd.DataFrame  # breakdowns.domain_rates: sends, bounces, complaints and their rates
    send_to_bounce: pd.DataFrame  # breakdowns.delay_summary: per bounce category
    feedback_types: pd.DataFrame  # breakdowns.feedback_types
    delay_types: pd.DataFrame  # breakdowns.delay_types
    subjects: pd.DataFrame  # the TOP subjects, most bounces and complaints first
    diagnostics: pd.DataFrame  # the TOP bounce diagnostics
    suppressions: pd.DataFrame  # suppress.build_suppression_list
    advice: list[str]
    load: LoadNotes


def build_report_data(
    df: pd.DataFrame,
    *,
    policy: SuppressionPolicy | None = None,
    title: str = "SES feedback report",
    now: datetime | None = None,
    sends: int | None = None,
    thresholds: Thresholds | None = None,
) -> ReportData:
    """Compute everything the report shows (see :func:`sesops.analysis.report.write_report`)."""
    summary = summarize(df, sends=sends, thresholds=thresholds)
    suppressions = build_suppression_list(df, policy or SuppressionPolicy(), now=now)
    domain_table = crosstab(df, "recipient_domain")
    load = LoadNotes.of(df)
    return ReportData(
        title=title,
        generated=now or datetime.now(UTC),
        summary=summary,
        feed_basis=summary.rate_basis if summary.rate_basis != "given" else sent_pairs(df)[0],
        daily=daily(df),
        bounce_types=bounce_breakdown(df),
        domains=top_of(domain_table, "problems"),
        domain_rates=domain_rates(df),
        send_to_bounce=delay_summary(send_to_bounce(df)),
        feedback_types=feedback_types(df),
        delay_types=delay_types(df),
        subjects=breakdown(df, "subject", top=TOP, sort_by="problems"),
        diagnostics=top_diagnostics(df, TOP),
        suppressions=suppressions,
        advice=recommendations(summary, suppressions, domain_table, load.rejected),
        load=load,
    )


def pct(rate: float | None) -> str:
    """A fraction as a percentage with no trailing zeros: 0.061 -> ``6.1 %``, 0.0008 -> ``0.08 %``."""
    if rate is None:
        return "n/a"
    text = f"{rate * 100:.2f}".rstrip("0").rstrip(".")
    return f"{text} %"


def recommendations(
    summary: Summary, suppressions: pd.DataFrame, domains: pd.DataFrame, rejected: int = 0
) -> list[str]:
    """What to do next, most urgent first, derived from the numbers (plain text).

    ``domains`` is the recipient-domain :func:`~sesops.analysis.rates.crosstab`; ``rejected``
    the number of records loading could not read.
    """
    csv = SUPPRESSIONS_NAME
    out: list[str] = []
    if summary.rate_basis == "unavailable" and summary.rows:
        out.append(
            "Rates cannot be computed: this feed has bounces and complaints but no Send or Delivery "
            "events. Enable Delivery notifications for the identity, or publish Send events with a "
            "configuration set, or pass the number of sends from the SES console."
        )
    out.extend(_rate_advice(summary))
    if len(suppressions):
        kinds = suppressions["category"].value_counts()
        parts = ", ".join(f"{int(n)} {str(k).replace('_', ' ')}" for k, n in kinds.items())
        out.append(
            f"{len(suppressions)} address(es) to suppress ({parts}): import {csv} into your mailing tool."
        )
    out.extend(_domain_advice(domains, summary))
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


def _rate_advice(summary: Summary) -> list[str]:
    """What the bounce and complaint statuses call for."""
    t, csv = summary.thresholds, SUPPRESSIONS_NAME
    out: list[str] = []
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
    return out


def _domain_advice(domains: pd.DataFrame, summary: Summary) -> list[str]:
    """Domains that bounce and never accept mail: usually sign-up typos (gmial.com)."""
    if summary.rate_basis not in ("send_events", "inferred"):
        return []
    table = top_of(domains, "hard_bounce")
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
