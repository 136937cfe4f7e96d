"""Generate a synthetic news site of N articles for benchmarks, deterministic with a seed.

Each article is about 600 words of templated news prose: recurring (invented) people,
organisations and places that are in the knowledge base, direct and reported quotes, and
glossary terms. The same Markdown is written in three layouts so that sitegen, Hugo and
Pelican build the same text:

    DIR/sitegen/   site.toml, content/articles/*.md (YAML front matter), KB, glossary
    DIR/hugo/      hugo.toml, minimal layouts, content/posts/*.md (YAML front matter)
    DIR/pelican/   pelicanconf.py, content/*.md (Pelican's `Key: value` metadata)

    .venv/bin/python benchmarks/gen_site.py DIR --articles 1000 --seed 7
"""

from __future__ import annotations

import argparse
import datetime as dt
import random
import shutil
from dataclasses import dataclass
from pathlib import Path

FIRST = ["Anna", "Bram", "Carla", "Daan", "Eva", "Floris", "Greta", "Hugo", "Ilse", "Joost",
         "Karin", "Lars", "Marit", "Niels", "Olga", "Pim", "Roos", "Sven", "Tessa", "Wout",
         "Yara", "Zeno", "Lieke", "Maarten", "Noor", "Ruben", "Sanne", "Thijs", "Vera", "Koen"]
LAST = ["Aalbers", "Brouwer", "Claassen", "Dekker", "Everts", "Faber", "Geurts", "Hendriks",
        "Jacobs", "Kuipers", "Lammers", "Mulder", "Nijhuis", "Oosterhof", "Postma", "Reinders",
        "Smits", "Timmers", "Veenstra", "Willems", "Zwart", "Bosman", "Koster", "Meijer"]
ROLES = ["the finance minister", "the mayor", "a union leader", "the chief executive",
         "a spokesperson", "the opposition leader", "a senior engineer", "the board chair",
         "an economist", "the health commissioner"]
ORGS = ["Northgate Shipping", "Kestrel Energy", "the Harbour Authority", "Veldmark Bank",
        "the Regional Water Board", "Alder Telecom", "the Civic Union", "Brightwater Health",
        "the Coastal Guard", "Meridian Rail", "the National Audit Office", "Solace Insurance",
        "Greyfield Logistics", "the Liberal Alliance", "the Green Front", "Harrow University"]
PLACES = ["Eastmouth", "Valbourg", "Kingsferry", "Marlow Bay", "Dunholt", "Port Avery",
          "Ostrava Flats", "Lindenhaven", "Corran", "Westreach"]
TERMS = [("storm surge", "A rise of the sea above the normal tide driven by a storm."),
         ("coalition agreement", "The written programme the governing parties agree on."),
         ("data breach", "An incident in which protected data is exposed without leave."),
         ("inflation", "The rate at which prices rise over a period."),
         ("bond yield", "The return an investor earns on a bond."),
         ("no-confidence vote", "A parliamentary vote on whether the government keeps office."),
         ("ransomware", "Malicious software that locks data until a ransom is paid."),
         ("dike", "An embankment built to keep water out of low land."),
         ("subsidy", "Money a government grants to keep a price low or an activity going."),
         ("quarterly earnings", "A company's profit or loss over three months."),
         ("budget deficit", "The amount by which spending exceeds revenue."),
         ("supply chain", "The network that moves a product from supplier to customer."),
         ("interest rate", "The price of borrowing money, as a share of the loan."),
         ("referendum", "A direct vote of the electorate on one question."),
         ("encryption", "Encoding data so that only authorised parties can read it.")]
TAGS = ["economy", "politics", "climate", "technology", "health", "transport", "city"]

OPENERS = [
    "{person} said on {day} that {org} would {verb} its plans for {place}.",
    "Officials in {place} confirmed that {org} had reached a deal after weeks of talks.",
    "{org} announced a review of its {term} policy, a move {person} called overdue.",
    "Residents of {place} woke to news that {org} was facing questions about a {term}.",
]
SENTENCES = [
    "The decision follows months of debate in {place}, where {org} has long been the largest "
    "employer.",
    "Critics argue that the {term} was foreseeable and that {org} ignored repeated warnings.",
    "According to {org}, the costs will be spread over the next five years.",
    "{person}, who has led the talks since spring, declined to give a timetable.",
    "Analysts at {org} expect the {term} to weigh on growth in the coming quarter.",
    "The council in {place} will meet again on {day} to discuss the {term}.",
    "Several members of {org} said privately that the plan had little support.",
    "A report published by {org} last year warned of a similar {term} in {place}.",
    "{person} told reporters that the figures were \"not a reason to panic\".",
    "The {term} has become a recurring theme in the campaign, with {org} at its centre.",
    "Local businesses in {place} reported a sharp fall in orders after the announcement.",
    "In a statement, {org} said it would cooperate fully with the inquiry.",
    "{person} has previously served on the board of {org} and as an adviser in {place}.",
    "Earlier this month, {person} met representatives of {org} in {place}.",
    "The opposition has demanded a debate on the {term} before the summer recess.",
    "Engineers from {org} inspected the site in {place} on {day}.",
]
QUOTES = [
    "\"We will not accept a {term} of this size without a full explanation,\" said {person}.",
    "\"This is a difficult day for everyone in {place},\" {person} told the council.",
    "{person} said the {term} was \"a warning we cannot afford to ignore\".",
    "\"Our priority is the safety of the people of {place},\" a spokesperson for {org} said.",
    "According to {person}, the {term} could cost {org} millions.",
    "\"The numbers speak for themselves,\" said {person}, {role} of {org}.",
]
VERBS = ["expand", "delay", "scale back", "accelerate", "reconsider", "announce"]
DAYS = ["Monday", "Tuesday", "Wednesday", "Thursday", "Friday"]


@dataclass(frozen=True)
class Article:
    slug: str
    title: str
    date: dt.date
    tags: tuple[str, ...]
    summary: str
    body: str


def _people(rng: random.Random) -> list[str]:
    names = {f"{rng.choice(FIRST)} {rng.choice(LAST)}" for _ in range(200)}
    return sorted(names)[:40]


def make_article(i: int, rng: random.Random, people: list[str], words: int = 600) -> Article:
    cast = rng.sample(people, 4)
    orgs = rng.sample(ORGS, 3)
    places = rng.sample(PLACES, 2)
    terms = rng.sample(TERMS, 3)

    def fill(template: str) -> str:
        person = rng.choice(cast)
        # Second mentions by surname, as news style has it.
        if rng.random() < 0.4:
            person = person.split()[-1]
        text = template.format(person=person, org=rng.choice(orgs), place=rng.choice(places),
                               term=rng.choice(terms)[0], day=rng.choice(DAYS),
                               verb=rng.choice(VERBS), role=rng.choice(ROLES))
        return text[0].upper() + text[1:]

    paragraphs: list[str] = []
    count = 0
    para: list[str] = [fill(rng.choice(OPENERS))]
    while count < words:
        pool = QUOTES if rng.random() < 0.3 else SENTENCES
        para.append(fill(rng.choice(pool)))
        if len(para) >= rng.randint(3, 5):
            paragraphs.append(" ".join(para))
            count += sum(len(s.split()) for s in para)
            para = []
    if para:
        paragraphs.append(" ".join(para))
    mid = len(paragraphs) // 2
    paragraphs.insert(mid, f"## What happens next in {places[0]}")
    paragraphs.insert(mid + 2, "> " + fill(rng.choice(QUOTES)))
    title = f"{orgs[0].removeprefix('the ').title()} faces questions over {terms[0][0]} " \
            f"in {places[0]}"
    date = dt.date(2024, 1, 1) + dt.timedelta(days=(i * 7) % 700)
    return Article(slug=f"story-{i:05d}", title=title, date=date,
                   tags=tuple(rng.sample(TAGS, 2)),
                   summary=f"{cast[0]} and {orgs[0]} at the centre of a dispute.",
                   body="\n\n".join(paragraphs) + "\n")


def _yaml_front(a: Article) -> str:
    tags = ", ".join(a.tags)
    return (f'---\ntitle: "{a.title}"\ndate: {a.date.isoformat()}\ntags: [{tags}]\n'
            f'summary: "{a.summary}"\n---\n\n')


def _pelican_front(a: Article) -> str:
    return (f"Title: {a.title}\nDate: {a.date.isoformat()}\nTags: {', '.join(a.tags)}\n"
            f"Slug: {a.slug}\nSummary: {a.summary}\n\n")


def _kb(people: list[str]) -> str:
    out = ["# Synthetic knowledge base (benchmarks/gen_site.py)\n"]
    for name in people:
        out.append(f"- name: {name}\n  type: person\n  aliases: [{name.split()[-1]}]\n"
                   f"  description: \"A recurring figure in the synthetic news.\"\n")
    for org in ORGS:
        out.append(f"- name: {org.removeprefix('the ')}\n  type: organisation\n"
                   f"  description: \"An invented organisation.\"\n")
    for place in PLACES:
        out.append(f"- name: {place}\n  type: place\n  description: \"An invented town.\"\n")
    return "\n".join(out)


def _glossary() -> str:
    return "\n".join(f"- term: {t}\n  definition: \"{d}\"\n" for t, d in TERMS)


HUGO_LAYOUT = """<!doctype html><html><head><title>{{ .Title }}</title></head><body>
<h1>{{ .Title }}</h1>{{ .Content }}</body></html>
"""
HUGO_LIST = """<!doctype html><html><head><title>{{ .Title }}</title></head><body>
<h1>{{ .Title }}</h1><ul>{{ range .Paginator.Pages }}<li><a href="{{ .RelPermalink }}">
{{ .Title }}</a> {{ .Date.Format "2 January 2006" }} {{ .Summary }}</li>{{ end }}</ul>
</body></html>
"""


def generate(root: Path, articles: int, seed: int = 7, distinct: int | None = None) -> Path:
    """Write the three layouts under `root` (replaced if it exists); returns `root`.

    With `distinct` = K, article i >= K reuses the body of article i % K under its own
    title, slug and date (the first K articles are those of a K-article site with the same
    seed): a large site whose annotations a K-article cache already holds.
    """
    rng = random.Random(seed)
    people = _people(rng)
    if root.exists():
        shutil.rmtree(root)
    sg, hugo, pel = root / "sitegen", root / "hugo", root / "pelican"
    (sg / "content/articles").mkdir(parents=True)
    (hugo / "content/posts").mkdir(parents=True)
    (pel / "content").mkdir(parents=True)
    (sg / "site.toml").write_text(
        'title = "Synthetic Ledger"\npermalink = "{year}/{month}/{slug}/"\npaginate = 10\n',
        "utf-8")
    (sg / "content/entities.yaml").write_text(_kb(people), "utf-8")
    (sg / "content/glossary.yaml").write_text(_glossary(), "utf-8")
    (hugo / "hugo.toml").write_text(
        'baseURL = "/"\ntitle = "Synthetic Ledger"\ndisableKinds = ["RSS"]\n'
        '[pagination]\npagerSize = 10\n[permalinks]\nposts = "/:year/:month/:slug/"\n', "utf-8")
    layouts = hugo / "layouts"
    layouts.mkdir()
    (layouts / "single.html").write_text(HUGO_LAYOUT, "utf-8")
    for name in ("list.html", "home.html", "taxonomy.html", "term.html"):
        (layouts / name).write_text(HUGO_LIST, "utf-8")
    (pel / "pelicanconf.py").write_text(
        'SITENAME = "Synthetic Ledger"\nSITEURL = ""\nPATH = "content"\nTIMEZONE = "UTC"\n'
        'DEFAULT_LANG = "en"\nDEFAULT_PAGINATION = 10\nRELATIVE_URLS = True\n'
        'ARTICLE_URL = ARTICLE_SAVE_AS = "{date:%Y}/{date:%m}/{slug}/index.html"\n', "utf-8")
    bodies: list[str] = []
    for i in range(articles):
        a = make_article(i, rng, people)
        if distinct is not None and i >= distinct:
            a = Article(a.slug, f"{a.title} ({i})", a.date, a.tags, a.summary,
                        bodies[i % distinct])
        elif distinct is not None:
            bodies.append(a.body)
        (sg / f"content/articles/{a.slug}.md").write_text(_yaml_front(a) + a.body, "utf-8")
        (hugo / f"content/posts/{a.slug}.md").write_text(_yaml_front(a) + a.body, "utf-8")
        (pel / f"content/{a.slug}.md").write_text(_pelican_front(a) + a.body, "utf-8")
    return root


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0] if __doc__ else None)
    ap.add_argument("dir", type=Path)
    ap.add_argument("--articles", "-n", type=int, default=100)
    ap.add_argument("--seed", type=int, default=7)
    ap.add_argument("--distinct", type=int, default=None,
                    help="reuse the bodies of the first K articles for the rest")
    args = ap.parse_args()
    generate(args.dir, args.articles, args.seed, args.distinct)
    print(f"wrote {args.articles} articles to {args.dir}/{{sitegen,hugo,pelican}}")


if __name__ == "__main__":
    main()
