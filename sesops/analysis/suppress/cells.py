"""Spreadsheet-safe CSV cells (OWASP "CSV injection"), and how to undo the escape.

A spreadsheet runs a cell that begins with ``=``, ``+``, ``-``, ``@``, a tab or a carriage
return as a formula (https://owasp.org/www-community/attacks/CSV_Injection), and an address
such as ``=cmd|'/C calc'!A0@example.com`` is a valid email address. So every cell sesops
writes to a CSV file that begins with one of those characters gets a single quote in front,
as OWASP recommends; so does a cell that already begins with a single quote, which makes the
escape exactly reversible: :func:`unescape_cell` drops one leading quote from any cell that
has one, and gives back the original text. JSON outputs are not escaped (no spreadsheet opens
them). A mailing tool that imports an escaped address sees the quote: the CLI says how many
addresses were escaped so they can be handled by hand, or exported to a JSON format.
"""

from __future__ import annotations

import pandas as pd

#: A cell beginning with any of these is written with a leading single quote.
FORMULA_TRIGGERS: tuple[str, ...] = ("=", "+", "-", "@", "\t", "\r")
ESCAPE = "'"
_ESCAPED_STARTS = (*FORMULA_TRIGGERS, ESCAPE)


def escape_cell(text: str) -> str:
    """``text`` safe to open in a spreadsheet (reversed by :func:`unescape_cell`)."""
    return ESCAPE + text if text.startswith(_ESCAPED_STARTS) else text


def unescape_cell(text: str) -> str:
    """The original text of a cell :func:`escape_cell` wrote."""
    return text[1:] if text.startswith(ESCAPE) else text


def escape_column(values: pd.Series) -> pd.Series:
    """:func:`escape_cell` over a column of text (missing values become empty cells)."""
    text = values.fillna("").astype("str")
    risky = needs_escape(text)
    return text.where(~risky, ESCAPE + text)


def unescape_column(values: pd.Series) -> pd.Series:
    """:func:`unescape_cell` over a column of text."""
    text = values.astype("str")
    return text.where(~text.str.startswith(ESCAPE), text.str.slice(1))


def needs_escape(text: pd.Series) -> pd.Series:
    """Which cells :func:`escape_column` changes."""
    return text.fillna("").astype("str").str.startswith(_ESCAPED_STARTS)
