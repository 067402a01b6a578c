"""Texts of request bodies as /openapi.json describes them: stripped of whitespace at both ends first."""

from __future__ import annotations


def non_blank(min_length: int = 1) -> str:
    """The pattern of a text that keeps ``min_length`` characters once stripped, as the request models
    strip it before they count (``str_strip_whitespace``): "  " has two characters but is blank.

    JSON Schema searches a pattern anywhere in the text, as pydantic does; pydantic matches it after
    stripping, where it asks no more than ``min_length`` does.
    """
    if min_length <= 1:
        return r"\S"
    return rf"\S[\s\S]{{{min_length - 2},}}\S"
