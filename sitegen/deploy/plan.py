"""What a deploy changes: the manifest kept at the target and the plan derived from it.

The manifest (`.sitegen-deploy.json` at the target's root) lists every file sitegen put
there with its sha256 and size. Only those files are ever deleted; anything else in the
bucket or folder is left alone. It is written twice per deploy that changes something: before
the first upload, as a journal in which every file about to be sent has an unknown hash (so
an interrupted deploy's re-run sends them again and still owns them), and after the last
delete, complete. Without a manifest (a first deploy, or files put there by another tool) the
target's listing decides: a file whose size and MD5 (S3's ETag, or read back from a local
folder) match is kept and adopted, anything else is sent.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field

from sitegen.deploy.files import LocalFile, delete_phase, phase

VERSION = 1


@dataclass(slots=True)
class RemoteManifest:
    files: dict[str, tuple[str, int]] = field(default_factory=dict)  # rel -> (sha256, size)
    complete: bool = True

    def to_json(self) -> str:
        return json.dumps({"generator": "sitegen", "version": VERSION,
                           "complete": self.complete,
                           "files": {k: list(v) for k, v in sorted(self.files.items())}},
                          separators=(",", ":"))


def parse_manifest(data: bytes) -> RemoteManifest | None:
    """The manifest in `data`, or None when it is not one of ours (then the listing decides)."""
    try:
        raw = json.loads(data.decode("utf-8"))
        if not isinstance(raw, dict) or raw.get("generator") != "sitegen" \
                or raw.get("version") != VERSION:
            return None
        files: dict[str, tuple[str, int]] = {}
        for rel, row in dict(raw["files"]).items():
            if not isinstance(rel, str) or not isinstance(row, list) or len(row) != 2:
                return None
            files[rel] = (str(row[0]), int(row[1]))
        return RemoteManifest(files=files, complete=bool(raw.get("complete", True)))
    except (ValueError, TypeError, KeyError, AttributeError):
        return None


@dataclass(frozen=True, slots=True)
class RemoteFile:
    """A file found by listing the target: its size and MD5 when the listing knows it."""

    size: int
    md5: str | None = None


@dataclass(slots=True)
class Plan:
    new: list[LocalFile] = field(default_factory=list)
    changed: list[LocalFile] = field(default_factory=list)
    unchanged: list[LocalFile] = field(default_factory=list)
    delete: list[str] = field(default_factory=list)
    kept_old: list[str] = field(default_factory=list)  # ours, gone from output, --no-delete
    owned_before: int = 0  # files the previous manifest owned
    had_manifest: bool = False
    previous: RemoteManifest = field(default_factory=RemoteManifest)
    delete_sizes: dict[str, int] = field(default_factory=dict)

    @property
    def upload(self) -> list[LocalFile]:
        return self.new + self.changed

    @property
    def nothing_to_do(self) -> bool:
        return not self.new and not self.changed and not self.delete \
            and self.previous.complete and self.had_manifest

    def upload_phases(self) -> list[list[LocalFile]]:
        """Uploads grouped in the order that keeps every reachable page whole."""
        groups: list[list[LocalFile]] = [[], [], [], []]
        new = {f.rel for f in self.new}
        for f in sorted(self.upload, key=lambda f: f.rel):
            groups[phase(f.rel, f.rel in new)].append(f)
        return [g for g in groups if g]

    def delete_phases(self) -> list[list[str]]:
        groups: list[list[str]] = [[], [], []]
        for rel in sorted(self.delete):
            groups[delete_phase(rel)].append(rel)
        return [g for g in groups if g]

    def journal(self) -> RemoteManifest:
        """The manifest written before the first upload: everything owned before or about to
        be sent, the files in flight with an unknown hash."""
        files = dict(self.previous.files)
        for f in self.upload:
            files[f.rel] = ("", f.size)
        return RemoteManifest(files=files, complete=False)

    def final(self) -> RemoteManifest:
        files = {f.rel: (f.sha256, f.size) for f in (*self.new, *self.changed, *self.unchanged)}
        for rel in self.kept_old:
            files[rel] = self.previous.files[rel]
        return RemoteManifest(files=files, complete=True)


def make_plan(local: Mapping[str, LocalFile], previous: RemoteManifest | None,
              listing: Callable[[], Mapping[str, RemoteFile]] | None, *, delete: bool,
              force: bool = False, md5: Callable[[LocalFile], str] | None = None) -> Plan:
    """Compare the output with the target: by the manifest's hashes when there is one, else
    by the target's listing (size and MD5); `force` sends every file."""
    plan = Plan(had_manifest=previous is not None)
    if previous is not None:
        plan.previous = previous
        plan.owned_before = len(previous.files)
        for rel, f in local.items():
            row = previous.files.get(rel)
            if row is None:
                plan.new.append(f)
            elif force or row[0] != f.sha256 or row[1] != f.size:
                plan.changed.append(f)
            else:
                plan.unchanged.append(f)
        gone = sorted(set(previous.files) - set(local))
        if delete:
            plan.delete = gone
            plan.delete_sizes = {rel: previous.files[rel][1] for rel in gone}
        else:
            plan.kept_old = gone
        return plan
    remote = listing() if listing is not None else {}
    for rel, f in local.items():
        found = remote.get(rel)
        if found is None:
            plan.new.append(f)
        elif force or found.size != f.size or found.md5 is None or md5 is None \
                or found.md5 != md5(f):
            plan.changed.append(f)
        else:
            plan.unchanged.append(f)
    return plan


def format_plan(plan: Plan, verbose: bool) -> list[str]:
    """The plan as lines: counts, then (when `verbose`) each path marked + ~ or -."""
    size = sum(f.size for f in plan.upload)
    lines = [f"plan: {len(plan.new)} new, {len(plan.changed)} changed "
             f"({human(size)} to send), {len(plan.unchanged)} unchanged, "
             f"{len(plan.delete)} to delete"
             + (f", {len(plan.kept_old)} old kept (--no-delete)" if plan.kept_old else "")]
    if not plan.had_manifest:
        lines.append("no sitegen manifest at the target: files compared by listing "
                     "(size and MD5); nothing there will be deleted")
    elif not plan.previous.complete:
        lines.append("the previous deploy was interrupted: this one completes it")
    if verbose:
        lines += [f"  + {f.rel}" for f in sorted(plan.new, key=lambda f: f.rel)]
        lines += [f"  ~ {f.rel}" for f in sorted(plan.changed, key=lambda f: f.rel)]
        lines += [f"  - {rel}" for rel in plan.delete]
    return lines


def human(size: int) -> str:
    value = float(size)
    for unit in ("B", "KB", "MB", "GB"):
        if value < 1024 or unit == "GB":
            return f"{value:.0f} {unit}" if unit == "B" else f"{value:.1f} {unit}"
        value /= 1024
    return f"{size} B"
