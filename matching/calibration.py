"""The measured scale of a fit: where the cosine of the model starts and ends, and the fit bands.

A ranking fuses components that each lie in 0..1. The model's raw cosine does not: among the candidates
of a query it lies in a narrow strip (about 0.80-0.95 for multilingual-e5-small), so fused raw it
dominates every total and a full skill match moves nobody. The cosine is therefore mapped linearly onto
0..1 with two measured points, ``semantic_floor`` (a typical cosine of a pooled candidate that is *not*
the answer) and ``semantic_ceiling`` (a high cosine of a correct pair), before it is fused
(:func:`matching.ranking.fuse`).

A fit is the fused total on a 0-100 scale; a band names a range of fits for people ("vahva", "hyvä",
"mahdollinen"). Both the scale and the band limits are *measured*, not chosen: ``kohtaamo eval
--calibrate`` (:mod:`matching.calibrate`) derives them from the dev split of the public task of
profiles against needs and writes them into :data:`CALIBRATION_FILE`, one entry per model id (the
configured model's, and the tests' fake embedder's), with the share of correct pairs in each band on
the dev split and on the held-apart split. The file is committed, and is read again whenever it
changes on disk, so a new model (an adapter) only needs the command to be run again.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Final

CALIBRATION_FILE: Final = Path(__file__).resolve().parent / "data" / "calibration.json"
BANDS: Final = ("strong", "good", "possible")
"""Band codes, best first; their names per language are in the translation catalogue (core.labels)."""


@dataclass(frozen=True, slots=True)
class Calibration:
    """The measured scale of the semantic component and the lowest fit of each band but the last."""

    model_id: str
    semantic_floor: float
    semantic_ceiling: float
    band_floors: tuple[float, ...]
    """Lowest fit (0-100) of "strong" and of "good"; below the last one a fit is "possible"."""
    measured: dict[str, Any]
    """What the limits were derived from and the shares of correct pairs per band (for the docs)."""

    def semantic(self, cosine: float) -> float:
        """The cosine on the 0..1 scale of the other components (not clipped: the order stays linear)."""
        return (cosine - self.semantic_floor) / (self.semantic_ceiling - self.semantic_floor)

    def band(self, fit: int | float) -> str:
        """The band code of a fit."""
        for code, floor in zip(BANDS, self.band_floors, strict=False):
            if fit >= floor:
                return code
        return BANDS[-1]


def fit_of(total: float) -> int:
    """A fused total (a weighted mean of 0..1 components) as a whole-number fit, 0-100."""
    return max(0, min(100, round(100 * total)))


def parse(data: dict[str, Any], source: str = "calibration") -> Calibration:
    """A calibration from its JSON form; ValueError naming the field when it does not hold together."""
    try:
        floor = float(data["semantic_floor"])
        ceiling = float(data["semantic_ceiling"])
        floors = tuple(float(value) for value in data["band_floors"])
    except (KeyError, TypeError, ValueError) as exc:
        raise ValueError(f"{source}: {exc}") from None
    if not ceiling > floor:
        raise ValueError(f"{source}: semantic_ceiling must be above semantic_floor")
    if len(floors) != len(BANDS) - 1 or list(floors) != sorted(floors, reverse=True):
        raise ValueError(f"{source}: band_floors must be {len(BANDS) - 1} fits, highest first")
    return Calibration(str(data.get("model_id", "")), floor, ceiling, floors, dict(data.get("measured", {})))


_cache: dict[Path, tuple[float, dict[str, Any]]] = {}


def _read(path: Path) -> dict[str, Any]:
    stamp = path.stat().st_mtime
    cached = _cache.get(path)
    if cached is not None and cached[0] == stamp:
        return cached[1]
    data: dict[str, Any] = json.loads(path.read_text(encoding="utf-8"))
    _cache[path] = (stamp, data)
    return data


def load(model_id: str | None = None, path: Path = CALIBRATION_FILE) -> Calibration:
    """The calibration of ``model_id`` in ``path`` (read again when the file changes).

    A model without an entry of its own (one built since the file was last regenerated) gets the
    default model's entry: run ``kohtaamo eval --calibrate`` to measure it.
    """
    data = _read(path)
    models: dict[str, Any] = data["models"]
    entry = models.get(model_id or "") or models[data["default"]]
    return parse(entry, f"{path}: {model_id or data['default']}")


def write_entry(data: dict[str, Any], path: Path = CALIBRATION_FILE, *, default: bool = False) -> None:
    """Add or replace one model's entry (checked first, so a broken one is never written); ``default``
    makes it the entry of models without one of their own."""
    parse(data, str(path))
    current: dict[str, Any] = json.loads(path.read_text(encoding="utf-8")) if path.exists() else {}
    models = dict(current.get("models", {}))
    models[data["model_id"]] = data
    new = {"default": data["model_id"] if default or "default" not in current else current["default"]}
    new["models"] = dict(sorted(models.items()))
    temporary = path.with_suffix(".tmp")
    temporary.write_text(json.dumps(new, ensure_ascii=False, indent=2) + "\n", encoding="utf-8")
    temporary.replace(path)
