"""What every panel shares: displaying itself, one-line notices, and small HTML tables.

A panel keeps its ipywidgets container in ``.widget`` and displays as it (``display(panel)``
or a panel as a cell's last expression). Errors sesops raises on purpose are shown by a
:class:`Notice` as one line saying what was wrong and how to fix it, never as a traceback;
anything else is a bug and propagates.
"""

from __future__ import annotations

import html
from collections.abc import Callable, Iterable, Iterator, Sequence
from contextlib import contextmanager
from typing import Any

import ipywidgets as widgets

from sesops.errors import SesopsError

ERROR_COLOR = "#b00020"
INFO_COLOR = "#333333"


class Panel:
    """A group of widgets shown as one; subclasses set ``self.widget``."""

    widget: Any

    def _repr_mimebundle_(self, **kwargs: Any) -> Any:
        return self.widget._repr_mimebundle_(**kwargs)


def one_line(err: BaseException) -> str:
    """The error's message on one line (sesops messages already name the fix)."""
    return " ".join(str(err).split()) or type(err).__name__


class Notice:
    """One line under a panel: the last error (with its fix) or what just happened."""

    def __init__(self) -> None:
        self.widget = widgets.HTML()
        self.text = ""  # the plain text shown, for scripts and tests
        self.is_error = False

    def info(self, text: str) -> None:
        self._show(text, error=False)

    def error(self, err: SesopsError) -> None:
        self._show(one_line(err), error=True)

    def clear(self) -> None:
        self.text, self.is_error = "", False
        self.widget.value = ""

    @contextmanager
    def guard(self) -> Iterator[None]:
        """Show a :class:`SesopsError` raised inside the block here instead of raising it."""
        try:
            yield
        except SesopsError as err:
            self.error(err)

    def _show(self, text: str, *, error: bool) -> None:
        self.text, self.is_error = text, error
        color = ERROR_COLOR if error else INFO_COLOR
        mark = "✗ " if error else ""
        self.widget.value = f'<span style="color:{color}">{mark}{html.escape(text)}</span>'


def html_table(
    headers: Sequence[str],
    rows: Iterable[Sequence[object]],
    *,
    bold: Callable[[Sequence[object]], bool] | None = None,
) -> str:
    """A small left-aligned HTML table; every cell is escaped. Rows ``bold`` accepts are shown
    in bold (e.g. the steps that change something)."""
    style = "padding:2px 10px 2px 0;text-align:left;vertical-align:top"
    head = "".join(f'<th style="{style}">{html.escape(h)}</th>' for h in headers)
    body = []
    for row in rows:
        weight = "font-weight:bold;" if bold is not None and bold(row) else ""
        cells = "".join(f'<td style="{weight}{style}">{html.escape(str(cell))}</td>' for cell in row)
        body.append(f"<tr>{cells}</tr>")
    return f"<table><thead><tr>{head}</tr></thead><tbody>{''.join(body)}</tbody></table>"


def wide(width: str = "95%") -> Any:
    """A layout that lets a text box or list use the cell's width."""
    return widgets.Layout(width=width)
