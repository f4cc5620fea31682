"""Reading JSON records one at a time: JSON lines, or a JSON array, from a stream of any size.

Registers publish JSON lines (the Companies House PSC snapshot); samples and API exports are JSON
arrays of the same objects. :func:`iter_json_records` reads either, streaming: an array is decoded
one element at a time from a bounded buffer, so neither form is ever held in memory whole. An
unreadable line or element comes out as an :class:`~graph.errors.InvalidRecord` in its place
(the caller quarantines it), never an exception that stops the file.
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from typing import IO, Any

from graph.errors import InvalidRecord

__all__ = ["iter_json_records"]

_CHUNK = 1 << 16


def _array_items(fh: IO[str]) -> Iterator[tuple[int, Any]]:
    """Elements of a JSON array, decoded one at a time from a bounded buffer."""
    decoder = json.JSONDecoder()
    buf, pos, eof, index = fh.read(_CHUNK), 0, False, 0
    pos = buf.index("[") + 1
    while True:
        while True:
            while pos < len(buf) and (buf[pos].isspace() or buf[pos] == ","):
                pos += 1
            if pos < len(buf) or eof:
                break
            buf, pos = fh.read(_CHUNK), 0
            eof = not buf
        if pos >= len(buf) or buf[pos] == "]":
            return
        index += 1
        try:
            item, end = decoder.raw_decode(buf, pos)
        except (ValueError, RecursionError) as exc:
            more = "" if eof or not isinstance(exc, json.JSONDecodeError) else fh.read(_CHUNK)
            if more:
                buf, pos = buf[pos:] + more, 0
                index -= 1
                continue
            yield index, InvalidRecord(f"unreadable JSON from element {index} on: {_why(exc)}")
            return
        yield index, item
        buf, pos = (buf[end:], 0) if end > _CHUNK else (buf, end)


def iter_json_records(fh: IO[str]) -> Iterator[tuple[int, Any]]:
    """``(row, value)`` for each JSON line or array element; an unreadable one is an InvalidRecord."""
    first = ""
    while True:
        ch = fh.read(1)
        if not ch or not ch.isspace():
            first = ch
            break
    if first == "[":
        yield from _array_items(_Prefixed("[", fh))
        return
    line_no = 0
    lines = [first + fh.readline()] if first else []
    for line in _chain(lines, fh):
        line_no += 1
        stripped = line.strip().rstrip(",")
        if not stripped or stripped in ("[", "]"):
            continue
        try:
            yield line_no, json.loads(stripped)
        except (ValueError, RecursionError) as exc:
            yield line_no, InvalidRecord(f"not JSON: {_why(exc)}")


def _why(exc: Exception) -> str:
    if isinstance(exc, json.JSONDecodeError):
        return f"{exc.msg} at column {exc.colno}"
    return "nested too deeply" if isinstance(exc, RecursionError) else str(exc)[:200]


def _chain(first: list[str], rest: IO[str]) -> Iterator[str]:
    yield from first
    yield from rest


class _Prefixed:
    """A text stream with a few characters pushed back in front of it."""

    def __init__(self, prefix: str, fh: IO[str]) -> None:
        self.prefix, self.fh = prefix, fh

    def read(self, n: int) -> str:
        head, self.prefix = self.prefix, ""
        return head + self.fh.read(max(n - len(head), 1))


