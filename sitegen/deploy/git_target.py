"""A git branch target (GitHub Pages, GitLab Pages, any bare repository): one commit whose tree
is the output plus `.nojekyll`, an optional `CNAME` and the deploy manifest, pushed in one
step, so readers see the old site or the new one and never a mix.

Like ghp-import and `mkdocs gh-deploy`, the tree is made without a checkout: the `git` CLI
hashes output/ straight into a private index (GIT_WORK_TREE=output) inside a bare cache
repository in the site's cache folder; only the branch's last commit is fetched. `history =
"keep"` adds a commit on top of the branch; "squash" replaces the branch with one commit
(a force push that fails if someone else pushed meanwhile). Files in the branch that sitegen
did not put there (its manifest says which) are kept; with no manifest yet, like
ghp-import, the whole tree is replaced except `CNAME`.
"""

from __future__ import annotations

import hashlib
import os
import subprocess
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from pathlib import Path

from sitegen.build.write import MARKER
from sitegen.config.deploy import DeployTarget, git_remote, scrub, url_secrets
from sitegen.core.errors import SiteError
from sitegen.deploy.files import MANIFEST_NAME, LocalFile
from sitegen.deploy.fs_target import env_secrets
from sitegen.deploy.plan import RemoteManifest, parse_manifest

_EXTRA = (".nojekyll", "CNAME", MANIFEST_NAME)
# Set by a git hook or a wrapper, they would point git at another repository.
_REPO_VARIABLES = {"GIT_DIR", "GIT_WORK_TREE", "GIT_INDEX_FILE", "GIT_OBJECT_DIRECTORY",
                   "GIT_ALTERNATE_OBJECT_DIRECTORIES", "GIT_NAMESPACE", "GIT_PREFIX",
                   "GIT_COMMON_DIR", "GIT_CEILING_DIRECTORIES"}
_TIMEOUT = 900  # seconds for one git command (a first push of a large site)


@dataclass(slots=True)
class GitResult:
    branch: str
    new: list[str] = field(default_factory=list)
    changed: list[str] = field(default_factory=list)
    deleted: list[str] = field(default_factory=list)
    unchanged: int = 0
    sent_bytes: int = 0
    commit: str = ""  # the commit pushed ("" for a dry run or nothing to do)
    had_manifest: bool = False


class GitTarget:
    def __init__(self, target: DeployTarget, cache: Path) -> None:
        self.target = target
        self.remote, fragment = git_remote(target.url)
        self.branch = target.branch or fragment or "gh-pages"
        tag = hashlib.sha256(self.remote.encode("utf-8")).hexdigest()[:16]
        self.repo = cache / "deploy" / f"git-{tag}.git"
        self.secrets = url_secrets(self.remote) + env_secrets()

    def git(self, *args: str, work_tree: Path | None = None, data: bytes | None = None,
            check: bool = True) -> str:
        env = {k: v for k, v in os.environ.items() if k not in _REPO_VARIABLES}
        env.update(GIT_DIR=str(self.repo), GIT_INDEX_FILE=str(self.repo / "sitegen-index"),
                   GIT_TERMINAL_PROMPT="0")
        if work_tree is not None:
            env["GIT_WORK_TREE"] = str(work_tree)
        env.setdefault("GIT_AUTHOR_NAME", "sitegen")
        env.setdefault("GIT_AUTHOR_EMAIL", "sitegen@localhost")
        env.setdefault("GIT_COMMITTER_NAME", env["GIT_AUTHOR_NAME"])
        env.setdefault("GIT_COMMITTER_EMAIL", env["GIT_AUTHOR_EMAIL"])
        try:
            done = subprocess.run(["git", "-c", "core.excludesFile=/dev/null", *args],
                                  input=data, capture_output=True, env=env, timeout=_TIMEOUT,
                                  cwd=work_tree or self.repo, check=False)
        except FileNotFoundError:
            raise SiteError("git is not installed", hint="install git to deploy to a "
                            "branch, or deploy to a folder or bucket") from None
        except subprocess.TimeoutExpired:
            raise self.error(f"git {args[0]} took longer than {_TIMEOUT} s",
                             "check the network, then run the deploy again") from None
        if check and done.returncode != 0:
            message = done.stderr.decode("utf-8", "replace").strip() or f"exit {done.returncode}"
            command = next(a for a in args if not a.startswith("-"))
            raise self.error(f"git {command} failed: {message}", _hint(command, message))
        return done.stdout.decode("utf-8", "surrogateescape")

    def error(self, message: str, hint: str) -> SiteError:
        return SiteError(scrub(f"{self.target.name} ({self.target.shown}): {message}",
                               self.secrets), hint=scrub(hint, self.secrets))

    def _prepare(self) -> str | None:
        """The cache repository with the branch's last commit fetched; its id or None."""
        if not (self.repo / "HEAD").is_file():
            self.repo.mkdir(parents=True, exist_ok=True)
            self.git("init", "-q", "--bare")
        ref = f"refs/heads/{self.branch}"
        listed = self.git("ls-remote", self.remote, ref).split()
        if not listed:
            return None
        self.git("fetch", "-q", "--depth=1", "--no-tags", self.remote, f"+{ref}:refs/sitegen/tip")
        return listed[0]

    def deploy(self, files: Mapping[str, LocalFile], output: Path, *, delete: bool,
               dry_run: bool, approve: Callable[[GitResult, int], None] | None = None
               ) -> GitResult:
        """Commit the output on the branch and push it; `approve(result, owned)` may refuse
        (raise) once the changes are known, before anything is pushed."""
        result = GitResult(branch=self.branch)
        parent = self._prepare()
        previous: RemoteManifest | None = None
        before: set[str] = set()
        if parent is not None:
            self.git("read-tree", parent)
            before = set(self.git("ls-files", "-z").split("\0")) - {""}
            if MANIFEST_NAME in before:
                previous = parse_manifest(self.git("show", f"{parent}:{MANIFEST_NAME}")
                                          .encode("utf-8", "surrogateescape"))
        else:
            self.git("read-tree", "--empty")
        result.had_manifest = previous is not None
        owned = set(previous.files) if previous is not None else before - {"CNAME"}
        gone = sorted((owned & before) - set(files) - set(_EXTRA))
        if delete and gone:
            # Literal paths: a file named "*.html" must not match every page.
            self.git("--literal-pathspecs", "rm", "-q", "--cached", "--ignore-unmatch",
                     "--pathspec-from-file=-", "--pathspec-file-nul",
                     data="\0".join(gone).encode("utf-8"))
        self.git("add", "--force", "--ignore-removal", "--", ".", f":(exclude){MARKER}",
                 f":(exclude){MANIFEST_NAME}", work_tree=output)
        manifest = RemoteManifest(files={f.rel: (f.sha256, f.size) for f in files.values()})
        if not delete and previous is not None:
            for rel in gone:
                manifest.files[rel] = previous.files[rel]
        extras = {MANIFEST_NAME: manifest.to_json().encode("utf-8")}
        if self.target.nojekyll:
            extras[".nojekyll"] = b""
        if self.target.cname:
            extras["CNAME"] = (self.target.cname.strip() + "\n").encode("utf-8")
        for name, data in extras.items():
            blob = self.git("hash-object", "-w", "--stdin", data=data).strip()
            self.git("update-index", "--add", "--cacheinfo", f"100644,{blob},{name}")
        tree = self.git("write-tree").strip()
        self._count(result, parent, tree, files)
        if dry_run or (parent is not None and not result.new and not result.changed
                       and not result.deleted and tree == self._tree(parent)):
            return result
        if approve is not None:
            approve(result, len(owned))
        squash = self.target.history == "squash"
        parents = ["-p", parent] if parent is not None and not squash else []
        commit = self.git("commit-tree", tree, *parents, "-m", self._message(result)).strip()
        push = ["push", "-q", self.remote, f"{commit}:refs/heads/{self.branch}"]
        if squash and parent is not None:
            push.insert(2, f"--force-with-lease=refs/heads/{self.branch}:{parent}")
        self.git(*push)
        result.commit = commit
        return result

    def _tree(self, commit: str) -> str:
        return self.git("rev-parse", f"{commit}^{{tree}}").strip()

    def _count(self, result: GitResult, parent: str | None, tree: str,
               files: Mapping[str, LocalFile]) -> None:
        """What the new tree changes, site files only (the manifest is bookkeeping)."""
        if parent is None:
            rows = [("A", rel) for rel in self.git("ls-tree", "-r", "-z", "--name-only", tree)
                    .split("\0") if rel]
        else:
            out = self.git("diff-tree", "-r", "-z", "--no-renames", "--name-status",
                           self._tree(parent), tree).split("\0")
            rows = list(zip(out[0::2], out[1::2], strict=False))
        for status, rel in rows:
            if rel == MANIFEST_NAME:
                continue
            size = files[rel].size if rel in files else 0
            if status == "A":
                result.new.append(rel)
            elif status == "D":
                result.deleted.append(rel)
            else:
                result.changed.append(rel)
            result.sent_bytes += size if status != "D" else 0
        result.unchanged = len(set(files) - set(result.new) - set(result.changed))

    def _message(self, result: GitResult) -> str:
        return (f"{self.target.message}\n\n{len(result.new)} new, {len(result.changed)} "
                f"changed, {len(result.deleted)} deleted files\n")


def _hint(command: str, message: str) -> str:
    low = message.lower()
    if "non-fast-forward" in low or "fetch first" in low or "stale info" in low:
        return "someone else pushed to the branch meanwhile: run the deploy again"
    if "permission" in low or "authentication" in low or "could not read" in low:
        return ("check the credentials (an SSH key in ~/.ssh or the agent, or a credential "
                "helper/token in the environment) and that they may push to the branch")
    if command in ("ls-remote", "fetch", "push"):
        return "check the URL and the network; the repository must exist"
    return "run the deploy again; if it keeps failing, delete the .sitegen-cache/deploy folder"
