"""The other adapter kind: LoRA on the encoder through ``peft``, at the budget two shared cores allow.

Trains low-rank updates of the attention and feed-forward products of multilingual-e5-small on the
train side of the document split (:mod:`matching.tuning`), with in-batch negatives (a softmax over the
batch's documents, temperature 0.05), then re-encodes every corpus and the dev queries and ranks them
as :func:`matching.tuning.measure` does. Writes ``bench/results/lora.json``. Not part of the product:
``peft`` and ``accelerate`` are the optional extra ``lora`` (``pip install -e '.[lora]'``).

    python -m bench.lora [--steps 150] [--batch 32] [--rank 8]
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import time
from pathlib import Path
from typing import Any

import numpy as np

from matching.evaluate import DEFAULT_TASKS_DIR, load_task, text_kind
from matching.lexical import LexicalIndex
from matching.tuning import TASK_NAMES, TaskVectors, _scores, document_side, prepared_side, split_task

RESULTS = Path(__file__).resolve().parent / "results"


def cpu_name() -> str:
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                return line.split(":", 1)[1].strip()
    except OSError:
        pass
    return platform.processor() or platform.machine()


def main() -> None:
    """Train, measure, write the JSON report."""
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--model", type=Path, default=Path("var/model/multilingual-e5-small"))
    parser.add_argument("--steps", type=int, default=150)
    parser.add_argument("--batch", type=int, default=32)
    parser.add_argument("--rank", type=int, default=8)
    parser.add_argument("--max-tokens", type=int, default=128)
    parser.add_argument("--out", type=Path, default=RESULTS / "lora.json")
    parser.add_argument("--threads", type=int, default=1, help="torch threads (1: a shared machine)")
    parser.add_argument("--tasks", default=",".join(TASK_NAMES), help="comma-separated task names")
    parser.add_argument("--lr", type=float, default=2e-4, help="AdamW learning rate")
    parser.add_argument("--bf16", action="store_true", help="train under torch.autocast bfloat16")
    args = parser.parse_args()
    os.environ["HF_HUB_OFFLINE"] = "1"
    import torch
    from peft import LoraConfig, get_peft_model
    from sentence_transformers import SentenceTransformer

    torch.set_num_threads(args.threads)
    torch.manual_seed(19)
    rng = np.random.default_rng(19)
    model = SentenceTransformer(str(args.model), device="cpu", local_files_only=True)
    model.max_seq_length = args.max_tokens
    transformer = model[0]
    config = LoraConfig(
        r=args.rank,
        lora_alpha=2 * args.rank,
        lora_dropout=0.0,
        target_modules=["query", "key", "value", "dense"],
    )
    transformer.auto_model = get_peft_model(transformer.auto_model, config)
    trainable = sum(p.numel() for p in transformer.auto_model.parameters() if p.requires_grad)
    tasks = [load_task(DEFAULT_TASKS_DIR / name) for name in args.tasks.split(",")]
    pairs: list[list[tuple[str, str]]] = []
    for task in tasks:
        prompt = "query: " if text_kind(task.name).corpus_prompt == "query" else "passage: "
        docs = {doc.id: doc.text for doc in task.corpus}
        train = split_task(task)["train"]
        pairs.append(
            [
                ("query: " + q.text, prompt + docs[d])
                for q in train.queries
                for d in sorted(train.relevant[q.id])
                if document_side(d) == "train"
            ]
        )
    optimiser = torch.optim.AdamW([p for p in model.parameters() if p.requires_grad], lr=args.lr)
    model.train()
    started = time.perf_counter()
    losses = []
    for step in range(args.steps):
        task_pairs = pairs[step % len(pairs)]
        pick = rng.choice(len(task_pairs), size=args.batch, replace=False)
        queries = [task_pairs[i][0] for i in pick]
        docs = [task_pairs[i][1] for i in pick]
        with torch.autocast("cpu", dtype=torch.bfloat16, enabled=args.bf16):
            q = model(model.tokenize(queries))["sentence_embedding"].float()
            d = model(model.tokenize(docs))["sentence_embedding"].float()
        logits = torch.nn.functional.normalize(q, dim=1) @ torch.nn.functional.normalize(d, dim=1).T / 0.05
        # Identical documents (several queries of one occupation) are not negatives of each other.
        same = torch.tensor([[a == b for b in docs] for a in docs])
        logits = logits.masked_fill(same & ~torch.eye(len(docs), dtype=torch.bool), float("-inf"))
        loss = torch.nn.functional.cross_entropy(logits, torch.arange(len(docs)))
        optimiser.zero_grad()
        loss.backward()
        optimiser.step()
        losses.append(float(loss))
        if step % 10 == 0:
            print(
                f"step {step}: loss {np.mean(losses[-10:]):.4f} ({time.perf_counter() - started:.0f} s)",
                flush=True,
            )
    trained = time.perf_counter() - started
    model.eval()
    model.max_seq_length = 512

    def encode(texts: list[str], prompt: str) -> Any:
        order = sorted(range(len(texts)), key=lambda i: len(texts[i]), reverse=True)
        out = np.zeros((len(texts), 384), dtype=np.float32)
        with torch.no_grad(), torch.autocast("cpu", dtype=torch.bfloat16):
            for start in range(0, len(order), 64):
                rows = order[start : start + 64]
                out[rows] = model.encode([prompt + texts[i] for i in rows], convert_to_numpy=True)
        return out

    results: dict[str, Any] = {}
    encode_started = time.perf_counter()
    encoded: dict[tuple[str, ...], Any] = {}  # T2 and T3 share their corpus: encode it once
    for task in tasks:
        dev = split_task(task)["dev"]
        prompt = "query: " if text_kind(task.name).corpus_prompt == "query" else "passage: "
        key = (prompt, *(doc.text for doc in task.corpus))
        if key not in encoded:
            encoded[key] = encode([doc.text for doc in task.corpus], prompt)
        corpus = encoded[key]
        dev_rows = {q.id for q in dev.queries}
        queries = np.zeros((len(task.queries), 384), dtype=np.float32)
        rows = [i for i, q in enumerate(task.queries) if q.id in dev_rows]
        queries[rows] = encode([task.queries[i].text for i in rows], "query: ")
        lexical = LexicalIndex.build((row, doc.text, doc.lang) for row, doc in enumerate(task.corpus))
        prepared = prepared_side(TaskVectors(task, corpus, queries), dev, lexical, None)
        results[task.name] = _scores(prepared, text_kind(task.name).weights)
        print(task.name, json.dumps(results[task.name]), flush=True)
    report = {
        "cpu": cpu_name(),
        "load_average_at_end": [round(x, 1) for x in os.getloadavg()],
        "bf16_training": args.bf16,
        "tasks": args.tasks.split(","),
        "steps": args.steps,
        "batch": args.batch,
        "rank": args.rank,
        "learning_rate": args.lr,
        "max_tokens_in_training": args.max_tokens,
        "trainable_parameters": trainable,
        "torch_threads": args.threads,
        "train_seconds": round(trained, 1),
        "encode_and_rank_seconds": round(time.perf_counter() - encode_started, 1),
        "final_loss_mean_last_10": round(float(np.mean(losses[-10:])), 4),
        "dev": results,
    }
    args.out.write_text(json.dumps(report, indent=1) + "\n", "utf-8")
    print(json.dumps(report, indent=1))


if __name__ == "__main__":
    main()
