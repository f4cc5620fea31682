"""Which entities act for the defendant, and the link that makes each one "his".

A payment is the defendant's gift when it leaves him or something he controls: his own
records, accounts he holds, companies he owns (at or above the ownership threshold, 25 % by
default, the PSC test), directs or controls, and what a nominee holds *for him* -- only the
holdings the evidence puts in the nominee's role (:mod:`queries.nominee`). The nominee herself
and her own accounts are not his: a payment to her is a gift candidate, and one from her own
account is hers. Every controlled entity carries the chain of relations that
brought it in, so a finding can say "paid from VANCE LOGISTICS LIMITED's Lloyds account,
a company he owns 100 % (PSC register 07654321)".
"""

from __future__ import annotations

from dataclasses import dataclass

from queries.casegraph import CaseGraph
from queries.nominee import nominee_scope

__all__ = ["ControlLink", "controlled_by"]


@dataclass(frozen=True)
class ControlLink:
    """Why an entity counts as the defendant's.

    ``via`` is one of ``direct`` (he himself), ``own account``, ``controlled company``,
    ``account of controlled company``, ``account of nominee`` (an account a nominee holds for
    him), ``company held through nominee``; ``path`` lists the relation ids from the defendant to
    the entity (through a nominee: the NOMINEE_FOR relation, then the holding).
    """

    entity: str
    via: str
    path: tuple[str, ...]
    subject: str


def _owner_share(data: dict[str, object]) -> float | None:
    share = (data.get("props") or {}).get("share_pct")  # type: ignore[union-attr]
    return None if share is None else float(share)  # type: ignore[arg-type]


def controlled_by(cg: CaseGraph) -> dict[str, ControlLink]:
    """Map each canonical id the defendant controls to the :class:`ControlLink` that shows it.

    Breadth first from the subjects, so each entity keeps its shortest explanation. Relations
    that ended before the case's valuation day still count: control at the time of a payment
    is what matters, and the payment's date is checked against the link by the caller.

    Examples
    --------
    See ``tests/queries/test_engine.py``; the demo case's company account A4 is reached as
    ``account of controlled company`` through OWNS 100 %.
    """
    found: dict[str, ControlLink] = {s: ControlLink(s, "direct", (), s) for s in cg.subjects}
    queue = list(cg.subjects)
    scopes = nominee_scope(cg)
    while queue:
        node = queue.pop(0)
        link = found[node]
        steps = _steps(cg, node, link.via, ())
        if link.via == "direct":
            for scope in scopes.values():
                if scope.subject == node:
                    held = _steps(cg, scope.nominee, "nominee", tuple(scope.held))
                    steps += [(t, p, (scope.relation, k), via) for t, p, (k,), via in held]
        for target, _, keys, via in sorted(steps):  # ownership explains control best, then PSC, then office
            if target not in found:
                found[target] = ControlLink(target, via, (*link.path, *keys), link.subject)
                queue.append(target)
    return found


def _steps(cg: CaseGraph, node: str, via: str, only: tuple[str, ...]) -> list[tuple[str, int, tuple[str, ...], str]]:
    """(target, preference, relation ids, via) for each way ``node`` controls something; ``only``
    (when given) limits them to those relations (a nominee's holdings held for him)."""
    threshold = cg.settings.control_share_pct
    steps: list[tuple[str, int, tuple[str, ...], str]] = []
    for _, target, key, data in cg.graph.out_edges(node, keys=True, data=True):
        kind = data["kind"]
        if (only and key not in only) or (via == "nominee" and not only):
            continue  # a nominee's own holdings are hers
        if kind == "HOLDS" and cg.kind(target) == "Account":  # a HOLDS to anything else says nothing of control
            steps.append((target, 0, (key,), _account_via(via)))
        elif kind == "OWNS" and cg.kind(target) == "Company":
            share = _owner_share(data)
            if share is None or share >= threshold:
                steps.append((target, 0, (key,), _company_via(via)))
        elif kind in ("CONTROLS", "PSC_OF", "DIRECTOR_OF") and cg.kind(target) == "Company":
            steps.append((target, 1 if kind != "DIRECTOR_OF" else 2, (key,), _company_via(via)))
    return steps


def _account_via(holder_via: str) -> str:
    return {"direct": "own account", "nominee": "account of nominee"}.get(holder_via, "account of controlled company")


def _company_via(owner_via: str) -> str:
    return "company held through nominee" if owner_via in ("nominee", "company held through nominee") \
        else "controlled company"
