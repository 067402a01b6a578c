"""Which engine holds a side's vectors: the one setting (``KOHTAAMO_VECTOR_INDEX``) in one place."""

from __future__ import annotations

from pathlib import Path

from core.settings import Settings
from matching.faiss_index import FaissIndex
from matching.milvus_index import MilvusIndex


def configured_index(dim: int, hnsw_threshold: int, settings: Settings) -> FaissIndex | MilvusIndex:
    """The vector index ``KOHTAAMO_VECTOR_INDEX`` names: in-process FAISS, or a new collection in the
    Milvus of ``KOHTAAMO_MILVUS_URI`` (the embedded milvus-lite under the data folder when unset;
    docs/scaling.md)."""
    if settings.vector_index == "milvus":
        uri = settings.milvus_uri or str(Path(settings.data_dir) / "milvus.db")
        return MilvusIndex(dim, uri=uri, hnsw_threshold=hnsw_threshold)
    return FaissIndex(dim, hnsw_threshold=hnsw_threshold)
