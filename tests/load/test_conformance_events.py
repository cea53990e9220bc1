"""Every real SES payload in ../shared/conformance/ses yields exactly its expected rows."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from sesops import read_events
from tests.conftest import conformance_root

ROOT = conformance_root()
EXPECTED: dict[str, list[dict[str, str]]] = (
    json.loads((ROOT / "expected_events.json").read_text()) if ROOT is not None else {}
)


@pytest.mark.skipif(ROOT is None, reason="no conformance corpus (../shared/conformance)")
@pytest.mark.parametrize("name", sorted(EXPECTED))
def test_conformance_file_yields_expected_rows(name: str) -> None:
    assert ROOT is not None
    df = read_events(ROOT / "ses" / name, errors="raise")
    expected = EXPECTED[name]
    columns = sorted({key for row in expected for key in row})
    got = [
        {key: (None if isinstance(value, float) else value) for key, value in row.items()}
        for row in df[columns].astype(object).to_dict("records")
    ]
    want = [{key: row.get(key) for key in columns} for row in expected]
    assert sorted(got, key=repr) == sorted(want, key=repr)


@pytest.mark.skipif(ROOT is None, reason="no conformance corpus (../shared/conformance)")
def test_every_conformance_file_has_an_expectation() -> None:
    assert ROOT is not None
    assert sorted(p.name for p in Path(ROOT / "ses").glob("*.json")) == sorted(EXPECTED)
