"""``sesops notebook``: run a notebook as a record (papermill), list notebooks, open JupyterLab."""

from __future__ import annotations

import argparse
import sys
from pathlib import Path
from typing import Any

from sesops.cli import COMMANDS
from sesops.errors import require_extra

NOTEBOOKS = Path("notebooks")


def register(subparsers: Any) -> None:
    parser = subparsers.add_parser(
        "notebook",
        help=COMMANDS["notebook"],
        description="Notebooks as records: each run is kept, with its parameters and timing, under runs/.",
    )
    commands = parser.add_subparsers(dest="notebook_command", metavar="SUBCOMMAND")
    _register_run(commands)
    _register_list(commands)
    _register_lab(commands)
    parser.set_defaults(func=lambda args: _usage(parser))


def _register_run(commands: Any) -> None:
    run = commands.add_parser(
        "run",
        help="execute notebooks/NAME.ipynb with parameters; keep it under runs/",
        description=(
            "Execute a notebook with papermill, injecting -p values into its cell tagged 'parameters', "
            "and keep the executed copy and a JSON sidecar (parameters, start, end, duration, sesops "
            "version, user, host) under --out: the audit trail of who provisioned what, when."
        ),
    )
    run.add_argument("name", help="notebook name, e.g. 00_primer (see: sesops notebook list)")
    run.add_argument(
        "-p",
        "--parameter",
        nargs=2,
        action="append",
        default=[],
        metavar=("KEY", "VALUE"),
        help="set a parameter (repeatable); the value takes the type of the default",
    )
    run.add_argument("--out", type=Path, default=Path("runs"), help="record folder (default runs/)")
    run.add_argument("--notebooks", type=Path, default=NOTEBOOKS, help="notebook folder (default notebooks/)")
    run.add_argument(
        "--cell-timeout", type=float, default=600.0, metavar="S", help="seconds per cell (default 600)"
    )
    run.set_defaults(func=_run)


def _register_list(commands: Any) -> None:
    listing = commands.add_parser("list", help="the notebooks and their parameters")
    listing.add_argument(
        "--notebooks", type=Path, default=NOTEBOOKS, help="notebook folder (default notebooks/)"
    )
    listing.set_defaults(func=_list)


def _register_lab(commands: Any) -> None:
    lab = commands.add_parser(
        "lab",
        help="JupyterLab on notebooks/ with the sandbox running (make lab)",
        description=(
            "Start the embedded sandbox and JupyterLab on 127.0.0.1 with the sandbox's environment, "
            "so notebooks talk to it (a notebook's profile parameter still reaches a real account). "
            "Arguments after -- go to JupyterLab."
        ),
    )
    lab.add_argument("--notebooks", type=Path, default=NOTEBOOKS, help="root folder (default notebooks/)")
    lab.add_argument("--port", type=int, default=8888, help="JupyterLab's port (default 8888)")
    lab.add_argument("--no-browser", action="store_true", help="do not open a browser")
    lab.add_argument("jupyter_args", nargs=argparse.REMAINDER, help=argparse.SUPPRESS)
    lab.set_defaults(func=_lab)


def _usage(parser: argparse.ArgumentParser) -> int:
    parser.print_help()
    return 2


def _run(args: argparse.Namespace) -> int:
    require_extra("notebooks")
    from sesops.notebook.runs import NotebookFailed, run_notebook

    parameters = dict(args.parameter)
    print(f"running {args.name} ...", file=sys.stderr, flush=True)
    try:
        record = run_notebook(
            args.name, parameters, notebooks=args.notebooks, out=args.out, cell_timeout=args.cell_timeout
        )
    except NotebookFailed as err:
        print(f"sesops notebook run: {err}", file=sys.stderr)
        return 1
    meta = record.metadata
    print(f"{meta['notebook']} ran in {meta['duration_seconds']:.1f} s; record: {record.notebook}")
    print(f"metadata: {record.sidecar}")
    return 0


def _list(args: argparse.Namespace) -> int:
    from sesops.notebook.runs import list_notebooks

    for info in list_notebooks(args.notebooks):
        print(f"{info.name}  {info.title}")
        if not info.has_parameters_cell:
            print("    (no cell tagged 'parameters')")
        for parameter in info.parameters:
            comment = f"  # {parameter.comment}" if parameter.comment else ""
            print(f"    -p {parameter.name} {parameter.source}{comment}")
    return 0


def _lab(args: argparse.Namespace) -> int:
    require_extra("notebooks")
    require_extra("sandbox")
    from sesops.notebook.lab import run_lab

    extra = args.jupyter_args[1:] if args.jupyter_args[:1] == ["--"] else args.jupyter_args
    return run_lab(args.notebooks, port=args.port, open_browser=not args.no_browser, extra=extra)
