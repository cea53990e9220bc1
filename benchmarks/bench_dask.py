"""Dask against pandas on partitioned gzip: the suppression list and daily rates of N notifications.

The corpus is the loader benchmark's 1M simulated SNS notifications (``sesops.sim``, 0.5 %
redeliveries; generated as bench_load.py does when missing) cut into 30 gzip parts. A size past
1M adds copies of it whose SNS MessageIds, SES messageIds and feedbackIds carry a copy prefix, so
every copy is new traffic for the same recipients (30 more parts each).

For each size, in the same run:

* ``pandas``: a child process runs ``read_events`` on the parts, ``build_suppression_list`` and
  ``daily``; its resident memory is watched every 20 ms and the child is killed once it passes
  ``--cap-gib`` (what a container's memory limit does; RLIMIT_AS is no use here: DuckDB, Arrow
  and the thread arenas reserve ~1.2 GB of address space they never touch);
* ``dask``: ``sesops.dask`` on a local cluster of 2 worker processes capped at ``--worker-gib``
  each (Dask's nanny restarts a worker that passes 95 % of it): ``read_events``,
  ``suppression_list``, ``daily_rates``; peak memory is each worker's VmHWM (and the driver's).

Both produce the same frames (checked). Sizes grow until pandas is killed and Dask completes.
Results: benchmarks/results/dask.json and stdout.

    python benchmarks/bench_dask.py                                # 1M, then 2M, ... up to --max
    python benchmarks/bench_dask.py --sizes 1000000 --cap-gib 2
"""

from __future__ import annotations

import argparse
import gzip
import itertools
import json
import os
import platform
import re
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

HERE = Path(__file__).resolve().parent
DATA = HERE / "data"
RESULTS = HERE / "results"
BASE = 1_000_000
PARTS = 30
GIB = 1 << 30

# the ids a copy rewrites: SNS MessageId in the envelope, messageId and feedbackId in the Message text
_IDS = re.compile(rb'("MessageId":"|\\"messageId\\":\\"|\\"feedbackId\\":\\")')


def base_file() -> Path:
    path = DATA / f"notifications-{BASE}.jsonl"
    if not path.exists():
        sys.path.insert(0, str(HERE))
        from bench_load import generate  # the loader benchmark's corpus, generated once

        generate(BASE)
    return path


def corpus(size: int) -> Path:
    """``size`` notifications as gzip parts of ``BASE // PARTS`` lines (30 per million)."""
    root = DATA / f"dask-{size}"
    done = root / ".complete"
    if done.exists():
        return root
    root.mkdir(parents=True, exist_ok=True)
    source = base_file()
    per_part = BASE // PARTS
    left = size
    for copy in range(-(-size // BASE)):
        prefix = b"" if copy == 0 else f"c{copy}-".encode()
        with open(source, "rb") as fh:
            for part in range(PARTS):
                chunk = list(itertools.islice(fh, min(per_part if part < PARTS - 1 else BASE, left)))
                if not chunk:
                    break
                left -= len(chunk)
                lines = [_IDS.sub(rb"\1" + prefix, line) for line in chunk] if prefix else chunk
                with gzip.open(root / f"copy{copy}-part{part:02d}.jsonl.gz", "wb", compresslevel=1) as out:
                    out.writelines(lines)
    done.touch()
    return root


def rss_kib(pid: int | str = "self", field: str = "VmRSS") -> int:
    try:
        with open(f"/proc/{pid}/status") as fh:
            for line in fh:
                if line.startswith(field + ":"):
                    return int(line.split()[1])
    except (FileNotFoundError, ProcessLookupError):
        pass
    return 0


# -- pandas, in a child process watched by its parent ------------------------------------------


def pandas_child(root: str, out: str) -> None:
    """Run in the child: the pandas path, results to ``out`` (parquet), numbers to stdout."""
    start = time.perf_counter()
    from sesops.analysis.rates import daily
    from sesops.analysis.suppress import build_suppression_list
    from sesops.load.reader import read_events

    events = read_events(root)
    rows = len(events)
    suppression = build_suppression_list(events)
    rates = daily(events)
    seconds = time.perf_counter() - start
    suppression.to_parquet(Path(out) / "suppression.parquet")
    rates.to_parquet(Path(out) / "daily.parquet")
    print(json.dumps({"seconds": seconds, "rows": rows, "peak_rss_mib": rss_kib("self", "VmHWM") / 1024}))


def run_pandas(root: Path, cap: int, out: Path) -> dict[str, Any]:
    command = [sys.executable, __file__, "--pandas-child", str(root), str(out)]
    child = subprocess.Popen(command, stdout=subprocess.PIPE, stderr=subprocess.PIPE)
    peak = 0
    killed = False
    while child.poll() is None:
        rss = rss_kib(child.pid) * 1024
        peak = max(peak, rss)
        if rss > cap:
            child.kill()
            killed = True
            break
        time.sleep(0.02)
    stdout, stderr = child.communicate()
    if killed:
        return {"completed": False, "killed_at_rss_mib": round(peak / 2**20), "cap_mib": cap >> 20}
    if child.returncode:
        return {"completed": False, "error": stderr.decode()[-600:], "cap_mib": cap >> 20}
    result: dict[str, Any] = json.loads(stdout.decode().strip().splitlines()[-1])
    return {"completed": True, "cap_mib": cap >> 20, **result}


# -- dask, on a local cluster of capped worker processes -----------------------------------------


def run_dask(root: Path, worker_bytes: int) -> tuple[dict[str, Any], Any, Any]:
    from distributed import Client, LocalCluster

    import sesops.dask

    with (
        LocalCluster(
            n_workers=2, threads_per_worker=1, memory_limit=worker_bytes, dashboard_address=":0"
        ) as cluster,
        Client(cluster) as client,
    ):
        pids = client.run(os.getpid)
        start = time.perf_counter()
        ddf = sesops.dask.read_events(root, client=client)
        read = time.perf_counter() - start
        suppression = sesops.dask.suppression_list(ddf, client=client)
        suppressed = time.perf_counter() - start
        rates = sesops.dask.daily_rates(ddf, client=client)
        seconds = time.perf_counter() - start
        peaks = client.run(lambda: rss_kib("self", "VmHWM") / 1024)
        restarted = client.run(os.getpid) != pids
    result = {
        "completed": True,
        "seconds": seconds,
        "seconds_first_pass": read,
        "seconds_suppression": suppressed - read,
        "seconds_daily_rates": seconds - suppressed,
        "partitions": ddf.npartitions,
        "worker_cap_mib": worker_bytes >> 20,
        "worker_peak_rss_mib": sorted(round(v) for v in peaks.values()),
        "workers_peak_rss_sum_mib": round(sum(peaks.values())),
        "workers_restarted": restarted,
        "driver_peak_rss_mib": round(rss_kib("self", "VmHWM") / 1024),
    }
    return result, suppression, rates


def same_answers(out: Path, suppression: Any, rates: Any) -> bool:
    import pandas as pd

    try:
        pd.testing.assert_frame_equal(
            pd.read_parquet(out / "suppression.parquet"), suppression, check_dtype=False
        )
        pd.testing.assert_frame_equal(
            pd.read_parquet(out / "daily.parquet"), rates, check_dtype=False, check_freq=False
        )
    except AssertionError as err:
        print("DIFFERENT:", str(err)[:400])
        return False
    return True


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sizes", type=int, nargs="*", help="notifications per run (multiples of 1M)")
    parser.add_argument("--max", type=int, default=3 * BASE, help="largest size of the growing search")
    parser.add_argument("--cap-gib", type=float, default=2.0, help="memory cap of the pandas process")
    parser.add_argument(
        "--worker-gib", type=float, default=1.0, help="memory cap of each of the 2 Dask workers"
    )
    args = parser.parse_args()
    cap, worker = int(args.cap_gib * GIB), int(args.worker_gib * GIB)
    sizes = args.sizes or list(range(BASE, args.max + 1, BASE))
    runs = []
    began = time.perf_counter()
    for size in sizes:
        root = corpus(size)
        print(f"{size:,} notifications: {sum(1 for _ in root.glob('*.gz'))} parts", flush=True)
        with tempfile.TemporaryDirectory() as scratch:
            out = Path(scratch)
            pandas = run_pandas(root, cap, out)
            print("  pandas", pandas, flush=True)
            dask, suppression, rates = run_dask(root, worker)
            if pandas["completed"]:
                dask["same_answers_as_pandas"] = same_answers(out, suppression, rates)
                dask["seconds_vs_pandas"] = round(dask["seconds"] / pandas["seconds"], 2)
            dask |= {"suppressed": len(suppression), "days": len(rates)}
            print("  dask  ", dask, flush=True)
        runs.append({"notifications": size, "pandas": pandas, "dask": dask})
        if not args.sizes and not pandas["completed"]:
            break  # pandas ran out of memory and Dask did not: the point of the search
    write(runs, args, time.perf_counter() - began)


def write(runs: list[dict[str, Any]], args: argparse.Namespace, seconds: float) -> None:
    failed = [r["notifications"] for r in runs if not r["pandas"]["completed"] and r["dask"]["completed"]]
    summary = {
        "machine": f"{platform.machine()}, {os.cpu_count()} cores, Python {platform.python_version()}",
        "load_average_at_end": os.getloadavg(),
        "pandas_cap_gib": args.cap_gib,
        "dask_workers": 2,
        "dask_worker_cap_gib": args.worker_gib,
        "pandas_runs_out_of_memory_and_dask_does_not_at": failed[0] if failed else None,
        "runs": runs,
        "benchmark_seconds": round(seconds),
    }
    RESULTS.mkdir(exist_ok=True)
    (RESULTS / "dask.json").write_text(json.dumps(summary, indent=2) + "\n")
    print(json.dumps(summary, indent=2))


if __name__ == "__main__":
    if len(sys.argv) == 4 and sys.argv[1] == "--pandas-child":
        pandas_child(sys.argv[2], sys.argv[3])
    else:
        main()
