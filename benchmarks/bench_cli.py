"""How long ``sesops --help`` takes, against starting Python itself in the same run.

The target is under 0.3 s: the CLI imports no subcommand's dependencies until one runs
(tests/test_imports.py checks *what* loads; this measures *how long* it takes). Each command
runs as a fresh subprocess, best of ``--repeat`` rounds (the least-disturbed run, as timeit
does):

* ``python -c pass`` and ``python -c "import argparse"``: the baselines;
* ``import sesops``, ``sesops --help``, ``sesops serve --help``: what a user waits for;
* ``import boto3`` and ``import pandas``: what the help would cost if it loaded them.

Twice: as this environment runs them (it may set PYTHONDONTWRITEBYTECODE, so every sesops
module is compiled at each start), and with a bytecode cache (in a temporary
PYTHONPYCACHEPREFIX, never in the checkout) as an installed package has one.

Results go to stdout and, as a markdown table, to benchmarks/results/cli.md.

    .venv/bin/python benchmarks/bench_cli.py [--repeat 15]
"""

from __future__ import annotations

import argparse
import os
import platform
import random
import subprocess
import sys
import tempfile
import time
from collections.abc import Mapping
from pathlib import Path

RESULTS = Path(__file__).resolve().parent / "results" / "cli.md"
SESOPS = str(Path(sys.executable).with_name("sesops"))
TARGET_SECONDS = 0.3

# (label, argv, kind)
COMMANDS: list[tuple[str, list[str], str]] = [
    ("python -c pass", [sys.executable, "-c", "pass"], "baseline"),
    ('python -c "import argparse"', [sys.executable, "-c", "import argparse"], "baseline"),
    ('python -c "import sesops"', [sys.executable, "-c", "import sesops"], "sesops"),
    ("sesops --help", [SESOPS, "--help"], "sesops"),
    ("sesops serve --help", [SESOPS, "serve", "--help"], "sesops"),
    ('python -c "import boto3"', [sys.executable, "-c", "import boto3"], "reference"),
    ('python -c "import pandas"', [sys.executable, "-c", "import pandas"], "reference"),
]


def run_once(argv: list[str], env: Mapping[str, str]) -> float:
    started = time.perf_counter()
    subprocess.run(argv, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, env=env, check=True)
    return time.perf_counter() - started


def measure(repeat: int) -> list[tuple[str, str, float, float]]:
    """(label, kind, best seconds as this environment runs it, best seconds with a bytecode cache).

    Rounds interleave every command in both modes, in a shuffled order, so a burst of load on
    the shared machine slows one run of each rather than every run of one; the first round
    only warms up.
    """
    with tempfile.TemporaryDirectory(prefix="sesops-pyc-") as cache:
        cached = {k: v for k, v in os.environ.items() if k != "PYTHONDONTWRITEBYTECODE"}
        cached["PYTHONPYCACHEPREFIX"] = cache
        modes = [dict(os.environ), cached]
        best = [[float("inf")] * len(modes) for _ in COMMANDS]
        runs = [(row, mode) for row in range(len(COMMANDS)) for mode in range(len(modes))]
        shuffle = random.Random(0).shuffle
        for round_number in range(repeat + 1):
            shuffle(runs)  # no command always follows pandas' exit
            for row, mode in runs:
                seconds = run_once(COMMANDS[row][1], modes[mode])
                if round_number:
                    best[row][mode] = min(best[row][mode], seconds)
    return [(label, kind, best[row][0], best[row][1]) for row, (label, _, kind) in enumerate(COMMANDS)]


def table(results: list[tuple[str, str, float, float]]) -> list[str]:
    base_here, base_cached = results[0][2], results[0][3]
    lines = [
        "| command | kind | as run here s | over `python -c pass` s | with .pyc s | over `python -c pass` s |",
        "|---|---|---:|---:|---:|---:|",
    ]
    for label, kind, here, cached in results:
        lines.append(
            f"| `{label}` | {kind} | {here:.3f} | {here - base_here:+.3f} "
            f"| {cached:.3f} | {cached - base_cached:+.3f} |"
        )
    return lines


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeat", type=int, default=15, help="runs per command (default 15)")
    args = parser.parse_args()
    results = measure(args.repeat)
    helped = next(row for row in results if row[0] == "sesops --help")
    verdict = "met" if max(helped[2:]) < TARGET_SECONDS else "NOT met"
    no_pyc = os.environ.get("PYTHONDONTWRITEBYTECODE") or "unset"
    text = [
        "# CLI start-up benchmark",
        "",
        f"Machine: {platform.machine()}, {os.cpu_count()} cores, Python {platform.python_version()}, "
        f"load average {os.getloadavg()[0]:.1f} at the end (other work shares the machine). "
        f"Each command is a fresh subprocess, best of {args.repeat} interleaved rounds after one "
        f"warm-up round; the baselines are the same run's. *As run here*: PYTHONDONTWRITEBYTECODE={no_pyc}; "
        "*with .pyc*: a bytecode cache, as an installed package has.",
        "",
        *table(results),
        "",
        f"`sesops --help` takes {helped[2]:.3f} s as run here and {helped[3]:.3f} s with a bytecode "
        f"cache: target < {TARGET_SECONDS} s {verdict}.",
    ]
    print("\n".join(text))
    RESULTS.parent.mkdir(parents=True, exist_ok=True)
    RESULTS.write_text("\n".join(text) + "\n")


if __name__ == "__main__":
    main()
