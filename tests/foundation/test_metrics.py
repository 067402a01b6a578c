"""``/metrics``: Prometheus text for an operator's scraper, about routes and stages, never about people."""

from __future__ import annotations

import re
from pathlib import Path

import httpx
from fastapi.testclient import TestClient
from prometheus_client.parser import text_string_to_metric_families

from accounts.models import Role
from core import metrics
from tests.conftest import AreaWorld
from tests.matching_api.conftest import insert_jobseeker, insert_need, wait_for
from tests.serving import serving

Samples = dict[tuple[str, tuple[tuple[str, str], ...]], float]


def _samples(text: str) -> Samples:
    return {
        (sample.name, tuple(sorted(sample.labels.items()))): sample.value
        for family in text_string_to_metric_families(text)
        for sample in family.samples
    }


def _count(samples: dict[tuple[str, tuple[tuple[str, str], ...]], float], name: str, **labels: str) -> float:
    return sum(
        value
        for (sample, have), value in samples.items()
        if sample == name and set(labels.items()) <= set(have)
    )


def test_metrics_count_requests_by_route_template_and_time_each_ranking_stage(
    client: TestClient, db: str, world: AreaWorld
) -> None:
    need = insert_need(db, world.area_id, world.employer_id, title="Varastotyöntekijä", description="Keräily")
    # A jobseeker with a profile text and every optional field empty.
    seeker = insert_jobseeker(db, world.area_id, profile_text="Varastotyö ja keräily.")
    engine = client.app.state.engine  # type: ignore[attr-defined]
    wait_for(lambda: need in engine.needs.entries and seeker in engine.jobseekers.entries, timeout=5.0)
    local = TestClient(client.app, client=("127.0.0.1", 40000))
    before = _samples(local.get("/metrics").text)

    h = world.headers(Role.COORDINATOR)
    ranked = client.get(f"/api/v1/jobseekers/{seeker}/matches", headers=h)
    missing = client.get("/api/v1/jobseekers/999999999/matches", headers=h)
    client.get("/no/such/page/Henkilö")
    reply = local.get("/metrics")

    assert ranked.status_code == 200, ranked.text
    assert missing.status_code == 404
    assert reply.status_code == 200
    assert reply.headers["content-type"].startswith("text/plain; version=0.0.4")
    after = _samples(reply.text)
    route = "/api/v1/jobseekers/{jobseeker_id}/matches"
    name = "kohtaamo_http_request_duration_seconds_count"
    assert (
        _count(after, name, route=route, status="200") - _count(before, name, route=route, status="200") == 1
    )
    assert (
        _count(after, name, route=route, status="404") - _count(before, name, route=route, status="404") == 1
    )
    for stage in metrics.RANKING_STAGES:
        stage_count = "kohtaamo_ranking_stage_seconds_count"
        assert _count(after, stage_count, stage=stage) > _count(before, stage_count, stage=stage), stage
    assert _count(after, "kohtaamo_index_vectors", side="need") >= 1
    assert _count(after, "kohtaamo_index_vectors", side="jobseeker") >= 1
    assert ("kohtaamo_embedding_queue", ()) in after
    assert after[("kohtaamo_index_lag_changes", ())] == 0  # the follower has applied every logged change
    # Paths appear only as templates: no id and no word a client sent.
    assert "999999999" not in reply.text and "Henkil" not in reply.text and "/no/such" not in reply.text
    assert str(seeker) not in re.findall(r'route="([^"]*)"', reply.text)


def test_metrics_are_refused_to_a_remote_client_without_the_token(client: TestClient) -> None:
    refused = client.get("/metrics")  # the test client's address is "testclient", not the loopback
    assert refused.status_code == 403
    assert refused.headers["content-type"] == "application/problem+json"
    assert "kohtaamo_" not in refused.text


def test_with_a_metrics_token_only_its_bearer_reads_the_metrics(db: str, tmp_path: Path) -> None:
    with serving(db, tmp_path, KOHTAAMO_METRICS_TOKEN="scrape-secret-1") as served:
        anonymous = httpx.get(f"{served.base}/metrics")  # from the local host, but a token is set
        wrong = httpx.get(f"{served.base}/metrics", headers={"Authorization": "Bearer nope"})
        bearer = httpx.get(f"{served.base}/metrics", headers={"Authorization": "Bearer scrape-secret-1"})
    assert anonymous.status_code == wrong.status_code == 403
    assert bearer.status_code == 200
    assert "kohtaamo_http_request_duration_seconds_bucket" in bearer.text
