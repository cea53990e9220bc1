"""Receiver under a connection flood: deliveries/s and latency with and without, in one run.

Runs `sesops serve` (default limits: 1000 connections, 10 s read timeout, 5 s idle timeout) and
measures, in turn: no flood; 300 idle + 100 trickling connections (one byte a second); and a flood
past the connection limit (800 idle + 400 trickling). The flooder (a process of its own) reopens
every connection the server drops, so each flood holds steady. Each phase measures keep-alive throughput (as
bench_receiver.py drives it) and the latency of deliveries on a fresh connection each (as SNS
connects). Loopback only, bounded loops; the flooder shares the machine's cores with the server.

    .venv/bin/python benchmarks/bench_flood.py [--messages 3000] [--clients 8] [--fresh 100]
"""

from __future__ import annotations

import argparse
import json
import multiprocessing
import os
import platform
import selectors
import socket
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path
from typing import Any

from bench_receiver import TOPIC, drive, make_bodies

from sesops.capture.store import CaptureStore
from sesops.sns.signing import SigningAuthority

RESULTS = Path(__file__).resolve().parent / "results" / "flood.md"
SLOW_HEAD = b"POST / HTTP/1.1\r\nHost: 127.0.0.1\r\nX-Slow: " + b"a" * 1_000_000


class Flooder:
    """Hold ``idle`` silent and ``trickling`` one-byte-a-second connections open, reopening any
    the server drops; counts the reopenings."""

    def __init__(self, port: int, idle: int, trickling: int) -> None:
        self.port = port
        self.want = {"idle": idle, "trickle": trickling}
        self.reopened = 0
        self._selector = selectors.DefaultSelector()
        self._offset: dict[socket.socket, int] = {}
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, daemon=True)

    def start(self) -> None:
        for kind, count in self.want.items():
            for _ in range(count):
                self._open(kind)
        self._thread.start()

    def _open(self, kind: str) -> None:
        try:
            sock = socket.create_connection(("127.0.0.1", self.port), timeout=2)
        except OSError:
            return
        sock.setblocking(False)
        self._selector.register(sock, selectors.EVENT_READ, kind)
        if kind == "trickle":
            self._offset[sock] = 0

    def _run(self) -> None:
        next_tick = time.monotonic()
        while not self._stop.is_set():
            for key, _ in self._selector.select(timeout=0.1):
                self._drop(key.fileobj, key.data)  # type: ignore[arg-type]
            if time.monotonic() >= next_tick:
                next_tick += 1.0
                for sock, offset in list(self._offset.items()):
                    try:
                        sock.send(SLOW_HEAD[offset : offset + 1])
                        self._offset[sock] = offset + 1
                    except OSError:
                        self._drop(sock, "trickle")
            self._top_up()

    def _drop(self, sock: socket.socket, kind: str) -> None:
        self._selector.unregister(sock)
        self._offset.pop(sock, None)
        sock.close()
        self.reopened += 1

    def _top_up(self) -> None:
        held = {"idle": 0, "trickle": 0}
        for key in self._selector.get_map().values():
            held[key.data] += 1
        for kind, count in self.want.items():
            for _ in range(count - held[kind]):
                self._open(kind)

    def stop(self) -> None:
        self._stop.set()
        self._thread.join(10)
        for key in list(self._selector.get_map().values()):
            key.fileobj.close()  # type: ignore[union-attr]
        self._selector.close()


def _flood(port: int, idle: int, trickling: int, stop: Any, reopened: Any) -> None:
    """The flooder in a process of its own, so the load generator's threads keep their GIL."""
    flooder = Flooder(port, idle, trickling)
    flooder.start()
    stop.wait(3600)
    reopened.value = flooder.reopened
    flooder.stop()


def cpu_seconds(pid: int) -> float:
    """User + system CPU of a process so far (Linux /proc)."""
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def percentile(values: list[float], q: int) -> float:
    return statistics.quantiles(values, n=100, method="inclusive")[q - 1] if len(values) > 1 else values[0]


def fresh_deliveries(port: int, bodies: list[bytes]) -> tuple[list[float], int]:
    """Each body on its own new connection, one after another: latencies (ms) and non-200s."""
    latencies, failures = [], 0
    for body in bodies:
        head = (
            f"POST / HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: text/plain\r\nConnection: close\r\n"
            f"x-amz-sns-message-type: Notification\r\nContent-Length: {len(body)}\r\n\r\n"
        )
        t0 = time.perf_counter()
        try:
            with socket.create_connection(("127.0.0.1", port), timeout=15) as sock:
                sock.sendall(head.encode() + body)
                status = int(sock.recv(64).split()[1])
        except (OSError, IndexError, ValueError):
            status = 0
        latencies.append((time.perf_counter() - t0) * 1000)
        failures += status != 200
    return latencies, failures


def phase(
    name: str,
    url: str,
    pid: int,
    flood: tuple[int, int],
    bodies: list[bytes],
    fresh: list[bytes],
    clients: int,
) -> dict[str, Any]:
    port = int(url.rsplit(":", 1)[1].strip("/"))
    ctx = multiprocessing.get_context("spawn")
    stop, reopened = ctx.Event(), ctx.Value("i", 0)
    flooder = ctx.Process(target=_flood, args=(port, *flood, stop, reopened), daemon=True)
    if any(flood):
        flooder.start()
        time.sleep(15)  # past the read timeout: the flood at its steady state, drops and reopenings
    try:
        cpu_before = cpu_seconds(pid)
        elapsed, latencies, failures = drive([url], bodies, clients)
        cpu_us = (cpu_seconds(pid) - cpu_before) / len(bodies) * 1e6
        fresh_lat, fresh_failures = fresh_deliveries(port, fresh)
    finally:
        if any(flood):
            stop.set()
            flooder.join(30)
    return {
        "phase": name,
        "idle": flood[0],
        "trickling": flood[1],
        "msgs_per_s": round(len(bodies) / elapsed, 1),
        "server_cpu_us_per_msg": round(cpu_us),
        "p50_ms": round(percentile(latencies, 50), 2),
        "p99_ms": round(percentile(latencies, 99), 2),
        "non_200": failures,
        "fresh_p50_ms": round(percentile(fresh_lat, 50), 2),
        "fresh_p99_ms": round(percentile(fresh_lat, 99), 2),
        "fresh_max_ms": round(max(fresh_lat), 2),
        "fresh_non_200": fresh_failures,
        "flood_reopened": reopened.value,
    }


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--messages", type=int, default=3000, help="keep-alive deliveries per phase")
    parser.add_argument("--clients", type=int, default=8)
    parser.add_argument("--fresh", type=int, default=100, help="fresh-connection deliveries per phase")
    args = parser.parse_args()
    phases = [("no flood", (0, 0)), ("300 idle + 100 trickling", (300, 100))]
    phases.append(("past the limit: 800 idle + 400 trickling", (800, 400)))

    authority = SigningAuthority.generate()
    with tempfile.TemporaryDirectory(prefix="bench-flood-", dir=Path.cwd()) as tmp:
        workdir = Path(tmp)
        cert_dir = authority.write_cert_dir(workdir / "certs")
        db = workdir / "bench.sqlite"
        cmd = [sys.executable, "-c", "import sys; from sesops.cli import main; sys.exit(main())", "serve"]
        cmd += [
            "--db",
            str(db),
            "--port",
            "0",
            "--allow-topic",
            TOPIC,
            "--cert-dir",
            str(cert_dir),
            "--quiet",
        ]
        proc = subprocess.Popen(cmd, stdout=subprocess.PIPE, stderr=subprocess.DEVNULL, text=True)
        try:
            assert proc.stdout is not None
            url = proc.stdout.readline().split("listening on ")[1].strip()
            drive([url], make_bodies(authority, 200), args.clients)  # warm up
            rows = [
                phase(
                    name,
                    url,
                    proc.pid,
                    flood,
                    make_bodies(authority, args.messages),
                    make_bodies(authority, args.fresh),
                    args.clients,
                )
                for name, flood in phases
            ]
        finally:
            proc.terminate()
            proc.wait(30)
        with CaptureStore(db) as store:
            stored = store.counts().messages
    expected = 200 + len(phases) * (args.messages + args.fresh)
    base = rows[0]["msgs_per_s"]
    lines = [
        "# Receiver under a connection flood",
        "",
        f"{platform.machine()}, {os.cpu_count()} CPUs, Python {platform.python_version()}, load average "
        f"{os.getloadavg()[0]:.1f}; `sesops serve` defaults (1 worker, 1000 connections, 10 s read and "
        f"5 s idle timeouts); {args.messages} signed notifications from {args.clients} keep-alive clients, "
        f"then {args.fresh} on a fresh connection each, per phase; the flooder reopens what the server drops.",
        "",
        "| phase | msgs/s | vs no flood | server CPU µs/msg | p50 ms | p99 ms | fresh p50 ms | fresh p99 ms "
        "| fresh max ms | non-200 |",
        "|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|",
    ]
    for r in rows:
        lines.append(
            f"| {r['phase']} | {r['msgs_per_s']:,.0f} | {r['msgs_per_s'] / base:.2f} | "
            f"{r['server_cpu_us_per_msg']:,} | {r['p50_ms']:.1f} | "
            f"{r['p99_ms']:.1f} | {r['fresh_p50_ms']:.1f} | {r['fresh_p99_ms']:.1f} | {r['fresh_max_ms']:.0f} | "
            f"{r['non_200'] + r['fresh_non_200']} |"
        )
    lines += [
        "",
        "Server CPU per delivery counts everything the receiver did meanwhile (the flood's reads, the",
        "once-a-second deadline check, polling every held connection), so it is the cost to compare",
        "on a shared machine; msgs/s and latencies also carry the machine's other load.",
        f"Rows committed: {stored} of {expected} sent.",
        "",
    ]
    report = "\n".join(lines)
    print(report)
    RESULTS.parent.mkdir(parents=True, exist_ok=True)
    RESULTS.write_text(report)
    RESULTS.with_suffix(".json").write_text(json.dumps({"phases": rows, "stored": stored}, indent=2) + "\n")
    failures = sum(r["non_200"] + r["fresh_non_200"] for r in rows)
    return 0 if failures == 0 and stored == expected else 1


if __name__ == "__main__":
    sys.exit(main())
