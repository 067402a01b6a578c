"""The in-process matching engine: vector indexes, matching facts and the ranking, both ways.

Each worker process holds one engine. It is rebuilt from PostgreSQL at start-up and follows every
committed change through LISTEN/NOTIFY (see :mod:`matching.follower`). PostgreSQL stays the source of
truth: the engine is a cache that can always be thrown away.

A ranking request runs in four steps:

1. a vectorised pre-filter over the other side's columns (area, open/available, distance against the
   commute limit, the request's filters) gives the allowed ids; it never removes a pair that the hard
   constraints would let through;
2. :func:`matching.ranking.candidate_pool` gathers the nearest vectors and the best BM25 scores among
   the allowed ids (exact search when the allowed set is small, so filtering costs no recall);
3. every pooled pair is checked against every hard constraint (:mod:`matching.constraints`); the pool
   grows until enough pairs pass or the allowed set is exhausted;
4. the passing pairs are fused (:func:`matching.ranking.fuse`) and explained.
"""

from __future__ import annotations

import datetime as dt
import logging
import math
import threading
import time
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any, Generic, TypeVar

import numpy as np
import numpy.typing as npt

from core.db import Conn
from embeddings.embedder import Embedder
from matching import esco
from matching.constraints import CandidateFacts, ConstraintResult, NeedFacts, evaluate
from matching.geo import find_municipality
from matching.index import FaissIndex
from matching.lexical import LexicalIndex
from matching.ranking import (
    ComponentScores,
    FusionWeights,
    candidate_pool,
    desired_match,
    explain_fi,
    fuse,
    hours_fit,
)
from matching.vectors import Kind, embedding_text, encode, load_vectors, rows_of

log = logging.getLogger(__name__)

FORM_BITS = {
    name: 1 << i
    for i, name in enumerate(
        (
            "open_job",
            "pay_subsidy",
            "work_trial",
            "apprenticeship",
            "recruitment_training",
            "summer_job",
            "assistive_task",
        )
    )
}


def _forms_mask(forms: Iterable[str]) -> int:
    mask = 0
    for form in forms:
        mask |= FORM_BITS.get(form, 0)
    return mask


def _date(value: Any) -> dt.date | None:
    if value is None or isinstance(value, dt.date):
        return value
    return dt.date.fromisoformat(str(value))


def _coords(municipality: str, lat: float | None = None, lon: float | None = None) -> tuple[float, float]:
    if lat is not None and lon is not None:
        return float(lat), float(lon)
    place = find_municipality(municipality)
    if place is None or place.lat is None or place.lon is None:
        return math.nan, math.nan
    return place.lat, place.lon


@dataclass(frozen=True, slots=True)
class NeedEntry:
    """A need as the engine keeps it."""

    id: int
    area_id: int
    employer_id: int
    external_id: str | None
    title: str
    employer_name: str
    municipality: str
    visibility: str
    is_assistive: bool
    skills: tuple[str, ...]
    occupation: str | None
    hours_per_week: float | None
    lang: str
    text: str
    facts: NeedFacts
    matchable: bool


@dataclass(frozen=True, slots=True)
class CandidateEntry:
    """A jobseeker as the engine keeps it: pseudonymous, work capacity only as derived facts."""

    id: int
    area_id: int
    external_id: str | None
    pseudonym: str
    caseworker_id: int | None
    municipality: str
    skills: tuple[str, ...]
    desired_occupations: tuple[str, ...]
    desired_hours_per_week: float | None
    lang: str
    text: str
    facts: CandidateFacts
    matchable: bool


def need_entry(row: Mapping[str, Any]) -> NeedEntry:
    """Build the engine's view of a need row (see :func:`employers.facts.need_rows`)."""
    lat, lon = _coords(row["municipality"], row.get("latitude"), row.get("longitude"))
    open_positions = int(row["positions"]) - int(row["positions_filled"])
    facts = NeedFacts(
        area_id=row["area_id"],
        municipality=row["municipality"],
        lat=None if math.isnan(lat) else lat,
        lon=None if math.isnan(lon) else lon,
        hours_per_week=row["hours_per_week"],
        shifts=frozenset(row["shifts"] or ["day"]),
        physical_demands=frozenset(row["physical_demands"] or ()),
        certificates=frozenset(row["certificates"] or ()),
        start_date=_date(row["start_date"]),
        languages=dict(row["languages"] or {}),
        placement_forms=frozenset(row["placement_forms"] or ()),
        status=row["status"],
        positions_open=open_positions,
        has_supervisor=bool(row["supervisor_on_site"]),
    )
    try:
        text = embedding_text("need", row)
    except ValueError:
        text = ""
    return NeedEntry(
        id=row["id"],
        area_id=row["area_id"],
        employer_id=row["employer_id"],
        external_id=row["external_id"],
        title=row["title"],
        employer_name=row["employer_name"],
        municipality=row["municipality"],
        visibility=row["visibility"],
        is_assistive=bool(row["is_assistive"]),
        skills=tuple(row["skills"] or ()),
        occupation=row["occupation"],
        hours_per_week=row["hours_per_week"],
        lang=row["text_language"] or "fi",
        text=text,
        facts=facts,
        matchable=not row["archived"] and row["status"] == "open" and open_positions > 0,
    )


def candidate_entry(row: Mapping[str, Any]) -> CandidateEntry:
    """Build the engine's view of a jobseeker row (see :func:`jobseekers.facts.candidate_rows`)."""
    lat, lon = _coords(row["municipality"])
    excluded = set(row["excluded_demands"] or ())
    if row["no_heavy_lifting"]:
        excluded.add("heavy_lifting")
    facts = CandidateFacts(
        area_id=row["area_id"],
        municipality=row["municipality"],
        lat=None if math.isnan(lat) else lat,
        lon=None if math.isnan(lon) else lon,
        max_commute_km=row["max_commute_km"],
        desired_hours_per_week=row["desired_hours_per_week"],
        max_hours_per_week=row["max_hours_per_week"],
        no_heavy_lifting=bool(row["no_heavy_lifting"]),
        no_night_shifts=bool(row["no_night_shifts"]),
        no_shifts=bool(row["no_shift_work"]),
        needs_supervisor=bool(row["needs_supervisor"]),
        excluded_physical_demands=frozenset(excluded),
        certificates={name: _date(expiry) for name, expiry in (row["certificates"] or {}).items()},
        languages=dict(row["languages"] or {}),
        placement_forms=frozenset(row["placement_forms"] or ()),
        available=bool(row["available"]),
    )
    try:
        text = embedding_text("jobseeker", row)
    except ValueError:
        text = ""
    return CandidateEntry(
        id=row["id"],
        area_id=row["area_id"],
        external_id=row["external_id"],
        pseudonym=row["pseudonym"],
        caseworker_id=row["caseworker_id"],
        municipality=row["municipality"],
        skills=tuple(row["skills"] or ()),
        desired_occupations=tuple(row["desired_occupations"] or ()),
        desired_hours_per_week=row["desired_hours_per_week"],
        lang=row["text_language"] or "fi",
        text=text,
        facts=facts,
        matchable=not row["archived"] and bool(row["available"]),
    )


E = TypeVar("E", NeedEntry, CandidateEntry)

DISTANCE_CACHE_POINTS = 32
"""Distance arrays a side keeps (8 bytes a row each: 32 points over 100 000 rows are 26 MB)."""


class Side(Generic[E]):
    """One side of the market: its vector index, its entries and columns for the pre-filter."""

    def __init__(self, kind: Kind, dim: int, hnsw_threshold: int) -> None:
        self.kind: Kind = kind
        self.index = FaissIndex(dim, hnsw_threshold=hnsw_threshold)
        self.entries: dict[int, E] = {}
        self.lexical: LexicalIndex | None = None
        self.lexical_dirty = False
        self._pos: dict[int, int] = {}
        self._n = 0
        self._ids = np.zeros(0, dtype=np.int64)
        self._area = np.zeros(0, dtype=np.int64)
        self._alive = np.zeros(0, dtype=bool)
        self._lat = np.zeros(0, dtype=np.float64)
        self._lon = np.zeros(0, dtype=np.float64)
        self._municipality = np.zeros(0, dtype=np.int32)
        self._forms = np.zeros(0, dtype=np.int32)
        self._flags = np.zeros(0, dtype=np.int32)  # bit 0 hidden, bit 1 assistive
        self._owner = np.zeros(0, dtype=np.int64)  # employer (needs) or caseworker (jobseekers)
        self._commute = np.zeros(0, dtype=np.float64)  # jobseekers: max commute km (inf if none)
        self._municipality_codes: dict[str, int] = {}
        self._distances: dict[tuple[float, float], npt.NDArray[np.float64]] = {}

    def __len__(self) -> int:
        return len(self.entries)

    def distances_from(self, lat: float, lon: float) -> npt.NDArray[np.float64]:
        """Kilometres from ``(lat, lon)`` to every used row, cached per point until a row changes.

        Homes and most workplaces sit at municipality centres, so few distinct points recur; computing
        the distances to 100 000 rows took ~6 ms of every ranking (bench/results/match_http.md).
        """
        key = (lat, lon)
        distances = self._distances.get(key)
        if distances is None:
            if len(self._distances) >= DISTANCE_CACHE_POINTS:
                self._distances.clear()
            distances = _haversine(lat, lon, self._lat[: self._n], self._lon[: self._n])
            self._distances[key] = distances
        return distances

    def municipality_code(self, name: str) -> int:
        """A small integer per municipality name (for the vectorised filter)."""
        return self._municipality_codes.setdefault(name, len(self._municipality_codes) + 1)

    def _grow(self) -> None:
        size = max(1024, 2 * len(self._ids))
        for name in (
            "_ids",
            "_area",
            "_alive",
            "_lat",
            "_lon",
            "_municipality",
            "_forms",
            "_flags",
            "_owner",
            "_commute",
        ):
            old = getattr(self, name)
            new = np.zeros(size, dtype=old.dtype)
            new[: len(old)] = old
            setattr(self, name, new)

    def put(self, entry: E, vector: npt.NDArray[np.float32] | None) -> None:
        """Insert or replace ``entry``; an entry without a vector or not matchable leaves the index."""
        if self._put_columns(entry, vector):
            assert vector is not None
            self.index.add(np.array([entry.id], dtype=np.int64), vector.reshape(1, -1))
        else:
            self.index.remove(np.array([entry.id], dtype=np.int64))

    def put_new(self, entries: Sequence[tuple[E, npt.NDArray[np.float32] | None]]) -> None:
        """Insert entries whose ids this side has never held, with one index call for all their vectors.

        The same outcome as :meth:`put` for each in turn (nothing to remove, vectors added in order),
        without validating and normalising one vector at a time: a full load of 100 000 rows spent
        most of its index time there.
        """
        ids: list[int] = []
        vectors: list[npt.NDArray[np.float32]] = []
        for entry, vector in entries:
            if entry.id in self._pos:
                raise ValueError(f"{self.kind} {entry.id} is already held: use put()")
            if self._put_columns(entry, vector):
                assert vector is not None
                ids.append(entry.id)
                vectors.append(vector)
        if ids:
            self.index.add(np.asarray(ids, dtype=np.int64), np.vstack(vectors))

    def _put_columns(self, entry: E, vector: npt.NDArray[np.float32] | None) -> bool:
        """Store ``entry`` and its pre-filter columns; whether it belongs in the vector index."""
        self._distances.clear()
        self.entries[entry.id] = entry
        row = self._pos.get(entry.id)
        if row is None:
            if self._n == len(self._ids):
                self._grow()
            row = self._n
            self._pos[entry.id] = row
            self._n += 1
        facts = entry.facts
        alive = entry.matchable and vector is not None
        self._ids[row] = entry.id
        self._area[row] = entry.area_id
        self._alive[row] = alive
        self._lat[row] = math.nan if facts.lat is None else facts.lat
        self._lon[row] = math.nan if facts.lon is None else facts.lon
        self._municipality[row] = self.municipality_code(entry.municipality)
        self._forms[row] = _forms_mask(facts.placement_forms)
        if isinstance(entry, NeedEntry):
            self._flags[row] = (entry.visibility == "hidden") | (entry.is_assistive << 1)
            self._owner[row] = entry.employer_id
        else:
            self._owner[row] = entry.caseworker_id or 0
            limit = entry.facts.max_commute_km
            self._commute[row] = math.inf if limit is None else float(limit)
        self.lexical_dirty = True
        return alive

    def drop(self, entry_id: int) -> None:
        """Forget an entry that no longer exists."""
        self.entries.pop(entry_id, None)
        row = self._pos.get(entry_id)
        if row is not None:
            self._alive[row] = False
        self.index.remove(np.array([entry_id], dtype=np.int64))
        self.lexical_dirty = True

    def rebuild_lexical(self) -> None:
        """Rebuild BM25 over the matchable entries and swap it in whole.

        Runs outside the engine lock (searches go on with the previous index); a change made while it
        builds marks the side dirty again, so the next round picks it up.
        """
        self.lexical_dirty = False
        docs = [(e.id, e.text, e.lang) for e in list(self.entries.values()) if e.matchable and e.text]
        self.lexical = LexicalIndex.build(docs) if docs else None

    def columns(self) -> dict[str, npt.NDArray[Any]]:
        """Views of the pre-filter columns over the used rows."""
        n = self._n
        return {
            "ids": self._ids[:n],
            "area": self._area[:n],
            "alive": self._alive[:n],
            "lat": self._lat[:n],
            "lon": self._lon[:n],
            "municipality": self._municipality[:n],
            "forms": self._forms[:n],
            "flags": self._flags[:n],
            "owner": self._owner[:n],
            "commute": self._commute[:n],
        }


def _haversine(lat: float, lon: float, lats: npt.NDArray[np.float64], lons: npt.NDArray[np.float64]) -> Any:
    phi1, phi2 = np.radians(lat), np.radians(lats)
    dphi = phi2 - phi1
    dlmb = np.radians(lons - lon)
    a = np.sin(dphi / 2) ** 2 + np.cos(phi1) * np.cos(phi2) * np.sin(dlmb / 2) ** 2
    return 2 * 6371.0 * np.arcsin(np.sqrt(np.minimum(a, 1.0)))


@dataclass(frozen=True)
class Filters:
    """What a ranking request narrows to."""

    municipality: str | None = None
    placement_form: str | None = None
    include_assistive: bool = True
    hidden_only: bool = False
    caseworker_id: int | None = None
    """Jobseekers of this caseworker only (a caseworker matches own clients)."""
    employer_id: int | None = None


@dataclass(frozen=True)
class Match:
    """One ranked pair, ready for the API and the CLI."""

    id: int
    external_id: str | None
    label: str
    municipality: str
    total: float
    components: ComponentScores
    matched_skills: list[str]
    missing_skills: list[str]
    constraints: list[ConstraintResult]
    explanation: str
    distance_km: float | None
    extra: dict[str, Any] = field(default_factory=dict)


class MatchingEngine:
    """Both sides of the market in memory, kept in step with PostgreSQL."""

    def __init__(
        self,
        embedder: Embedder,
        *,
        weights: FusionWeights | None = None,
        hnsw_threshold: int = 20_000,
        pool_size: int = 50,
    ) -> None:
        self.embedder = embedder
        self.weights = weights or FusionWeights()
        self.pool_size = pool_size
        self.needs: Side[NeedEntry] = Side("need", embedder.dim, hnsw_threshold)
        self.jobseekers: Side[CandidateEntry] = Side("jobseeker", embedder.dim, hnsw_threshold)
        self.lock = threading.RLock()
        self.state = "empty"
        self.loaded_at: float | None = None
        self.applied_changes = 0

    # Loading and following -----------------------------------------------------------------------

    def side(self, kind: Kind) -> Side[Any]:
        return self.needs if kind == "need" else self.jobseekers

    def load_all(self, conn: Conn) -> None:
        """Rebuild both sides from PostgreSQL (stored vectors of the current model only)."""
        started = time.perf_counter()
        with self.lock:
            if self.state == "empty":
                self.state = "loading"  # a reload keeps answering: requests wait for the lock, not a 503
            self.needs = Side("need", self.embedder.dim, self.needs.index.hnsw_threshold)
            self.jobseekers = Side("jobseeker", self.embedder.dim, self.jobseekers.index.hnsw_threshold)
            for kind in ("need", "jobseeker"):
                self._load(conn, kind, None)
            for side in (self.needs, self.jobseekers):
                side.rebuild_lexical()
            self.state = "ready"
            self.loaded_at = time.time()
        log.info(
            "matching index loaded: %d needs, %d jobseekers in %.1f s",
            len(self.needs),
            len(self.jobseekers),
            time.perf_counter() - started,
        )

    def _load(self, conn: Conn, kind: Kind, ids: Sequence[int] | None) -> None:
        side = self.side(kind)
        vector_ids, matrix = load_vectors(conn, kind, self.embedder.model_id, ids)
        vectors = dict(zip(vector_ids.tolist(), matrix, strict=True))
        make: Callable[[Mapping[str, Any]], NeedEntry | CandidateEntry] = (
            need_entry if kind == "need" else candidate_entry
        )
        if ids is None:  # a full load into a new, empty side
            side.put_new([(entry, vectors.get(entry.id)) for entry in map(make, rows_of(conn, kind))])
            return
        seen: set[int] = set()
        for row in rows_of(conn, kind, ids):
            entry = make(row)
            side.put(entry, vectors.get(entry.id))
            seen.add(entry.id)
        for missing in set(ids) - seen:
            side.drop(missing)

    def apply(self, conn: Conn, kind: Kind, ids: Sequence[int]) -> None:
        """Re-read ``ids`` of ``kind`` after a committed change."""
        with self.lock:
            self._load(conn, kind, ids)
            self.applied_changes += len(ids)

    def refresh_lexical(self) -> None:
        """Rebuild any BM25 index whose side changed (called by the follower's lexical thread)."""
        sides: tuple[Side[Any], ...] = (self.needs, self.jobseekers)
        for side in sides:
            if side.lexical_dirty:
                side.rebuild_lexical()

    def status(self) -> dict[str, Any]:
        """What /readyz reports."""
        return {
            "state": self.state,
            "model": self.embedder.model_id,
            "needs": len(self.needs.index),
            "jobseekers": len(self.jobseekers.index),
            "needs_hnsw": self.needs.index.uses_hnsw,
            "jobseekers_hnsw": self.jobseekers.index.uses_hnsw,
            "applied_changes": self.applied_changes,
        }

    # Ranking -------------------------------------------------------------------------------------

    def _allowed_needs(self, candidate: CandidateEntry, filters: Filters) -> npt.NDArray[np.int64]:
        c = self.needs.columns()
        mask = c["alive"] & (c["area"] == candidate.area_id)
        facts = candidate.facts
        if facts.max_commute_km is not None:
            if facts.lat is None or facts.lon is None:
                return np.zeros(0, dtype=np.int64)
            distance = self.needs.distances_from(facts.lat, facts.lon)
            mask &= distance <= facts.max_commute_km + 1e-6  # NaN (no coordinates) compares False
        if facts.placement_forms:
            # A need that names no placement form accepts any (as the constraint says).
            mask &= ((c["forms"] & _forms_mask(facts.placement_forms)) != 0) | (c["forms"] == 0)
        allowed: npt.NDArray[np.int64] = c["ids"][self._narrow(mask, c, filters)]
        return allowed

    def _allowed_candidates(self, need: NeedEntry, filters: Filters) -> npt.NDArray[np.int64]:
        c = self.jobseekers.columns()
        mask = c["alive"] & (c["area"] == need.area_id)
        if need.facts.lat is None or need.facts.lon is None:
            mask &= np.isinf(c["commute"])
        else:
            distance = self.jobseekers.distances_from(need.facts.lat, need.facts.lon)
            mask &= np.isinf(c["commute"]) | (distance <= c["commute"] + 1e-6)
        if filters.caseworker_id is not None:
            mask &= c["owner"] == filters.caseworker_id
        if filters.municipality:
            mask &= c["municipality"] == self.jobseekers.municipality_code(filters.municipality)
        allowed: npt.NDArray[np.int64] = c["ids"][mask]
        return allowed

    def _narrow(self, mask: npt.NDArray[np.bool_], c: dict[str, npt.NDArray[Any]], filters: Filters) -> Any:
        if filters.municipality:
            mask &= c["municipality"] == self.needs.municipality_code(filters.municipality)
        if filters.placement_form:
            mask &= (c["forms"] & FORM_BITS.get(filters.placement_form, 0)) != 0
        if not filters.include_assistive:
            mask &= (c["flags"] & 2) == 0
        if filters.hidden_only:
            mask &= (c["flags"] & 1) == 1
        if filters.employer_id is not None:
            mask &= c["owner"] == filters.employer_id
        return mask

    def _rank(
        self,
        query_vector: npt.NDArray[np.float32],
        query_text: str,
        query_lang: str,
        side: Side[Any],
        allowed: npt.NDArray[np.int64],
        limit: int,
        pair: Any,
    ) -> list[Match]:
        """Pool, check constraints, fuse; grow the pool until ``limit`` pairs pass or none are left."""
        if not len(allowed):
            return []
        pool_size = max(self.pool_size, 3 * limit)
        # A pair is scored once per request: when the pool grows, only its new members are checked.
        scored_by_id: dict[int, dict[str, Any] | None] = {}
        while True:
            pool = candidate_pool(
                side.index,
                query_vector,
                lexical=side.lexical,
                query_text=query_text,
                lang=query_lang,
                pool_size=min(pool_size, len(allowed)),
                allowed=allowed,
            )
            for other_id in pool.ids:
                if other_id not in scored_by_id:
                    scored_by_id[other_id] = pair(other_id)
            scored = [scored_by_id[other_id] for other_id in pool.ids]
            passing = [s for s in scored if s is not None and all(r.passed for r in s["constraints"])]
            if len(passing) >= limit or pool_size >= len(allowed):
                break
            pool_size *= 4
        by_id = {s["id"]: s for s in passing}
        ranked = fuse(
            list(by_id),
            semantic=pool.semantic,
            lexical=pool.lexical,
            skills={i: s["skill_score"] for i, s in by_id.items()},
            desired={i: s["desired"] for i, s in by_id.items()},
            hours={i: s["hours"] for i, s in by_id.items()},
            weights=self.weights,
        )
        results = []
        for item in ranked[:limit]:
            s = by_id[item.id]
            results.append(
                Match(
                    id=item.id,
                    external_id=s["external_id"],
                    label=s["label"],
                    municipality=s["municipality"],
                    total=round(item.total, 4),
                    components=item.components,
                    matched_skills=s["matched"],
                    missing_skills=s["missing"],
                    constraints=s["constraints"],
                    explanation=explain_fi(s["constraints"], s["matched"], s["missing"]),
                    distance_km=s["distance_km"],
                    extra=s["extra"],
                )
            )
        return results

    def _pair(self, need: NeedEntry, candidate: CandidateEntry, today: dt.date) -> dict[str, Any]:
        constraints = evaluate(need.facts, candidate.facts, today=today)
        overlap = esco.skill_overlap(need.skills, candidate.skills)
        commute = next((r for r in constraints if r.name == "commute"), None)
        return {
            "constraints": constraints,
            "matched": overlap.matched,
            "missing": overlap.missing,
            "skill_score": overlap.score,
            "desired": desired_match(need.occupation or need.title, candidate.desired_occupations),
            "hours": hours_fit(need.hours_per_week, candidate.desired_hours_per_week),
            "distance_km": commute.detail.get("distance_km") if commute else None,
        }

    def matches_for_candidate(
        self,
        candidate: CandidateEntry,
        vector: npt.NDArray[np.float32],
        filters: Filters,
        limit: int,
        today: dt.date | None = None,
    ) -> list[Match]:
        """Open needs ranked for one jobseeker."""
        on = today or dt.date.today()
        with self.lock:
            allowed = self._allowed_needs(candidate, filters)

            def pair(need_id: int) -> dict[str, Any] | None:
                need = self.needs.entries.get(need_id)
                if need is None:
                    return None
                scored = self._pair(need, candidate, on)
                scored |= {
                    "id": need.id,
                    "external_id": need.external_id,
                    "label": need.title,
                    "municipality": need.municipality,
                    "extra": {
                        "employer_id": need.employer_id,
                        "employer_name": need.employer_name,
                        "visibility": need.visibility,
                        "is_assistive": need.is_assistive,
                    },
                }
                return scored

            return self._rank(vector, candidate.text, candidate.lang, self.needs, allowed, limit, pair)

    def matches_for_need(
        self,
        need: NeedEntry,
        vector: npt.NDArray[np.float32],
        filters: Filters,
        limit: int,
        today: dt.date | None = None,
    ) -> list[Match]:
        """Available jobseekers ranked for one need (pseudonyms only)."""
        on = today or dt.date.today()
        with self.lock:
            allowed = self._allowed_candidates(need, filters)

            def pair(candidate_id: int) -> dict[str, Any] | None:
                candidate = self.jobseekers.entries.get(candidate_id)
                if candidate is None:
                    return None
                scored = self._pair(need, candidate, on)
                scored |= {
                    "id": candidate.id,
                    "external_id": candidate.external_id,
                    "label": candidate.pseudonym,
                    "municipality": candidate.municipality,
                    "extra": {},
                }
                return scored

            return self._rank(vector, need.text, need.lang, self.jobseekers, allowed, limit, pair)

    def search_text(
        self, text: str, target: Kind, area_id: int, filters: Filters, limit: int, lang: str = "fi"
    ) -> list[tuple[int, float]]:
        """Free text against needs or jobseekers of an area, by meaning and words, without a pair check."""
        side = self.side(target)
        vector = encode(self.embedder, "jobseeker" if target == "need" else "need", [text])[0]
        with self.lock:
            c = side.columns()
            mask = c["alive"] & (c["area"] == area_id)
            if target == "need":
                mask = self._narrow(mask, c, filters)
            else:
                if filters.caseworker_id is not None:
                    mask &= c["owner"] == filters.caseworker_id
                if filters.municipality:
                    mask &= c["municipality"] == side.municipality_code(filters.municipality)
            allowed = c["ids"][mask]
            if not len(allowed):
                return []
            pool = candidate_pool(
                side.index,
                vector,
                lexical=side.lexical,
                query_text=text,
                lang=lang,
                pool_size=min(max(self.pool_size, 3 * limit), len(allowed)),
                allowed=allowed,
            )
            ranked = fuse(pool.ids, semantic=pool.semantic, lexical=pool.lexical, weights=self.weights)
            return [(r.id, round(r.total, 4)) for r in ranked[:limit]]


def score_pair(
    engine: MatchingEngine,
    need: NeedEntry,
    candidate: CandidateEntry,
    need_vector: npt.NDArray[np.float32],
    candidate_vector: npt.NDArray[np.float32],
    today: dt.date | None = None,
) -> Match:
    """One pair scored and explained as a ranking would, whatever its rank (BM25 needs a pool: 0 here)."""
    scored = engine._pair(need, candidate, today or dt.date.today())
    ranked = fuse(
        [candidate.id],
        semantic={candidate.id: float(np.dot(need_vector, candidate_vector))},
        skills={candidate.id: scored["skill_score"]},
        desired={candidate.id: scored["desired"]},
        hours={candidate.id: scored["hours"]},
        weights=engine.weights,
    )[0]
    return Match(
        id=candidate.id,
        external_id=candidate.external_id,
        label=candidate.pseudonym,
        municipality=candidate.municipality,
        total=round(ranked.total, 4),
        components=ranked.components,
        matched_skills=scored["matched"],
        missing_skills=scored["missing"],
        constraints=scored["constraints"],
        explanation=explain_fi(scored["constraints"], scored["matched"], scored["missing"]),
        distance_km=scored["distance_km"],
    )
