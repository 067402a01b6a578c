"""The API keeps the contract /openapi.json states, for every role: schemathesis makes requests for every
operation from the document alone (its examples, the boundaries and violations of every parameter and
body, methods the path does not have, sequences that follow a created resource, and fuzzed data) and
checks every reply with all of its checks.

Run alone with ``pytest -m fuzz -s`` to see the figures: requests per role and phase, checks made.
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field
from typing import Any

import pytest
import schemathesis
from fastapi.testclient import TestClient
from hypothesis.configuration import set_hypothesis_home_dir
from schemathesis.engine import events, from_schema

from accounts.models import Role
from tests.conftest import ROOT, AreaWorld

set_hypothesis_home_dir(ROOT / "var" / "hypothesis")  # its caches, with the test database, out of the tree

MAX_EXAMPLES = 10
"""Fuzzed requests per operation and role; the deterministic phases add their own (most of the run)."""

# The answers each check accepts: schemathesis's defaults, and 412 and 422 to schema-valid data, 412 to
# invalid data. 412: an If-Match naming no current version (a valid-looking "7", or "abc") fails the
# precondition (RFC 9110). 422: schema-valid data that breaks a rule the schema cannot state (a municipality
# of the area, from before to, a follow-up not yet due); `request_validation_agrees_with_the_schema` below
# holds the request models themselves to the schema. A change without If-Match is 428 (RFC 6585).
VALID_DATA = ["2xx", "3xx", "401", "403", "404", "409", "412", "422", "429", "5xx"]
INVALID_DATA = ["400", "401", "403", "404", "405", "406", "409", "412", "415", "422", "428", "429", "5xx"]
MISSING_HEADER = ["400", "401", "403", "406", "415", "422", "428"]

CONFIG: dict[str, Any] = {
    "generation": {
        "max-examples": MAX_EXAMPLES,
        "deterministic": True,
        "database": "none",
    },
    "checks": {
        "enabled": True,
        "positive_data_acceptance": {"expected-statuses": VALID_DATA},
        "negative_data_rejection": {"expected-statuses": INVALID_DATA},
        "missing_required_header": {"expected-statuses": MISSING_HEADER},
    },
}


@schemathesis.check
def request_validation_agrees_with_the_schema(
    ctx: schemathesis.CheckContext, response: schemathesis.Response, case: schemathesis.Case
) -> None:
    """Data the schema allows passes the request models: a 422 for it comes from a rule of the service
    (its problem names the field), never from validating the request (whose problem lists ``errors``)."""
    if case.meta is None or not case.meta.generation.mode.is_positive or response.status_code != 422:
        return
    problem = response.json()
    if "errors" in problem:
        raise AssertionError(f"schema-valid data refused by request validation: {problem['errors']}")


class AlreadyRunning:
    """The session's application, already started by its TestClient, as schemathesis gets it: it would
    otherwise run the lifespan again (a second pool and matching follower, stopped only at exit)."""

    def __init__(self, app: Any) -> None:
        self.app = app

    async def __call__(self, scope: dict[str, Any], receive: Any, send: Any) -> None:
        if scope["type"] == "lifespan":
            while (await receive())["type"] != "lifespan.shutdown":
                await send({"type": "lifespan.startup.complete"})
            await send({"type": "lifespan.shutdown.complete"})
            return
        await self.app(scope, receive, send)


@dataclass
class Run:
    """What one run sent and found: requests by phase, failures by check and operation."""

    requests: Counter[str] = field(default_factory=Counter)
    checks: Counter[str] = field(default_factory=Counter)
    failures: Counter[str] = field(default_factory=Counter)
    examples: dict[str, str] = field(default_factory=dict)

    def report(self) -> str:
        lines = [
            f"{sum(self.requests.values())} requests {dict(self.requests)}",
            f"checks {dict(self.checks)}",
        ]
        for key, count in self.failures.most_common():
            lines += [f"{count:4} {key}", f"       {self.examples[key]}"]
        return "\n".join(lines)


def fuzz(app: Any, token: str) -> Run:
    """Every phase of schemathesis against ``app`` with ``token``, as its command line would run them."""
    config = schemathesis.Config.from_dict({**CONFIG, "headers": {"Authorization": f"Bearer {token}"}})
    schema = schemathesis.openapi.from_asgi("/openapi.json", AlreadyRunning(app), config=config)
    run = Run()
    for event in from_schema(schema).execute():
        if isinstance(event, events.NonFatalError):
            key = f"error: {event.info.title} | {event.label}"
            run.failures[key] += 1
            run.examples.setdefault(key, event.info.message[:500])
        if isinstance(event, events.FatalError):
            run.failures[f"fatal: {event.exception!r}"] += 1
            run.examples.setdefault(f"fatal: {event.exception!r}", "")
        if not isinstance(event, events.ScenarioFinished):
            continue
        run.requests[event.phase.value] += len(event.recorder.interactions)
        for case_id, checks in event.recorder.checks.items():
            for check in checks:
                run.checks[check.name] += 1
                if check.failure_info is None:
                    continue
                failure = check.failure_info.failure
                key = f"{check.name}: {failure.title} | {failure.operation}"
                run.failures[key] += 1
                interaction = event.recorder.interactions.get(case_id)
                status = interaction.response.status_code if interaction and interaction.response else None
                sample = check.failure_info.code_sample[:400]
                run.examples.setdefault(key, f"{status} {failure.message[:300]!r}\n       {sample}")
    return run


@pytest.mark.fuzz
# Hypothesis warns when it writes out a generated request this large; the size is not a finding.
@pytest.mark.filterwarnings("ignore:Generating overly large repr:hypothesis.errors.HypothesisWarning")
@pytest.mark.parametrize("role", list(Role))
def test_the_api_keeps_its_documented_contract(client: TestClient, world: AreaWorld, role: Role) -> None:
    run = fuzz(AlreadyRunning(client.app), world.tokens[role])
    print(f"\n{role.value}: {run.report()}")
    assert sum(run.requests.values()) > 1000
    assert not run.failures, run.report()
