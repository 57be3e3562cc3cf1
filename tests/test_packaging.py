"""`pip install .` (not editable) must work: the wheel carries ontology/, shapes/, queries/ and the sample."""

from __future__ import annotations

import subprocess
import sys
import zipfile
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent


@pytest.fixture(scope="module")
def wheel(tmp_path_factory: pytest.TempPathFactory) -> Path:
    out = tmp_path_factory.mktemp("wheel")
    subprocess.run(
        [
            sys.executable,
            "-m",
            "pip",
            "wheel",
            str(ROOT),
            "--no-deps",
            "--no-build-isolation",
            "-q",
            "-w",
            str(out),
        ],
        check=True,
        capture_output=True,
    )
    (built,) = out.glob("hemicycle_kg-*.whl")
    return built


def test_wheel_carries_the_data(wheel: Path) -> None:
    names = set(zipfile.ZipFile(wheel).namelist())
    assert "kg/_resources/ontology/hemicycle.ttl" in names
    assert "kg/py.typed" in names
    for folder in ("shapes", "queries"):
        shipped = {n for n in names if n.startswith(f"kg/_resources/{folder}/")}
        on_disk = {f"kg/_resources/{folder}/{p.relative_to(ROOT / folder).as_posix()}"
                   for p in (ROOT / folder).rglob("*") if p.is_file()}  # fmt: skip
        assert on_disk <= shipped, f"{folder}/ files missing from the wheel: {on_disk - shipped}"
    sample = {n for n in names if n.startswith("kg/data/sample/questions/")}
    assert len(sample) >= 30


def test_installed_copy_finds_its_resources(wheel: Path, tmp_path: Path) -> None:
    site = tmp_path / "site"
    zipfile.ZipFile(wheel).extractall(site)
    code = (
        "import kg.resources as r, pathlib;"
        "print(r.resource_dir('ontology')); print(r.ontology_file().is_file()); print(r.SAMPLE_QUESTIONS.is_dir())"
    )
    done = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, check=True, cwd=tmp_path,
        env={"PYTHONPATH": str(site), "PATH": "/usr/bin:/bin"},
    )  # fmt: skip
    lines = done.stdout.split()
    assert lines[0].startswith(str(site)) and "_resources" in lines[0]
    assert lines[1:] == ["True", "True"]


def test_kg_check_passes_from_the_installed_wheel(wheel: Path, tmp_path: Path) -> None:
    """The shapes' fixtures ship beside the shapes, so every self-check runs installed, far from a checkout."""
    names = set(zipfile.ZipFile(wheel).namelist())
    assert "kg/_resources/shapes/fixtures/manifest.toml" in names
    site = tmp_path / "site"
    zipfile.ZipFile(wheel).extractall(site)
    done = subprocess.run(
        [sys.executable, "-m", "kg", "check"],
        capture_output=True,
        text=True,
        cwd=tmp_path,
        env={"PYTHONPATH": str(site), "PATH": "/usr/bin:/bin"},
        timeout=600,
    )
    assert done.returncode == 0, done.stdout + done.stderr
    said = " ".join((done.stdout + done.stderr).split())
    assert "all checks pass, 0 warnings" in said, said  # without its fixtures, the check warns
    assert "fixtures" in said
