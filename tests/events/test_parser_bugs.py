"""A bug in the parser fails loudly wherever the parser is used; it never becomes a "bad record".

Only :class:`~sesops.errors.RecordError` means a record is bad. Here parts of the parser are
broken on purpose (raising what a real bug would raise), and every caller must let that through.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from pathlib import Path

import pytest

from sesops.capture.drain import classify_body
from sesops.events import parse
from sesops.load.reader import read_events
from tests.payloads import bounce, delivery, envelope


def broken(error: type[Exception]) -> Callable[..., object]:
    def fail(*args: object, **kwargs: object) -> object:
        raise error("a deliberate parser bug")

    return fail


BUGS = [("normalize_email", TypeError), ("ses_rows", KeyError), ("emit_rows", AttributeError)]


@pytest.fixture(params=BUGS, ids=[f"{name}-{error.__name__}" for name, error in BUGS])
def bug(request: pytest.FixtureRequest, monkeypatch: pytest.MonkeyPatch) -> type[Exception]:
    name, error = request.param
    monkeypatch.setattr(parse, name, broken(error))
    return error


def test_read_events_in_memory_raises_the_bug(bug: type[Exception]) -> None:
    with pytest.raises(bug, match="deliberate parser bug"):
        read_events([envelope(bounce())], errors="report")


def test_both_engines_raise_the_bug_on_a_file(bug: type[Exception], tmp_path: Path) -> None:
    path = tmp_path / "feedback.jsonl"
    sqs_dump = {"MessageId": "q-1", "Body": json.dumps(envelope(delivery()))}  # always the parser's
    path.write_text(json.dumps(bounce()) + "\n" + json.dumps(sqs_dump) + "\n")
    for engine in ("python", "duckdb"):
        with pytest.raises(bug, match="deliberate parser bug"):
            read_events(path, engine=engine)  # type: ignore[arg-type]


def test_the_drain_parse_step_raises_the_bug(bug: type[Exception]) -> None:
    with pytest.raises(bug, match="deliberate parser bug"):
        classify_body(json.dumps(envelope(bounce())), verifier=None)


def test_the_typed_fast_path_raises_a_bug_in_the_shared_row_builder(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    monkeypatch.setattr(parse, "normalize_email", broken(TypeError))
    path = tmp_path / "feedback.jsonl"
    path.write_text(json.dumps(envelope(delivery())) + "\n")
    with pytest.raises(TypeError, match="deliberate parser bug"):
        read_events(path, engine="python")


def test_a_bad_record_is_still_a_reject_not_an_error() -> None:
    df = read_events(
        [{"Type": ["Notification"]}, {"Type": "Notification", "Message": 5}, envelope(delivery())]
    )
    assert [r["reason"] for r in df.attrs["rejects"]] == [
        "unknown SNS Type ['Notification']",
        "SNS Notification without a Message",
    ]
    assert classify_body(json.dumps({"Type": {"x": 1}}), verifier=None) == (
        False,
        "unknown SNS Type {'x': 1}",
    )
