"""Time `sitegen deploy` of a built site to an S3-compatible endpoint (moto's server on
127.0.0.1, started and stopped here) and to a local folder: the first deploy, a redeploy with
nothing changed, and, with --edit, a redeploy after editing one article and rebuilding.

    .venv/bin/python benchmarks/gen_site.py /tmp/bench --articles 1000 --seed 7
    .venv/bin/sitegen build --site /tmp/bench/sitegen
    .venv/bin/python benchmarks/deploy_speed.py /tmp/bench/sitegen --edit

Needs `pip install -e '.[test]'` (s3fs and moto). Prints one line per step.
"""

from __future__ import annotations

import argparse
import contextlib
import io
import os
import re
import tempfile
import time
from pathlib import Path

from sitegen.cli import main


def deploy(site: Path, target: str, *extra: str) -> tuple[float, str]:
    out = io.StringIO()
    t0 = time.perf_counter()
    with contextlib.redirect_stdout(out):
        code = main(["deploy", target, "--site", str(site), *extra])
    seconds = time.perf_counter() - t0
    if code != 0:
        raise SystemExit(f"deploy to {target} failed ({code}):\n{out.getvalue()}")
    summary = next((line for line in reversed(out.getvalue().splitlines())
                    if line.startswith(("uploaded", "nothing"))), "")
    return seconds, summary


def edit_one_article(site: Path) -> Path:
    article = sorted((site / "content").rglob("*.md"))[len(list((site / "content")
                                                                .rglob("*.md"))) // 2]
    text = article.read_text("utf-8")
    article.write_text(re.sub(r"\n\n", "\n\nAn added sentence for the benchmark.\n\n", text,
                              count=1), "utf-8")
    return article


def main_() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0] if __doc__ else None)
    ap.add_argument("site", type=Path)
    ap.add_argument("--edit", action="store_true", help="also edit one article and rebuild")
    ap.add_argument("--no-check", action="store_true",
                    help="deploy with --no-check (time the deploy without the link check)")
    args = ap.parse_args()
    extra = ["--no-check"] if args.no_check else []
    from moto.server import ThreadedMotoServer

    server = ThreadedMotoServer(ip_address="127.0.0.1", port=0, verbose=False)
    server.start()
    host, port = server.get_host_and_port()
    endpoint = f"http://{host}:{port}"
    os.environ.update(AWS_ACCESS_KEY_ID="bench", AWS_SECRET_ACCESS_KEY="bench-secret",
                      AWS_DEFAULT_REGION="us-east-1")
    try:
        import s3fs

        s3fs.S3FileSystem(endpoint_url=endpoint).mkdir("bench-site")
        os.environ["AWS_ENDPOINT_URL"] = endpoint  # a command-line s3:// URL has no option
        targets = {"s3": "s3://bench-site/news", "folder": tempfile.mkdtemp(prefix="deploy-")}
        files = sum(1 for p in (args.site / "output").rglob("*") if p.is_file())
        print(f"site: {args.site} ({files} files in output/)")
        for name, url in targets.items():
            for step in ("first deploy", "no-change redeploy"):
                seconds, summary = deploy(args.site, url, *extra)
                print(f"{name:6} {step:22} {seconds:6.2f} s  {summary}")
        if args.edit:
            edit_one_article(args.site)
            t0 = time.perf_counter()
            with contextlib.redirect_stdout(io.StringIO()):
                main(["build", "--site", str(args.site)])
            print(f"one-article edit: rebuilt in {time.perf_counter() - t0:.1f} s")
            for name, url in targets.items():
                seconds, summary = deploy(args.site, url, *extra)
                print(f"{name:6} {'one-article redeploy':22} {seconds:6.2f} s  {summary}")
    finally:
        server.stop()


if __name__ == "__main__":
    main_()
