"""FollowTheMoney values as the source wrote them, checked by FtM's own types, with what they refuse.

An FtM proxy cleans each value as it is added and silently drops what the property's type refuses:
an INN or LEI whose check digits fail, an e-mail without ``@``, a Q-id that is not one, a property
the schema does not have, a nested entity where text belongs. Here nothing is dropped without a
word: :func:`read_proxy` takes the values as given, :func:`checked` cleans each with its type and
returns the refusals with the reason, and the reader keeps each refused value as ``<field>_raw``
with a field-level quarantine line (one bad value costs that value, not the entity). Dates are not
cleaned here: the shared date parser reads them, keeping their precision (:func:`ftm_date`).
"""

from __future__ import annotations

import json
import re
from collections.abc import Callable
from typing import Any

from followthemoney import model
from followthemoney.proxy import EntityProxy
from followthemoney.types import registry
from followthemoney.util import sanitize_text

from graph.errors import InvalidRecord
from graph.partial_date import clean_partial_date
from graph.types import clean_money, clean_text

__all__ = ["Refused", "read_proxy", "checked", "ftm_date", "refusal", "payment_values"]

# property -> (reason, the values as written); a value is cut to this many characters in the record
Refused = dict[str, tuple[str, list[str]]]
_RAW_LIMIT = 500
_TIMED = re.compile(r"^\d{4}-\d{2}-\d{2}T")


def _plain(value: Any) -> str | None:
    if isinstance(value, str):
        return value
    if isinstance(value, int | float) and not isinstance(value, bool):
        return str(value)
    return None


def read_proxy(data: dict[str, Any], schema: str) -> tuple[EntityProxy, Refused]:
    """The entity with its values as written; values that are not text, and properties ``schema`` does
    not have, are returned as refused (FtM would drop them without a word).

    >>> proxy, refused = read_proxy({"id": "p1", "properties": {"name": "Ann", "birthdate": ["1962"],
    ...                                                           "alias": [{"name": "x"}]}}, "Person")
    >>> proxy.get("name"), sorted(refused)
    (['Ann'], ['alias', 'birthdate'])
    """
    properties: dict[str, list[str]] = {}
    refused: Refused = {}
    known = model.schemata[schema].properties
    for name, values in (data.get("properties") or {}).items():
        items = values if isinstance(values, list) else [values]
        texts = [t for t in map(_plain, items) if t is not None]
        odd = [json.dumps(v, ensure_ascii=False, default=str)[:_RAW_LIMIT] for v in items if _plain(v) is None]
        if name not in known:
            refused[str(name)] = (f"not a property of FollowTheMoney {schema}", [*texts, *odd])
            continue
        if odd:
            refused[name] = (f"not a plain value for FollowTheMoney {schema}:{name}", odd)
        if texts:
            properties[name] = [sanitize_text(t) or "" for t in texts]
    proxy = model.get_proxy({**data, "schema": schema, "properties": properties}, cleaned=True)
    proxy.id = sanitize_text(proxy.id)
    return proxy, refused


def checked(proxy: EntityProxy, refused: Refused) -> tuple[dict[str, list[str]], Refused]:
    """Each property's values cleaned by its FtM type (dates kept as written) and, added to
    ``refused``, the values the type refused.

    >>> proxy, refused = read_proxy({"id": "c1", "properties": {"innCode": ["7704484400", "123"],
    ...                                                           "incorporationDate": ["2006-03"]}}, "Company")
    >>> values, refused = checked(proxy, refused)
    >>> values["innCode"], values["incorporationDate"], refused["innCode"][1]
    (['7704484400'], ['2006-03'], ['123'])
    """
    values: dict[str, list[str]] = {}
    for name in sorted(proxy.properties):
        prop = proxy.schema.properties[name]
        for raw in proxy.get(name):
            if not raw.strip():
                continue
            clean = raw if prop.type == registry.date else prop.type.clean_text(raw, format=prop.format, proxy=proxy)
            if clean is None:
                reason, bad = refused.get(name, (f"FollowTheMoney {prop.type.name} refused the value", []))
                refused[name] = (reason, [*bad, raw[:_RAW_LIMIT]])
            elif clean not in values.setdefault(name, []):
                values[name].append(clean)
        if not values.get(name):
            values.pop(name, None)
    return values, refused


def ftm_date(value: object) -> str | None:
    """An FtM date at the precision given: ``1962`` stays a year, ``1962-05`` a month; a time is dropped.

    >>> ftm_date("1962"), ftm_date("1962-05"), ftm_date("2011-12-29T10:03"), ftm_date("")
    ('1962', '1962-05', '2011-12-29', None)
    """
    text = clean_text(value)
    if text and _TIMED.match(text):
        text = text[:10]
    return clean_partial_date(text)


def refusal(reason: str) -> Callable[[object], Any]:
    """A cleaner that refuses with ``reason``: how a value FtM's type refused reaches ``Loader.soft``."""
    def clean(_: object) -> Any:
        raise InvalidRecord(reason)
    return clean


def payment_values(values: dict[str, list[str]], props: dict[str, Any]) -> dict[str, Any]:
    """A Payment's amount and currency (``amount`` + ``currency``, else ``amountEur``, else ``amountUsd``)
    and its day; a transfer cannot stand without both, so either missing refuses the record."""
    out: dict[str, Any] = {}
    currencies = values.pop("currency", [])
    currency = currencies[0] if currencies else None
    if len(currencies) > 1:
        values["currency"] = currencies
    for field, fixed in (("amount", None), ("amountEur", "EUR"), ("amountUsd", "USD")):
        amounts = values.pop(field, [])
        if amounts and "amount" not in out:
            code = fixed or (currency.upper() if currency else "XXX")
            try:
                money = clean_money(amounts[0], code)
            except InvalidRecord as exc:
                raise InvalidRecord(f"{field}: {exc.reason}", field) from None
            if money is not None:
                out["amount"], out["currency"] = str(money.amount), money.currency
            if len(amounts) > 1:
                values[field] = amounts
        elif amounts:
            values[field] = amounts
    if "amount" not in out:
        raise InvalidRecord("Payment has no amount", "amount")
    day = props.get("date")
    if not day:
        start = values.pop("startDate", [])
        try:
            day = out["date"] = ftm_date(start[0]) if start else None
        except InvalidRecord as exc:
            raise InvalidRecord(f"startDate: {exc.reason}", "date") from None
    if not day or len(day) < 10:
        raw = props.get("date_raw")
        raise InvalidRecord("Payment has no full date (YYYY-MM-DD)" + (f": {raw!r}" if raw else ""), "date")
    return out
