"""The composition roots: the FastAPI application, the server entry point and the ``kohtaamo`` command.

Everything above the domains lives here and nothing imports it back (``import-linter`` contracts in
``pyproject.toml``).
"""
