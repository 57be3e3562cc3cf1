"""The context judging reads besides the questions: registry nodes, and the shared facts of earlier ones.

A question links to registry nodes (author, mandate, group, ministries, constituency) and to shared facts
(topics, organes and persons known by mention) that earlier questions may have made.

Two kinds of context give the same statements:

- :class:`StoreContext`: a store holding the registry graphs (and the shared ones), read by index lookups;
- :class:`kg.build.judging_context.RegistryContext`: the registry itself, each person (with its memberships)
  or organe mapped the first time a question reaches it. A build judges against this one: mapping the whole
  judging context into a store cost every process ~1 CPU s, most of a one-page build's judging.
"""

from __future__ import annotations

from typing import Protocol

import pyoxigraph as ox

from kg.iris import Minter
from kg.validation.report import REGISTRY_GRAPHS

_HC = "https://w3id.org/hemicycle/ontology#"
ORG_MEMBER = ox.NamedNode("http://www.w3.org/ns/org#member")
ORGANE_TYPE = ox.NamedNode(_HC + "organeType")
GP = ox.Literal("GP")


class JudgingContext(Protocol):
    """The statements judging may read besides the questions'."""

    def describe(self, node: ox.NamedNode) -> list[ox.Quad]:
        """The statements whose subject is ``node``, in the registry graphs and the shared ones."""
        ...

    def group_memberships(self) -> list[tuple[ox.NamedNode, ox.NamedNode]]:
        """Every group membership (``hc:organeType "GP"`` in the acteurs graph), with its member."""
        ...


class StoreContext:
    """A store's registry and shared graphs as a judging context (two index lookups a node)."""

    def __init__(self, store: ox.Store, mint: Minter) -> None:
        self.store = store
        self.acteurs = mint.registry_graph("acteurs")
        self._graphs = frozenset(
            [mint.registry_graph(name) for name in REGISTRY_GRAPHS]
            + [mint.shared_graph(name) for name in ("topics", "mentions")]
        )

    def describe(self, node: ox.NamedNode) -> list[ox.Quad]:
        return [q for q in self.store.quads_for_pattern(node, None, None) if q.graph_name in self._graphs]

    def group_memberships(self) -> list[tuple[ox.NamedNode, ox.NamedNode]]:
        found: list[tuple[ox.NamedNode, ox.NamedNode]] = []
        if not self.store.contains_named_graph(self.acteurs):
            return found
        for typed in self.store.quads_for_pattern(None, ORGANE_TYPE, GP, self.acteurs):
            membership = typed.subject
            if not isinstance(membership, ox.NamedNode):
                continue
            for quad in self.store.quads_for_pattern(membership, ORG_MEMBER, None, self.acteurs):
                if isinstance(quad.object, ox.NamedNode):
                    found.append((membership, quad.object))
        return found
