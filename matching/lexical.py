"""BM25 over Finnish, Swedish and English text (bm25s with Snowball stemmers from PyStemmer).

Text is lower-cased and split into words (letters and digits; punctuation is dropped). Each word is
stemmed with the Snowball stemmer of the text's language hint; Finnish keeps the surface word beside
the stem, because Finnish stems are aggressive and the exact inflected form is often the better clue.
Unknown language hints fall back to plain words.

Every word also contributes its character 4-grams (with word-boundary marks, as "#<tru", "#truk", ...).
They find the parts of Finnish compounds ("trukki" in "haarukkatrukki") and the cognates shared across
Finnish, Swedish and English ("logistiikka" / "logistik" / "logistics"): on the Swedish-to-Finnish
title task they lift BM25's MRR@10 from 0.03 to 0.13 (docs/evaluation.md).

The index is a sparse matrix, so scoring one query over 100 000 documents takes milliseconds.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from functools import lru_cache
from typing import Final

import bm25s
import numpy as np
import numpy.typing as npt
import Stemmer

from matching.index import DENSE_ID_LIMIT

_WORD: Final = re.compile(r"[^\W_]+")
_STEMMERS: Final = {"fi": "finnish", "sv": "swedish", "en": "english"}
_GRAM: Final = 4
_MIN_PRUNED_DF: Final = 50


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
    ) -> None:
        self._doc_ids = doc_ids
        # id -> position, dense (-1: absent): looking up 60 000 allowed ids takes ~0.1 ms instead of ~9 ms
        # through a dict. Ids are database ids (positive, and far below DENSE_ID_LIMIT).
        if len(doc_ids) and (doc_ids.min() < 0 or doc_ids.max() >= DENSE_ID_LIMIT):
            raise ValueError(f"document ids must lie in 0 .. {DENSE_ID_LIMIT - 1}")
        self._position = np.full(int(doc_ids.max(initial=-1)) + 1, -1, dtype=np.int32)
        self._position[doc_ids] = np.arange(len(doc_ids), dtype=np.int32)
        self._retriever = retriever
        self._idf = idf
        self._average_length = average_length
        # candidate_pool asks for the top documents and then for the pool's scores: keep the last
        # query's score vector instead of computing it twice.
        self._last: tuple[str, str, npt.NDArray[np.float32]] | None = None

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
            np.asarray(ids, dtype=np.int64), retriever if kept_vocabulary else None, idf, average_length
        )

    def __len__(self) -> int:
        return len(self._doc_ids)

    def _query_token_ids(self, query: str, lang: str) -> list[int]:
        if self._retriever is None:
            return []
        token_ids: list[int] = self._retriever.get_tokens_ids(tokenize(query, lang))
        return token_ids

    def _all_scores(self, query: str, lang: str) -> npt.NDArray[np.float32]:
        last = self._last
        if last is not None and last[0] == query and last[1] == lang:
            return last[2]
        token_ids = self._query_token_ids(query, lang)
        if token_ids and self._retriever is not None:
            scores = np.asarray(self._retriever.get_scores_from_ids(token_ids), dtype=np.float32)
        else:
            scores = np.zeros(len(self._doc_ids), dtype=np.float32)
        self._last = (query, lang, scores)
        return scores

    def query_norm(self, query: str, lang: str) -> float:
        """The BM25 score a document consisting of exactly the query's indexed terms would get.

        Dividing a document's score by it gives a per-query match strength in 0..1 (about 1 for a
        document that repeats the query). Unlike division by the best score in the pool, a query whose
        words barely occur in the corpus (another language) keeps small lexical values, so one fusion
        weight suits monolingual and cross-lingual queries alike (docs/evaluation.md).
        """
        token_ids = np.asarray(self._query_token_ids(query, lang), dtype=np.int64)
        if not len(token_ids) or self._retriever is None:
            return 0.0
        terms, counts = np.unique(token_ids, return_counts=True)
        k1, b = float(self._retriever.k1), float(self._retriever.b)
        length_factor = k1 * (1.0 - b + b * len(token_ids) / max(self._average_length, 1e-9))
        # bm25s sums a term once per occurrence in the query, so the self-score does the same.
        per_term = self._idf[terms] * counts / (counts + length_factor)
        return float(np.sum(counts * per_term))

    def _positions(self, ids: npt.ArrayLike | None) -> npt.NDArray[np.intp] | None:
        if ids is None:
            return None
        wanted = np.asarray(ids, dtype=np.int64)
        wanted = wanted[(wanted >= 0) & (wanted < len(self._position))]
        positions = self._position[wanted]
        return positions[positions >= 0].astype(np.intp)

    def scores(self, query: str, lang: str, ids: npt.ArrayLike | None = None) -> dict[int, float]:
        """BM25 score of every document that matches `query` (zero scores are left out).

        `lang` is the query's language hint; `ids` restricts the result to those documents.
        """
        all_scores = self._all_scores(query, lang)
        positions = self._positions(ids)
        if positions is None:
            positions = np.flatnonzero(all_scores > 0)
        else:
            positions = positions[all_scores[positions] > 0]
        return dict(zip(self._doc_ids[positions].tolist(), all_scores[positions].tolist(), strict=True))

    def top_k(
        self, query: str, lang: str, k: int, ids: npt.ArrayLike | None = None
    ) -> list[tuple[int, float]]:
        """The `k` best-scoring matching documents (within `ids`), best first, ties to the smaller id."""
        all_scores = self._all_scores(query, lang)
        positions = self._positions(ids)
        if positions is None:
            positions = np.flatnonzero(all_scores > 0)
        else:
            positions = positions[all_scores[positions] > 0]
        if k <= 0 or not len(positions):
            return []
        if len(positions) > k:
            positions = positions[np.argpartition(-all_scores[positions], k - 1)[:k]]
        ranked = zip(self._doc_ids[positions].tolist(), all_scores[positions].tolist(), strict=True)
        return sorted(ranked, key=lambda item: (-item[1], item[0]))
