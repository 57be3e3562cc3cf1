"""The registry as the context a build judges its questions against, mapped a person or an organe at a time.

Judging a question reads the registry nodes it links to (author, mandate, group, ministries, constituency)
and what checking those needs. Mapping the whole judging context (265k statements for the real registry)
into a store cost every process ~1 CPU s, and a one-page build reads a few dozen of those nodes. Here a
person (with the memberships judging reaches: :data:`~kg.mapping_registry.JUDGED_MANDATES`) or an organe is
mapped the first time a node of it is asked for; the geography at the first constituency or department.
The statements are the ones :meth:`~kg.mapping_registry.RegistryMapper.judging_context` gives (tested).
"""

from __future__ import annotations

from collections.abc import Iterable

import pyoxigraph as ox

from kg.mapping_registry import JUDGED_MANDATES, RegistryMapper
from kg.validation.context import GP, ORG_MEMBER, ORGANE_TYPE

_Group = tuple[str, str]  # ("person", uid), ("organe", uid) or ("geography", "")
_GEOGRAPHY: _Group = ("geography", "")
_Subject = ox.NamedNode | ox.BlankNode | ox.Triple


class RegistryContext:
    """A :class:`~kg.validation.context.JudgingContext` read off the registry, growing with what the build
    adds (the questions' shared facts, a membership a question names that the context lacks)."""

    def __init__(self, mapper: RegistryMapper) -> None:
        self._mapper = mapper
        mint = mapper.mint
        registry = mapper.registry
        self._acteurs = mint.registry_graph("acteurs")
        self._pending: dict[ox.NamedNode, _Group] = {}  # a node → the group whose mapping describes it
        self._geography = (mint.base + "constituency/", mint.base + "department/")  # (see kg.iris.Minter)
        self._memberships: dict[tuple[ox.NamedNode, ox.NamedNode], None] = {}  # (GP membership, member)
        for uid, person in registry.persons.items():
            group = ("person", uid)
            self._pending[mint.person(uid)] = group
            for mandate in person.mandates:
                if mandate.organe_type not in JUDGED_MANDATES:
                    continue
                node = mint.mandate(mandate.uid)
                self._pending[node] = group
                for sub in mandate.substitutes:
                    self._pending[mint.substitution(mandate.uid, sub.person_uid)] = group
                if mandate.organe_type == GP.value:
                    self._memberships[(node, mint.person(mandate.person_uid))] = None
        for uid in registry.organes:
            self._pending[mint.organe(uid)] = ("organe", uid)
        self._mapped: set[_Group] = set()
        self._subjects: dict[_Subject, dict[ox.Quad, None]] = {}  # subject → its statements (a set, in order)

    def __len__(self) -> int:
        """The statements mapped or added so far."""
        return sum(len(facts) for facts in self._subjects.values())

    def describe(self, node: ox.NamedNode) -> list[ox.Quad]:
        group = self._pending.get(node)
        if group is None and node.value.startswith(self._geography):
            group = _GEOGRAPHY
        if group is not None and group not in self._mapped:
            self._map(group)
        return list(self._subjects.get(node, ()))

    def group_memberships(self) -> list[tuple[ox.NamedNode, ox.NamedNode]]:
        return list(self._memberships)

    def extend(self, quads: Iterable[ox.Quad]) -> None:
        """Add statements, as a store's ``extend`` does (a statement already there is not added twice)."""
        touched: set[ox.NamedNode] = set()
        for quad in quads:
            subject = quad.subject
            if isinstance(subject, ox.NamedNode):
                self.describe(subject)  # its group first, so that the statements stay a set
                if quad.graph_name == self._acteurs:
                    touched.add(subject)
            self._subjects.setdefault(subject, {})[quad] = None
        for subject in touched:  # a group membership added (a store would list it too)
            facts = self._subjects[subject]
            if ox.Quad(subject, ORGANE_TYPE, GP, self._acteurs) in facts:
                for fact in facts:
                    if fact.predicate == ORG_MEMBER and isinstance(fact.object, ox.NamedNode):
                        self._memberships[(subject, fact.object)] = None

    def _map(self, group: _Group) -> None:
        self._mapped.add(group)
        kind, uid = group
        if kind == "person":
            quads = self._mapper.person_quads(uid, JUDGED_MANDATES)
        elif kind == "organe":
            quads = self._mapper.organe_quads(uid)
        else:
            quads = list(self._mapper.geography())
        for quad in quads:
            self._subjects.setdefault(quad.subject, {})[quad] = None
