"""The log loader: paths, uploaded files and/or a capture store -> the events DataFrame."""

from __future__ import annotations

import tempfile
from collections.abc import Callable, Iterable, Mapping
from pathlib import Path
from typing import Any

import ipywidgets as widgets
import pandas as pd

from sesops.errors import InputError
from sesops.load.reader import read_events
from sesops.widgets.base import Notice, Panel, wide

Reader = Callable[..., pd.DataFrame]  # sesops.load.reader.read_events
ACCEPTED = ".json,.jsonl,.ndjson,.gz"


def split_paths(text: str) -> list[str]:
    """One path per line (blank lines skipped); a path may contain spaces."""
    return [line.strip() for line in text.splitlines() if line.strip()]


def save_uploads(uploads: Iterable[Mapping[str, Any]], folder: Path) -> list[Path]:
    """Write ipywidgets ``FileUpload`` values into ``folder``, keeping each name's suffixes
    (the loader reads ``.jsonl.gz`` and ``.json`` differently)."""
    saved = []
    for index, upload in enumerate(uploads, start=1):
        name = Path(str(upload["name"])).name or "upload.json"
        path = folder / f"{index}-{name}"
        path.write_bytes(bytes(upload["content"]))
        saved.append(path)
    return saved


def load_summary(frame: pd.DataFrame) -> str:
    attrs = frame.attrs
    text = f"{len(frame):,} events (one per recipient) from {attrs.get('messages', 0):,} messages"
    if attrs.get("duplicates"):
        text += f"; {attrs['duplicates']:,} repeats dropped"
    if attrs.get("rejected"):
        first = attrs["rejects"][0]
        where = f"{Path(str(first['source'])).name}:{first['line']}"
        text += f"; {attrs['rejected']:,} bad records skipped (first: {where}: {first['reason']})"
    return text


class LogLoader(Panel):
    """Load ``frame`` from the sources given; listeners (``on_load``) get each new frame."""

    def __init__(self, *, paths: str = "", store: str = "", read: Reader = read_events) -> None:
        self.read = read
        self.frame: pd.DataFrame | None = None
        self._listeners: list[Callable[[pd.DataFrame], object]] = []
        self.paths = widgets.Textarea(
            value=paths,
            description="Paths",
            placeholder="one per line: .json, .jsonl(.gz) files or folders of them",
            layout=wide(),
        )
        self.upload = widgets.FileUpload(accept=ACCEPTED, multiple=True, description="Upload")
        self.store_path = widgets.Text(value=store, description="Store", placeholder="capture.sqlite")
        self.load_button = widgets.Button(description="Load", button_style="primary")
        self.notice = Notice()
        self.widget = widgets.VBox(
            [
                self.paths,
                widgets.HBox([self.upload, self.store_path]),
                widgets.HBox([self.load_button, self.notice.widget]),
            ]
        )
        self.load_button.on_click(lambda _: self.load())

    def on_load(self, callback: Callable[[pd.DataFrame], object]) -> None:
        """Call ``callback(frame)`` after each successful load."""
        self._listeners.append(callback)

    def load(self) -> pd.DataFrame | None:
        """Read every source given; the frame, or None when the notice says what to fix."""
        self.notice.info("loading…")
        with self.notice.guard(), tempfile.TemporaryDirectory(prefix="sesops-upload-") as folder:
            sources: list[str | Path] = [*split_paths(self.paths.value)]
            sources += save_uploads(self.upload.value, Path(folder))
            if self.store_path.value.strip():
                sources.append(self.store_path.value.strip())
            if not sources:
                raise InputError("nothing to load: give a path, upload a file, or name a capture store")
            frame = self.read(*sources)
            self.frame = frame
            self.notice.info(load_summary(frame))
            for callback in self._listeners:
                callback(frame)
            return frame
        return None
