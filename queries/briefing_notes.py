"""Numbered source footnotes for briefing packs (shared by the case and tasking packs)."""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from queries.finding import place

__all__ = ["Footnotes", "place"]


class Footnotes:
    """Numbered sources: the same exhibit row cited twice keeps one number."""

    def __init__(self) -> None:
        self.items: list[str] = []
        self._index: dict[str, int] = {}

    def add(self, evidence: dict[str, Any] | None) -> int | None:
        if not evidence:
            return None
        cite = evidence.get("citation") or ""
        dataset = evidence.get("dataset") or next((s.get("dataset") for s in evidence.get("sources") or []), None)
        where = ""
        if evidence.get("file"):
            where = f"{dataset + ': ' if dataset else ''}{evidence['file']}"
            where += f" row {evidence['row']}" if evidence.get("row") is not None else ""
        if cite in (evidence.get("file"), where):
            cite = ""
        text = cite if not where or where in cite else (f"{cite} — {where}" if cite else where)
        if not text:
            return None
        if text not in self._index:
            self.items.append(text)
            self._index[text] = len(self.items)
        return self._index[text]

    def cite(self, evidence: Iterable[dict[str, Any]] | dict[str, Any] | None) -> str:
        """``"[1, 4]"`` for the evidence given (one item or a list), or ``""``."""
        items = [evidence] if isinstance(evidence, dict) else list(evidence or [])
        numbers = sorted({n for n in (self.add(e) for e in items) if n is not None})
        return f"[{', '.join(str(n) for n in numbers)}]" if numbers else ""
