"""The JSONL interchange format: import and export of employers, needs and jobseekers of one area.

The format is described in DESIGN.md ("Interchange format (JSONL)"). This package orchestrates:
:mod:`interchange.records` reads a line into its record, :mod:`interchange.importer` and
:mod:`interchange.exporter` are the two directions. Each domain's ``interchange`` module owns its line
models and writes its own tables with the column maps of ``core.bulk``; no domain imports this package.
"""
