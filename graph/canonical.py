"""The canonical view: which source records are one real entity, derived from SAME_AS links.

Nothing is stored here. Resolution writes reversible SAME_AS relations between source records;
this module takes connected components over them, so deleting one link (an analyst's undo)
splits the entity again with nothing else to repair. The canonical id of a cluster is its
smallest record id, which is stable across runs and stores.
"""

from __future__ import annotations

import itertools
from collections.abc import Iterable, Mapping

from graph.model import Relation
from graph.store import Store

__all__ = ["CanonicalView", "canonical_ids", "linked_records"]


class CanonicalView:
    """Connected components over SAME_AS relations.

    Example
    -------
    >>> from graph.model import Provenance
    >>> link = Relation("same:a|b", "SAME_AS", "b", "a", {}, (Provenance("resolution"),))
    >>> view = CanonicalView([link])
    >>> view.cluster_of("b"), view.members("a"), view.cluster_of("z")
    ('a', ['a', 'b'], 'z')
    """

    def __init__(self, relations: Iterable[Relation] = (), *, pairs: Iterable[tuple[str, str]] = ()) -> None:
        """Components over the SAME_AS ``relations`` and any record-id ``pairs`` decided but not stored."""
        parent: dict[str, str] = {}

        def find(x: str) -> str:
            parent.setdefault(x, x)
            while parent[x] != x:
                parent[x] = parent[parent[x]]
                x = parent[x]
            return x

        links = itertools.chain(((r.source, r.target) for r in relations if r.kind == "SAME_AS"), pairs)
        for a, b in links:
            ra, rb = find(a), find(b)
            if ra != rb:
                parent[max(ra, rb)] = min(ra, rb)  # the smaller id stays root: canonical id
        self._canonical: dict[str, str] = {x: find(x) for x in parent}
        self._members: dict[str, list[str]] = {}
        for record, root in sorted(self._canonical.items()):
            self._members.setdefault(root, []).append(record)

    @classmethod
    def from_store(cls, store: Store) -> CanonicalView:
        """The view over every SAME_AS relation in ``store``."""
        return cls(store.iter_relations(["SAME_AS"]))

    @property
    def mapping(self) -> dict[str, str]:
        """``{record_id: canonical_id}`` for every record in some SAME_AS link."""
        return dict(self._canonical)

    def cluster_of(self, record_id: str) -> str:
        """The canonical id of the entity ``record_id`` belongs to (itself when unlinked)."""
        return self._canonical.get(record_id, record_id)

    def members(self, canonical_id: str) -> list[str]:
        """All record ids of the entity, sorted (just ``[canonical_id]`` when unlinked)."""
        return list(self._members.get(self.cluster_of(canonical_id), [canonical_id]))

    def clusters(self) -> dict[str, list[str]]:
        """Every multi-record entity: canonical id -> sorted member ids."""
        return {k: list(v) for k, v in self._members.items()}


def canonical_ids(relations: Iterable[Relation]) -> dict[str, str]:
    """``{record_id: canonical_id}`` over the SAME_AS relations given (pure helper)."""
    return CanonicalView(relations).mapping


def linked_records(store: Store, seeds: Iterable[str], beside: Mapping[str, Iterable[str]] | None = None,
                   ) -> tuple[set[str], dict[str, Relation]]:
    """The records joined to ``seeds`` through SAME_AS links, and those links, read a hop at a time.

    Only the entities around the seeds are read, not every link in the store. ``beside`` adds
    neighbours that are not links (the incremental resolver follows queued and judged pairs too).
    """
    found: set[str] = set()
    links: dict[str, Relation] = {}
    frontier = set(seeds)
    while frontier:
        found |= frontier
        step: set[str] = set()
        for rel in store.relations_of(sorted(frontier), kinds=["SAME_AS"]):
            links[rel.id] = rel
            step.update((rel.source, rel.target))
        for x in frontier:
            step.update((beside or {}).get(x, ()))
        frontier = step - found
    return found, links
