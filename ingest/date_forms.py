"""Date cleaners for :meth:`ingest.pipeline.Loader.soft` that say which form each column was read in.

Every reader reads dates with the one parser (:func:`graph.partial_date.parse_date`). What a
reader adds is a record of *how* each column was understood: a register exported through a
spreadsheet may hold ``23/03/2006`` in most rows and ``Mar-06`` in a few, and an analyst checking
a load wants to see that before trusting it. :class:`DateForms` counts the forms read per column
into the load report's notes (``notes["date_forms"]["IncorporationDate"]["DD/MM/YYYY"] = 120``),
so ``assetgraph load --json`` shows them beside the counts; values the parser refused are
counted as ``"unreadable"``.

Two kinds of cleaner, as :mod:`graph.model` asks: :meth:`DateForms.partial` keeps the precision
the source gave (a date of birth, an incorporation date: ``"1984-03"`` stays a month) and
:meth:`DateForms.day` needs a full day (a transfer, a sale, an appointment).
"""

from __future__ import annotations

import re
from collections.abc import Callable
from typing import Any

from graph.errors import InvalidRecord
from graph.partial_date import PartialDate, parse_date

__all__ = ["DateForms"]

Cleaner = Callable[[object], str | None]
_PIVOT_DETAIL = re.compile(r": \d+ -> \d+\)")  # "(pivot 15: 06 -> 2006)" counts as "(pivot 15)"


class DateForms:
    """Cleaners that read dates with the shared parser and count the forms read per column.

    Parameters
    ----------
    notes : dict
        The load report's notes; the counts go under ``"date_forms"``.
    pivot : int, optional
        Two-digit years up to ``pivot`` are 20yy, above it 19yy (the parser's default otherwise).

    Examples
    --------
    >>> notes = {}
    >>> forms = DateForms(notes)
    >>> forms.partial("dob")("March 1984"), forms.day("paid")("23/03/2006")
    ('1984-03', '2006-03-23')
    >>> notes["date_forms"]
    {'dob': {'Mon YYYY': 1}, 'paid': {'DD/MM/YYYY': 1}}
    >>> forms.day("paid")("2006")
    Traceback (most recent call last):
    graph.errors.InvalidRecord: paid: 2006 is a year, not a day
    """

    def __init__(self, notes: dict[str, Any], pivot: int | None = None) -> None:
        self.notes = notes  # "date_forms" appears there with the first date read
        self.pivot = pivot
        self._cleaners: dict[tuple[str, bool, int | None], Cleaner] = {}

    def _read(self, column: str, value: object, pivot: int | None) -> PartialDate | None:
        try:
            parsed = parse_date(value, pivot=self.pivot if pivot is None else pivot)
        except InvalidRecord as exc:
            self._count(column, "unreadable")
            raise InvalidRecord(f"{column}: {exc.reason}", column) from None
        if parsed is not None:
            self._count(column, _PIVOT_DETAIL.sub(")", parsed.form))  # one count per pivot, not per year
        return parsed

    def _count(self, column: str, form: str) -> None:
        forms = self.notes.setdefault("date_forms", {}).setdefault(column, {})
        forms[form] = forms.get(form, 0) + 1

    def partial(self, column: str, pivot: int | None = None) -> Cleaner:
        """A cleaner keeping the precision given: ``"1984"``, ``"1984-03"`` or ``"1984-03-15"``.

        ``pivot`` overrides the loader-wide pivot for this cleaner (ICIJ states one per record)."""
        key = (column, False, pivot)
        if key not in self._cleaners:
            def clean(value: object) -> str | None:
                parsed = self._read(column, value, pivot)
                return parsed.text if parsed else None
            self._cleaners[key] = clean
        return self._cleaners[key]

    def day(self, column: str) -> Cleaner:
        """A cleaner that needs a full day; a year or a month alone is refused with the reason."""
        key = (column, True, None)
        if key not in self._cleaners:
            def clean(value: object) -> str | None:
                parsed = self._read(column, value, None)
                if parsed is None:
                    return None
                try:
                    return parsed.as_date().isoformat()
                except InvalidRecord as exc:
                    raise InvalidRecord(f"{column}: {exc.reason}", column) from None
            self._cleaners[key] = clean
        return self._cleaners[key]

    def required(self, cleaner: Cleaner, value: object, column: str) -> str:
        """Clean a date the record cannot stand without: empty or unreadable quarantines the record."""
        cleaned = cleaner(value)
        if cleaned is None:
            raise InvalidRecord(f"{column} is empty", column)
        return cleaned
