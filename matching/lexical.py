"""BM25 over Finnish, Swedish and English text (bm25s with Snowball stemmers from PyStemmer).

Text is lower-cased and split into words (letters and digits; punctuation is dropped). Each word is
stemmed with the Snowball stemmer of the text's language hint; Finnish keeps the surface word beside
the stem, because Finnish stems are aggressive and the exact inflected form is often the better clue.
Unknown language hints fall back to plain words.

Every word also contributes its character 4-grams (with word-boundary marks, as "#<tru", "#truk", ...).
They find the parts of Finnish compounds ("trukki" in "haarukkatrukki") and the cognates shared across
Finnish, Swedish and English ("logistiikka" / "logistik" / "logistics"): on the Swedish-to-Finnish
title task they lift BM25's MRR@10 from 0.03 to 0.13 (docs/evaluation.md).

The index is bm25s's sparse matrix of precomputed per-term document scores. A query's scores are the
sums of its terms' columns, added up by a small compiled loop (numba): bm25s's own numpy path
(``np.add.at``) took 1.5 ms of every ranking at 100 000 documents, the loop takes ~0.1 ms for the same
sums (bench/results/PROFILE.md).
"""

from __future__ import annotations

import bisect
import re
from collections.abc import Iterable
from functools import lru_cache
from typing import Final

import bm25s
import numba
import numpy as np
import numpy.typing as npt
import Stemmer

from matching.id_positions import DENSE_ID_LIMIT, positions_in_dense, positions_in_sorted, sorted_positions

_WORD: Final = re.compile(r"[^\W_]+")
_STEMMERS: Final = {"fi": "finnish", "sv": "swedish", "en": "english"}
_GRAM: Final = 4
_MIN_PRUNED_DF: Final = 50
WORD_PREFIX: Final = 5
"""A query word (or stem) this long or longer also finds the longer words it begins (`word_hits`)."""
MAX_QUERY_TERMS: Final = 64
"""A query is scored on at most this many distinct terms, its rarest (highest IDF). A profile has ~240
(words, stems and 4-grams); scoring all of them summed ~600 000 postings at 100 000 documents. On the
profile-to-need task, 64 gave the best fused ranking of 24, 32, 48, 64, 96, 128 and all (MRR@10 0.2809
against 0.2736 with all terms; docs/evaluation.md); titles and skill labels have fewer terms."""


@lru_cache(maxsize=len(_STEMMERS))
def _stemmer(lang: str) -> Stemmer.Stemmer:
    return Stemmer.Stemmer(_STEMMERS[lang])


@lru_cache(maxsize=500_000)
def _word_terms(word: str, lang: str) -> tuple[str, ...]:
    """Index terms of one lower-cased word (words repeat a lot, so this is cached)."""
    if lang not in _STEMMERS:
        terms: tuple[str, ...] = (word,)
    elif lang == "fi":
        stem: str = _stemmer(lang).stemWord(word)
        terms = (word,) if stem == word else (word, stem)
    else:
        terms = (_stemmer(lang).stemWord(word),)
    marked = f"<{word}>"
    return terms + tuple("#" + marked[i : i + _GRAM] for i in range(max(1, len(marked) - _GRAM + 1)))


def tokenize(text: str, lang: str) -> list[str]:
    """Index terms of `text`: per word its stem (fi: the word and its stem) and its character 4-grams.

    Unknown language hints keep plain words instead of stems.
    """
    hint = lang.casefold()[:2]
    terms: list[str] = []
    for word in _WORD.findall(text.casefold()):
        terms.extend(_word_terms(word, hint))
    return terms


class LexicalIndex:
    """A static BM25 index over documents identified by int ids; rebuild it to change the documents."""

    def __init__(
        self,
        doc_ids: npt.NDArray[np.int64],
        retriever: bm25s.BM25 | None,
        idf: npt.NDArray[np.float64],
        average_length: float,
        k1: float,
        b: float,
    ) -> None:
        self._doc_ids = doc_ids
        if len(doc_ids) and doc_ids.min() < 0:
            raise ValueError("document ids must not be negative")
        # id -> position, dense (-1: absent): looking up 60 000 allowed ids takes ~0.1 ms instead of ~9 ms
        # through a dict. Database ids are far below DENSE_ID_LIMIT; beyond it (as in the vector
        # store) the ids are looked up in sorted order instead.
        self._position: npt.NDArray[np.int32] | None = None
        self._sorted: tuple[npt.NDArray[np.int64], npt.NDArray[np.intp]] | None = None
        if doc_ids.max(initial=-1) < DENSE_ID_LIMIT:
            self._position = np.full(int(doc_ids.max(initial=-1)) + 1, -1, dtype=np.int32)
            self._position[doc_ids] = np.arange(len(doc_ids), dtype=np.int32)
        else:
            self._sorted = sorted_positions(doc_ids)
        self._retriever = retriever  # kept for tests that compare with bm25s's own scoring
        self._vocabulary: dict[str, int] = retriever.vocab_dict if retriever is not None else {}
        matrix = retriever.scores if retriever is not None else {}
        self._data = np.asarray(matrix.get("data", ()), dtype=np.float32)
        self._indices = np.asarray(matrix.get("indices", ()), dtype=np.int32)
        self._indptr = np.asarray(matrix.get("indptr", (0,)), dtype=np.int64)
        self._idf = idf
        self._average_length = average_length
        self._k1, self._b = k1, b
        self.max_query_terms: int | None = MAX_QUERY_TERMS
        """Score a query on at most this many of its distinct terms, the rarest (None: all)."""
        # candidate_pool asks for the top documents, the pool's scores and the query's norm: keep the
        # last query's terms and score vector instead of computing them three times.
        self._last: tuple[str, str, npt.NDArray[np.int64], npt.NDArray[np.float32]] | None = None
        self._words: list[tuple[str, int]] | None = None  # the word terms, sorted (word_hits)

    @classmethod
    def build(
        cls, docs: Iterable[tuple[int, str, str]], k1: float = 1.2, b: float = 0.75, max_df: float = 0.1
    ) -> LexicalIndex:
        """Index `(id, text, lang)` triples; ids must be unique.

        Terms found in more than `max_df` of the documents (and in more than 50) are dropped: their
        IDF is near zero, and in long texts the common character 4-grams would otherwise make every
        query touch most of the index (measured on the profile-to-need task: slightly better MRR and
        half the scoring time at 0.1).
        """
        ids: list[int] = []
        vocabulary: dict[str, int] = {}
        corpus: list[npt.NDArray[np.int64]] = []
        for doc_id, text, lang in docs:
            ids.append(int(doc_id))
            terms = tokenize(text, lang)
            corpus.append(
                np.fromiter((vocabulary.setdefault(t, len(vocabulary)) for t in terms), np.int64, len(terms))
            )
        if len(set(ids)) != len(ids):
            raise ValueError("document ids must be unique")
        document_frequency = np.bincount(
            np.concatenate([np.unique(terms) for terms in corpus] or [np.empty(0, np.int64)]),
            minlength=len(vocabulary),
        )
        keep = document_frequency <= max(max_df * len(corpus), _MIN_PRUNED_DF)
        new_id = np.cumsum(keep) - 1
        kept_vocabulary = {term: int(new_id[old]) for term, old in vocabulary.items() if keep[old]}
        corpus_ids = [new_id[terms[keep[terms]]] for terms in corpus]
        retriever = bm25s.BM25(k1=k1, b=b, method="lucene")
        if kept_vocabulary:
            retriever.index(
                ([terms.tolist() for terms in corpus_ids], dict(kept_vocabulary)), show_progress=False
            )
        # The same IDF and average length as bm25s's "lucene" scoring, for `query_norm`.
        kept_frequency = document_frequency[keep].astype(np.float64)
        idf = np.log(1.0 + (len(corpus) - kept_frequency + 0.5) / (kept_frequency + 0.5))
        average_length = float(np.mean([len(terms) for terms in corpus_ids])) if corpus_ids else 0.0
        return cls(
            np.asarray(ids, dtype=np.int64),
            retriever if kept_vocabulary else None,
            idf,
            average_length,
            k1,
            b,
        )

    def __len__(self) -> int:
        return len(self._doc_ids)

    def _query(self, query: str, lang: str) -> tuple[npt.NDArray[np.int64], npt.NDArray[np.float32]]:
        """The query's indexed term ids (repeats kept: bm25s counts a term once per occurrence) and
        every document's score."""
        last = self._last
        if last is not None and last[0] == query and last[1] == lang:
            return last[2], last[3]
        found = [i for i in map(self._vocabulary.get, tokenize(query, lang)) if i is not None]
        term_ids = np.array(found, dtype=np.int64)
        limit = self.max_query_terms
        if limit is not None and len(term_ids) > limit:
            distinct, counts = np.unique(term_ids, return_counts=True)
            if len(distinct) > limit:
                # The rarest terms carry the most weight and have the shortest posting lists.
                rarest = np.argsort(-self._idf[distinct], kind="stable")[:limit]
                term_ids = np.repeat(distinct[rarest], counts[rarest])
        scores = np.zeros(len(self._doc_ids), dtype=np.float32)
        if len(term_ids):
            _add_term_scores(self._data, self._indices, self._indptr, term_ids, scores)
        self._last = (query, lang, term_ids, scores)
        return term_ids, scores

    def query_norm(self, query: str, lang: str) -> float:
        """The BM25 score a document consisting of exactly the query's indexed terms would get.

        Dividing a document's score by it gives a per-query match strength in 0..1 (about 1 for a
        document that repeats the query). Unlike division by the best score in the pool, a query whose
        words barely occur in the corpus (another language) keeps small lexical values, so one fusion
        weight suits monolingual and cross-lingual queries alike (docs/evaluation.md).
        """
        token_ids, _ = self._query(query, lang)
        if not len(token_ids):
            return 0.0
        terms, counts = np.unique(token_ids, return_counts=True)
        k1, b = self._k1, self._b
        length_factor = k1 * (1.0 - b + b * len(token_ids) / max(self._average_length, 1e-9))
        # bm25s sums a term once per occurrence in the query, so the self-score does the same.
        per_term = self._idf[terms] * counts / (counts + length_factor)
        return float(np.sum(counts * per_term))

    def _positions(self, ids: npt.ArrayLike | None) -> npt.NDArray[np.intp] | None:
        if ids is None:
            return None
        wanted = np.asarray(ids, dtype=np.int64)
        if self._position is not None:
            return positions_in_dense(self._position, wanted)
        assert self._sorted is not None
        return positions_in_sorted(self._sorted, wanted)

    def scores(self, query: str, lang: str, ids: npt.ArrayLike | None = None) -> dict[int, float]:
        """BM25 score of every document that matches `query` (zero scores are left out).

        `lang` is the query's language hint; `ids` restricts the result to those documents.
        """
        _, all_scores = self._query(query, lang)
        positions = self._positions(ids)
        if positions is None:
            positions = np.flatnonzero(all_scores > 0)
        else:
            positions = np.compress(all_scores[positions] > 0, positions)
        return dict(zip(self._doc_ids[positions].tolist(), all_scores[positions].tolist(), strict=True))

    def word_hits(self, query: str, lang: str, ids: npt.ArrayLike) -> set[int]:
        """Those of ``ids`` that hold a word of ``query``: the word, its stem, or a longer word that
        begins with a stem of at least :data:`WORD_PREFIX` letters (Finnish inflects and compounds:
        "aamuvuoro" is in "aamuvuorossa", "trukki" in "trukkikortti"). Merely sharing some character
        4-grams is no hit: a string of random letters shares 4-grams with many texts, and since
        `query_norm` counts only the terms the index knows, one shared 4-gram can give it a lexical
        strength near 1. Words too common to be indexed (``build``'s ``max_df``) are no hit."""
        positions = self._positions(ids)
        if positions is None or not len(positions):
            return set()
        if self._words is None:  # built once per index (it never changes), at the first search
            self._words = sorted((t, i) for t, i in self._vocabulary.items() if not t.startswith("#"))
        words = self._words
        found: set[int] = set()
        for term in tokenize(query, lang):
            if term.startswith("#"):
                continue
            if len(term) < WORD_PREFIX:
                if (exact := self._vocabulary.get(term)) is not None:
                    found.add(exact)
                continue
            at = bisect.bisect_left(words, (term, -1))
            while at < len(words) and words[at][0].startswith(term):
                found.add(words[at][1])
                at += 1
        if not found:
            return set()
        held = np.concatenate([self._indices[self._indptr[t] : self._indptr[t + 1]] for t in found])
        return set(self._doc_ids[positions[np.isin(positions, held)]].tolist())

    def top_k(
        self, query: str, lang: str, k: int, ids: npt.ArrayLike | None = None
    ) -> list[tuple[int, float]]:
        """The `k` best-scoring matching documents (within `ids`), best first, ties to the smaller id."""
        _, all_scores = self._query(query, lang)
        positions = self._positions(ids)
        if positions is None:
            positions = np.flatnonzero(all_scores > 0)
        else:
            positions = np.compress(all_scores[positions] > 0, positions)
        if k <= 0 or not len(positions):
            return []
        if len(positions) > k:
            positions = positions[np.argpartition(-all_scores[positions], k - 1)[:k]]
        ranked = zip(self._doc_ids[positions].tolist(), all_scores[positions].tolist(), strict=True)
        return sorted(ranked, key=lambda item: (-item[1], item[0]))


@numba.njit(cache=True, nogil=True)
def _add_term_scores(
    data: npt.NDArray[np.float32],
    indices: npt.NDArray[np.int32],
    indptr: npt.NDArray[np.int64],
    term_ids: npt.NDArray[np.int64],
    out: npt.NDArray[np.float32],
) -> None:
    """Add each term's column of the document-score matrix (CSC: ``indptr`` per term) to ``out``.

    The sums bm25s's ``get_scores_from_ids`` computes, in the same order. Runs without the GIL, so
    rankings in other threads go on meanwhile.
    """
    for term in term_ids:
        for j in range(indptr[term], indptr[term + 1]):
            out[indices[j]] += data[j]


def warm_up() -> None:
    """Load the compiled scoring loop now: numba reads it from its cache at the first call (~0.1 s),
    which would otherwise fall on the first ranking after start-up."""
    out = np.zeros(1, dtype=np.float32)
    _add_term_scores(
        np.ones(1, dtype=np.float32),
        np.zeros(1, dtype=np.int32),
        np.array([0, 1], dtype=np.int64),
        np.zeros(1, dtype=np.int64),
        out,
    )
