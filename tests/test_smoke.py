from fastapi.testclient import TestClient

from accounts.models import Role
from tests.conftest import AreaWorld


def test_health_and_readiness(client: TestClient) -> None:
    assert client.get("/healthz").json() == {"status": "ok"}
    ready = client.get("/readyz")
    assert ready.status_code == 200
    assert ready.json()["checks"]["migrations"] == "current"


def test_coordinator_registers_employer_and_reads_it_back(client: TestClient, world: AreaWorld) -> None:
    h = world.headers(Role.COORDINATOR)
    created = client.post(
        "/api/v1/employers",
        json={
            "business_id": "1572860-0",
            "name": "Liedon Leipomo Oy",
            "municipality": "Lieto",
            "sector": "c",
        },
        headers=h,
    )
    assert created.status_code == 201, created.text
    body = created.json()
    assert body["sector"] == "C"
    got = client.get(f"/api/v1/employers/{body['id']}", headers=h)
    assert got.status_code == 200
    assert got.headers["ETag"] == '"1"'
