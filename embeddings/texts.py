"""How a need and a jobseeker profile become the text that is embedded: the one place that says it.

Both functions take plain dicts (so any domain can call them without importing the other's models),
write the fields in a fixed order with short Finnish labels, collapse whitespace and cut the result to
:data:`MAX_CHARS`. The short structured fields come first and the free text last, so truncation
shortens the description, never the title or the skills::

    Tehtävä: Varastotyöntekijä. Ammatti: varastotyöntekijä. Osaaminen: keräily, trukin kuljettaminen.
    Eduksi: …. Pätevyydet: trukkikortti. Sijainti: Turku. Kuvaus: Keräily ja lähettämö, …

Asymmetric E5 prompts: a profile is what searches, so it is encoded as a *query* (``"query: "``); a
need is what is found, so it is encoded as a *passage* (``"passage: "``). The prompts are added by the
embedder (:meth:`Embedder.encode_queries` / :meth:`Embedder.encode_passages`), not here.

Character budget: multilingual-e5-small reads at most 512 tokens (prompt and ``<s>``/``</s>``
included) and silently drops the rest. Measured with its tokenizer, ESCO Finnish descriptions run at
4.1 characters per token (median) and 2.8 at worst (Finnish alternative-label lists), English at 4.9.
1,400 characters are therefore ≤ 500 tokens even at the worst rate, leaving room for the prompt, and
about 340 tokens for ordinary Finnish. Cutting happens at a word boundary.

:func:`text_hash` keys a stored vector on the model and the exact text, so a vector is recomputed
when either changes.
"""

from __future__ import annotations

import hashlib
import re
from collections.abc import Iterable, Mapping, Sequence
from typing import Any

__all__ = ["MAX_CHARS", "EmptyTextError", "need_text", "profile_text", "text_hash"]

MAX_CHARS = 1400
"""Longest text handed to the embedder (see the module docstring for why)."""

_SPACE = re.compile(r"\s+")
_END_PUNCTUATION = (".", "!", "?", ":", ";", "…")

# Field order and Finnish labels; the free text goes last so that truncation cuts it first.
_NEED_FIELDS: tuple[tuple[str, str], ...] = (
    ("title", "Tehtävä"),
    ("occupation", "Ammatti"),
    ("skills", "Osaaminen"),
    ("nice_skills", "Eduksi"),
    ("certificates", "Pätevyydet"),
    ("municipality", "Sijainti"),
    ("description", "Kuvaus"),
)
_PROFILE_FIELDS: tuple[tuple[str, str], ...] = (
    ("desired_occupations", "Toiveammatit"),
    ("skills", "Osaaminen"),
    ("certificates", "Pätevyydet"),
    ("work_history", "Työkokemus"),
    ("education", "Koulutus"),
    ("text", "Kuvaus"),
)
# Keys read, in this order, from a work-history or education entry given as a mapping.
_ENTRY_KEYS = (
    "title",
    "occupation",
    "degree",
    "field",
    "employer",
    "institution",
    "years",
    "start",
    "end",
    "description",
)


class EmptyTextError(ValueError):
    """Every field that would go into the text is empty: there is nothing to embed."""


def need_text(need: Mapping[str, Any]) -> str:
    """Return the text embedded for a need (encoded as a passage).

    Reads ``title``, ``occupation``, ``skills``, ``nice_skills``, ``certificates``, ``municipality``
    and ``description``; missing or empty fields are left out. Raises :class:`EmptyTextError` when
    all of them are empty.
    """
    return _compose(need, _NEED_FIELDS, "need")


def profile_text(profile: Mapping[str, Any]) -> str:
    """Return the text embedded for a jobseeker profile (encoded as a query).

    Reads ``desired_occupations``, ``skills``, ``certificates``, ``work_history``, ``education`` and
    ``text`` (the free-text summary). A list field holds strings; a work-history or education entry
    may also be a mapping, whose ``title``/``occupation``/``degree``/``field``/``employer``/
    ``institution``/``years``/``start``/``end``/``description`` values are joined in that order.
    Raises :class:`EmptyTextError` when all fields are empty.
    """
    return _compose(profile, _PROFILE_FIELDS, "profile")


def text_hash(text: str, model_id: str) -> str:
    """Return the sha256 hex digest of ``model_id + "\\n" + text`` (the key of a stored vector)."""
    return hashlib.sha256(f"{model_id}\n{text}".encode()).hexdigest()


def _compose(record: Mapping[str, Any], fields: Sequence[tuple[str, str]], what: str) -> str:
    parts = []
    for key, label in fields:
        value = _field_value(record.get(key))
        if value:
            ending = "" if value.endswith(_END_PUNCTUATION) else "."
            parts.append(f"{label}: {value}{ending}")
    if not parts:
        names = ", ".join(key for key, _ in fields)
        raise EmptyTextError(f"the {what} has nothing to embed: all of {names} are empty")
    return _truncate(" ".join(parts), MAX_CHARS)


def _field_value(value: Any) -> str:
    """Render one field: a string as is, a list as a comma-separated list without repeats."""
    if value is None:
        return ""
    if isinstance(value, str):
        return _clean(value)
    if isinstance(value, Mapping):
        return _entry_text(value)
    if isinstance(value, Iterable):
        items = (
            _entry_text(item) if isinstance(item, Mapping) else _clean(str(item))
            for item in value
            if item is not None
        )
        return ", ".join(dict.fromkeys(item for item in items if item))
    return _clean(str(value))


def _entry_text(entry: Mapping[str, Any]) -> str:
    values = (_clean(str(entry[key])) for key in _ENTRY_KEYS if entry.get(key) not in (None, ""))
    return " ".join(value for value in values if value)


def _clean(text: str) -> str:
    return _SPACE.sub(" ", text).strip()


def _truncate(text: str, limit: int) -> str:
    if len(text) <= limit:
        return text
    cut = text[: limit + 1]
    boundary = cut.rfind(" ")
    # A single "word" longer than a tenth of the budget is not a word: cut it hard.
    if boundary < limit - limit // 10:
        return text[:limit]
    return cut[:boundary].rstrip(" ,;:")
