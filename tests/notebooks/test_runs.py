"""Runs as records: a tiny notebook through papermill, its record and sidecar, and the CLI's answers."""

from __future__ import annotations

import json
import re
import socket
import subprocess
import sys
from datetime import UTC, datetime
from pathlib import Path

import pytest

from sesops import __version__
from sesops.cli import main
from sesops.errors import InputError
from sesops.notebook.runs import NotebookFailed, UnknownNotebook, list_notebooks, run_notebook

nbformat = pytest.importorskip("nbformat")
pytest.importorskip("papermill")

KERNEL_RUN = pytest.mark.timeout(180)  # one kernel start and a few cells


@pytest.fixture
def notebooks(tmp_path: Path) -> Path:
    folder = tmp_path / "notebooks"
    folder.mkdir()
    parameters = nbformat.v4.new_code_cell('greeting = "hello"\ncount = 2  # how many greetings')
    parameters.metadata["tags"] = ["parameters"]
    nb = nbformat.v4.new_notebook(
        cells=[
            nbformat.v4.new_markdown_cell("# A tiny notebook"),
            parameters,
            nbformat.v4.new_code_cell("print(greeting * count)"),
            nbformat.v4.new_code_cell('assert count < 5, "too many greetings"'),
        ]
    )
    nbformat.write(nb, folder / "tiny.ipynb")
    nbformat.write(nbformat.v4.new_notebook(cells=[nbformat.v4.new_code_cell("1")]), folder / "bare.ipynb")
    return folder


def _outputs(path: Path) -> str:
    nb = nbformat.read(path, as_version=4)
    return "".join(o.get("text", "") for c in nb.cells if c.cell_type == "code" for o in c.outputs)


@KERNEL_RUN
def test_run_keeps_the_executed_copy_with_who_what_when(notebooks: Path, tmp_path: Path) -> None:
    started = datetime(2025, 3, 1, 10, 15, 0, tzinfo=UTC)
    record = run_notebook(
        "tiny", {"count": "3"}, notebooks=notebooks, out=tmp_path / "runs", now=lambda: started
    )
    assert record.ok
    assert record.notebook == tmp_path / "runs" / "20250301T101500Z_tiny.ipynb"
    assert record.sidecar == record.notebook.with_suffix(".json")
    assert "hellohellohello" in _outputs(record.notebook)
    meta = json.loads(record.sidecar.read_text())
    assert meta == record.metadata
    assert meta["parameters"] == {"count": 3}
    assert (meta["notebook"], meta["status"], meta["error"]) == ("tiny", "ok", None)
    assert (meta["started_at"], meta["ended_at"]) == ("2025-03-01T10:15:00Z", "2025-03-01T10:15:00Z")
    assert meta["duration_seconds"] > 0
    assert (meta["sesops_version"], meta["host"]) == (__version__, socket.gethostname())
    assert meta["user"] and meta["python"]
    assert meta["source"] == str((notebooks / "tiny.ipynb").resolve())
    assert meta["aws_environment"]["AWS_DEFAULT_REGION"] == "us-east-1"  # conftest's
    assert not any("KEY" in name or "TOKEN" in name for name in meta["aws_environment"])  # never credentials
    executed = nbformat.read(record.notebook, as_version=4)
    assert executed.metadata["sesops"] == meta
    injected = [c for c in executed.cells if "injected-parameters" in c.metadata.get("tags", [])]
    assert len(injected) == 1 and "count = 3" in injected[0].source

    again = run_notebook("tiny.ipynb", notebooks=notebooks, out=tmp_path / "runs", now=lambda: started)
    assert again.notebook.name == "20250301T101500Z_tiny-2.ipynb"  # same second: never overwritten
    assert again.metadata["parameters"] == {} and "hellohello" in _outputs(again.notebook)


@KERNEL_RUN
def test_failing_cell_keeps_the_record_and_names_the_cell(notebooks: Path, tmp_path: Path) -> None:
    with pytest.raises(NotebookFailed) as failed:
        run_notebook("tiny", {"count": "7"}, notebooks=notebooks, out=tmp_path / "runs")
    record = failed.value.record
    assert str(failed.value) == (
        'tiny: cell 4 (assert count < 5, "too many greetings") raised AssertionError: too many greetings; '
        f"record: {record.notebook}"
    )
    meta = json.loads(record.sidecar.read_text())
    assert meta["status"] == "failed" and meta["parameters"] == {"count": 7}
    assert meta["error"] == {
        "cell": 4,
        "first_line": 'assert count < 5, "too many greetings"',
        "ename": "AssertionError",
        "evalue": "too many greetings",
    }
    assert nbformat.read(record.notebook, as_version=4).metadata["sesops"]["status"] == "failed"


@pytest.mark.parametrize(
    ("name", "parameters", "error", "match"),
    [
        ("nope", {}, UnknownNotebook, r"no notebook 'nope' in .*notebooks; available: bare, tiny"),
        ("tiny", {"cuont": "3"}, InputError, r"tiny has no parameter 'cuont'; it takes: greeting, count"),
        ("tiny", {"count": "three"}, InputError, r"parameter count: 'three' is not like its default 2"),
        ("bare", {"x": "1"}, InputError, r"bare has no parameter 'x'; it takes: no parameters"),
    ],
)
def test_refusals_before_any_kernel_starts(
    notebooks: Path, tmp_path: Path, name: str, parameters: dict[str, str], error: type[Exception], match: str
) -> None:
    with pytest.raises(error, match=match):
        run_notebook(name, parameters, notebooks=notebooks, out=tmp_path / "runs")
    assert not (tmp_path / "runs").exists()


def test_list_notebooks(notebooks: Path, tmp_path: Path) -> None:
    infos = {info.name: info for info in list_notebooks(notebooks)}
    assert infos["tiny"].title == "A tiny notebook"
    assert [(p.name, p.default, p.comment) for p in infos["tiny"].parameters] == [
        ("greeting", "hello", ""),
        ("count", 2, "how many greetings"),
    ]
    with pytest.raises(InputError, match=r"no notebook folder .*missing: run from the repository root"):
        list_notebooks(tmp_path / "missing")


@KERNEL_RUN
def test_cli_run_prints_the_record_and_exits_0(
    notebooks: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    out = tmp_path / "runs"
    assert main(["notebook", "run", "tiny", "--notebooks", str(notebooks), "--out", str(out)]) == 0
    printed = capsys.readouterr().out
    assert re.search(r"tiny ran in \d+\.\d s; record: .*runs/\d{8}T\d{6}Z_tiny\.ipynb", printed)


@KERNEL_RUN
def test_cli_failing_cell_is_one_line_and_exit_1(
    notebooks: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    args = [
        "notebook",
        "run",
        "tiny",
        "--notebooks",
        str(notebooks),
        "--out",
        str(tmp_path / "r"),
        "-p",
        "count",
        "9",
    ]
    assert main(args) == 1
    errors = [
        line for line in capsys.readouterr().err.splitlines() if line.startswith("sesops notebook run:")
    ]
    assert len(errors) == 1
    assert re.fullmatch(
        r"sesops notebook run: tiny: cell 4 \(.*\) raised AssertionError: .*; record: .*\.ipynb", errors[0]
    )


def test_cli_unknown_notebook_exits_2_listing_the_available(
    notebooks: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    assert main(["notebook", "run", "nope", "--notebooks", str(notebooks)]) == 2
    assert "no notebook 'nope'" in capsys.readouterr().err and "available: bare, tiny"


def test_cli_list_shows_parameters(notebooks: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["notebook", "list", "--notebooks", str(notebooks)]) == 0
    printed = capsys.readouterr().out.splitlines()
    assert "tiny  A tiny notebook" in printed
    assert "    -p count 2  # how many greetings" in printed
    assert "    (no cell tagged 'parameters')" in printed


def test_help_does_not_import_papermill_or_nbclient() -> None:
    code = (
        "import sys; from sesops.cli import main\n"
        "try:\n    main(['--help'])\nexcept SystemExit:\n    pass\n"
        "heavy = sorted(m for m in sys.modules if m.split('.')[0] in {'papermill', 'nbclient', 'ipywidgets'})\n"
        "print(heavy)"
    )
    done = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, timeout=60, check=True
    )
    assert done.stdout.strip().splitlines()[-1] == "[]"
