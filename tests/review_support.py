"""Builders for the review-safety tests: the OP-REVIEW-01 case resolved in a store, and its users.

OP-REVIEW-01 (``tests/fixtures/review/``, invented): subject S1, born 1984, is merged
automatically with S2, a bank's record of him with no date of birth; M1, a man of the same name
born 1962, is queued for review against S2. Accepting S2 / M1 would join him to the subject.
"""

from __future__ import annotations

from pathlib import Path

from app.auth import hash_password, write_users
from graph.sqlite_store import SQLiteStore
from ingest.bundle import load_bundle
from ingest.resolve import resolve

__all__ = ["BUNDLE", "CASE", "S1", "S2", "M1", "PASSWORDS", "make_review_db", "write_review_users"]

BUNDLE = Path(__file__).resolve().parent / "fixtures" / "review" / "OP-REVIEW-01"
CASE = "OP-REVIEW-01"
S1, S2, M1 = (f"{CASE}/{x}" for x in ("S1", "S2", "M1"))
PASSWORDS = {"val": "viewer-pw", "ana": "analyst-pw", "boss": "supervisor-pw"}
_ROLES = {"val": "viewer", "ana": "analyst", "boss": "supervisor"}


def make_review_db(path: Path, quarantine: Path) -> Path:
    """A SQLite store holding OP-REVIEW-01, resolved (one automatic merge, one pair to review)."""
    with SQLiteStore(path) as store:
        load_bundle(store, BUNDLE, quarantine)
        resolve(store)
    return path


def write_review_users(path: Path) -> Path:
    """A users file with a viewer (val), an analyst (ana) and a supervisor (boss); see PASSWORDS."""
    write_users(path, {login: {"name": login.title(), "role": role, "password": hash_password(PASSWORDS[login])}
                       for login, role in _ROLES.items()})
    return path
