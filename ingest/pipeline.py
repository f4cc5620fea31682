"""The load pipeline every reader shares: map rows to records, quarantine, reconcile, upsert.

A reader only turns its source into ``(file, row, raw dict)`` and maps one raw row to records
(raising :class:`~graph.errors.InvalidRecord` when it cannot). An optional field it cannot read
costs the field, not the record: the mapper cleans it with :meth:`Loader.soft`, which keeps the raw
text as ``<field>_raw`` and writes a field-level quarantine line. This module does the rest the
same way for every source: counts (read = loaded + quarantined, per file), files of a folder or
archive that were not read at all (:meth:`Loader.skip`: a link, an unknown file; the load then
does not reconcile), the quarantine file (file, row, column, reason, raw; every cell made safe
to open in a spreadsheet), and batched upserts through the Store -- entities before the
relations that need them, each batch atomic, so an interrupted load re-runs to completion.

The quarantine is written to ``<name>.partial`` and moved into place only when the load
finishes, so a killed load never leaves a file that looks like a finished quarantine; a later
run of the same load replaces or removes the ``.partial`` it left.
"""

from __future__ import annotations

import csv
import json
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from graph.errors import InvalidRecord
from graph.model import Entity, Relation, utc_now
from graph.store import DEFAULT_BATCH, Store
from ingest.export_safety import safe_row

__all__ = ["FileCount", "FieldIssue", "LoadReport", "Loader", "Record"]

Record = Entity | Relation


@dataclass
class FileCount:
    """Reconciliation for one file: its rows read, loaded and quarantined, or why it was skipped."""

    file: str
    read: int = 0
    loaded: int = 0
    quarantined: int = 0
    fields_dropped: int = 0  # optional fields of loaded records that could not be read (kept raw)
    skipped: str | None = None  # why the file was not read at all; such a file never reconciles

    @property
    def reconciles(self) -> bool:
        return self.skipped is None and self.read == self.loaded + self.quarantined

    def to_dict(self) -> dict[str, Any]:
        """The counts; ``fields_dropped`` only where a field was dropped (most files have none),
        ``skipped`` only for a file that was not read."""
        out: dict[str, Any] = {"read": self.read, "loaded": self.loaded, "quarantined": self.quarantined}
        return (out | ({"fields_dropped": self.fields_dropped} if self.fields_dropped else {})
                | ({"skipped": self.skipped} if self.skipped is not None else {}))


@dataclass
class LoadReport:
    """What a load did; ``to_dict`` is the CLI's ``--json`` output."""

    dataset: str
    format: str
    files: dict[str, FileCount] = field(default_factory=dict)
    entities_written: int = 0
    relations_written: int = 0
    quarantine_file: str | None = None
    started_at: str = field(default_factory=utc_now)
    notes: dict[str, Any] = field(default_factory=dict)  # reader extras, e.g. transfers matched across statements

    @property
    def read(self) -> int:
        return sum(f.read for f in self.files.values())

    @property
    def loaded(self) -> int:
        return sum(f.loaded for f in self.files.values())

    @property
    def quarantined(self) -> int:
        return sum(f.quarantined for f in self.files.values())

    @property
    def fields_dropped(self) -> int:
        return sum(f.fields_dropped for f in self.files.values())

    @property
    def skipped(self) -> dict[str, str]:
        """Files of the folder or archive that were not read, with why."""
        return {name: f.skipped for name, f in self.files.items() if f.skipped is not None}

    @property
    def reconciled(self) -> bool:
        """Every file was read and every row it holds is loaded or quarantined."""
        return all(f.reconciles for f in self.files.values())

    def to_dict(self) -> dict[str, Any]:
        return {
            "dataset": self.dataset, "format": self.format, "read": self.read, "loaded": self.loaded,
            "quarantined": self.quarantined, "fields_dropped": self.fields_dropped, "skipped": len(self.skipped),
            "quarantine_file": self.quarantine_file, "reconciled": self.reconciled,
            "entities_written": self.entities_written, "relations_written": self.relations_written,
            "files": {name: f.to_dict() for name, f in self.files.items()},
        } | ({"notes": self.notes} if self.notes else {})


@dataclass(frozen=True)
class FieldIssue:
    """An optional field of a loaded record that could not be read: the record loads without it."""

    column: str
    reason: str
    raw: str


class Loader:
    """Collects mapped records in batches and writes them; rejected rows go to the quarantine.

    The quarantine file has one line per rejected row (``level`` "record": the row is not in the
    store) and one per unreadable optional field of a loaded row (``level`` "field": the record is
    in the store without the field, its raw text kept as ``<field>_raw``).
    """

    QUARANTINE_COLUMNS = ("dataset", "file", "row", "level", "column", "reason", "raw")

    def __init__(self, store: Store, dataset: str, fmt: str, quarantine_path: Path,
                 batch_size: int = DEFAULT_BATCH,
                 progress: Callable[[int], None] | None = None) -> None:
        self.store = store
        self.report = LoadReport(dataset, fmt)
        self.ingested_at = self.report.started_at
        self._quarantine_path = quarantine_path
        self._partial = quarantine_path.with_name(quarantine_path.name + ".partial")
        self._rejects: Any = None  # csv writer over the .partial file, opened at the first reject
        self._rejects_fh: Any = None
        self._entities: list[Entity] = []
        self._relations: list[Relation] = []
        self._batch = batch_size
        self._progress = progress
        self._pending: list[FieldIssue] = []  # field issues of the row being mapped

    def count(self, file: str) -> FileCount:
        return self.report.files.setdefault(file, FileCount(file))

    def skip(self, file: str, reason: str) -> None:
        """Report a file of the folder or archive that is not read at all (the load then does not
        reconcile): a link, a device, an unknown file, one over a size cap..."""
        self.count(file).skipped = reason

    def _quarantine_line(self, file: str, row: int | None, level: str, column: str | None, reason: str,
                         raw: Any) -> None:
        if self._rejects is None:  # streamed, so a file with 10^6 bad rows costs no memory
            self._partial.parent.mkdir(parents=True, exist_ok=True)
            self._rejects_fh = open(self._partial, "w", encoding="utf-8", newline="")  # noqa: SIM115
            self._rejects = csv.writer(self._rejects_fh)
            self._rejects.writerow(self.QUARANTINE_COLUMNS)
        self._rejects.writerow(safe_row((self.report.dataset, file, "" if row is None else row, level, column or "",
                                         reason,
                                         # ASCII escapes keep a lone surrogate from a broken file writable
                                         json.dumps(raw, ensure_ascii=True, default=str))))

    def reject(self, file: str, row: int, reason: str, column: str | None = None,
               raw: dict[str, Any] | None = None) -> None:
        """Quarantine one source row (it is counted as read and as quarantined)."""
        counts = self.count(file)
        counts.read += 1
        counts.quarantined += 1
        self._pending.clear()  # the whole row is quarantined: its raw holds every field
        self._quarantine_line(file, row, "record", column, reason, raw or {})

    def soft(self, props: dict[str, Any], column: str, value: object, cleaner: Callable[[object], Any]) -> None:
        """Clean an optional field into ``props``; one that cannot be read costs the field only.

        On :class:`~graph.errors.InvalidRecord` the field is left out, its raw text is kept as
        ``<column>_raw`` (the scorer and the analyst can still read it), and a field-level line
        goes to the quarantine when the row is accepted.
        """
        try:
            cleaned = cleaner(value)
        except InvalidRecord as exc:
            raw = str(value).strip()
            props[f"{column}_raw"] = raw
            self._pending.append(FieldIssue(column, exc.reason, raw))
            return
        if cleaned is not None:
            props[column] = cleaned

    def accept(self, file: str, records: Sequence[Record], row: int | None = None) -> None:
        """Take one source row's records (counted as read and loaded), with its field issues."""
        counts = self.count(file)
        counts.read += 1
        counts.loaded += 1
        for issue in self._pending:
            counts.fields_dropped += 1
            self._quarantine_line(file, row, "field", issue.column, f"field not loaded: {issue.reason}",
                                  {issue.column: issue.raw})
        self._pending.clear()
        for rec in records:
            (self._entities if isinstance(rec, Entity) else self._relations).append(rec)  # type: ignore[arg-type]
        if len(self._entities) + len(self._relations) >= self._batch:
            self.flush()

    def run(self, file: str, rows: Iterable[tuple[int, dict[str, Any]]],
            mapper: Callable[[int, dict[str, Any]], Sequence[Record]]) -> None:
        """Map each row, accepting or quarantining it; the one loop every reader needs."""
        for row, raw in rows:
            self._pending.clear()
            try:
                records = mapper(row, raw)
            except InvalidRecord as exc:
                self.reject(file, row, exc.reason, exc.column, raw)
            else:
                self.accept(file, records, row)

    def flush(self) -> None:
        if self._entities:
            self.report.entities_written += self.store.upsert_entities(self._entities, self._batch)
        if self._relations:
            self.report.relations_written += self.store.upsert_relations(self._relations, self._batch)
        if self._progress:
            self._progress(len(self._entities) + len(self._relations))
        self._entities, self._relations = [], []

    def finish(self) -> LoadReport:
        """Write what is left, move the quarantine file into place (rewritten whole, so a re-run
        matches) and add a ledger entry in the store."""
        self.flush()
        path = self._quarantine_path
        if self._rejects_fh is not None:
            self._rejects_fh.close()
            self._partial.replace(path)  # the whole quarantine of this run, never half of one
            self.report.quarantine_file = str(path.resolve())
        else:
            path.unlink(missing_ok=True)
            self._partial.unlink(missing_ok=True)  # left by an earlier run of this load that was killed
        ledger = self.store.get_meta("loads") or []
        ledger.append({k: v for k, v in self.report.to_dict().items() if k != "files"}
                      | {"at": self.report.started_at}
                      | ({"skipped_files": self.report.skipped} if self.report.skipped else {}))
        self.store.set_meta("loads", ledger[-500:])
        return self.report
