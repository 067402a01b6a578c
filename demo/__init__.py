"""Demo data: a fictional employment area in Southwest Finland and its users.

``python -m demo.generate`` rewrites ``demo/data/demo.jsonl`` (deterministic); ``kohtaamo demo load``
imports it and creates one demo user of each role. Every person and firm in it is invented.
"""
