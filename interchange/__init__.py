"""The JSONL interchange format: import and export of employers, needs and jobseekers of one area.

The format is described in DESIGN.md ("Interchange format (JSONL)"); :mod:`interchange.records`
holds the model of each line type, :mod:`interchange.importer` and :mod:`interchange.exporter`
the two directions. The tables themselves are written by each domain's ``interchange`` module.
"""
