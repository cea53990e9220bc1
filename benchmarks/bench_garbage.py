"""Peak memory and time of ``sesops verify`` and ``sesops load`` on garbage, against a tiny file.

Both commands must read any input in bounded memory: their peak resident size on gigabytes
of garbage should stay near what they use on one valid message (the same-run baseline),
since garbage makes no output. Three kinds of garbage, each ``--size`` bytes (default 2 GiB),
made quickly from a repeated random block and deleted afterwards:

* ``random``: random bytes (a newline every 256 bytes or so; not UTF-8, not JSON);
* ``text``: lines of 1 KiB of printable text, none of them JSON;
* ``endless``: one line with no newline at all.

Each command runs as a fresh subprocess; its peak RSS comes from ``os.wait4`` (the child's
own ``ru_maxrss``; the garbage is written by another child, so this process stays small). Results go to stdout and to benchmarks/results/garbage.json.

    .venv/bin/python benchmarks/bench_garbage.py [--size 2G] [--dir /tmp]
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import shutil
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path

RESULTS = Path(__file__).resolve().parent / "results" / "garbage.json"
SESOPS = str(Path(sys.executable).with_name("sesops"))
BLOCK = 64 << 20


def _random_block() -> bytes:
    return os.urandom(BLOCK)


def _text_block() -> bytes:
    line = (os.urandom(384).hex() + "not json " * 30)[:1023].encode() + b"\n"
    return line * (BLOCK // len(line))


def _endless_block() -> bytes:
    return b"x" * BLOCK


KINDS: dict[str, Callable[[], bytes]] = {
    "random": _random_block,
    "text": _text_block,
    "endless": _endless_block,
}


def make_garbage(path: Path, kind: str, size: int) -> None:
    block = KINDS[kind]()
    with path.open("wb") as fh:
        written = 0
        while written < size:
            chunk = block[: size - written]
            fh.write(chunk)
            written += len(chunk)


def run(argv: list[str]) -> dict[str, float | int]:
    """Run ``argv`` with its output discarded; its exit status, seconds and peak RSS in MiB."""
    started = time.perf_counter()
    proc = subprocess.Popen(argv, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    _pid, status, usage = os.wait4(proc.pid, 0)
    seconds = time.perf_counter() - started
    return {
        "exit": os.waitstatus_to_exitcode(status),
        "seconds": round(seconds, 2),
        "peak_rss_mib": round(usage.ru_maxrss / 1024, 1),
    }


def commands(path: Path, cert_dir: Path) -> dict[str, list[str]]:
    return {
        "verify": [SESOPS, "verify", str(path), "--cert-dir", str(cert_dir)],
        "load": [SESOPS, "load", str(path), "--quiet"],
    }


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--size", default="2G", help="bytes of garbage per kind (e.g. 256M, 2G)")
    parser.add_argument("--dir", type=Path, default=None, help="where to write the garbage (deleted after)")
    parser.add_argument("--kinds", nargs="+", choices=sorted(KINDS), default=list(KINDS))
    args = parser.parse_args()
    from sesops.cli.limits import byte_size

    size = byte_size(args.size)
    work = Path(tempfile.mkdtemp(prefix="sesops-garbage-", dir=args.dir))
    results: dict[str, object] = {
        "machine": f"{platform.machine()}, {os.cpu_count()} cores, Python {platform.python_version()}",
        "size_bytes": size,
    }
    try:
        cert_dir = work / "certs"
        cert_dir.mkdir()
        tiny = work / "one.jsonl"
        sample = Path(__file__).resolve().parents[1] / "sample_payloads" / "logs" / "feedback-export.jsonl"
        with sample.open("rb") as fh:
            tiny.write_bytes(fh.readline())
        baseline = {name: run(argv) for name, argv in commands(tiny, cert_dir).items()}
        results["baseline"] = baseline
        print("baseline (one valid message):", baseline, flush=True)
        for kind in args.kinds:
            path = work / f"{kind}.jsonl"
            started = time.perf_counter()
            # in a child: a parent that once held the block would lend its peak to every child
            # (Linux carries the forking process's high-water mark into the child's ru_maxrss)
            subprocess.run([sys.executable, __file__, "--make", kind, str(size), str(path)], check=True)
            made = round(time.perf_counter() - started, 1)
            measured = {name: run(argv) for name, argv in commands(path, cert_dir).items()}
            for name, numbers in measured.items():
                numbers["rss_vs_baseline"] = round(
                    numbers["peak_rss_mib"] / baseline[name]["peak_rss_mib"], 2
                )
            path.unlink()
            results[kind] = {"made_in_seconds": made, **measured}
            print(f"{kind}: {measured}", flush=True)
        results["load_average"] = [round(x, 1) for x in os.getloadavg()]
    finally:
        shutil.rmtree(work, ignore_errors=True)
    RESULTS.write_text(json.dumps(results, indent=2) + "\n")
    print(f"wrote {RESULTS}")


if __name__ == "__main__":
    if sys.argv[1:2] == ["--make"]:
        make_garbage(Path(sys.argv[4]), sys.argv[2], int(sys.argv[3]))
    else:
        main()
