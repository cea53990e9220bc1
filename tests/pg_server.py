"""A throwaway PostgreSQL server on loopback, for the store tests and the receiver benchmark.

Debian's binaries (``/usr/lib/postgresql/*/bin``, or ``initdb`` on PATH): ``initdb`` into a
temporary directory, ``pg_ctl start`` on a free port with its socket in that directory, and
``stop`` removes everything. Run as root, the server runs as the ``postgres`` user.
"""

from __future__ import annotations

import os
import pwd
import shlex
import shutil
import socket
import subprocess
import tempfile
import uuid
from pathlib import Path

import psycopg


def find_bin() -> Path | None:
    """The directory of the newest installed ``initdb`` and ``pg_ctl``, or None."""
    candidates = sorted(
        Path("/usr/lib/postgresql").glob("*/bin"),
        key=lambda p: int(p.parent.name) if p.parent.name.isdigit() else 0,
    )
    found = [p for p in candidates if (p / "initdb").is_file() and (p / "pg_ctl").is_file()]
    if found:
        return found[-1]
    on_path = shutil.which("initdb")
    return Path(on_path).parent if on_path and shutil.which("pg_ctl") else None


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


class ThrowawayPostgres:
    """``start()`` returns the server's URL; ``stop()`` ends it and deletes its files.

    ``fast`` turns off fsync (the tests kill receivers, never the machine: what a commit
    wrote is in the OS either way); a benchmark leaves it on.
    """

    def __init__(self, bin_dir: Path, *, fast: bool = True) -> None:
        self.bin_dir = bin_dir
        self.fast = fast
        self.dir = Path(tempfile.mkdtemp(prefix="sesops-pg-"))
        self.data = self.dir / "data"
        self.port = free_port()
        self.url = f"postgresql://postgres@127.0.0.1:{self.port}/postgres"
        self.user = "postgres" if os.geteuid() == 0 else None

    def _run(self, *args: str, timeout: float = 60) -> None:
        cmd = [str(self.bin_dir / args[0]), *args[1:]]
        if self.user is not None:  # root: PostgreSQL refuses to run as root
            cmd = ["su", self.user, "-s", "/bin/sh", "-c", shlex.join(cmd)]
        proc = subprocess.run(cmd, capture_output=True, text=True, timeout=timeout, check=False)
        if proc.returncode != 0:
            raise RuntimeError(f"{args[0]} failed: {proc.stderr.strip() or proc.stdout.strip()}")

    def start(self) -> str:
        """Create the cluster (the first time) and start the server; its URL."""
        if not self.data.exists():
            if self.user is not None:
                entry = pwd.getpwnam(self.user)
                os.chown(self.dir, entry.pw_uid, entry.pw_gid)
            self._run(
                "initdb", "-D", str(self.data), "-U", "postgres", "-A", "trust", "-E", "UTF8", "--no-sync"
            )
        options = f"-p {self.port} -k {self.dir} -c listen_addresses=127.0.0.1 -c shared_buffers=32MB"
        if self.fast:
            options += " -c fsync=off -c full_page_writes=off"
        self._run("pg_ctl", "-D", str(self.data), "-l", str(self.dir / "log"), "-o", options, "-w", "start")
        return self.url

    def halt(self) -> None:
        """Stop the server at once, as a crash would (``start`` brings it back with its data)."""
        if (self.data / "postmaster.pid").exists():
            self._run("pg_ctl", "-D", str(self.data), "-m", "immediate", "-w", "stop")

    def stop(self) -> None:
        """Stop the server and delete its files."""
        try:
            self.halt()
        finally:
            shutil.rmtree(self.dir, ignore_errors=True)


def fresh_schema_url(base_url: str) -> str:
    """A new empty schema in the server at ``base_url``, as a URL whose search_path is that schema."""
    name = f"t_{uuid.uuid4().hex[:12]}"
    with psycopg.connect(base_url, autocommit=True) as conn:
        conn.execute(f"CREATE SCHEMA {name}")  # type: ignore[arg-type]
    separator = "&" if "?" in base_url else "?"
    return f"{base_url}{separator}options=-csearch_path%3D{name}"
