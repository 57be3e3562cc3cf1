"""kg fetch against a real HTTP server on loopback serving a mirror of the portal (tests/mirror.py).

The mirror's archives have the inner layout of the real ones and hold synthetic questions (bench/corpus.py on
the bundled sample registry); the server speaks ETag, Last-Modified and Range, or none of them, and injects
faults: a connection cut mid-body, 503s, a truncated zip, an HTML page served with 200, 404s.
"""

from __future__ import annotations

import hashlib
import os
import subprocess
import sys
import zipfile
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import orjson
import pytest

from kg.errors import ExitCode, InputError
from kg.fetch.command import FetchOptions, FetchSummary, run_fetch
from kg.fetch.download import check_zip
from kg.fetch.http import RetryPolicy
from kg.fetch.manifest import BusyError, held
from kg.fetch.portal import Portal
from tests.mirror import Mirror, generate, publish

REPO = Path(__file__).resolve().parent.parent
FAST = RetryPolicy(attempts=3, backoff=0.0, connect_timeout=5.0, read_timeout=5.0)
QE17 = "17/questions/questions_ecrites/Questions_ecrites.json.zip"
QE15 = "15/questions/questions_ecrites/Questions_ecrites_XV.json.zip"
QE14 = "14/questions/questions_ecrites/Questions_ecrites_XIV.json.zip"
AMO = "17/amo/tous_acteurs_mandats_organes_xi_legislature/AMO30_tous_acteurs_tous_mandats_tous_organes_historique.json.zip"


@pytest.fixture(scope="module")
def records() -> list[dict[str, Any]]:
    return generate(240, seed=3)


@pytest.fixture()
def portal() -> Portal:
    return Portal.load()


@pytest.fixture()
def mirror(tmp_path: Path, records: list[dict[str, Any]], portal: Portal) -> Iterator[Mirror]:
    root = tmp_path / "portal"
    publish(root, records, portal)
    with Mirror(root, portal) as server:
        yield server


def fetch(mirror: Mirror, dest: Path, **kwargs: Any) -> FetchSummary:
    options = FetchOptions(
        **{"legislature": "all", "dest": dest, "portal": mirror.url, "policy": FAST, **kwargs}
    )
    return run_fetch(options, sleep=lambda seconds: None)


def by_key(summary: FetchSummary) -> dict[str, Any]:
    return {result.archive.key: result for result in summary.results}


def downloads(mirror: Mirror, path: str) -> list[Any]:
    """Requests for ``path`` other than the four-byte discovery probes."""
    return [hit for hit in mirror.requests() if hit.path == path and hit.headers.get("Range") != "bytes=0-3"]


def later(records: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """A new version of the written questions of the 15th and 17th legislatures: their last one is gone."""
    gone = {
        max(i for i, r in enumerate(records) if r["uid"].startswith(f"QANR5L{leg}QE")) for leg in (15, 17)
    }
    return [r for i, r in enumerate(records) if i not in gone]


def stamps(dest: Path) -> dict[str, tuple[int, int]]:
    return {
        p.relative_to(dest).as_posix(): (p.stat().st_ino, p.stat().st_mtime_ns) for p in dest.rglob("*.zip")
    }


# ------------------------------------------------------------------ names


def test_archive_names_are_the_portals(portal: Portal) -> None:
    """The names public download scripts use (kg/data/portal.toml says where they come from)."""
    base = "https://data.assemblee-nationale.fr/static/openData/repository/"
    assert (
        portal.archive("qe", 14, "xml").url
        == base + "14/questions/questions_ecrites/Questions_ecrites_XIV.xml.zip"
    )
    assert portal.archive("qe", 15, "json").url == base + QE15
    assert (
        portal.archive("qe", 16, "json").url
        == base + "16/questions/questions_ecrites/Questions_ecrites.json.zip"
    )
    assert portal.archive("qg", 15, "json").path == (
        "15/questions/questions_gouvernement/Questions_gouvernement_XV.json.zip"
    )
    assert portal.archive("qosd", 17, "xml").path == (
        "17/questions/questions_orales_sans_debat/Questions_orales_sans_debat.xml.zip"
    )
    assert portal.archive("registry", 17, "json").path == AMO
    # the 18th and later follow the rule from the 16th on
    assert (
        portal.archive("qe", 18, "json").path == "18/questions/questions_ecrites/Questions_ecrites.json.zip"
    )


def test_the_mirror_has_the_real_inner_layouts(mirror: Mirror) -> None:
    with zipfile.ZipFile(mirror.root / QE14) as archive:
        assert archive.namelist() == ["Questions_ecrites_XIV.json"]
    with zipfile.ZipFile(mirror.root / QE15) as archive:
        names = archive.namelist()
        assert names and all(n.startswith("json/QANR5L15QE") and n.endswith(".json") for n in names)
    with zipfile.ZipFile(mirror.root / QE15.replace(".json.zip", ".xml.zip")) as archive:
        assert all(n.startswith("xml/QANR5L15QE") for n in archive.namelist())
    with zipfile.ZipFile(mirror.root / AMO) as archive:
        folders = {n.rsplit("/", 1)[0] for n in archive.namelist()}
        assert folders == {"json/acteur", "json/organe"}


# ------------------------------------------------------------------ first fetch, no-change rerun


def test_first_fetch_downloads_every_archive_once(mirror: Mirror, tmp_path: Path) -> None:
    dest = tmp_path / "data"
    summary = fetch(mirror, dest)
    assert summary.current == 17 and summary.legislatures == [14, 15, 16, 17]
    assert summary.exit_code == ExitCode.OK
    results = by_key(summary)
    assert len(results) == 4 * 3 + 1 and QE14 in results and AMO in results
    assert {r.status for r in results.values()} == {"new"}
    manifest = orjson.loads((dest / "fetch.json").read_bytes())["archives"]
    assert set(manifest) == set(results)
    for key, entry in manifest.items():
        local = (dest / key).read_bytes()
        assert local == (mirror.root / key).read_bytes()
        assert len(downloads(mirror, key)) == 1
        assert entry["sha256"] == hashlib.sha256(local).hexdigest()
        assert entry["size"] == len(local)
        assert entry["url"] == f"{mirror.url}/static/openData/repository/{key}"
        assert entry["etag"] and entry["last_modified"]
    assert all(hit.headers["User-Agent"].startswith("hemicycle-kg/") for hit in mirror.requests())
    assert not list(dest.rglob("*.part*"))


def test_a_second_run_downloads_nothing(mirror: Mirror, tmp_path: Path) -> None:
    dest = tmp_path / "data"
    fetch(mirror, dest)
    before, manifest = stamps(dest), (dest / "fetch.json").read_bytes()
    mirror.clear()
    summary = fetch(mirror, dest)
    assert {r.status for r in summary.results} == {"not-modified"}
    assert sum(r.received for r in summary.results) == 0
    assert stamps(dest) == before  # nothing rewritten
    assert (dest / "fetch.json").read_bytes() == manifest
    assert {hit.status for hit in mirror.requests() if hit.headers.get("Range") != "bytes=0-3"} == {304}


def test_a_republished_archive_is_fetched_again(
    mirror: Mirror, tmp_path: Path, records: list[dict[str, Any]], portal: Portal
) -> None:
    dest = tmp_path / "data"
    fetch(mirror, dest, legislature="17", what="qe")
    publish(mirror.root, later(records), portal)
    summary = fetch(mirror, dest, legislature="17", what="qe")
    assert [r.status for r in summary.results] == ["updated"]
    assert (dest / QE17).read_bytes() == (mirror.root / QE17).read_bytes()


def test_a_server_without_etag_or_ranges_still_works(
    mirror: Mirror, tmp_path: Path, records: list[dict[str, Any]], portal: Portal
) -> None:
    mirror.validators = mirror.ranges = False
    dest = tmp_path / "data"
    assert {r.status for r in fetch(mirror, dest).results} == {"new"}
    before = stamps(dest)
    second = fetch(mirror, dest)
    assert {r.status for r in second.results} == {"same-content"}  # downloaded again, compared by hash
    assert stamps(dest) == before
    manifest = orjson.loads((dest / "fetch.json").read_bytes())["archives"]
    assert manifest[QE17]["etag"] is None and manifest[QE17]["last_modified"] is None
    publish(mirror.root, later(records), portal)
    third = by_key(fetch(mirror, dest, legislature="17", what="qe"))
    assert third[QE17].status == "updated"


# ------------------------------------------------------------------ faults


def test_a_cut_connection_resumes_where_it_stopped(mirror: Mirror, tmp_path: Path) -> None:
    mirror.faults[QE15] = ["cut"]
    dest = tmp_path / "data"
    result = by_key(fetch(mirror, dest, legislature="15", what="qe"))[QE15]
    assert result.status == "new" and result.attempts == 2
    size = (mirror.root / QE15).stat().st_size
    assert 0 < result.resumed_from < size
    first, second = downloads(mirror, QE15)
    assert first.sent == size // 2
    assert second.status == 206 and second.headers["Range"] == f"bytes={result.resumed_from}-"
    assert second.headers["If-Range"]  # the rest of the same version, or all of a new one
    assert (dest / QE15).read_bytes() == (mirror.root / QE15).read_bytes()
    assert not list(dest.rglob("*.part*"))


def test_a_cut_without_range_support_starts_again(mirror: Mirror, tmp_path: Path) -> None:
    mirror.ranges = False
    mirror.faults[QE15] = ["cut"]
    dest = tmp_path / "data"
    result = by_key(fetch(mirror, dest, legislature="15", what="qe"))[QE15]
    assert result.status == "new" and result.resumed_from == 0
    assert [hit.status for hit in downloads(mirror, QE15)] == [200, 200]
    assert (dest / QE15).read_bytes() == (mirror.root / QE15).read_bytes()


def test_503_then_success(mirror: Mirror, tmp_path: Path) -> None:
    mirror.faults[QE15] = ["503", "503"]
    result = by_key(fetch(mirror, tmp_path / "data", legislature="15", what="qe"))[QE15]
    assert result.status == "new" and result.attempts == 3


def test_503_for_ever_fails_with_exit_3_and_the_others_go_on(mirror: Mirror, tmp_path: Path) -> None:
    mirror.faults[QE15] = ["503"] * FAST.attempts
    summary = fetch(mirror, tmp_path / "data", legislature="15", what="questions")
    results = by_key(summary)
    assert results[QE15].status == "failed" and "HTTP 503" in str(results[QE15].error)
    assert summary.exit_code == ExitCode.ENDPOINT
    assert sorted(r.status for r in summary.results) == ["failed", "new", "new"]
    assert not (tmp_path / "data" / QE15).exists()


@pytest.mark.parametrize("fault", ["truncate", "html"])
def test_a_corrupt_download_never_replaces_a_good_copy(
    fault: str, mirror: Mirror, tmp_path: Path, records: list[dict[str, Any]], portal: Portal
) -> None:
    dest = tmp_path / "data"
    fetch(mirror, dest, legislature="15", what="qe")
    good, manifest = (dest / QE15).read_bytes(), (dest / "fetch.json").read_bytes()
    publish(mirror.root, later(records), portal)  # a new version, which arrives broken every time
    mirror.faults[QE15] = [fault] * FAST.attempts
    summary = fetch(mirror, dest, legislature="15", what="qe")
    result = by_key(summary)[QE15]
    assert result.status == "failed" and summary.exit_code == ExitCode.ENDPOINT
    assert ("HTML page" if fault == "html" else "zip") in str(result.error)
    assert (dest / QE15).read_bytes() == good
    assert (dest / "fetch.json").read_bytes() == manifest
    assert check_zip(dest / QE15) is None
    assert not list(dest.rglob("*.part*"))
    # once the portal serves it whole again, it lands (an HTML page is not retried: faults are left)
    assert len(mirror.faults[QE15]) == (FAST.attempts - 1 if fault == "html" else 0)
    mirror.faults.clear()
    assert by_key(fetch(mirror, dest, legislature="15", what="qe"))[QE15].status == "updated"


def test_a_404_is_not_retried(mirror: Mirror, tmp_path: Path) -> None:
    qosd = "15/questions/questions_orales_sans_debat/Questions_orales_sans_debat_XV.json.zip"
    mirror.faults[qosd] = ["404"]
    summary = fetch(mirror, tmp_path / "data", legislature="15", what="questions")
    result = by_key(summary)[qosd]
    assert result.status == "failed" and result.attempts == 1
    assert str(result.error).endswith("HTTP 404, not on the portal")
    assert summary.exit_code == ExitCode.ENDPOINT
    assert sorted(r.status for r in summary.results) == ["failed", "new", "new"]


def test_a_truncated_zip_then_a_good_one(mirror: Mirror, tmp_path: Path) -> None:
    mirror.faults[QE15] = ["truncate"]
    result = by_key(fetch(mirror, tmp_path / "data", legislature="15", what="qe"))[QE15]
    assert result.status == "new" and result.attempts == 2
    assert check_zip(tmp_path / "data" / QE15) is None


# ------------------------------------------------------------------ legislatures


def test_the_current_legislature_is_discovered(
    mirror: Mirror, tmp_path: Path, records: list[dict[str, Any]], portal: Portal
) -> None:
    mirror.html_legislatures = {19}  # the 19th answers with an HTML page, the 20th with a 404
    assert fetch(mirror, tmp_path / "a", legislature="current", what="qe").current == 17
    eighteenth = [
        {**r, "identifiant": {**r["identifiant"], "legislature": "18"}, "uid": r["uid"].replace("L17", "L18")}
        for r in records
        if r["identifiant"]["legislature"] == "17"
    ]
    publish(mirror.root, eighteenth, portal, current=18)
    summary = fetch(mirror, tmp_path / "b", legislature="current")
    assert summary.current == 18 and summary.legislatures == [18]
    keys = set(by_key(summary))
    assert "18/questions/questions_ecrites/Questions_ecrites.json.zip" in keys
    assert AMO.replace("17/", "18/", 1) in keys  # the registry of the current legislature
    all_legs = fetch(mirror, tmp_path / "c", legislature="all", what="qe")
    assert all_legs.legislatures == [14, 15, 16, 17, 18]


@pytest.mark.parametrize("answer", ["404", "html"])
def test_a_legislature_that_does_not_exist_is_bad_usage(answer: str, mirror: Mirror, tmp_path: Path) -> None:
    if answer == "html":
        mirror.html_legislatures = {18, 19}
    with pytest.raises(InputError, match=r"legislature 19 has no question archives .* 14 to 17"):
        fetch(mirror, tmp_path / "data", legislature="19")
    with pytest.raises(InputError, match="legislature 13"):
        fetch(mirror, tmp_path / "data", legislature="13")
    assert not (tmp_path / "data").exists()


def test_a_portal_that_is_not_one_fails_with_exit_3(tmp_path: Path, portal: Portal) -> None:
    empty = tmp_path / "empty"
    empty.mkdir()
    with Mirror(empty, portal) as server, pytest.raises(Exception, match="not a zip archive") as raised:
        fetch(server, tmp_path / "data")
    assert getattr(raised.value, "exit_code", None) == ExitCode.ENDPOINT


# ------------------------------------------------------------------ dry run, lock


def test_dry_run_says_what_and_why_and_writes_nothing(mirror: Mirror, tmp_path: Path) -> None:
    dest = tmp_path / "data"
    plans = fetch(mirror, dest, legislature="17", what="qe", dry_run=True).plans
    assert [(p.archive.key, p.action, p.reason) for p in plans] == [(QE17, "download", "not downloaded yet")]
    assert not dest.exists()
    fetch(mirror, dest, legislature="17", what="questions")
    part = dest / (QE17 + ".part")
    (dest / QE17).unlink()
    part.write_bytes(b"PK\x03\x04")
    (dest / (QE17 + ".part.json")).write_bytes(
        orjson.dumps({"url": f"{mirror.url}/static/openData/repository/{QE17}", "etag": '"x"'})
    )
    before = stamps(dest)
    plans = fetch(mirror, dest, legislature="17", what="questions", dry_run=True).plans
    actions = {p.archive.key: (p.action, p.reason) for p in plans}
    assert actions[QE17] == ("resume", "a partial download of 4 bytes is there: ask for the rest")
    assert {a for k, (a, _) in actions.items() if k != QE17} == {"ask"}
    assert (
        "ETag and Last-Modified"
        in actions[
            QE17.replace(
                "questions_ecrites/Questions_ecrites", "questions_gouvernement/Questions_gouvernement"
            )
        ][1]
    )
    assert stamps(dest) == before


def test_a_second_fetch_into_the_same_folder_is_busy(tmp_path: Path, mirror: Mirror) -> None:
    dest = tmp_path / "data"
    with held(dest / ".fetch.lock", "test"), pytest.raises(BusyError, match=r"\.fetch\.lock is held by pid"):
        fetch(mirror, dest, legislature="17", what="qe")
    assert BusyError("x").exit_code == 4


# ------------------------------------------------------------------ the command


def run_kg(*args: str, cwd: Path) -> subprocess.CompletedProcess[str]:
    env = {**os.environ, "COLUMNS": "200", "PYTHONPATH": str(REPO)}
    return subprocess.run(
        [sys.executable, "-m", "kg.cli", *args], cwd=cwd, env=env, capture_output=True, text=True, timeout=120
    )


def test_the_command(mirror: Mirror, tmp_path: Path) -> None:
    dest = tmp_path / "data"
    common = ["--portal", mirror.url, "--dest", str(dest), "--legislature", "15", "--what", "qe", "-q"]
    first = run_kg("fetch", *common, cwd=tmp_path)
    assert first.returncode == 0, first.stderr
    assert f"{QE15}: new" in first.stderr
    assert "legislatures 15 (current 17): new 1" in first.stderr
    second = run_kg("fetch", *common, cwd=tmp_path)
    assert f"{QE15}: unchanged (304)" in second.stderr and second.returncode == 0
    dry = run_kg("fetch", *common, "--dry-run", cwd=tmp_path)
    assert "ask" in dry.stderr and "dry run" in dry.stderr
    mirror.faults[QE15] = ["html"]
    (dest / QE15).unlink()
    failed = run_kg("fetch", *common, cwd=tmp_path)
    assert failed.returncode == 3 and "an HTML page" in failed.stderr
    bad = run_kg("fetch", *common[:4], "--legislature", "19", cwd=tmp_path)
    assert bad.returncode == 2
    assert bad.stderr.strip().splitlines()[-1].startswith("error: --legislature: legislature 19")
    with held(dest / ".fetch.lock", "test"):
        busy = run_kg("fetch", *common, cwd=tmp_path)
    assert busy.returncode == 4 and len(busy.stderr.strip().splitlines()) == 1
    assert ".fetch.lock is held by pid" in busy.stderr


def test_backoff_doubles_and_honours_a_reasonable_retry_after() -> None:
    policy = RetryPolicy(backoff=2.0, max_backoff=60.0)
    assert [policy.delay(n) for n in (1, 2, 3, 7)] == [2.0, 4.0, 8.0, 60.0]
    assert policy.delay(1, "30") == 30.0
    assert policy.delay(1, "3600") == 2.0  # longer than we wait: ignored
    assert policy.delay(1, "Wed, 21 Oct 2015 07:28:00 GMT") == 2.0  # a date in the past


def test_a_data_folder_that_cannot_be_written_is_one_line(mirror: Mirror, tmp_path: Path) -> None:
    blocked = tmp_path / "file"
    blocked.write_text("not a folder")
    with pytest.raises(InputError, match="cannot write the archives") as caught:
        fetch(mirror, blocked / "data", legislature="17", what="qe")
    assert caught.value.exit_code == ExitCode.BAD_INPUT and "\n" not in str(caught.value)
