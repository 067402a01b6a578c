"""Pseudonyms: what employers and the pseudonymous pages see instead of a jobseeker's name."""

from __future__ import annotations

import secrets

PSEUDONYM_PREFIX = "Hakija-"
PSEUDONYM_ALPHABET = "ABCDEFGHJKLMNPQRSTUVWXYZ23456789"
"""No 0/O or 1/I: a pseudonym read out over the phone is not misheard."""
PSEUDONYM_LENGTH = 6
ATTEMPTS = 10
"""Fresh pseudonyms drawn before an insert gives up (each is checked by the unique index)."""


def new_pseudonym() -> str:
    """A fresh random pseudonym such as ``Hakija-K7M2QX`` (uniqueness is checked on insert)."""
    return PSEUDONYM_PREFIX + "".join(secrets.choice(PSEUDONYM_ALPHABET) for _ in range(PSEUDONYM_LENGTH))
