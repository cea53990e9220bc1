"""A notebook's parameters: read from its cell tagged ``parameters`` (papermill's convention), and
command-line values (``-p region eu-west-1``) turned into the type of each default. Pure.
"""

from __future__ import annotations

import ast
import json
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from sesops.errors import InputError

PARAMETERS_TAG = "parameters"
_TRUE = frozenset({"true", "yes", "on", "1"})
_FALSE = frozenset({"false", "no", "off", "0"})
_NONE = frozenset({"none", "null"})
_NO_LITERAL = object()


@dataclass(frozen=True)
class Parameter:
    name: str
    default: Any  # the literal value, or _NO_LITERAL's stand-in: see `source`
    source: str  # the default as written in the cell
    comment: str  # the text after `#` on its line, if any

    @property
    def literal(self) -> bool:
        return self.default is not _NO_LITERAL


@dataclass(frozen=True)
class NotebookInfo:
    name: str  # file name without .ipynb
    path: Path
    title: str  # the first Markdown heading
    parameters: tuple[Parameter, ...]
    has_parameters_cell: bool


def read_notebook_info(path: Path) -> NotebookInfo:
    """Title and parameters of the notebook at ``path`` (plain JSON: no Jupyter import)."""
    try:
        cells = json.loads(path.read_text(encoding="utf-8"))["cells"]
    except (OSError, ValueError, KeyError, TypeError) as err:
        raise InputError(f"{path}: not a readable notebook ({err})") from None
    title = next((_heading(c) for c in cells if c.get("cell_type") == "markdown" and _heading(c)), "")
    cell = next((c for c in cells if PARAMETERS_TAG in c.get("metadata", {}).get("tags", ())), None)
    parameters = parse_parameters(_source(cell), f"{path.name} parameters cell") if cell else ()
    return NotebookInfo(path.stem, path, title, parameters, cell is not None)


def parse_parameters(source: str, where: str = "parameters cell") -> tuple[Parameter, ...]:
    """Every ``name = value`` (or ``name: type = value``) at the top level of ``source``."""
    try:
        tree = ast.parse(source)
    except SyntaxError as err:
        raise InputError(f"{where}: line {err.lineno}: {err.msg}") from None
    lines = source.splitlines()
    found: list[Parameter] = []
    for stmt in tree.body:
        target, value = _assignment(stmt)
        if target is None or value is None:
            continue
        text = ast.get_source_segment(source, value) or ""
        try:
            default = ast.literal_eval(value)
        except ValueError:
            default = _NO_LITERAL
        rest = lines[(stmt.end_lineno or stmt.lineno) - 1][stmt.end_col_offset or 0 :].strip()
        comment = rest[1:].strip() if rest.startswith("#") else ""
        found.append(Parameter(target, default, text, comment))
    return tuple(found)


def _assignment(stmt: ast.stmt) -> tuple[str | None, ast.expr | None]:
    if isinstance(stmt, ast.Assign) and len(stmt.targets) == 1 and isinstance(stmt.targets[0], ast.Name):
        return stmt.targets[0].id, stmt.value
    if isinstance(stmt, ast.AnnAssign) and isinstance(stmt.target, ast.Name):
        return stmt.target.id, stmt.value
    return None, None


def coerce_parameters(info: NotebookInfo, given: Mapping[str, Any]) -> dict[str, Any]:
    """``given`` with each string value turned into its parameter's type; unknown names refused."""
    known = {p.name: p for p in info.parameters}
    unknown = [name for name in given if name not in known]
    if unknown:
        takes = ", ".join(known) or "no parameters (it has no cell tagged 'parameters')"
        raise InputError(f"{info.name} has no parameter {', '.join(map(repr, unknown))}; it takes: {takes}")
    return {
        name: coerce(known[name], value) if isinstance(value, str) else value for name, value in given.items()
    }


def coerce(parameter: Parameter, text: str) -> Any:
    """``text`` as a value of the type of ``parameter``'s default (a str default keeps it as is)."""
    default = parameter.default
    try:
        if isinstance(default, bool):
            return _boolean(text)
        if isinstance(default, int):
            return int(text)
        if isinstance(default, float):
            return float(text)
        if isinstance(default, str):
            return text
        if isinstance(default, list | tuple | dict):
            value = ast.literal_eval(text)
            if not isinstance(value, type(default)):
                raise ValueError(f"not a {type(default).__name__}")
            return value
    except (ValueError, SyntaxError) as err:
        raise InputError(
            f"parameter {parameter.name}: {text!r} is not like its default {parameter.source} ({err})"
        ) from None
    return _literal_or_text(text)  # default None or an expression: a Python literal, else the text


def _boolean(text: str) -> bool:
    lowered = text.strip().lower()
    if lowered in _TRUE:
        return True
    if lowered in _FALSE:
        return False
    raise ValueError("use true or false")


def _literal_or_text(text: str) -> Any:
    """A Python literal (``None``, ``True``, ``3``, ``['a']``), the shell's ``true``/``false``/``none``,
    else the text itself (a profile name)."""
    lowered = text.strip().lower()
    if lowered in _NONE:
        return None
    if lowered in _TRUE - {"1"} or lowered in _FALSE - {"0"}:
        return _boolean(lowered)
    try:
        return ast.literal_eval(text)
    except (ValueError, SyntaxError):
        return text


def _source(cell: Mapping[str, Any]) -> str:
    source = cell.get("source", "")
    return "".join(source) if isinstance(source, Sequence) and not isinstance(source, str) else str(source)


def _heading(cell: Mapping[str, Any]) -> str:
    for line in _source(cell).splitlines():
        if line.startswith("#"):
            return line.lstrip("#").strip()
    return ""
