"""Who is on the other side of a statement line, read from its payment code and description.

UK statements name the counterparty inside free text: "FPO K WHITLOCK RENT SEPT" (a faster
payment out to a person, with a reference), "DD BRITISH GAS" (a company), "012345 09876543" (an
account). This module turns that text into a name, a kind and maybe an account, flagged as
parsed from a description so an analyst knows it is a reading, not a record.
"""

from __future__ import annotations

import re
from functools import lru_cache
from typing import NamedTuple

from rigour.text import ascii_text

__all__ = ["COMPANY_WORDS", "Counterparty", "parse_counterparty", "slug"]


class Counterparty(NamedTuple):
    """What a statement line says about the other side: a name, its kind, maybe its account."""

    name: str | None
    kind: str  # Person | Company | Account
    code: str  # how it was found: the payment code or phrase, "column", or "none"
    sort_code: str | None = None
    account_number: str | None = None
    flag: str = "parsed_from_description"
    reference: str | None = None


# UK statement codes (Lloyds/Barclays/HSBC/Santander style), then Nationwide's phrases.
CODES = {"FPO": "out", "FPI": "in", "BGC": "in", "BAC": "in", "BACS": "in", "DD": "out", "D/D": "out",
         "SO": "out", "S/O": "out", "STO": "out", "TFR": "any", "BP": "out", "FT": "any", "CR": "in",
         "DR": "out", "DEB": "card", "VIS": "card", "POS": "card", "))))": "card", ")))": "card", "CHQ": "cheque",
         "CPT": "cash", "ATM": "cash", "CSH": "cash", "PAY": "any", "DEP": "in", "COR": "any", "FEE": "bank",
         "CHG": "bank", "INT": "bank", "OBP": "out", "IBP": "in"}
PERSONAL_CODES = {"FPO", "FPI", "BGC", "BAC", "BACS", "SO", "S/O", "STO", "TFR", "BP", "FT", "OBP", "IBP", "PAY",
                  "CR", "DR"}
PHRASES = re.compile(
    r"^(transfer (?:from|to)|payment (?:to|from)|bank credit|direct debit|standing order|faster payment"
    r"(?: (?:to|from))?|visa purchase|visa credit|contactless payment|card payment|cash withdrawal|"
    r"atm withdrawal|interest added|interest paid|bill payment|funds transfer|counter credit|debit card)\b\s*",
    re.I)
PERSONAL_PHRASES = ("transfer", "payment", "bank credit", "standing order", "faster payment", "bill payment",
                    "funds transfer")
COMPANY_WORDS = re.compile(
    r"\b(LTD|LIMITED|PLC|LLP|INC|CORP|CO|GMBH|SA|BV|AG|BANK|SHOP|STORES?|SUPERMARKET|GARAGE|RESTAURANT|CAFE|"
    r"COFFEE|BROADBAND|WATER|ENERGY|GAS|ELECTRIC|COUNCIL|HMRC|INSURANCE|SERVICES|GROUP|HOLDINGS|TRUST|"
    r"PARK|HOTEL|TESCO|AMAZON|PAYPAL|UBER|MERCHANT|BILL|MOBILE|TELECOM|DVLA|TV|CLUB)\b", re.I)
TRANSFER_TO = re.compile(r"^(to|from)\s+(?=\S)", re.I)
ACCOUNT_REF = re.compile(r"^(\d{2})-?(\d{2})-?(\d{2})\s+(\d{8})$")
NOISE = re.compile(r"(\s+(ON\s+\d{1,2}\s+[A-Z]{3}|CD\s+\d+|\S*\d\S*|GB|GBR|UK|JAN|FEB|MAR|APR|MAY|JUNE?|JULY?|AUG|"
                   r"SEPT?|OCT|NOV|DEC))+\s*$", re.I)
TITLES = {"MR", "MRS", "MS", "MISS", "DR", "MX", "SIR", "LADY", "PROF"}
COMPANY_END = re.compile(r"^(.*?\b(?:LTD|LIMITED|PLC|LLP|INC|CORP|GMBH)\b\.?)\s*(.*)$", re.I)


def _split_name(name: str, personal: bool) -> tuple[str, str | None]:
    """Name and trailing reference: "K WHITLOCK RENT SEPT" -> ("K WHITLOCK", "RENT SEPT")."""
    company = COMPANY_END.match(name)
    if company:
        return company.group(1), company.group(2) or None
    tokens = name.split()
    initials = 1 if tokens and tokens[0].upper().strip(".") in TITLES else 0
    while initials < len(tokens) and len(tokens[initials].strip(".")) == 1 and tokens[initials].isalpha():
        initials += 1
    if personal and 0 < initials < len(tokens) - 1:
        return " ".join(tokens[: initials + 1]), " ".join(tokens[initials + 1:])
    cleaned = NOISE.sub("", " " + name).strip(" *-")
    rest = name[len(cleaned):].strip() if cleaned and name.startswith(cleaned) else ""
    return (cleaned or name), (rest if rest.upper() not in ("", "GB", "GBR", "UK") else None)


@lru_cache(maxsize=4096)
def _fold(char: str) -> str:
    """One non-ASCII character as ASCII letters (rigour's transliteration: "É" -> "E", "ж" -> "zh",
    "ß" -> "ss"); a letter with no ASCII form is kept as it is, so no letter is ever dropped."""
    folded = ascii_text(char) or ""
    return folded if any(c.isalnum() for c in folded) or not char.isalnum() else char


def slug(text: str) -> str:
    """A stable, readable id part: accents folded, every letter kept, the rest one dash.

    >>> slug("K  Whitlock")
    'k-whitlock'
    >>> slug("Éáú Müller GP")
    'eau-muller-gp'
    """
    if not text.isascii():
        text = "".join(c if c.isascii() else _fold(c) for c in text)
    return re.sub(r"[\W_]+", "-", text.lower()).strip("-")[:80]


def _masked(text: str) -> bool:
    return not text.strip(" *")


def _person_like(name: str) -> bool:
    tokens = name.split()
    return (2 <= len(tokens) <= 4 and all(t.replace("-", "").replace("'", "").isalpha() for t in tokens)
            and not COMPANY_WORDS.search(name))


def parse_counterparty(type_text: str, description: str, column: str | None = None,
                       institution: str | None = None) -> Counterparty:
    """Who is on the other side of a statement line, from its type and description.

    >>> parse_counterparty("", "FPO K WHITLOCK RENT SEPT")[:3]
    ('K WHITLOCK', 'Person', 'FPO')
    >>> parse_counterparty("Transfer to", "012345 09876543").account_number
    '09876543'
    >>> parse_counterparty("TRANSFER", "To Guybrush Threepwood")[:3]
    ('Guybrush Threepwood', 'Person', 'transfer to')
    """
    if column:
        kind = "Person" if _person_like(column) and not COMPANY_WORDS.search(column) else "Company"
        return Counterparty(column.strip(), kind, "column", flag="counterparty_column")
    type_text, description = (type_text or "").strip(), (description or "").strip()
    code, name = "none", ""
    moved = TRANSFER_TO.match(description) if type_text.upper() == "TRANSFER" else None
    if moved:  # Revolut: type TRANSFER, "To K Whitlock" / "From K Whitlock"
        name, _ = _split_name(description[moved.end():].strip(), True)
        kind = "Person" if _person_like(name) else "Company"
        return Counterparty(name or None, kind if name else "Account", f"transfer {moved.group(1).lower()}")
    phrase = PHRASES.match(type_text) or PHRASES.match(description)
    if phrase:
        code = phrase.group(1).lower()
    words = description.split()
    if words and all(w in CODES for w in words[0].upper().split("/")):
        code, name = words[0].upper(), " ".join(words[1:])
    elif words and words[-1].upper() in CODES and len(words) > 1:
        code, name = words[-1].upper(), " ".join(words[:-1])
    elif type_text.upper() in CODES:
        code, name = type_text.upper(), description
    elif phrase and phrase.string is description:
        name = description[phrase.end():]
    elif not _masked(description) and not ACCOUNT_REF.match(description):
        name = description
    account = ACCOUNT_REF.match(description)
    if (not name or _masked(name) or account) and phrase and phrase.string is type_text:
        name = type_text[phrase.end():]
    name = re.sub(r"\s+", " ", name.strip(" *-")) if name and not _masked(name) else ""
    if code in ("interest added", "interest paid", "INT", "FEE", "CHG"):
        return Counterparty(institution or name or "bank charges and interest", "Company", code)
    if account:
        number = account.group(4)
        sort = "-".join(account.group(i) for i in (1, 2, 3))
        return Counterparty(name or None, "Account", code, sort, number)
    if not name or not re.search(r"[A-Za-z]{2}", name):
        return Counterparty(None, "Account", code)
    personal = code in PERSONAL_CODES or code.startswith(PERSONAL_PHRASES)
    name, reference = _split_name(name, personal)
    if not re.search(r"[A-Za-z]{2}", name):
        return Counterparty(None, "Account", code)
    kind = "Person" if personal and _person_like(name) else "Company"
    return Counterparty(name, kind, code, reference=reference)
