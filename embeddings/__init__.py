"""Text embeddings: how needs and profiles become text and vectors, and where the model comes from.

Importing this package is cheap: ONNX Runtime, torch and sentence-transformers load only when a real
embedder is constructed or a model is built. The builders (``embeddings.model_build``,
``embeddings.onnx_build``) are imported by name where a model is built, never by the runtime.
"""

from embeddings.embedder import (
    EMBEDDER_KINDS,
    Embedder,
    FakeEmbedder,
    OnnxEmbedder,
    SentenceTransformerEmbedder,
    Vectors,
    get_embedder,
)
from embeddings.model_folder import ModelMissingError
from embeddings.texts import MAX_CHARS, EmptyTextError, need_text, profile_text, text_hash

__all__ = [
    "EMBEDDER_KINDS",
    "MAX_CHARS",
    "Embedder",
    "EmptyTextError",
    "FakeEmbedder",
    "ModelMissingError",
    "OnnxEmbedder",
    "SentenceTransformerEmbedder",
    "Vectors",
    "get_embedder",
    "need_text",
    "profile_text",
    "text_hash",
]
