"""`sitegen deploy` of a really built site: it refuses a site whose link check fails or whose
sources changed since the build, and a one-article edit sends only the pages that changed."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

from conftest import Result, article
from deploy_sites import broken_reachable, tree

Run = Callable[..., Result]


def test_deploy_a_built_site(run: Run, make_site: Callable[..., Path], tmp_path: Path) -> None:
    site = make_site({
        "a.md": article("Flood barrier approved", "The council approved the barrier."),
        "b.md": article("Harbour reopens", "See [the plan](../../nowhere/).",
                        date="2026-03-02"),
        "c.md": article("Rail strike ends", "Trains run again on Monday.",
                        date="2026-03-03"),
    }, config='[deploy.production]\nurl = "../www"\n')
    www = tmp_path / "www"
    assert run("build", "--site", site).code == 0

    r = run("deploy", "--site", site)  # b.md links to a page that does not exist
    assert r.code == 1
    assert "broken links" in r.err and "nowhere" in r.err and "--force" in r.err
    assert not www.exists()
    r = run("deploy", str(tmp_path / "www2"), "--site", site, "--no-check")
    assert r.code == 0, r.err  # CI that ran 'sitegen check' itself

    b = site / "content" / "b.md"
    b.write_text(article("Harbour reopens", "Ships are back.", date="2026-03-02"), "utf-8")
    r = run("deploy", "--site", site)
    assert r.code == 1 and "out of date: content/b.md changed" in r.err
    assert not www.exists()

    assert run("build", "--site", site).code == 0
    r = run("deploy", "--site", site)
    assert r.code == 0, r.err
    total = len(tree(site / "output"))
    assert f"uploaded {total} files" in r.out
    assert tree(www) == tree(site / "output")
    assert broken_reachable(www) == []

    r = run("deploy", "--site", site)
    assert r.code == 0 and "(0 files sent)" in r.out

    before = tree(site / "output")
    c = site / "content" / "c.md"
    c.write_text(article("Rail strike ends", "Trains run again on Tuesday.",
                         date="2026-03-03"), "utf-8")
    assert run("build", "--site", site).code == 0
    after = tree(site / "output")
    changed = {rel for rel in after if before.get(rel) != after[rel]}
    assert 0 < len(changed) < total
    r = run("deploy", "--site", site)
    assert r.code == 0, r.err
    assert f"uploaded {len(changed)} files" in r.out
    assert tree(www) == after

    b.unlink()
    assert run("build", "--site", site).code == 0
    gone = set(after) - set(tree(site / "output"))
    assert "2026/03/b/index.html" in gone, gone
    r = run("deploy", "--site", site, "--yes")
    assert r.code == 0, r.err
    assert f"deleted {len(gone)} files" in r.out
    assert tree(www) == tree(site / "output")
