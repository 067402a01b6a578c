"""Vectors of needs and profiles, stored in PostgreSQL beside the model and text they came from.

A vector is recomputed only when its text or the model changes (``text_hash`` covers both). Every
write path (the API's index follower, ``kohtaamo import``, ``kohtaamo reindex``) goes through
:func:`refresh`, which embeds in batches.
"""

from __future__ import annotations

import logging
import struct
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any, Literal, NamedTuple

import numpy as np
import numpy.typing as npt
from psycopg.adapt import Loader
from psycopg.pq import Format

from core.db import Conn
from core.settings import Settings
from embeddings.embedder import Embedder, configured_embedder
from embeddings.model_folder import ModelMissingError
from embeddings.texts import EmptyTextError, need_text, profile_text, text_hash
from employers.facts import need_rows
from jobseekers.facts import candidate_rows

log = logging.getLogger(__name__)

Kind = Literal["need", "jobseeker"]
KINDS: tuple[Kind, ...] = ("need", "jobseeker")
_TABLE = {"need": ("need_vectors", "need_id"), "jobseeker": ("jobseeker_vectors", "jobseeker_id")}


def need_embedding_text(row: Mapping[str, Any]) -> str:
    """The embedded text of a need row."""
    return need_text(row)


def profile_embedding_text(row: Mapping[str, Any]) -> str:
    """The embedded text of a jobseeker row (certificates by name only)."""
    certificates = row.get("certificates") or {}
    names = list(certificates)  # a mapping of name to expiry, or a list of names
    return profile_text({**row, "text": row.get("profile_text", ""), "certificates": names})


def embedding_text(kind: Kind, row: Mapping[str, Any]) -> str:
    """The text that represents ``row`` for the embedder."""
    return need_embedding_text(row) if kind == "need" else profile_embedding_text(row)


def rows_of(conn: Conn, kind: Kind, ids: Sequence[int] | None = None) -> Iterable[dict[str, Any]]:
    """Rows of ``kind`` as matching reads them."""
    return need_rows(conn, ids) if kind == "need" else candidate_rows(conn, ids)


def encode(embedder: Embedder, kind: Kind, texts: Sequence[str]) -> npt.NDArray[np.float32]:
    """Profiles search (E5 ``query:``), needs are found (E5 ``passage:``)."""
    if kind == "need":
        return embedder.encode_passages(texts)
    return embedder.encode_queries(texts)


@dataclass
class RefreshReport:
    embedded: int = 0
    unchanged: int = 0
    empty: int = 0


def stored_hashes(conn: Conn, kind: Kind, ids: Sequence[int] | None = None) -> dict[int, tuple[str, str]]:
    """``{id: (model_id, text_hash)}`` of the stored vectors of ``kind`` (all, or only ``ids``)."""
    table, key = _TABLE[kind]
    query = f"SELECT {key} AS id, model_id, text_hash FROM {table}"
    if ids is None:
        rows = conn.execute(query).fetchall()
    else:
        rows = conn.execute(query + f" WHERE {key} = ANY(%s)", (list(ids),)).fetchall()
    return {r["id"]: (r["model_id"], r["text_hash"]) for r in rows}


def ensure_vector(
    conn: Conn, embedder: Embedder, kind: Kind, row: Mapping[str, Any]
) -> npt.NDArray[np.float32]:
    """The stored vector of ``row`` if current, else embedded now and stored (one query when current).

    Raises :class:`EmptyTextError` when the row has no text to embed.
    """
    text = embedding_text(kind, row)
    digest = text_hash(text, embedder.model_id)
    table, key = _TABLE[kind]
    with conn.cursor(binary=True) as cur:
        cur.execute(f"SELECT model_id, text_hash, vector FROM {table} WHERE {key} = %s", (row["id"],))
        stored = cur.fetchone()
    if stored is not None and (stored["model_id"], stored["text_hash"]) == (embedder.model_id, digest):
        return np.asarray(stored["vector"], dtype=np.float32)
    vector: npt.NDArray[np.float32] = encode(embedder, kind, [text])[0]
    conn.execute(
        f"INSERT INTO {table} ({key}, model_id, text_hash, vector) VALUES (%s, %s, %s, %s)"
        f" ON CONFLICT ({key}) DO UPDATE SET model_id = EXCLUDED.model_id,"
        " text_hash = EXCLUDED.text_hash, vector = EXCLUDED.vector, updated_at = now()",
        (row["id"], embedder.model_id, digest, vector.tolist()),
    )
    return vector


def refresh(
    conn: Conn,
    embedder: Embedder,
    kind: Kind,
    ids: Sequence[int] | None = None,
    *,
    force: bool = False,
    batch_size: int = 64,
    progress: Callable[[int, int], None] | None = None,
) -> RefreshReport:
    """Embed every row of ``kind`` (or only ``ids``) whose stored vector is missing or stale.

    ``progress(done, total)`` is called after each batch of the rows that need embedding.
    """
    report = RefreshReport()
    stored = stored_hashes(conn, kind, ids)
    todo: list[tuple[int, str, str]] = []
    for row in list(rows_of(conn, kind, ids)):
        try:
            text = embedding_text(kind, row)
        except EmptyTextError:
            report.empty += 1
            continue
        digest = text_hash(text, embedder.model_id)
        if not force and stored.get(row["id"]) == (embedder.model_id, digest):
            report.unchanged += 1
            continue
        todo.append((row["id"], text, digest))
    table, key = _TABLE[kind]
    for start in range(0, len(todo), batch_size):
        chunk = todo[start : start + batch_size]
        vectors = encode(embedder, kind, [text for _, text, _ in chunk])
        with conn.cursor() as cur:
            cur.executemany(
                f"INSERT INTO {table} ({key}, model_id, text_hash, vector) VALUES (%s, %s, %s, %s)"
                f" ON CONFLICT ({key}) DO UPDATE SET model_id = EXCLUDED.model_id,"
                " text_hash = EXCLUDED.text_hash, vector = EXCLUDED.vector, updated_at = now()",
                [
                    (row_id, embedder.model_id, digest, vector.tolist())
                    for (row_id, _, digest), vector in zip(chunk, vectors, strict=True)
                ],
            )
        report.embedded += len(chunk)
        if progress is not None:
            progress(report.embedded, len(todo))
    return report


def embed_imported(
    conn: Conn,
    settings: Settings,
    need_ids: Sequence[int],
    jobseeker_ids: Sequence[int],
    progress: Callable[[str, int, int], None] | None = None,
) -> list[str]:
    """Embed the rows an import wrote, in batches; one summary line per kind.

    Runs on ``conn`` (give it its own transaction: the import stays if this fails). Without a built
    model nothing is embedded and a warning is logged: ``kohtaamo reindex`` catches up later.
    ``progress(label, done, total)`` follows each kind's batches.
    """
    ids: dict[Kind, Sequence[int]] = {"need": need_ids, "jobseeker": jobseeker_ids}
    if not need_ids and not jobseeker_ids:
        return []
    try:
        embedder = configured_embedder(settings)
    except ModelMissingError as exc:
        log.warning("imported rows were not embedded: %s; run `kohtaamo reindex` later", exc)
        return []
    lines = []
    for kind, kind_ids in ids.items():
        if not kind_ids:
            continue
        label = f"embedding {kind}s"

        def step(done: int, total: int, label: str = label) -> None:
            if progress is not None:
                progress(label, done, total)

        report = refresh(conn, embedder, kind, kind_ids, progress=step)
        step(len(kind_ids), len(kind_ids))
        lines.append(f"{kind}s: {report.embedded} embedded, {report.unchanged} already current")
    return lines


_FLOAT4_ARRAY_OID = 1021
_FLOAT4_ELEMENT = np.dtype([("length", ">i4"), ("value", ">f4")])


class _Float4ArrayLoader(Loader):
    """Binary ``real[]`` straight into numpy: no Python float per element (400x fewer objects at load).

    Falls back to psycopg's own loader for what a stored vector never is (NULL elements, several
    dimensions), so every array still loads.
    """

    format = Format.BINARY

    def __init__(self, oid: int, context: Any = None) -> None:
        super().__init__(oid, context)
        from psycopg import adapters

        self._generic = adapters.get_loader(oid, Format.BINARY)(oid, context)  # type: ignore[misc]

    def load(self, data: Any) -> Any:
        buffer = bytes(data)
        ndim, has_null = struct.unpack_from(">ii", buffer)
        if ndim == 1 and not has_null:
            (size,) = struct.unpack_from(">i", buffer, 12)
            return np.frombuffer(buffer, dtype=_FLOAT4_ELEMENT, count=size, offset=20)["value"]
        if ndim == 0:
            return np.empty(0, dtype=np.float32)
        return self._generic.load(data)


class StoredVectors(NamedTuple):
    """Stored vectors of one kind: ids, the (n, dim) matrix and each vector's ``text_hash``."""

    ids: npt.NDArray[np.int64]
    matrix: npt.NDArray[np.float32]
    text_hashes: list[str]


def load_vectors(conn: Conn, kind: Kind, model_id: str, ids: Sequence[int] | None = None) -> StoredVectors:
    """Stored vectors of ``kind`` made by ``model_id`` (all, or only ``ids``)."""
    table, key = _TABLE[kind]
    where = f" AND {key} = ANY(%s)" if ids is not None else ""
    params: tuple[Any, ...] = (model_id, list(ids)) if ids is not None else (model_id,)
    with conn.cursor(binary=True) as cur:
        cur.adapters.register_loader(_FLOAT4_ARRAY_OID, _Float4ArrayLoader)
        cur.execute(f"SELECT {key} AS id, text_hash, vector FROM {table} WHERE model_id = %s{where}", params)
        rows = cur.fetchall()
    if not rows:
        return StoredVectors(np.empty(0, dtype=np.int64), np.empty((0, 0), dtype=np.float32), [])
    id_array = np.fromiter((r["id"] for r in rows), dtype=np.int64, count=len(rows))
    matrix = np.asarray([r["vector"] for r in rows], dtype=np.float32)
    return StoredVectors(id_array, matrix, [r["text_hash"] for r in rows])


def vector_facts(conn: Conn, kind: Kind, row_id: int) -> dict[str, Any] | None:
    """Which model embedded the row's text and when (never the vector), or None when none is stored."""
    table, key = _TABLE[kind]
    return conn.execute(f"SELECT model_id, updated_at FROM {table} WHERE {key} = %s", (row_id,)).fetchone()


def forget(conn: Conn, kind: Kind, row_id: int) -> None:
    """Delete the row's stored vector (an erased jobseeker's; the index follows the row's change
    notification and, with no text left, nothing embeds it again)."""
    table, key = _TABLE[kind]
    conn.execute(f"DELETE FROM {table} WHERE {key} = %s", (row_id,))
