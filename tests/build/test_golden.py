"""The demo site's whole output equals the committed snapshot (tests/golden.py says how to
regenerate it after an intended change)."""

from __future__ import annotations

import difflib
from pathlib import Path

from golden import build_demo, committed, snapshot


def test_demo_output_equals_the_committed_snapshot(tmp_path: Path) -> None:
    out = tmp_path / "output"
    build_demo(out, tmp_path / "cache")
    texts, binaries = snapshot(out)
    want_texts, want_binaries = committed()
    hint = "if the change is intended: .venv/bin/python tests/golden.py, then review the diff"
    assert sorted(texts) == sorted(want_texts), hint
    assert binaries == want_binaries, hint
    for rel, want in want_texts.items():
        if texts[rel] != want:
            diff = "\n".join(list(difflib.unified_diff(
                want.splitlines(), texts[rel].splitlines(), f"golden/{rel}", f"built/{rel}",
                lineterm=""))[:60])
            raise AssertionError(f"{rel} differs from the snapshot ({hint}):\n{diff}")
