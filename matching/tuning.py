"""Tune the domain adapter on the public evaluation tasks and measure it on documents it never saw.

``kohtaamo model tune`` (and ``python -m matching.tuning``) runs :func:`tune`:

1. **Split by document.** Every corpus document (an occupation, a need per occupation, a skill) falls
   on the train or the dev side by a salted hash of its id (:func:`document_side`, about 30 % dev). The
   four tasks name occupations by the same ids, so an occupation is on one side in every task. A query
   belongs to the side of its relevant documents; a query with documents on both sides is left out.
   Splitting by query instead lets dev queries reach documents that training pulled close to their
   sibling queries, which flatters dev (measured: docs/evaluation.md).
2. **Vectors.** Every text is encoded once by the model *without* adapter (cached in var/cache/eval).
3. **Training.** A residual map ``W = I + A`` (:mod:`embeddings.adapter`) is learned on the train
   queries only: for a batch of (query, relevant document) pairs of each task, a softmax over all of
   that task's train documents at temperature :data:`TEMPERATURE`, summed over the tasks, with Adam. The
   same map is applied to both sides, so one adapter serves every kind of text.
4. **Measurement.** Dev queries are ranked over the whole corpus (train documents included) with the
   product's ranking code, semantic, lexical and fused, before and after the adapter.
5. **Fusion weights** are chosen on the train queries only (:func:`choose_lexical_weights`).

Nothing here reads ESCO outside the task files.
"""

from __future__ import annotations

import dataclasses
import hashlib
import json
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Final, Literal

import numpy as np
import numpy.typing as npt

from matching.evaluate import (
    DEFAULT_CACHE_DIR,
    DEFAULT_TASKS_DIR,
    Embedder,
    PreparedTask,
    Task,
    encode_cached,
    load_task,
    text_kind,
)
from matching.faiss_index import FaissIndex
from matching.lexical import LexicalIndex
from matching.ranking import FusionWeights

Side = Literal["train", "dev"]
Vectors = npt.NDArray[np.float32]

SPLIT_SALT: Final = "kohtaamo-tune-split-1"
DEV_SHARE: Final = 0.3
TEMPERATURE: Final = 0.05
LEXICAL_GRID: Final = (0.0, 0.01, 0.02, 0.03, 0.05, 0.08, 0.1, 0.15)


def document_side(doc_id: str, *, salt: str = SPLIT_SALT, dev_share: float = DEV_SHARE) -> Side:
    """``dev`` for about ``dev_share`` of all document ids, fixed by ``salt``; ``train`` for the rest."""
    digest = hashlib.sha256(f"{salt}\x1f{doc_id}".encode()).digest()
    return "dev" if int.from_bytes(digest[:8], "big") / 2**64 < dev_share else "train"


SideOf = Callable[[str], "Side | None"]


def inner_side(doc_id: str) -> Side | None:
    """A second split inside the train side (for choosing the budget without dev): ``None`` for dev."""
    if document_side(doc_id) == "dev":
        return None
    return document_side(doc_id, salt=SPLIT_SALT + "-inner", dev_share=0.25)


def split_task(task: Task, side: SideOf = document_side) -> dict[Side, Task]:
    """The task's train and dev queries (corpus unchanged): each query on the side of all its documents
    (``side`` of a document id; a query with a document on neither side is left out)."""
    sides: dict[Side, list[Any]] = {"train": [], "dev": []}
    for query in task.queries:
        found = {side(doc) for doc in task.relevant[query.id]}
        if len(found) == 1 and None not in found:
            sides[found.pop()].append(query)  # type: ignore[index]
    return {
        side: dataclasses.replace(
            task, queries=queries, relevant={q.id: task.relevant[q.id] for q in queries}
        )
        for side, queries in sides.items()
    }


@dataclass(frozen=True, slots=True)
class TaskVectors:
    """One task with its frozen vectors: corpus rows in corpus order, query rows in query order."""

    task: Task
    corpus: Vectors
    queries: Vectors


@dataclass(frozen=True, slots=True)
class TrainSettings:
    """The training budget: ``steps`` of ``batch`` pairs per task, Adam at ``learning_rate``."""

    steps: int = 400
    batch: int = 256
    negatives: int = 1024
    """Train documents drawn per task and step besides the batch's own: the softmax's candidates; 0:
    every train document of the task (so the hardest negatives are always among them)."""
    learning_rate: float = 1e-3
    temperature: float = TEMPERATURE
    rank: int = 0
    """0: a full residual ``A``; ``r`` > 0: ``A = U Vᵀ`` of rank ``r`` (``U`` starts at zero)."""
    identity_weight: float = 0.0
    """Penalty on ``‖A‖²`` (the squared Frobenius norm) added to each step's loss: keeps ``W`` near
    the identity."""
    seed: int = 19
    threads: int = 1
    """torch threads while training: the products are small, and on a shared machine a second thread
    that waits for a busy core made 80 steps 18 times slower (measured)."""


def _pairs(
    data: TaskVectors, train: Task, side: SideOf
) -> tuple[npt.NDArray[np.int64], npt.NDArray[np.int64], list[int]]:
    """Training pairs (query row, index into the train documents) and the train documents' rows."""
    position = {doc.id: row for row, doc in enumerate(data.task.corpus)}
    query_row = {query.id: row for row, query in enumerate(data.task.queries)}
    train_docs = [row for row, doc in enumerate(data.task.corpus) if side(doc.id) == "train"]
    slot = {row: index for index, row in enumerate(train_docs)}
    queries, targets = [], []
    for query in train.queries:
        for doc in sorted(train.relevant[query.id]):
            if doc in position and position[doc] in slot:
                queries.append(query_row[query.id])
                targets.append(slot[position[doc]])
    return np.asarray(queries, dtype=np.int64), np.asarray(targets, dtype=np.int64), train_docs


Checkpoint = Callable[[int, Vectors], None]


def train_projection(
    data: Sequence[TaskVectors],
    settings: TrainSettings = TrainSettings(),
    progress: Callable[[str], None] | None = None,
    side: SideOf = document_side,
    checkpoint: tuple[int, Checkpoint] | None = None,
) -> Vectors:
    """Learn ``W = I + A`` on the train side of every task in ``data``; return ``W`` (float32). Only
    train documents are candidates of the softmax; dev documents and their queries are never seen.
    ``checkpoint`` = ``(every, call)``: ``call(steps_done, W)`` after every ``every`` steps (for a
    budget search on :func:`inner_side`)."""
    import torch

    threads = torch.get_num_threads()
    torch.set_num_threads(settings.threads)
    try:
        return _train(data, settings, progress or (lambda _message: None), side, checkpoint)
    finally:
        torch.set_num_threads(threads)


def _train(
    data: Sequence[TaskVectors],
    settings: TrainSettings,
    say: Callable[[str], None],
    side: SideOf,
    checkpoint: tuple[int, Checkpoint] | None,
) -> Vectors:
    import torch

    torch.manual_seed(settings.seed)
    generator = np.random.default_rng(settings.seed)
    dim = data[0].corpus.shape[1]
    prepared = []
    for item in data:
        train = split_task(item.task, side)["train"]
        queries, targets, train_docs = _pairs(item, train, side)
        if len(queries) == 0:
            continue
        prepared.append(
            (
                torch.from_numpy(np.ascontiguousarray(item.queries)),
                torch.from_numpy(np.ascontiguousarray(item.corpus[train_docs])),
                queries,
                torch.from_numpy(targets),
            )
        )
    if not prepared:
        raise ValueError("no training pairs: every task's relevant documents fell on the dev side")
    identity = torch.eye(dim)
    if settings.rank > 0:
        left = torch.zeros(dim, settings.rank, requires_grad=True)
        right = (torch.randn(dim, settings.rank) / dim**0.5).requires_grad_()
        parameters = [left, right]

        def residual() -> torch.Tensor:
            product: torch.Tensor = left @ right.T
            return product
    else:
        full = torch.zeros(dim, dim, requires_grad=True)
        parameters = [full]

        def residual() -> torch.Tensor:
            return full

    optimiser = torch.optim.Adam(parameters, lr=settings.learning_rate)

    def matrix() -> Vectors:
        return np.asarray((identity + residual()).detach().numpy(), dtype=np.float32)

    for step in range(settings.steps):
        optimiser.zero_grad()
        mapping = identity + residual()
        loss = settings.identity_weight * (mapping - identity).square().sum()
        for query_vectors, doc_vectors, rows, slots in prepared:
            pick = generator.choice(len(rows), size=min(settings.batch, len(rows)), replace=False)
            own = slots[pick].numpy()
            drawn = (
                np.arange(len(doc_vectors))
                if settings.negatives == 0
                else generator.choice(
                    len(doc_vectors), size=min(settings.negatives, len(doc_vectors)), replace=False
                )
            )
            candidates, targets = np.unique(np.concatenate([own, drawn]), return_inverse=True)
            chosen_docs = doc_vectors[torch.from_numpy(candidates)]
            logits = (
                torch.nn.functional.normalize(query_vectors[rows[pick]] @ mapping.T, dim=1)
                @ torch.nn.functional.normalize(chosen_docs @ mapping.T, dim=1).T
                / settings.temperature
            )
            loss = loss + torch.nn.functional.cross_entropy(logits, torch.from_numpy(targets[: len(own)]))
        loss.backward()  # type: ignore[no-untyped-call]
        optimiser.step()
        if step % 50 == 0 or step == settings.steps - 1:
            say(f"step {step + 1}/{settings.steps}: loss {float(loss.detach()) / len(prepared):.4f}")
        if checkpoint is not None and (step + 1) % checkpoint[0] == 0:
            checkpoint[1](step + 1, matrix())
    return matrix()


def _normalised(vectors: Vectors, matrix: Vectors | None) -> Vectors:
    if matrix is None:
        return vectors
    mapped = vectors @ matrix.T
    return np.asarray(mapped / np.maximum(np.linalg.norm(mapped, axis=1, keepdims=True), 1e-12), np.float32)


def prepared_side(
    data: TaskVectors, side: Task, lexical: LexicalIndex, matrix: Vectors | None
) -> PreparedTask:
    """``side``'s queries ranked over the whole corpus, with vectors mapped by ``matrix`` (if any)."""
    rows = {query.id: row for row, query in enumerate(data.task.queries)}
    queries = data.queries[[rows[query.id] for query in side.queries]]
    index = FaissIndex(data.corpus.shape[1])
    index.add(np.arange(len(data.task.corpus), dtype=np.int64), _normalised(data.corpus, matrix))
    return PreparedTask(side, _normalised(np.asarray(queries, np.float32), matrix), index, lexical)


def _scores(prepared: PreparedTask, weights: FusionWeights) -> dict[str, dict[str, float]]:
    return {
        mode: {key: round(value, 4) for key, value in prepared.score(prepared.rank(mode, weights)).items()}
        for mode in ("semantic", "lexical", "fused")
    }


CHOICE_QUERIES: Final = 600
"""Train queries per task that choose the lexical weight (a fixed sample: pools are the slow part)."""


def choose_lexical_weights(runs: dict[str, PreparedTask]) -> dict[str, float]:
    """Per kind of text, the lexical weight of :data:`LEXICAL_GRID` with the best mean fused MRR@10 over
    that kind's tasks in ``runs`` (which must hold train queries only)."""
    by_kind: dict[str, list[PreparedTask]] = {}
    for name, prepared in runs.items():
        by_kind.setdefault(text_kind(name).name, []).append(prepared)
    chosen = {}
    for kind, prepared_tasks in by_kind.items():
        base = text_kind(prepared_tasks[0].task.name).weights

        def mean_mrr(
            weight: float, tasks: list[PreparedTask] = prepared_tasks, base: FusionWeights = base
        ) -> float:
            weights = dataclasses.replace(base, lexical=weight)
            return float(np.mean([p.score(p.rank("fused", weights))["mrr@10"] for p in tasks]))

        chosen[kind] = max(LEXICAL_GRID, key=lambda weight: (round(mean_mrr(weight), 4), -weight))
    return chosen


def _sample(task: Task, count: int = CHOICE_QUERIES) -> Task:
    picked = np.random.default_rng(19).permutation(len(task.queries))[:count]
    queries = [task.queries[i] for i in sorted(picked)]
    return dataclasses.replace(task, queries=queries, relevant={q.id: task.relevant[q.id] for q in queries})


def load_vectors(
    task_names: Sequence[str], embedder: Embedder, tasks_dir: Path, cache_dir: Path = DEFAULT_CACHE_DIR
) -> list[TaskVectors]:
    """Every task's frozen vectors, through the evaluation cache (corpus prompt per text kind)."""
    out = []
    for name in task_names:
        task = load_task(tasks_dir / name)
        corpus = encode_cached(
            embedder, [d.text for d in task.corpus], text_kind(name).corpus_prompt, cache_dir
        )
        queries = encode_cached(embedder, [q.text for q in task.queries], "query", cache_dir)
        out.append(TaskVectors(task, corpus, queries))
    return out


def measure(data: Sequence[TaskVectors], matrix: Vectors, side: SideOf = document_side) -> dict[str, Any]:
    """Before/after per task on the dev side, with the task's weights and with weights chosen on train."""
    lexical = {
        item.task.name: LexicalIndex.build(
            (row, doc.text, doc.lang) for row, doc in enumerate(item.task.corpus)
        )
        for item in data
    }
    splits = {item.task.name: split_task(item.task, side) for item in data}
    train_runs = {
        item.task.name: prepared_side(
            item, _sample(splits[item.task.name]["train"]), lexical[item.task.name], matrix
        )
        for item in data
    }
    chosen = choose_lexical_weights(train_runs)
    tasks: dict[str, Any] = {}
    for item in data:
        name = item.task.name
        dev = splits[name]["dev"]
        weights = text_kind(name).weights
        tuned = dataclasses.replace(weights, lexical=chosen[text_kind(name).name])
        before = prepared_side(item, dev, lexical[name], None)
        after = prepared_side(item, dev, lexical[name], matrix)
        tasks[name] = {
            "train_queries": len(splits[name]["train"].queries),
            "dev_queries": len(dev.queries),
            "lexical_weight": weights.lexical,
            "tuned_lexical_weight": tuned.lexical,
            "before": _scores(before, weights),
            "after": _scores(after, weights),
            "after_tuned_weights": _scores(after, tuned),
        }
    return {"tasks": tasks, "chosen_lexical_weights": chosen}


TASK_NAMES: Final = (
    "T1_profile_fi_to_need_fi",
    "T2_title_sv_to_occupation_fi",
    "T3_title_en_to_occupation_fi",
    "T4_skill_en_to_skill_fi",
)


def tune(
    embedder: Embedder,
    out: Path,
    *,
    tasks_dir: Path = DEFAULT_TASKS_DIR,
    settings: TrainSettings = TrainSettings(),
    task_names: Sequence[str] = TASK_NAMES,
    cache_dir: Path = DEFAULT_CACHE_DIR,
    progress: Callable[[str], None] | None = None,
) -> dict[str, Any]:
    """Encode (``embedder`` must be the model without adapter), train, write the adapter to ``out``
    and return the report: settings, seconds per stage and the dev figures before and after."""
    from embeddings.adapter import projection_bytes

    say = progress or (lambda _message: None)
    started = time.perf_counter()
    say("encoding the tasks (cached after the first run)")
    data = load_vectors(task_names, embedder, tasks_dir, cache_dir)
    encoded = time.perf_counter()
    say("training the projection")
    matrix = train_projection(data, settings, say)
    trained = time.perf_counter()
    out.parent.mkdir(parents=True, exist_ok=True)
    temporary = out.with_name(out.name + ".tmp")
    temporary.write_bytes(projection_bytes(matrix))
    temporary.replace(out)
    say("measuring on the dev split")
    report = measure(data, matrix)
    return {
        "model_id": embedder.model_id,
        "adapter": str(out),
        "adapter_sha256": hashlib.sha256(out.read_bytes()).hexdigest(),
        "split": {"salt": SPLIT_SALT, "dev_share": DEV_SHARE, "by": "relevant document"},
        "settings": dataclasses.asdict(settings),
        "seconds": {
            "encode": round(encoded - started, 1),
            "train": round(trained - encoded, 1),
            "measure": round(time.perf_counter() - trained, 1),
        },
        **report,
    }


TARGETS: Final = {
    "T1_profile_fi_to_need_fi": 0.40,
    "T2_title_sv_to_occupation_fi": 0.45,
    "T3_title_en_to_occupation_fi": 0.42,
    "T4_skill_en_to_skill_fi": 0.70,
}
"""Fused MRR@10 on the dev side that issue 19 asks for."""


def to_markdown(report: dict[str, Any]) -> str:
    """The report as Markdown tables: per task and component, before and after, on the dev side."""
    seconds = report["seconds"]
    settings = report["settings"]
    lines = [
        f"Model without adapter `{report['model_id']}`; adapter sha256 `{report['adapter_sha256'][:12]}`; "
        f"split by relevant document (salt `{report['split']['salt']}`, {report['split']['dev_share']:.0%} "
        f"of documents on the dev side); {settings['steps']} steps of {settings['batch']} pairs per task, "
        f"Adam {settings['learning_rate']}, temperature {settings['temperature']}, "
        f"{'full-rank' if not settings.get('rank') else 'rank ' + str(settings['rank'])} residual, "
        f"identity penalty {settings.get('identity_weight', 0.0)}, "
        f"{settings['negatives'] or 'all'} drawn negatives. Seconds: encoding "
        f"{seconds['encode']} (0 when cached), training {seconds['train']}, measuring {seconds['measure']}.",
        "",
        "| task | train / dev queries | component | MRR@10 before | MRR@10 after | R@10 before | R@10 after "
        "| nDCG@10 before | nDCG@10 after |",
        "|---|---:|---|---:|---:|---:|---:|---:|---:|",
    ]
    for name, task in report["tasks"].items():
        counts = f"{task['train_queries']} / {task['dev_queries']}"
        rows: list[tuple[str, dict[str, float], dict[str, float]]] = [
            (mode, task["before"][mode], task["after"][mode]) for mode in ("semantic", "lexical", "fused")
        ]
        rows.append(
            (
                f"fused, lexical weight {task['tuned_lexical_weight']} (chosen on train)",
                task["before"]["fused"],
                task["after_tuned_weights"]["fused"],
            )
        )
        for number, (label, before, after) in enumerate(rows):
            lines.append(
                f"| {name if number == 0 else ''} | {counts if number == 0 else ''} | {label} | "
                + " | ".join(f"{before[m]:.4f} | {after[m]:.4f}" for m in ("mrr@10", "recall@10", "ndcg@10"))
                + " |"
            )
    lines += [
        "",
        "| task | target fused MRR@10 | after (task weights) | after (weights chosen on train) | reached "
        "| fused ≥ semantic and ≥ lexical |",
        "|---|---:|---:|---:|---|---|",
    ]
    for name, target in TARGETS.items():
        if name not in report["tasks"]:
            continue
        task = report["tasks"][name]
        fused = task["after"]["fused"]["mrr@10"]
        tuned = task["after_tuned_weights"]["fused"]["mrr@10"]
        components = max(task["after"]["semantic"]["mrr@10"], task["after"]["lexical"]["mrr@10"])
        reached = "yes" if max(fused, tuned) >= target else "no"
        lines.append(
            f"| {name} | {target:.2f} | {fused:.4f} | {tuned:.4f} | {reached} "
            f"| {'yes' if fused >= components else 'no'} |"
        )
    return "\n".join(lines) + "\n"


def main(argv: Sequence[str] | None = None) -> None:
    """``python -m matching.tuning [--steps N] [--learning-rate X] ... [--out FILE] [--report FILE]``."""
    import argparse
    import sys

    from embeddings.adapter import ADAPTER_FILE
    from embeddings.embedder import get_embedder

    parser = argparse.ArgumentParser(description="Tune the domain adapter on the public tasks.")
    parser.add_argument(
        "--model", type=Path, default=DEFAULT_CACHE_DIR.parents[1] / "model" / "multilingual-e5-small"
    )
    defaults = TrainSettings()
    parser.add_argument("--steps", type=int, default=defaults.steps)
    parser.add_argument("--learning-rate", type=float, default=defaults.learning_rate)
    parser.add_argument("--temperature", type=float, default=defaults.temperature)
    parser.add_argument("--negatives", type=int, default=defaults.negatives, help="0: all")
    parser.add_argument("--rank", type=int, default=defaults.rank, help="0: full")
    parser.add_argument("--identity-weight", type=float, default=defaults.identity_weight)
    parser.add_argument("--out", type=Path, default=ADAPTER_FILE)
    parser.add_argument("--report", type=Path)
    args = parser.parse_args(argv)
    embedder = get_embedder("sentence-transformers", args.model, adapter=False)
    settings = dataclasses.replace(
        defaults,
        steps=args.steps,
        learning_rate=args.learning_rate,
        temperature=args.temperature,
        negatives=args.negatives,
        rank=args.rank,
        identity_weight=args.identity_weight,
    )
    report = tune(
        embedder,
        args.out,
        settings=settings,
        progress=lambda m: print(m, file=sys.stderr),
    )
    text = json.dumps(report, indent=1)
    if args.report:
        args.report.write_text(text + "\n", "utf-8")
        args.report.with_suffix(".md").write_text(to_markdown(report), "utf-8")
    print(text)


if __name__ == "__main__":
    main()
