"""Judging a build's questions in batches: each with its own graph and the registry nodes it links to, one engine call a batch."""

from __future__ import annotations

import logging
import re
from collections import defaultdict
from collections.abc import Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass, field

import pyoxigraph as ox

from kg.iris import DEFAULT_BASE, Minter
from kg.store import EmbeddedStore
from kg.validation.context import ORG_MEMBER as _ORG_MEMBER
from kg.validation.context import ORGANE_TYPE as _ORGANE_TYPE
from kg.validation.context import JudgingContext, StoreContext
from kg.validation.engines import RawResult, Statement, build_engine, run_engine, typed_result
from kg.validation.report import store_of
from kg.validation.results import Engine, ValidationResult
from kg.validation.shapes import ShapePath, Shapes, load_shapes, plan_fast
from kg.validation.terms import node_id

log = logging.getLogger(__name__)

_HC = "https://w3id.org/hemicycle/ontology#"
_ORG = "http://www.w3.org/ns/org#"
_Node = ox.NamedNode | ox.BlankNode | ox.Literal | ox.Triple
_AUTHOR_GROUP = ox.NamedNode(_HC + "authorGroup")
_CREATOR = ox.NamedNode("http://purl.org/dc/terms/creator")
#: from a linked registry node, also fetch the nodes these predicates lead to (their shapes check their class)
_EXPAND = frozenset(
    ox.NamedNode(iri)
    for iri in (
        _ORG + "member",
        _HC + "constituency",
        _HC + "department",
        _HC + "substitution",
        "http://www.w3.org/2004/02/skos/core#inScheme",
    )
)


# ------------------------------------------------------------------ the build: questions in batches

#: question → registry links whose targets the context brings in (and topics, described by the batch itself)
_LINKS = frozenset(
    ox.NamedNode(iri)
    for iri in (
        "http://purl.org/dc/terms/creator",
        _HC + "authorMandate",
        _HC + "authorGroup",
        _HC + "constituency",
        _HC + "questionedMinistry",
        _HC + "attributedMinistry",
        _HC + "ministry",
        _HC + "answeringMinistry",
        "http://purl.org/dc/terms/subject",
    )
)
_AUTHOR_GROUP_MEMBERSHIP = ox.NamedNode(_HC + "authorGroupMembership")
#: the predicates judging follows from a question to gather its context (see ``links`` of judge_questions)
FOLLOWED = _LINKS | _EXPAND | {_AUTHOR_GROUP_MEMBERSHIP}


class _Questions:
    """The questions of a batch: each one's quads (given, or parsed back from its N-Quads the first time a
    rare result needs them: the build does not keep 144k quad objects a batch, whose freeing alone cost ~10%
    of a worker's CPU), its N-Quads when the caller has them, and the quads judging follows out of it."""

    def __init__(
        self,
        uids: Sequence[str],
        quads: Mapping[str, Sequence[ox.Quad]] | None,
        nquads: Mapping[str, bytes] | None,
        links: Mapping[str, Sequence[ox.Quad]] | None,
    ) -> None:
        self.uids = uids
        self.members = frozenset(uids)
        self.nquads = nquads
        self._quads = quads
        self._links = links
        self._parsed: dict[str, list[ox.Quad]] = {}

    def quads(self, uid: str) -> Sequence[ox.Quad]:
        if self._quads is not None:
            return self._quads[uid]
        parsed = self._parsed.get(uid)
        if parsed is None:
            assert self.nquads is not None
            parsed = self._parsed[uid] = list(ox.parse(self.nquads[uid], ox.RdfFormat.N_QUADS))
        return parsed

    def followed(self, uid: str) -> Sequence[ox.Quad]:
        """The quads to gather the context from: the links when given, else all the question's quads."""
        return self._links[uid] if self._links is not None else self.quads(uid)

    def items(self) -> Iterator[tuple[str, Sequence[ox.Quad]]]:
        for uid in self.uids:
            yield uid, self.quads(uid)


@dataclass
class _Batch:
    """A batch of questions and the registry nodes they need, and which questions pulled in each node."""

    questions: _Questions
    context_quads: list[ox.Quad] = field(default_factory=list)
    context_nquads: list[bytes] = field(default_factory=list)  # ``context_quads`` as N-Quads
    pulled: dict[str, set[str]] = field(default_factory=lambda: defaultdict(set))  # registry node → uids
    _mentions: dict[str, set[str]] | None = None  # node → uids whose quads mention it (built on demand)
    _index: _Index | None = None

    @property
    def uids(self) -> frozenset[str]:
        return self.questions.members

    def statements(self) -> list[ox.Quad]:
        """The questions' quads, then the context's."""
        out = [quad for _, quads in self.questions.items() for quad in quads]
        out.extend(self.context_quads)
        return out

    def mentions(self) -> dict[str, set[str]]:
        if self._mentions is None:
            self._mentions = defaultdict(set)
            for uid, quads in self.questions.items():
                for quad in quads:
                    self._mentions[node_id(quad.subject)].add(uid)
                    self._mentions[node_id(quad.object)].add(uid)
        return self._mentions

    def index(self) -> _Index:
        if self._index is None:
            self._index = _Index(self.statements())
        return self._index

    def add_context(self, described: _Described) -> None:
        self.context_quads.extend(described.quads)
        if described.nquads:
            self.context_nquads.append(described.nquads)


@dataclass(frozen=True, slots=True)
class _Described:
    """Statements read from the context store, as quads and as N-Quads, and the nodes they lead to."""

    quads: list[ox.Quad]
    nquads: bytes
    leads_to: list[ox.NamedNode]

    @classmethod
    def of(cls, quads: list[ox.Quad]) -> _Described:
        leads_to = [q.object for q in quads if q.predicate in _EXPAND and isinstance(q.object, ox.NamedNode)]
        nquads = (ox.serialize(quads, None, ox.RdfFormat.N_QUADS) or b"") if quads else b""
        return cls(quads, nquads, leads_to)


class ContextCache:
    """What judging has read of a context store, kept from batch to batch (a build's worker judges ~50 batches
    at 100k against one context): each node's statements, already serialised, and the group memberships
    (typeOrgane GP) with their member. Reading them again for every batch cost ~20% of judging.

    The context only grows (a batch's shared facts, a membership it lacked): :meth:`forget` the statements
    added, and what they describe is read again."""

    def __init__(self) -> None:
        self.nodes: dict[ox.NamedNode, _Described] = {}
        self.read_only: dict[ox.NamedNode, _Described] = {}  # a membership's member and organe type
        self.memberships: dict[ox.NamedNode, list[ox.NamedNode]] | None = None  # member → GP memberships

    def forget(self, quads: Iterable[Statement]) -> None:
        for quad in quads:
            subject = quad.subject
            if isinstance(subject, ox.NamedNode):
                self.nodes.pop(subject, None)
                self.read_only.pop(subject, None)
            if quad.predicate in (_ORG_MEMBER, _ORGANE_TYPE):
                self.memberships = None


def judge_questions(
    batch: Mapping[str, Sequence[ox.Quad]],
    context: EmbeddedStore | ox.Store | JudgingContext | None,
    *,
    engine: Engine | None = None,
    shapes: Shapes | None = None,
    base: str = DEFAULT_BASE,
    serialized: Mapping[str, bytes] | None = None,
    cache: ContextCache | None = None,
    links: Mapping[str, Sequence[ox.Quad]] | None = None,
) -> dict[str, list[ValidationResult]]:
    """Validate many questions in one engine call; give each question (uid) its own results.

    See :func:`judge_serialized` for questions given by their N-Quads alone, as the build holds them.

    ``batch`` maps each uid to the quads :meth:`kg.mapping.QuestionMapper.map` made for it (its own named
    graph plus its facts in ``graph/topics`` and ``graph/mentions``). ``context`` is the store that holds the
    registry graphs (``graph/registry/{acteurs,organes,geography}``), or a
    :class:`~kg.validation.context.JudgingContext` giving the same statements; from it each question gets the
    nodes it links to (author, mandate, group, ministries, constituency), what those need to be checked (the
    mandate's person, constituency and substitutions, the constituency's department) and the author's group
    memberships (typeOrgane GP). The membership a question names (hc:authorGroupMembership) is judged with it;
    the author's other group memberships are only read (their member and organe type, all that
    hcsh:Question-author-member-on-date needs): a question does not answer for registry nodes it does not
    link to, which the registry's own validation reports once (and they were ~40% of the context: judging
    10k questions took 15% less CPU, with the same results). ``None``: no registry (the links are then
    checked by pattern only).

    A result belongs to the question whose IRI its focus node is or extends (``question/{uid}``,
    ``question/{uid}/answer``, ``question/{uid}/attribution/{n}``, ``graph/question/{uid}``…). A result on a
    registry node belongs to every question of the batch that pulled the node in, narrowed to one question
    when the result's value is a question or its path starts from the questions
    (``^hc:authorMandate/hc:publicationDate``, ``^hc:authorGroupMembership/hc:publicationDate``: the
    questions whose date is the value). A result on a node the questions share (topic, organe named by a
    question) belongs to every question of the batch that mentions it. Every uid of the batch is a key of the
    answer (an empty list when it conforms); warnings are included: the caller decides by severity.

    ``serialized``: each question's quads (all of ``batch[uid]``, in any order) as N-Quads, when the caller
    has them already (the build does: they go to the store). The fast engine then reads those bytes rather
    than a new serialisation of the same quads (~15% of judging's CPU on the build's batches).

    ``cache``: what earlier batches read of the same ``context`` (see :class:`ContextCache`; the caller
    forgets what it adds to the context).

    ``links``: for each uid, the quads of ``batch[uid]`` that lead out of the question (its
    :attr:`kg.mapping.QuestionQuads.links`) and its shared facts, when the caller has them: the context is
    gathered from those rather than from a scan of every quad (all of ``batch[uid]`` when ``None``). They
    must hold every quad of ``batch[uid]`` whose predicate is a link this module follows.
    """
    questions = _Questions(list(batch), batch, serialized, links)
    return _judge(questions, context, engine=engine, shapes=shapes, base=base, cache=cache)


def judge_serialized(
    nquads: Mapping[str, bytes],
    links: Mapping[str, Sequence[ox.Quad]],
    context: EmbeddedStore | ox.Store | JudgingContext | None,
    *,
    engine: Engine | None = None,
    shapes: Shapes | None = None,
    base: str = DEFAULT_BASE,
    cache: ContextCache | None = None,
) -> dict[str, list[ValidationResult]]:
    """:func:`judge_questions` for questions given by their N-Quads (all the quads ``map`` made for each:
    its graph and its shared facts; N-Triples lines will do) and the quads leading out of each (its
    :attr:`kg.mapping.QuestionQuads.links` and its shared facts), which must hold every quad whose
    predicate is in :data:`FOLLOWED`. The build keeps no more of a question once it is mapped: the quads a
    rare result needs (to narrow a result on a registry node to the questions it concerns) are parsed back
    from its N-Quads; an engine that does not read N-Quads (pySHACL) gets them all parsed back."""
    questions = _Questions(list(nquads), None, nquads, links)
    return _judge(questions, context, engine=engine, shapes=shapes, base=base, cache=cache)


def _judge(
    questions: _Questions,
    context: EmbeddedStore | ox.Store | JudgingContext | None,
    *,
    engine: Engine | None,
    shapes: Shapes | None,
    base: str,
    cache: ContextCache | None,
) -> dict[str, list[ValidationResult]]:
    shapes = shapes or load_shapes()
    engine = engine or build_engine()
    mint = Minter(base)
    owner = _QuestionOwner(mint, questions)
    if isinstance(context, EmbeddedStore | ox.Store):
        context = StoreContext(store_of(context), mint)
    prepared = _prepare(questions, context, mint, cache if cache is not None else ContextCache())
    if questions.nquads is not None and _reads_serialized(engine, shapes):
        data = b"".join([*(questions.nquads[uid] for uid in questions.uids), *prepared.context_nquads])
        raws, _ = run_engine([], engine, shapes, serialized=data)
    else:
        raws, _ = run_engine(prepared.statements(), engine, shapes)
    verdicts: dict[str, set[ValidationResult]] = {uid: set() for uid in questions.uids}
    for raw in raws:
        result = typed_result(raw, shapes)
        uids = _attribute(result, raw, prepared, owner, shapes)
        if not uids:
            log.warning("SHACL result on a node no question of the batch brought in: %s", result.one_line())
        for uid in uids:
            verdicts[uid].add(result)
    return {uid: sorted(results, key=lambda r: r.key()) for uid, results in verdicts.items()}


def _reads_serialized(engine: Engine, shapes: Shapes) -> bool:
    """Whether :func:`run_engine` takes data already serialised: the fast engine's one pass, no SPARQL apart."""
    return engine is Engine.FAST and (shapes.fast_plan or plan_fast(shapes.graph)).sparql_turtle is None


class _QuestionOwner:
    """Which question of the batch an IRI belongs to, read from the IRI itself (no scan of the data):
    ``{base}question/{uid}…`` and ``{base}graph/question/{uid}``; ``{base}source/{sha}`` by its graph."""

    def __init__(self, mint: Minter, questions: _Questions) -> None:
        self._questions = questions
        self._pattern = re.compile(re.escape(mint.base) + r"(?:graph/)?question/([^/]+)(?:/.*)?$")
        self._source = mint.base + "source/"
        self._sources: dict[str, str] | None = None

    def __call__(self, node: str) -> str | None:
        match = self._pattern.match(node)
        if match is not None:
            return match.group(1) if match.group(1) in self._questions.members else None
        if node.startswith(self._source):
            if self._sources is None:
                self._sources = {
                    quad.object.value: uid
                    for uid, quads in self._questions.items()
                    for quad in quads
                    if quad.predicate == _DERIVED_FROM and isinstance(quad.object, ox.NamedNode)
                }
            return self._sources.get(node)
        return None


_DERIVED_FROM = ox.NamedNode("http://www.w3.org/ns/prov#wasDerivedFrom")


def _prepare(
    questions: _Questions, context: JudgingContext | None, mint: Minter, cache: ContextCache
) -> _Batch:
    """The batch, plus the registry nodes its questions link to and what checking those needs."""
    prepared = _Batch(questions)
    linked: dict[ox.NamedNode, set[str]] = defaultdict(set)
    authors: dict[ox.NamedNode, set[str]] = defaultdict(set)
    expand_in_batch: dict[ox.NamedNode, list[ox.NamedNode]] = defaultdict(list)
    named: set[ox.NamedNode] = set()  # the group memberships the questions name
    for uid in questions.uids:
        for quad in questions.followed(uid):
            predicate = quad.predicate  # each read of a term makes a new object: once per quad
            if predicate not in FOLLOWED:
                continue
            target = quad.object
            if not isinstance(target, ox.NamedNode):
                continue
            if predicate in _LINKS:
                linked[target].add(uid)
                if predicate == _CREATOR:
                    authors[target].add(uid)
            elif predicate == _AUTHOR_GROUP_MEMBERSHIP:
                named.add(target)
            elif isinstance(source := quad.subject, ox.NamedNode):  # one of _EXPAND
                expand_in_batch[source].append(target)
    if context is None:
        return prepared
    described: dict[ox.NamedNode, list[ox.NamedNode]] = {}  # node → what checking it needs
    queue = [(node, uids, 0) for node, uids in linked.items()]
    acteurs = mint.registry_graph("acteurs")
    for membership, uids in _group_memberships(context, authors, cache).items():
        if membership in named:  # judged with the questions that name it
            queue.append((membership, uids, 1))
        else:  # only read, by hcsh:Question-author-member-on-date: its member and organe type
            read = cache.read_only.get(membership)
            if read is None:
                read = cache.read_only[membership] = _Described.of(
                    [
                        quad
                        for quad in context.describe(membership)
                        if quad.graph_name == acteurs and quad.predicate in (_ORG_MEMBER, _ORGANE_TYPE)
                    ]
                )
            prepared.add_context(read)
    while queue:
        node, uids, depth = queue.pop()
        pulled = prepared.pulled[node.value]
        if node in described and uids <= pulled:
            continue
        pulled.update(uids)
        if node not in described:
            known = cache.nodes.get(node)
            if known is None:
                known = cache.nodes[node] = _Described.of(context.describe(node))
            prepared.add_context(known)
            described[node] = [*known.leads_to, *expand_in_batch.get(node, ())]
        if depth < 2:  # what checking the node needs: from the registry, or from the batch (a new topic)
            queue.extend((target, uids, depth + 1) for target in described[node])
    return prepared


def _group_memberships(
    context: JudgingContext, authors: Mapping[ox.NamedNode, set[str]], cache: ContextCache
) -> dict[ox.NamedNode, set[str]]:
    """The authors' group memberships (typeOrgane GP), each with the uids of its member's questions.

    hcsh:Question-author-member-on-date reads them (``dcterms:creator/^org:member/hc:organeType``: does the
    registry give the author any GP membership?), and the one a question links (hc:authorGroupMembership) is
    among them. The context lists them once (the real registry: 4,171, with their member), for all the
    batches that share ``cache``; a batch looks up its authors' (a SPARQL query per author took 200 ms for
    1,159 authors)."""
    if cache.memberships is None:
        cache.memberships = defaultdict(list)
        for membership, member in context.group_memberships():
            cache.memberships[member].append(membership)
    found: dict[ox.NamedNode, set[str]] = defaultdict(set)
    for author, uids in authors.items():
        for membership in cache.memberships.get(author, ()):
            found[membership].update(uids)
    return found


def _attribute(
    result: ValidationResult,
    raw: RawResult,
    prepared: _Batch,
    owner: _QuestionOwner,
    shapes: Shapes,
) -> set[str]:
    """The uids of the batch a result belongs to (see :func:`judge_questions`)."""
    uid = owner(result.focus_node)
    if uid is not None:
        return {uid}
    if isinstance(raw.value, ox.NamedNode):
        uid = owner(raw.value.value)
        if uid is not None:
            return {uid}
    candidates = prepared.pulled.get(result.focus_node) or prepared.mentions().get(result.focus_node, set())
    info = shapes.info.get(result.source_shape)
    if info is None or info.path is None or not _starts_inverse(info.path):
        return set(candidates)
    narrowed = _narrow(info.path, raw, prepared.index(), owner)
    return narrowed & prepared.uids or set(candidates)


def _starts_inverse(path: ShapePath) -> bool:
    first = path.steps[0] if path.kind == "sequence" else path
    return first.kind == "inverse" and first.steps[0].kind == "predicate"


class _Index:
    """Subject and object indexes of the batch's data, to follow a path (built only when needed)."""

    def __init__(self, statements: Iterable[Statement]) -> None:
        self.forward: dict[tuple[str, str], set[_Node]] = defaultdict(set)
        self.backward: dict[tuple[str, str], set[_Node]] = defaultdict(set)
        for t in statements:
            self.forward[(str(t.subject), t.predicate.value)].add(t.object)
            self.backward[(str(t.object), t.predicate.value)].add(t.subject)

    def follow(self, nodes: set[_Node], path: ShapePath) -> set[_Node]:
        if path.kind == "predicate" and path.iri:
            iri = path.iri
            return {o for n in nodes for o in self.forward.get((str(n), iri), ())}
        if path.kind == "inverse" and path.steps[0].kind == "predicate" and path.steps[0].iri:
            iri = path.steps[0].iri
            return {s for n in nodes for s in self.backward.get((str(n), iri), ())}
        if path.kind == "sequence":
            for step in path.steps:
                nodes = self.follow(nodes, step)
            return nodes
        if path.kind == "alternative":
            return {o for step in path.steps for o in self.follow(nodes, step)}
        return set()


def _narrow(path: ShapePath, raw: RawResult, index: _Index, owner: _QuestionOwner) -> set[str]:
    """For a path ``^p/rest`` from a registry node: the questions that link the node by ``p`` and from which
    ``rest`` reaches the result's value (all of them when the result has no value)."""
    steps = path.steps if path.kind == "sequence" else (path,)
    first, rest = steps[0], ShapePath("sequence", steps=steps[1:])
    blamed: set[str] = set()
    for node in index.follow({raw.focus}, first):
        uid = owner(node_id(node))
        if uid is None:
            continue
        if raw.value is None or not rest.steps or raw.value in index.follow({node}, rest):
            blamed.add(uid)
    return blamed
