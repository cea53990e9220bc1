"""Writing list files whole or not at all, split into numbered parts where a tool has limits.

A list of N parts is ``out.csv``, ``out-2.csv``, ... ``out-N.csv`` (:func:`part_path`). Every
part is written to a temporary file beside it and renamed once all are complete, so a reader
never sees half a list; the temporary name is fresh and opened exclusively, and the file gets
the umask's usual mode (``mkstemp`` would make it 0600). UTF-8 without a byte-order mark,
``\\n`` line ends, fields quoted by the csv module when they hold a comma, quote or line break.
"""

from __future__ import annotations

import csv
import io
import os
import uuid
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import BinaryIO

from sesops.errors import InputError

#: Renders rows ``[start, stop)`` of a list as the bytes one part holds for them.
Render = Callable[[int, int], bytes]
CHUNK_ROWS = 10_000  # rows rendered at once (C-speed csv.writer.writerows per chunk)


def part_path(path: Path, number: int) -> Path:
    """The ``number``-th part of ``path``: ``out.csv`` itself, then ``out-2.csv``, ``out-3.csv``..."""
    return path if number == 1 else path.with_name(f"{path.stem}-{number}{path.suffix}")


def stale_parts(path: Path, written: int) -> list[Path]:
    """Numbered parts after the ``written`` ones that an earlier, longer list left behind."""
    found = []
    number = written + 1
    while (candidate := part_path(path, number)).exists():
        found.append(candidate)
        number += 1
    return found


def csv_bytes(rows: Sequence[Sequence[object]] | zip[tuple[object, ...]]) -> bytes:
    """``rows`` as UTF-8 CSV: RFC 4180 quoting (only where needed), ``\\n`` line ends."""
    buffer = io.StringIO()
    csv.writer(buffer, lineterminator="\n").writerows(rows)
    return buffer.getvalue().encode("utf-8")


def column_renderer(columns: Sequence[Sequence[str]]) -> Render:
    """A :data:`Render` of the CSV rows made of ``columns`` (equal-length lists of cells)."""
    return lambda start, stop: csv_bytes(zip(*(c[start:stop] for c in columns), strict=True))


@dataclass
class _Part:
    target: Path
    tmp: Path
    handle: BinaryIO
    rows: int = 0
    size: int = 0


@dataclass
class PartWriter:
    """Parts of one list, each at most ``max_rows`` rows and ``max_bytes`` bytes, then renamed."""

    path: Path
    header: bytes = b""
    max_rows: int | None = None
    max_bytes: int | None = None
    parts: list[_Part] = field(default_factory=list)

    def open_part(self) -> _Part:
        target = part_path(self.path, len(self.parts) + 1)
        tmp = target.with_name(f".{target.name}.{uuid.uuid4().hex}.tmp")
        part = _Part(target, tmp, open(tmp, "xb"))  # noqa: SIM115 - closed in finish/abort
        self.parts.append(part)
        part.handle.write(self.header)
        part.size = len(self.header)
        return part

    def write(self, count: int, render: Render) -> None:
        """Rows ``[0, count)``, as many parts as the limits need (one, even for no rows)."""
        part = self.open_part()
        start = 0
        while start < count:
            room = self.max_rows - part.rows if self.max_rows is not None else count
            if room == 0:
                part = self.open_part()
                continue
            take = min(CHUNK_ROWS, count - start, room)
            data = render(start, start + take)
            while self.too_big(part, data) and take > 1:
                take = (take + 1) // 2
                data = render(start, start + take)
            if self.too_big(part, data):
                if part.rows == 0:
                    raise InputError(
                        f"{self.path}: row {start + 1} alone is {len(data):,} bytes, over this format's "
                        f"{self.max_bytes:,}-byte file limit; use the canonical format (sesops)"
                    )
                part = self.open_part()
                continue
            part.handle.write(data)
            part.rows += take
            part.size += len(data)
            start += take

    def too_big(self, part: _Part, data: bytes) -> bool:
        return self.max_bytes is not None and part.size + len(data) > self.max_bytes

    def finish(self) -> list[Path]:
        for part in self.parts:
            part.handle.close()
        for part in self.parts:
            os.replace(part.tmp, part.target)
        return [part.target for part in self.parts]

    def abort(self) -> None:
        for part in self.parts:
            part.handle.close()
            part.tmp.unlink(missing_ok=True)


def write_parts(
    path: str | os.PathLike[str],
    count: int,
    render: Render,
    *,
    header: bytes = b"",
    max_rows: int | None = None,
    max_bytes: int | None = None,
) -> list[Path]:
    """Write ``count`` rows rendered by ``render`` as parts of ``path``; return the parts' paths."""
    target = Path(path)
    target.parent.mkdir(parents=True, exist_ok=True)
    writer = PartWriter(target, header, max_rows, max_bytes)
    try:
        writer.write(count, render)
        return writer.finish()
    except BaseException:
        writer.abort()
        raise


def write_documents(path: str | os.PathLike[str], documents: Sequence[bytes]) -> list[Path]:
    """Write one whole document per part of ``path`` (e.g. one API request body each)."""
    return write_parts(path, len(documents), lambda start, _stop: documents[start], max_rows=1)
