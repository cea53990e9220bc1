"""Bounded input: bombs, endless lines, special files, deep nesting and big documents, over
real files. Each limit is set low so every case runs in well under a second."""

from __future__ import annotations

import gzip
import json
import os
from pathlib import Path

import pytest

from sesops.errors import InputError, SourceUnreadable
from sesops.load.reader import read_events
from sesops.load.sources import Limits, describe_size, file_records
from sesops.load.summary import format_load_summary
from tests.payloads import bounce, delivery, envelope

pytestmark = pytest.mark.timeout(30)  # a FIFO that blocked would hang: fail instead

MIB = 1 << 20
LOW = Limits(max_line=64 << 10, max_document=1 * MIB, max_decompressed=4 * MIB)


def line(address: str, message_id: str) -> bytes:
    return json.dumps(envelope(delivery(address), message_id=message_id)).encode() + b"\n"


@pytest.fixture
def good(tmp_path: Path) -> Path:
    path = tmp_path / "good.jsonl"
    path.write_bytes(line("a@x.org", "1") + line("b@x.org", "2"))
    return path


def reasons(df: object) -> dict[str, str]:
    return {Path(r["source"]).name: r["reason"] for r in df.attrs["rejects"]}  # type: ignore[attr-defined]


def test_a_gzip_bomb_stops_at_the_decompressed_cap(good: Path) -> None:
    bomb = good.parent / "bomb.jsonl.gz"
    with gzip.open(bomb, "wb", compresslevel=1) as fh:
        fh.write(line("c@x.org", "3"))
        zeros = bytes(MIB)
        for _ in range(64):  # 64 MiB of zeros, no newline: about 64 KiB compressed
            fh.write(zeros)
    assert bomb.stat().st_size < MIB
    df = read_events(good.parent, limits=LOW, engine="python")
    assert sorted(df["email"]) == ["a@x.org", "b@x.org", "c@x.org"]
    assert [(r["line"], r["reason"]) for r in df.attrs["rejects"]] == [
        (2, "line longer than 64 KiB (--max-line)"),
        (2, "stopped after 4 MiB of decompressed data (--max-decompressed)"),
    ]
    assert df.attrs["unread"] == 1


@pytest.mark.parametrize("engine", ["python", "duckdb"])
def test_an_endless_line_is_one_reject_and_the_lines_after_it_are_read(tmp_path: Path, engine: str) -> None:
    path = tmp_path / "long.jsonl"
    path.write_bytes(line("a@x.org", "1") + b'{"Type": "' + b"x" * (3 * MIB) + b"\n" + line("b@x.org", "2"))
    df = read_events(path, limits=LOW, engine=engine)  # type: ignore[arg-type]
    assert sorted(df["email"]) == ["a@x.org", "b@x.org"]
    assert df.attrs["rejects"] == [
        {"source": str(path), "line": 2, "reason": "line longer than 64 KiB (--max-line)"}
    ]
    assert df.attrs["unread"] == 0  # the rest of the file was read


def test_a_file_that_never_ends_its_line_is_read_in_bounded_chunks(tmp_path: Path) -> None:
    path = tmp_path / "endless.jsonl"
    with path.open("wb") as fh:
        for _ in range(16):
            fh.write(b"y" * MIB)
    records = list(file_records(path, LOW))
    assert [(r.line, r.data.reason) for r in records] == [(1, "line longer than 64 KiB (--max-line)")]


def test_a_fifo_and_a_link_to_dev_zero_are_refused_without_blocking(good: Path) -> None:
    os.mkfifo(good.parent / "pipe.jsonl")
    (good.parent / "zero.jsonl").symlink_to("/dev/zero")
    df = read_events(good.parent, engine="python")
    assert sorted(df["email"]) == ["a@x.org", "b@x.org"]
    assert reasons(df) == {
        "pipe.jsonl": "not a regular file (a FIFO); not read",
        "zero.jsonl": "not a regular file (a character device); not read",
    }
    assert {r["line"] for r in df.attrs["rejects"]} == {0}
    assert df.attrs["unread"] == 2


def test_a_fifo_named_directly_raises_with_its_name_when_strict(tmp_path: Path) -> None:
    fifo = tmp_path / "pipe.json"
    os.mkfifo(fifo)
    with pytest.raises(SourceUnreadable, match=r"pipe\.json: not a regular file \(a FIFO\)"):
        read_events(fifo, errors="raise")


def test_a_dangling_link_in_a_directory_is_reported_not_skipped(good: Path) -> None:
    (good.parent / "gone.jsonl").symlink_to(good.parent / "nowhere.jsonl")
    df = read_events(good.parent)
    assert reasons(df) == {"gone.jsonl": "cannot open (No such file or directory)"}
    assert len(df) == 2


def test_an_unopenable_file_and_unlistable_folder_are_rejects(
    good: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """As root, chmod 000 blocks nothing, so the refusals are simulated here; tests/cli runs
    the real thing as an unprivileged user."""
    (good.parent / "secret.jsonl").write_bytes(line("s@x.org", "9"))
    (good.parent / "locked").mkdir()
    real_open, real_scandir = os.open, os.scandir

    def guarded_open(path: object, *args: object, **kwargs: object) -> int:
        if str(path).endswith("secret.jsonl"):
            raise PermissionError(13, "Permission denied", str(path))
        return real_open(path, *args, **kwargs)  # type: ignore[arg-type]

    def guarded_scandir(path: object = ".") -> object:
        if str(path).endswith("locked"):
            raise PermissionError(13, "Permission denied", str(path))
        return real_scandir(path)  # type: ignore[call-overload]

    monkeypatch.setattr(os, "open", guarded_open)
    monkeypatch.setattr(os, "scandir", guarded_scandir)
    df = read_events(good.parent, engine="python")
    assert reasons(df) == {
        "secret.jsonl": "cannot open (Permission denied)",
        "locked": "cannot list the directory (Permission denied)",
    }
    assert (len(df), df.attrs["unread"]) == (2, 2)


def test_deep_nesting_is_a_reject_beside_good_lines(good: Path) -> None:
    with good.open("ab") as fh:
        fh.write(b"[" * 100_000 + b"]" * 100_000 + b"\n" + line("c@x.org", "3"))
    df = read_events(good, engine="python")
    assert sorted(df["email"]) == ["a@x.org", "b@x.org", "c@x.org"]
    [reject] = df.attrs["rejects"]
    assert reject == {"source": str(good), "line": 3, "reason": "not JSON (nested deeper than 1024 levels)"}


def test_a_big_json_array_is_read_element_by_element(tmp_path: Path) -> None:
    items = [envelope(bounce(f"u{i}@x.org"), message_id=str(i)) for i in range(120)]
    items[7] = {"nested": [[[[[]]]]] * 10}  # a bad element among good ones
    path = tmp_path / "many.json"
    path.write_text(json.dumps(items, indent=1))
    assert path.stat().st_size > LOW.max_line  # too big to decode at once under LOW
    df = read_events(path, limits=LOW)
    assert len(df) == 119
    assert [r["line"] for r in df.attrs["rejects"]] == [8]


def test_a_json_array_broken_midway_keeps_what_came_before(tmp_path: Path) -> None:
    items = [json.dumps(envelope(bounce(f"u{i}@x.org"), message_id=str(i))) for i in range(60)]
    path = tmp_path / "broken.json"
    path.write_text("[" + ",\n".join(items[:50]) + ",\n{oops" + ",\n".join(items[50:]) + "]")
    df = read_events(path, limits=LOW)
    assert len(df) == 50
    assert [(r["line"], r["reason"]) for r in df.attrs["rejects"]] == [
        (51, "not JSON; the rest of the array is not read")
    ]


def test_a_json_document_past_its_cap_is_refused_whole(tmp_path: Path) -> None:
    path = tmp_path / "huge.json"
    path.write_bytes(b"[" + b"1," * MIB + b"1]")
    df = read_events(path, limits=LOW)
    assert df.attrs["rejects"] == [
        {
            "source": str(path),
            "line": 0,
            "reason": "larger than 1 MiB, the most one .json document may be (--max-document)",
        }
    ]
    assert df.attrs["unread"] == 1


def test_json_lines_named_json_past_the_document_cap_are_read_as_lines(tmp_path: Path) -> None:
    path = tmp_path / "export.json"
    with path.open("wb") as fh:
        for i in range(6000):
            fh.write(line(f"u{i}@x.org", str(i)))
    assert path.stat().st_size > LOW.max_document
    df = read_events(path, limits=LOW)
    assert (len(df), df.attrs["rejected"]) == (6000, 0)


def test_a_truncated_gzip_keeps_its_first_lines_and_says_where_it_stopped(tmp_path: Path) -> None:
    whole = gzip.compress(b"".join(line(f"u{i}@x.org", str(i)) for i in range(2000)))
    path = tmp_path / "cut.jsonl.gz"
    path.write_bytes(whole[: len(whole) // 2])
    df = read_events(path, engine="python")
    [reject] = df.attrs["rejects"]
    assert 0 < len(df) < 2000 and reject["line"] == len(df) + 1
    assert reject["reason"].startswith("cannot read further (")
    assert df.attrs["unread"] == 1


def test_the_rejects_message_past_the_listed_ones_is_right(tmp_path: Path) -> None:
    path = tmp_path / "junk.jsonl"
    path.write_bytes(b"nope\n" * 1500 + line("a@x.org", "1"))
    df = read_events(path, engine="python")
    assert (df.attrs["rejected"], len(df.attrs["rejects"]), len(df)) == (1500, 1000, 1)
    summary = format_load_summary(df)
    assert "rejected records: 1500\n" in summary + "\n"
    assert summary.endswith("  ... and 1,495 more (df.attrs['rejects'] lists the first 1,000)")
    few = read_events(tmp_path / "junk.jsonl", limits=Limits(max_line=3))  # every line too long
    assert "lists them" not in format_load_summary(few)


def test_a_few_rejects_are_all_listed() -> None:
    df = read_events([b"nope"] * 7)
    assert format_load_summary(df).endswith("  ... and 2 more (df.attrs['rejects'] lists them)")


@pytest.mark.parametrize(
    ("size", "text"),
    [
        (8 * MIB, "8 MiB"),
        (4 << 30, "4 GiB"),
        (64 << 10, "64 KiB"),
        (1500, "1500 B"),
        (3 * MIB // 2, "1.5 MiB"),
    ],
)
def test_sizes_read_as_the_help_prints_them(size: int, text: str) -> None:
    assert describe_size(size) == text


def test_a_limit_below_one_byte_is_refused() -> None:
    with pytest.raises(InputError, match="max_line must be a positive number of bytes"):
        Limits(max_line=0)


def test_a_file_mostly_of_garbage_leaves_duckdb_early_with_the_same_result(
    good: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from sesops.load import fastload

    monkeypatch.setattr(fastload, "MAX_HANDED_OVER", 50)
    with good.open("ab") as fh:
        fh.write(b"not json\n" * 300 + line("c@x.org", "3"))
    duck = read_events(good, engine="duckdb")
    pure = read_events(good, engine="python")
    assert sorted(duck["email"]) == sorted(pure["email"]) == ["a@x.org", "b@x.org", "c@x.org"]
    assert duck.attrs["rejects"] == pure.attrs["rejects"] and duck.attrs["rejected"] == 300
