"""What the two model builders share: their error, the agreement check and the swap into place.

:mod:`embeddings.model_build` and :mod:`embeddings.onnx_build` both build into a temporary folder,
compare the new model's vectors with a reference engine's on :data:`VERIFY_SENTENCES`
(:func:`worst_agreement`) and only then publish it (:func:`swap_into_place`). Neither the runtime nor
this module imports a builder.
"""

from __future__ import annotations

import os
import shutil
import tempfile
from collections.abc import Sequence
from pathlib import Path

import numpy as np
import numpy.typing as npt

__all__ = ["VERIFY_SENTENCES", "ModelBuildError", "swap_into_place", "worst_agreement"]


class ModelBuildError(RuntimeError):
    """The model folder could not be built or did not pass verification."""


# Ordinary sentences (no tabs, rare symbols or >512 tokens, where the engines legitimately differ).
VERIFY_SENTENCES = (
    "Olen työskennellyt varastossa kolme vuotta ja minulla on trukkikortti.",
    "Etsimme keittiöapulaista kouluruokalaan Turkuun, työaika 30 tuntia viikossa.",
    "Haluaisin töihin vanhustenhoitoon, minulla on lähihoitajan koulutus.",
    "Jag har arbetat som lagerarbetare i tre år och har truckkort.",
    "Vi söker en kock till vår restaurang i Vasa.",
    "I have experience in customer service and cash register work.",
    "We are hiring a forklift driver for the night shift in our warehouse.",
    "Puutarhatyöt ja kiinteistönhoito kiinnostavat minua, ajokortti B on.",
)


def worst_agreement(
    texts: Sequence[str],
    pairs: Sequence[tuple[str, npt.NDArray[np.float32], npt.NDArray[np.float32]]],
    threshold: float,
    disagreement: str,
) -> float:
    """The lowest cosine between two engines' vectors of ``texts`` (per prompt kind in ``pairs``);
    :class:`ModelBuildError` starting with ``disagreement`` naming every text below ``threshold``."""
    worst = 1.0
    failures: list[str] = []
    for kind, mine, theirs in pairs:
        cosines = np.sum(mine * theirs, axis=1) / (
            np.linalg.norm(mine, axis=1) * np.linalg.norm(theirs, axis=1)
        )
        for text, cosine in zip(texts, cosines, strict=True):
            worst = min(worst, float(cosine))
            if not cosine >= threshold:
                failures.append(f"{kind} {text!r}: cosine {cosine:.5f}")
    if failures:
        raise ModelBuildError(f"{disagreement} (need cosine >= {threshold}): " + "; ".join(failures))
    return worst


def swap_into_place(work: Path, target: Path) -> None:
    """Replace ``target`` with ``work`` so that ``target`` is always either old-and-whole or new."""
    if not target.exists():
        os.rename(work, target)
        return
    old = Path(tempfile.mkdtemp(prefix=f".{target.name}.old-", dir=target.parent))
    os.rename(target, old / target.name)
    os.rename(work, target)
    shutil.rmtree(old, ignore_errors=True)
