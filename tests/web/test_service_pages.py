"""The actor map's pages without a browser: a coordinator changes a provider on its page (emptying its
contact and archiving it); the API reads the change."""

from __future__ import annotations

from fastapi.testclient import TestClient

from accounts.models import Role
from tests.conftest import AreaWorld
from tests.web.conftest import SignIn

API = "/api/v1"


def test_a_coordinator_changes_a_provider_on_its_page_and_may_empty_its_contact(
    client: TestClient, world: AreaWorld, signed_in: SignIn
) -> None:
    made = client.post(
        f"{API}/service-providers",
        json={
            "name": "TYP Turku",
            "kind": "typ",
            "services": ["rehabilitative_work"],
            "contact": "puh. 02 1",
        },
        headers=world.headers(Role.COORDINATOR),
    )
    provider = made.json()
    browser = signed_in(Role.COORDINATOR)
    page = browser.get(f"/service-providers/{provider['id']}")
    assert page.status_code == 200
    form = {
        "name": "TYP Turku",
        "kind": "typ",
        "services": ["rehabilitative_work", "career_coaching"],
        "contact": "",
        "archived": "on",
        "version": str(provider["version"]),
    }
    sent = browser.post(
        f"/service-providers/{provider['id']}", form, csrf_from=f"/service-providers/{provider['id']}"
    )
    assert sent.status_code == 303, sent.text[-400:]
    changed = client.get(
        f"{API}/service-providers/{provider['id']}", headers=world.headers(Role.ADMIN)
    ).json()
    assert (changed["contact"], changed["archived"], changed["version"]) == ("", True, 2)
