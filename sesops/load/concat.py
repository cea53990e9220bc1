"""Records concatenated with no delimiter (``{...}{...}``, as many Firehose producers write
them) -> JSON Lines, one record per line, without decoding a record twice.

Outside a string, ``}`` followed by ``{`` can only be the boundary between two JSON values,
so every ``}{`` is a candidate cut. Inside a string it is text (a subject line may hold
one), so each piece between cuts is checked to be one whole JSON value with msgspec's
validating skip (``Raw``: nothing is built); only when a check fails does the careful
splitter run, which also accepts whitespace between records, finds each value's true end
by its strings and brackets, and keeps a bad record on its own line so that the loader
rejects it alone and its neighbours load.
"""

from __future__ import annotations

import itertools
import re

import msgspec
import numpy as np

_raw = msgspec.json.Decoder(msgspec.Raw)
_CANDIDATE = re.compile(rb"\}\s*\{")
# A whole string, a lone quote (a string that never ends), or a bracket.
_TOKEN = re.compile(rb'"[^"\\]*(?:\\.[^"\\]*)*"|"|[{}\[\]]', re.DOTALL)
_OPEN, _QUOTE, _SPACE = frozenset(b"{["), ord('"'), frozenset(b" \t\r\n")


def json_lines(data: bytes) -> tuple[bytes, int]:
    """``data`` as JSON Lines, one record per line (``data`` itself when it has no ``}{``:
    JSON Lines already, or one record), and how many lines that text holds once a newline
    follows it."""
    cuts = _cuts(data)
    if not len(cuts):
        return data, data.count(b"\n") + 1
    end = len(data)
    while end and data[end - 1] in _SPACE:
        end -= 1
    if data.find(b"\n", 0, end) < 0:  # else records on lines as well: the careful way
        view = memoryview(data)
        bounds = [0, *cuts.tolist(), end]
        text = b"\n".join([view[a:b] for a, b in itertools.pairwise(bounds)])
        # One whole value per piece, or a cut fell inside a string (its piece is then not JSON).
        if _values(text) == len(bounds) - 1:
            return text, len(bounds) - 1
    chunks = careful_chunks(data)
    return b"\n".join(chunks), len(chunks)


def _values(text: bytes) -> int:
    """How many JSON values ``text`` holds, one or more a line; -1 when a line is not JSON."""
    try:
        return len(_raw.decode_lines(text))
    except msgspec.DecodeError:
        return -1


def _cuts(data: bytes) -> np.ndarray:
    """The offsets of every ``{`` that directly follows a ``}``."""
    if b"}{" not in data:
        return np.empty(0, dtype=np.intp)
    codes = np.frombuffer(data, dtype=np.uint8)
    after = np.flatnonzero(codes[:-1] == ord("}")) + 1
    cuts: np.ndarray = after[codes[after] == ord("{")]
    return cuts


def careful_chunks(data: bytes) -> list[bytes]:
    """One chunk per record, whatever the whitespace between them, with ``}{`` allowed inside
    strings; a bad record becomes a chunk of its own (newlines in a chunk become spaces)."""
    start = len(data) - len(data.lstrip())
    bounds = [start, *(m.end() - 1 for m in _CANDIDATE.finditer(data, start)), len(data)]
    view = memoryview(data)
    chunks: list[bytes] = []
    index = 0
    while index < len(bounds) - 1:
        begin, following = bounds[index], index + 1
        if not _is_one_value(view[begin : bounds[following]]):
            end = value_end(data, begin)
            while end is not None and following < len(bounds) - 1 and bounds[following] < end:
                following += 1  # the cuts inside this value's strings were not boundaries
        piece = bytes(view[begin : bounds[following]]).strip()
        if piece:
            chunks.append(piece.replace(b"\n", b" ").replace(b"\r", b" "))
        index = following
    return chunks


def _is_one_value(piece: memoryview) -> bool:
    try:
        _raw.decode(piece)
    except msgspec.DecodeError:
        return False
    return True


def value_end(data: bytes, start: int) -> int | None:
    """The offset just past the JSON object or array that opens at ``start`` (judged by its
    strings and brackets only); None when it opens nothing or never closes."""
    if data[start : start + 1] not in (b"{", b"["):
        return None
    depth = 0
    for match in _TOKEN.finditer(data, start):
        first = data[match.start()]
        if first == _QUOTE:
            if match.end() - match.start() == 1:
                return None  # a string that never ends
            continue
        depth += 1 if first in _OPEN else -1
        if depth == 0:
            return match.end()
    return None
