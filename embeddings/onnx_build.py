"""Export the built sentence-transformers folder to ONNX, optimised and quantised for ONNX Runtime.

The sentence-transformers path (torch, fp32) encodes about 30–45 profiles a second on two cores; the
product needs 60. This module turns the folder written by :mod:`embeddings.model_build` into one ONNX
file that :class:`embeddings.embedder.OnnxEmbedder` runs without torch:

1. the BERT encoder with mean pooling and L2 normalisation in the graph is exported with torch's
   TorchScript-based exporter (dynamic batch and sequence axes; inputs ``input_ids`` and
   ``attention_mask``, output ``sentence_embedding``);
2. ONNX Runtime's transformer optimiser fuses attention, LayerNorm with the residual add, GELU with its
   bias and the embedding lookup with its LayerNorm;
3. :data:`ONNX_VARIANT` ``"int8"``: the weights of every matrix product and of the token embedding
   table are quantised to int8 per output channel, activations to uint8 per call
   (``quantize_dynamic``). ``"fp32"`` stops after step 2.

int8 is what ``kohtaamo model build`` writes: about twice the profiles per second of torch fp32, but one
activation scale per call costs retrieval quality (MRR@10 0.01–0.03 lower on three of the four public
tasks), so it is an option (``KOHTAAMO_EMBEDDER=onnx``), not the default. fp32 agrees with torch to
rounding but is no faster in throughput; ``bench.encode`` measures both.

The result is compared with the torch model on ordinary sentences before it is published
(cosine ≥ :data:`MIN_AGREEMENT` of the variant) and written to ``onnx/`` inside the model folder with
its own manifest (:class:`embeddings.model_folder.OnnxManifest`), which records the parent folder's
``model_id``: when the parent is rebuilt the ONNX file is rebuilt too, otherwise building again does
nothing.
"""

from __future__ import annotations

import dataclasses
import json
import os
import shutil
import tempfile
import time
import warnings
from collections.abc import Callable
from pathlib import Path
from typing import Any

from embeddings.build_kit import VERIFY_SENTENCES, ModelBuildError, swap_into_place, worst_agreement
from embeddings.embedder import OnnxEmbedder, SentenceTransformerEmbedder
from embeddings.model_folder import (
    ONNX_BUILDER_VERSION,
    ONNX_DIR,
    ONNX_FILE,
    ONNX_MANIFEST_NAME,
    ModelMissingError,
    OnnxManifest,
    Variant,
    read_manifest,
    read_onnx_manifest,
)

__all__ = ["MIN_AGREEMENT", "ONNX_VARIANT", "build_onnx"]

ONNX_VARIANT: Variant = "int8"
"""The variant ``kohtaamo model build`` writes (quality: docs/evaluation.md; speed: bench/results)."""

MIN_AGREEMENT: dict[Variant, float] = {"fp32": 0.9999, "int8": 0.99}
"""Minimum cosine with the torch model's vectors on ordinary sentences, per variant.

fp32 differs from torch by rounding only (measured ≥ 0.99999). int8 measured 0.9948 at worst on the
verification sentences and 0.995 on the 256 benchmark profiles; 0.99 leaves room for rounding
differences between machines while catching a broken export (which lands far below 0.9).
"""

_OPSET = 17


def build_onnx(
    model_folder: Path,
    *,
    variant: Variant = ONNX_VARIANT,
    force: bool = False,
    target: Path | None = None,
    progress: Callable[[str], None] | None = None,
) -> Path:
    """Export the sentence-transformers folder ``model_folder`` to ``target`` (``model_folder/onnx``).

    Does nothing when ``target`` already holds this builder's export of the same parent model in the
    same variant (unless ``force``). Otherwise exports into a temporary sibling, verifies it against the
    torch model and swaps it into place. The caller holds the parent folder's build lock.
    Raises :class:`embeddings.build_kit.ModelBuildError` when the export or the verification fails.
    """
    say = progress or (lambda _message: None)
    model_folder = Path(model_folder).absolute()
    target = Path(target).absolute() if target is not None else model_folder / ONNX_DIR
    parent = read_manifest(model_folder)
    if parent is None:
        raise ModelBuildError(f"{model_folder} is not a built model folder: nothing to export")
    current = read_onnx_manifest(target)
    if (
        not force
        and current is not None
        and current.parent_model_id == parent.model_id
        and current.variant == variant
    ):
        say(f"{target} is up to date")
        return target
    started = time.perf_counter()
    target.parent.mkdir(parents=True, exist_ok=True)
    work = Path(tempfile.mkdtemp(prefix=f".{target.name}.build-", dir=target.parent))
    try:
        say("exporting to ONNX")
        exported = work / "exported.onnx"
        _export(model_folder, exported)
        say("optimising the graph")
        optimised = work / "optimised.onnx"
        _optimise(model_folder, exported, optimised)
        exported.unlink()
        if variant == "int8":
            say("quantising to int8")
            _quantise(optimised, work / ONNX_FILE)
            optimised.unlink()
        else:
            optimised.rename(work / ONNX_FILE)
        manifest = OnnxManifest(
            builder_version=ONNX_BUILDER_VERSION,
            parent_model_id=parent.model_id,
            variant=variant,
            file_size=(work / ONNX_FILE).stat().st_size,
            min_agreement=None,
        )
        _write_manifest(work, manifest)
        say(f"verifying the {variant} ONNX model against torch")
        worst = _verify(model_folder, work, MIN_AGREEMENT[variant])
        _write_manifest(work, dataclasses.replace(manifest, min_agreement=round(worst, 6)))
        for path in [work, *work.iterdir()]:
            path.chmod(0o755 if path.is_dir() else 0o644)  # mkdtemp makes the folder private
        swap_into_place(work, target)
    except BaseException:
        shutil.rmtree(work, ignore_errors=True)
        raise
    say(f"exported {target} in {time.perf_counter() - started:.1f} s (worst agreement {worst:.5f})")
    return target


def _export(model_folder: Path, path: Path) -> None:
    os.environ["HF_HUB_OFFLINE"] = "1"
    os.environ["TRANSFORMERS_OFFLINE"] = "1"
    import torch
    import transformers
    from transformers import AutoModel

    transformers.utils.logging.disable_progress_bar()  # type: ignore[no-untyped-call]
    # Eager attention: its pattern is the one ONNX Runtime's optimiser recognises and fuses.
    encoder = AutoModel.from_pretrained(
        str(model_folder), add_pooling_layer=False, attn_implementation="eager", local_files_only=True
    )
    encoder.eval()

    class _SentenceEncoder(torch.nn.Module):
        """The encoder, mean pooling over real tokens and L2 normalisation, as sentence-transformers."""

        def __init__(self, encoder: Any) -> None:
            super().__init__()
            self.encoder = encoder

        def forward(self, input_ids: torch.Tensor, attention_mask: torch.Tensor) -> torch.Tensor:
            tokens = self.encoder(
                input_ids=input_ids,
                attention_mask=attention_mask,
                token_type_ids=torch.zeros_like(input_ids),
            ).last_hidden_state
            mask = attention_mask.unsqueeze(-1).to(tokens.dtype)
            pooled = (tokens * mask).sum(dim=1) / mask.sum(dim=1).clamp(min=1e-9)
            return torch.nn.functional.normalize(pooled, p=2.0, dim=1)

    # Two rows of different lengths, so that the traced graph has seen padding.
    input_ids = torch.tensor([[0, 1000, 2000, 3000, 2], [0, 1000, 2, 1, 1]], dtype=torch.int64)
    attention_mask = torch.tensor([[1, 1, 1, 1, 1], [1, 1, 1, 0, 0]], dtype=torch.int64)
    with torch.no_grad(), warnings.catch_warnings():
        # The TorchScript exporter is deprecated in favour of torch.export, and tracing warns about
        # shape checks in transformers' mask code that hold for every input shape here.
        warnings.simplefilter("ignore")
        torch.onnx.export(
            _SentenceEncoder(encoder),
            (input_ids, attention_mask),
            str(path),
            input_names=["input_ids", "attention_mask"],
            output_names=["sentence_embedding"],
            dynamic_axes={
                "input_ids": {0: "batch", 1: "sequence"},
                "attention_mask": {0: "batch", 1: "sequence"},
                "sentence_embedding": {0: "batch"},
            },
            opset_version=_OPSET,
            do_constant_folding=True,
            dynamo=False,
        )


def _optimise(model_folder: Path, source: Path, path: Path) -> None:
    from onnxruntime.transformers.optimizer import optimize_model

    config = json.loads((model_folder / "config.json").read_text("utf-8"))
    model = optimize_model(
        str(source),
        model_type="bert",
        num_heads=int(config["num_attention_heads"]),
        hidden_size=int(config["hidden_size"]),
        opt_level=0,  # the Python fusions only; the runtime applies its own when it loads the file
    )
    fused = model.get_fused_operator_statistics()
    layers = int(config["num_hidden_layers"])
    if fused.get("Attention", 0) != layers or fused.get("SkipLayerNormalization", 0) != 2 * layers:
        # Unfused, the graph still computes the same vectors, only slower: a changed export pattern
        # (a new transformers or torch) should be noticed at build time, not in a benchmark.
        raise ModelBuildError(f"the ONNX optimiser did not fuse every layer: {fused}")
    model.save_model_to_file(str(path))


def _quantise(source: Path, path: Path) -> None:
    import onnx
    from onnxruntime.quantization import QuantType, quantize_dynamic

    quantize_dynamic(
        str(source),
        str(path),
        per_channel=True,
        weight_type=QuantType.QInt8,
        # The fused contrib operators carry no type information for shape inference.
        extra_options={"DefaultTensorType": onnx.TensorProto.FLOAT},
    )


def _verify(model_folder: Path, onnx_dir: Path, threshold: float) -> float:
    """Compare the ONNX model with the torch one on ordinary sentences; return the worst cosine."""
    try:
        ours = OnnxEmbedder(model_folder, onnx_dir=onnx_dir, adapter=False)
    except ModelMissingError as exc:
        raise ModelBuildError(f"the exported ONNX model does not load: {exc.__cause__ or exc}") from exc
    reference = SentenceTransformerEmbedder(model_folder, precision="fp32", adapter=False)
    texts = list(VERIFY_SENTENCES)
    pairs = (
        ("query", ours.encode_queries(texts), reference.encode_queries(texts)),
        ("passage", ours.encode_passages(texts), reference.encode_passages(texts)),
    )
    return worst_agreement(texts, pairs, threshold, "the ONNX model disagrees with the torch model")


def _write_manifest(folder: Path, manifest: OnnxManifest) -> None:
    (folder / ONNX_MANIFEST_NAME).write_text(json.dumps(manifest.to_json(), indent=2) + "\n", "utf-8")
