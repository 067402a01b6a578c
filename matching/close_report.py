"""The free-text search's "no close match" section of docs/evaluation.md (``python -m matching.evaluate
--write``), from the figures of the last ``python -m bench.search_floor``."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Final

from matching.text_search import CLOSE_SEMANTIC

DEMO_REPORT: Final = Path(__file__).resolve().parent.parent / "bench" / "results" / "search_floor_demo.md"
SEARCH_FLOOR_REPORT: Final = (
    Path(__file__).resolve().parent.parent / "bench" / "results" / "search_floor.json"
)


def close_match_section() -> str:
    """The free-text search's "no close match" rule and the figures of the last ``python -m
    bench.search_floor`` (bench/results/search_floor.json); empty when it was not run."""
    if not SEARCH_FLOOR_REPORT.exists():
        return ""
    measured = json.loads(SEARCH_FLOOR_REPORT.read_text("utf-8"))
    sets = list(measured["sets"])
    lines = [
        "",
        "## No close match (free-text search)",
        "",
        "The match search lists its nearest needs or jobseekers whatever the text, so nonsense got fits of",
        "30-40 shown like real hits (the fit bands are measured on jobseeker-need pairs, not on search",
        "texts). A result is therefore marked close (`close` in the API; the page puts the others under a",
        "heading, or says above the list that nothing is close) when it holds a word of the text (the word,",
        "its stem, or a longer word they begin, as trukki in trukkikortti; not merely character 4-grams:",
        "random letters share 4-grams with many texts, and one such 4-gram can",
        "give a lexical strength near 1) or its calibrated semantic component reaches "
        f"{CLOSE_SEMANTIC} (`matching/text_search.py`).",
        "",
        f"Measured by `python -m bench.search_floor` with `{measured['model']}`: the search's code path",
        "over the 3 007 needs of T1, top 20, for queries with a known relevant need (Finnish titles and",
        "alternative titles, Swedish and English titles, profiles) and for random letters and off-domain",
        "words. Queries whose top 20 hold nothing close, with, in brackets, the relevant needs found in",
        "the top 20 that are not called close:",
        "",
    ]
    rows = []
    for floor in (0.65, CLOSE_SEMANTIC, 0.75):
        row = measured["grid"][f"{floor} / word"]
        cells = []
        for name in sets:
            cell, queries = row[name], measured["sets"][name]["queries"]
            found = (
                f" ({cell['relevant not close']}/{cell['relevant in top']})"
                if cell["relevant in top"]
                else ""
            )
            cells.append(f"{cell['flagged']}/{queries}{found}")
        rows.append([f"{floor}" + (" (used)" if floor == CLOSE_SEMANTIC else ""), *cells])
    header = ["semantic floor", *sets]
    lines += ["| " + " | ".join(header) + " |", "|---|" + "---:|" * len(sets)]
    lines += ["| " + " | ".join(row) + " |" for row in rows]
    lines += [
        "",
        "The floor trades nonsense caught against real queries flagged; a wrong flag costs little (the",
        "list is still shown, under the notice). Swedish and English titles rarely share a word with Finnish",
        "needs and rest on meaning alone. Full grid: bench/results/search_floor.md.",
    ]
    if DEMO_REPORT.exists():  # python -m bench.search_floor_demo: everyday queries on the demo area
        demo = DEMO_REPORT.read_text("utf-8").split("Queries with nothing close:", 1)[-1].strip()
        lines += [
            "",
            "On the demo area (`python -m bench.search_floor_demo`, queries listed there), queries",
            "with nothing close:",
            "",
            demo,
        ]
    return "\n".join(lines) + "\n"
