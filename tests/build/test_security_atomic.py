"""Atomicity: `sitegen build` SIGKILLed at random moments leaves output/ as the previous
complete build or the new complete build, and the next build succeeds (the annotation
cache stays usable, leftover staging folders are removed).

Kill points are drawn from a seeded generator over the span of a full build; nothing here
asserts on wall time.
"""

from __future__ import annotations

import hashlib
import os
import random
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest
from conftest import REPO, article

from sitegen.build.write import exchange, remove_leftovers

SEED = 8
KILLS = 8
LIMIT = 120.0  # seconds a single build may take before the test gives up on it


def snapshot(folder: Path) -> dict[str, str]:
    """Relative path -> sha256 of every file (the write marker included)."""
    if not folder.is_dir():
        return {}
    return {p.relative_to(folder).as_posix(): hashlib.sha256(p.read_bytes()).hexdigest()
            for p in sorted(folder.rglob("*")) if p.is_file()}


def write_version(site: Path, version: str) -> None:
    content = site / "content"
    for old in content.glob("*.md"):
        old.unlink()
    count = 6 if version == "a" else 7
    for i in range(count):
        body = (f"Dmitry Peskov said on Monday that version {version} of story {i} is final. "
                f"\"We will not give up,\" Peskov said. The council of Rotterdam met. ") * 3
        (content / f"{version}{i}.md").write_text(
            article(f"Story {i} ({version})", body, date=f"2026-03-{i + 1:02d}",
                    tags=f"[t{i % 3}, {version}]"), "utf-8")


def run_build(site: Path) -> subprocess.Popen[bytes]:
    env = {**os.environ, "SITEGEN_NO_SEARCH": "1", "PYTHONPATH": str(REPO)}
    return subprocess.Popen([sys.executable, "-m", "sitegen", "build", "--site", str(site)],
                            stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, env=env)


def complete_build(site: Path) -> float:
    start = time.monotonic()
    proc = run_build(site)
    _, err = proc.communicate(timeout=LIMIT)
    assert proc.returncode == 0, err.decode()
    return time.monotonic() - start


def leftovers(site: Path) -> list[str]:
    return sorted(p.name for p in site.glob(".output.*"))


@pytest.mark.slow
def test_sigkill_at_random_points_keeps_a_complete_output(tmp_path: Path) -> None:
    site = tmp_path / "site"
    (site / "content").mkdir(parents=True)
    (site / "site.toml").write_text('title = "Kill"\n', "utf-8")
    (site / "content/entities.yaml").write_text(
        "- id: dmitry-peskov\n  name: Dmitry Peskov\n  type: person\n  aliases: [Peskov]\n",
        "utf-8")

    # The two complete outputs, each built once without interference.
    trees: dict[str, dict[str, str]] = {}
    spans: list[float] = []
    for version in ("b", "a"):
        write_version(site, version)
        spans.append(complete_build(site))
        trees[version] = snapshot(site / "output")
    assert trees["a"] != trees["b"]
    span = max(spans)

    rng = random.Random(SEED)
    current = "a"
    outcomes: list[str] = []
    for _ in range(KILLS):
        target = "b" if current == "a" else "a"
        write_version(site, target)
        # A fresh cache now and then, so kills also land in the model pass and in the
        # middle of writing the annotation cache.
        if rng.random() < 0.4:
            for db in (site / ".sitegen-cache").glob("*"):
                if db.is_file():
                    db.unlink()
        proc = run_build(site)
        time.sleep(rng.uniform(0.05, span * 1.1))
        proc.send_signal(signal.SIGKILL)
        proc.wait(timeout=LIMIT)
        now = snapshot(site / "output")
        assert now in (trees["a"], trees["b"]), "output/ is neither complete build"
        current = "a" if now == trees["a"] else "b"
        outcomes.append("new" if current == target else "old")
        if proc.returncode == 0:  # it finished before the kill
            assert current == target

    # The next build succeeds, removes what the killed ones left and gives the new output.
    complete_build(site)
    assert snapshot(site / "output") == trees[target]
    assert leftovers(site) == []
    print(f"kills: {len(outcomes)}, old output kept: {outcomes.count('old')}, "
          f"new output complete: {outcomes.count('new')}")


def test_leftover_staging_folders_are_removed_by_the_next_build(tmp_path: Path) -> None:
    output = tmp_path / "output"
    output.mkdir()
    dead = subprocess.Popen([sys.executable, "-c", "pass"])
    dead.wait()
    stale = [tmp_path / f".output.tmp-{dead.pid}", tmp_path / f".output.old-{dead.pid}"]
    live = tmp_path / f".output.tmp-{os.getppid()}"  # a build that still runs
    for folder in (*stale, live):
        (folder / "x").mkdir(parents=True)
    removed = remove_leftovers(output)
    assert sorted(removed) == sorted(stale)
    assert live.is_dir() and not any(p.exists() for p in stale)


def test_exchange_swaps_two_folders(tmp_path: Path) -> None:
    a, b = tmp_path / "a", tmp_path / "b"
    a.mkdir()
    b.mkdir()
    (a / "from-a").touch()
    (b / "from-b").touch()
    if not exchange(a, b):
        pytest.skip("no atomic exchange on this system")
    assert (a / "from-b").exists() and (b / "from-a").exists()
