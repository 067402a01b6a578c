"""Free text against one side of the market: the nearest entries by meaning and words, and whether each
is *close* to the text.

A search always returns its nearest entries, so a text that matches nothing ("xqzv blorf", a word from
another walk of life) still gets a list whose fits (30-40 of 100) look like those of real hits. The fit
bands cannot tell them apart: they are measured on jobseeker-need pairs, not on search texts
(:mod:`matching.calibration`). A result is therefore called close when it holds a word of the text
(:meth:`matching.lexical.LexicalIndex.word_hits`: the word, its stem or a longer word they begin, not
merely character 4-grams, which random letters share with many texts) or when its meaning is near enough
(:data:`CLOSE_SEMANTIC`). How often the rule errs either way is measured by ``python -m
bench.search_floor`` (docs/evaluation.md, "No close match").
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, Final

import numpy as np
import numpy.typing as npt

from matching.calibration import Calibration
from matching.ranking import FusionWeights, candidate_pool, fuse
from matching.side import Side

CLOSE_SEMANTIC: Final = 0.7
"""The least semantic component (on the calibrated scale, :mod:`matching.calibration`) of a result
without a shared word that is still called close.

Measured with multilingual-e5-small over the 3 007 needs of the public profile-to-need task, top 20
(``python -m bench.search_floor``, bench/results/search_floor.md): at 0.7 the top 20 of 560 of 600
random-letter queries hold nothing close (93 %; 18 of 40 off-domain words), while the queries flagged
wrongly are none of 600 Finnish occupation titles or jobseeker profiles, 27 of 600 Finnish alternative
titles (4.5 %), and 57 and 46 of 600 Swedish and English titles (9.5 %, 7.7 %), which seldom share a
word with the Finnish needs. 0.65 would flag about half as many real queries but catch only 74 % of
the nonsense; 0.75, 98 % against 22 % of the Swedish titles. On the demo area
(``python -m bench.search_floor_demo``) every nonsense and off-domain query is flagged, and 7 (needs)
and 8 (jobseekers) of 25 everyday ones ("aamuvuoro", "nurse", ...; "trukki" and "siivous" are not
among them). A wrong flag costs little: the list is still shown, under a notice."""


@dataclass(frozen=True, slots=True)
class TextHit:
    """One result of a free-text search: the entry, its fused total and whether it is close."""

    id: int
    score: float
    close: bool


def is_close(semantic: float, shares_a_word: bool) -> bool:
    """Whether a result is close to the search text (see the module's docstring)."""
    return shares_a_word or semantic >= CLOSE_SEMANTIC


def rank_text(
    side: Side[Any],
    vector: npt.NDArray[np.float32],
    text: str,
    lang: str,
    allowed: npt.NDArray[np.int64],
    limit: int,
    *,
    pool_size: int,
    weights: FusionWeights,
    calibration: Calibration,
) -> list[TextHit]:
    """The best ``limit`` of ``allowed`` for ``text`` (encoded as ``vector``), best first, each marked
    close or not. Before the side's BM25 is built (just after a restart) no word is shared, so only
    meaning can make a result close."""
    pool = candidate_pool(
        side.index,
        vector,
        lexical=side.lexical,
        query_text=text,
        lang=lang,
        pool_size=pool_size,
        allowed=allowed,
    )
    ranked = fuse(
        pool.ids, semantic=pool.semantic, lexical=pool.lexical, weights=weights, calibration=calibration
    )
    ranked = ranked[:limit]
    ids = np.fromiter((r.id for r in ranked), dtype=np.int64, count=len(ranked))
    words = side.lexical.word_hits(text, lang, ids) if side.lexical is not None else set()
    return [TextHit(r.id, round(r.total, 4), is_close(r.components.semantic, r.id in words)) for r in ranked]
