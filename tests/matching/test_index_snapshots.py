"""Index snapshots on disk: a restarted worker reads its index back instead of building it, and a snapshot
that cannot be trusted is never used."""

from __future__ import annotations

import errno
import json
import logging
from pathlib import Path

import faiss
import numpy as np
import pytest

from matching import graph_scrub, snapshot
from matching.faiss_index import FaissIndex
from matching.index import NumpyIndex, normalise_rows
from matching.snapshot import Snapshots, index_settings

DIM = 24


def vectors(n: int, seed: int) -> np.ndarray:
    rng = np.random.default_rng(seed)
    centres = rng.normal(size=(8, DIM))
    return (centres[rng.integers(0, 8, size=n)] + 0.6 * rng.normal(size=(n, DIM))).astype(np.float32)


def hnsw_index(n: int = 600, seed: int = 0) -> FaissIndex:
    index = FaissIndex(DIM, hnsw_threshold=100, hnsw_m=16, exact_filter_max=5, exact_filter_fraction=0.02)
    index.add(np.arange(n), vectors(n, seed))
    index.build()
    return index


def top_ids(
    index: FaissIndex | NumpyIndex, query: np.ndarray, k: int, allowed: np.ndarray | None = None
) -> list[int]:
    return [hit.id for hit in index.search(query, k, allowed)[0]]


def test_a_snapshot_reads_back_memory_mapped_and_follows_changes_like_exact_search(tmp_path: Path) -> None:
    original = hnsw_index()
    snapshots = Snapshots(tmp_path, "model-a", "db:1")
    assert snapshots.write("need", original, 7, {17: "a" * 64})
    restored = snapshots.read("need", index_settings(original))
    assert restored is not None
    assert restored.hashes[17] == "a" * 64 and restored.hashes[18] == ""  # 18: no hash known
    index = restored.index
    assert index.read_only and index.uses_hnsw and restored.tag.horizon == 7
    assert sorted(index.ids().tolist()) == list(range(600))
    np.testing.assert_array_equal(index.vector(17), original.vector(17))

    # Changes after the snapshot: new ids, replaced vectors, removed ids; an exact reference gets the same.
    reference = NumpyIndex(DIM)
    reference.add(original.ids(), np.stack([original.vector(i) for i in original.ids().tolist()]))
    new = vectors(40, seed=5)
    for target in (index, reference):
        target.add(np.arange(1000, 1040), new)
        target.add(np.arange(0, 30), vectors(30, seed=6))
        target.remove(np.arange(30, 60))
    assert index.read_only and index.pending == 70  # kept beside the mapped graph, not in it
    queries = normalise_rows(vectors(50, seed=9))
    allowed = np.arange(0, 1040, 3)
    agree = 0
    for query in queries:
        expected = top_ids(reference, query, 10)
        agree += len(set(top_ids(index, query, 10)) & set(expected))
        assert not set(top_ids(index, query, 10)) & set(range(30, 60))
        assert set(top_ids(index, query, 10, allowed)) <= set(allowed.tolist())
    assert agree / (10 * len(queries)) >= 0.95
    # A new vector is its own best match; a replaced one scores with its new vector.
    assert top_ids(index, new[3], 1) == [1003]
    assert index.similarities(new[3], [1003])[1003] == pytest.approx(1.0, abs=1e-5)


def test_missing_foreign_other_settings_and_corrupt_snapshots_are_rebuilt_and_say_why(
    tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    original = hnsw_index()
    settings = index_settings(original)
    writer = Snapshots(tmp_path, "model-a", "db:1")
    caplog.set_level(logging.INFO, logger="matching.snapshot")

    assert writer.read("need", settings) is None
    assert "no need index snapshot" in caplog.text

    assert writer.write("jobseeker", original, 3, {})
    assert Snapshots(tmp_path, "model-b", "db:1").read("jobseeker", settings) is None
    assert "of another model (model-a): rebuilding" in caplog.text
    assert Snapshots(tmp_path, "model-a", "db:2").read("jobseeker", settings) is None
    assert "of another database" in caplog.text
    other = {**settings, "config": {**settings["config"], "hnsw_m": 32}}
    assert writer.read("jobseeker", other) is None
    assert "of other index settings" in caplog.text
    assert writer.read("jobseeker", settings) is not None  # the snapshot itself is fine
    # A worker that only looks to take up another's snapshot says what it does instead.
    assert writer.read("jobseeker", other, instead="writing this worker's own") is None
    assert caplog.text.rstrip().endswith("is of other index settings: writing this worker's own")

    graph = tmp_path / "jobseeker.faiss"
    damaged = bytearray(graph.read_bytes())
    damaged[len(damaged) // 2] ^= 0xFF
    graph.write_bytes(bytes(damaged))
    caplog.clear()
    assert writer.read("jobseeker", settings) is None
    assert "jobseeker index snapshot is corrupt" in caplog.text

    (tmp_path / "jobseeker.json").write_text("{not json")
    assert writer.read("jobseeker", settings) is None
    assert "tag is unreadable" in caplog.text


def test_a_snapshot_older_than_the_change_log_reaches_back_is_rebuilt(
    tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    original = hnsw_index()
    snapshots = Snapshots(tmp_path, "model-a", "db:1")
    assert snapshots.write("need", original, 3, {})
    tag_path = tmp_path / "need.json"
    tag = json.loads(tag_path.read_text())
    tag["written_at"] -= 8 * 24 * 3600
    tag_path.write_text(json.dumps(tag))
    assert snapshots.read("need", index_settings(original)) is None
    assert "older than the change log reaches back" in caplog.text


def test_a_full_disk_keeps_the_previous_snapshot_whole_and_is_logged(
    tmp_path: Path, caplog: pytest.LogCaptureFixture, monkeypatch: pytest.MonkeyPatch
) -> None:
    first = hnsw_index(seed=0)
    snapshots = Snapshots(tmp_path, "model-a", "db:1")
    assert snapshots.write("need", first, 3, {})

    def disk_full(vectors: np.ndarray, path: Path) -> None:
        path.write_bytes(b"\0" * 100)  # part of the file got written before the disk filled up
        raise OSError(errno.ENOSPC, "No space left on device")

    monkeypatch.setattr(snapshot, "_write_vectors", disk_full)
    second = hnsw_index(seed=1)
    assert not snapshots.write("need", second, 9, {})
    assert "could not write the need index snapshot (OSError ENOSPC); serving on without it" in caplog.text
    assert not list(tmp_path.glob("*.tmp"))
    kept = snapshots.read("need", index_settings(first))  # the previous one, whole
    assert kept is not None and kept.tag.horizon == 3
    np.testing.assert_array_equal(kept.index.vector(5), first.vector(5))
    monkeypatch.undo()
    assert snapshots.write("need", second, 9, {})
    restored = snapshots.read("need", index_settings(second))
    assert restored is not None and restored.tag.horizon == 9
    np.testing.assert_array_equal(restored.index.vector(5), second.vector(5))


def test_a_vector_stored_again_as_it_is_leaves_the_snapshot_structure_alone(tmp_path: Path) -> None:
    """A change applied twice (or caught up over a snapshot that holds it) costs no tombstone: enough of
    them would rebuild the graph and end the sharing of the snapshot's pages."""
    snapshots = Snapshots(tmp_path, "model-a", "db:1")
    original = hnsw_index()
    assert snapshots.write("need", original, 3, {})
    restored = snapshots.read("need", index_settings(original))
    assert restored is not None
    index = restored.index
    same = np.stack([np.asarray(original.vector(i)) for i in range(100)])
    index.add(np.arange(100), same)
    assert index.pending == 0 and index.snapshot_parts() is not None  # nothing beside the structure
    index.build()
    assert index.read_only
    index.add(np.arange(5), vectors(5, seed=3))  # new vectors do replace
    assert index.pending == 5
    parts = index.snapshot_parts()  # a copy holding the new vectors, not the mapped structure
    assert parts is not None and parts[0] is not index._faiss and parts[0].ntotal == 605
    np.testing.assert_allclose(
        index.similarities(normalise_rows(vectors(5, seed=3))[2], [2])[2], 1.0, atol=1e-5
    )


def files_holding(folder: Path, vector: np.ndarray) -> list[str]:
    """The files of ``folder`` holding the first 16 components of ``vector`` as float32 or float16 (the
    graph's codes)."""
    probes = [vector[:16].astype(np.float32).tobytes(), vector[:16].astype(np.float16).tobytes()]
    return sorted(p.name for p in folder.iterdir() if any(b in p.read_bytes() for b in probes))


@pytest.mark.parametrize("served", ["mapped", "in-memory"])
def test_a_graph_with_removed_vectors_is_written_scrubbed_of_them_and_searched_as_before(
    tmp_path: Path, served: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    """An erasure's snapshot is written without rebuilding the graph: the removed and replaced vectors
    leave every file, their nodes keep no link, and the snapshot read back ranks like exact search."""
    monkeypatch.setattr(graph_scrub, "_ENCODE_ROWS", 97)  # the nodes scrubbed a few at a time
    snapshots = Snapshots(tmp_path / "index", "model-a", "db:1")
    index = hnsw_index()
    index.max_tombstone_fraction = 0.5  # keep the graph: this is what a snapshot is written from
    if served == "mapped":
        assert snapshots.write("jobseeker", index, 1, {})
        found = snapshots.read("jobseeker", index_settings(index))
        assert found is not None
        index = found.index
        index.max_tombstone_fraction = 0.5
    gone = [np.asarray(index.vector(i)) for i in (3, 77, 500, 10)]  # 10: replaced
    index.remove([3, 77, 500])
    index.add([10, 2000], vectors(2, seed=9))  # one replaced, one new
    index.build()
    assert index.uses_hnsw and index.read_only == (served == "mapped")
    if served == "mapped":
        assert files_holding(tmp_path / "index", gone[0]) == ["jobseeker.faiss", "jobseeker.vectors.npy"]

    assert snapshots.write("jobseeker", index, 2, {})
    found = snapshots.read("jobseeker", index_settings(index))
    assert found is not None
    restored = found.index
    for vector in gone:
        assert files_holding(tmp_path / "index", vector) == []
    assert files_holding(tmp_path / "index", restored.vector(4)) == [
        "jobseeker.faiss",
        "jobseeker.vectors.npy",
    ]
    assert restored.read_only and restored.uses_hnsw and restored._tombstones == 4 and not restored.pending
    assert sorted(restored.ids().tolist()) == sorted(index.ids().tolist())

    # The emptied nodes: no id, a zero code, no link out of them or into them.
    structure = restored._faiss
    labels = faiss.vector_to_array(structure.id_map)
    empty = np.flatnonzero(labels < 0)
    assert len(empty) == 4
    hnsw = faiss.downcast_index(structure.index).hnsw
    offsets = faiss.vector_to_array(hnsw.offsets)
    neighbours = faiss.vector_to_array(hnsw.neighbors)
    assert not np.isin(neighbours, empty).any()
    assert all((neighbours[offsets[e] : offsets[e + 1]] == -1).all() for e in empty)
    assert hnsw.entry_point not in empty.tolist()
    codes = faiss.downcast_index(faiss.downcast_index(structure.index).storage)
    assert not codes.reconstruct_n(0, structure.ntotal)[empty].any()

    reference = NumpyIndex(DIM)
    reference.add(index.ids(), np.stack([index.vector(i) for i in index.ids().tolist()]))
    allowed = np.arange(0, 2001, 2)
    for query in normalise_rows(vectors(30, seed=11)):
        assert top_ids(restored, query, 10) == top_ids(reference, query, 10)
        assert top_ids(restored, query, 10, allowed) == top_ids(reference, query, 10, allowed)

    # Removed again past the tenth, the graph is rebuilt as before, and written without empty nodes.
    restored.max_tombstone_fraction = 0.1
    restored.remove(np.arange(100, 160))
    restored.build()
    assert not restored.read_only
    assert snapshots.write("jobseeker", restored, 3, {})
    again = snapshots.read("jobseeker", index_settings(restored))
    assert again is not None and again.index._tombstones == 0
