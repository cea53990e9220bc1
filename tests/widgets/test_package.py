"""The package: lazy public names, and a clear refusal without the notebooks extra."""

from __future__ import annotations

import importlib
import sys

import pytest

import sesops.widgets
from sesops.errors import MissingExtra


def test_every_public_name_resolves() -> None:
    for name in sesops.widgets.__all__:
        assert getattr(sesops.widgets, name).__name__ == name
    with pytest.raises(AttributeError, match="no attribute 'Nope'"):
        sesops.widgets.Nope  # noqa: B018


def test_without_ipywidgets_the_import_names_the_notebooks_extra(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setitem(sys.modules, "ipywidgets", None)  # what an environment without it looks like
    for name in [m for m in sys.modules if m == "sesops.widgets" or m.startswith("sesops.widgets.")]:
        monkeypatch.delitem(sys.modules, name)
    with pytest.raises(
        MissingExtra, match=r"needs the 'notebooks' extra: pip install 'sesops\[notebooks\]'"
    ) as err:
        importlib.import_module("sesops.widgets")
    assert (err.value.extra, err.value.module) == ("notebooks", "ipywidgets")
