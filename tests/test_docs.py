"""Docs that name code are checked against the code (ARCHITECTURE.md, "rules of thumb").

README's "The loop" table lists every CLI subcommand and only real ones; its column table is
exactly ``sesops.events.parse.COLUMNS``; sample_payloads/README.md lists every sample file;
every dotted ``sesops.x.y`` name in README and in the package's docstrings imports; every
repository path README names exists. The quick start is exactly two commands, and CI runs the
second one.
"""

from __future__ import annotations

import argparse
import ast
import importlib
import itertools
import re

from sesops.cli import build_parser
from sesops.events.parse import COLUMNS
from tests.conftest import ROOT, SAMPLES

README = ROOT / "README.md"
# A dotted name in a Sphinx role (:func:`~sesops.x.y`) or in backticks (``sesops.x`` / `sesops.x`).
DOTTED_REFERENCE = re.compile(r"(?::[a-z]+:`~?|``?)(sesops(?:\.[A-Za-z_]\w*)+)")
README_DOTTED = re.compile(r"\bsesops(?:\.[A-Za-z_]\w*)+")
# Repository paths README may name; generated ones (demo-out/, .venv) are not checked.
REPO_PATH = re.compile(r"`((?:benchmarks|tests|sample_payloads|sesops|notebooks|\.ci)/[\w./*-]*)`")


def section(text: str, heading: str) -> str:
    """The body of the markdown section titled ``heading``, up to the next heading of its level."""
    level = heading.split(" ", 1)[0]
    start = text.index(heading + "\n") + len(heading) + 1
    following = re.search(rf"^{re.escape(level)} ", text[start:], re.MULTILINE)
    return text[start : start + following.start()] if following else text[start:]


def table_rows(text: str) -> list[list[str]]:
    """The cells of each body row of the first markdown table in ``text`` (header and rule skipped)."""
    lines = text[text.index("\n|") + 1 :].splitlines()
    table = list(itertools.takewhile(lambda line: line.startswith("|"), lines))
    return [[cell.strip() for cell in line.strip().strip("|").split("|")] for line in table[2:]]


def subcommands() -> set[str]:
    """The parser's subcommand names (argparse has no public way to list them)."""
    parser = build_parser()
    actions = [a for a in parser._actions if isinstance(a, argparse._SubParsersAction)]
    assert len(actions) == 1, "sesops' parser should have one set of subcommands"
    return set(actions[0].choices)


# -- README: the loop, the column contract ----------------------------------------------------------


def test_every_cli_subcommand_is_in_the_loop_table_and_only_those() -> None:
    rows = table_rows(section(README.read_text(), "## The loop"))
    named = {command for row in rows for command in re.findall(r"`sesops ([a-z][\w-]*)", row[1])}
    assert subcommands() - named == set(), "add these subcommands to README's 'The loop' table"
    assert named - subcommands() == set(), "README's 'The loop' table names commands sesops does not have"


def test_every_loop_step_names_its_library_entry_point() -> None:
    # That each name imports is checked with every other dotted name in README, below.
    rows = table_rows(section(README.read_text(), "## The loop"))
    assert [row[0] for row in rows if not README_DOTTED.search(row[2])] == []


def test_column_table_is_exactly_the_column_contract() -> None:
    text = README.read_text()
    contract = text[text.index("One row per recipient, with these columns") :]
    rows = table_rows(contract)
    documented = [name for row in rows for name in re.findall(r"`(\w+)`", row[0])]
    assert set(COLUMNS) - set(documented) == set(), "add these columns to README's column table"
    assert set(documented) - set(COLUMNS) == set(), "README's column table names columns read_events lacks"
    assert len(documented) == len(set(documented)), "a column is listed twice"


# -- sample_payloads/README.md ------------------------------------------------------------------------


def sample_files() -> set[str]:
    return {
        p.relative_to(SAMPLES).as_posix()
        for p in SAMPLES.rglob("*")
        if p.is_file() and p.name not in ("README.md", "make_samples.py") and "__pycache__" not in p.parts
    }


def test_every_sample_payload_is_in_its_readme_table_and_only_those() -> None:
    readme = (SAMPLES / "README.md").read_text()
    listed = [re.fullmatch(r"`([^`]+)`", row[0]) for row in table_rows(readme)]
    assert None not in listed, "each row of sample_payloads/README.md starts with a `path`"
    names = [match.group(1) for match in listed if match]
    assert sample_files() - set(names) == set(), "add these files to sample_payloads/README.md"
    assert set(names) - sample_files() == set(), "sample_payloads/README.md lists files that do not exist"
    assert len(names) == len(set(names)), "a sample is listed twice"
    assert "sample_payloads/make_samples.py" in readme


# -- dotted names and paths ---------------------------------------------------------------------------


def unresolved(name: str) -> str | None:
    """Why ``sesops.x.y`` does not name a module or attribute (None when it does)."""
    parts = name.split(".")
    for split in range(len(parts), 0, -1):
        module_name = ".".join(parts[:split])
        try:
            target: object = importlib.import_module(module_name)
        except ModuleNotFoundError as err:
            if err.name is not None and f"{module_name}.".startswith(f"{err.name}."):
                continue  # no such module: the rest may be attributes of its parent
            return f"importing {module_name} failed: {err}"
        except ImportError as err:
            return f"importing {module_name} failed: {err}"
        for attr in parts[split:]:
            if not hasattr(target, attr):
                return f"{module_name} has no {'.'.join(parts[split:])!r}"
            target = getattr(target, attr)
        return None
    return "no such module"


def docstring_references() -> list[tuple[str, str]]:
    """(file:line, dotted name) of each ``sesops.x`` reference in a docstring under sesops/."""
    found = []
    for path in sorted((ROOT / "sesops").rglob("*.py")):
        tree = ast.parse(path.read_text(), filename=str(path))
        for node in ast.walk(tree):
            if not isinstance(node, ast.Module | ast.ClassDef | ast.FunctionDef | ast.AsyncFunctionDef):
                continue
            doc = ast.get_docstring(node, clean=False)
            if doc is None:
                continue
            line = node.body[0].lineno
            where = f"{path.relative_to(ROOT)}:{line}"
            found += [(where, match.group(1)) for match in DOTTED_REFERENCE.finditer(doc)]
    return found


def test_every_dotted_name_in_docstrings_resolves() -> None:
    references = docstring_references()
    assert len(references) > 20, "the scan found almost no references: is the pattern still right?"
    broken = [f"{where}: {name}: {why}" for where, name in references if (why := unresolved(name))]
    assert broken == [], "\n".join(broken)


def test_every_dotted_name_in_the_readme_resolves() -> None:
    names = sorted(set(README_DOTTED.findall(README.read_text())))
    assert names
    broken = [f"README.md: {name}: {why}" for name in names if (why := unresolved(name))]
    assert broken == [], "\n".join(broken)


def test_every_repository_path_the_readme_names_exists() -> None:
    paths = sorted(set(REPO_PATH.findall(README.read_text())))
    assert paths
    missing = [p for p in paths if not any(ROOT.glob(p.rstrip("/")))]
    assert missing == [], f"README.md names paths that do not exist: {missing}"


def test_unresolved_names_what_is_missing() -> None:
    assert unresolved("sesops.events.parse.COLUMNS") is None
    assert unresolved("sesops.read_events") is None  # a lazy re-export
    assert unresolved("sesops.events.parse.NO_SUCH") == "sesops.events.parse has no 'NO_SUCH'"
    assert unresolved("sesops.no_such_module") == "sesops has no 'no_such_module'"


# -- quick start ---------------------------------------------------------------------------------------


def quick_start_commands() -> list[str]:
    text = README.read_text()
    block = re.search(r"```(?:sh|bash)?\n(.*?)```", section(text, "## Quick start"), re.DOTALL)
    assert block, "no code block under 'Quick start'"
    return [line.split("#")[0].strip() for line in block.group(1).splitlines() if line.split("#")[0].strip()]


def test_quick_start_is_two_commands() -> None:
    assert quick_start_commands() == ["make demo", "make test"]


def test_ci_runs_the_readme_test_command() -> None:
    ci = (ROOT / ".ci" / "run").read_text()
    assert re.search(r"^make test$", ci, re.MULTILINE)


def test_make_targets_exist() -> None:
    makefile = (ROOT / "Makefile").read_text()
    for target in ("demo", "test", "setup"):
        assert re.search(rf"^{target}:", makefile, re.MULTILINE), target
