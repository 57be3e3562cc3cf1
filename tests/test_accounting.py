"""The accounting invariant, on generated batches that mix good and bad records (hypothesis).

Whatever the mix: every record read is either in the graph or quarantined (read = in graph + quarantined),
each good record lands and each bad one does not, the exit code is the worst outcome, and a good record's
facts are exactly those it has when built alone: no bad neighbour changes them.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from functools import cache
from pathlib import Path

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from kg.build.pipeline import BuildOptions, build
from kg.errors import ExitCode
from kg.store import EmbeddedStore
from tests.bad_inputs.harness import graph_lines, question_graph, scratch
from tests.bad_inputs.make import record, record_bytes, uid


def _xml(number: int) -> bytes:
    data = record(number)["question"]
    parts = (
        "".join(f"<{k}>{v}</{k}>" for k, v in (("uid", data["uid"]), ("type", "QE")))
        + f"<identifiant><numero>{number}</numero><legislature>15</legislature></identifiant>"
    )
    return (
        '<?xml version="1.0" encoding="UTF-8"?>\n<question>'
        + parts
        + "<auteur><identite><acteurRef>PA345722</acteurRef></identite></auteur>"
        "<textesQuestion><texteQuestion><infoJO><dateJO>2021-07-27</dateJO><pageJO>5991</pageJO></infoJO>"
        "<texte>&lt;p&gt;Texte en XML &amp; accents : é à ç.&lt;/p&gt;</texte></texteQuestion></textesQuestion>"
        "</question>\n"
    ).encode()


def _changed(number: int, change: Callable[[dict[str, object]], None]) -> bytes:
    data = record(number)
    change(data["question"])
    return json.dumps(data, ensure_ascii=False).encode()


def _answer_before_question(q: dict[str, object]) -> None:
    q["textesReponse"]["texteReponse"]["infoJO"]["dateJO"] = "2021-07-01"  # type: ignore[index]


def _bad_date(q: dict[str, object]) -> None:
    q["cloture"]["dateCloture"] = "31/02/2021"  # type: ignore[index]


def _mismatch(q: dict[str, object]) -> None:
    q["identifiant"]["legislature"] = "16"  # type: ignore[index]


#: kind → (file suffix, content for a number); the good ones land, the others are quarantined
GOOD: dict[str, Callable[[int], bytes]] = {
    "good-json": record_bytes,
    "good-xml": _xml,
    "good-odd": lambda n: record_bytes(n, "\u202eodd\u0000 text\r\n with \U0001f600 and RÃ©sumÃ©  "),
}
INPUT_BAD: dict[str, Callable[[int], bytes]] = {
    "truncated": lambda n: record_bytes(n)[:300],
    "bad-date": lambda n: _changed(n, _bad_date),
    "missing-uid": lambda n: _changed(n, lambda q: q.pop("uid")),
    "uid-mismatch": lambda n: _changed(n, _mismatch),
    "empty": lambda n: b"",
    "not-json": lambda n: b"\x00\x01 binary \xff\xfe",
}
SHAPES_BAD: dict[str, Callable[[int], bytes]] = {
    "answer-before-question": lambda n: _changed(n, _answer_before_question)
}
KINDS = sorted(GOOD) + sorted(INPUT_BAD) + sorted(SHAPES_BAD)


def _name(kind: str, number: int) -> str:
    return f"{uid(number)}.{'xml' if kind == 'good-xml' else 'json'}"


def _content(kind: str, number: int) -> bytes:
    return {**GOOD, **INPUT_BAD, **SHAPES_BAD}[kind](number)


@cache
def reference(kind: str, number: int) -> tuple[bytes, ...]:
    """The graph of a good record built alone (a record's graph depends on its content and file name)."""
    with scratch(Path("/tmp")) as folder:
        batch = folder / "alone"
        batch.mkdir(parents=True)
        (batch / _name(kind, number)).write_bytes(_content(kind, number))
        summary = build(BuildOptions(sources=[batch], store=folder / "store", quarantine=folder / "q.jsonl"))
        assert summary.in_graph == 1
        return tuple(
            graph_lines(EmbeddedStore(folder / "store", read_only=True).store, question_graph(uid(number)))
        )


batches = st.lists(st.sampled_from(KINDS), min_size=1, max_size=7).flatmap(
    lambda kinds: st.tuples(st.just(kinds), st.lists(st.integers(0, len(kinds) - 1), max_size=2))
)


@settings(max_examples=30, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(batch=batches)
def test_read_is_in_graph_plus_quarantined_and_good_records_do_not_change(
    batch: tuple[list[str], list[int]], tmp_path: Path
) -> None:
    kinds, duplicated = batch
    with scratch(tmp_path) as folder:
        sources = folder / "batch"
        sources.mkdir()
        good: list[tuple[str, int]] = []
        bad = 0
        shapes_bad = False
        for position, kind in enumerate(kinds):
            number = (
                200_000 + 10 * KINDS.index(kind) + position
            )  # stable per (kind, position): cached reference
            (sources / _name(kind, number)).write_bytes(_content(kind, number))
            if kind in GOOD:
                good.append((kind, number))
            else:
                bad += 1
                shapes_bad |= kind in SHAPES_BAD
        duplicates = 0
        for index in sorted(set(duplicated)):  # a second copy, different, of a good record, read after it
            if index < len(good):
                kind, number = good[index]
                copy = _changed(number, lambda q: q.update(type="QE", regime="copie différente"))
                (sources / f"zz-copy-{number}.json").write_bytes(copy)
                duplicates += 1

        summary = build(
            BuildOptions(sources=[sources], store=folder / "store", quarantine=folder / "q.jsonl")
        )

        assert summary.records_read == summary.in_graph + summary.quarantined
        assert summary.records_read == len(kinds) + duplicates
        assert summary.in_graph == len(good)
        assert summary.quarantined == bad + duplicates
        expected = (
            ExitCode.BAD_INPUT
            if duplicates or any(k in INPUT_BAD for k in kinds)
            else ExitCode.NOT_CONFORMING
            if shapes_bad
            else ExitCode.OK
        )
        assert summary.exit_code == expected
        lines = (folder / "q.jsonl").read_text(encoding="utf-8").splitlines()
        assert len({(e["file"], e["uid"], e["pointer"]) for e in map(json.loads, lines)}) == bad + duplicates
        store = EmbeddedStore(folder / "store", read_only=True).store
        for kind, number in good:
            assert tuple(graph_lines(store, question_graph(uid(number)))) == reference(kind, number), kind
