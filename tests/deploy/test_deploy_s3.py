"""`sitegen deploy` to S3 through s3fs, against moto's S3 server on 127.0.0.1 (started here,
stopped at the end; no other host is contacted): changed files only, Content-Type and
Cache-Control per file kind, ETag fallback without a manifest, no secret in any output."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest
from conftest import Result
from deploy_sites import write_site

pytest.importorskip("s3fs")
moto_server = pytest.importorskip("moto.server")

Run = Callable[..., Result]
SECRET = "test-secret-9f8e7d6c5b4a"


@pytest.fixture(scope="module")
def endpoint() -> Iterator[str]:
    server = moto_server.ThreadedMotoServer(ip_address="127.0.0.1", port=0, verbose=False)
    server.start()
    host, port = server.get_host_and_port()
    try:
        yield f"http://{host}:{port}"
    finally:
        server.stop()


@pytest.fixture
def s3(endpoint: str, monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> Any:
    import s3fs

    monkeypatch.setenv("AWS_ACCESS_KEY_ID", "testing-key-id")
    monkeypatch.setenv("AWS_SECRET_ACCESS_KEY", SECRET)
    monkeypatch.setenv("AWS_DEFAULT_REGION", "us-east-1")
    for name in ("AWS_PROFILE", "AWS_SESSION_TOKEN", "HTTP_PROXY", "HTTPS_PROXY"):
        monkeypatch.delenv(name, raising=False)
    monkeypatch.setenv("NO_PROXY", "127.0.0.1")
    fs = s3fs.S3FileSystem(endpoint_url=endpoint, skip_instance_cache=True)
    bucket = f"site-{tmp_path.name.lower().replace('_', '-')[:40]}"
    fs.mkdir(bucket)
    return fs, bucket


def test_s3_deploy(run: Run, tmp_path: Path, endpoint: str, s3: Any) -> None:
    fs, bucket = s3
    site = write_site(tmp_path / "site", 1)
    (site / "site.toml").write_text(
        f'title = "T"\n[deploy.production]\nurl = "s3://{bucket}/news"\n'
        f'endpoint_url = "{endpoint}"\n[deploy.production.cache_control]\n'
        'asset = "public, max-age=600"\n', "utf-8")
    fs.pipe_file(f"{bucket}/other/keep.txt", b"not sitegen's")
    outputs: list[str] = []

    def deploy(*extra: str) -> Result:
        r = run("deploy", "--site", site, "--force", *extra)
        outputs.append(r.out + r.err)
        return r

    r = deploy()
    assert r.code == 0, r.err
    assert "uploaded 37 files" in r.out
    fs.invalidate_cache()
    info = fs.info(f"{bucket}/news/index.html")
    assert info["ContentType"] == "text/html; charset=utf-8"
    head = fs.call_s3("head_object", Bucket=bucket, Key="news/style.css")
    assert head["CacheControl"] == "public, max-age=600"
    assert head["ContentType"] == "text/css; charset=utf-8"

    r = deploy()
    assert "(0 files sent)" in r.out
    (site / "output" / "a07" / "index.html").write_text("<h1>Edited</h1>\n", "utf-8")
    r = deploy()
    assert "plan: 0 new, 1 changed" in r.out and "uploaded 1 files" in r.out
    assert fs.cat_file(f"{bucket}/news/a07/index.html") == b"<h1>Edited</h1>\n"

    write_site(site, 2)
    r = deploy()
    assert r.code == 0 and "deleted 5 files" in r.out, r.out + r.err
    fs.invalidate_cache()
    assert not fs.exists(f"{bucket}/news/a00/index.html")
    assert fs.exists(f"{bucket}/news/a39/index.html")
    assert fs.cat_file(f"{bucket}/other/keep.txt") == b"not sitegen's"

    # Without the manifest the listing's ETags (MD5) decide: nothing is sent again.
    fs.rm_file(f"{bucket}/news/.sitegen-deploy.json")
    r = deploy()
    assert "no sitegen manifest" in r.out and "plan: 0 new, 0 changed" in r.out
    manifest = fs.cat_file(f"{bucket}/news/.sitegen-deploy.json").decode()
    for text in (*outputs, manifest):
        assert SECRET not in text and "testing-key-id" not in text


def test_s3_missing_bucket_is_a_clear_error(run: Run, tmp_path: Path, endpoint: str,
                                            s3: Any) -> None:
    site = write_site(tmp_path / "site", 1)
    (site / "site.toml").write_text(
        f'title = "T"\n[deploy.production]\nurl = "s3://no-such-bucket-x/news"\n'
        f'endpoint_url = "{endpoint}"\nretries = 0\n', "utf-8")
    r = run("deploy", "--site", site, "--force")
    assert r.code == 1
    assert "production (s3://no-such-bucket-x/news)" in r.err and "hint:" in r.err
    assert SECRET not in r.out + r.err
