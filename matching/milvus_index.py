"""`MilvusIndex`: the `VectorIndex` protocol over Milvus, the engine for when one host is not enough.

Milvus keeps FAISS-family indexes (HNSW here) per segment, shards a collection across query nodes and
filters by an expression language, which carries the hard constraints' allowed ids (``id in {ids}``).
The same code talks to the embedded milvus-lite (a local ``.db`` file: how the conformance suite and
``bench/milvus_compare.py`` run it on one machine) or to a Milvus cluster (``http://host:19530``). The
design, and where it stands against in-process FAISS: docs/scaling.md.

Milvus holds the vectors; this class holds nothing but a count. A filtered search over few ids fetches
their vectors and scores them here, exactly, as `similarities` does (one round trip, and the same float
arithmetic, so both give the same scores); larger ones are Milvus's filtered HNSW search.

Needs the optional ``milvus`` extra (``pip install '.[milvus]'``: pymilvus and milvus-lite).
"""

from __future__ import annotations

import json
import uuid
import weakref
from pathlib import Path
from typing import Any, Final, Self

import numpy as np
import numpy.typing as npt

from matching.id_positions import IdArray
from matching.index import (
    _FORMAT_VERSION,
    FloatArray,
    Hit,
    _as_ids,
    _check_vectors,
    _top_k,
    _unique_last,
    read_saved,
)

ID: Final = "id"
VECTOR: Final = "vec"
_BATCH: Final = 5_000
"""Rows per insert call (a gRPC message stays far below Milvus's 64 MB limit at 384 dimensions)."""
_MAX_TOP_K: Final = 16_384
"""Milvus's largest ``limit`` for one search or query."""


_unused: list[tuple[Any, str]] = []
"""Collections of indexes that were garbage-collected, to drop at the next safe moment: a finalizer may
run inside any allocation, also inside pymilvus's own call on the same channel, where a call of its own
could deadlock."""


def _forget(client: Any, collection: str) -> None:
    _unused.append((client, collection))


def _drop_unused() -> None:
    while _unused:
        client, collection = _unused.pop()
        try:
            client.drop_collection(collection)
        except Exception:  # the server is gone already: nothing to drop
            continue


class MilvusIndex:
    """A collection of ``(id INT64 primary key, vec FLOAT_VECTOR)`` under inner product on unit vectors.

    ``uri``: a milvus-lite file (``var/milvus.db``) or a server address. ``collection``: its name; by
    default a new one for this object, dropped when the object is collected (an index of the engine is
    rebuilt whole and swapped). ``index_type``: ``HNSW`` (``m``, ``ef_construction``, ``ef_search``) or
    ``FLAT``. Filtered searches over at most ``exact_filter_max`` ids are scored here.
    """

    kind = "milvus"

    def __init__(
        self,
        dim: int,
        *,
        uri: str | Path = "var/milvus.db",
        collection: str | None = None,
        index_type: str = "HNSW",
        m: int = 32,
        ef_construction: int = 200,
        ef_search: int = 128,
        exact_filter_max: int = 2_048,
        hnsw_threshold: int = 0,
    ) -> None:
        from pymilvus import DataType, MilvusClient

        if dim <= 0:
            raise ValueError("dim must be positive")
        self._dim = dim
        self.uri = str(uri)
        self.index_type = index_type
        self.m, self.ef_construction, self.ef_search = m, ef_construction, ef_search
        self.exact_filter_max = exact_filter_max
        self.hnsw_threshold = hnsw_threshold  # what the engine reads of any index; Milvus ignores it
        self.collection = collection or f"kohtaamo_{uuid.uuid4().hex[:16]}"
        _drop_unused()
        self._client = MilvusClient(self.uri)
        if not self._client.has_collection(self.collection):
            schema = MilvusClient.create_schema(auto_id=False, enable_dynamic_field=False)
            schema.add_field(ID, DataType.INT64, is_primary=True)
            schema.add_field(VECTOR, DataType.FLOAT_VECTOR, dim=dim)
            params = self._client.prepare_index_params()
            build = {"M": m, "efConstruction": ef_construction} if index_type == "HNSW" else {}
            params.add_index(field_name=VECTOR, index_type=index_type, metric_type="IP", params=build)
            self._client.create_collection(self.collection, schema=schema, index_params=params)
        if collection is None:
            weakref.finalize(self, _forget, self._client, self.collection)
        self._size = self._count()

    @property
    def dim(self) -> int:
        """Dimension of the stored vectors."""
        return self._dim

    @property
    def uses_hnsw(self) -> bool:
        """Whether Milvus searches an HNSW graph (what the engine's status reports)."""
        return self.index_type == "HNSW"

    def build(self) -> None:
        """Seal what was written into segments, which Milvus then indexes (HNSW): until then, rows wait
        in the memtable, which milvus-lite searches by brute force (measured at 10 000 rows: 1.2 s a
        query before, 0.04–0.2 s after)."""
        self._client.flush(self.collection)

    def __len__(self) -> int:
        return self._size

    def _count(self) -> int:
        rows = self._client.query(self.collection, filter="", output_fields=["count(*)"])
        return int(rows[0]["count(*)"])

    def _present(self, ids: IdArray) -> dict[int, FloatArray]:
        """The stored vectors of those of ``ids`` that are present."""
        wanted = sorted({int(i) for i in ids.tolist() if i >= 0})
        found: dict[int, FloatArray] = {}
        for start in range(0, len(wanted), _MAX_TOP_K):
            rows = self._client.get(self.collection, ids=wanted[start : start + _MAX_TOP_K])
            for row in rows:
                found[int(row[ID])] = np.asarray(row[VECTOR], dtype=np.float32)
        return found

    def add(self, ids: npt.ArrayLike, vectors: npt.ArrayLike) -> None:
        """Store `vectors` (n, dim) under `ids` (n,); an id already present is replaced."""
        id_array = _as_ids(ids)
        if id_array.size and id_array.min() < 0:
            raise ValueError("ids must not be negative")
        matrix = _check_vectors(vectors, self._dim, "vectors")
        if len(id_array) != len(matrix):
            raise ValueError(f"got {len(id_array)} ids for {len(matrix)} vectors")
        id_array, matrix = _unique_last(id_array, matrix)
        if not len(id_array):
            return
        new = len(id_array) - len(self._present(id_array))
        for start in range(0, len(id_array), _BATCH):
            rows = [
                {ID: int(item), VECTOR: vector.tolist()}
                for item, vector in zip(
                    id_array[start : start + _BATCH], matrix[start : start + _BATCH], strict=True
                )
            ]
            self._client.upsert(self.collection, rows)
        self._size += new

    def remove(self, ids: npt.ArrayLike) -> None:
        """Forget `ids`; ids that are not present are ignored."""
        present = list(self._present(_as_ids(ids)))
        if present:
            self._client.delete(self.collection, ids=present)
            self._size -= len(present)

    def search(self, query: npt.ArrayLike, k: int, allowed: npt.ArrayLike | None = None) -> list[list[Hit]]:
        """Top-`k` by cosine similarity, optionally only among `allowed` ids (exact for few of them)."""
        if k < 0:
            raise ValueError("k must not be negative")
        queries = _check_vectors(query, self._dim, "query")
        if k == 0 or not self._size:
            return [[] for _ in queries]
        if allowed is not None:
            wanted = np.unique(_as_ids(allowed))
            wanted = wanted[wanted >= 0]
            if not len(wanted):
                return [[] for _ in queries]
            if len(wanted) <= self.exact_filter_max:
                found = self._present(wanted)
                if not found:
                    return [[] for _ in queries]
                found_ids = np.fromiter(found, dtype=np.int64, count=len(found))
                scores = queries @ np.vstack(list(found.values())).T
                return _top_k(scores, found_ids, k)
        limit = min(k, self._size, _MAX_TOP_K)
        arguments: dict[str, Any] = {
            "data": queries.tolist(),
            "limit": limit,
            "anns_field": VECTOR,
            "search_params": {"metric_type": "IP", "params": {"ef": max(self.ef_search, limit)}},
        }
        if allowed is not None:
            # A literal list: milvus-lite parses no expression templates (a cluster would take
            # ``id in {allowed}`` with filter_params, and parse it faster).
            arguments["filter"] = f"{ID} in [{','.join(map(str, wanted.tolist()))}]"
        results = self._client.search(self.collection, **arguments)
        return [
            sorted((Hit(int(hit[ID]), float(hit["distance"])) for hit in row), key=lambda h: (-h.score, h.id))
            for row in results
        ]

    def similarities(self, query: npt.ArrayLike, ids: npt.ArrayLike) -> dict[int, float]:
        """Cosine similarity of one query with each of `ids` that is present (the others are left out),
        exactly as a filtered `search` over few ids scores them."""
        queries = _check_vectors(query, self._dim, "query")
        if len(queries) != 1:
            raise ValueError(f"similarities takes one query vector, got {len(queries)}")
        found = self._present(_as_ids(ids))
        if not found:
            return {}
        scores = queries @ np.vstack(list(found.values())).T
        return dict(zip(found, scores[0].tolist(), strict=True))

    def ids(self) -> IdArray:
        """All live ids, in no particular order."""
        iterator = self._client.query_iterator(self.collection, batch_size=_MAX_TOP_K, output_fields=[ID])
        collected: list[int] = []
        try:
            while batch := iterator.next():
                collected.extend(int(row[ID]) for row in batch)
        finally:
            iterator.close()
        return np.asarray(collected, dtype=np.int64)

    def vector(self, item: int) -> FloatArray | None:
        """A copy of the stored (unit-length) vector of `item`, or None if it is not present."""
        return self._present(np.array([item], dtype=np.int64)).get(item)

    def _config(self) -> dict[str, Any]:
        return {
            "index_type": self.index_type,
            "m": self.m,
            "ef_construction": self.ef_construction,
            "ef_search": self.ef_search,
            "exact_filter_max": self.exact_filter_max,
        }

    def save(self, path: str | Path) -> None:
        """Write ids, vectors and settings to one `.npz` file (the format of every index): a portable copy
        of the collection, which `load` writes into a new collection of the same Milvus."""
        target = Path(path)
        ids = self.ids()
        found = self._present(ids)
        vectors = (
            np.vstack([found[i] for i in ids.tolist()]) if len(ids) else np.empty((0, self._dim), np.float32)
        )
        header = {
            "format": _FORMAT_VERSION,
            "kind": self.kind,
            "dim": self._dim,
            "config": {**self._config(), "uri": self.uri},
        }
        temporary = target.with_name(target.name + ".tmp")
        with temporary.open("wb") as handle:
            np.savez(
                handle,
                header=np.frombuffer(json.dumps(header).encode(), dtype=np.uint8),
                ids=ids,
                vectors=vectors.astype(np.float32),
            )
        temporary.replace(target)

    @classmethod
    def load(cls, path: str | Path) -> Self:
        """A new collection holding what `save` wrote (in the Milvus the file names)."""
        saved = read_saved(path)
        if saved.header["kind"] != cls.kind:
            raise ValueError(f"{path} holds a {saved.header['kind']} index, not a {cls.kind} one")
        index = cls(int(saved.header["dim"]), **saved.header["config"])
        if len(saved.ids):
            index.add(saved.ids, saved.vectors)
        return index
