"""A notebook's parameters cell, read without Jupyter; command-line values typed like the defaults."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from sesops.errors import InputError
from sesops.notebook.params import (
    NotebookInfo,
    Parameter,
    coerce,
    coerce_parameters,
    parse_parameters,
    read_notebook_info,
)

CELL = """\
from pathlib import Path

profile = None  # an AWS profile: a real account
region: str = "us-east-1"
messages = 200
rate = 0.05
dry_run = True
domains = ["example.com"]
store = Path("../out/x.sqlite")  # where captures go
"""


def _param(name: str) -> Parameter:
    return {p.name: p for p in parse_parameters(CELL)}[name]


def test_parse_parameters_reads_names_defaults_and_comments() -> None:
    params = parse_parameters(CELL)
    assert [p.name for p in params] == [
        "profile",
        "region",
        "messages",
        "rate",
        "dry_run",
        "domains",
        "store",
    ]
    assert _param("profile").default is None and _param("profile").comment == "an AWS profile: a real account"
    assert _param("region").default == "us-east-1" and _param("region").comment == ""
    assert _param("domains").default == ["example.com"]
    store = _param("store")
    assert (
        not store.literal
        and store.source == 'Path("../out/x.sqlite")'
        and store.comment == "where captures go"
    )


def test_parse_parameters_refuses_broken_python() -> None:
    with pytest.raises(InputError, match=r"nb.ipynb parameters cell: line 1: "):
        parse_parameters("region = ", "nb.ipynb parameters cell")


@pytest.mark.parametrize(
    ("name", "text", "value"),
    [
        ("messages", "500", 500),
        ("rate", "0.1", 0.1),
        ("dry_run", "false", False),
        ("dry_run", "Yes", True),
        ("region", "42", "42"),  # a str default keeps the text
        ("profile", "prod", "prod"),  # None default: a literal, else the text
        ("profile", "None", None),
        ("profile", "none", None),
        ("profile", "false", False),  # `-p http_receiver false` must not become the truthy "false"
        ("profile", "True", True),
        ("profile", "7", 7),
        ("domains", "['a.example', 'b.example']", ["a.example", "b.example"]),
        ("store", "../elsewhere.sqlite", "../elsewhere.sqlite"),
    ],
)
def test_coerce_takes_the_type_of_the_default(name: str, text: str, value: Any) -> None:
    assert coerce(_param(name), text) == value


@pytest.mark.parametrize(
    ("name", "text", "match"),
    [
        ("messages", "many", r"parameter messages: 'many' is not like its default 200"),
        ("rate", "5%", r"parameter rate: '5%' is not like its default 0.05"),
        (
            "dry_run",
            "maybe",
            r"parameter dry_run: 'maybe' is not like its default True \(use true or false\)",
        ),
        ("domains", "{'a': 1}", r"parameter domains: .* \(not a list\)"),
        ("domains", "a.example", r"parameter domains: 'a.example' is not like its default"),
    ],
)
def test_coerce_refusals(name: str, text: str, match: str) -> None:
    with pytest.raises(InputError, match=match):
        coerce(_param(name), text)


def test_coerce_parameters_refuses_unknown_names_and_lists_the_known() -> None:
    info = NotebookInfo("nb", Path("nb.ipynb"), "", parse_parameters(CELL), True)
    assert coerce_parameters(info, {"messages": "3", "rate": 0.5}) == {"messages": 3, "rate": 0.5}
    with pytest.raises(
        InputError, match=r"nb has no parameter 'regoin'; it takes: profile, region, messages"
    ):
        coerce_parameters(info, {"regoin": "eu-west-1"})
    bare = NotebookInfo("bare", Path("bare.ipynb"), "", (), False)
    with pytest.raises(InputError, match=r"bare has no parameter 'x'; it takes: no parameters"):
        coerce_parameters(bare, {"x": "1"})


def test_read_notebook_info(tmp_path: Path) -> None:
    path = tmp_path / "07_thing.ipynb"
    cells = [
        {"cell_type": "markdown", "metadata": {}, "source": ["Intro\n", "# The thing\n"]},
        {"cell_type": "code", "metadata": {"tags": ["parameters"]}, "source": ["region = 'eu-west-1'\n"]},
    ]
    path.write_text(json.dumps({"cells": cells, "metadata": {}, "nbformat": 4, "nbformat_minor": 5}))
    info = read_notebook_info(path)
    assert (info.name, info.title, info.has_parameters_cell) == ("07_thing", "The thing", True)
    assert [(p.name, p.default) for p in info.parameters] == [("region", "eu-west-1")]
    (tmp_path / "broken.ipynb").write_text("{")
    with pytest.raises(InputError, match=r"broken.ipynb: not a readable notebook"):
        read_notebook_info(tmp_path / "broken.ipynb")
