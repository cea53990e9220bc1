"""Printing for the AWS subcommands: the plan table and the problems with their fixes (pure)."""

from __future__ import annotations

from collections.abc import Sequence
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:  # the subcommands register their options without loading sesops.aws
    from sesops.aws.doctor import Problem
    from sesops.aws.plan import Change


def plan_table(steps: Sequence[Change]) -> str:
    """One line per step: mark, what, which, detail; columns aligned."""
    from sesops.aws.plan import MARKS

    if not steps:
        return "  (nothing to do)"
    what = max(len(s.resource) for s in steps)
    name = max(len(s.name) for s in steps)
    return "\n".join(
        f"  {MARKS[s.mark]} {s.resource.ljust(what)}  {s.name.ljust(name)}  {s.detail}".rstrip()
        for s in steps
    )


def plan_summary(steps: Sequence[Change], *, applied: bool) -> str:
    from sesops.aws.plan import MARKS

    counts = {mark: sum(1 for s in steps if s.mark == mark) for mark in MARKS}
    parts = [f"{counts['create']} to create", f"{counts['update']} to change"]
    if counts["delete"]:
        parts.append(f"{counts['delete']} to delete")
    parts.append(f"{counts['ok']} already in place")
    changes = len(steps) - counts["ok"]
    if not changes:
        tail = "nothing to change"
    elif applied:
        tail = f"applied {changes} change(s)"
    else:
        tail = "dry run: nothing changed"
    return f"{', '.join(parts)} — {tail}."


def problems_text(problems: Sequence[Problem]) -> str:
    if not problems:
        return "healthy: no problems found."
    lines = [f"{len(problems)} problem(s):"]
    for problem in problems:
        lines.append(f"  ✗ {problem.subject}: {problem.message}")
        lines.append(f"      fix: {problem.fix}")
    return "\n".join(lines)


def add_aws_options(parser: Any, *, region_required: bool = False) -> None:
    parser.add_argument("--region", required=region_required, help="AWS region of the SES identities")
    parser.add_argument("--profile", help="AWS profile to use (default: the normal credential chain)")


def session_for(profile: str | None) -> Any:
    """One boto3 Session for the whole command (``--profile``, else boto3's default chain)."""
    from sesops.aws.clients import session

    return session(profile)
