"""Finnish business ids (Y-tunnus): seven digits, a hyphen and a check digit."""

from __future__ import annotations

import re

_PATTERN = re.compile(r"^(\d{6,7})-(\d)$")
_WEIGHTS = (7, 9, 10, 5, 8, 4, 2)


def is_valid_business_id(value: str) -> bool:
    """True when ``value`` has the Y-tunnus form and a correct check digit."""
    match = _PATTERN.match(value.strip())
    if not match:
        return False
    digits = match.group(1).zfill(7)
    remainder = sum(int(d) * w for d, w in zip(digits, _WEIGHTS, strict=True)) % 11
    if remainder == 1:
        return False
    check = 0 if remainder == 0 else 11 - remainder
    return check == int(match.group(2))


def normalise_business_id(value: str) -> str:
    """The canonical seven-digit form (an old six-digit id gets its leading zero)."""
    head, check = value.strip().split("-")
    return f"{head.zfill(7)}-{check}"
