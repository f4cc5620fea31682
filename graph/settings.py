"""Settings are a value you can save: every threshold in one dataclass that round-trips JSON.

Every report records the settings it ran with. Environment variables are read here and
nowhere else (:func:`store_target_from_env`).
"""

from __future__ import annotations

import json
import os
from dataclasses import asdict, dataclass, field, fields
from pathlib import Path
from typing import Any

__all__ = ["MARKING", "Settings", "StoreTarget", "store_target_from_env"]

# The Government Security Classification handling marking every export and printed pack carries.
MARKING = "OFFICIAL-SENSITIVE"


@dataclass(frozen=True)
class Settings:
    """Analysis thresholds. Defaults follow LAW.md; change them per case and save with the case."""

    # s.78: consideration below this fraction of value is "significantly less" (an undervalue).
    undervalue_ratio: float = 0.8
    # Control: an ownership share at or above this makes a company "his" (PSC threshold).
    control_share_pct: float = 25.0
    # s.81: the price index used to adjust a gift for changes in the value of money.
    price_index: str = "rpi"
    # s.12: civil judgment debt rate (Judgments Act 1838 s.17).
    interest_rate: float = 0.08
    # s.12: how a payment is applied: "principal_first" (LAW.md) or "interest_first".
    payment_allocation: str = "principal_first"
    # Foreign currency: a CSV of exchange rates that wins over the ECB reference rates (None: ECB only).
    rates_file: str | None = None
    # Money flow: how far forward in time one hop may follow the last, and the amount tolerance.
    flow_window_days: int = 30
    flow_amount_tolerance: float = 0.1
    flow_max_hops: int = 6
    # Neighbourhoods: nodes with more relations than this are not expanded.
    max_degree: int = 500
    # Resolution thresholds: merge at or above upper, reject below lower, review between.
    match_upper: float = 0.9
    match_lower: float = 0.6
    # Resolution weights: True keeps the saved (or hand-set) weights instead of re-estimating them.
    freeze_weights: bool = False
    # Revisit: enforcement discount per territory class (1.0 = no discount).
    enforcement_weights: dict[str, float] = field(
        default_factory=lambda: {"uk": 1.0, "crown_dependency": 0.8, "overseas_territory": 0.6,
                                 "foreign": 0.4}
    )

    def to_json(self) -> str:
        return json.dumps(asdict(self), sort_keys=True, indent=2)

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> Settings:
        known = {f.name for f in fields(cls)}
        return cls(**{k: v for k, v in data.items() if k in known})

    @classmethod
    def load(cls, path: str | Path) -> Settings:
        return cls.from_dict(json.loads(Path(path).read_text(encoding="utf-8")))

    def save(self, path: str | Path) -> None:
        Path(path).write_text(self.to_json(), encoding="utf-8")


@dataclass(frozen=True)
class StoreTarget:
    """Which store to open: a SQLite file, or a Neo4j server over Bolt."""

    db: str = "assetgraph.db"
    neo4j_uri: str | None = None
    neo4j_user: str | None = None
    neo4j_password: str | None = None
    neo4j_database: str | None = None


def store_target_from_env(environ: dict[str, str] | None = None) -> StoreTarget:
    """Read ``ASSETGRAPH_DB``, ``NEO4J_URI``, ``NEO4J_USER``, ``NEO4J_PASSWORD``, ``NEO4J_DATABASE``."""
    env = os.environ if environ is None else environ
    return StoreTarget(
        db=env.get("ASSETGRAPH_DB", "assetgraph.db"),
        neo4j_uri=env.get("NEO4J_URI") or None,
        neo4j_user=env.get("NEO4J_USER") or None,
        neo4j_password=env.get("NEO4J_PASSWORD") or None,
        neo4j_database=env.get("NEO4J_DATABASE") or None,
    )
