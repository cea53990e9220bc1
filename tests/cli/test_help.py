"""`sesops --help` builds only the subcommands' names and summaries; a named subcommand gets its
arguments. Both must read the same as the parser with everything registered."""

from __future__ import annotations

import pytest

from sesops.cli import COMMANDS, build_parser, main, named_command


def test_the_top_level_help_reads_the_same_without_importing_the_subcommands() -> None:
    assert build_parser([]).format_help() == build_parser().format_help()


@pytest.mark.parametrize("name", list(COMMANDS))
def test_each_subcommand_gets_its_arguments_when_named(name: str, capsys: pytest.CaptureFixture[str]) -> None:
    with pytest.raises(SystemExit) as exit_info:
        main([name, "--help"])
    assert exit_info.value.code == 0
    help_text = capsys.readouterr().out
    assert help_text.startswith(f"usage: sesops {name} [-h]")
    assert help_text == build_parser()._subparsers._group_actions[0].choices[name].format_help()  # type: ignore[union-attr]


@pytest.mark.parametrize(
    ("argv", "named"),
    [
        ([], []),
        (["--version"], []),
        (["-h", "load"], ["load"]),
        (["load", "serve.jsonl"], ["load"]),
        (["bogus", "load"], []),
    ],
)
def test_named_command(argv: list[str], named: list[str]) -> None:
    assert named_command(argv) == named


def test_an_unknown_subcommand_is_a_usage_error(capsys: pytest.CaptureFixture[str]) -> None:
    with pytest.raises(SystemExit) as exit_info:
        main(["bogus"])
    assert exit_info.value.code == 2
    assert "invalid choice: 'bogus'" in capsys.readouterr().err
