"""The spaCy pass per block: an article's Doc assembled from the analyses of its blocks
(paragraphs, list items, quote paragraphs, headings, table cells), each cached by its text
and the model's identity, so an edit of one paragraph runs the model over that paragraph only
and a moved paragraph runs it over nothing.

The view's blocks are separated by a blank line (source/parse.build_view). Every block is
analysed as its text followed by its separator ("\\n\\n"; the last block gets one appended,
and the separator's token is dropped again), which is how the separator sits at the end of
each block in the whole-article text: spaCy makes it one whitespace token attached to the
block's last token, so sentences never cross it. The assembled Doc has exactly the view's
text (checked), with the tags, morphology, lemmas, norms, parse, sentence starts and entities
of its blocks; the document-level steps (annotators, confidence) run on it as on a Doc of the
whole article.

A record is compact: the block's text is not stored (it is the key's input and known when
reading); per token its length, whitespace, part of speech, head offset, entity IOB and
sentence start, and the strings (tag, morph, lemma, norm, dependency, entity type) as indexes
into the model's and the block's strings, "same as the token" for most lemmas and norms.
"""

from __future__ import annotations

import hashlib
import json
import re
import struct
import time
import zlib
from collections.abc import Sequence
from dataclasses import dataclass, fields
from typing import TYPE_CHECKING, Any

from sitegen.annotate.block_cache import BlockCache
from sitegen.annotate.block_memo import keep, recall

if TYPE_CHECKING:
    from spacy.language import Language
    from spacy.tokens import Doc

SCHEMA = 3  # bump when the record layout (or what a block's analysis holds) changes
SEP = "\n\n"
_RUN = re.compile(r"\n{2,}")
# (attribute, kind): "int" stored as is, "signed" (uint64-wrapped offsets), "str" a string
ATTRS = (
    ("LENGTH", "int"), ("SPACY", "int"), ("NORM", "str"), ("LEMMA", "str"), ("TAG", "str"),
    ("POS", "int"), ("MORPH", "str"), ("HEAD", "signed"), ("DEP", "str"),
    ("ENT_IOB", "int"), ("ENT_TYPE", "str"), ("ENT_KB_ID", "str"), ("ENT_ID", "str"),
    ("SENT_START", "signed"),
)
ATTR_INDEX = {name: i for i, (name, _) in enumerate(ATTRS)}
_SAME_ORTH, _SAME_LOWER, _TABLE = 1, 2, 3  # string codes; 0 is "no value"


class InvalidBlock(ValueError):
    """A record that is not a well-formed analysis of its block's text."""


@dataclass(slots=True)
class NlpSplit:
    """Where the annotate stage's time went (seconds; summed over worker processes)."""

    model_load: float = 0.0
    lean_load: float = 0.0  # no model needed: spaCy, a blank Language, its vocab and lemmas
    nlp: float = 0.0  # the model over the new blocks (and any article run whole)
    assemble: float = 0.0  # block cache reads and writes, records, Doc assembly
    doc_steps: float = 0.0  # annotators and confidence over each article's Doc
    blocks: int = 0  # blocks of the articles annotated
    blocks_new: int = 0  # of which run through the model
    whole: int = 0  # articles run whole (empty, or not assembled from their blocks)

    def add(self, other: NlpSplit) -> None:
        for f in fields(self):
            setattr(self, f.name, getattr(self, f.name) + getattr(other, f.name))

    def as_dict(self) -> dict[str, float]:
        return {f.name: float(getattr(self, f.name)) for f in fields(self)}


def split_blocks(text: str) -> list[str]:
    """`text` cut after every blank-line run that a block follows: the pieces concatenate to
    `text`; each but the last ends with its separator."""
    out: list[str] = []
    start = 0
    for m in _RUN.finditer(text):
        if m.end() < len(text):
            out.append(text[start:m.end()])
            start = m.end()
    if start < len(text):
        out.append(text[start:])
    return out


def nlp_text(piece: str) -> str:
    """What the model reads for a block: the block with its separator."""
    return piece if piece.endswith(SEP) else piece + SEP


_IDENTITY: dict[int, tuple[Any, str]] = {}


def model_identity(nlp: Language) -> str:
    """Name, version, spaCy version, the active pipes and a digest of the pipeline's
    config: what a block's analysis depends on besides its text."""
    hit = _IDENTITY.get(id(nlp))
    if hit is not None and hit[0] is nlp:
        return hit[1]
    from spacy.about import __version__ as spacy_version

    config = hashlib.sha256(nlp.config.to_str().encode("utf-8")).hexdigest()
    ident = (f"{nlp.meta.get('name', '?')}=={nlp.meta.get('version', '?')};"
             f"spacy=={spacy_version};pipes={','.join(nlp.pipe_names)};config={config}")
    _IDENTITY[id(nlp)] = (nlp, ident)
    return ident


def block_key(identity: str, text: str) -> str:
    h = hashlib.sha256(f"sitegen-block\0{SCHEMA}\0{identity}\0".encode())
    h.update(text.encode("utf-8", "surrogatepass"))
    return h.hexdigest()


# --- records -------------------------------------------------------------------------------


def _ids() -> list[int | str]:
    from spacy.attrs import IDS

    return [IDS[name] for name, _ in ATTRS]


_WIDTHS = ("<i1", "<i2", "<i4")  # each column stored in the narrowest that holds it
_STRINGS: dict[int, tuple[Any, tuple[str, ...]]] = {}


def model_strings(nlp: Language) -> tuple[str, ...]:
    """The model's own strings: its tag, dependency and entity labels and what its
    attribute ruler assigns (morphology). A record names them by number instead of
    spelling them out; they are part of the model, like the key."""
    hit = _STRINGS.get(id(nlp))
    if hit is not None and hit[0] is nlp:
        return hit[1]
    strings: set[str] = set()
    for _, pipe in nlp.pipeline:
        labels = getattr(pipe, "labels", None)
        if isinstance(labels, tuple | list):
            strings.update(x for x in labels if isinstance(x, str))
        for pattern in getattr(pipe, "patterns", None) or []:
            attrs = pattern.get("attrs", {}) if isinstance(pattern, dict) else {}
            strings.update(v for v in attrs.values() if isinstance(v, str))
    known = tuple(sorted(strings))
    _STRINGS[id(nlp)] = (nlp, known)
    return known


def encode(doc: Doc, known: Sequence[str] = ()) -> bytes:
    """The compact record of one block's Doc (`known`: the model's `model_strings`)."""
    import numpy as np
    from spacy.attrs import LOWER, ORTH

    arr = doc.to_array(_ids()).astype(np.uint64).reshape(len(doc), len(ATTRS))
    words = doc.to_array([ORTH, LOWER]).astype(np.uint64).reshape(len(doc), 2)
    strings: list[str] = []
    add = doc.vocab.strings.add
    index: dict[int, int] = {add(x): _TABLE + i for i, x in enumerate(known)}
    cols = np.zeros((len(ATTRS), len(doc)), dtype=np.int64)
    for c, (_, kind) in enumerate(ATTRS):
        col = arr[:, c]
        if kind == "int":
            cols[c] = col.astype(np.int64)
        elif kind == "signed":
            cols[c] = col.view(np.int64)
        else:
            out = cols[c]
            for i, h in enumerate(col.tolist()):
                if h == 0:
                    continue
                if h == int(words[i, 0]):
                    out[i] = _SAME_ORTH
                elif h == int(words[i, 1]):
                    out[i] = _SAME_LOWER
                else:
                    at = index.get(h)
                    if at is None:
                        at = index[h] = _TABLE + len(known) + len(strings)
                        strings.append(doc.vocab.strings[h])
                    out[i] = at
    widths: list[int] = []
    for values in cols:
        low, high = (int(values.min()), int(values.max())) if values.size else (0, 0)
        width = next((w for w, bits in enumerate((8, 16, 32))
                      if -(2 ** (bits - 1)) <= low and high < 2 ** (bits - 1)), None)
        if width is None:
            raise InvalidBlock("a value out of range")
        widths.append(width)
    header = json.dumps({"v": SCHEMA, "n": len(doc), "w": widths, "s": strings},
                        ensure_ascii=False, separators=(",", ":")).encode("utf-8")
    body = b"".join([struct.pack("<I", len(header)), header,
                     *(v.astype(_WIDTHS[w]).tobytes() for v, w in zip(cols, widths,
                                                                      strict=True))])
    return zlib.compress(body, 9)


@dataclass(slots=True)
class Rows:
    """A decoded record: the tokens of a block and their attribute columns (hashes)."""

    words: list[str]
    spaces: list[bool]
    cols: Any  # numpy uint64 (tokens x attributes after LENGTH and SPACY)


def decode(text: str, record: bytes, vocab: Any, known: Sequence[str] = ()) -> Rows:
    """The tokens of `text` (the block as the model read it) from its record; InvalidBlock
    unless the record fits the text exactly."""
    import numpy as np

    try:
        body = zlib.decompress(record)
        (size,) = struct.unpack_from("<I", body)
        header = json.loads(body[4:4 + size].decode("utf-8"))
        n, widths, strings = header["n"], header["w"], header["s"]
        if (header.get("v") != SCHEMA or not isinstance(n, int) or n < 0
                or not isinstance(strings, list) or not isinstance(widths, list)
                or len(widths) != len(ATTRS) or any(w not in (0, 1, 2) for w in widths)):
            raise InvalidBlock("wrong header")
        at, parts = 4 + size, []
        for w in widths:
            end = at + n * (1 << w)
            if end > len(body):
                raise InvalidBlock("truncated")
            parts.append(np.frombuffer(body[at:end], dtype=_WIDTHS[w]).astype(np.int64))
            at = end
        if at != len(body):
            raise InvalidBlock("trailing bytes")
        cols = np.stack(parts) if parts else np.zeros((len(ATTRS), 0), dtype=np.int64)
    except (zlib.error, struct.error, ValueError, KeyError, TypeError, UnicodeDecodeError
            ) as exc:
        raise InvalidBlock(f"does not decode: {exc}") from None
    lengths, spaces = cols[0].tolist(), cols[1].tolist()
    if (min(lengths, default=1) < 1 or any(s not in (0, 1) for s in spaces)
            or sum(lengths) + sum(spaces) != len(text)):
        raise InvalidBlock("tokens do not cover the text")
    words: list[str] = []
    at = 0
    for length, space in zip(lengths, spaces, strict=True):
        words.append(text[at:at + length])
        at += length
        if space:
            if text[at] != " ":
                raise InvalidBlock("a token's whitespace is not in the text")
            at += 1
    heads = cols[ATTR_INDEX["HEAD"]] + np.arange(n)
    if n and (heads.min() < 0 or heads.max() >= n):
        raise InvalidBlock("a head outside the block")
    if not all(isinstance(s, str) for s in strings):
        raise InvalidBlock("a string that is not one")
    add = vocab.strings.add
    # code -> hash: 0 none, 1 the token's text, 2 its lower case, 3... the model's strings,
    # then the block's own
    table = np.array([0, 0, 0, *(add(s) for s in known), *(add(s) for s in strings)],
                     dtype=np.uint64)
    orth = lower = None
    out = np.zeros((n, len(ATTRS) - 2), dtype=np.uint64)
    for c, (_, kind) in enumerate(ATTRS[2:], start=2):
        col = cols[c]
        if kind != "str":
            out[:, c - 2] = col.view(np.uint64) if kind == "signed" else col.astype(np.uint64)
            continue
        if col.size and (col.min() < 0 or col.max() >= len(table)):
            raise InvalidBlock("a string index outside the table")
        values = table[col]
        same = col == _SAME_ORTH
        if same.any():
            if orth is None:
                orth = np.array([add(w) for w in words], dtype=np.uint64)
            values[same] = orth[same]
        same = col == _SAME_LOWER
        if same.any():
            if lower is None:
                lower = np.array([add(w.lower()) for w in words], dtype=np.uint64)
            values[same] = lower[same]
        out[:, c - 2] = values
    return Rows(words, [bool(s) for s in spaces], out)


def _drop_separator(rows: Rows, piece: str) -> Rows | None:
    """The rows of `piece` from those of `piece + SEP`: without the separator's token,
    when it is one token of its own that nothing depends on; else None."""
    import numpy as np

    n = len(rows.words)
    if n < 2 or rows.words[-1] != SEP or rows.spaces[-1]:
        return None
    heads = rows.cols[:, ATTR_INDEX["HEAD"] - 2].view(np.int64) + np.arange(n)
    if (heads[:-1] == n - 1).any():
        return None
    if sum(len(w) + s for w, s in zip(rows.words[:-1], rows.spaces[:-1], strict=True)) \
            != len(piece):
        return None
    return Rows(rows.words[:-1], rows.spaces[:-1], rows.cols[:-1])


def assemble(vocab: Any, parts: Sequence[Rows]) -> Doc:
    """One Doc from the rows of consecutive blocks (what Doc.from_docs does, in one go)."""
    import numpy as np
    from spacy.tokens import Doc

    words = [w for p in parts for w in p.words]
    spaces = [s for p in parts for s in p.spaces]
    doc = Doc(vocab, words=words, spaces=spaces)
    if words:
        cols: Any = np.concatenate([p.cols for p in parts])
        doc.from_array(_ids()[2:], cols)
    return doc


# --- the pass ------------------------------------------------------------------------------


def assemble_texts(vocab: Any, pieces: Sequence[Sequence[str]],
                  keys: Sequence[Sequence[str]], rows: dict[str, Rows]) -> list[Doc | None]:
    """Each text's Doc from its blocks' rows; None where the text must be run whole."""
    out: list[Doc | None] = []
    for ps, ks in zip(pieces, keys, strict=True):
        parts: list[Rows | None] = [rows[k] for k in ks]
        if ps and not ps[-1].endswith(SEP):
            last = parts[-1]
            parts[-1] = None if last is None else _drop_separator(last, ps[-1])
        # (the rows' words and spaces are the pieces' text: the Doc's text is `text`)
        out.append(assemble(vocab, [p for p in parts if p is not None])
                   if ps and None not in parts else None)
    return out


def block_docs(nlp: Language, texts: Sequence[str], cache: BlockCache | None,
               split: NlpSplit, batch_size: int = 16, n_process: int = 1) -> list[Doc]:
    """A Doc of each text, assembled from the cached analyses of its blocks; the blocks not
    in `cache` go through the model in one batched pass and into `cache` (with no cache,
    every block goes through the model)."""
    from sitegen.annotate.nlp import pipe_texts

    t0 = time.perf_counter()
    ident, known = model_identity(nlp), model_strings(nlp)
    pieces = [split_blocks(t) for t in texts]
    keys = [[block_key(ident, nlp_text(p)) for p in ps] for ps in pieces]
    inputs = {k: nlp_text(p) for ps, ks in zip(pieces, keys, strict=True)
              for p, k in zip(ps, ks, strict=True)}
    split.blocks += sum(len(ps) for ps in pieces)
    scope = cache.path if cache is not None else None  # (the preview: decoded before)
    rows: dict[str, Rows] = recall(scope, nlp.vocab, inputs)
    records = cache.get_many([k for k in inputs if k not in rows]) if cache is not None else {}
    for key, record in records.items():
        try:
            rows[key] = decode(inputs[key], record, nlp.vocab, known)
        except InvalidBlock:
            if cache is not None:
                cache.invalid += 1
    todo = [k for k in inputs if k not in rows]
    t1 = time.perf_counter()
    fresh = list(pipe_texts(nlp, [inputs[k] for k in todo], batch_size=batch_size,
                            n_process=max(1, min(n_process, len(todo))))) if todo else []
    t2 = time.perf_counter()
    split.blocks_new += len(todo)
    stored = []
    for key, made in zip(todo, fresh, strict=True):
        record = encode(made, known)
        stored.append((key, record))
        rows[key] = decode(inputs[key], record, nlp.vocab, known)  # the same Doc, cached or not
    if cache is not None:
        cache.put_many(stored)
    keep(scope, nlp.vocab, rows)
    out = assemble_texts(nlp.vocab, pieces, keys, rows)
    split.assemble += (t1 - t0) + (time.perf_counter() - t2)
    whole = [i for i, d in enumerate(out) if d is None]
    if whole:  # empty, or a block whose separator is not a token of its own: as one text
        t3 = time.perf_counter()
        for i, doc in zip(whole, pipe_texts(nlp, [texts[i] for i in whole]), strict=True):
            out[i] = doc
        split.nlp += time.perf_counter() - t3
        split.whole += len(whole)
    split.nlp += t2 - t1
    return [d for d in out if d is not None]
