"""An erased client's page says the data was erased, offers no form and no matching, and every form posted
to it anyway is refused (409) with nothing written: no one can put personal data back into the record."""

from __future__ import annotations

import re

from fastapi.testclient import TestClient

from accounts.models import Role
from core import clock
from core.db import connect
from tests.conftest import AreaWorld, table_state
from tests.placements.conftest import make_worker
from tests.web.conftest import SignIn

API = "/api/v1"
TODAY = clock.today().isoformat()
NOTICE = "Henkilön tiedot on poistettu pyynnöstä"


def _state(db: str) -> dict[str, tuple[int, int]]:
    with connect(db) as conn:
        state = table_state(conn)
    for noisy in ("jobseeker_vectors", "web_sessions", "audit_log", "used_forms"):
        state.pop(noisy, None)
    return state


def _erased_client(client: TestClient, db: str, world: AreaWorld) -> tuple[int, int, int]:
    """A client of the world's caseworker with a consent in force and an open referral, then erased by
    the admin through the API; returns the client, consent and referral ids."""
    person = make_worker(db, world)
    caseworker = world.headers(Role.CASEWORKER)
    consent = client.post(
        f"{API}/jobseekers/{person}/consents", json={"scope": "disclose_identity"}, headers=caseworker
    )
    assert consent.status_code == 201, consent.text
    provider = client.post(
        f"{API}/service-providers",
        json={"name": "TYP Turku", "kind": "typ", "services": ["career_coaching"]},
        headers=world.headers(Role.COORDINATOR),
    )
    assert provider.status_code == 201, provider.text
    referral = client.post(
        f"{API}/jobseekers/{person}/referrals",
        json={"provider_id": provider.json()["id"], "service": "career_coaching", "starts_on": TODAY},
        headers=caseworker,
    )
    assert referral.status_code == 201, referral.text
    erased = client.post(
        f"{API}/jobseekers/{person}/erase", json={"reason": "pyyntö"}, headers=world.headers(Role.ADMIN)
    )
    assert erased.status_code == 200, erased.text
    client.headers.clear()
    return person, consent.json()["id"], referral.json()["id"]


def test_an_erased_client_is_shown_as_erased_without_forms_or_matching(
    client: TestClient, signed_in: SignIn, db: str, world: AreaWorld
) -> None:
    person, _, _ = _erased_client(client, db, world)
    for role in (Role.CASEWORKER, Role.ADMIN):
        browser = signed_in(role)
        page = browser.get(f"/clients/{person}")
        assert page.status_code == 200, page.text
        assert NOTICE in page.text
        assert "Etsi sopivat tarpeet" not in page.text
        assert "Maija" not in page.text
        actions = re.findall(r'<form method="post" action="([^"]+)"', page.text)
        assert [a for a in actions if a.startswith("/clients/")] == [], actions
        # Nothing is claimed about what the erased person would accept.
        assert "Sijoitusmuotoa ei ole kirjattu" not in page.text
        matches = browser.get(f"/clients/{person}/matches")
        assert matches.status_code == 200, matches.text
        assert "Henkilön tiedot on poistettu pyynnöstä, joten hakua ei tehty" in matches.text
        assert "arkistoitu" not in matches.text and "#f-available" not in matches.text
        browser.post("/logout", {})


def test_every_form_posted_to_an_erased_client_is_refused_and_writes_nothing(
    client: TestClient, signed_in: SignIn, db: str, world: AreaWorld
) -> None:
    person, consent, referral = _erased_client(client, db, world)
    with connect(db) as conn:
        row = conn.execute("SELECT version FROM jobseekers WHERE id = %s", (person,)).fetchone()
        provider = conn.execute("SELECT id FROM service_providers").fetchone()
    assert row is not None and provider is not None
    browser = signed_in(Role.CASEWORKER)
    page = f"/clients/{person}"
    forms = {
        page: {
            "full_name": "Maija Meikäläinen",
            "municipality": "Lieto",
            "profile_text": "Varastotyöt",
            "version": str(row["version"]),
        },
        f"{page}/capacity": {"max_hours_per_day": "6", "details": "Selkä"},
        f"{page}/consents": {"scope": "share_profile"},
        f"{page}/consents/{consent}/withdraw": {},
        f"{page}/service-need": {"assessed_on": TODAY, "level": "light_support"},
        f"{page}/placement-forms": {"form": "work_trial", "change": "added", "decided_on": TODAY},
        f"{page}/plans": {"kind": "employment", "drawn_up_on": TODAY, "goals": "Töihin"},
        f"{page}/referrals": {
            "provider_id": str(provider["id"]),
            "service": "career_coaching",
            "starts_on": TODAY,
        },
        f"{page}/referral-end": {"referral": str(referral), "ended_on": TODAY, "end_outcome": "employment"},
    }
    before = _state(db)
    for url, data in forms.items():
        reply = browser.post(url, data, csrf_from=page)
        assert reply.status_code == 409, f"{url}: {reply.status_code}"
        assert "Tallennettu" not in reply.text
        assert NOTICE in reply.text, url
    assert _state(db) == before
    with connect(db) as conn:
        kept = conn.execute(
            "SELECT full_name, profile_text FROM jobseekers WHERE id = %s", (person,)
        ).fetchone()
    assert kept == {"full_name": None, "profile_text": ""}
