"""Sources -> raw records: files, directories, gzip, capture stores and in-memory iterables.

A record is what one line (JSONL), one array element (JSON) or one iterable item holds,
still undecoded where it came as text. Each carries where it came from, so a bad record
can be reported as ``source:line``.

Reading is bounded by :class:`Limits` (a line or record, a whole ``.json`` document, the
decompressed size of a ``.gz``), and only regular files are opened (never blocking on a
FIFO), so no input can exhaust memory or hang a load. What cannot be read becomes a
:class:`~sesops.errors.SourceUnreadable` record (line 0: the file or directory itself;
otherwise the line where reading stopped) instead of an exception, and the rest goes on.
"""

from __future__ import annotations

import contextlib
import gzip
import io
import json
import os
import re
import stat
import sys
import zlib
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any, BinaryIO, cast

from sesops.errors import InputError, RecordError, SourceUnreadable

JSON_SUFFIXES = (".json",)
LINES_SUFFIXES = (".jsonl", ".ndjson")
STORE_SUFFIXES = (".sqlite", ".sqlite3", ".db")
READABLE = JSON_SUFFIXES + LINES_SUFFIXES + STORE_SUFFIXES

#: The line number of a reject that stands for a whole file or directory.
WHOLE_SOURCE = 0

_READ_ERRORS = (OSError, EOFError, zlib.error)  # a truncated or corrupt .gz among them
_SKIP_CHUNK = 1 << 20


@dataclass(frozen=True, slots=True)
class Limits:
    """How much one source may make sesops read, in bytes (``sesops load --help`` names the flags).

    ``max_line``: one JSON Lines line, or one record of a ``.json`` file; longer ones are
    rejected and reading goes on after them. ``max_document``: a whole ``.json`` file
    (object or array). ``max_decompressed``: what one ``.gz`` file may inflate to; reading
    stops there. A JSON value nested deeper than 1,024 levels is always rejected (orjson's limit).
    """

    max_line: int = 8 << 20
    max_document: int = 128 << 20
    max_decompressed: int = 4 << 30

    def __post_init__(self) -> None:
        for name in ("max_line", "max_document", "max_decompressed"):
            if getattr(self, name) < 1:
                raise InputError(f"{name} must be a positive number of bytes")


DEFAULT_LIMITS = Limits()


@dataclass(frozen=True, slots=True)
class RawRecord:
    source: str
    line: int
    data: Any  # bytes, str, dict, or a RecordError found while splitting the source


def describe_size(size: int) -> str:
    """``8 MiB``, ``4 GiB``, ``1500 B``: a limit as the help and the rejects print it."""
    for unit, shift in (("GiB", 30), ("MiB", 20), ("KiB", 10)):
        if size >= 1 << shift and size % (1 << (shift - 4)) == 0:
            return f"{size / (1 << shift):g} {unit}"
    return f"{size} B"


def describe_suffixes() -> str:
    listed = ", ".join(READABLE + tuple(s + ".gz" for s in JSON_SUFFIXES + LINES_SUFFIXES))
    return f"{listed}, or a directory"


def inner_suffix(path: Path) -> str:
    """The data suffix of ``path``, looking through a trailing ``.gz``."""
    suffixes = [s.lower() for s in path.suffixes]
    if suffixes and suffixes[-1] == ".gz":
        suffixes = suffixes[:-1]
    return suffixes[-1] if suffixes else ""


def expand_paths(source: str | os.PathLike[str]) -> list[Path | RawRecord]:
    """The files a path source stands for: itself, or a directory's readable files (recursive).

    In a directory, every entry with a readable suffix is listed whatever it is (a FIFO or a
    device is refused when opened), and a folder that cannot be listed comes back as a
    :class:`~sesops.errors.SourceUnreadable` record rather than being skipped.
    """
    path = Path(source)
    if path.is_dir():
        return _walk(path)
    if not path.exists():
        raise InputError(f"{path}: no such file or directory")
    if not _readable(path):
        raise InputError(
            f"{path}: cannot read {path.suffix or 'files without a suffix'}; use {describe_suffixes()}"
        )
    return [path]


def _walk(root: Path) -> list[Path | RawRecord]:
    refused: list[RawRecord] = []

    def unlistable(err: OSError) -> None:
        folder = str(err.filename or root)
        reason = f"cannot list the directory ({err.strerror or err})"
        refused.append(RawRecord(folder, WHOLE_SOURCE, SourceUnreadable(reason, folder, WHOLE_SOURCE)))

    found = [
        Path(folder, name)
        for folder, _dirs, names in os.walk(root, onerror=unlistable)
        for name in names
        if not name.startswith(".") and _readable(Path(name))
    ]
    return [*sorted(found), *refused]


def _readable(path: Path) -> bool:
    suffix = inner_suffix(path)
    gz = path.suffix.lower() == ".gz"
    return (
        suffix in JSON_SUFFIXES + LINES_SUFFIXES
        or (gz and suffix == "")
        or (not gz and suffix in STORE_SUFFIXES)
    )


def is_store(path: Path) -> bool:
    return path.suffix.lower() in STORE_SUFFIXES


def is_gzip(path: Path) -> bool:
    return path.suffix.lower() == ".gz"


def refusal(path: Path) -> SourceUnreadable | None:
    """Why ``path`` cannot be read (not a regular file, no permission), or None when it can."""
    try:
        open_source(path).close()
    except SourceUnreadable as err:
        return err
    return None


class _GzipSource(gzip.GzipFile):
    """A gzip reader that closes the file it was given."""

    def __init__(self, raw: BinaryIO) -> None:
        super().__init__(fileobj=raw, mode="rb")
        self._raw = raw

    def close(self) -> None:
        try:
            super().close()
        finally:
            self._raw.close()


def open_source(path: Path) -> BinaryIO:
    """``path`` opened for reading (decompressed if it ends in ``.gz``), if it is a regular file.

    A FIFO, a device (``/dev/zero`` behind a link) or a directory is refused with a
    :class:`~sesops.errors.SourceUnreadable`, as is a file that cannot be opened; the open
    never blocks (``O_NONBLOCK``), and the check is made on what was opened.
    """
    name = str(path)
    try:
        fd = os.open(path, os.O_RDONLY | os.O_NONBLOCK)
    except OSError as err:
        raise SourceUnreadable(f"cannot open ({err.strerror or err})", name, WHOLE_SOURCE) from None
    try:
        mode = os.fstat(fd).st_mode
        if not stat.S_ISREG(mode):
            raise SourceUnreadable(f"not a regular file ({_kind(mode)}); not read", name, WHOLE_SOURCE)
        os.set_blocking(fd, True)
        raw = os.fdopen(fd, "rb", buffering=_SKIP_CHUNK)
    except BaseException:
        os.close(fd)
        raise
    return cast(BinaryIO, _GzipSource(raw)) if is_gzip(path) else raw


def _kind(mode: int) -> str:
    kinds = {
        stat.S_ISDIR: "a directory",
        stat.S_ISFIFO: "a FIFO",
        stat.S_ISCHR: "a character device",
        stat.S_ISBLK: "a block device",
        stat.S_ISSOCK: "a socket",
    }
    return next((kind for test, kind in kinds.items() if test(mode)), "not a file")


@contextlib.contextmanager
def open_lines(path: Path, limits: Limits = DEFAULT_LIMITS) -> Iterator[Iterator[bytes | RecordError]]:
    """The lines of ``path`` (gzip or not), each ending in its newline, read within ``limits``.

    A line past ``limits.max_line`` comes as a :class:`RecordError` (and is skipped); a file
    that cannot be opened, or read further, or past ``max_decompressed``, ends with a
    :class:`~sesops.errors.SourceUnreadable`. Both carry their line number.
    """
    try:
        source = open_source(path)
    except SourceUnreadable as err:
        yield iter([err])
        return
    budget = limits.max_decompressed if is_gzip(path) else sys.maxsize
    with source:
        yield _bounded_lines(source, str(path), limits.max_line, budget)


def _bounded_lines(fh: BinaryIO, name: str, max_line: int, budget: int) -> Iterator[bytes | RecordError]:
    readline = fh.readline
    cap = max_line + 1
    number = read = 0
    try:
        while line := readline(cap):
            number += 1
            read += len(line)
            if len(line) == cap and line[-1] != 0x0A:
                read += _skip_line(fh, budget - read)
                yield RecordError(f"line longer than {describe_size(max_line)} (--max-line)", name, number)
            else:
                yield line
            if read > budget:
                reason = f"stopped after {describe_size(budget)} of decompressed data (--max-decompressed)"
                yield SourceUnreadable(reason, name, number)
                return
    except _READ_ERRORS as err:
        yield SourceUnreadable(f"cannot read further ({err})", name, number + 1)


def _skip_line(fh: BinaryIO, budget: int) -> int:
    """Read to the end of the current line (or past ``budget``); returns the bytes read."""
    skipped = 0
    while skipped <= budget:
        chunk = fh.readline(_SKIP_CHUNK)
        skipped += len(chunk)
        if not chunk or chunk[-1] == 0x0A:
            break
    return skipped


def file_records(path: Path, limits: Limits = DEFAULT_LIMITS) -> Iterator[RawRecord]:
    """Records of a JSON or JSONL file (gzip or not), read within ``limits``."""
    if inner_suffix(path) in LINES_SUFFIXES:
        yield from _line_records(path, limits)
        return
    # .json (or a bare .gz): one object, an array, or (often mislabelled) JSON Lines.
    name = str(path)
    try:
        with open_source(path) as fh:
            data = fh.read(limits.max_document + 1)
    except SourceUnreadable as err:
        yield RawRecord(name, WHOLE_SOURCE, err)
        return
    except _READ_ERRORS as err:
        yield RawRecord(name, WHOLE_SOURCE, SourceUnreadable(f"cannot read ({err})", name, WHOLE_SOURCE))
        return
    stripped = data.lstrip()
    if len(data) > limits.max_document:
        if stripped.startswith(b"{"):  # JSON Lines, most likely: read it as such
            yield from _line_records(path, limits)
        else:
            reason = f"larger than {describe_size(limits.max_document)}, the most one .json document may be (--max-document)"
            yield RawRecord(name, WHOLE_SOURCE, SourceUnreadable(reason, name, WHOLE_SOURCE))
    elif stripped:
        yield from _document_records(data, name, limits)


def _line_records(path: Path, limits: Limits) -> Iterator[RawRecord]:
    name = str(path)
    with open_lines(path, limits) as lines:
        for number, line in enumerate(lines, start=1):
            if isinstance(line, RecordError):
                yield RawRecord(name, number if line.line is None else line.line, line)
            elif not line.isspace():
                yield RawRecord(name, number, line)


def _document_records(data: bytes, name: str, limits: Limits) -> Iterator[RawRecord]:
    """A whole document's records: the object, each element of an array, or each line."""
    from sesops.events.parse import decode_json

    if len(data) > limits.max_line:  # too big to decode at once: element by element, or line by line
        if data.lstrip().startswith(b"["):
            yield from _array_elements(data, name, limits.max_line)
        else:
            yield from split_lines(data, name, limits.max_line)
        return
    try:
        document = decode_json(data)
    except RecordError as err:
        if b"\n" in data.strip():
            yield from split_lines(data, name, limits.max_line)
        else:
            yield RawRecord(name, 1, err)
        return
    if isinstance(document, list):
        for index, item in enumerate(document, start=1):
            yield RawRecord(name, index, item)
    else:
        yield RawRecord(name, 1, document)


_JSON_SPACE = re.compile(r"[ \t\n\r]*")


def _after_space(text: str, position: int) -> int:
    match = _JSON_SPACE.match(text, position)
    return match.end() if match else position


def _array_elements(data: bytes, name: str, max_line: int) -> Iterator[RawRecord]:
    """The elements of a JSON array, as text, found one at a time (so a big array is never
    held as Python objects); each is decoded, and judged, as a record of its own."""
    try:
        text = data.decode()
    except UnicodeDecodeError:
        yield RawRecord(name, 1, RecordError("not JSON (not UTF-8)"))
        return
    del data
    scan = json.JSONDecoder().raw_decode
    position = _after_space(text, text.index("[") + 1)
    index = 0
    while not text.startswith("]", position):
        index += 1
        try:
            _value, end = scan(text, position)
        except (ValueError, RecursionError) as err:
            reason = "nested too deeply" if isinstance(err, RecursionError) else "not JSON"
            yield RawRecord(name, index, RecordError(f"{reason}; the rest of the array is not read"))
            return
        too_long = end - position > max_line
        element = RecordError(f"longer than {describe_size(max_line)} (--max-line)") if too_long else None
        yield RawRecord(name, index, element or text[position:end])
        position = _after_space(text, end)
        if text.startswith(",", position):
            position = _after_space(text, position + 1)
        elif not text.startswith("]", position):
            yield RawRecord(name, index + 1, RecordError("not JSON (expected ',' or ']')"))
            return


def split_lines(data: bytes, name: str, max_line: int = DEFAULT_LIMITS.max_line) -> Iterator[RawRecord]:
    """The non-blank lines of ``data`` as records, one at a time (never a list of them all)."""
    too_long = RecordError(f"line longer than {describe_size(max_line)} (--max-line)")
    for number, line in enumerate(io.BytesIO(data), start=1):
        if len(line.rstrip(b"\n")) > max_line:
            yield RawRecord(name, number, too_long)
        elif not line.isspace():
            yield RawRecord(name, number, line)


def is_store_url(source: object) -> bool:
    """Whether ``source`` names a capture store by URL (``sqlite:///path``, ``postgresql://...``)."""
    from sesops.capture.store import is_store_url as named_by_url

    return named_by_url(source)


def store_records(location: Path | str) -> Iterator[RawRecord]:
    """The bodies in a capture store, a path or URL (source = the path or the URL without its
    password, line = the message's row id)."""
    from sesops.capture.store import CaptureStore  # only when a store is read

    with CaptureStore(location, create=False) as store:
        name = store.location
        for message in store.iter_messages():
            yield RawRecord(name, message.id, message.body)


def iterable_records(items: Iterable[Any], name: str = "<iterable>") -> Iterator[RawRecord]:
    for index, item in enumerate(items, start=1):
        yield RawRecord(name, index, item)
