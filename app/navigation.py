"""The page list, in one place, so the Revisit and Briefing pages slot in by adding their files.

Each entry is (file under ``app/``, title, icon, permission). A file that does not exist yet is
left out of the menu, so another helper's page appears as soon as it is written.
"""

from __future__ import annotations

from pathlib import Path

__all__ = ["PAGES", "APP_DIR", "available_pages"]

APP_DIR = Path(__file__).resolve().parent

PAGES: tuple[tuple[str, str, str, str], ...] = (
    ("pages/search.py", "Search", ":material/search:", "read"),
    ("pages/case.py", "Case", ":material/gavel:", "read"),
    ("pages/gifts.py", "Tainted gifts", ":material/redeem:", "read"),
    ("pages/network.py", "Network", ":material/hub:", "read"),
    ("pages/overseas.py", "Overseas holdings", ":material/public:", "read"),
    ("pages/flow.py", "Money flow", ":material/account_tree:", "read"),
    ("pages/review.py", "Resolution review", ":material/rule:", "read"),
    ("pages/revisit.py", "Revisit", ":material/update:", "read"),
    ("pages/briefing.py", "Briefing", ":material/description:", "read"),
    ("pages/audit.py", "Audit log", ":material/policy:", "audit"),
)


def available_pages() -> list[tuple[str, str, str, str]]:
    """The pages whose files exist."""
    return [p for p in PAGES if (APP_DIR / p[0]).exists()]
