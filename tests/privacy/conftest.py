"""The privacy tests share the command-line fixture of the interchange tests."""

from __future__ import annotations

from tests.interchange.conftest import cli_env, write_file

__all__ = ["cli_env", "write_file"]
