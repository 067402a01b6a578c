"""One conformance suite for every VectorIndex implementation, at sizes that exercise flat and HNSW."""

from __future__ import annotations

import shutil
import subprocess
import sys
import tempfile
from collections.abc import Callable
from pathlib import Path

import numpy as np
import numpy.typing as npt
import pytest

from matching.faiss_index import FaissIndex, load_index
from matching.index import (
    DimensionMismatchError,
    Hit,
    NumpyIndex,
    VectorIndex,
    normalise_rows,
)
from matching.milvus_index import MilvusIndex
from matching.snapshot import Snapshots, index_settings

DIM = 24

Factory = Callable[[], NumpyIndex | FaissIndex | MilvusIndex]

# One embedded Milvus (milvus-lite) file for the run; each index is a collection of its own in it.
MILVUS_FILE = Path(tempfile.mkdtemp(prefix="kohtaamo-milvus-")) / "conformance.db"


def from_empty_snapshot(max_unindexed: int) -> FaissIndex:
    """An HNSW index read back from the snapshot of an empty one: its faiss structure is memory-mapped and
    read-only, so every vector added lives beside it until ``max_unindexed`` of them make it rebuild in
    memory."""
    folder = Path(tempfile.mkdtemp())
    try:
        empty = FaissIndex(
            DIM,
            hnsw_threshold=100,
            hnsw_m=16,
            exact_filter_max=5,
            exact_filter_fraction=0.02,
            max_unindexed=max_unindexed,
        )
        empty.build()
        snapshots = Snapshots(folder, "model", "database")
        assert snapshots.write("need", empty, 0, {})
        restored = snapshots.read("need", index_settings(empty))
        assert restored is not None and restored.index.read_only
        return restored.index
    finally:
        shutil.rmtree(folder)  # the mapped pages stay readable until the index lets go of them


# (name, factory, number of vectors). The HNSW variant has a small threshold and small exact-filter
# limits so that filtered searches go through faiss's IDSelector path, not only the exact one.
IMPLEMENTATIONS: list[tuple[str, Factory, int]] = [
    ("numpy", lambda: NumpyIndex(DIM), 300),
    ("faiss-flat", lambda: FaissIndex(DIM, hnsw_threshold=10_000), 300),
    (
        "faiss-hnsw",
        lambda: FaissIndex(
            DIM, hnsw_threshold=100, hnsw_m=16, exact_filter_max=5, exact_filter_fraction=0.02
        ),
        600,
    ),
    ("faiss-snapshot", lambda: from_empty_snapshot(5_000), 600),
    ("faiss-snapshot-rebuilt", lambda: from_empty_snapshot(250), 600),
    (
        "milvus-hnsw",
        lambda: MilvusIndex(
            DIM, uri=MILVUS_FILE, m=16, ef_construction=100, ef_search=64, exact_filter_max=5
        ),
        600,
    ),
]


@pytest.fixture(params=IMPLEMENTATIONS, ids=[name for name, _, _ in IMPLEMENTATIONS])
def case(request: pytest.FixtureRequest) -> tuple[Factory, int]:
    _, factory, size = request.param
    return factory, size


def clustered(n: int, seed: int = 0) -> npt.NDArray[np.float32]:
    rng = np.random.default_rng(seed)
    centres = rng.normal(size=(8, DIM))
    return (centres[rng.integers(0, 8, size=n)] + 0.6 * rng.normal(size=(n, DIM))).astype(np.float32)


def exact(
    ids: npt.NDArray[np.int64], vectors: npt.NDArray[np.float32], query: npt.NDArray[np.float32], k: int
) -> list[int]:
    scores = normalise_rows(vectors) @ normalise_rows(query)[0]
    order = np.lexsort((ids, -scores))[:k]
    return [int(ids[i]) for i in order]


def filled(
    factory: Factory, n: int
) -> tuple[NumpyIndex | FaissIndex | MilvusIndex, npt.NDArray[np.int64], npt.NDArray[np.float32]]:
    index = factory()
    ids = np.arange(1000, 1000 + n, dtype=np.int64)
    vectors = clustered(n)
    index.add(ids, vectors)
    return index, ids, vectors


def recall(found: list[Hit], expected: list[int]) -> float:
    return len({hit.id for hit in found} & set(expected)) / max(len(expected), 1)


def test_every_implementation_satisfies_the_protocol(case: tuple[Factory, int]) -> None:
    factory, _ = case
    assert isinstance(factory(), VectorIndex)


def test_search_finds_the_exact_nearest_neighbours(case: tuple[Factory, int]) -> None:
    factory, n = case
    index, ids, vectors = filled(factory, n)
    assert len(index) == n
    queries = clustered(30, seed=1)
    results = index.search(queries, 10)
    assert len(results) == 30
    recalls = [recall(found, exact(ids, vectors, queries[i : i + 1], 10)) for i, found in enumerate(results)]
    assert np.mean(recalls) >= 0.95
    for found in results:
        scores = [hit.score for hit in found]
        assert scores == sorted(scores, reverse=True)


def test_a_stored_vector_is_its_own_best_match_with_cosine_one(case: tuple[Factory, int]) -> None:
    factory, n = case
    index, ids, vectors = filled(factory, n)
    best = index.search(vectors[7] * 3.0, 1)[0][0]  # scale must not matter: cosine similarity
    assert best.id == ids[7]
    assert best.score == pytest.approx(1.0, abs=1e-5)


def test_vector_returns_the_stored_unit_vector_until_removed(case: tuple[Factory, int]) -> None:
    factory, n = case
    index, ids, vectors = filled(factory, n)
    stored = index.vector(int(ids[7]))
    assert stored is not None
    np.testing.assert_allclose(stored, vectors[7] / np.linalg.norm(vectors[7]), atol=1e-6)
    stored[:] = 0.0  # a copy: the index keeps its own
    assert index.search(vectors[7], 1)[0][0].id == ids[7]
    index.add(ids[7:8], vectors[8:9] * 2.0)
    np.testing.assert_allclose(index.vector(int(ids[7])), vectors[8] / np.linalg.norm(vectors[8]), atol=1e-6)
    index.remove(ids[7:8])
    assert index.vector(int(ids[7])) is None
    assert index.vector(-1) is None and index.vector(10**9) is None


def test_one_dimensional_query_gives_one_result_list(case: tuple[Factory, int]) -> None:
    factory, n = case
    index, _, vectors = filled(factory, n)
    results = index.search(vectors[0], 5)
    assert len(results) == 1 and len(results[0]) == 5


def test_re_adding_an_id_replaces_its_vector(case: tuple[Factory, int]) -> None:
    factory, n = case
    index, ids, vectors = filled(factory, n)
    search_once = index.search(vectors[0], 3)  # builds any lazy structure before the change
    assert search_once[0][0].id == ids[0]
    new_vector = -vectors[0]
    index.add(ids[:1], new_vector[np.newaxis, :])
    assert len(index) == n
    assert index.search(new_vector, 1)[0][0] == Hit(int(ids[0]), pytest.approx(1.0, abs=1e-5))  # type: ignore[arg-type]
    old_hits = index.search(vectors[0], n)[0]
    replaced = [hit for hit in old_hits if hit.id == ids[0]]
    assert len(replaced) == 1 and replaced[0].score == pytest.approx(-1.0, abs=1e-5)


def test_duplicate_ids_in_one_batch_keep_the_last_vector(case: tuple[Factory, int]) -> None:
    factory, _ = case
    index = factory()
    vectors = clustered(3)
    index.add(np.array([5, 5, 6]), vectors)
    assert len(index) == 2
    assert index.search(vectors[1], 1)[0][0].id == 5
    assert sorted(index.ids().tolist()) == [5, 6]


def test_removed_ids_are_never_returned(case: tuple[Factory, int]) -> None:
    factory, n = case
    index, ids, vectors = filled(factory, n)
    index.search(vectors[0], 1)
    removed = ids[: n // 3]
    index.remove(removed)
    index.remove(np.array([999_999]))  # absent: ignored
    assert len(index) == n - len(removed)
    results = index.search(vectors[: n // 3], 10)
    for found in results:
        assert len(found) == 10
        assert not {hit.id for hit in found} & set(removed.tolist())
    remaining_ids, remaining_vectors = ids[n // 3 :], vectors[n // 3 :]
    recalls = [
        recall(found, exact(remaining_ids, remaining_vectors, vectors[i : i + 1], 10))
        for i, found in enumerate(results)
    ]
    assert np.mean(recalls) >= 0.95


def test_removing_and_adding_back_restores_the_id(case: tuple[Factory, int]) -> None:
    factory, n = case
    index, ids, vectors = filled(factory, n)
    index.search(vectors[0], 1)
    index.remove(ids[:5])
    index.add(ids[:5], vectors[:5])
    assert len(index) == n
    assert index.search(vectors[3], 1)[0][0].id == ids[3]


@pytest.mark.parametrize("fraction", [0.01, 0.1, 0.5, 1.0])
def test_filtered_search_matches_exact_search_over_the_allowed_ids(
    case: tuple[Factory, int], fraction: float
) -> None:
    factory, n = case
    index, ids, vectors = filled(factory, n)
    rng = np.random.default_rng(3)
    allowed = np.sort(rng.choice(ids, size=max(1, int(n * fraction)), replace=False))
    mask = np.isin(ids, allowed)
    queries = clustered(20, seed=4)
    results = index.search(queries, 10, allowed=allowed)
    recalls = []
    for i, found in enumerate(results):
        assert {hit.id for hit in found} <= set(allowed.tolist())
        assert len(found) == min(10, len(allowed))
        recalls.append(recall(found, exact(ids[mask], vectors[mask], queries[i : i + 1], 10)))
    assert np.mean(recalls) >= 0.95


def test_filter_ignores_unknown_and_removed_ids(case: tuple[Factory, int]) -> None:
    factory, n = case
    index, ids, vectors = filled(factory, n)
    index.remove(ids[:2])
    found = index.search(vectors[0], 10, allowed=np.array([ids[0], ids[1], ids[2], 424_242]))[0]
    assert [hit.id for hit in found] == [int(ids[2])]
    assert index.search(vectors[0], 10, allowed=np.array([], dtype=np.int64)) == [[]]


def test_similarities_are_the_scores_an_exact_search_gives_the_same_ids(case: tuple[Factory, int]) -> None:
    factory, n = case
    index, ids, vectors = filled(factory, n)
    index.remove(ids[3:4])
    query = clustered(1, seed=9)[0] * 2.5  # scale must not matter
    asked = [int(ids[5]), int(ids[3]), 424_242, int(ids[0]), int(ids[5]), -1]
    scores = index.similarities(query, asked)
    # Removed, unknown and negative ids are left out; a repeated id is scored once.
    assert set(scores) == {int(ids[0]), int(ids[5])}
    unit = query / np.linalg.norm(query)
    for item, score in scores.items():
        stored = vectors[ids == item][0]
        assert score == pytest.approx(float(stored @ unit / np.linalg.norm(stored)), abs=1e-5)
    exact_hits = index.search(query, 10, allowed=np.array(asked))[0]
    assert {hit.id: hit.score for hit in exact_hits} == scores
    assert index.similarities(query, []) == {}
    with pytest.raises(ValueError):
        index.similarities(np.ones((2, DIM)), [int(ids[0])])
    with pytest.raises(DimensionMismatchError):
        index.similarities(np.ones(DIM + 1), [int(ids[0])])


def test_k_larger_than_the_index_returns_everything_once(case: tuple[Factory, int]) -> None:
    factory, _ = case
    index = factory()
    vectors = clustered(4)
    index.add(np.array([1, 2, 3, 4]), vectors)
    found = index.search(vectors[0], 50)[0]
    assert sorted(hit.id for hit in found) == [1, 2, 3, 4]
    assert index.search(vectors[0], 0) == [[]]


def test_empty_index_answers_with_no_hits(case: tuple[Factory, int]) -> None:
    factory, _ = case
    index = factory()
    assert len(index) == 0
    assert index.search(np.ones(DIM), 5) == [[]]
    assert index.search(np.ones((2, DIM)), 5, allowed=np.array([1])) == [[], []]
    index.add(np.array([1]), np.ones((1, DIM)))
    index.remove(np.array([1]))
    assert index.search(np.ones(DIM), 5) == [[]]


def test_wrong_dimensions_and_shapes_are_rejected(case: tuple[Factory, int]) -> None:
    factory, _ = case
    index = factory()
    assert index.dim == DIM
    with pytest.raises(DimensionMismatchError):
        index.add(np.array([1]), np.ones((1, DIM + 1)))
    with pytest.raises(DimensionMismatchError):
        index.search(np.ones(DIM - 1), 3)
    with pytest.raises(ValueError, match="ids"):
        index.add(np.array([1, 2]), np.ones((1, DIM)))
    with pytest.raises(ValueError, match="NaN"):
        index.add(np.array([1]), np.full((1, DIM), np.nan))
    with pytest.raises(ValueError, match="integers"):
        index.add(np.array([1.5]), np.ones((1, DIM)))
    assert len(index) == 0


def test_save_and_load_round_trip(case: tuple[Factory, int], tmp_path: Path) -> None:
    factory, n = case
    index, _, vectors = filled(factory, n)
    before = index.search(vectors[:5], 10)
    path = tmp_path / "index.npz"
    index.save(path)
    loaded = type(index).load(path)
    assert type(loaded) is type(index)
    assert len(loaded) == n and loaded.dim == DIM
    assert [[h.id for h in row] for row in loaded.search(vectors[:5], 10)] == [
        [h.id for h in row] for row in before
    ]
    assert type(load_index(path)) is type(index)
    loaded.add(np.array([1]), vectors[:1])
    assert len(loaded) == n + 1


def test_loading_the_wrong_kind_is_an_error(tmp_path: Path) -> None:
    path = tmp_path / "numpy.npz"
    NumpyIndex(DIM).save(path)
    with pytest.raises(ValueError, match="not a faiss"):
        FaissIndex.load(path)


def test_faiss_index_switches_to_hnsw_above_the_threshold_and_back() -> None:
    index = FaissIndex(DIM, hnsw_threshold=100, hnsw_m=8)
    vectors = clustered(140)
    index.add(np.arange(90), vectors[:90])
    assert not index.uses_hnsw
    index.search(vectors[0], 1)
    index.add(np.arange(90, 140), vectors[90:])
    assert index.uses_hnsw
    assert index.search(vectors[120], 1)[0][0].id == 120
    index.remove(np.arange(50, 140))  # 50 left: at the hysteresis bound, still HNSW
    assert index.uses_hnsw
    index.remove(np.arange(45, 50))
    assert not index.uses_hnsw
    assert index.search(vectors[10], 1)[0][0].id == 10
    assert {hit.id for hit in index.search(vectors[10], 100)[0]} == set(range(45))


def test_a_large_filter_goes_to_hnsw_however_small_a_fraction_of_the_index_it_is(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """Exact filtered search costs in proportion to the ids it scores: beyond ``exact_filter_cap`` ids a
    filter goes to the graph even when it keeps less than ``exact_filter_fraction`` of a large index."""
    import matching.faiss_index as faiss_index

    exact_calls: list[int] = []
    real_exact = faiss_index._exact_search

    def counting(*args: object) -> object:
        exact_calls.append(1)
        return real_exact(*args)  # type: ignore[arg-type]

    monkeypatch.setattr(faiss_index, "_exact_search", counting)
    index = FaissIndex(
        DIM, hnsw_threshold=100, hnsw_m=16, exact_filter_max=5, exact_filter_fraction=0.5, exact_filter_cap=40
    )
    vectors = clustered(600)
    index.add(np.arange(600), vectors)
    exact = NumpyIndex(DIM)
    exact.add(np.arange(600), vectors)
    small, large = np.arange(0, 600, 20), np.arange(0, 600, 3)  # 30 ids (under the cap), 200 (over it)
    assert [h.id for h in index.search(vectors[1], 5, small)[0]] == [
        h.id for h in exact.search(vectors[1], 5, small)[0]
    ]
    assert exact_calls == [1]
    found = {h.id for h in index.search(vectors[1], 10, large)[0]}
    assert exact_calls == [1]  # 200 ids: a third of the index, under the fraction, but over the cap
    assert found <= set(large.tolist())
    assert len(found & {h.id for h in exact.search(vectors[1], 10, large)[0]}) >= 9


def test_hnsw_stays_correct_through_many_replacements() -> None:
    index = FaissIndex(DIM, hnsw_threshold=50, hnsw_m=8, max_tombstone_fraction=0.5)
    ids = np.arange(200)
    index.add(ids, clustered(200))
    index.search(clustered(1)[0], 1)
    current = clustered(200, seed=9)
    for start in range(0, 200, 20):  # every id replaced once, in batches, searching in between
        index.add(ids[start : start + 20], current[start : start + 20])
        probe = start + 5
        assert index.search(current[probe], 1)[0][0].id == probe
    found = index.search(current[:20], 10)
    recalls = [recall(row, exact(ids, current, current[i : i + 1], 10)) for i, row in enumerate(found)]
    assert np.mean(recalls) >= 0.95


def test_hnsw_returns_full_results_when_many_stale_entries_surround_the_query() -> None:
    index = FaissIndex(DIM, hnsw_threshold=50, hnsw_m=8, max_tombstone_fraction=0.9)
    ids = np.arange(300)
    vectors = clustered(300)
    index.add(ids, vectors)
    query = vectors[0]
    index.search(query, 1)
    nearest = exact(ids, vectors, query[np.newaxis, :], 60)
    index.remove(np.array(nearest))  # 60 tombstones, all right next to the query
    found = index.search(query, 10)[0]
    keep = ~np.isin(ids, nearest)
    assert len(found) == 10
    assert recall(found, exact(ids[keep], vectors[keep], query[np.newaxis, :], 10)) >= 0.9


def test_ids_beyond_the_dense_range_are_found_and_filtered(case: tuple[Factory, int]) -> None:
    factory, n = case
    index = factory()
    ids = np.arange(n, dtype=np.int64) + (1 << 40)
    vectors = clustered(n, seed=3)
    index.add(ids, vectors)
    index.remove(ids[:10])
    allowed = ids[10 : n // 2]
    query = clustered(1, seed=4)
    found = index.search(query, 10, allowed=allowed)[0]
    assert recall(found, exact(allowed, vectors[10 : n // 2], query, 10)) >= 0.9
    assert {hit.id for hit in found} <= set(allowed.tolist())


def test_negative_ids_are_refused(case: tuple[Factory, int]) -> None:
    factory, _ = case
    with pytest.raises(ValueError, match="negative"):
        factory().add(np.array([5, -2]), clustered(2))


def test_rows_follow_swap_removals_in_filtered_search(case: tuple[Factory, int]) -> None:
    factory, n = case
    index, ids, vectors = filled(factory, n)
    removed = ids[::3]
    index.remove(removed)  # each removal moves the last row into the hole
    kept = np.setdiff1d(ids, removed)
    allowed = kept[::2]
    query = clustered(1, seed=9)
    found = index.search(query, 10, allowed=np.concatenate([allowed, removed[:5]]))[0]
    expected = exact(allowed, vectors[np.searchsorted(ids, allowed)], query, 10)
    assert recall(found, expected) >= 0.9
    assert {hit.id for hit in found} <= set(allowed.tolist())


def test_filter_with_repeats_unknown_and_negative_ids_keeps_out_the_rest(case: tuple[Factory, int]) -> None:
    """A large allowed list (above the exact-search limits) of every id but one, each twice, plus ids
    that are not stored and negative ones: the one left out never comes back."""
    factory, n = case
    index = factory()
    ids = np.arange(n, dtype=np.int64)
    vectors = clustered(n, seed=5)
    index.add(ids, vectors)
    left_out = 7
    kept = ids[ids != left_out]
    allowed = np.concatenate([kept, kept, np.array([-3, -1, n + 10, 10**12], dtype=np.int64)])
    hits = [hit.id for hit in index.search(vectors[left_out], 10, allowed=allowed)[0]]
    assert left_out not in hits
    assert hits == exact(kept, vectors[kept], vectors[left_out][np.newaxis, :], 10)


def test_warm_up_compiles_the_kernels_for_the_types_searches_use() -> None:
    # A fresh interpreter: in this one, earlier tests have already called the kernels.
    script = """
import numpy as np
from matching import faiss_index, index, lexical
assert not index._row_scores.signatures and not lexical._add_term_scores.signatures
index.warm_up(); lexical.warm_up()
warmed = (list(index._row_scores.signatures), list(lexical._add_term_scores.signatures))
assert all(warmed), warmed
store = faiss_index.FaissIndex(4)
store.add(np.arange(1, 51), np.random.default_rng(0).normal(size=(50, 4)))
store.search(np.ones(4), 3, allowed=np.arange(1, 6))  # the exact path: _row_scores
lexical.LexicalIndex.build([(1, "trukki varasto", "fi"), (2, "kokki", "fi")]).top_k("trukki", "fi", 1)
after = (list(index._row_scores.signatures), list(lexical._add_term_scores.signatures))
assert after == warmed, (warmed, after)  # nothing new was compiled for the real calls
"""
    done = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True, timeout=300)
    assert done.returncode == 0, done.stderr[-2000:]
