"""A deploy killed with SIGKILL at a random point (several seeds) leaves a folder in which
every page a reader can reach from the home page has all its links resolving, and running
the deploy again completes it."""

from __future__ import annotations

import json
import os
import random
import signal
import subprocess
import sys
import time
from collections.abc import Callable
from pathlib import Path

import pytest
from conftest import Result
from deploy_sites import broken_reachable, tree, write_site

REPO = Path(__file__).resolve().parents[2]
# Each write and delete takes 20 ms longer, so a kill lands inside the deploy; "writing" is
# printed when the first write (the journal) starts.
SLOW_DEPLOY = """
import sys, time
from sitegen.deploy.fs_target import FsTarget
write, remove = FsTarget._write, FsTarget.remove
def slow_write(self, rel, data, headers):
    if rel == ".sitegen-deploy.json":
        print("writing", flush=True)
    time.sleep(0.02)
    write(self, rel, data, headers)
def slow_remove(self, rel):
    time.sleep(0.02)
    remove(self, rel)
FsTarget._write, FsTarget.remove = slow_write, slow_remove
from sitegen.cli import main
sys.exit(main(sys.argv[1:]))
"""


@pytest.mark.parametrize("seed", [1, 2, 3, 4])
def test_killed_deploy_leaves_a_whole_site_and_reruns(run: Callable[..., Result],
                                                      tmp_path: Path, seed: int) -> None:
    site = write_site(tmp_path / "site", 1)
    www = tmp_path / "www"
    assert run("deploy", str(www), "--site", site, "--force").code == 0
    (www / "theirs.txt").write_text("someone else's", "utf-8")
    write_site(site, 2)
    env = {**os.environ, "PYTHONPATH": f"{REPO}{os.pathsep}{os.environ.get('PYTHONPATH', '')}"}
    proc = subprocess.Popen(
        [sys.executable, "-c", SLOW_DEPLOY, "deploy", str(www), "--site", str(site),
         "--force", "--workers", "2"], stdout=subprocess.PIPE, stderr=subprocess.PIPE,
        env=env, text=True)
    assert proc.stdout is not None
    for line in proc.stdout:  # the plan, then "writing"
        if line.strip() == "writing":
            break
    time.sleep(random.Random(seed).uniform(0.0, 0.3))
    proc.send_signal(signal.SIGKILL)
    proc.wait(timeout=30)
    assert broken_reachable(www) == []

    r = run("deploy", str(www), "--site", site, "--force")
    assert r.code == 0, r.err
    expected = {**tree(site / "output"), "theirs.txt": b"someone else's"}
    assert tree(www) == expected  # no temporary file left either
    assert broken_reachable(www) == []
    manifest = json.loads((www / ".sitegen-deploy.json").read_text("utf-8"))
    assert manifest["complete"] is True and "theirs.txt" not in manifest["files"]
