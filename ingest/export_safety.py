"""Cells a spreadsheet shows as text and never runs: every CSV assetgraph writes goes through here.

Analysts open exports and the quarantine file (which holds raw hostile input) in Excel or
LibreOffice, and a spreadsheet runs a cell that starts with ``=``, ``+``, ``-`` or ``@`` (or a
tab or carriage return before one) as a formula: ``=HYPERLINK(...)`` leaks data, ``=cmd|...``
runs a program (DDE). Following OWASP's CSV injection guidance, such a cell is prefixed with a
single quote, so it is shown as the text it was. The fullwidth forms (``＝＋－＠``) get the same
treatment: some locales' spreadsheets read them as the ASCII ones, and a quote costs nothing.

Decision: numbers stay numbers. A cell that *is* a number (an ``int``/``float``/``Decimal`` in
a numeric column), or text that is nothing but a plain decimal number (``-1,250.00``, ``+12``),
is left as is: a spreadsheet reads it as that number, and there is no formula in it. Any other
text starting with a sign (``-2+3``, ``+44 20 7946 0000``, ``-£1,250``) is quoted.

One function decides (:func:`safe_cell`); :func:`safe_row` and :func:`safe_frame` apply it to a
CSV row and to a pandas table (its header too).
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from decimal import Decimal
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    import pandas as pd

__all__ = ["safe_cell", "safe_row", "safe_frame", "FORMULA_STARTS"]

FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r", "\uff1d", "\uff0b", "\uff0d", "\uff20")
_PLAIN_NUMBER = re.compile(r"[+-]?(?:\d{1,3}(?:,\d{3})+|\d+)(?:\.\d+)?")


def safe_cell(value: Any) -> Any:
    """``value``, or its text behind a ``'`` when a spreadsheet would run it as a formula.

    Examples
    --------
    >>> safe_cell("=HYPERLINK(\\"http://x\\",\\"click\\")")
    '\\'=HYPERLINK("http://x","click")'
    >>> safe_cell("-2+3"), safe_cell("@SUM(A1)"), safe_cell("\\t=1")
    ("'-2+3", "'@SUM(A1)", "'\\t=1")
    >>> safe_cell(-1250.5), safe_cell("-1,250.00"), safe_cell("Vance"), safe_cell(None)
    (-1250.5, '-1,250.00', 'Vance', None)
    """
    if value is None or isinstance(value, int | float | Decimal):
        return value
    text = value if isinstance(value, str) else str(value)
    if text.startswith(FORMULA_STARTS) and not _PLAIN_NUMBER.fullmatch(text):
        return "'" + text
    return value


def safe_row(values: Iterable[Any]) -> list[Any]:
    """One CSV row with every cell made safe (:func:`safe_cell`)."""
    return [safe_cell(v) for v in values]


def safe_frame(df: pd.DataFrame) -> pd.DataFrame:
    """A copy of ``df`` whose header and text cells are safe; numeric columns are left as they are.

    Examples
    --------
    >>> import pandas as pd
    >>> safe_frame(pd.DataFrame({"=name": ["=1+1", "Vance"], "amount": [-12.5, 3.0]})).to_csv(index=False)
    "'=name,amount\\n'=1+1,-12.5\\nVance,3.0\\n"
    """
    import pandas as pd

    out = df.copy()
    for column in out.columns:
        if not pd.api.types.is_numeric_dtype(out[column]):
            out[column] = out[column].map(safe_cell)
    out.columns = [safe_cell(c) for c in out.columns]
    return out
