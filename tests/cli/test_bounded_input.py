"""`sesops load` and `sesops verify` on inputs that never end or cannot be read: a line or a
reject naming the file, the documented exit status, bounded memory, never a hang."""

from __future__ import annotations

import gzip
import json
import os
import shutil
import subprocess
import sys
import tempfile
from collections.abc import Iterator
from pathlib import Path

import pytest

from sesops.cli import main
from tests.payloads import delivery, envelope

pytestmark = pytest.mark.timeout(60)

SESOPS = Path(sys.executable).with_name("sesops")
MIB = 1 << 20


def line(address: str, message_id: str) -> str:
    return json.dumps(envelope(delivery(address), message_id=message_id)) + "\n"


@pytest.fixture
def folder(tmp_path: Path) -> Path:
    (tmp_path / "good.jsonl").write_text(line("a@x.org", "1") + line("b@x.org", "2"))
    os.mkfifo(tmp_path / "pipe.jsonl")
    (tmp_path / "zero.jsonl").symlink_to("/dev/zero")
    return tmp_path


def test_load_keeps_the_good_file_lists_the_special_ones_and_exits_1(
    folder: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    (folder / "gone.jsonl").symlink_to(folder / "nowhere")  # sized for the progress bar too
    assert main(["load", str(folder)]) == 1
    out = capsys.readouterr().out
    assert "2 event rows from 2 messages" in out
    assert "rejected records: 3 (of which 3 are sources not read in full)" in out
    assert f"  {folder / 'gone.jsonl'}: cannot open (No such file or directory)" in out
    assert f"  {folder / 'pipe.jsonl'}: not a regular file (a FIFO); not read" in out
    assert f"  {folder / 'zero.jsonl'}: not a regular file (a character device); not read" in out


def test_load_strict_on_a_fifo_is_one_line_and_exit_2(
    folder: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    assert main(["load", str(folder / "pipe.jsonl"), "--strict", "--quiet"]) == 2
    err = capsys.readouterr().err
    assert err == f"sesops load: error: {folder / 'pipe.jsonl'}: not a regular file (a FIFO); not read\n"


def test_load_stops_a_bomb_at_the_flags_cap(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    bomb = tmp_path / "bomb.jsonl.gz"
    with gzip.open(bomb, "wb", compresslevel=1) as fh:
        fh.write(line("a@x.org", "1").encode() + bytes(32 * MIB))
    argv = ["load", str(bomb), "--quiet", "--max-line", "64K", "--max-decompressed", "2M"]
    assert main(argv) == 1
    out = capsys.readouterr().out
    assert "1 event rows from 1 messages" in out
    assert f"{bomb}:2: line longer than 64 KiB (--max-line)" in out
    assert f"{bomb}:2: stopped after 2 MiB of decompressed data (--max-decompressed)" in out


@pytest.mark.parametrize("value", ["nope", "0", "-5M", "1X"])
def test_a_bad_size_is_a_usage_error(value: str, capsys: pytest.CaptureFixture[str]) -> None:
    with pytest.raises(SystemExit) as exit_:
        main(["load", "x.jsonl", "--max-line", value])
    assert exit_.value.code == 2
    assert "--max-line: " in capsys.readouterr().err


def test_verify_names_each_file_it_cannot_read_and_exits_1(
    folder: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    assert (
        main(["verify", str(folder / "pipe.jsonl"), str(folder / "zero.jsonl"), "--cert-dir", str(folder)])
        == 1
    )
    assert capsys.readouterr().out.splitlines() == [
        f"{folder / 'pipe.jsonl'}: invalid: not a regular file (a FIFO); not read",
        f"{folder / 'zero.jsonl'}: invalid: not a regular file (a character device); not read",
    ]


def test_verify_rejects_an_endless_line_and_reads_on(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    path = tmp_path / "long.jsonl"
    path.write_bytes(b"{}\n" + b"z" * (2 * MIB) + b"\n{}\n")
    assert main(["verify", str(path), "--cert-dir", str(tmp_path), "--max-line", "1M"]) == 1
    assert capsys.readouterr().out.splitlines() == [
        f"{path}:1: invalid: missing Type",
        f"{path}:2: invalid: line longer than 1 MiB (--max-line)",
        f"{path}:3: invalid: missing Type",
    ]


@pytest.fixture
def shared_folder() -> Iterator[Path]:
    """A folder another user can enter (pytest's own tmp is private to root), removed after."""
    path = Path(tempfile.mkdtemp(prefix="sesops-unreadable-"))
    path.chmod(0o755)
    yield path
    for dirpath, dirnames, _ in os.walk(path):
        for name in dirnames:
            os.chmod(os.path.join(dirpath, name), 0o755)
    shutil.rmtree(path)


def as_unprivileged(*argv: str, cwd: Path) -> subprocess.CompletedProcess[str]:
    """Run sesops as ``nobody`` when we are root (root reads through chmod 000), else as we are."""
    prefix: list[str] = []
    if os.geteuid() == 0:
        setpriv = shutil.which("setpriv")
        if setpriv is None:
            pytest.skip("running as root without setpriv: chmod 000 blocks nothing")
        prefix = [setpriv, "--reuid=65534", "--regid=65534", "--clear-groups"]
    env = {**os.environ, "HOME": str(cwd)}
    return subprocess.run(
        [*prefix, str(SESOPS), *argv],
        cwd=cwd,
        env=env,
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )


def test_unreadable_files_and_folders_are_rejects_and_exit_1(shared_folder: Path) -> None:
    (shared_folder / "good.jsonl").write_text(line("a@x.org", "1"))
    (shared_folder / "good.jsonl").chmod(0o644)
    secret = shared_folder / "secret.jsonl"
    secret.write_text(line("s@x.org", "2"))
    secret.chmod(0o000)
    locked = shared_folder / "locked"
    locked.mkdir()
    (locked / "hidden.jsonl").write_text(line("h@x.org", "3"))
    locked.chmod(0o000)

    proc = as_unprivileged("load", str(shared_folder), "--quiet", cwd=shared_folder)
    assert proc.returncode == 1, proc.stderr
    assert "1 event rows from 1 messages" in proc.stdout
    assert f"  {secret}: cannot open (Permission denied)" in proc.stdout
    assert f"  {locked}: cannot list the directory (Permission denied)" in proc.stdout

    proc = as_unprivileged("verify", str(shared_folder), "--cert-dir", str(shared_folder), cwd=shared_folder)
    assert proc.returncode == 1, proc.stderr
    lines = proc.stdout.splitlines()
    assert f"{secret}: invalid: cannot open (Permission denied)" in lines
    assert f"{locked}: invalid: cannot list the directory (Permission denied)" in lines


PEAK_RSS = """
import sys
from sesops.cli import main
code = main(sys.argv[1:])
status = open("/proc/self/status").read()
peak = next(int(l.split()[1]) for l in status.splitlines() if l.startswith("VmHWM:"))
print(code, peak // 1024, file=sys.stderr)
"""


def test_verify_reads_64_mib_of_garbage_in_flat_memory(tmp_path: Path) -> None:
    """The peak resident size is read from the child's own VmHWM (its ru_maxrss would carry
    the forking pytest's)."""
    garbage = tmp_path / "garbage.jsonl"
    block = (b"not json at all, " * 60)[:1023] + b"\n"
    with garbage.open("wb") as fh:
        for _ in range(64):
            fh.write(block * 1024)
    argv = [sys.executable, "-c", PEAK_RSS, "verify", str(garbage), "--cert-dir", str(tmp_path)]
    proc = subprocess.run(argv, capture_output=True, text=True, timeout=60, check=False)
    code, peak_mib = map(int, proc.stderr.split()[-2:])
    assert code == 1 and proc.stdout.count("\n") == 65536
    assert peak_mib < 64, f"verify peaked at {peak_mib} MiB on 64 MiB of garbage"
