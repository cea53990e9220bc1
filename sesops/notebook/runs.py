"""Runs as records: execute a notebook with parameters (papermill) and keep the executed copy.

``sesops notebook run 01_setup_topic_and_subscription -p region eu-west-1`` writes
``runs/20250301T101500Z_01_setup_topic_and_subscription.ipynb`` (every output, the injected
parameters) and a sidecar ``.json`` beside it; both carry who ran it, where, when, for how long,
with which parameters and sesops version, and how it ended: the audit trail of who provisioned
what, when. papermill (and nbclient) are imported only when a notebook runs.
"""

from __future__ import annotations

import getpass
import json
import os
import platform
import socket
import time
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from sesops.errors import InputError, SesopsError
from sesops.notebook.params import NotebookInfo, coerce_parameters, read_notebook_info

DEFAULT_NOTEBOOKS = Path("notebooks")
DEFAULT_RUNS = Path("runs")
DEFAULT_CELL_TIMEOUT = 600.0  # seconds one cell may run
KERNEL = "python3"
METADATA_KEY = "sesops"
# What the kernel inherits that decides which AWS it reaches (never credentials).
_AWS_CONTEXT = ("AWS_PROFILE", "AWS_REGION", "AWS_DEFAULT_REGION", "AWS_ENDPOINT_URL")
_SKIPPED_TAGS = frozenset({"injected-parameters", "papermill-error-cell-tag"})


class UnknownNotebook(InputError):
    """No notebook of that name; the message lists the ones there are."""


class NotebookFailed(SesopsError):
    """A cell raised (or the kernel died); the record was kept. ``record`` is its path."""

    def __init__(self, message: str, record: RunRecord) -> None:
        super().__init__(message)
        self.record = record


@dataclass(frozen=True)
class RunRecord:
    notebook: Path  # the executed copy
    sidecar: Path  # the same metadata as JSON
    metadata: dict[str, Any]

    @property
    def ok(self) -> bool:
        return bool(self.metadata["status"] == "ok")


def list_notebooks(directory: Path = DEFAULT_NOTEBOOKS) -> list[NotebookInfo]:
    """Every ``*.ipynb`` directly in ``directory``, by name."""
    if not directory.is_dir():
        raise InputError(f"no notebook folder {directory}: run from the repository root or pass --notebooks")
    return [read_notebook_info(path) for path in sorted(directory.glob("*.ipynb"))]


def find_notebook(name: str, directory: Path = DEFAULT_NOTEBOOKS) -> NotebookInfo:
    """The notebook called ``name`` (with or without ``.ipynb``) in ``directory``."""
    stem = name.removesuffix(".ipynb")
    notebooks = list_notebooks(directory)
    for info in notebooks:
        if info.name == stem:
            return info
    available = ", ".join(info.name for info in notebooks) or "none"
    raise UnknownNotebook(f"no notebook {stem!r} in {directory}; available: {available}")


def run_notebook(
    name: str,
    parameters: Mapping[str, Any] | None = None,
    *,
    notebooks: Path = DEFAULT_NOTEBOOKS,
    out: Path = DEFAULT_RUNS,
    cell_timeout: float = DEFAULT_CELL_TIMEOUT,
    now: Callable[[], datetime] | None = None,
) -> RunRecord:
    """Execute notebook ``name`` with ``parameters`` and keep the record in ``out``.

    String values are turned into the type of the parameter's default; an unknown name is
    refused. Raises :class:`NotebookFailed` (record kept) when a cell fails.
    """
    clock = now or (lambda: datetime.now(UTC))
    info = find_notebook(name, notebooks)
    values = coerce_parameters(info, parameters or {})
    started = clock()
    record_path = _record_path(out, info.name, started)
    metadata = _who_and_what(info, values, started)
    began = time.perf_counter()
    error = _execute(info, values, record_path, cell_timeout)
    metadata.update(
        ended_at=_iso(clock()),
        duration_seconds=round(time.perf_counter() - began, 3),
        status="ok" if error is None else "failed",
        error=error,
    )
    record = _write_record(record_path, metadata)
    if error is not None:
        where = f"cell {error['cell']} ({error['first_line']})" if error.get("cell") else "the kernel"
        raise NotebookFailed(
            f"{info.name}: {where} raised {error['ename']}: {error['evalue']}; record: {record.notebook}",
            record,
        )
    return record


def _execute(
    info: NotebookInfo, values: dict[str, Any], record_path: Path, cell_timeout: float
) -> dict[str, Any] | None:
    """Run the notebook into ``record_path``; None if every cell passed, else what failed."""
    import papermill  # type: ignore[import-untyped]
    from papermill.exceptions import PapermillExecutionError  # type: ignore[import-untyped]

    if values and not info.has_parameters_cell:
        raise InputError(f"{info.name} has no cell tagged 'parameters' to take {', '.join(values)}")
    try:
        papermill.execute_notebook(
            str(info.path),
            str(record_path),
            parameters=values,
            kernel_name=KERNEL,
            language="python",
            cwd=str(info.path.parent.resolve()),  # notebooks read ../sample_payloads, as in JupyterLab
            progress_bar=False,
            execution_timeout=cell_timeout,
        )
    except PapermillExecutionError as err:
        return _failed_cell(record_path) or {"ename": err.ename, "evalue": err.evalue}
    except Exception as err:  # kernel died, cell timeout: nbclient's errors, papermill saved what ran
        if not record_path.exists():
            raise
        failed = _failed_cell(record_path) or {}
        return {**failed, "ename": type(err).__name__, "evalue": str(err).strip().splitlines()[0]}
    return None


def _failed_cell(record_path: Path) -> dict[str, Any] | None:
    """The first cell of the source notebook (1-based) whose executed copy holds an error."""
    cells = json.loads(record_path.read_text(encoding="utf-8"))["cells"]
    number = 0
    for cell in cells:
        if _SKIPPED_TAGS & set(cell.get("metadata", {}).get("tags", ())):
            continue
        number += 1
        for output in cell.get("outputs", ()):
            if output.get("output_type") == "error":
                source = "".join(cell.get("source", ())).strip().splitlines()
                return {
                    "cell": number,
                    "first_line": source[0] if source else "",
                    "ename": output.get("ename", ""),
                    "evalue": output.get("evalue", ""),
                }
    return None


def _record_path(out: Path, name: str, started: datetime) -> Path:
    out.mkdir(parents=True, exist_ok=True)
    stem = f"{started.astimezone(UTC):%Y%m%dT%H%M%SZ}_{name}"
    path, n = out / f"{stem}.ipynb", 1
    while path.exists() or path.with_suffix(".json").exists():  # two runs in one second
        n += 1
        path = out / f"{stem}-{n}.ipynb"
    return path


def _who_and_what(info: NotebookInfo, values: dict[str, Any], started: datetime) -> dict[str, Any]:
    from sesops import __version__

    return {
        "notebook": info.name,
        "source": str(info.path.resolve()),
        "parameters": values,
        "started_at": _iso(started),
        "sesops_version": __version__,
        "user": _user(),
        "host": socket.gethostname(),
        "python": platform.python_version(),
        "kernel": KERNEL,
        "aws_environment": {name: os.environ[name] for name in _AWS_CONTEXT if name in os.environ},
    }


def _write_record(record_path: Path, metadata: dict[str, Any]) -> RunRecord:
    """Put ``metadata`` into the executed notebook and beside it as JSON."""
    sidecar = record_path.with_suffix(".json")
    metadata = {**metadata, "record": str(record_path), "sidecar": str(sidecar)}
    text = json.dumps(metadata, indent=2, default=str)
    if record_path.exists():
        nb = json.loads(record_path.read_text(encoding="utf-8"))
        nb["metadata"][METADATA_KEY] = json.loads(text)
        # nbformat's own layout (indent 1, UTF-8 as is), so diffs against other tools stay small
        record_path.write_text(json.dumps(nb, indent=1, ensure_ascii=False) + "\n", encoding="utf-8")
    sidecar.write_text(text + "\n", encoding="utf-8")
    return RunRecord(record_path, sidecar, metadata)


def _user() -> str:
    try:
        return getpass.getuser()
    except (KeyError, OSError):  # no passwd entry and no LOGNAME/USER (some containers)
        return "unknown"


def _iso(moment: datetime) -> str:
    return moment.astimezone(UTC).isoformat(timespec="seconds").replace("+00:00", "Z")
