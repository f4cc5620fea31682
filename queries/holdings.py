"""What the defendant holds, directly or through chains, where it is, and his effective share.

Property is "all property wherever situated" (s.84): a flat in Dubai held through a nominee and
two offshore companies counts in full; only enforcement differs (s.74). Holdings follow OWNS
(share), HOLDS (accounts, whole) and NOMINEE_FOR (what a nominee holds *for him*, whole: only the
holdings the evidence puts in the nominee's role, :mod:`queries.nominee`); the effective share is
the product of shares along a chain, summed over distinct chains. Assets of family, associates
and nominees that are not held for him are *linked assets*, listed apart.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from fractions import Fraction
from typing import Any

from graph.errors import InvalidRecord
from graph.territory import territory_class, territory_code
from queries.casegraph import CaseGraph
from queries.nominee import nominee_scope

__all__ = ["Holding", "holdings", "linked_assets", "territory_of", "overseas", "chain_text"]

_HOLDING_KINDS = ("Property", "Account", "Company")


@dataclass(frozen=True)
class Holding:
    """An asset or company the defendant holds, with the chain(s) and his effective share."""

    asset: str  # canonical id
    kind: str
    chains: tuple[tuple[str, ...], ...]  # canonical node ids, defendant first
    relations: tuple[tuple[str, ...], ...]  # relation ids along each chain
    effective_share: Fraction
    territory: str | None
    territory_class: str | None
    start: str | None  # the latest start date along the chain (when he came to hold it)

    @property
    def chain(self) -> tuple[str, ...]:
        return self.chains[0]


def territory_of(cg: CaseGraph, node: str) -> str | None:
    """ISO2 code of where an entity is situated: country, jurisdiction or the IBAN's country."""
    for key in ("country", "jurisdiction"):
        value = cg.prop(node, key)
        if value:
            try:
                return territory_code(str(value))
            except InvalidRecord:
                continue
    iban = cg.prop(node, "iban")
    if iban and len(str(iban)) >= 2:
        return territory_code(str(iban)[:2])
    return None


def _share(kind: str, data: dict[str, Any]) -> Fraction:
    if kind != "OWNS":
        return Fraction(1)
    share = (data.get("props") or {}).get("share_pct")
    return Fraction(1) if share is None else Fraction(str(share)) / 100


def _active(data: dict[str, Any], on: date | None) -> bool:
    if on is None:
        return True
    props = data.get("props") or {}
    start, end = props.get("start_date"), props.get("end_date")
    day = on.isoformat()
    return (start is None or start <= day) and (end is None or end > day)


def holdings(cg: CaseGraph, on: date | None = None, max_depth: int = 8) -> list[Holding]:
    """Everything the subjects hold on day ``on`` (every relation ever, when None).

    Examples
    --------
    A chain of three owners at 50 % each gives 12.5 %: see ``tests/queries/test_holdings.py``.
    """
    paths: dict[str, list[tuple[tuple[str, ...], tuple[str, ...], Fraction, str | None]]] = {}
    scopes = nominee_scope(cg)

    def walk(node: str, chain: tuple[str, ...], rels: tuple[str, ...], share: Fraction, start: str | None,
             only: frozenset[str] | None = None) -> None:
        if len(chain) > max_depth:
            return
        steps = [(v, k, d, _share(d["kind"], d)) for _, v, k, d in cg.graph.out_edges(node, keys=True, data=True)
                 if d["kind"] in ("OWNS", "HOLDS") and (only is None or k in only)]
        if node in cg.subjects:
            steps += [(u, k, d, Fraction(1)) for u, _, k, d in cg.graph.in_edges(node, keys=True, data=True)
                      if d["kind"] == "NOMINEE_FOR" and u in scopes]
        for target, key, data, part in sorted(steps, key=lambda s: (s[0], s[1])):
            if target in chain or not _active(data, on):
                continue
            if data["kind"] != "NOMINEE_FOR" and cg.kind(target) == "Person":
                continue  # nobody owns or holds a person: a record that says so is not a chain
            begun = (data.get("props") or {}).get("start_date")
            latest = max((d for d in (start, begun) if d), default=None)
            new = (chain + (target,), rels + (key,), share * part, latest)
            holds_for = data["kind"] == "NOMINEE_FOR"  # the nominee holds for him: he does not hold her
            if cg.kind(target) in _HOLDING_KINDS and not holds_for:
                paths.setdefault(target, []).append(new)
            walk(target, *new, only=frozenset(scopes[target].held) if holds_for else None)

    for subject in cg.subjects:
        walk(subject, (subject,), (), Fraction(1), None)
    out = []
    for asset, found in sorted(paths.items()):
        found.sort(key=lambda p: (-p[2], len(p[0]), p[0]))
        code = territory_of(cg, asset)
        out.append(Holding(asset, cg.kind(asset), tuple(p[0] for p in found), tuple(p[1] for p in found),
                           min(Fraction(1), sum((p[2] for p in found), Fraction(0))), code,
                           territory_class(code) if code else None,
                           min((p[3] for p in found if p[3]), default=None)))
    return out


def overseas(cg: CaseGraph, held: list[Holding]) -> list[tuple[Holding, str]]:
    """Holdings situated outside the UK, and UK property held through an overseas company.

    Returns each with its class: ``crown_dependency``, ``overseas_territory``, ``foreign`` or
    ``uk_via_overseas_company``.
    """
    out = []
    for h in held:
        if h.territory_class and h.territory_class != "uk":
            out.append((h, h.territory_class))
        elif h.territory_class == "uk" and h.kind == "Property":
            for node in h.chain[1:-1]:
                code = territory_of(cg, node)
                if cg.kind(node) == "Company" and code and territory_class(code) != "uk":
                    out.append((h, "uk_via_overseas_company"))
                    break
    return out


def linked_assets(cg: CaseGraph, held: list[Holding], on: date | None = None) -> list[dict[str, Any]]:
    """Accounts and property that his family, associates and nominees hold on ``on``, not held for him.

    Each item: the asset, its holder, how the holder is linked (relation kind and role). A
    nominee's own property (not what she holds for him) is listed here: it stays hers (LAW.md
    "Nominees"). Companies are not listed: a company is a vehicle, and what it holds shows in its
    own chain.
    """
    mine = {h.asset for h in held} | set(cg.subjects)
    scopes = nominee_scope(cg)
    out: dict[tuple[str, str], dict[str, Any]] = {}
    for subject in cg.subjects:
        near = [(v, d) for _, v, d in cg.graph.out_edges(subject, data=True)]
        near += [(u, d) for u, _, d in cg.graph.in_edges(subject, data=True)]
        for person, link in sorted(near, key=lambda item: item[1]["kind"] != "NOMINEE_FOR"):
            if link["kind"] not in ("FAMILY", "ASSOCIATE", "NOMINEE_FOR") or person in mine:
                continue
            scope = scopes.get(person)
            role = "nominee's own property (not held for him)" if scope else (link.get("props") or {}).get("role")
            for _, asset, key, data in cg.graph.out_edges(person, keys=True, data=True):
                if (data["kind"] in ("OWNS", "HOLDS") and asset not in mine and _active(data, on)
                        and cg.kind(asset) in ("Account", "Property") and (scope is None or key not in scope.held)
                        and (asset, person) not in out):
                    out[(asset, person)] = {"asset": asset, "holder": person,
                                            "link": "NOMINEE_FOR" if scope else link["kind"], "role": role,
                                            "relation": key}
    return [out[k] for k in sorted(out)]


def chain_text(chain: list[str], evidence: list[dict[str, Any]], names: dict[str, str] | None = None) -> str:
    """``P1 ← P4 (holds for him) → C2 → PR4``: a nominee holds *for* him, so that link points back
    (he does not own the nominee). ``names`` (id -> name) shows each node as ``name (id)``.

    >>> chain_text(["P1", "P4", "C2"], [{"kind": "NOMINEE_FOR"}, {"kind": "OWNS"}])
    'P1 ← P4 (holds for him) → C2'
    >>> chain_text(["P1", "A3"], [{"kind": "HOLDS"}], {"A3": "Jersey account"})
    'P1 → Jersey account (A3)'
    """
    def show(node: str) -> str:
        return f"{names[node]} ({node})" if names and node in names else node

    kinds = [e.get("kind") for e in evidence]
    out = show(chain[0]) if chain else ""
    for i, node in enumerate(chain[1:]):
        out += f" ← {show(node)} (holds for him)" if i < len(kinds) and kinds[i] == "NOMINEE_FOR" \
            else f" → {show(node)}"
    return out
