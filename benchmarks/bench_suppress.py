"""Suppression speed: the policy and the canonical CSV against loading, and the SES import export.

Two measurements, each in fresh child processes of this same run:

* ``policy``: N realistic SNS-wrapped notifications from ``sesops.sim.simulate`` (the files
  ``benchmarks/bench_load.py`` makes and keeps in ``benchmarks/data/``); the child times
  ``read_events(path)`` (the baseline), then ``build_suppression_list`` and
  ``write_suppression_csv`` on that frame. Target (issue 8): policy + CSV in at most 1.5x the
  load; the table also gives the stricter reading, load + policy + CSV against 1.5x the load.
* ``ses-import``: a suppression list of M addresses (built untimed), written with
  ``write_export(frame, "out.csv", "ses-import")`` (escape, split at 100,000 per file, atomic
  renames) against the floor: the same rows through one ``csv.writer`` into one file.
  Target: under 10 s for 1,000,000 addresses.

Results go to stdout and, as markdown, to benchmarks/results/suppress.md.

    python benchmarks/bench_suppress.py                    # 100k and 1M notifications, 1M addresses
    python benchmarks/bench_suppress.py --sizes 100000     # quicker
"""

from __future__ import annotations

import argparse
import csv
import multiprocessing as mp
import platform
import resource
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

HERE = Path(__file__).resolve().parent
RESULTS = HERE / "results"
sys.path.insert(0, str(HERE))

from bench_load import generate, rss_mib  # noqa: E402  (the same data files, made once)


def policy_child(path: str, queue: Any) -> None:
    import duckdb  # noqa: F401  (imports are not part of the measurement)
    import pandas  # noqa: F401

    from sesops.analysis.suppress import build_suppression_list, write_suppression_csv
    from sesops.load.reader import read_events

    before = rss_mib()
    with tempfile.TemporaryDirectory() as tmp:
        start = time.perf_counter()
        df = read_events(path)
        loaded = time.perf_counter()
        frame = build_suppression_list(df)
        judged = time.perf_counter()
        write_suppression_csv(frame, Path(tmp) / "suppressions.csv")
        written = time.perf_counter()
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    queue.put(
        {
            "rows": len(df),
            "addresses": len(frame),
            "load": loaded - start,
            "policy": judged - loaded,
            "csv": written - judged,
            "rss_increase_mib": peak - before,
        }
    )


def synthetic_list(n: int) -> Any:
    """``n`` suppressed addresses with every canonical column (3 % complaints, a few escaped)."""
    import pandas as pd

    from sesops.analysis.suppress import FRAME_COLUMNS

    frame = pd.DataFrame({c: pd.Series([""] * n, dtype="str") for c in FRAME_COLUMNS})
    emails = [f"{'-' if i % 997 == 0 else ''}user{i:07d}@example{i % 50}.org" for i in range(n)]
    frame["email"] = pd.Series(emails, dtype="str")
    frame["reason"] = pd.Series(["COMPLAINT" if i % 33 == 0 else "BOUNCE" for i in range(n)], dtype="str")
    frame["events"] = 1
    return frame


def export_child(n: int, method: str, queue: Any) -> None:
    from sesops.analysis.exports import write_export

    frame = synthetic_list(n)
    with tempfile.TemporaryDirectory() as tmp:
        out = Path(tmp) / "out.csv"
        start = time.perf_counter()
        if method == "floor":
            with open(out, "w", encoding="utf-8", newline="") as fh:
                rows = zip(frame["email"].tolist(), frame["reason"].tolist(), strict=True)
                csv.writer(fh, lineterminator="\n").writerows(rows)
            files = 1
        else:
            files = len(write_export(frame, out, "ses-import").paths)
        seconds = time.perf_counter() - start
    queue.put({"seconds": seconds, "files": files})


def in_child(target: Any, *args: Any) -> dict[str, Any]:
    ctx = mp.get_context("spawn")
    queue = ctx.Queue()
    proc = ctx.Process(target=target, args=(*args, queue))
    proc.start()
    result: dict[str, Any] = queue.get()
    proc.join()
    return result


def policy_section(n: int, repeat: int) -> list[str]:
    path = generate(n)
    runs = [in_child(policy_child, str(path)) for _ in range(repeat)]
    best = min(runs, key=lambda r: r["load"] + r["policy"] + r["csv"])
    work = best["policy"] + best["csv"]
    print(
        f"{n:,} notifications: load {best['load']:.2f} s, policy {best['policy']:.2f} s, "
        f"CSV {best['csv']:.2f} s -> (policy + CSV) / load = {work / best['load']:.2f} "
        f"({best['addresses']:,} addresses; runs {[round(r['load'] + r['policy'] + r['csv'], 1) for r in runs]})"
    )
    return [
        f"## Policy and canonical CSV, {n:,} notifications ({path.stat().st_size / 1e6:,.0f} MB, "
        f"{best['rows']:,} rows, {best['addresses']:,} addresses to suppress)",
        "",
        "| step | seconds | x load |",
        "|---|---:|---:|",
        f"| load (`read_events`, the baseline) | {best['load']:.2f} | 1.00 |",
        f"| policy (`build_suppression_list`) | {best['policy']:.2f} | {best['policy'] / best['load']:.2f} |",
        f"| canonical CSV (`write_suppression_csv`) | {best['csv']:.2f} | {best['csv'] / best['load']:.2f} |",
        f"| **policy + CSV** | **{work:.2f}** | **{work / best['load']:.2f}** (target <= 1.5) |",
        f"| load + policy + CSV | {best['load'] + work:.2f} | {(best['load'] + work) / best['load']:.2f} |",
        "",
        f"Best of {repeat} fresh processes by total; peak RSS increase {best['rss_increase_mib']:,.0f} MiB.",
        "",
    ]


def export_section(n: int, repeat: int) -> list[str]:
    results = {}
    for method in ("floor", "ses-import"):
        runs = [in_child(export_child, n, method) for _ in range(repeat)]
        results[method] = min(runs, key=lambda r: r["seconds"])
    ours, floor = results["ses-import"], results["floor"]
    print(
        f"ses-import of {n:,} addresses: {ours['seconds']:.2f} s in {ours['files']} files (floor {floor['seconds']:.2f} s)"
    )
    return [
        f"## `ses-import` export, {n:,} addresses",
        "",
        "| method | seconds | x floor | files |",
        "|---|---:|---:|---:|",
        f"| floor: one `csv.writer`, one file, no escape | {floor['seconds']:.2f} | 1.00 | 1 |",
        f'| **`write_export(..., "ses-import")`** | **{ours["seconds"]:.2f}** | '
        f"{ours['seconds'] / floor['seconds']:.2f} | {ours['files']} |",
        "",
        f"Target: under 10 s. Best of {repeat} fresh processes.",
        "",
    ]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--sizes", type=int, nargs="+", default=[100_000, 1_000_000], help="notifications")
    parser.add_argument(
        "--addresses", type=int, default=1_000_000, help="addresses for the ses-import export"
    )
    parser.add_argument("--repeat", type=int, default=3, help="runs at 100k and below (best is kept)")
    parser.add_argument("--out", type=Path, default=RESULTS / "suppress.md")
    args = parser.parse_args()

    sections = [
        "# Suppression benchmark",
        "",
        f"Machine: {platform.machine()}, {mp.cpu_count()} cores, Python {platform.python_version()}. "
        "Each measurement runs in fresh child processes of the same run; only same-run ratios mean much "
        "on this shared VM.",
        "",
    ]
    for n in args.sizes:
        sections += policy_section(n, args.repeat if n <= 100_000 else 1)
    sections += export_section(args.addresses, args.repeat)
    args.out.parent.mkdir(parents=True, exist_ok=True)
    args.out.write_text("\n".join(sections))
    print(f"\nwrote {args.out}")


if __name__ == "__main__":
    main()
