"""A new user's first minutes: the wheel installed plainly (``pip install hemicycle_kg-*.whl``, no extra) in a
fresh virtual environment brings the fast SHACL engine on this platform, and ``kg build`` / ``kg validate`` use
it without a word about pySHACL. Seen before: the plain install gave pySHACL only (the sample build took 34 s
instead of 2.5 s, ``kg validate`` 28 s, silent).

Slow (a venv and a real ``pip install`` from the package index, ~30 s): runs with KG_RUN_SLOW=1 (.ci/run)."""

from __future__ import annotations

import os
import subprocess
import sys
import venv
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent

pytestmark = [
    pytest.mark.slow,
    pytest.mark.skipif(not os.environ.get("KG_RUN_SLOW"), reason="a real pip install: KG_RUN_SLOW=1"),
    pytest.mark.timeout(900),
]


def test_plain_install_finds_the_fast_engine(tmp_path: Path) -> None:
    wheels = tmp_path / "wheels"
    subprocess.run(
        [sys.executable, "-m", "pip", "wheel", str(ROOT), "--no-deps", "--no-build-isolation", "-q", "-w", str(wheels)],
        check=True, capture_output=True,
    )  # fmt: skip
    (wheel,) = wheels.glob("hemicycle_kg-*.whl")
    env_dir = tmp_path / "venv"
    venv.EnvBuilder(with_pip=True).create(env_dir)
    bin_dir = env_dir / "bin"
    done = subprocess.run(
        [str(bin_dir / "pip"), "install", "-q", "--disable-pip-version-check", str(wheel)],
        capture_output=True, text=True, check=False,
    )  # fmt: skip
    assert done.returncode == 0, done.stderr[-3000:]

    env = {"PATH": f"{bin_dir}:/usr/bin:/bin", "HOME": str(tmp_path), "KG_CACHE_DIR": str(tmp_path / "cache")}
    probe = subprocess.run(
        [str(bin_dir / "python"), "-c", "from kg.validation.engines import build_engine; print(build_engine().value)"],
        capture_output=True, text=True, check=True, cwd=tmp_path, env=env,
    )  # fmt: skip
    assert probe.stdout.strip() == "fast"

    work = tmp_path / "work"
    work.mkdir()
    build = subprocess.run(
        [str(bin_dir / "kg"), "build", "-q"], capture_output=True, text=True, check=False, cwd=work, env=env
    )
    assert build.returncode == 0, build.stderr
    assert "pySHACL" not in build.stderr and "records read 38, in graph 38" in build.stderr
    check = subprocess.run(
        [str(bin_dir / "kg"), "validate", "--format", "json"], capture_output=True, text=True, check=False,
        cwd=work, env=env,
    )  # fmt: skip
    assert check.returncode == 0, check.stderr
    assert "pySHACL" not in check.stderr and '"engine":"fast"' in check.stdout.replace(" ", "")
    # python -m kg is the same command line
    version = subprocess.run(
        [str(bin_dir / "python"), "-m", "kg", "--version"], capture_output=True, text=True, cwd=work, env=env, check=False
    )  # fmt: skip
    assert version.returncode == 0 and version.stdout.startswith("hemicycle-kg ")
