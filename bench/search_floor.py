"""How close a free-text search's best results are, for real queries and for nonsense.

The match search (``MatchingEngine.search_text``) always returns its nearest needs, so a query that
matches nothing still gets a list with fits of 30-40. This measures, with the search's own code path
(``candidate_pool`` + ``fuse``, query encoded as ``query:``, needs as ``passage:``, pool 60, top 20 as
the web page shows), the semantic component (calibrated scale) and the lexical strength of the results
of

- real queries against the 3 007 Finnish needs of T1_profile_fi_to_need_fi: each need's Finnish
  occupation title, Finnish alternative labels (T2's corpus), Swedish (T2) and English (T3) job titles,
  and the T1 jobseeker profiles; each has a known relevant need (same ESCO occupation);
- nonsense: random letter strings and keyboard mash; and off-domain words (no job in them).

For a grid of floors it counts the real queries whose top 20 hold no close result (wrongly flagged),
relevant needs found in the top 20 but not called close, and nonsense queries caught. The rule chosen
is :func:`matching.text_search.is_close` (a shared word, or :data:`~matching.text_search.CLOSE_SEMANTIC`); the
figures are in docs/evaluation.md ("No close match").

    .venv/bin/python -m bench.search_floor [--embedder auto|fake] [--sample 600]
"""

from __future__ import annotations

import argparse
import json
import random
import string
import time
from pathlib import Path
from typing import Any

import numpy as np

from bench.lora import cpu_name
from embeddings.embedder import get_embedder
from matching.calibration import load as load_calibration
from matching.evaluate import DEFAULT_TASKS_DIR, encode_cached, load_task
from matching.faiss_index import FaissIndex
from matching.lexical import LexicalIndex
from matching.ranking import FusionWeights, candidate_pool, fuse
from matching.text_search import CLOSE_SEMANTIC

RESULTS = Path(__file__).resolve().parent / "results"
TOP = 20
POOL = 60
SEMANTIC_GRID = (0.0, 0.3, 0.5, 0.55, 0.6, 0.625, 0.65, 0.675, 0.7, 0.725, 0.75, 0.8)
LEXICAL_RULES = ("word", "0.5", "none")
"""What counts as a lexical hit: a whole query word in the need, a lexical strength of at least 0.5
(4-grams included), or nothing (meaning alone)."""

OFF_DOMAIN = (
    "dinosaurus",
    "lohikäärme",
    "kvanttimekaniikka",
    "Eurovision laulukilpailu",
    "pyramidit",
    "marsilainen",
    "tähtisumu",
    "sateenkaari",
    "joulupukki",
    "muumipeikko",
    "revontulet",
    "mustekala",
    "yksisarvinen",
    "avaruusalus",
    "kummitus",
    "vampyyri",
    "tulivuorenpurkaus",
    "meteoriitti",
    "banaanikärpänen",
    "hiekkalinna",
    "enhörning",
    "rymdskepp",
    "regnbåge",
    "spöke",
    "unicorn",
    "spaceship",
    "galaxy far away",
    "ghost story",
    "volcano eruption",
    "dragon",
    "lottovoitto",
    "horoskooppi",
    "keijukainen",
    "taikasauva",
    "aikakone",
    "merirosvolaiva",
    "lentävä matto",
    "time machine",
    "tidsmaskin",
    "sjörövare",
)


def nonsense(count: int, seed: int = 7) -> list[str]:
    """Random letter strings of one to three words, and keyboard mash."""
    rng = random.Random(seed)
    letters = string.ascii_lowercase + "äö"
    made = ["xqzv blorf", "asdf qwer", "qwertyuiop", "lorem ipsum dolor", "zxcvb", "jkjkjk hhh", "ööö äää"]
    while len(made) < count:
        words = [
            "".join(rng.choice(letters) for _ in range(rng.randint(3, 9))) for _ in range(rng.randint(1, 3))
        ]
        made.append(" ".join(words))
    return made


def real_queries(sample: int, seed: int = 11) -> dict[str, list[tuple[str, str, str]]]:
    """Per kind: (text, lang, relevant need id) samples."""
    rng = random.Random(seed)
    t1 = load_task(DEFAULT_TASKS_DIR / "T1_profile_fi_to_need_fi")
    corpus_ids = {doc.id for doc in t1.corpus}
    kinds: dict[str, list[tuple[str, str, str]]] = {}
    titles = [
        json.loads(line) for line in (DEFAULT_TASKS_DIR / "T1_profile_fi_to_need_fi" / "corpus.jsonl").open()
    ]
    kinds["fi title"] = [(row["title"], "fi", row["id"]) for row in titles]
    alternatives = []
    for line in (DEFAULT_TASKS_DIR / "T2_title_sv_to_occupation_fi" / "corpus.jsonl").open():
        row = json.loads(line)
        for label in row["text"].split(";")[1:]:
            if label.strip() and row["id"] in corpus_ids:
                alternatives.append((label.strip(), "fi", row["id"]))
    kinds["fi alternative label"] = alternatives
    for name, task in (
        ("sv title", "T2_title_sv_to_occupation_fi"),
        ("en title", "T3_title_en_to_occupation_fi"),
    ):
        loaded = load_task(DEFAULT_TASKS_DIR / task)
        kinds[name] = [
            (q.text, q.lang, sorted(loaded.relevant[q.id])[0])
            for q in loaded.queries
            if loaded.relevant[q.id] & corpus_ids
        ]
    kinds["fi profile"] = [(q.text, q.lang, sorted(t1.relevant[q.id])[0]) for q in t1.queries]
    return {name: rng.sample(rows, min(sample, len(rows))) for name, rows in kinds.items()}


def measure(embedder_kind: str, sample: int) -> dict[str, Any]:
    embedder = get_embedder(embedder_kind, Path("var/model/multilingual-e5-small"))
    calibration = load_calibration(embedder.model_id)
    t1 = load_task(DEFAULT_TASKS_DIR / "T1_profile_fi_to_need_fi")
    doc_position = {doc.id: position for position, doc in enumerate(t1.corpus)}
    vectors = encode_cached(embedder, [doc.text for doc in t1.corpus], "passage")
    index = FaissIndex(embedder.dim)
    index.add(np.arange(len(t1.corpus), dtype=np.int64), vectors)
    lexical = LexicalIndex.build((position, doc.text, doc.lang) for position, doc in enumerate(t1.corpus))
    sets: dict[str, list[tuple[str, str, str | None]]] = {
        name: [(text, lang, relevant) for text, lang, relevant in rows]
        for name, rows in real_queries(sample).items()
    }
    sets["nonsense"] = [(text, "fi", None) for text in nonsense(sample)]
    sets["off-domain words"] = [(text, "fi", None) for text in OFF_DOMAIN]
    measured: dict[str, Any] = {}
    for name, rows in sets.items():
        query_vectors = encode_cached(embedder, [text for text, _, _ in rows], "query")
        results = []
        for (text, lang, relevant), vector in zip(rows, query_vectors, strict=True):
            pool = candidate_pool(index, vector, lexical=lexical, query_text=text, lang=lang, pool_size=POOL)
            ranked = fuse(
                pool.ids,
                semantic=pool.semantic,
                lexical=pool.lexical,
                weights=FusionWeights(),
                calibration=calibration,
            )[:TOP]
            words = lexical.word_hits(text, lang, np.array([r.id for r in ranked], dtype=np.int64))
            top = [
                (r.id, r.components.semantic, r.components.lexical or 0.0, r.total, r.id in words)
                for r in ranked
            ]
            target = doc_position.get(relevant) if relevant else None
            results.append({"top": top, "relevant": target})
        measured[name] = results
    return {"model": embedder.model_id, "sets": measured}


def _close(item: list[Any], s_floor: float, rule: str) -> bool:
    _, semantic, strength, _, word = item
    if rule == "word":
        return semantic >= s_floor or bool(word)
    if rule == "none":
        return semantic >= s_floor
    return semantic >= s_floor or strength >= float(rule)


def summarise(measured: dict[str, Any]) -> dict[str, Any]:
    """Per set: the best result's components (quartiles), and per floor pair the flagged shares."""
    summary: dict[str, Any] = {"model": measured["model"], "sets": {}, "grid": {}}
    for name, results in measured["sets"].items():
        best_sem = np.array([max(t[1] for t in r["top"]) for r in results])
        best_lex = np.array([max(t[2] for t in r["top"]) for r in results])
        best_total = np.array([r["top"][0][3] for r in results])
        word_hit = sum(any(t[4] for t in r["top"]) for r in results)
        summary["sets"][name] = {
            "queries": len(results),
            "best semantic p5/p50/p95": [round(float(np.percentile(best_sem, p)), 3) for p in (5, 50, 95)],
            "best lexical p5/p50/p95": [round(float(np.percentile(best_lex, p)), 3) for p in (5, 50, 95)],
            "top fit p5/p50/p95": [round(100 * float(np.percentile(best_total, p))) for p in (5, 50, 95)],
            "with a word hit": word_hit,
        }
    for rule in LEXICAL_RULES:
        for s_floor in SEMANTIC_GRID:
            row: dict[str, Any] = {}
            for name, results in measured["sets"].items():
                flagged = sum(not any(_close(t, s_floor, rule) for t in r["top"]) for r in results)
                found = [t for r in results for t in r["top"] if t[0] == r["relevant"]]
                missed = sum(not _close(t, s_floor, rule) for t in found)
                row[name] = {"flagged": flagged, "relevant in top": len(found), "relevant not close": missed}
            summary["grid"][f"{s_floor} / {rule}"] = row
    return summary


def markdown(summary: dict[str, Any], seconds: float) -> str:
    names = list(summary["sets"])
    lines = [
        f"# Search floor: {summary['model']}",
        "",
        f"`python -m bench.search_floor`, {cpu_name()}, {seconds:.0f} s. Top {TOP} of a pool of {POOL}"
        " over the 3 007 needs of T1. Chosen: semantic ≥ "
        f"{CLOSE_SEMANTIC} or a shared whole word.",
        "",
        "| set | queries | best semantic p5/p50/p95 | best lexical p5/p50/p95 | top fit p5/p50/p95"
        " | word hit |",
        "|---|---:|---|---|---|---:|",
    ]
    for name in names:
        s = summary["sets"][name]
        lines.append(
            f"| {name} | {s['queries']} | {s['best semantic p5/p50/p95']} | {s['best lexical p5/p50/p95']}"
            f" | {s['top fit p5/p50/p95']} | {s['with a word hit']} |"
        )
    lines += ["", "Queries with no close result in the top 20 (relevant found but not close), per floor:", ""]
    lines.append("| semantic floor / lexical hit | " + " | ".join(names) + " |")
    lines.append("|---|" + "---:|" * len(names))
    for key, row in summary["grid"].items():
        cells = []
        for name in names:
            cell = row[name]
            extra = (
                f" ({cell['relevant not close']}/{cell['relevant in top']})"
                if cell["relevant in top"]
                else ""
            )
            cells.append(f"{cell['flagged']}/{summary['sets'][name]['queries']}{extra}")
        lines.append(f"| {key} | " + " | ".join(cells) + " |")
    return "\n".join(lines) + "\n"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--embedder", default="auto")
    parser.add_argument("--sample", type=int, default=600)
    args = parser.parse_args()
    started = time.perf_counter()
    measured = measure(args.embedder, args.sample)
    raw = Path("var/cache/eval") / f"search_floor_{args.embedder}.json"
    raw.write_text(json.dumps(measured), encoding="utf-8")  # every result, for a closer look
    summary = summarise(measured)
    seconds = time.perf_counter() - started
    RESULTS.mkdir(exist_ok=True)
    stem = "search_floor" if args.embedder == "auto" else f"search_floor_{args.embedder}"
    (RESULTS / f"{stem}.json").write_text(json.dumps(summary, indent=1, ensure_ascii=False) + "\n")
    (RESULTS / f"{stem}.md").write_text(markdown(summary, seconds), encoding="utf-8")
    print(markdown(summary, seconds))


if __name__ == "__main__":
    main()
