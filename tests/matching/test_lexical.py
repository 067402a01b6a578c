"""BM25 over stemmed Finnish, Swedish and English."""

from __future__ import annotations

import numpy as np
import pytest

from matching.lexical import LexicalIndex, tokenize


def words(tokens: list[str]) -> list[str]:
    return [token for token in tokens if not token.startswith("#")]


def test_finnish_keeps_the_word_and_adds_its_stem() -> None:
    tokens = tokenize("Trukkikortti, keräily!", "fi")
    assert words(tokens) == ["trukkikortti", "trukkikort", "keräily"]
    assert all(token.lstrip("#<").rstrip(">").isalnum() for token in tokens)


def test_swedish_and_english_are_stemmed() -> None:
    assert words(tokenize("Lagerarbetare", "sv")) == ["lagerarbet"]
    assert words(tokenize("Warehouse workers", "en")) == ["warehous", "worker"]


def test_unknown_language_falls_back_to_plain_words() -> None:
    assert words(tokenize("Tere hommikust", "et")) == ["tere", "hommikust"]


def test_every_word_adds_its_character_4_grams() -> None:
    assert [token for token in tokenize("Trukki ab", "fi") if token.startswith("#")] == [
        "#<tru",
        "#truk",
        "#rukk",
        "#ukki",
        "#kki>",
        "#<ab>",
    ]


def test_4_grams_find_compound_parts_and_cognates() -> None:
    index = LexicalIndex.build([(1, "haarukkatrukkien kuljettaja", "fi"), (2, "kokki", "fi")])
    assert index.top_k("trukki", "fi", 1)[0][0] == 1
    index = LexicalIndex.build([(1, "logistiikkapäällikkö", "fi"), (2, "kokki", "fi")])
    assert set(index.scores("logistikchef", "sv")) == {1}


def test_terms_in_most_documents_are_dropped_from_large_indexes() -> None:
    docs = [(i, f"yhteinen sana{i}", "fi") for i in range(600)]
    index = LexicalIndex.build(docs, max_df=0.1)
    assert index.scores("yhteinen", "fi") == {}
    assert index.top_k("sana7", "fi", 1)[0][0] == 7
    small = LexicalIndex.build(docs[:40], max_df=0.1)  # too few documents to prune anything
    assert len(small.scores("yhteinen", "fi")) == 40


def test_inflected_finnish_query_finds_the_document() -> None:
    index = LexicalIndex.build(
        [(10, "Varastotyöntekijä, trukkikortti eduksi", "fi"), (20, "Kokki ravintolan keittiöön", "fi")]
    )
    scores = index.scores("trukkikortin", "fi")
    assert set(scores) == {10}
    assert index.top_k("ravintolassa kokki", "fi", 1) == [(20, index.scores("ravintolassa kokki", "fi")[20])]


def test_scores_can_be_restricted_to_given_ids() -> None:
    index = LexicalIndex.build([(1, "siivooja", "fi"), (2, "siivooja koulu", "fi"), (3, "kokki", "fi")])
    assert set(index.scores("siivooja", "fi")) == {1, 2}
    assert set(index.scores("siivooja", "fi", ids=np.array([2, 3, 99]))) == {2}
    # Ids the index never held, beyond its largest or negative, are ignored.
    assert set(index.scores("siivooja", "fi", ids=np.array([-4, 1, 10**9]))) == {1}
    assert [doc for doc, _ in index.top_k("siivooja koulu", "fi", 5, ids=np.array([1, 7, 2]))] == [2, 1]


def test_ids_beyond_the_dense_range_are_looked_up_as_well() -> None:
    texts = [(1, "siivooja", "fi"), (2, "siivooja koulu", "fi"), (3, "kokki", "fi")]
    small = LexicalIndex.build(texts)
    big = 1 << 40
    large = LexicalIndex.build([(big + doc_id, text, lang) for doc_id, text, lang in texts])
    for query in ("siivooja", "siivooja koulu", "kokki"):
        assert large.scores(query, "fi") == {big + d: s for d, s in small.scores(query, "fi").items()}
    allowed = np.array([-4, big + 2, big + 3, big + 99, 7, 2**62])
    assert set(large.scores("siivooja", "fi", ids=allowed)) == {big + 2}
    assert [doc for doc, _ in large.top_k("siivooja koulu", "fi", 5, ids=np.array([big + 1, big + 2]))] == [
        big + 2,
        big + 1,
    ]


def test_ids_must_not_be_negative() -> None:
    with pytest.raises(ValueError, match="document ids"):
        LexicalIndex.build([(-1, "siivooja", "fi")])


def test_empty_and_unmatched_queries_score_nothing() -> None:
    index = LexicalIndex.build([(1, "siivooja", "fi")])
    assert index.scores("", "fi") == {}
    assert index.scores("!!!", "fi") == {}
    assert index.scores("astronautti", "fi") == {}
    assert LexicalIndex.build([]).scores("siivooja", "fi") == {}


def test_top_k_orders_best_first() -> None:
    index = LexicalIndex.build(
        [(1, "hoitaja", "fi"), (2, "hoitaja hoitaja vanhus", "fi"), (3, "vanhus", "fi")]
    )
    ranked = index.top_k("hoitaja vanhus", "fi", 2)
    assert [doc for doc, _ in ranked] == [2, ranked[1][0]]
    assert ranked[0][1] >= ranked[1][1]
    assert len(index.top_k("hoitaja", "fi", 10)) == 2


def test_duplicate_ids_are_rejected() -> None:
    with pytest.raises(ValueError, match="unique"):
        LexicalIndex.build([(1, "a", "fi"), (1, "b", "fi")])


def test_query_norm_is_the_score_of_a_document_equal_to_the_query() -> None:
    docs = [(i, f"sana{i} muuta{i % 7}", "fi") for i in range(100)]
    docs.append((500, "varastotyöntekijä trukki keräily", "fi"))
    index = LexicalIndex.build(docs)
    query = "varastotyöntekijä trukki keräily"
    assert index.query_norm(query, "fi") == pytest.approx(index.scores(query, "fi")[500], rel=1e-5)
    assert index.scores("trukki", "fi")[500] < index.query_norm("trukki", "fi")
    assert index.query_norm("", "fi") == 0.0
    assert index.query_norm("tuntematon", "fi") == 0.0


def test_scores_equal_bm25s_own_scoring() -> None:
    """The compiled summing loop gives exactly bm25s's scores (same float32 sums, same order)."""
    rng = np.random.default_rng(3)
    vocabulary = [f"sana{i}" for i in range(300)]
    docs = [
        (i + 1, " ".join(rng.choice(vocabulary, size=int(rng.integers(1, 40)))), "en") for i in range(400)
    ]
    index = LexicalIndex.build(docs)
    index.max_query_terms = None  # every term, as bm25s scores them
    reference = index._retriever
    assert reference is not None
    for _ in range(20):
        query = " ".join(rng.choice(vocabulary, size=int(rng.integers(1, 60))))
        expected = reference.get_scores_from_ids(reference.get_tokens_ids(tokenize(query, "en")))
        got = index.scores(query, "en")
        assert got, "the query shares words with the corpus"
        assert got == {i + 1: float(s) for i, s in enumerate(expected) if s > 0}


def test_long_queries_are_scored_on_their_rarest_terms() -> None:
    docs = [(1, "kissa", "fi"), (2, "kissa koira", "fi")]  # no shared 4-grams
    docs += [(i, "koira", "fi") for i in range(3, 40)]
    index = LexicalIndex.build(docs)
    index.max_query_terms = None
    everything = index.scores("kissa koira", "fi")
    assert set(everything) == set(range(1, 40))
    index.max_query_terms = len(set(tokenize("kissa", "fi")))
    index._last = None
    rarest = index.scores("kissa koira", "fi")
    assert set(rarest) == {1, 2}, "only documents with the rare word's terms score"
    assert rarest[1] == pytest.approx(everything[1])


def test_a_word_hit_needs_a_whole_word_not_only_shared_4_grams() -> None:
    index = LexicalIndex.build(
        [
            (1, "Varastotyöntekijä: keräily ja trukkikortti", "fi"),
            (2, "Siivooja kouluun", "fi"),
            (3, "Blorg tehdas", "fi"),  # shares the 4-grams "<blo" and "blor" with "blorf"
        ]
    )
    everyone = np.array([1, 2, 3], dtype=np.int64)
    # Random letters touch a document through 4-grams, with a strength near that of a real word ...
    assert index.scores("xqzv blorf", "fi").keys() == {3}
    assert index.scores("xqzv blorf", "fi")[3] / index.query_norm("xqzv blorf", "fi") > 0.5
    # ... but hold no word of it.
    assert index.word_hits("xqzv blorf", "fi", everyone) == set()
    assert index.word_hits("Keräily, siivooja", "fi", everyone) == {1, 2}
    assert index.word_hits("trukkikortit", "fi", everyone) == {1}, "the stem is a word too"
    assert index.word_hits("trukki", "fi", everyone) == {1}, "a compound that begins with the word"
    assert index.word_hits("siivo", "fi", everyone) == {2}, "a word of five letters begins longer ones"
    assert index.word_hits("ja kou", "fi", everyone) == {1}, "shorter words must be whole"
    assert index.word_hits("keräily", "fi", np.array([2, 3, 99], dtype=np.int64)) == set()
    assert LexicalIndex.build([]).word_hits("keräily", "fi", everyone) == set()
