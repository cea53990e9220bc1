"""The house (ARCHITECTURE.md), checked on the source: every import under sesops/, read with ``ast``.

(a) floors: a package imports only from itself or from packages on lower floors;
(b) each package's "never imports" column;
(c) no import cycles between modules;
(d) no private name (``_x``) imported from another module.

Every import counts: module level, inside functions and under ``TYPE_CHECKING``. The top-level
``sesops/__init__.py`` (lazy re-exports of every floor) and ``sesops/__main__.py`` (the
``python -m sesops`` entry point) are exempt. Each violation is one line: where, what, which rule.
"""

from __future__ import annotations

import ast
import itertools
import sys
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest

from tests.conftest import ROOT

PACKAGE = ROOT / "sesops"

# ARCHITECTURE.md's floor table (folder -> floor). `notebook/` is not in that table yet: it sits
# beside `widgets/` (notebook helpers, under the CLI's `notebook` command).
FLOORS = {
    "errors": 1,
    "arns": 1,
    "events": 2,
    "sns": 2,
    "aws": 2,
    "capture": 3,
    "analysis": 3,
    "sim": 3,
    "sandbox": 3,
    "load": 4,
    "widgets": 5,
    "demo": 5,
    "notebook": 5,
    "dask": 5,
    "cli": 6,
}
# ARCHITECTURE.md's "never imports" column (third-party top-level names and sesops packages).
NEVER_IMPORTS = {
    "events": ("pandas", "boto3", "botocore"),
    "sns": ("boto3", "botocore"),
    "aws": ("sesops.events", "pandas"),
    "capture": ("pandas", "sesops.load", "sesops.analysis", "sesops.demo"),
    "analysis": ("sesops.load", "sesops.capture"),
    "sim": ("sesops.load", "sesops.analysis"),
    "sandbox": ("sesops.capture", "sesops.load"),
}
STDLIB_ONLY = ("errors", "arns")  # "never imports: anything"
# A package that may use a lower one only through the modules named: load reads archives in S3
# through sesops.aws.archive (its one boto3 door), never another part of aws/.
ONLY_THROUGH = {"load": {"aws": ("sesops.aws.archive",)}}
EXEMPT = ("sesops", "sesops.__main__")


@dataclass(frozen=True)
class Import:
    """One imported module (or one name taken from it) at one line of one module."""

    importer: str
    line: int
    target: str  # the module; a submodule when `from package import submodule`
    name: str | None = None  # the name taken from ``target``, for `from target import name`

    def where(self) -> str:
        return f"{source_path(self.importer).relative_to(ROOT)}:{self.line}: {self.importer}"


def module_name(path: Path) -> str:
    parts = path.relative_to(ROOT).with_suffix("").parts
    return ".".join(parts[:-1] if parts[-1] == "__init__" else parts)


def source_path(module: str) -> Path:
    base = ROOT.joinpath(*module.split("."))
    return base / "__init__.py" if base.is_dir() else base.with_suffix(".py")


MODULES = {module_name(path): path for path in sorted(PACKAGE.rglob("*.py"))}


def package_of(module: str) -> str | None:
    """The floor-table folder a sesops module belongs to (None for the top-level ``sesops``)."""
    parts = module.split(".")
    return parts[1] if parts[0] == "sesops" and len(parts) > 1 else None


def imports_of(importer: str, source: str, modules: Iterable[str] = MODULES) -> Iterator[Import]:
    """Every import in ``source`` (the module ``importer``), wherever it sits in the file."""
    known = set(modules)
    is_package = source_path(importer).name == "__init__.py"
    for node in ast.walk(ast.parse(source)):
        if isinstance(node, ast.Import):
            yield from (Import(importer, node.lineno, alias.name) for alias in node.names)
        elif isinstance(node, ast.ImportFrom):
            base = absolute(importer, is_package, node.module, node.level)
            for alias in node.names:
                submodule = f"{base}.{alias.name}"
                if submodule in known:
                    yield Import(importer, node.lineno, submodule)
                else:
                    yield Import(importer, node.lineno, base, alias.name)


def absolute(importer: str, is_package: bool, module: str | None, level: int) -> str:
    """The absolute module a (possibly relative) ``from ... import`` names."""
    if level == 0:
        return module or ""
    parts = importer.split(".")
    anchor = parts if is_package else parts[:-1]
    anchor = anchor[: len(anchor) - (level - 1)]
    return ".".join([*anchor, module] if module else anchor)


def all_imports() -> list[Import]:
    return [
        found
        for name, path in MODULES.items()
        if name not in EXEMPT
        for found in imports_of(name, path.read_text())
    ]


# -- the rules: each returns one line per violation ------------------------------------------------


def floor_violations(imports: Iterable[Import]) -> list[str]:
    found = []
    for imp in imports:
        own, theirs = package_of(imp.importer), package_of(imp.target)
        if not imp.target.startswith("sesops") or own is None or own == theirs:
            continue
        if theirs is None:
            if imp.name not in TOP_LEVEL_OWN:
                found.append(
                    f"{imp.where()} imports {imp.name} from the top-level sesops (lazy re-exports of "
                    "every floor): (a) import it from the module that defines it"
                )
            continue
        if own not in FLOORS or theirs not in FLOORS:
            unknown = own if own not in FLOORS else theirs
            found.append(f"{imp.where()}: (a) package {unknown!r} has no floor in ARCHITECTURE.md's table")
        elif FLOORS[theirs] >= FLOORS[own]:
            found.append(
                f"{imp.where()} (floor {FLOORS[own]}) imports {imp.target} (floor {FLOORS[theirs]}): "
                "(a) a package imports only from itself and lower floors"
            )
    return found


def top_level_own_names() -> set[str]:
    """Names ``sesops/__init__.py`` assigns itself (``__version__``), as opposed to lazy re-exports."""
    tree = ast.parse(MODULES["sesops"].read_text())
    return {
        target.id
        for node in tree.body
        if isinstance(node, ast.Assign)
        for target in node.targets
        if isinstance(target, ast.Name)
    }


TOP_LEVEL_OWN = top_level_own_names()


def never_import_violations(imports: Iterable[Import]) -> list[str]:
    found = []
    for imp in imports:
        own = package_of(imp.importer)
        top = imp.target.split(".")[0]
        for banned in NEVER_IMPORTS.get(own or "", ()):
            if imp.target == banned or imp.target.startswith(banned + "."):
                found.append(f"{imp.where()} imports {imp.target}: (b) {own}/ never imports {banned}")
        if own in STDLIB_ONLY and top not in sys.stdlib_module_names and top != "__future__":
            found.append(f"{imp.where()} imports {imp.target}: (b) {own} imports only the standard library")
    return found


def only_through_violations(imports: Iterable[Import]) -> list[str]:
    found = []
    for imp in imports:
        own, theirs = package_of(imp.importer), package_of(imp.target)
        allowed = ONLY_THROUGH.get(own or "", {}).get(theirs or "")
        if allowed is not None and imp.target not in allowed:
            found.append(
                f"{imp.where()} imports {imp.target}: (e) {own}/ uses {theirs}/ only through {', '.join(allowed)}"
            )
    return found


def private_name_violations(imports: Iterable[Import]) -> list[str]:
    found = []
    for imp in imports:
        names = [*imp.target.split("."), *([imp.name] if imp.name else [])]
        private = [n for n in names if n.startswith("_") and not (n.startswith("__") and n.endswith("__"))]
        if private and imp.target.startswith("sesops"):
            found.append(
                f"{imp.where()} imports {'.'.join(names)}: (d) private name {private[-1]} used across "
                "modules; make it public or keep its use inside its module"
            )
    return found


def import_cycles(imports: Iterable[Import]) -> list[str]:
    """One line per strongly connected group of modules: one cycle through it, each edge located."""
    graph: dict[str, set[str]] = {}
    located: dict[tuple[str, str], str] = {}
    for imp in imports:
        if imp.target in MODULES and imp.target != imp.importer:
            graph.setdefault(imp.importer, set()).add(imp.target)
            located.setdefault((imp.importer, imp.target), imp.where().split(": ")[0])
    found = []
    for group in cyclic_groups(graph):
        cycle = cycle_through(group, graph)
        edges = [f"{b} ({located[a, b]})" for a, b in itertools.pairwise(cycle)]
        found.append(f"(c) import cycle: {' -> '.join([cycle[0], *edges])}")
    return found


def cyclic_groups(graph: dict[str, set[str]]) -> list[list[str]]:
    """Tarjan's strongly connected components with more than one module, each sorted."""
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    groups: list[list[str]] = []

    def visit(node: str) -> None:
        index[node] = low[node] = len(index)
        stack.append(node)
        for nxt in sorted(graph.get(node, ())):
            if nxt not in index:
                visit(nxt)
                low[node] = min(low[node], low[nxt])
            elif nxt in stack:
                low[node] = min(low[node], index[nxt])
        if low[node] == index[node]:
            group = []
            while True:
                member = stack.pop()
                group.append(member)
                if member == node:
                    break
            if len(group) > 1:
                groups.append(sorted(group))

    for node in sorted(graph):
        if node not in index:
            visit(node)
    return sorted(groups)


def cycle_through(group: list[str], graph: dict[str, set[str]]) -> list[str]:
    """A shortest path from the group's first module back to itself, inside the group."""
    start, members = group[0], set(group)
    paths = {start: [start]}
    frontier = [start]
    while frontier:
        following = []
        for node in frontier:
            for nxt in sorted(graph.get(node, set()) & members):
                if nxt == start:
                    return [*paths[node], start]
                if nxt not in paths:
                    paths[nxt] = [*paths[node], nxt]
                    following.append(nxt)
        frontier = following
    raise AssertionError(f"{group} is not a cycle")


# -- the tests --------------------------------------------------------------------------------------


def check(violations: list[str]) -> None:
    """Fail with one line per violation (no assertion rewriting noise)."""
    if violations:
        pytest.fail(f"{len(violations)} violation(s):\n" + "\n".join(violations), pytrace=False)


def test_every_package_has_a_floor() -> None:
    packages = {package_of(name) for name in MODULES} - {None, "__main__"}
    assert packages - set(FLOORS) == set(), "add these folders to ARCHITECTURE.md's floor table (and here)"


def test_floors() -> None:
    check(floor_violations(all_imports()))


def test_never_imports() -> None:
    check(never_import_violations(all_imports()))


def test_load_uses_aws_only_through_the_archive_module() -> None:
    check(only_through_violations(all_imports()))


def test_no_import_cycles() -> None:
    check(import_cycles(all_imports()))


def test_no_private_name_imported_across_modules() -> None:
    check(private_name_violations(all_imports()))


# -- the checker itself, on made-up modules -----------------------------------------------------------

FAKE = {"sesops.capture.store", "sesops.capture.drain", "sesops.load.reader", "sesops.events.parse"}


def fake_imports(importer: str, source: str) -> list[Import]:
    return list(imports_of(importer, source, FAKE | {importer}))


def test_the_checker_sees_every_kind_of_import() -> None:
    source = (
        "from typing import TYPE_CHECKING\n"
        "import pandas\n"
        "if TYPE_CHECKING:\n    from sesops.load.reader import read_events\n"
        "def f():\n    from . import drain\n    from sesops.load import reader\n"
    )
    found = {(i.line, i.target, i.name) for i in fake_imports("sesops.capture.receiver", source)}
    assert found == {
        (1, "typing", "TYPE_CHECKING"),
        (2, "pandas", None),
        (4, "sesops.load.reader", "read_events"),
        (6, "sesops.capture.drain", None),
        (7, "sesops.load.reader", None),
    }


def test_the_rules_name_each_violation() -> None:
    store = fake_imports(
        "sesops.capture.store",
        "import pandas\nfrom sesops.load.reader import _Collector\nfrom sesops import read_events\n",
    )
    assert [line.split(": ", 1)[1] for line in floor_violations(store)] == [
        "sesops.capture.store (floor 3) imports sesops.load.reader (floor 4): "
        "(a) a package imports only from itself and lower floors",
        "sesops.capture.store imports read_events from the top-level sesops (lazy re-exports of every "
        "floor): (a) import it from the module that defines it",
    ]
    never = never_import_violations(store)
    assert [line.split(": (b) ")[1] for line in never] == [
        "capture/ never imports pandas",
        "capture/ never imports sesops.load",
    ]
    assert len(private_name_violations(store)) == 1 and "_Collector" in private_name_violations(store)[0]
    graph = {"a": {"b"}, "b": {"c"}, "c": {"a"}, "d": {"a"}}
    assert cyclic_groups(graph) == [["a", "b", "c"]]
    assert cyclic_groups({"a": {"b"}, "b": set(), "c": {"a", "b"}}) == []
    assert cycle_through(["a", "b", "c"], graph) == ["a", "b", "c", "a"]


def test_the_only_through_rule_names_the_door() -> None:
    found = imports_of(
        "sesops.load.reader",
        "from sesops.aws.archive import list_archive\nfrom sesops.aws import clients\n",
        {"sesops.load.reader", "sesops.aws.archive", "sesops.aws.clients"},
    )
    [line] = only_through_violations(found)
    assert line.endswith("imports sesops.aws.clients: (e) load/ uses aws/ only through sesops.aws.archive")
