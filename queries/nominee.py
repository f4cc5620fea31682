"""What a nominee holds *for* the defendant: only what the evidence says (LAW.md "Nominees").

A NOMINEE_FOR relation (nominee -> defendant) does not make everything the nominee owns his. A
holding of the nominee is held for him when

* the nominee relation names it (an ``asset_id`` / ``holding_id`` property naming the record, or
  the asset's name in the relation's role or description: "holds shares in SOLENT BAY HOLDINGS
  LIMITED on trust for P1"), or
* the nominee took it in that role (the holding's own role says "nominee"), or
* it began on or after the nominee relation began (shares acquired as nominee shareholder from
  the relation's start).

Everything else the nominee holds (her own bank account opened years before, her home) stays
hers: at most a *linked* asset, never his holding, never an s.10(3) item. A chain through a
nominee reads "holds for": the nominee holds for him, he does not own the nominee.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from rigour.names import normalize_name

from queries.casegraph import CaseGraph

__all__ = ["NomineeScope", "nominee_scope", "held_for_him"]

_HOLDING_EDGES = ("OWNS", "HOLDS", "CONTROLS", "PSC_OF", "DIRECTOR_OF")
_NAMING_KEYS = ("asset_id", "holding_id", "holds")
_TEXT_KEYS = ("role", "description", "note", "nature")


@dataclass(frozen=True)
class NomineeScope:
    """One nominee relation: who holds for whom, and which of the nominee's holdings are his.

    ``held`` maps the relation id of each holding held for him to the reason the evidence gives;
    ``own`` lists the relation ids of the nominee's other holdings (hers).
    """

    nominee: str  # canonical id
    subject: str  # canonical id of the defendant the nominee holds for
    relation: str  # the NOMINEE_FOR relation id
    held: dict[str, str]
    own: tuple[str, ...]


def _norm(text: object) -> str:
    return normalize_name(str(text)) or "" if text not in (None, "") else ""


def _reason(cg: CaseGraph, nominee_props: dict[str, Any], target: str, data: dict[str, Any]) -> str | None:
    """Why the holding ``data`` (nominee -> ``target``) is held for him, or None when it is hers."""
    members = set(cg.clusters.members(target))
    named = {str(nominee_props[k]) for k in _NAMING_KEYS if nominee_props.get(k)}
    if named & (members | {cg.source_id(m) for m in members}):
        return "named by the nominee relation"
    text = " ".join(_norm(nominee_props.get(k)) for k in _TEXT_KEYS)
    name = _norm(cg.name(target))
    if len(name) >= 4 and f" {name} " in f" {text} ":
        return f"named by the nominee relation ({cg.name(target)})"
    props = data.get("props") or {}
    if "nominee" in _norm(props.get("role")):
        return "taken in the nominee role"
    begun, since = props.get("start_date"), nominee_props.get("start_date")
    if begun and since and str(begun) >= str(since):
        return f"acquired from the nominee relation's start ({since})"
    return None


def nominee_scope(cg: CaseGraph) -> dict[str, NomineeScope]:
    """Every nominee of the subjects, with the holdings the evidence says are held for him.

    Examples
    --------
    The demo's P4 holds SOLENT BAY HOLDINGS LIMITED (C2) for P1: the declaration of trust names
    it and he took the shares on the day it was made (``tests/queries/test_nominee.py``).
    """
    out: dict[str, NomineeScope] = {}
    for subject in cg.subjects:
        for nominee, _, key, data in cg.graph.in_edges(subject, keys=True, data=True):
            if data["kind"] != "NOMINEE_FOR" or nominee in cg.subjects or nominee in out:
                continue
            props = dict(data.get("props") or {})
            held: dict[str, str] = {}
            own: list[str] = []
            for _, target, hkey, hdata in cg.graph.out_edges(nominee, keys=True, data=True):
                if hdata["kind"] not in _HOLDING_EDGES or target in cg.subjects:
                    continue
                why = _reason(cg, props, target, hdata)
                if why is None:
                    own.append(hkey)
                else:
                    held[hkey] = why
            out[nominee] = NomineeScope(nominee, subject, key, held, tuple(sorted(own)))
    return out


def held_for_him(scopes: dict[str, NomineeScope], nominee: str, relation: str) -> bool:
    """True when the nominee's holding ``relation`` is one the evidence says is held for him."""
    scope = scopes.get(nominee)
    return scope is not None and relation in scope.held
