"""`sitegen entities --missing`: entities the content names that the knowledge base lacks."""

from __future__ import annotations

from collections import Counter
from pathlib import Path

import yaml

from sitegen.build.engine import annotate, load_data, parse_all
from sitegen.config.site import load_config
from sitegen.source.kb import LABEL_TYPES


def missing_entities(site: Path, limit: int = 50) -> str:
    """Most frequent first, each with a ready-to-edit YAML stub for entities.yaml."""
    config = load_config(site.resolve())
    kb, glossary = load_data(config)
    known = kb.by_id()
    docs = annotate(parse_all(config), config, kb, glossary).documents
    counts: Counter[str] = Counter()
    info: dict[str, tuple[str, str, set[str], set[str]]] = {}
    for doc in docs:
        for m in doc.annotations.entities:
            if m.entity_id in known or m.label not in config.entities.types:
                continue
            counts[m.entity_id] += 1
            name, label, forms, articles = info.setdefault(
                m.entity_id, (m.name, m.label, set(), set()))
            forms.add(m.text)
            articles.add(doc.document.source.rel)
    if not counts:
        return "# every entity found in the content has a knowledge-base entry\n"
    entities = "1 entity" if len(counts) == 1 else f"{len(counts)} entities"
    out = [f"# {entities} without a knowledge-base entry, most frequent first.\n"
           f"# Paste what you want into {config.content_dir}/{config.entities.file}.\n"]
    for eid, n in sorted(counts.items(), key=lambda kv: (-kv[1], kv[0]))[:limit]:
        name, label, forms, articles = info[eid]
        stub = [{
            "id": eid, "name": name, "type": LABEL_TYPES.get(label, "other"),
            "aliases": sorted(f for f in forms if f != name), "description": "",
        }]
        out.append(f"# {plural(n, 'mention')} in {plural(len(articles), 'article')}")
        out.append(yaml.safe_dump(stub, sort_keys=False, allow_unicode=True).rstrip())
    return "\n".join(out) + "\n"


def plural(n: int, word: str) -> str:
    """'1 mention', '2 mentions'."""
    return f"{n} {word}" if n == 1 else f"{n} {word}s"
