"""What the document-level steps need from the spaCy model besides the blocks' analyses,
kept in the block cache, so that a build whose blocks are all cached (a moved paragraph, a
new annotator version) assembles and annotates its articles without loading the model.

Two records, beside the blocks (annotate/block_cache.py), written when the model is loaded:

- the model's facts, keyed by the installed model's files (`installed_identity`: the
  package's version, spaCy's, and a digest of its meta.json and config.cfg, read without
  importing spaCy): the blocks' model identity (annotate/blocks.model_identity), the model's
  own strings (blocks.model_strings), its language, its data folder and its lemmatizer's
  settings;
- the glossary terms' words and lemmas (the glossary tags each entry with the model), keyed
  by the model identity and the entries.

From them a `lean` Language stands in for the model: a blank one of the model's language,
with the model's vocabulary data (vocab/) and its lemmatizer's tables (lemmatizer/), which
are what the annotators read (the lemma index for dictionary words, the rule lemmatizer for
noun readings); the Docs are assembled on its Vocab. Token attributes (tags, lemmas, parse,
entities, norms) come from the records; lexical ones (is_stop, like_num, ...) from the
language's defaults, as in the model. tests/annotate/test_model_facts.py shows the
annotations equal the loaded model's.
"""

from __future__ import annotations

import hashlib
import json
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from functools import lru_cache
from importlib import metadata
from pathlib import Path
from typing import TYPE_CHECKING, Any

from sitegen.annotate.block_cache import BlockCache
from sitegen.annotate.blocks import (
    SCHEMA,
    InvalidBlock,
    NlpSplit,
    assemble_texts,
    block_key,
    decode,
    model_identity,
    model_strings,
    nlp_text,
    split_blocks,
)
from sitegen.annotate.cache import model_identity as package_identity

if TYPE_CHECKING:
    from spacy.language import Language
    from spacy.tokens import Doc

FACTS_SCHEMA = 1
_FILES = ("meta.json", "config.cfg")


@dataclass(frozen=True, slots=True)
class Facts:
    identity: str  # blocks.model_identity of the model
    known: tuple[str, ...]  # blocks.model_strings of the model
    lang: str
    path: str  # the model's data folder (vocab/, lemmatizer/)
    lemmatizer: tuple[tuple[str, str], ...] | None  # its config (mode, overwrite), if any


@lru_cache(maxsize=8)
def installed_identity(model: str) -> str:
    """The installed model's identity from its files, without importing spaCy: its package
    (or folder) identity and a digest of every meta.json and config.cfg it holds."""
    h = hashlib.sha256(package_identity(model).encode("utf-8"))
    files: list[Path] = []
    try:
        dist = metadata.distribution(model)
        files = sorted(Path(str(dist.locate_file(f))) for f in dist.files or ()
                       if f.name in _FILES)
    except metadata.PackageNotFoundError:
        folder = Path(model)
        files = [folder / name for name in _FILES if (folder / name).is_file()]
    for file in files:
        h.update(b"\0" + str(file).encode("utf-8", "surrogatepass") + b"\0")
        try:
            h.update(file.read_bytes())
        except OSError:
            h.update(b"?")
    return h.hexdigest()


def _key(*parts: str) -> str:
    h = hashlib.sha256(f"sitegen-model-facts\0{FACTS_SCHEMA}\0{SCHEMA}".encode())
    for part in parts:
        h.update(b"\0" + part.encode("utf-8", "surrogatepass"))
    return h.hexdigest()


def facts_key(model: str) -> str:
    return _key("facts", installed_identity(model))


def words_key(identity: str, forms: Sequence[str]) -> str:
    return _key("glossary", identity, json.dumps(list(forms), ensure_ascii=False))


def facts_of(nlp: Language) -> Facts | None:
    """The facts of a loaded model; None when it has no data folder to read them from."""
    path = getattr(nlp, "path", None)
    if path is None or not Path(path).is_dir():
        return None
    lemmatizer = None
    if "lemmatizer" in nlp.pipe_names:
        conf = nlp.config["components"]["lemmatizer"]
        lemmatizer = tuple((k, str(conf[k])) for k in ("mode", "overwrite") if k in conf)
    return Facts(model_identity(nlp), model_strings(nlp), str(nlp.lang), str(path),
                 lemmatizer)


def _encode(facts: Facts) -> bytes:
    return json.dumps({"identity": facts.identity, "known": list(facts.known),
                       "lang": facts.lang, "path": facts.path,
                       "lemmatizer": None if facts.lemmatizer is None
                       else [list(x) for x in facts.lemmatizer]},
                      ensure_ascii=False).encode("utf-8")


def _decode(record: bytes) -> Facts | None:
    try:
        raw = json.loads(record.decode("utf-8"))
        lem = raw["lemmatizer"]
        facts = Facts(str(raw["identity"]), tuple(str(s) for s in raw["known"]),
                      str(raw["lang"]), str(raw["path"]),
                      None if lem is None else tuple((str(k), str(v)) for k, v in lem))
    except (ValueError, KeyError, TypeError):
        return None
    return facts if Path(facts.path).is_dir() else None


def _words(record: bytes) -> list[list[tuple[str, str]]] | None:
    try:
        raw = json.loads(record.decode("utf-8"))
        return [[(str(t), str(lemma)) for t, lemma in form] for form in raw]
    except (ValueError, TypeError):
        return None


def remember(nlp: Language, model: str, forms: Sequence[str],
             words: Callable[[], Sequence[Sequence[tuple[str, str]]]],
             cache: BlockCache) -> None:
    """Store the facts of the loaded `nlp` (the model `model`) and the glossary entries'
    words (`words()`: glossary.term_words of `forms`), where not stored yet."""
    facts = facts_of(nlp)
    if facts is None:
        return
    fkey = facts_key(model)
    wkey = words_key(facts.identity, forms)
    have = cache.get_many([fkey, wkey])
    items: list[tuple[str, bytes]] = []
    if have.get(fkey) != _encode(facts):
        items.append((fkey, _encode(facts)))
    if wkey not in have:
        items.append((wkey, json.dumps([list(map(list, w)) for w in words()],
                                       ensure_ascii=False).encode("utf-8")))
    cache.put_many(items)


@dataclass(frozen=True, slots=True)
class Lean:
    """A stand-in for the model: its facts, a blank Language with its vocabulary data and
    lemmatizer, and the glossary entries' words."""

    facts: Facts
    nlp: LeanLanguage
    words: list[list[tuple[str, str]]]


def lean(model: str, forms: Sequence[str], cache: BlockCache) -> Lean | None:
    """The lean stand-in for `model`, when its facts and the words of `forms` are cached."""
    fkey = facts_key(model)
    found = cache.get_many([fkey])
    facts = _decode(found[fkey]) if fkey in found else None
    if facts is None:
        return None
    wkey = words_key(facts.identity, forms)
    record = cache.get_many([wkey]).get(wkey)
    words = _words(record) if record is not None else None
    if words is None or len(words) != len(forms):
        return None
    try:
        nlp = _blank(facts.lang, facts.path, facts.lemmatizer)
    except (OSError, ValueError, KeyError, ImportError):
        return None
    return Lean(facts, nlp, words)


class LeanLanguage:
    """What the annotators use of a Language: its Vocab, its pipe names and its lemmatizer
    (`get_pipe`), without the tokenizer and the trained components."""

    def __init__(self, lang: str, vocab: Any, lemmatizer: Any) -> None:
        self.lang = lang
        self.vocab = vocab
        self.lemmatizer = lemmatizer
        self.pipe_names = ["lemmatizer"] if lemmatizer is not None else []

    def get_pipe(self, name: str) -> Any:
        if name != "lemmatizer" or self.lemmatizer is None:
            raise KeyError(name)
        return self.lemmatizer


@lru_cache(maxsize=2)
def _blank(lang: str, path: str, lemmatizer: tuple[tuple[str, str], ...] | None
           ) -> LeanLanguage:
    """The model's language's Vocab (as a Language makes it) with the model's vocabulary
    lookups (its strings come with the records), and its lemmatizer with its tables."""
    from spacy.util import get_lang_class
    from spacy.vocab import create_vocab

    lang_cls = get_lang_class(lang)
    vocab = create_vocab(lang, lang_cls.Defaults)
    vocab.lookups.from_disk(Path(path) / "vocab")
    pipe: Any = None
    if lemmatizer is not None:
        conf = dict(lemmatizer)
        mode, overwrite = conf.get("mode", "lookup"), conf.get("overwrite") == "True"
        try:
            from spacy.util import registry

            make: Any = registry.factories.get(lang_cls.get_factory_name("lemmatizer"))
            pipe = make(LeanLanguage(lang, vocab, None), None, "lemmatizer", mode,
                        overwrite, None)
        except Exception:  # no language-specific lemmatizer: spaCy's own
            from spacy.pipeline import Lemmatizer

            pipe = Lemmatizer(vocab, None, "lemmatizer", mode=mode, overwrite=overwrite)
        pipe.from_disk(Path(path) / "lemmatizer", exclude=["vocab"])
    return LeanLanguage(lang, vocab, pipe)


def cached_docs(vocab: Any, ident: str, known: Sequence[str], texts: Sequence[str],
                cache: BlockCache, split: NlpSplit) -> list[Doc] | None:
    """A Doc of each text on `vocab`, from the cache alone (`ident` and `known` the model's
    `model_identity` and `model_strings`); None unless every block is cached and valid."""
    t0 = time.perf_counter()
    pieces = [split_blocks(t) for t in texts]
    keys = [[block_key(ident, nlp_text(p)) for p in ps] for ps in pieces]
    inputs = {k: nlp_text(p) for ps, ks in zip(pieces, keys, strict=True)
              for p, k in zip(ps, ks, strict=True)}
    try:
        records = cache.get_many(list(inputs))
        rows = {k: decode(inputs[k], records[k], vocab, known) for k in inputs}
    except (KeyError, InvalidBlock):
        return None
    if None in (out := assemble_texts(vocab, pieces, keys, rows)):
        return None
    split.blocks += sum(len(ps) for ps in pieces)
    split.assemble += time.perf_counter() - t0
    return [d for d in out if d is not None]
