"""environment.yml stays in step with pyproject.toml (the single source of dependencies)."""

from __future__ import annotations

import re
import tomllib

import yaml
from packaging.requirements import Requirement

from tests.conftest import ROOT

# PyPI name -> conda-forge name, where they differ.
CONDA_NAMES = {"duckdb": "python-duckdb", "matplotlib": "matplotlib-base"}
# Installed by pip from the `-e .[...]` line only (not on conda-forge, or not needed there).
PIP_ONLY: set[str] = set()


def pyproject() -> dict[str, object]:
    return tomllib.loads((ROOT / "pyproject.toml").read_text())


def conda_specs() -> tuple[dict[str, str], list[str]]:
    env = yaml.safe_load((ROOT / "environment.yml").read_text())
    assert env["channels"] == ["conda-forge"]
    specs: dict[str, str] = {}
    pip: list[str] = []
    for dep in env["dependencies"]:
        if isinstance(dep, dict):
            pip.extend(dep["pip"])
            continue
        name, spec = re.match(r"^([A-Za-z0-9_.\-]+)\s*(.*)$", dep).groups()  # type: ignore[union-attr]
        specs[name.lower()] = spec
    return specs, pip


def test_python_version_matches() -> None:
    specs, _ = conda_specs()
    assert specs["python"] == "=3.11"
    assert pyproject()["project"]["requires-python"] == ">=3.11"  # type: ignore[index]


def test_pip_section_installs_the_project_with_extras() -> None:
    _, pip = conda_specs()
    assert pip == ["-e .[notebooks,test]"]
    extras = pyproject()["project"]["optional-dependencies"]  # type: ignore[index]
    assert {"notebooks", "test"} <= set(extras)


def test_every_runtime_notebook_and_test_dependency_is_listed_with_its_bound() -> None:
    specs, _ = conda_specs()
    project = pyproject()["project"]
    requirements = [
        *project["dependencies"],  # type: ignore[index]
        *project["optional-dependencies"]["notebooks"],  # type: ignore[index]
        *project["optional-dependencies"]["test"],  # type: ignore[index]
    ]
    for line in requirements:
        req = Requirement(line)
        name = CONDA_NAMES.get(req.name.lower(), req.name.lower())
        if name in PIP_ONLY:
            continue
        assert name in specs, f"{req.name} is in pyproject.toml but not in environment.yml"
        wanted = str(req.specifier)
        if wanted:
            got = ",".join(sorted(specs[name].replace(" ", "").split(",")))
            assert got == ",".join(sorted(wanted.split(","))), (
                f"{name}: environment.yml says {specs[name]!r}, pyproject {wanted!r}"
            )
        for extra in req.extras:  # moto[server] pulls flask and flask-cors
            if req.name == "moto" and extra == "server":
                assert {"flask", "flask-cors"} <= set(specs)


def test_nothing_in_environment_yml_is_unknown_to_pyproject() -> None:
    specs, _ = conda_specs()
    project = pyproject()["project"]
    names = {
        CONDA_NAMES.get(Requirement(line).name.lower(), Requirement(line).name.lower())
        for line in [
            *project["dependencies"],  # type: ignore[index]
            *(line for group in project["optional-dependencies"].values() for line in group),  # type: ignore[index]
        ]
    }
    allowed = names | {"python", "pip", "flask", "flask-cors"}
    assert set(specs) <= allowed, set(specs) - allowed
