"""`sitegen deploy` to a git branch in a real bare repository (git+file://): one commit with
the output, .nojekyll and CNAME; no commit when nothing changed; files someone else committed
survive; history kept or squashed."""

from __future__ import annotations

import subprocess
from collections.abc import Callable
from pathlib import Path

import pytest
from conftest import Result
from deploy_sites import write_site

from sitegen.config.deploy import git_remote, is_git_url

Run = Callable[..., Result]


def git(repo: Path, *args: str) -> str:
    return subprocess.run(["git", "--git-dir", str(repo), *args], capture_output=True,
                          text=True, check=True).stdout


@pytest.fixture
def bare(tmp_path: Path) -> Path:
    repo = tmp_path / "pages.git"
    subprocess.run(["git", "init", "-q", "--bare", str(repo)], check=True)
    return repo


def configure(site: Path, repo: Path, extra: str = "") -> None:
    (site / "site.toml").write_text(
        f'title = "T"\n[deploy.pages]\nurl = "git+file://{repo}#gh-pages"\n{extra}', "utf-8")


def files_on(repo: Path, ref: str = "gh-pages") -> set[str]:
    return set(git(repo, "ls-tree", "-r", "--name-only", ref).split())


def test_git_branch_deploy(run: Run, tmp_path: Path, bare: Path) -> None:
    site = write_site(tmp_path / "site", 1)
    configure(site, bare, 'cname = "news.example.org"\n')
    r = run("deploy", "--site", site, "--force", "--dry-run")
    assert r.code == 0, r.err
    assert "  + a00/index.html" in r.out
    assert git(bare, "branch", "--list") == ""  # the dry run pushed nothing
    r = run("deploy", "--site", site, "--force")
    assert r.code == 0, r.err
    assert "pushed commit" in r.out
    names = files_on(bare)
    assert {".nojekyll", "CNAME", "index.html", "a00/index.html", "style.css"} <= names
    assert ".sitegen-output" not in names
    assert git(bare, "show", "gh-pages:CNAME") == "news.example.org\n"
    assert git(bare, "show", "gh-pages:a03/index.html").encode() == \
        (site / "output" / "a03" / "index.html").read_bytes()
    assert len(git(bare, "rev-list", "gh-pages").split()) == 1

    r = run("deploy", "--site", site, "--force")
    assert r.code == 0 and "(0 files sent)" in r.out
    assert len(git(bare, "rev-list", "gh-pages").split()) == 1

    (site / "output" / "a07" / "index.html").write_text("<h1>Edited</h1>\n", "utf-8")
    r = run("deploy", "--site", site, "--force")
    assert r.code == 0 and "plan: 0 new, 1 changed" in r.out, r.out
    assert len(git(bare, "rev-list", "gh-pages").split()) == 2  # history kept
    assert git(bare, "diff", "--name-only", "gh-pages~1", "gh-pages").split() == \
        [".sitegen-deploy.json", "a07/index.html"]


def test_git_deletes_only_its_files_and_squashes(run: Run, tmp_path: Path,
                                                 bare: Path) -> None:
    site = write_site(tmp_path / "site", 1)
    configure(site, bare, 'history = "squash"\n')
    assert run("deploy", "--site", site, "--force").code == 0
    # Someone adds a file to the branch by hand (e.g. a verification file).
    work = tmp_path / "clone"
    subprocess.run(["git", "clone", "-q", "-b", "gh-pages", str(bare), str(work)], check=True)
    (work / "google123.html").write_text("verification", "utf-8")
    env = ["-c", "user.name=Someone", "-c", "user.email=someone@example.org"]
    subprocess.run(["git", "-C", str(work), "add", "google123.html"], check=True)
    subprocess.run(["git", "-C", str(work), *env, "commit", "-qm", "verify"], check=True)
    subprocess.run(["git", "-C", str(work), "push", "-q"], check=True)
    write_site(site, 2)
    r = run("deploy", "--site", site, "--force")
    assert r.code == 0, r.err
    assert "5 deleted" in r.out
    names = files_on(bare)
    assert "google123.html" in names and "a00/index.html" not in names
    assert "a39/index.html" in names
    assert len(git(bare, "rev-list", "gh-pages").split()) == 1  # squashed


def test_git_push_failure_is_a_clear_error(run: Run, tmp_path: Path) -> None:
    site = write_site(tmp_path / "site", 1)
    r = run("deploy", "git+file:///nonexistent/repo.git#gh-pages", "--site", site, "--force")
    assert r.code == 1
    assert "git ls-remote failed" in r.err and "hint:" in r.err


def test_git_url_forms() -> None:
    assert is_git_url("git@github.com:org/site.git#gh-pages")
    assert is_git_url("git+ssh://git@host/org/site.git")
    assert is_git_url("https://host/org/site.git#pages")
    assert not is_git_url("s3://bucket/news")
    assert not is_git_url("/srv/www")
    assert git_remote("git+file:///srv/site.git#main") == ("file:///srv/site.git", "main")
    assert git_remote("git@github.com:org/site.git") == ("git@github.com:org/site.git", "")


def test_git_large_delete_needs_yes(run: Run, tmp_path: Path, bare: Path) -> None:
    site = write_site(tmp_path / "site", 1)
    configure(site, bare)
    assert run("deploy", "--site", site, "--force").code == 0
    tip = git(bare, "rev-parse", "gh-pages")
    for i in range(20):
        (site / "output" / f"a{i:02d}" / "index.html").unlink()
    r = run("deploy", "--site", site, "--force")
    assert r.code == 1 and "deletes 20 of the" in r.err and "--yes" in r.err
    assert git(bare, "rev-parse", "gh-pages") == tip  # nothing pushed
    r = run("deploy", "--site", site, "--force", "--yes")
    assert r.code == 0 and "20 deleted" in r.out, r.err
    assert "a00/index.html" not in files_on(bare)
