"""The other channels' loaders against the orjson floor: EventBridge, concatenated Firehose objects, s3://.

From the N records bench_load uses (``sesops.sim``, SNS-wrapped, 0.5 % redeliveries), each
method runs in a fresh child process of this same run, best of --repeat:

* ``floor``              orjson, both JSON layers of every SNS line (bench_load's floor: the baseline)
* ``sns-jsonl``          read_events on that SNS JSON Lines file (bench_load's read_events, for reference)
* ``eventbridge-floor``  orjson, one decode of every EventBridge line (the same records as EventBridge events)
* ``eventbridge-jsonl``  read_events on that EventBridge JSON Lines file
* ``concat-objects``     the SNS records as --objects Firehose objects with no delimiter between records,
                         read from local files by sesops.load.archive.load_objects (no download)
* ``concat-prep``        the part of concat-objects before the fast loader: split, check, write JSON Lines
* ``s3-concat``          read_events("s3://...") of those objects on a sandbox running in another process
* ``s3-ndjson``          the SNS records as JSON Lines objects over s3://, prefetch (overlap) on
* ``s3-ndjson-serial``   the same, prefetch off: download, then parse, one object after the other

Ratios are against ``floor`` of the same run. Results: benchmarks/results/channels.json.

    python benchmarks/bench_channels.py                 # 100k records, 20 objects
    python benchmarks/bench_channels.py --records 20000 --repeat 1
"""

from __future__ import annotations

import argparse
import gc
import itertools
import json
import multiprocessing as mp
import os
import platform
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

from bench_load import DATA, RESULTS, floor, generate

BUCKET = "bench-archive"


def eventbridge_lines(n: int) -> Path:
    """The records of bench_load's file as EventBridge events from SES, one per line."""
    from sesops.events.shapes import EVENTBRIDGE_DETAIL_TYPES
    from sesops.sim.simulate import SimulationConfig, iter_lines

    path = DATA / f"eventbridge-{n}.jsonl"
    if path.exists():
        return path
    detail_types = {event: detail for detail, event in EVENTBRIDGE_DETAIL_TYPES.items()}
    config = SimulationConfig(messages=n, days=14, seed=7, bounce_rate=0.04, complaint_rate=0.002)
    tmp = path.with_suffix(".tmp")
    with open(tmp, "wb", buffering=1 << 20) as fh:
        for number, line in enumerate(itertools.islice(iter_lines(config, envelope=False), n)):
            detail = json.loads(line)
            kind = detail.pop("notificationType", None) or detail.pop("eventType")
            event = {
                "version": "0",
                "id": f"{number:08x}-0000-4000-8000-000000000000",
                "detail-type": detail_types[kind],
                "source": "aws.ses",
                "account": "123456789012",
                "time": detail["mail"]["timestamp"][:19] + "Z",
                "region": "us-east-1",
                "resources": [],
                "detail": {"eventType": kind, **detail},
            }
            fh.write(json.dumps(event, separators=(",", ":")).encode() + b"\n")
    tmp.rename(path)
    return path


def objects(sns: Path, count: int, kind: str) -> list[Path]:
    """bench_load's SNS lines cut into ``count`` objects, JSON Lines or concatenated."""
    folder = DATA / f"{sns.stem}-{kind}-{count}"
    if not folder.exists():
        lines = sns.read_bytes().splitlines(keepends=True)
        per = -(-len(lines) // count)
        tmp = folder.with_suffix(".tmp")
        tmp.mkdir(parents=True, exist_ok=True)
        for index in range(count):
            part = lines[index * per : (index + 1) * per]
            body = b"".join(line.rstrip(b"\n") for line in part) if kind == "concat" else b"".join(part)
            (tmp / f"ses-1-2026-11-01-{index:02d}-00-00-part").write_bytes(body)
        tmp.rename(folder)
    return sorted(folder.iterdir())


# -- the methods (run in a child process) -------------------------------------------------------


def eventbridge_floor(path: Path) -> int:
    import orjson

    count = 0
    with open(path, "rb") as fh:
        for line in fh:
            orjson.loads(line)
            count += 1
    return count


def read_file(path: Path) -> Any:
    from sesops import read_events

    return read_events(path)


def concat_objects(folder: Path) -> Any:
    from sesops.load.archive import load_objects
    from sesops.load.collector import Collector

    collector = Collector("report", dedupe=True)
    gc.disable()
    parts = sorted(folder.iterdir())
    load_objects(((part.name, part.read_bytes()) for part in parts), collector, prefetch=True)
    df = collector.frame()
    gc.enable()
    return df


def concat_prep(folder: Path) -> int:
    """What the concatenated path adds before the fast loader: split, check, write JSON Lines."""
    import tempfile

    from sesops.load.concat import json_lines

    count = 0
    with tempfile.TemporaryDirectory() as scratch, open(Path(scratch) / "batch.jsonl", "wb") as fh:
        for part in sorted(folder.iterdir()):
            text, lines = json_lines(part.read_bytes())
            fh.write(text)
            fh.write(b"\n")
            count += lines
    return count


def s3_read_events(url: str) -> Any:
    from sesops import read_events

    return read_events(url)


def s3_archive(url: str, prefetch: bool) -> Any:
    from sesops.load.archive import list_source, load_archive
    from sesops.load.collector import Collector

    collector = Collector("report", dedupe=True)
    gc.disable()
    load_archive(list_source(url), collector, prefetch=prefetch)
    df = collector.frame()
    gc.enable()
    return df


METHODS: dict[str, Callable[[Any], Any]] = {
    "floor": lambda p: floor(Path(p)),
    "sns-jsonl": lambda p: read_file(Path(p)),
    "eventbridge-floor": lambda p: eventbridge_floor(Path(p)),
    "eventbridge-jsonl": lambda p: read_file(Path(p)),
    "concat-prep": lambda p: concat_prep(Path(p)),
    "concat-objects": lambda p: concat_objects(Path(p)),
    "s3-concat": s3_read_events,
    "s3-ndjson": lambda url: s3_archive(url, prefetch=True),
    "s3-ndjson-serial": lambda url: s3_archive(url, prefetch=False),
}


def _child(name: str, source: str, queue: Any) -> None:
    import boto3  # noqa: F401  (imports are not part of the measurement)
    import duckdb  # noqa: F401
    import pandas  # noqa: F401

    import sesops.aws.archive
    import sesops.load.archive
    import sesops.load.fastload  # noqa: F401

    start = time.perf_counter()
    result = METHODS[name](source)
    seconds = time.perf_counter() - start
    rows = result if isinstance(result, int) else len(result)
    rejected = 0 if isinstance(result, int) else result.attrs.get("rejected", 0)
    queue.put({"seconds": seconds, "rows": rows, "rejected": rejected})


def measure(name: str, source: str, repeat: int) -> dict[str, Any]:
    ctx = mp.get_context("spawn")
    runs = []
    for _ in range(repeat):
        queue = ctx.Queue()
        proc = ctx.Process(target=_child, args=(name, source, queue))
        proc.start()
        runs.append(queue.get())
        proc.join()
    best = min(runs, key=lambda r: r["seconds"])
    return {"method": name, **best, "runs": [round(r["seconds"], 3) for r in runs]}


# -- the sandbox, in a process of its own (not sharing this process's interpreter lock) ----------


def _serve(queue: Any, stop: Any) -> None:
    from sesops.sandbox.server import Sandbox

    with Sandbox(port=0) as sb:
        queue.put(sb.env)
        stop.wait()


def upload(env: dict[str, str], parts: dict[str, list[Path]]) -> None:
    import boto3

    s3 = boto3.Session(
        aws_access_key_id=env["AWS_ACCESS_KEY_ID"],
        aws_secret_access_key=env["AWS_SECRET_ACCESS_KEY"],
        region_name=env["AWS_DEFAULT_REGION"],
    ).client("s3", endpoint_url=env["AWS_ENDPOINT_URL"])
    s3.create_bucket(Bucket=BUCKET)
    for prefix, paths in parts.items():
        for path in paths:
            s3.put_object(Bucket=BUCKET, Key=f"{prefix}/2026/11/01/00/{path.name}", Body=path.read_bytes())


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--records", type=int, default=100_000)
    parser.add_argument("--objects", type=int, default=20, help="Firehose objects the records are cut into")
    parser.add_argument("--repeat", type=int, default=3, help="runs per method (the best is kept)")
    parser.add_argument("--out", type=Path, default=RESULTS / "channels.json")
    args = parser.parse_args()

    sns = generate(args.records)
    eventbridge = eventbridge_lines(args.records)
    concat = objects(sns, args.objects, "concat")
    ndjson = objects(sns, args.objects, "ndjson")

    ctx = mp.get_context("spawn")
    env_queue, stop = ctx.Queue(), ctx.Event()
    server = ctx.Process(target=_serve, args=(env_queue, stop), daemon=True)
    server.start()
    env = env_queue.get(timeout=120)
    try:
        upload(env, {"concat": concat, "ndjson": ndjson})
        os.environ.update(env)  # the children point boto3 at the sandbox
        os.environ.pop("AWS_PROFILE", None)
        sources = {
            "floor": str(sns),
            "sns-jsonl": str(sns),
            "eventbridge-floor": str(eventbridge),
            "eventbridge-jsonl": str(eventbridge),
            "concat-prep": str(concat[0].parent),
            "concat-objects": str(concat[0].parent),
            "s3-concat": f"s3://{BUCKET}/concat/",
            "s3-ndjson": f"s3://{BUCKET}/ndjson/",
            "s3-ndjson-serial": f"s3://{BUCKET}/ndjson/",
        }
        results = []
        for name, source in sources.items():
            result = measure(name, source, args.repeat)
            results.append(result)
            print(
                f"  {name:<20} {result['seconds']:7.3f} s  {result['rows']:>9,} rows  runs {result['runs']}"
            )
    finally:
        stop.set()
        server.join(timeout=30)
    base = results[0]["seconds"]
    for result in results:
        result["x_floor"] = round(result["seconds"] / base, 3)
        result["seconds"] = round(result["seconds"], 3)
    by_name = {r["method"]: r for r in results}

    def ratio(a: str, b: str) -> float:
        return round(by_name[a]["seconds"] / by_name[b]["seconds"], 3)

    summary = {
        "sns-jsonl / floor": by_name["sns-jsonl"]["x_floor"],
        "eventbridge-jsonl / floor": by_name["eventbridge-jsonl"]["x_floor"],
        "eventbridge-jsonl / sns-jsonl": ratio("eventbridge-jsonl", "sns-jsonl"),
        "concat-prep / floor": by_name["concat-prep"]["x_floor"],
        "concat-objects / floor": by_name["concat-objects"]["x_floor"],
        "concat-objects / sns-jsonl": ratio("concat-objects", "sns-jsonl"),
        "s3-concat / floor": by_name["s3-concat"]["x_floor"],
        "s3-ndjson-serial / s3-ndjson (overlap gain)": ratio("s3-ndjson-serial", "s3-ndjson"),
    }
    for line, value in summary.items():
        print(f"  {line} = {value}")
    report = {
        "machine": f"{platform.machine()}, {mp.cpu_count()} cores, Python {platform.python_version()}",
        "load_average": os.getloadavg(),
        "records": args.records,
        "objects": args.objects,
        "object_mb": round(sum(p.stat().st_size for p in concat) / len(concat) / 1e6, 1),
        "repeat": args.repeat,
        "results": results,
        "summary": summary,
    }
    args.out.parent.mkdir(parents=True, exist_ok=True)
    args.out.write_text(json.dumps(report, indent=2) + "\n")
    print(f"wrote {args.out}")


if __name__ == "__main__":
    main()
