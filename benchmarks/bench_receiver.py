"""Receiver throughput: verified, durably stored SNS notifications per second over loopback.

Runs `sesops serve` (waitress, group commit) as subprocesses and drives them with keep-alive
connections from client threads; a 200 means the row is committed. In the same run: one
receiver on SQLite (WAL + synchronous=FULL), one on PostgreSQL, and two receivers sharing one
PostgreSQL store (the clients split between them, as behind a load balancer). PostgreSQL is a
throwaway server from Debian's binaries with fsync on (or --postgres URL). For scale it also
measures the bare signature check and a stdlib ThreadingHTTPServer that only verifies (no
store): the ceiling for this machine. Loopback only, bounded loops.

    .venv/bin/python benchmarks/bench_receiver.py [--messages 10000] [--clients 16] [--threads 1]
        [--postgres postgresql://...]
"""

from __future__ import annotations

import argparse
import multiprocessing
import os
import platform
import socket
import statistics
import subprocess
import sys
import tempfile
import threading
import time
import uuid
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any

import orjson

from sesops.capture.store import open_store
from sesops.sns.signing import SigningAuthority
from sesops.sns.verify import SnsVerifier

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))  # the tests' throwaway PostgreSQL
from tests.pg_server import ThrowawayPostgres, find_bin, fresh_schema_url

TOPIC = "arn:aws:sns:us-east-1:123456789012:ses-feedback"
RESULTS = Path(__file__).resolve().parent / "results"


def ses_bounce(i: int) -> str:
    return orjson.dumps(
        {
            "notificationType": "Bounce",
            "bounce": {
                "bounceType": "Permanent",
                "bounceSubType": "General",
                "bouncedRecipients": [{"emailAddress": f"user{i}@example.com", "status": "5.1.1"}],
                "timestamp": "2024-05-01T12:00:00.000Z",
                "feedbackId": f"fb-{uuid.uuid4()}",
            },
            "mail": {
                "timestamp": "2024-05-01T11:59:59.000Z",
                "source": "sender@example.org",
                "messageId": f"m-{uuid.uuid4()}",
                "destination": [f"user{i}@example.com"],
            },
        }
    ).decode()


def make_bodies(authority: SigningAuthority, n: int) -> list[bytes]:
    return [
        orjson.dumps(authority.notification(TOPIC, ses_bounce(i), version="2"), option=orjson.OPT_INDENT_2)
        for i in range(n)
    ]


def bare_verify_us(verifier: SnsVerifier, bodies: list[bytes]) -> float:
    sample = bodies[:2000]
    verifier.verify(orjson.loads(sample[0]))  # load the certificate
    start = time.perf_counter()
    for body in sample:
        verifier.verify(orjson.loads(body))
    return (time.perf_counter() - start) / len(sample) * 1e6


def drive(urls: list[str], bodies: list[bytes], clients: int) -> tuple[float, list[float], int]:
    """POST every body once from ``clients`` keep-alive threads, client k to ``urls[k % len]``;
    (seconds, latencies ms, non-200s).

    The load generator shares the machine's two cores with the server, so it is a lean
    HTTP/1.1 client on raw sockets (requests pre-encoded, responses read by
    Content-Length): a heavier client would measure itself, not the server.
    """
    latencies: list[list[float]] = [[] for _ in range(clients)]
    failures = [0] * clients
    barrier = threading.Barrier(clients + 1)

    def request(body: bytes, host: str, port: str) -> bytes:
        head = (
            f"POST / HTTP/1.1\r\nHost: {host}:{port}\r\nContent-Type: text/plain\r\n"
            f"x-amz-sns-message-type: Notification\r\nContent-Length: {len(body)}\r\n\r\n"
        )
        return head.encode() + body

    def client(k: int) -> None:
        host, port = urls[k % len(urls)].split("//")[1].strip("/").split(":")
        requests = [request(body, host, port) for body in bodies[k::clients]]
        sock = socket.create_connection((host, int(port)), timeout=30)
        sock.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
        reader = sock.makefile("rb")
        barrier.wait()
        for raw in requests:
            t0 = time.perf_counter()
            sock.sendall(raw)
            status = int(reader.readline().split()[1])
            length = 0
            while (line := reader.readline()) not in (b"\r\n", b""):
                if line.lower().startswith(b"content-length:"):
                    length = int(line.split(b":")[1])
            reader.read(length)
            latencies[k].append((time.perf_counter() - t0) * 1000)
            if status != 200:
                failures[k] += 1
        reader.close()
        sock.close()

    threads = [threading.Thread(target=client, args=(k,)) for k in range(clients)]
    for t in threads:
        t.start()
    barrier.wait()
    start = time.perf_counter()
    for t in threads:
        t.join()
    elapsed = time.perf_counter() - start
    return elapsed, [x for lat in latencies for x in lat], sum(failures)


def percentile(values: list[float], q: float) -> float:
    return statistics.quantiles(values, n=100)[int(q) - 1] if len(values) > 1 else values[0]


# -- the ceiling: stdlib server, signature check only ------------------------------------------


def _ceiling_server(cert_dir: str, port_out: Any, stop: Any) -> None:
    verifier = SnsVerifier(cert_dir=cert_dir, allowed_topics=[TOPIC])

    class Handler(BaseHTTPRequestHandler):
        protocol_version = "HTTP/1.1"
        disable_nagle_algorithm = True  # else headers and body in two sends stall on delayed ACKs

        def do_POST(self) -> None:
            body = self.rfile.read(int(self.headers.get("Content-Length", "0")))
            try:
                verifier.verify(orjson.loads(body))
                status, text = 200, b"ok\n"
            except Exception:
                status, text = 403, b"no\n"
            self.send_response(status)
            self.send_header("Content-Length", str(len(text)))
            self.end_headers()
            self.wfile.write(text)

        def log_message(self, *args: Any) -> None:
            pass

    ThreadingHTTPServer.request_queue_size = 128
    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    server.daemon_threads = True
    port_out.put(server.server_address[1])
    threading.Thread(target=server.serve_forever, daemon=True).start()
    stop.wait(600)
    server.shutdown()


def run_ceiling(cert_dir: Path, bodies: list[bytes], clients: int) -> tuple[float, list[float], int]:
    ctx = multiprocessing.get_context("spawn")
    port_q, stop = ctx.Queue(), ctx.Event()
    proc = ctx.Process(target=_ceiling_server, args=(str(cert_dir), port_q, stop), daemon=True)
    proc.start()
    urls = [f"http://127.0.0.1:{port_q.get(timeout=30)}/"]
    drive(urls, bodies[:200], clients)  # warm up
    result = drive(urls, bodies, clients)
    stop.set()
    proc.join(10)
    return result


# -- the receiver ---------------------------------------------------------------------------


def _cpu_seconds(pid: int) -> float:
    """User + system CPU of a process so far (Linux /proc)."""
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def run_receivers(
    db: str,
    cert_dir: Path,
    bodies: list[bytes],
    warm: list[bytes],
    clients: int,
    threads: int,
    count: int = 1,
) -> tuple[float, list[float], int, int, float]:
    """``count`` `sesops serve` processes on the store ``db``; (seconds, latencies, non-200s,
    rows stored, receiver CPU µs per message summed over the processes)."""
    cmd = [sys.executable, "-c", "import sys; from sesops.cli import main; sys.exit(main())", "serve"]
    cmd += ["--db", db, "--port", "0", "--allow-topic", TOPIC, "--cert-dir", str(cert_dir)]
    cmd += ["--threads", str(threads), "--quiet"]
    procs = [subprocess.Popen(cmd, stdout=subprocess.PIPE, text=True) for _ in range(count)]
    try:
        urls = []
        for proc in procs:
            assert proc.stdout is not None
            urls.append(proc.stdout.readline().split("listening on ")[1].strip())
        drive(urls, warm, clients)
        cpu_before = sum(_cpu_seconds(proc.pid) for proc in procs)
        elapsed, latencies, failures = drive(urls, bodies, clients)
        cpu_us = (sum(_cpu_seconds(proc.pid) for proc in procs) - cpu_before) / len(bodies) * 1e6
    finally:
        for proc in procs:
            proc.terminate()
        for proc in procs:
            proc.wait(30)
    with open_store(db, create=False) as store:
        stored = store.counts().messages - len(warm)
    return elapsed, latencies, failures, stored, cpu_us


def postgres_store(url: str | None) -> tuple[str, ThrowawayPostgres | None]:
    """A fresh schema on ``url``, or on a throwaway server with fsync on (durable commits)."""
    server = None
    if url is None:
        bin_dir = find_bin()
        if bin_dir is None:
            raise SystemExit("no PostgreSQL binaries: install Debian's postgresql, or pass --postgres URL")
        server = ThrowawayPostgres(bin_dir, fast=False)
        url = server.start()
    return fresh_schema_url(url), server


def run_all(args: argparse.Namespace, workdir: Path, cert_dir: Path, bodies: list[bytes]) -> list[Any]:
    """Each configuration on its own fresh store, one after the other on the same machine."""
    rows: list[tuple[str, str, int]] = []
    warm = bodies[-200:]
    measured = bodies[:-200]
    sqlite_db = str(workdir / "bench.sqlite")
    rows.append(("1 × sesops serve on SQLite (WAL, FULL)", sqlite_db, 1))
    pg_one, server = postgres_store(args.postgres)
    try:
        pg_two = fresh_schema_url(pg_one.split("?")[0])
        rows.append(("1 × sesops serve on PostgreSQL", pg_one, 1))
        rows.append(("2 × sesops serve on one PostgreSQL store", pg_two, 2))
        results = []
        for name, db, count in rows:
            elapsed, lat, failures, stored, cpu_us = run_receivers(
                db, cert_dir, measured, warm, args.clients, args.threads, count
            )
            results.append((name, len(measured) / elapsed, lat, failures, stored, cpu_us, len(measured)))
    finally:
        if server is not None:
            server.stop()
    return results


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--messages", type=int, default=10000)
    parser.add_argument("--clients", type=int, default=16)
    parser.add_argument(
        "--threads", type=int, default=1, help="waitress worker threads (sesops serve's default)"
    )
    parser.add_argument("--postgres", metavar="URL", help="a PostgreSQL server (default: a throwaway one)")
    args = parser.parse_args()

    authority = SigningAuthority.generate()
    with tempfile.TemporaryDirectory(prefix="bench-receiver-", dir=Path.cwd()) as tmp:
        workdir = Path(tmp)
        cert_dir = authority.write_cert_dir(workdir / "certs")
        bodies = make_bodies(authority, args.messages + 200)
        verify_us = bare_verify_us(SnsVerifier(cert_dir=cert_dir, allowed_topics=[TOPIC]), bodies)
        results = run_all(args, workdir, cert_dir, bodies)
        c_elapsed, c_lat, c_failures = run_ceiling(cert_dir, bodies[: args.messages], args.clients)

    lines = [
        "# Receiver benchmark",
        "",
        f"{platform.machine()}, {os.cpu_count()} CPUs, Python {platform.python_version()}, "
        f"load average before {os.getloadavg()[0]:.1f}; {args.messages} signed v2 notifications, "
        f"{args.clients} keep-alive client threads, {args.threads} waitress thread(s) per receiver; "
        "loopback. The load generator, the receivers and PostgreSQL (fsync on) share the machine's cores.",
        "",
        "| server | msgs/s | p50 ms | p99 ms | non-200 | rows stored | receiver CPU µs/msg |",
        "|---|---:|---:|---:|---:|---:|---:|",
    ]
    ok = True
    for name, rate, latencies, bad, stored, cpu_us, sent in results:
        lines.append(
            f"| {name} | {rate:,.0f} | {percentile(latencies, 50):.1f} | {percentile(latencies, 99):.1f} "
            f"| {bad} | {stored} of {sent} | {cpu_us:.0f} |"
        )
        ok = ok and bad == 0 and stored == sent
    rate = args.messages / c_elapsed
    lines.append(
        f"| ceiling: stdlib ThreadingHTTPServer, verify only | {rate:,.0f} | {percentile(c_lat, 50):.1f} "
        f"| {percentile(c_lat, 99):.1f} | {c_failures} | - | - |"
    )
    lines += [
        "",
        f"Bare signature check (orjson decode + SnsVerifier.verify, cached cert): {verify_us:.0f} µs/message.",
        "Every 200 was acknowledged after its row committed; rows stored counts the store afterwards.",
        "",
    ]
    report = "\n".join(lines)
    print(report)
    RESULTS.mkdir(parents=True, exist_ok=True)
    name = "receiver.md" if args.threads == 1 else f"receiver-threads{args.threads}.md"
    (RESULTS / name).write_text(report)
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
