"""environment.yml stays in step with pyproject.toml (the single source of dependencies)."""

from __future__ import annotations

import re
import tomllib
from typing import Any

import yaml
from packaging.requirements import Requirement

from tests.conftest import ROOT

# PyPI name -> conda-forge name, where they differ.
CONDA_NAMES = {"duckdb": "python-duckdb", "matplotlib": "matplotlib-base"}
# Installed by pip from the `-e .[...]` line only (not on conda-forge, or not needed there).
PIP_ONLY: set[str] = set()
# Extras for people who develop sesops, not for running it: the environment need not list them.
DEVELOPER_EXTRAS = {"dev"}


def project() -> dict[str, Any]:
    return tomllib.loads((ROOT / "pyproject.toml").read_text())["project"]  # type: ignore[no-any-return]


def extras() -> dict[str, list[str]]:
    return project()["optional-dependencies"]  # type: ignore[no-any-return]


def is_self(line: str) -> bool:
    """`sesops[analysis,sandbox]`: an extra that pulls in other extras."""
    return Requirement(line).name == "sesops"


def expand(extra: str) -> set[str]:
    """The extras ``extra`` installs, itself included (following `sesops[...]` lines)."""
    seen = {extra}
    for line in extras()[extra]:
        if is_self(line):
            for inner in Requirement(line).extras:
                seen |= expand(inner)
    return seen


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
    assert project()["requires-python"] == ">=3.11"


def test_pip_section_installs_the_project_with_every_extra_and_the_tests() -> None:
    _, pip = conda_specs()
    assert pip == ["-e .[all,test]"]
    assert expand("all") | {"test"} | DEVELOPER_EXTRAS == set(extras()), "'all' must pull in every extra"


def test_every_runtime_and_test_dependency_is_listed_with_its_bound() -> None:
    specs, _ = conda_specs()
    requirements = [
        *project()["dependencies"],
        *(line for name, group in extras().items() if name not in DEVELOPER_EXTRAS for line in group),
    ]
    for line in requirements:
        if is_self(line):
            continue
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
    lines = [*project()["dependencies"], *(line for group in extras().values() for line in group)]
    names = {
        CONDA_NAMES.get(Requirement(line).name.lower(), Requirement(line).name.lower())
        for line in lines
        if not is_self(line)
    }
    allowed = names | {"python", "pip", "flask", "flask-cors"}
    assert set(specs) <= allowed, set(specs) - allowed
