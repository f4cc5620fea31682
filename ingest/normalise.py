"""Normalisers for entity resolution: one small function per kind of value.

Resolution compares cleaned values, never raw cells, so "VANCE LOGISTICS LIMITED" and "Vance
Logistics Ltd", "sw1a 1aa" and "SW1A1AA", or "GB82 WEST 1234 5698 7654 32" and its sort code plus
account number all meet on the same text. The field's own libraries do the work: ``rigour`` for
person and organisation names, legal forms and address keywords, ``schwifty`` for IBANs, and
``python-stdnum`` style compaction for identifiers. Every function is pure and returns ``None``
for an empty or unusable value, so a missing field is evidence of nothing.
"""

from __future__ import annotations

import re
from functools import lru_cache

from rigour._core import person_name_prefixes_list
from rigour.addresses import address_fingerprint
from rigour.names import normalize_name, remove_org_types, remove_person_prefixes, replace_org_types_compare
from rigour.text import ascii_text
from rigour.text.phonetics import metaphone
from schwifty import IBAN
from schwifty.exceptions import SchwiftyException

from graph.model import name_tokens, normalise_identifier

__all__ = [
    "person_tokens",
    "org_names",
    "partial_date",
    "keyed_digits",
    "postcode",
    "is_uk_postcode",
    "address",
    "number_tokens",
    "iban",
    "account_key",
    "company_number",
    "ni_number",
    "phone",
    "email",
    "phonetic",
]

_DATE_PATTERNS = (
    (re.compile(r"^(\d{4})-(\d{1,2})-(\d{1,2})"), ("y", "m", "d")),
    (re.compile(r"^(\d{4})(\d{2})(\d{2})$"), ("y", "m", "d")),
    (re.compile(r"^(\d{1,2})/(\d{1,2})/(\d{4})$"), ("d", "m", "y")),
    (re.compile(r"^(\d{4})-(\d{1,2})$"), ("y", "m")),
    (re.compile(r"^(\d{1,2})/(\d{4})$"), ("m", "y")),
    (re.compile(r"^(\d{4})$"), ("y",)),
)
_UK_POSTCODE = re.compile(r"^([A-Z]{1,2}\d[A-Z\d]?)(\d[A-Z]{2})$")
_NINO = re.compile(r"^[A-CEGHJ-PR-TW-Z][A-CEGHJ-NPR-TW-Z]\d{6}[A-D]?$")
# A Companies House number: 8 characters, a register prefix (SC, NI, OC, SO, NC, FC, OE, R, ...) then
# digits; files drop the leading zeros ("7654321", "SC1234"), so the digits are padded back.
_CH_NUMBER = re.compile(r"^(R|[A-Z]{2})?(\d{1,8})$")
_NUMBER_TOKEN = re.compile(r"(?<!\S)(?=\S{0,4}\d)\S{1,5}(?!\S)")  # a word of <= 5 chars with a digit
_NON_DIGIT = re.compile(r"\D")
# First words of the honorifics rigour strips ("mr", "doctor", "associate"): a name starting with
# none of them has no prefix to remove, so the prefix regex is skipped.
_PREFIX_HEADS = frozenset(p.split()[0].lower() for p in person_name_prefixes_list() if p.split())


@lru_cache(maxsize=1 << 20)
def person_tokens(name: str | None) -> tuple[str, ...]:
    """Name tokens of a person, titles dropped, ASCII-folded, in source order.

    Order is kept (so "VANCE MARCUS E" still reads surname first) but every comparison treats
    the tokens as a bag, because sources disagree on which part comes first.

    >>> person_tokens("Mr Marcus-Ellery VANCE")
    ('marcus', 'ellery', 'vance')
    """
    if not name:
        return ()
    text = str(name)
    if text.isascii() and text.replace(" ", "").isalpha():
        # Plain letters and spaces (most records): casefolding and tokenising are lower() and
        # split(), so skip the general path -- same tokens, a fifth of the time.
        words = text.lower().split()
        if words and words[0] in _PREFIX_HEADS:
            return tuple(remove_person_prefixes(" ".join(words)).split())
        return tuple(words)
    norm = normalize_name(ascii_text(text))
    if not norm:
        return ()
    return tuple(name_tokens(remove_person_prefixes(norm)))


@lru_cache(maxsize=200_000)
def org_names(name: str | None) -> tuple[str, str, str]:
    """``(compare_form, core_name, legal_form)`` of an organisation name.

    The compare form maps legal-form variants to one spelling (Limited -> ltd); the core name
    drops the legal form so "Vance Logistics" is compared with "Vance Logistics"; the legal form
    is kept apart so a Ltd and an LLP of the same name are not taken for one company.

    >>> org_names("VANCE LOGISTICS LIMITED")
    ('vance logistics ltd', 'vance logistics', 'ltd')
    """
    if not name:
        return "", "", ""
    norm = normalize_name(ascii_text(str(name))) or ""
    compare = " ".join(name_tokens(replace_org_types_compare(norm)))
    core_tokens = name_tokens(remove_org_types(norm))
    if core_tokens and core_tokens[0] == "the":
        core_tokens = core_tokens[1:]
    core = " ".join(core_tokens)
    legal = " ".join(t for t in compare.split() if t not in set(core_tokens) and t != "the")
    return compare, core, legal


def partial_date(value: object) -> str | None:
    """ISO text at the precision the source gives: ``YYYY-MM-DD``, ``YYYY-MM`` or ``YYYY``.

    Companies House PSC data carries month and year of birth only; FEBRL writes ``19790903``.

    >>> partial_date("03/09/1979"), partial_date("1979-9"), partial_date("19790903")
    ('1979-09-03', '1979-09', '1979-09-03')
    """
    if value is None:
        return None
    return _partial_date(str(value).strip())


@lru_cache(maxsize=1 << 16)
def _partial_date(text: str) -> str | None:
    """:func:`partial_date` of stripped text; dates repeat a lot, so each is parsed once."""
    for pattern, parts in _DATE_PATTERNS:
        match = pattern.match(text)
        if not match:
            continue
        got = dict(zip(parts, (int(g) for g in match.groups()), strict=True))
        year, month, day = got["y"], got.get("m"), got.get("d")
        if month is not None and not 1 <= month <= 12:
            return f"{year:04d}"
        if day is not None and not 1 <= day <= 31:
            return f"{year:04d}-{month:02d}"
        return "-".join(f"{p:02d}" if i else f"{p:04d}" for i, p in enumerate(
            x for x in (year, month, day) if x is not None))
    return None


def keyed_digits(value: object) -> str | None:
    """The eight digits of a full date as they were keyed, even when the date is impossible.

    ``partial_date("19403407")`` keeps only the year (there is no month 34), but the keystrokes
    are one transposition away from ``19430407``: comparing keyed digits is how a clerical slip
    is told from a different date of birth. Digits keep the source's order (YYYYMMDD or DDMMYYYY).

    >>> keyed_digits("19403407"), keyed_digits("03/09/1979"), keyed_digits("1979-09")
    ('19403407', '03091979', None)
    """
    if value is None:
        return None
    text = str(value).strip()
    digits = _NON_DIGIT.sub("", text)
    return digits if len(digits) == 8 and _partial_date(text) is not None else None


def postcode(value: object) -> str | None:
    """A UK postcode in its compact upper-case form (``SW1A1AA``); other codes compacted.

    >>> postcode("sw1a 1aa")
    'SW1A1AA'
    """
    return normalise_identifier(value)


def is_uk_postcode(code: str) -> bool:
    """True when a compact postcode has the UK outward/inward shape."""
    return bool(_UK_POSTCODE.match(code))


@lru_cache(maxsize=200_000)
def address(value: str | None) -> str:
    """An address fingerprint: rigour's normalisation with street keywords shortened.

    >>> address("12 High Street, London")
    '12 high st london'
    """
    if not value:
        return ""
    return address_fingerprint(ascii_text(str(value))) or ""


def number_tokens(fingerprint: str) -> tuple[str, ...]:
    """The house and flat numbers of an address: two addresses with different ones differ."""
    return tuple(sorted(_NUMBER_TOKEN.findall(fingerprint)))


def iban(value: object) -> str | None:
    """A compact IBAN; invalid ones are still compacted, so a typo compares as different."""
    text = normalise_identifier(value)
    if not text:
        return None
    try:
        return str(IBAN(text).compact)
    except SchwiftyException:
        return text


def account_key(sort_code: object, account_number: object, iban_value: str | None = None) -> str | None:
    """``sortcode:account`` (6 + 8 digits), also read out of a GB IBAN so both forms meet.

    >>> account_key(None, None, "GB82WEST12345698765432")
    '123456:98765432'
    >>> account_key("12-34-56", "98765432")
    '123456:98765432'
    """
    sort = re.sub(r"\D", "", str(sort_code or ""))
    number = re.sub(r"\D", "", str(account_number or ""))
    if len(sort) == 6 and 6 <= len(number) <= 8:
        return f"{sort}:{number.zfill(8)}"
    if iban_value and iban_value.startswith("GB") and len(iban_value) == 22:
        return f"{iban_value[8:14]}:{iban_value[14:22]}"
    return None


def company_number(value: object) -> str | None:
    """A Companies House number as the register writes it: eight characters, zeros restored.

    Spreadsheets and some bulk files drop leading zeros (``7654321``) or spaces a prefix off
    (``SC 1234``); the register's own form pads the digits so prefix and digits fill eight
    characters. Every Companies House and Land Registry reader and the scorer use this one
    function, so the same company meets itself whichever file it came from. A value that is not
    of that shape (``IP10067R``, a foreign number) is only compacted, never padded.

    >>> company_number("SC 1234"), company_number("7654321"), company_number("oe000123")
    ('SC001234', '07654321', 'OE000123')
    >>> company_number("R123"), company_number("IP10067R"), company_number("123456789")
    ('R0000123', 'IP10067R', '123456789')
    """
    text = normalise_identifier(value)
    if not text:
        return None
    match = _CH_NUMBER.match(text)
    if match and len(text) <= 8:
        prefix = match.group(1) or ""
        return prefix + match.group(2).zfill(8 - len(prefix))
    return text


def ni_number(value: object) -> str | None:
    """A compact NI number (or other national id, compacted when it is not a NINO)."""
    text = normalise_identifier(value)
    if text and _NINO.match(text):
        return text[:8]  # the suffix letter is optional and often dropped
    return text


def phone(value: object) -> str | None:
    """Digits of a phone number with the UK ``+44`` / ``0`` trunk prefix unified."""
    if not value:
        return None
    digits = _NON_DIGIT.sub("", str(value))
    if digits.startswith("44") and len(digits) > 10:
        digits = "0" + digits[2:]
    return digits if len(digits) >= 6 else None


def email(value: object) -> str | None:
    """An e-mail address lower-cased and stripped."""
    if not value:
        return None
    text = str(value).strip().lower()
    return text if "@" in text else None


@lru_cache(maxsize=200_000)
def phonetic(token: str) -> str:
    """Metaphone of a name token (``vance`` and ``vanse`` both give ``FNS``); blocking uses it."""
    return metaphone(token) or token
