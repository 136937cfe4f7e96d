"""`sitegen deploy` to folders and fsspec's memory filesystem: only changed files are sent,
deletes touch only sitegen's files, the order keeps every reachable page whole, and an
interrupted deploy's re-run finishes it. Sites are stand-ins (tests/deploy_sites.py)."""

from __future__ import annotations

import json
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from conftest import Result
from deploy_sites import broken_reachable, tree, write_site

from sitegen.config.deploy import redact, scrub
from sitegen.deploy.files import kind, phase
from sitegen.deploy.fs_target import FsTarget

Run = Callable[..., Result]


def deploy(run: Run, site: Path, target: str | Path, *extra: str) -> Result:
    return run("deploy", str(target), "--site", site, "--force", *extra)


def test_dry_run_changes_nothing(run: Run, tmp_path: Path) -> None:
    site = write_site(tmp_path / "site", 1)
    www = tmp_path / "www"
    www.mkdir()
    (www / "other.txt").write_text("not ours", "utf-8")
    before = tree(www, ())
    r = deploy(run, site, www, "--dry-run")
    assert r.code == 0, r.err
    assert "plan: 37 new, 0 changed" in r.out
    assert "  + a00/index.html" in r.out and "  + index.html" in r.out
    assert tree(www, ()) == before


def test_first_deploy_then_nothing_then_one_file(run: Run, tmp_path: Path) -> None:
    site = write_site(tmp_path / "site", 1)
    www = tmp_path / "www"
    r = deploy(run, site, www)
    assert r.code == 0, r.err
    assert "uploaded 37 files" in r.out
    assert tree(www) == tree(site / "output")
    mtimes = {p: p.stat().st_mtime_ns for p in www.rglob("*")}
    r = deploy(run, site, www)
    assert r.code == 0 and "(0 files sent)" in r.out
    assert {p: p.stat().st_mtime_ns for p in www.rglob("*")} == mtimes
    (site / "output" / "a07" / "index.html").write_text("<h1>Edited</h1>\n", "utf-8")
    r = deploy(run, site, www)
    assert "plan: 0 new, 1 changed" in r.out and "uploaded 1 files" in r.out
    assert (www / "a07" / "index.html").read_text("utf-8") == "<h1>Edited</h1>\n"
    manifest = json.loads((www / ".sitegen-deploy.json").read_text("utf-8"))
    assert manifest["complete"] is True and len(manifest["files"]) == 37


def test_new_version_deletes_only_sitegen_files(run: Run, tmp_path: Path) -> None:
    site = write_site(tmp_path / "site", 1)
    www = tmp_path / "www"
    assert deploy(run, site, www).code == 0
    (www / "someone-else.txt").write_text("keep me", "utf-8")
    (www / "a00" / "notes.txt").write_text("keep me too", "utf-8")
    write_site(site, 2)
    r = deploy(run, site, www, "--no-delete")
    assert r.code == 0, r.err
    assert "11 new" in r.out and "5 old kept (--no-delete)" in r.out
    assert (www / "a00" / "index.html").is_file()
    r = deploy(run, site, www)  # delete is the default: the five old pages go now
    assert r.code == 0, r.err
    assert "0 new, 0 changed" in r.out and "deleted 5 files" in r.out
    expected = tree(site / "output")
    expected.update({"someone-else.txt": b"keep me", "a00/notes.txt": b"keep me too"})
    assert tree(www) == expected
    assert not (www / "a01").exists() and (www / "a00").is_dir()  # emptied folders go


def test_deleting_a_large_share_needs_yes(run: Run, tmp_path: Path) -> None:
    site = write_site(tmp_path / "site", 1)
    www = tmp_path / "www"
    assert deploy(run, site, www).code == 0
    for rel in [f"a{i:02d}/index.html" for i in range(20)]:
        (site / "output" / rel).unlink()
    before = tree(www)
    r = deploy(run, site, www)
    assert r.code == 1
    assert "deletes 20 of the 37 files" in r.err and "--yes" in r.err
    assert tree(www) == before
    r = deploy(run, site, www, "--yes")
    assert r.code == 0 and "deleted 20 files" in r.out


def test_upload_order_keeps_reachable_pages_whole(run: Run, tmp_path: Path,
                                                  monkeypatch: pytest.MonkeyPatch) -> None:
    site = write_site(tmp_path / "site", 1)
    www = tmp_path / "www"
    assert deploy(run, site, www).code == 0
    write_site(site, 2)
    order: list[str] = []
    broken: list[str] = []
    put, remove = FsTarget._write, FsTarget.remove

    def spy_write(self: FsTarget, rel: str, data: bytes, headers: dict[str, Any]) -> None:
        put(self, rel, data, headers)
        order.append("+" + rel)
        broken.extend(broken_reachable(www))

    def spy_remove(self: FsTarget, rel: str) -> None:
        remove(self, rel)
        order.append("-" + rel)
        broken.extend(broken_reachable(www))

    monkeypatch.setattr(FsTarget, "_write", spy_write)
    monkeypatch.setattr(FsTarget, "remove", spy_remove)
    r = deploy(run, site, www, "--workers", "1")
    assert r.code == 0, r.err
    assert broken == []
    sent = [o[1:] for o in order if o.startswith("+") and o != "+.sitegen-deploy.json"]
    phases = [phase(rel, rel.startswith(("a3", "img/new"))) for rel in sent]
    assert phases == sorted(phases)
    assert sent[-2:] == ["feed.xml", "index.html"]
    first_delete = next(i for i, o in enumerate(order) if o.startswith("-"))
    assert all(o.startswith("-") for o in order[first_delete:-1])
    assert order[0] == order[-1] == "+.sitegen-deploy.json"  # journal first, complete last


def test_interrupted_deploy_is_finished_by_the_next(run: Run, tmp_path: Path,
                                                    monkeypatch: pytest.MonkeyPatch) -> None:
    site = write_site(tmp_path / "site", 1)
    www = tmp_path / "www"
    assert deploy(run, site, www).code == 0
    write_site(site, 2)
    put = FsTarget._write
    calls = {"n": 0}

    def dying_write(self: FsTarget, rel: str, data: bytes, headers: dict[str, Any]) -> None:
        calls["n"] += 1
        if calls["n"] == 8:
            raise KeyboardInterrupt
        put(self, rel, data, headers)

    monkeypatch.setattr(FsTarget, "_write", dying_write)
    r = deploy(run, site, www, "--workers", "1")
    assert r.code == 130
    assert broken_reachable(www) == []
    manifest = json.loads((www / ".sitegen-deploy.json").read_text("utf-8"))
    assert manifest["complete"] is False
    monkeypatch.setattr(FsTarget, "_write", put)
    r = deploy(run, site, www)
    assert r.code == 0, r.err
    assert "interrupted" in r.out
    assert tree(www) == tree(site / "output")
    assert broken_reachable(www) == []
    assert deploy(run, site, www).out.count("0 files sent") == 1


def test_memory_filesystem_target(run: Run, tmp_path: Path) -> None:
    import fsspec

    site = write_site(tmp_path / "site", 1)
    url = f"memory://deploy-test-{tmp_path.name}/news"
    r = deploy(run, site, url)
    assert r.code == 0 and "uploaded 37 files" in r.out, r.err
    fs = fsspec.filesystem("memory")
    assert fs.cat_file(f"/deploy-test-{tmp_path.name}/news/a03/index.html") == \
        (site / "output" / "a03" / "index.html").read_bytes()
    assert "(0 files sent)" in deploy(run, site, url).out


def test_without_manifest_the_listing_decides(run: Run, tmp_path: Path) -> None:
    site = write_site(tmp_path / "site", 1)
    www = tmp_path / "www"
    assert deploy(run, site, www).code == 0
    (www / ".sitegen-deploy.json").unlink()  # e.g. the folder was filled by rsync
    (www / "a01" / "index.html").write_text("stale copy", "utf-8")
    r = deploy(run, site, www)
    assert "no sitegen manifest" in r.out
    assert "plan: 0 new, 1 changed" in r.out and "uploaded 1 files" in r.out
    assert "(0 files sent)" in deploy(run, site, www).out


def test_configured_targets(run: Run, tmp_path: Path) -> None:
    site = write_site(tmp_path / "site", 1)
    toml = site / "site.toml"
    toml.write_text('title = "T"\n[deploy.production]\nurl = "../www"\n'
                    '[deploy.staging]\nurl = "../staging"\ndelete = false\n', "utf-8")
    r = run("deploy", "production", "--site", site, "--force")
    assert r.code == 0, r.err
    assert (tmp_path / "www" / "index.html").is_file()
    r = run("deploy", "--site", site, "--force")
    assert r.code == 2 and "name a target: production, staging" in r.err
    r = run("deploy", "prod", "--site", site, "--force")
    assert r.code == 2 and "unknown deploy target 'prod'" in r.err


@pytest.mark.parametrize(("section", "message"), [
    ('url = "../www"\ndelet = true\n', "did you mean 'delete'?"),
    ('url = "../www"\nsecret_access_key = "AKIAXXXXSECRET"\n', "looks like a credential"),
    ('url = "s3://bucket/"\noptions = { password = "hunter22" }\n', "looks like a credential"),
    ('url = "sftp://deployer:hunter22@example.org/www"\n', "holds a credential"),
    ('url = "../www"\nbranch = "main"\n', "for git targets only"),
    ('url = "../www"\nmax_delete_share = 3\n', "from 0 to 1"),
    ('delete = true\n', "needs a url"),
])
def test_bad_deploy_config(run: Run, tmp_path: Path, section: str, message: str) -> None:
    site = write_site(tmp_path / "site", 1)
    (site / "site.toml").write_text(f'title = "T"\n[deploy.production]\n{section}', "utf-8")
    r = run("deploy", "--site", site, "--force")
    assert r.code == 1
    assert message in r.err
    assert "hunter22" not in r.err + r.out and "AKIAXXXXSECRET" not in r.err + r.out


def test_secrets_are_never_printed(run: Run, tmp_path: Path,
                                   monkeypatch: pytest.MonkeyPatch) -> None:
    site = write_site(tmp_path / "site", 1)
    monkeypatch.setenv("AWS_SECRET_ACCESS_KEY", "s3cr3t-env-value")
    r = deploy(run, site, "sftp://deployer:hunter22@127.0.0.1:1/www?token=tok123456")
    assert r.code == 1
    text = r.out + r.err
    assert "hunter22" not in text and "tok123456" not in text
    assert "***@127.0.0.1" in text
    assert redact("https://user:pw@host/x?sig=abc") == "https://***@host/x?sig=***"
    assert redact("git@github.com:org/site.git#gh-pages") == \
        "git@github.com:org/site.git#gh-pages"
    assert scrub("failed: https://x-access-token:ghp_abc@github.com/o/r s3cr3t-env-value",
                 ("s3cr3t-env-value",)) == "failed: https://***@github.com/o/r ***"


def test_refuses_missing_foreign_or_overlapping_output(run: Run, tmp_path: Path) -> None:
    site = write_site(tmp_path / "site", 1)
    r = run("deploy", str(site / "output" / "sub"), "--site", site, "--force")
    assert r.code == 1 and "overlaps the output" in r.err
    (site / "output" / ".sitegen-output").unlink()
    r = deploy(run, site, tmp_path / "www")
    assert r.code == 1 and "not written by sitegen" in r.err
    r = run("deploy", str(tmp_path / "www"), "--site", site, "--output", tmp_path / "none")
    assert r.code == 1 and "sitegen build" in r.err
    assert not (tmp_path / "www").exists()


def test_file_kinds_and_headers(tmp_path: Path) -> None:
    from sitegen.config.deploy import DeployTarget

    assert kind("a/index.html") == "html" and kind("feed.xml") == "feed"
    assert kind("pagefind/fragment/en_3f2a1b9.pf_fragment") == "hashed"
    assert kind("static/style.css") == "asset"
    assert phase("index.html", False) == 3 and phase("x/index.html", True) == 1
    s3 = FsTarget.__new__(FsTarget)
    s3.protocol, s3.target = "s3", DeployTarget(name="t", url="s3://b/")
    headers = s3.headers("a/index.html", {})
    assert headers["ContentType"] == "text/html; charset=utf-8"
    assert headers["CacheControl"] == "public, max-age=300"
    headers = s3.headers("static/app.js.gz", {"static/app.js": None})
    assert headers["ContentEncoding"] == "gzip"
    assert headers["ContentType"].startswith("text/javascript")


def test_transient_errors_are_retried_and_lasting_ones_explained(
        run: Run, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    site = write_site(tmp_path / "site", 1)
    www = tmp_path / "www"
    monkeypatch.setattr("sitegen.deploy.fs_target.time.sleep", lambda s: None)
    put = FsTarget._write
    failures = {"style.css": 2}

    def flaky(self: FsTarget, rel: str, data: bytes, headers: dict[str, Any]) -> None:
        if failures.get(rel, 0) > 0:
            failures[rel] -= 1
            raise ConnectionResetError("connection reset by peer")
        put(self, rel, data, headers)

    monkeypatch.setattr(FsTarget, "_write", flaky)
    r = deploy(run, site, www)
    assert r.code == 0, r.err
    assert failures["style.css"] == 0 and tree(www) == tree(site / "output")

    def denied(self: FsTarget, rel: str, data: bytes, headers: dict[str, Any]) -> None:
        if rel == "a03/index.html":
            raise PermissionError("Access Denied")
        put(self, rel, data, headers)

    monkeypatch.setattr(FsTarget, "_write", denied)
    (site / "output" / "a03" / "index.html").write_text("<h1>New</h1>\n", "utf-8")
    r = deploy(run, site, www)
    assert r.code == 1
    assert "a03/index.html -> command line" in r.err and "permission denied" in r.err
    assert "hint: check the credentials" in r.err

    failures["a05/index.html"] = 99
    monkeypatch.setattr(FsTarget, "_write", flaky)
    (site / "output" / "a05" / "index.html").write_text("<h1>New</h1>\n", "utf-8")
    r = deploy(run, site, www)
    assert r.code == 1 and "failed after 4 tries" in r.err and "run the deploy again" in r.err
