"""Every notebook runs top to bottom headless, against the sandbox with no AWS credentials at all,
and is committed without outputs; some run again with papermill-style parameters."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

nbformat = pytest.importorskip("nbformat")
nbclient = pytest.importorskip("nbclient")

NOTEBOOK_DIR = Path(__file__).resolve().parents[2] / "notebooks"
NOTEBOOKS = sorted(NOTEBOOK_DIR.glob("*.ipynb"))
CELL_TIMEOUT = 120
NOTEBOOK_TIMEOUT = 300  # seconds for a whole notebook: kernel start, sandbox start, every cell
# Extra runs with parameters injected as papermill does (a cell after the one tagged `parameters`).
PARAMETERIZED = {
    "03_capture_and_verify": [{"http_receiver": False, "messages": 20}],  # the queue alone, as on AWS
}


def _cases() -> list[Any]:
    cases = []
    for path in NOTEBOOKS:
        for parameters in [{}, *PARAMETERIZED.get(path.stem, [])]:
            label = path.stem + "".join(f"[{k}={v}]" for k, v in parameters.items())
            cases.append(
                pytest.param(path, parameters, id=label, marks=pytest.mark.timeout(NOTEBOOK_TIMEOUT))
            )
    return cases


@pytest.fixture
def no_aws(monkeypatch: pytest.MonkeyPatch) -> None:
    """The kernel inherits this: no endpoint, no keys, no profile, no instance role; so the sandbox."""
    for name in ("AWS_ACCESS_KEY_ID", "AWS_SECRET_ACCESS_KEY", "AWS_ENDPOINT_URL", "SESOPS_SANDBOX_CERT_DIR"):
        monkeypatch.delenv(name, raising=False)
    monkeypatch.setenv("AWS_EC2_METADATA_DISABLED", "true")


def test_there_are_notebooks() -> None:
    assert NOTEBOOKS, f"no notebooks in {NOTEBOOK_DIR}"


@pytest.mark.parametrize("path", NOTEBOOKS, ids=lambda p: p.name)
def test_committed_without_outputs(path: Path) -> None:
    nb = nbformat.read(path, as_version=4)
    nbformat.validate(nb)
    for index, cell in enumerate(nb.cells):
        if cell.cell_type == "code":
            assert cell.outputs == [], f"cell {index} has outputs: clear them before committing"
            assert cell.execution_count is None, f"cell {index} has an execution count"


@pytest.mark.parametrize("name", sorted(PARAMETERIZED))
def test_parameterized_runs_name_real_parameters(name: str) -> None:
    from sesops.notebook.params import read_notebook_info

    known = {p.name for p in read_notebook_info(NOTEBOOK_DIR / f"{name}.ipynb").parameters}
    for parameters in PARAMETERIZED[name]:
        assert set(parameters) <= known, f"{name} has no parameter {set(parameters) - known}"


@pytest.mark.usefixtures("no_aws")
@pytest.mark.parametrize(("path", "parameters"), _cases())
def test_runs_headless(path: Path, parameters: dict[str, Any]) -> None:
    nb = nbformat.read(path, as_version=4)
    if parameters:
        from papermill.iorw import load_notebook_node
        from papermill.parameterize import parameterize_notebook

        nb = parameterize_notebook(
            load_notebook_node(str(path)), parameters, kernel_name="python3", language="python"
        )
    client = nbclient.NotebookClient(
        nb,
        timeout=CELL_TIMEOUT,
        kernel_name="python3",  # the venv's own kernel: jupyter_client runs it with sys.executable
        resources={"metadata": {"path": str(path.parent)}},  # cwd = notebooks/, as in JupyterLab
        extra_arguments=["--colors=NoColor"],
    )
    client.execute()  # raises CellExecutionError on the first failing cell
    errors = [
        (index, output.get("ename"), output.get("evalue"))
        for index, cell in enumerate(nb.cells)
        if cell.cell_type == "code"
        for output in cell.get("outputs", [])
        if output.get("output_type") == "error"
    ]
    assert errors == []
