"""After a person is erased, every page that showed them still opens, and none shows what was erased."""

from __future__ import annotations

from fastapi.testclient import TestClient

from accounts.models import Role
from tests.conftest import AreaWorld
from tests.privacy.conftest import HEALTH, NAME, whole_person
from tests.web.conftest import SignIn


def test_pages_of_an_erased_person_open_and_show_nothing_erased(
    client: TestClient, signed_in: SignIn, world: AreaWorld, db: str
) -> None:
    person = whole_person(client, db, world)
    erased = client.post(
        f"/api/v1/jobseekers/{person.id}/erase", json={"reason": "pyyntö"}, headers=world.headers(Role.ADMIN)
    )
    assert erased.status_code == 200, erased.text
    client.headers.clear()

    pages = {
        Role.COORDINATOR: [
            "/proposals",
            f"/proposals/{person.proposal_id}",
            f"/placements/{person.placement_id}",
        ],
        Role.CASEWORKER: [f"/clients/{person.id}", f"/proposals/{person.proposal_id}"],
        Role.EMPLOYER: ["/cards", f"/cards/{person.proposal_id}"],
        Role.ADMIN: [f"/clients/{person.id}"],
    }
    for role, urls in pages.items():
        browser = signed_in(role)
        for url in urls:
            page = browser.get(url)
            assert page.status_code == 200, f"{role.value} {url}: {page.status_code}"
            for text in (*NAME, *HEALTH, "TE-17", "jatkaa töissä"):
                assert text not in page.text, f"{role.value} {url} shows {text!r}"
        browser.post("/logout", {})
