"""Command line: parse arguments, call build/annotate/scaffold, print, exit codes.

Exit codes: 0 success, 1 the site has a problem (message names file and line), 2 usage.
"""

from __future__ import annotations

import argparse
import sys
from collections.abc import Sequence
from pathlib import Path

from sitegen.core.errors import SiteError, SiteErrors


def _parser() -> argparse.ArgumentParser:
    p = argparse.ArgumentParser(
        prog="sitegen",
        description="A static site generator for annotated news articles: entity tooltips, "
        "glossary links and source attributions.",
    )
    p.add_argument("--version", action="version", version=_version())
    sub = p.add_subparsers(dest="command", required=True, metavar="COMMAND")

    b = sub.add_parser("build", help="build the site into output/")
    b.add_argument("--site", type=Path, default=Path("."), help="site folder (default: .)")
    b.add_argument("--output", type=Path, default=None, help="output folder (default: SITE/output)")
    b.add_argument("--drafts", action="store_true", help="include draft articles")
    b.add_argument("--base-url", default=None, help="override base_url for this build")
    b.add_argument("--no-cache", action="store_true",
                   help="annotate every article again, ignoring SITE/.sitegen-cache")
    b.add_argument("--jobs", "-j", type=_positive_int, default=None, metavar="N",
                   help="worker processes for annotation and rendering (default: all cores "
                   "when there is enough work)")
    b.add_argument("--executor", choices=("local", "dask"), default=None,
                   help="where articles are annotated: worker processes here (local) or a "
                   "Dask cluster (dask; pip install 'sitegen[dask]'); default: [build] "
                   "executor in site.toml, else local")
    b.add_argument("--scheduler", default=None, metavar="ADDRESS",
                   help="the Dask scheduler, e.g. tcp://10.0.0.5:8786 (implies --executor "
                   "dask unless given)")
    b.add_argument("--verbose", "-v", action="store_true",
                   help="also print where the time went: model load, NLP, document steps, "
                   "render, write")
    b.add_argument("--require-review", action="store_true",
                   help="fail when a published article has annotations below --review-below "
                   "without an editor's decision (docs/review.md)")
    b.add_argument("--review-below", type=_confidence, default=0.9, metavar="CONFIDENCE",
                   help="with --require-review: the confidence below which a decision is "
                   "needed (default: 0.9)")

    r = sub.add_parser("review", help="annotations awaiting an editor's decision; record "
                       "decisions (docs/review.md)")
    r.add_argument("paths", type=Path, nargs="*", metavar="PATH",
                   help="articles or folders to review (default: the whole site)")
    r.add_argument("--site", type=Path, default=Path("."), help="site folder (default: .)")
    r.add_argument("--json", action="store_true", help="print JSON")
    r.add_argument("--accept", action="append", default=[], metavar="ID",
                   help="publish this annotation whatever its confidence")
    r.add_argument("--reject", action="append", default=[], metavar="ID",
                   help="never publish this annotation")
    r.add_argument("--set", action="append", nargs=2, default=[], dest="set_values",
                   metavar=("ID", "FIELD=VALUE"),
                   help="correct this annotation (entity: id, label, name; attribution: "
                   "source, source_id, source_name, source_kind, kind)")
    r.add_argument("--orphans", action="store_true",
                   help="list decisions whose annotation is gone or ambiguous")

    s = sub.add_parser("serve", help="preview the site, rebuilding and reloading on save")
    s.add_argument("--site", type=Path, default=Path("."), help="site folder (default: .)")
    s.add_argument("--host", default="127.0.0.1", help="address to bind (default: 127.0.0.1)")
    s.add_argument("--port", type=int, default=8000, help="port (default: 8000; 0 = any free)")
    s.add_argument("--open", action="store_true", help="open the preview in a web browser")
    s.add_argument("--drafts", action="store_true", help="include draft articles")
    s.add_argument("--allow-host", action="append", default=[], metavar="NAME",
                   help="also answer requests for this host name (repeatable); by default "
                   "only localhost and IP addresses are answered, against DNS rebinding")
    s.add_argument("--public", action="store_true",
                   help="allow --host to be an address other machines can reach")

    c = sub.add_parser("clean", help="delete output/ and the annotation cache")
    c.add_argument("--site", type=Path, default=Path("."), help="site folder (default: .)")

    n = sub.add_parser("new", help="create a new site")
    n.add_argument("dir", type=Path)
    n.add_argument("--title", default=None)

    a = sub.add_parser("new-article", help="write a new draft article")
    a.add_argument("title")
    a.add_argument("--site", type=Path, default=Path("."))

    k = sub.add_parser("check", help="check every internal link, anchor and asset of a built site")
    k.add_argument("output", type=Path, nargs="?", default=None, metavar="OUTPUT",
                   help="built site folder (default: SITE/output)")
    k.add_argument("--site", type=Path, default=None,
                   help="check this site's output/ (default: the current folder's)")
    k.add_argument("--external", action="store_true", help="also fetch external links")
    k.add_argument("--base-url", default=None,
                   help="the base URL it was built with (default: read from its sitemap.xml)")

    m = sub.add_parser("entities", help="list entities missing from the knowledge base")
    m.add_argument("--missing", action="store_true", required=True,
                   help="entities found in the content without a knowledge-base entry")
    m.add_argument("--site", type=Path, default=Path("."))
    m.add_argument("--limit", type=int, default=50)

    from sitegen.deploy.command import add_parser as add_deploy

    add_deploy(sub)

    x = sub.add_parser("annotate", help="export annotations as JSON (docs/annotation-format.md)")
    x.add_argument("paths", type=Path, nargs="+", metavar="PATH")
    mode = x.add_mutually_exclusive_group(required=True)
    mode.add_argument("--json", action="store_true", help="print JSON for one file")
    mode.add_argument("--out", type=Path, help="write NAME.json per NAME.md into this folder")
    x.add_argument("--site", type=Path, default=None,
                   help="site whose config, knowledge base and glossary to use")
    x.add_argument("--all", action="store_true", dest="all_candidates",
                   help="export every candidate, also those held back below the publish "
                   "threshold, each with \"published\": true/false")

    g = sub.add_parser("plugins", help="list the annotators: built-in and installed plugins, "
                       "their versions, and which the site runs (docs/plugins.md)")
    g.add_argument("--site", type=Path, default=Path("."), help="site folder (default: .)")
    g.add_argument("--json", action="store_true", help="print JSON")
    return p


def _positive_int(text: str) -> int:
    try:
        value = int(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"not a number: {text!r}") from None
    if value < 1:
        raise argparse.ArgumentTypeError("must be 1 or more")
    return value


def _confidence(text: str) -> float:
    try:
        value = float(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"not a number: {text!r}") from None
    if not 0 <= value <= 1:
        raise argparse.ArgumentTypeError("must be between 0 and 1")
    return value


def _version() -> str:
    from sitegen import __version__

    return f"sitegen {__version__}"


def main(argv: Sequence[str] | None = None) -> int:
    args = _parser().parse_args(argv)
    try:
        if args.command == "build":
            return _build(args)
        if args.command == "serve":
            from sitegen.serve.server import ServeOptions, serve

            return serve(ServeOptions(site=args.site, host=args.host, port=args.port,
                                      open_browser=args.open, drafts=args.drafts,
                                      allow_hosts=tuple(args.allow_host),
                                      public=args.public))
        if args.command == "clean":
            from sitegen.commands.clean import clean

            removed = clean(args.site)
            print("removed " + ", ".join(str(p) for p in removed) if removed
                  else "nothing to clean")
            return 0
        if args.command == "new":
            from sitegen.commands.scaffold import new_site

            path = new_site(args.dir, args.title)
            print(f"created a new site in {path}; build it with: sitegen build --site {path}")
            return 0
        if args.command == "new-article":
            from sitegen.commands.scaffold import new_article

            print(f"created {new_article(args.site, args.title)}")
            return 0
        if args.command == "check":
            return _check(args)
        if args.command == "entities":
            from sitegen.commands.missing import missing_entities

            sys.stdout.write(missing_entities(args.site, args.limit))
            return 0
        if args.command == "deploy":
            from sitegen.deploy.command import deploy_command

            return deploy_command(args)
        if args.command == "review":
            from sitegen.commands.review import review_command

            return review_command(args.site, args.paths, as_json=args.json,
                                  accept=args.accept, reject=args.reject,
                                  set_values=args.set_values, orphans=args.orphans)
        if args.command == "annotate":
            from sitegen.commands.annotate import annotate_command

            return annotate_command(args.paths, args.json, args.out, args.site,
                                    all_candidates=args.all_candidates)
        if args.command == "plugins":
            from sitegen.commands.plugins import plugins_command

            return plugins_command(args.site, args.json)
    except SiteErrors as exc:
        for err in exc.errors:
            print(f"error: {err}", file=sys.stderr)
        print(f"{len(exc.errors)} errors", file=sys.stderr)
        _failed(args)
        return 1
    except SiteError as exc:
        print(f"error: {exc}", file=sys.stderr)
        _failed(args)
        return 1
    except KeyboardInterrupt:
        print("interrupted", file=sys.stderr)
        return 130
    return 2


def _failed(args: argparse.Namespace) -> None:
    """What a failed command did: a failed build wrote nothing (builds are atomic)."""
    if args.command == "build":
        output = args.output if args.output is not None else args.site / "output"
        if output.is_dir():
            print(f"build failed; the previous build in {output}/ was left as it was",
                  file=sys.stderr)
        else:
            print("build failed; nothing was written", file=sys.stderr)
    if args.command == "deploy":
        print("deploy stopped; once fixed, run it again: it finishes an interrupted deploy",
              file=sys.stderr)


def _check(args: argparse.Namespace) -> int:
    from sitegen.commands.check import check_site, format_report, output_of

    if args.output is not None and args.site is not None:
        print("error: give either OUTPUT or --site, not both", file=sys.stderr)
        return 2
    output, note = output_of(args.output, args.site)
    if note:
        print(f"note: {note}", file=sys.stderr)
    report = check_site(output, external=args.external, base_url=args.base_url)
    for line in format_report(report):
        print(line)
    return 0 if report.ok else 1


def _build(args: argparse.Namespace) -> int:
    from sitegen.build.engine import BuildOptions, build

    report = build(BuildOptions(site=args.site, output=args.output, drafts=args.drafts,
                                base_url=args.base_url, no_cache=args.no_cache,
                                jobs=args.jobs, progress=True,
                                executor=args.executor or ("dask" if args.scheduler else None),
                                scheduler=args.scheduler,
                                review_below=args.review_below if args.require_review
                                else None))
    for err in report.refused:
        print(f"error: {err}", file=sys.stderr)
    print(report.summary())
    if args.verbose:
        print(report.split_summary())
    for warning in report.warnings:
        print(f"warning: {warning}", file=sys.stderr)
    if report.refused:
        print(f"{len(report.refused)} article(s) refused and left out; the rest of the site "
              "was built", file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
