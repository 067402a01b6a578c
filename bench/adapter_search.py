"""Search the adapter's training settings on the inner split of the train documents, never on dev.

The train side of the document split (:func:`matching.tuning.document_side`) is split once more by
document (:func:`matching.tuning.inner_side`, 25 % inner-dev). Each configuration is trained on the
inner-train documents' queries only and scored every ``--every`` steps by semantic MRR@10 of the
inner-dev queries, ranked over the train side's documents (the dev side's documents are left out of
the corpus, so nothing of dev takes part). Vectors are the cached frozen outputs of the model without
adapter (:func:`matching.tuning.load_vectors`), so a configuration takes seconds to a few minutes.
Writes ``bench/results/adapter_search.json`` and ``.md``; the chosen settings then go to
:class:`matching.tuning.TrainSettings` and are measured once on dev by ``kohtaamo model tune``.

    python -m bench.adapter_search [--configs NAME,...] [--steps 800] [--every 100]
"""

from __future__ import annotations

import argparse
import dataclasses
import json
import time
from pathlib import Path
from typing import Any

import numpy as np

from bench.lora import cpu_name
from embeddings.adapter import projection_bytes
from matching.evaluate import DEFAULT_TASKS_DIR, text_kind
from matching.lexical import LexicalIndex
from matching.tuning import (
    TASK_NAMES,
    TaskVectors,
    TrainSettings,
    Vectors,
    _scores,
    document_side,
    inner_side,
    load_vectors,
    prepared_side,
    split_task,
    train_projection,
)

RESULTS = Path(__file__).resolve().parent / "results"

CONFIGS: dict[str, dict[str, Any]] = {
    "current": {},
    "lr1e-4": {"learning_rate": 1e-4},
    "rank8": {"rank": 8, "learning_rate": 3e-3},
    "rank32": {"rank": 32, "learning_rate": 3e-3},
    "id1": {"identity_weight": 1.0},
    "id0.01-all": {"identity_weight": 0.01, "negatives": 0},
    "lr3e-4-t0.1": {"learning_rate": 3e-4, "temperature": 0.1},
    "lr3e-4-all": {"learning_rate": 3e-4, "negatives": 0},
    "all-negatives": {"negatives": 0},
    "lr3e-4": {"learning_rate": 3e-4},
    "lr3e-3": {"learning_rate": 3e-3},
    "t0.02": {"temperature": 0.02},
    "t0.1": {"temperature": 0.1},
    "id0.01": {"identity_weight": 0.01},
    "id0.1": {"identity_weight": 0.1},
    "rank16": {"rank": 16, "learning_rate": 3e-3},
    "rank64": {"rank": 64, "learning_rate": 3e-3},
    "rank128": {"rank": 128, "learning_rate": 3e-3},
}


class InnerScorer:
    """Semantic MRR@10 of each task's inner-dev queries over the train side's documents."""

    def __init__(self, data: list[TaskVectors]) -> None:
        self.parts = []
        for item in data:
            inner_dev = split_task(item.task, inner_side)["dev"]
            docs = [row for row, doc in enumerate(item.task.corpus) if document_side(doc.id) == "train"]
            doc_ids = [item.task.corpus[row].id for row in docs]
            rows = {query.id: row for row, query in enumerate(item.task.queries)}
            queries = item.queries[[rows[query.id] for query in inner_dev.queries]]
            relevant = [
                np.isin(np.asarray(doc_ids), sorted(inner_dev.relevant[query.id]))
                for query in inner_dev.queries
            ]
            self.parts.append((item.task.name, queries, item.corpus[docs], np.asarray(relevant)))

    def __call__(self, matrix: Vectors | None) -> dict[str, float]:
        scores = {}
        for name, queries, corpus, relevant in self.parts:
            q, d = _mapped(queries, matrix), _mapped(corpus, matrix)
            similarity = q @ d.T
            top = np.argsort(-similarity, axis=1)[:, :10]
            hits = np.take_along_axis(relevant, top, axis=1)
            first = np.where(hits.any(axis=1), hits.argmax(axis=1) + 1, 0)
            scores[name] = round(float(np.mean(np.where(first > 0, 1.0 / np.maximum(first, 1), 0.0))), 4)
        scores["mean"] = round(float(np.mean([scores[name] for name, *_ in self.parts])), 4)
        return scores


def _mapped(vectors: Vectors, matrix: Vectors | None) -> Vectors:
    if matrix is None:
        return vectors
    out = vectors @ matrix.T
    return np.asarray(out / np.linalg.norm(out, axis=1, keepdims=True), np.float32)


def main() -> None:
    """Run the configurations named by ``--configs`` (default all) and write the results."""
    from embeddings.embedder import get_embedder

    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--model", type=Path, default=Path("var/model/multilingual-e5-small"))
    parser.add_argument("--configs", default=",".join(CONFIGS))
    parser.add_argument("--steps", type=int, default=800)
    parser.add_argument("--every", type=int, default=100)
    parser.add_argument("--out", type=Path, default=RESULTS / "adapter_search.json")
    parser.add_argument("--tasks", default=",".join(TASK_NAMES), help="comma-separated task names")
    parser.add_argument("--final", help="train this configuration on the whole train side and measure dev")
    parser.add_argument("--final-steps", type=int, help="its step count (chosen on the inner split)")
    parser.add_argument("--final-out", type=Path, help="where to write its adapter (.npy)")
    args = parser.parse_args()
    embedder = get_embedder("sentence-transformers", args.model, adapter=False)
    data = load_vectors(args.tasks.split(","), embedder, DEFAULT_TASKS_DIR)
    report: dict[str, Any] = json.loads(args.out.read_text("utf-8")) if args.out.exists() else {}
    if args.final:
        report["final"] = final(data, args.final, args.final_steps, args.final_out)
        args.out.write_text(json.dumps(report, indent=1) + "\n", "utf-8")
        print(json.dumps(report["final"], indent=1))
        return
    scorer = InnerScorer(data)
    report.update(
        {
            "cpu": cpu_name(),
            "model_id": embedder.model_id,
            "score": "semantic MRR@10 of inner-dev queries over the train side's documents",
            "no_adapter": scorer(None),
        }
    )
    runs = report.setdefault("runs", {})
    for name in args.configs.split(","):
        settings = TrainSettings(steps=args.steps, **CONFIGS[name])
        curve: dict[str, Any] = {}

        def record(steps: int, matrix: Vectors, curve: dict[str, Any] = curve) -> None:
            eye = np.eye(len(matrix), dtype=np.float32)
            curve[str(steps)] = {**scorer(matrix), "norm": round(float(np.linalg.norm(matrix - eye)), 2)}

        started = time.perf_counter()
        train_projection(data, settings, side=inner_side, checkpoint=(args.every, record))
        best = max(curve, key=lambda steps: curve[steps]["mean"])
        runs[name] = {
            "settings": dataclasses.asdict(settings),
            "every": args.every,
            "seconds": round(time.perf_counter() - started, 1),
            "curve": curve,
            "best_steps": int(best),
            "best": curve[best],
        }
        print(name, json.dumps(runs[name]["best"]), "at", best, f"({runs[name]['seconds']} s)", flush=True)
        args.out.write_text(json.dumps(report, indent=1) + "\n", "utf-8")
    args.out.with_suffix(".md").write_text(to_markdown(report), "utf-8")


def final(data: list[TaskVectors], name: str, steps: int, out: Path | None) -> dict[str, Any]:
    """The one measurement on dev: ``name`` trained for ``steps`` on the whole train side, dev queries
    ranked over the whole corpus by the product's ranking code, before (no adapter) and after."""
    settings = TrainSettings(steps=steps, **CONFIGS[name])
    started = time.perf_counter()
    matrix = train_projection(data, settings)
    trained = time.perf_counter() - started
    if out is not None:
        out.write_bytes(projection_bytes(matrix))
    tasks = {}
    for item in data:
        dev = split_task(item.task)["dev"]
        lexical = LexicalIndex.build((row, doc.text, doc.lang) for row, doc in enumerate(item.task.corpus))
        weights = text_kind(item.task.name).weights
        tasks[item.task.name] = {
            "dev_queries": len(dev.queries),
            "before": _scores(prepared_side(item, dev, lexical, None), weights),
            "after": _scores(prepared_side(item, dev, lexical, matrix), weights),
        }
    return {
        "configuration": name,
        "settings": dataclasses.asdict(settings),
        "train_seconds": round(trained, 1),
        "measure_seconds": round(time.perf_counter() - started - trained, 1),
        "tasks": tasks,
    }


def to_markdown(report: dict[str, Any]) -> str:
    """Every configuration's best inner score and the step count it was reached at."""
    names = [name for name in report["no_adapter"] if name != "mean"]
    lines = [
        f"Inner split of the train documents (never dev); {report['score']}. Model `{report['model_id']}` "
        f"without adapter; {report['cpu']}, 2 cores shared with other sessions (load average 8 to 17): "
        "seconds are wall time per configuration (training plus scoring at every checkpoint) and noisy.",
        "",
        "| configuration | changed settings | best steps | "
        + " | ".join(name.split("_")[0] for name in names)
        + " | mean | mean at the last checkpoint | seconds |",
        "|---|---|---:|" + "---:|" * len(names) + "---:|---:|---:|",
        "| no adapter | | | "
        + " | ".join(f"{report['no_adapter'][n]:.4f}" for n in names)
        + f" | {report['no_adapter']['mean']:.4f} | | |",
    ]
    for name, run in sorted(report["runs"].items(), key=lambda item: -item[1]["best"]["mean"]):
        last = max(run["curve"], key=int)
        changed = ", ".join(f"{key} {value}" for key, value in CONFIGS.get(name, {}).items()) or "—"
        lines.append(
            f"| {name} | {changed} | {run['best_steps']} | "
            + " | ".join(f"{run['best'][n]:.4f}" for n in names)
            + f" | {run['best']['mean']:.4f} | {run['curve'][last]['mean']:.4f} ({last} steps)"
            + f" | {run['seconds']} |"
        )
    if "final" in report:
        final_run = report["final"]
        lines += [
            "",
            f"Dev, measured once: `{final_run['configuration']}` at {final_run['settings']['steps']} steps "
            f"(trained {final_run['train_seconds']} s, measured {final_run['measure_seconds']} s), MRR@10 "
            "before (no adapter) → after, by the product's ranking code.",
            "",
            "| task | dev queries | semantic | lexical | fused |",
            "|---|---:|---:|---:|---:|",
        ]
        for name, task in final_run["tasks"].items():
            lines.append(
                f"| {name} | {task['dev_queries']} | "
                + " | ".join(
                    f"{task['before'][mode]['mrr@10']:.4f} → {task['after'][mode]['mrr@10']:.4f}"
                    for mode in ("semantic", "lexical", "fused")
                )
                + " |"
            )
    return "\n".join(lines) + "\n"


if __name__ == "__main__":
    main()
