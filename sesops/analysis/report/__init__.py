"""The report: PNG charts, the canonical suppression CSV, and a self-contained ``report.html``.

:func:`write_report` computes everything once (:func:`~sesops.analysis.report.data.build_report_data`),
then renders it: the charts (:mod:`~sesops.analysis.report.charts`) and the page
(:mod:`~sesops.analysis.report.page`) read the same :class:`ReportData`.
"""

from __future__ import annotations

import os
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path

import pandas as pd

from sesops.analysis.rates import Thresholds
from sesops.analysis.report.charts import render_charts
from sesops.analysis.report.data import SUPPRESSIONS_NAME, ReportData, build_report_data, pct
from sesops.analysis.report.page import render_html
from sesops.analysis.suppress import SuppressionPolicy, write_suppression_csv

__all__ = [
    "HTML_NAME",
    "SUPPRESSIONS_NAME",
    "ReportData",
    "ReportPaths",
    "build_report_data",
    "pct",
    "write_report",
]

HTML_NAME = "report.html"


@dataclass(frozen=True, slots=True)
class ReportPaths:
    """Where :func:`write_report` wrote each file."""

    out_dir: Path
    html: Path
    suppressions: Path
    data: ReportData  # what the files show
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
    data = build_report_data(df, policy=policy, title=title, now=now, sends=sends, thresholds=thresholds)
    csv_path = write_suppression_csv(data.suppressions, out / SUPPRESSIONS_NAME)
    images = render_charts(data)
    charts: dict[str, Path] = {}
    for name, png in images.items():
        charts[name] = path = out / f"{name}.png"
        path.write_bytes(png)
    html_path = out / HTML_NAME
    html_path.write_text(render_html(data, images), encoding="utf-8")
    return ReportPaths(out_dir=out, html=html_path, suppressions=csv_path, data=data, charts=charts)
