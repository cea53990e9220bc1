"""Log loader: paths, uploads and the capture store into one frame, handed to the explorer."""

from __future__ import annotations

import json
from datetime import UTC, datetime
from pathlib import Path

import pandas as pd

from sesops.capture.store import CaptureStore
from sesops.load.reader import read_events
from sesops.widgets.explorer import ChartExplorer
from sesops.widgets.loader import LogLoader, save_uploads, split_paths
from tests.conftest import SAMPLES
from tests.payloads import bounce, complaint, envelope

EXPORT = SAMPLES / "logs" / "feedback-export.jsonl"
SMALL_GZ = SAMPLES / "logs" / "feedback-small.jsonl.gz"


def upload(path: Path) -> dict[str, object]:
    """What ipywidgets 8's FileUpload holds for one file."""
    content = path.read_bytes()
    return {
        "name": path.name,
        "type": "",
        "size": len(content),
        "content": memoryview(content),
        "last_modified": datetime.now(UTC),
    }


def test_split_paths_takes_one_path_per_line() -> None:
    assert split_paths(" a.jsonl \n\n/tmp/my logs/b.json\n") == ["a.jsonl", "/tmp/my logs/b.json"]


def test_uploads_keep_their_suffixes(tmp_path: Path) -> None:
    (saved,) = save_uploads([upload(SMALL_GZ)], tmp_path)
    assert saved.name == "1-feedback-small.jsonl.gz" and saved.read_bytes() == SMALL_GZ.read_bytes()


def test_paths_uploads_and_a_store_load_together_and_listeners_get_the_frame(tmp_path: Path) -> None:
    with CaptureStore(tmp_path / "c.sqlite") as store:
        store.add(
            json.dumps(envelope(bounce("x@stored.example"), message_id="s1")), channel="sqs", verified=False
        )
    loader = LogLoader(paths=f"{EXPORT}\n", store=str(tmp_path / "c.sqlite"))
    loader.upload.value = (upload(SMALL_GZ),)
    frames: list[pd.DataFrame] = []
    loader.on_load(frames.append)

    loader.load_button.click()

    assert loader.frame is not None and frames == [loader.frame]
    expected = read_events(EXPORT, SMALL_GZ, tmp_path / "c.sqlite")
    assert len(loader.frame) == len(expected) and "x@stored.example" in set(loader.frame["email"])
    assert loader.notice.text.startswith(f"{len(loader.frame):,} events (one per recipient) from ")
    assert not loader.notice.is_error


def test_nothing_to_load_says_what_to_give() -> None:
    loader = LogLoader()
    assert loader.load() is None
    assert loader.notice.is_error and loader.notice.text.startswith("nothing to load: give a path")


def test_a_missing_path_is_one_line_in_the_panel(tmp_path: Path) -> None:
    loader = LogLoader(paths=str(tmp_path / "nope.jsonl"))
    assert loader.load() is None and loader.frame is None
    assert loader.notice.is_error and "nope.jsonl" in loader.notice.text


def test_bad_records_are_counted_in_the_summary(tmp_path: Path) -> None:
    path = tmp_path / "mixed.jsonl"
    path.write_text(json.dumps(complaint()) + "\n" + "{not json\n")
    loader = LogLoader(paths=str(path))
    frame = loader.load()
    assert frame is not None and len(frame) == 1
    assert loader.notice.text.endswith(
        "1 bad records skipped (first: mixed.jsonl:2: not JSON (unexpected character, expected a string key))"
    )


def test_a_loaded_frame_goes_to_the_chart_explorer(tmp_path: Path) -> None:
    explorer = ChartExplorer(charts=(("count", lambda df, ax: ax),))
    loader = LogLoader(paths=str(EXPORT))
    loader.on_load(explorer.set_frame)
    loader.load()
    assert loader.frame is not None and len(explorer.charted) == len(loader.frame) > 0
