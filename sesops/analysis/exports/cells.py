"""Column builders the formats share (pure, vectorised): dates, SMTP codes, JSON text."""

from __future__ import annotations

import numpy as np
import orjson
import pandas as pd

_DAYS = np.array(["Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun"])
_MONTHS = np.array(["Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"])
_SMTP_REPLY = r"\b([45]\d\d)\b"
_NEEDS_JSON_ESCAPE = r"[\x00-\x1f\"\\]"


def rfc2822(stamps: pd.Series) -> pd.Series:
    """UTC times as RFC 2822 dates, ``Sun, 01 Nov 2026 10:00:05 +0000`` (missing: empty).

    English day and month names whatever the locale (``strftime("%a")`` follows it).
    """
    stamps = pd.to_datetime(stamps, utc=True)
    missing = stamps.isna().to_numpy()
    filled = stamps.fillna(pd.Timestamp(0, tz="UTC"))
    text = (
        pd.Series(_DAYS[filled.dt.day_of_week.to_numpy()], index=stamps.index, dtype="str")
        + filled.dt.strftime(", %d ")
        + pd.Series(_MONTHS[filled.dt.month.to_numpy() - 1], index=stamps.index, dtype="str")
        + filled.dt.strftime(" %Y %H:%M:%S +0000")
    )
    return text.where(~missing, "")


def smtp_reply_codes(diagnostics: pd.Series, default: str = "550") -> pd.Series:
    """The SMTP reply code (``550``, ``452``...) each diagnostic quotes first, else ``default``."""
    found = diagnostics.astype("str").str.extract(_SMTP_REPLY, expand=False)
    return found.fillna(default).astype("str")


def one_line(text: pd.Series) -> pd.Series:
    """Text with every run of whitespace (line breaks included) as one space, trimmed."""
    return text.fillna("").astype("str").str.replace(r"\s+", " ", regex=True).str.strip()


def json_strings(values: pd.Series) -> pd.Series:
    """Each value as a JSON string literal (with its quotes), UTF-8 kept as is.

    Values with nothing to escape are quoted by column operations; the rare rest go through
    orjson one by one.
    """
    text = values.fillna("").astype("str")
    plain = '"' + text + '"'
    hard = text.str.contains(_NEEDS_JSON_ESCAPE, regex=True)
    if hard.any():
        plain = plain.where(~hard, text[hard].map(lambda v: orjson.dumps(v).decode()))
    return plain
