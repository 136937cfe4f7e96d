"""`sitegen deploy`: the command line, the safety checks and the summary.

Exit codes like the other commands: 0 done (or nothing to do), 1 a problem with the site or
the target (the message names the file, the target and what to do), 2 a usage mistake.
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path
from typing import TYPE_CHECKING, Any

from sitegen.config.deploy import DeployTarget, UsageError, scrub
from sitegen.core.errors import SiteError

if TYPE_CHECKING:
    from sitegen.deploy.files import LocalFile
    from sitegen.deploy.git_target import GitTarget


def add_parser(sub: Any) -> None:
    d = sub.add_parser(
        "deploy", help="publish output/ to a folder, bucket, server or git branch",
        description="Send the built site to a target: a [deploy.NAME] of site.toml or a URL "
        "(a folder, s3://, gs://, az://, sftp://, git+file:///...#branch, "
        "git@host:repo.git#gh-pages). Only changed files are sent; pages go after their "
        "assets and the home page, feeds and sitemap last.")
    d.add_argument("target", nargs="?", default=None, metavar="TARGET",
                   help="a [deploy.NAME] of site.toml, or a URL or folder (default: the only "
                   "configured target)")
    d.add_argument("--site", type=Path, default=Path("."), help="site folder (default: .)")
    d.add_argument("--output", type=Path, default=None,
                   help="built site folder (default: SITE/output)")
    d.add_argument("--dry-run", "-n", action="store_true",
                   help="print what would be sent and deleted; change nothing")
    d.add_argument("--delete", action=argparse.BooleanOptionalAction, default=None,
                   help="remove files sitegen put there that the site no longer has "
                   "(default: the target's delete setting, true)")
    d.add_argument("--yes", "-y", action="store_true",
                   help="confirm deleting more than max_delete_share of the target's files")
    d.add_argument("--force", action="store_true",
                   help="deploy even if the output is older than the sources or 'sitegen "
                   "check' fails")
    d.add_argument("--no-check", action="store_true",
                   help="skip 'sitegen check' (when CI ran it already); staleness is still "
                   "checked")
    d.add_argument("--workers", type=int, default=None, metavar="N",
                   help="parallel uploads (default: the target's workers, 8)")


def deploy_command(args: argparse.Namespace) -> int:
    from sitegen.config.deploy import resolve_target
    from sitegen.config.site import load_config

    site = args.site.resolve()
    config = load_config(site)
    try:
        target = resolve_target(args.target, config.deploy, site)
    except UsageError as exc:
        print(f"sitegen deploy: error: {exc}", file=sys.stderr)
        return 2
    if args.workers is not None and args.workers < 1:
        print("sitegen deploy: error: --workers must be 1 or more", file=sys.stderr)
        return 2
    output = (args.output or site / "output").resolve()
    _refuse_self(target, output)

    from sitegen.deploy.files import local_files
    from sitegen.deploy.preflight import preflight, site_cache

    record = preflight(config, output, force=args.force, check=not args.no_check)
    files = local_files(output, record.output)
    delete = target.delete if args.delete is None else args.delete
    mode = " (dry run: nothing is changed)" if args.dry_run else ""
    print(f"deploying {len(files)} files from {output} to {target.name} "
          f"({target.shown}){mode}")
    if target.is_git:
        from sitegen.deploy.git_target import GitTarget

        return _git(GitTarget(target, site_cache(config)), files, output, delete, args)
    return _fs(target, files, delete, args)


def _refuse_self(target: DeployTarget, output: Path) -> None:
    if "://" in target.url or target.is_git:
        return
    folder = Path(target.url)
    if folder == output or folder.is_relative_to(output) or output.is_relative_to(folder):
        raise SiteError(f"the target folder {folder} overlaps the output {output}",
                        hint="deploy to a folder outside the output, and not one that "
                        "holds it")


def _fs(target: DeployTarget, files: dict[str, LocalFile], delete: bool,
        args: argparse.Namespace) -> int:
    from sitegen.deploy.apply import apply_plan
    from sitegen.deploy.fs_target import FsTarget
    from sitegen.deploy.plan import format_plan, human, make_plan

    fs = FsTarget(target)
    try:
        previous = fs.read_manifest()
        plan = make_plan(files, previous, fs.listing_with_md5, delete=delete,
                         md5=lambda f: _md5(f.path))
    except (OSError, RuntimeError, ValueError) as exc:
        raise fs.error(f"{type(exc).__name__}: {exc}", "check the URL, the network and "
                       "the credentials in the environment") from None
    for line in format_plan(plan, verbose=args.dry_run):
        print(line)
    if args.dry_run:
        return 0
    if plan.nothing_to_do:
        print("nothing to deploy: the target has this site already (0 files sent)")
        return 0
    _confirm_deletes(len(plan.delete), plan.owned_before, target, args.yes)
    try:
        outcome = apply_plan(plan, fs, workers=args.workers or target.workers)
    except (OSError, RuntimeError, ValueError) as exc:
        raise fs.error(f"{type(exc).__name__}: {exc}", "run the deploy again: it resumes "
                       "where it stopped") from None
    print(f"uploaded {outcome.uploaded} files ({human(outcome.uploaded_bytes)}), kept "
          f"{outcome.kept}, deleted {outcome.deleted} files ({human(outcome.deleted_bytes)}) "
          f"in {outcome.seconds:.1f} s")
    return 0


def _md5(path: Path) -> str:
    from sitegen.deploy.files import md5_file

    return md5_file(path)


def _git(git: GitTarget, files: dict[str, LocalFile], output: Path, delete: bool,
         args: argparse.Namespace) -> int:
    from sitegen.deploy.git_target import GitResult
    from sitegen.deploy.plan import human

    def approve(result: GitResult, owned: int) -> None:
        _confirm_deletes(len(result.deleted), owned, git.target, args.yes)

    try:
        result = git.deploy(files, output, delete=delete, dry_run=args.dry_run,
                                       approve=None if args.dry_run else approve)
    except OSError as exc:
        raise git.error(str(exc), "run the deploy again") from None
    print(f"plan: {len(result.new)} new, {len(result.changed)} changed "
          f"({human(result.sent_bytes)} to send), {result.unchanged} unchanged, "
          f"{len(result.deleted)} to delete on branch {result.branch}")
    if args.dry_run:
        lines = [f"  + {r}" for r in result.new] + [f"  ~ {r}" for r in result.changed] \
            + [f"  - {r}" for r in result.deleted]
        for line in lines:
            print(line)
        return 0
    if not result.commit:
        print("nothing to deploy: the branch has this site already (0 files sent)")
        return 0
    print(f"pushed commit {result.commit[:12]} to {result.branch}: "
          f"{len(result.new) + len(result.changed)} files sent "
          f"({human(result.sent_bytes)}), {len(result.deleted)} deleted")
    return 0


def _confirm_deletes(count: int, owned: int, target: DeployTarget, yes: bool) -> None:
    """Deleting more than the target's max_delete_share of sitegen's files there needs --yes
    (or a 'y' at a terminal)."""
    if count == 0 or yes or count <= target.max_delete_share * max(owned, 1):
        return
    question = (f"this deploy deletes {count} of the {owned} files sitegen put at "
                f"{target.name} (more than {target.max_delete_share:.0%})")
    if sys.stdin.isatty() and sys.stdout.isatty():
        answer = input(f"{question}. Continue? [y/N] ")
        if answer.strip().lower() in ("y", "yes"):
            return
    raise SiteError(scrub(question), hint="check with --dry-run, then pass --yes to confirm "
                    "(or --no-delete to keep them)")
