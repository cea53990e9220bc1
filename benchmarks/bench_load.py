"""Loader speed and memory: read_events against the naive pandas code and the orjson floor.

For each size N this generates N realistic SNS-wrapped notifications with
``sesops.sim.simulate`` (about 2.2 KB each, 1-3 recipients per bounce, 0.5 % SNS
redeliveries), then measures, each in a fresh child process of this same run:

* ``floor``        parse both JSON layers of every line with orjson, build nothing;
* ``naive-rows``   ``json.loads`` twice, a list of per-recipient dicts, ``pd.DataFrame``;
* ``naive-normalize`` ``json.loads`` twice, ``pd.json_normalize`` of the messages;
* ``read_events``  ``sesops.read_events(path)`` (the DuckDB path for files this size);
* ``pure-python``  ``sesops.read_events(path, engine="python")``.

Each child reports wall time, rows, the DataFrame's deep memory and its peak RSS
increase over the RSS it had after importing. Results go to stdout and, as a markdown
table, to benchmarks/results/load.md.

    python benchmarks/bench_load.py                  # 100k and 1M
    python benchmarks/bench_load.py --sizes 100000   # quicker
"""

from __future__ import annotations

import argparse
import itertools
import json
import multiprocessing as mp
import platform
import resource
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

HERE = Path(__file__).resolve().parent
DATA = HERE / "data"
RESULTS = HERE / "results"


def generate(n: int) -> Path:
    from sesops.sim.simulate import SimulationConfig, iter_lines

    path = DATA / f"notifications-{n}.jsonl"
    if path.exists():
        return path
    DATA.mkdir(parents=True, exist_ok=True)
    config = SimulationConfig(messages=n, days=14, seed=7, bounce_rate=0.04, complaint_rate=0.002)
    tmp = path.with_suffix(".tmp")
    with open(tmp, "wb", buffering=1 << 20) as fh:
        fh.writelines(itertools.islice(iter_lines(config, redelivery_rate=0.005), n))
    tmp.rename(path)
    return path


def rss_mib() -> float:
    with open("/proc/self/status") as fh:
        for line in fh:
            if line.startswith("VmRSS:"):
                return int(line.split()[1]) / 1024
    return 0.0


def floor(path: Path) -> int:
    import orjson

    count = 0
    with open(path, "rb") as fh:
        for line in fh:
            envelope = orjson.loads(line)
            orjson.loads(envelope["Message"])
            count += 1
    return count


_RECIPIENTS = {
    "Bounce": ("bounce", "bouncedRecipients"),
    "Complaint": ("complaint", "complainedRecipients"),
    "Delivery": ("delivery", "recipients"),
    "DeliveryDelay": ("deliveryDelay", "delayedRecipients"),
}


def naive_rows(path: Path) -> Any:
    import pandas as pd

    rows = []
    with open(path) as fh:
        for line in fh:
            envelope = json.loads(line)
            message = json.loads(envelope["Message"])
            kind = message.get("notificationType") or message.get("eventType")
            mail = message["mail"]
            where = _RECIPIENTS.get(kind)
            detail = message.get(where[0], {}) if where else {}
            recipients = detail.get(where[1], []) if where else mail["destination"]
            for r in recipients:
                r = r if isinstance(r, dict) else {"emailAddress": r}
                rows.append(
                    {
                        "event_type": kind,
                        "timestamp": detail.get("timestamp") or mail["timestamp"],
                        "email": r["emailAddress"].lower(),
                        "status": r.get("status"),
                        "bounce_type": detail.get("bounceType"),
                        "message_id": mail["messageId"],
                        "sns_message_id": envelope["MessageId"],
                    }
                )
    df = pd.DataFrame(rows)
    df["timestamp"] = pd.to_datetime(df["timestamp"], utc=True, format="ISO8601")
    return df


def naive_normalize(path: Path) -> Any:
    import pandas as pd

    messages = []
    with open(path) as fh:
        for line in fh:
            messages.append(json.loads(json.loads(line)["Message"]))
    return pd.json_normalize(messages)


def sesops_auto(path: Path) -> Any:
    from sesops import read_events

    return read_events(path)


def sesops_python(path: Path) -> Any:
    from sesops import read_events

    return read_events(path, engine="python")


METHODS: dict[str, Callable[[Path], Any]] = {
    "floor": floor,
    "naive-rows": naive_rows,
    "naive-normalize": naive_normalize,
    "read_events": sesops_auto,
    "pure-python": sesops_python,
}


def _child(name: str, path: str, queue: Any) -> None:
    import numpy  # noqa: F401  (imports are not part of the measurement)
    import pandas  # noqa: F401

    import sesops.load.fastload  # noqa: F401

    if name in ("read_events", "pure-python"):
        import duckdb  # noqa: F401
    before = rss_mib()
    start = time.perf_counter()
    result = METHODS[name](Path(path))
    seconds = time.perf_counter() - start
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    if isinstance(result, int):
        rows, frame_mib = result, 0.0
    else:
        rows, frame_mib = len(result), result.memory_usage(deep=True).sum() / 2**20
    queue.put({"seconds": seconds, "rows": rows, "frame_mib": frame_mib, "rss_increase_mib": peak - before})


def measure(name: str, path: Path, repeat: int = 1) -> dict[str, Any]:
    """Best of ``repeat`` fresh-process runs (the least-disturbed one, as timeit does)."""
    ctx = mp.get_context("spawn")
    runs = []
    for _ in range(repeat):
        queue = ctx.Queue()
        proc = ctx.Process(target=_child, args=(name, str(path), queue))
        proc.start()
        runs.append(queue.get())
        proc.join()
    best = min(runs, key=lambda r: r["seconds"])
    return {"method": name, **best, "runs": [round(r["seconds"], 2) for r in runs]}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--sizes", type=int, nargs="+", default=[100_000, 1_000_000])
    parser.add_argument("--naive-max", type=int, default=100_000, help="skip naive methods above this size")
    parser.add_argument(
        "--python-max", type=int, default=100_000, help="skip the pure-Python path above this"
    )
    parser.add_argument("--out", type=Path, default=RESULTS / "load.md")
    parser.add_argument(
        "--repeat", type=int, default=3, help="runs per method at sizes up to 100k (best is kept)"
    )
    args = parser.parse_args()

    sections = [
        "# Loader benchmark",
        "",
        f"Machine: {platform.machine()}, {mp.cpu_count()} cores, Python {platform.python_version()}. "
        "Each method runs in a fresh child process of the same run (best of --repeat runs at 100k "
        "and below: this VM's speed drifts); RSS increase is the child's peak over its RSS after imports.",
        "",
    ]
    for n in args.sizes:
        path = generate(n)
        size_mb = path.stat().st_size / 1e6
        print(f"\n{n:,} notifications, {size_mb:.0f} MB ({size_mb * 1e6 / n / 1024:.2f} KiB each)")
        results = []
        for name in METHODS:
            if name.startswith("naive") and n > args.naive_max:
                continue
            if name == "pure-python" and n > args.python_max:
                continue
            result = measure(name, path, args.repeat if n <= 100_000 else 1)
            results.append(result)
            print(
                f"  {name:<16} {result['seconds']:7.2f} s  {result['rows']:>9,} rows  "
                f"frame {result['frame_mib']:7.1f} MiB  RSS +{result['rss_increase_mib']:7.1f} MiB"
            )
        base = next(r for r in results if r["method"] == "floor")["seconds"]
        sections += [
            f"## {n:,} notifications ({size_mb:.0f} MB)",
            "",
            "| method | seconds | x floor | rows | rows/s | frame MiB | peak RSS increase MiB |",
            "|---|---:|---:|---:|---:|---:|---:|",
        ]
        for r in results:
            sections.append(
                f"| {r['method']} | {r['seconds']:.2f} | {r['seconds'] / base:.2f} | {r['rows']:,} | "
                f"{r['rows'] / r['seconds']:,.0f} | {r['frame_mib']:.0f} | {r['rss_increase_mib']:.0f} |"
            )
        ours = next(r for r in results if r["method"] == "read_events")
        naive = [r for r in results if r["method"].startswith("naive")]
        checks = [f"read_events / floor = {ours['seconds'] / base:.2f}"]
        for r in naive:
            checks.append(f"{r['method']} / read_events = {r['seconds'] / ours['seconds']:.1f}x")
        python = next((r for r in results if r["method"] == "pure-python"), None)
        if python:
            checks.append(f"pure-python = {python['rows'] / python['seconds']:,.0f} rows/s")
        if ours["frame_mib"]:
            checks.append(
                f"peak RSS increase / frame memory = {ours['rss_increase_mib'] / ours['frame_mib']:.2f}"
            )
        sections += ["", "; ".join(checks), ""]
        print("  " + "; ".join(checks))
    args.out.parent.mkdir(parents=True, exist_ok=True)
    args.out.write_text("\n".join(sections) + "\n")
    print(f"\nwrote {args.out}")


if __name__ == "__main__":
    main()
