"""The container image and the compose file, read as Docker would read them (the test suite runs no
Docker daemon: scripts/image_rehearsal.sh builds and starts them, docs/operations.md), and configuration
that comes only from the environment and is documented."""

from __future__ import annotations

import ast
import re
import shlex
import tomllib
from pathlib import Path

import yaml

from core.settings import Settings
from placements.settings import PlacementSettings

ROOT = Path(__file__).resolve().parents[2]
PACKAGES = tuple(
    name.rstrip("*")
    for name in tomllib.loads((ROOT / "pyproject.toml").read_text())["tool"]["setuptools"]["packages"][
        "find"
    ]["include"]
)
"""The product's packages, as the wheel (and so the image's ``pip install .``) finds them."""


def _instructions() -> list[tuple[str, str]]:
    """The Dockerfile's instructions (continuation lines joined, comments dropped)."""
    lines = [
        line for line in (ROOT / "Dockerfile").read_text().splitlines() if not line.lstrip().startswith("#")
    ]
    joined = re.sub(r"\\\n\s*", " ", "\n".join(lines))
    split = [line.split(None, 1) for line in joined.splitlines() if line.strip()]
    return [(keyword.upper(), rest) for keyword, rest in split]


def _stages() -> list[list[tuple[str, str]]]:
    stages: list[list[tuple[str, str]]] = []
    for keyword, rest in _instructions():
        if keyword == "FROM":
            stages.append([])
        if stages:
            stages[-1].append((keyword, rest))
    return stages


def test_the_image_is_built_in_stages_and_runs_as_an_unprivileged_user() -> None:
    stages = _stages()
    assert len(stages) >= 2
    build, runtime = stages[0], stages[-1]
    runs = " ".join(rest for keyword, rest in build if keyword == "RUN")
    assert "kohtaamo model build" in runs  # the model is made at build time
    # torch 2.13.0 from PyTorch's CPU-only index unless the build names another source of the CPU wheel
    # (scripts/image_rehearsal.sh serves a local one), and the build fails on a CUDA build.
    args = dict(rest.split("=", 1) for keyword, rest in build if keyword == "ARG" and "=" in rest)
    (default,) = shlex.split(args["TORCH_PIP_ARGS"])  # the value, unquoted; the shell splits it in RUN
    assert default.split() == ["--index-url", "https://download.pytorch.org/whl/cpu"]
    assert "pip install torch==2.13.0 ${TORCH_PIP_ARGS}" in runs and "torch.version.cuda is None" in runs
    # The runtime stage installs nothing: it copies the build's virtualenv and model.
    assert not any(keyword == "RUN" and "pip" in rest for keyword, rest in runtime)
    copies = [rest for keyword, rest in runtime if keyword == "COPY"]
    assert any(c.startswith("--from=build /opt/venv") for c in copies)
    assert any(c.startswith("--from=build /opt/kohtaamo/model") for c in copies)
    useradd = " ".join(rest for keyword, rest in runtime if keyword == "RUN" and "useradd" in rest)
    assert "--uid 10001" in useradd and "--shell /usr/sbin/nologin" in useradd  # no login shell
    users = [rest for keyword, rest in runtime if keyword == "USER"]
    assert users, "the runtime stage names its user"
    user = users[-1].split(":")[0]
    assert user not in {"root", "0"}
    last_user = max(i for i, (keyword, _) in enumerate(runtime) if keyword == "USER")
    assert all(keyword not in {"RUN", "COPY"} for keyword, _ in runtime[last_user:]), (
        "nothing after USER as root"
    )


def test_the_image_copies_every_package_of_the_product_into_its_build() -> None:
    """``pip install .`` in the build stage installs what was copied: a package left out of the COPY lines
    would be missing from the image (carving, recruitment and services once were)."""
    build = _stages()[0]
    copied = {rest.split()[0] for keyword, rest in build if keyword == "COPY"}
    assert len(PACKAGES) >= 19
    assert [package for package in PACKAGES if package not in copied] == []


def test_the_running_container_needs_no_network_and_is_configured_by_environment() -> None:
    runtime = _stages()[-1]
    env = dict(
        pair.split("=", 1) for keyword, rest in runtime if keyword == "ENV" for pair in shlex.split(rest)
    )
    assert env["HF_HUB_OFFLINE"] == env["TRANSFORMERS_OFFLINE"] == "1"
    assert env["KOHTAAMO_MODEL_DIR"].startswith("/opt/kohtaamo/model/")
    assert env["KOHTAAMO_LOG_FORMAT"] == "json"
    assert {name for name in env if name.startswith("KOHTAAMO_")} <= SETTINGS
    cmd = dict(_instructions())
    assert "0.0.0.0" in cmd["CMD"] and "/readyz" in cmd["HEALTHCHECK"]


def test_compose_starts_postgresql_first_and_gives_the_app_only_known_settings() -> None:
    compose = yaml.safe_load((ROOT / "compose.yaml").read_text())
    db, app = compose["services"]["db"], compose["services"]["app"]
    assert db["image"].startswith("postgres:") and int(db["image"].split(":")[1].split("-")[0]) >= 15
    assert "healthcheck" in db and any(v.startswith("db-data:") for v in db["volumes"])
    assert app["depends_on"]["db"]["condition"] == "service_healthy"
    environment = app["environment"]
    assert "@db:5432/" in environment["KOHTAAMO_DATABASE_URL"]
    assert set(environment) <= SETTINGS
    assert environment["KOHTAAMO_METRICS_TOKEN"].startswith("${")  # given by the operator, never committed
    grace = int(app["stop_grace_period"].rstrip("s"))
    assert grace > int(environment["KOHTAAMO_SHUTDOWN_TIMEOUT_SECONDS"])


SETTINGS = {f"KOHTAAMO_{name.upper()}" for cls in (Settings, PlacementSettings) for name in cls.model_fields}
"""Every environment variable the product reads: the two settings classes' fields."""


def test_every_setting_is_documented_in_the_readme() -> None:
    readme = (ROOT / "README.md").read_text()
    missing = sorted(name for name in SETTINGS if f"`{name}`" not in readme)
    assert not missing, f"settings not in the README's table: {missing}"


def _environment_read(node: ast.AST) -> str | None:
    """The name ``node`` reads from the environment (``os.environ[…]``, ``os.environ.get(…)``,
    ``os.getenv(…)``), if it is a constant."""
    if isinstance(node, ast.Subscript) and ast.unparse(node.value) == "os.environ":
        key = node.slice
    elif (
        isinstance(node, ast.Call) and ast.unparse(node.func) in {"os.environ.get", "os.getenv"} and node.args
    ):
        key = node.args[0]
    else:
        return None
    return key.value if isinstance(key, ast.Constant) and isinstance(key.value, str) else None


def test_the_product_reads_its_configuration_only_through_the_settings() -> None:
    """No module reads a KOHTAAMO_ variable from the environment itself: the settings classes do."""
    readers = [
        f"{path.relative_to(ROOT)}:{node.lineno}"
        for package in PACKAGES
        for path in (ROOT / package).rglob("*.py")
        for node in ast.walk(ast.parse(path.read_text()))
        if (name := _environment_read(node)) is not None and name.startswith("KOHTAAMO_")
    ]
    assert not readers, readers
