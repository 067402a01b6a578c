"""The admin's page for a person's data on request: find the jobseeker of the own area by name, pseudonym
or client id, download everything held about them (PDF, JSON), and erase them with a reason and the
pseudonym typed as confirmation. Other roles are refused (403), other areas' people are not found."""

from __future__ import annotations

import json
import re
from typing import Any

from fastapi.testclient import TestClient

from accounts.models import Role
from core.db import connect
from tests.conftest import AreaWorld
from tests.pdf_text import pdf_text
from tests.placements.conftest import make_worker
from tests.web.conftest import SignIn

PAGE = "/admin/personal-data"


def _pseudonym(db: str, person: int) -> str:
    with connect(db) as conn:
        row = conn.execute("SELECT pseudonym FROM jobseekers WHERE id = %s", (person,)).fetchone()
    assert row is not None
    return str(row["pseudonym"])


def _audit(db: str, person: int) -> list[tuple[str, str]]:
    with connect(db) as conn:
        rows = conn.execute(
            "SELECT action, reason FROM audit_log WHERE jobseeker_id = %s ORDER BY id", (person,)
        ).fetchall()
    return [(r["action"], r["reason"]) for r in rows]


def _found(html: str) -> list[int]:
    return [int(i) for i in re.findall(r'data-person="(\d+)"', html)]


def test_the_admin_finds_a_person_of_the_area_by_name_pseudonym_or_client_id(
    signed_in: SignIn, db: str, world: AreaWorld, other_world: AreaWorld
) -> None:
    person = make_worker(db, world)
    other = make_worker(db, other_world, caseworker_id=other_world.user_ids[Role.CASEWORKER])
    browser = signed_in(Role.ADMIN)

    for who in ("Meikäläinen", _pseudonym(db, person), str(person)):
        page = browser.get(f"{PAGE}?who={who}")
        assert page.status_code == 200, page.text
        assert _found(page.text) == [person], who
        assert "Maija Meikäläinen" in page.text
    for who in (_pseudonym(db, other), str(other)):
        page = browser.get(f"{PAGE}?who={who}")
        assert _found(page.text) == [], who
        assert "Alueeltasi ei löytynyt ketään haulla." in page.text
    assert browser.get(f"{PAGE}/{other}").status_code == 404
    assert browser.get(f"{PAGE}/{other}/handover.json").status_code == 404
    assert (
        browser.post(
            f"{PAGE}/{other}/erase", {"reason": "x", "confirm": _pseudonym(db, other)}, csrf_from=PAGE
        ).status_code
        == 404
    )
    assert ("search", "web: person search") in _audit(db, person)
    with connect(db) as conn:
        kept = conn.execute("SELECT erased_at FROM jobseekers WHERE id = %s", (other,)).fetchone()
    assert kept == {"erased_at": None}


def test_the_admin_downloads_the_handover_as_pdf_and_json(
    signed_in: SignIn, db: str, world: AreaWorld
) -> None:
    person = make_worker(db, world)
    browser = signed_in(Role.ADMIN)
    page = browser.get(f"{PAGE}/{person}")
    assert page.status_code == 200, page.text
    assert "Lataa PDF-tiedostona" in page.text and "Poista henkilön tiedot" in page.text

    as_json = browser.get(f"{PAGE}/{person}/handover.json")
    assert as_json.status_code == 200, as_json.text
    assert as_json.headers["cache-control"] == "no-store"
    assert "attachment" in as_json.headers["content-disposition"]
    document = json.loads(as_json.text)
    assert document["jobseeker_id"] == person
    assert document["profile"]["full_name"] == "Maija Meikäläinen"
    assert document["erased_at"] is None
    assert {w["part"] for w in document["withheld"]} >= {"work_capacity"}
    # The page says what the file holds: the restrictions matching applies, not their details.
    assert "myös työ- ja toimintakyvyn rajoitukset, joita haku käyttää" in page.text
    assert set(document["profile"]["constraints"]) >= {"no_heavy_lifting", "max_hours_per_week"}
    assert document["work_capacity"] is None
    # Every moment of the file in UTC, the moment it was made too.
    assert document["generated_at"].endswith("Z"), document["generated_at"]
    assert document["profile"]["created_at"].endswith("Z"), document["profile"]["created_at"]

    as_pdf = browser.get(f"{PAGE}/{person}/handover.pdf")
    assert as_pdf.status_code == 200
    assert as_pdf.headers["content-type"] == "application/pdf"
    read = pdf_text(as_pdf.content)
    assert "Maija Meikäläinen" in read
    assert "Ei raskaita nostoja" in read and "Työkyvyn tarkemmat tiedot ja arviot antaa" in read
    reads = [a for a in _audit(db, person) if a[0] == "personal_data"]
    assert reads == [("personal_data", "web: right of access")] * 2


def test_erasing_needs_a_reason_and_the_pseudonym_typed_and_then_shows_the_result(
    client: TestClient, signed_in: SignIn, db: str, world: AreaWorld
) -> None:
    person = make_worker(db, world)
    pseudonym = _pseudonym(db, person)
    browser = signed_in(Role.ADMIN)
    url = f"{PAGE}/{person}/erase"

    for data, field_error in (
        ({"reason": "", "confirm": pseudonym}, "Kirjoita poiston syy."),
        (
            {"reason": "pyyntö 7.12.", "confirm": "Hakija-XXXXXX"},
            "Vahvista kirjoittamalla henkilön pseudonyymi",
        ),
        ({"reason": "pyyntö 7.12."}, "Vahvista kirjoittamalla henkilön pseudonyymi"),
    ):
        refused = browser.post(url, data, csrf_from=f"{PAGE}/{person}")
        assert refused.status_code == 422, data
        assert field_error in refused.text
    with connect(db) as conn:
        assert conn.execute("SELECT erased_at FROM jobseekers WHERE id = %s", (person,)).fetchone() == {
            "erased_at": None
        }
    no_csrf = client.post(url, data={"reason": "pyyntö", "confirm": pseudonym}, follow_redirects=False)
    assert no_csrf.status_code == 403

    done = browser.post(
        url, {"reason": "pyyntö 7.12.", "confirm": pseudonym.lower()}, csrf_from=f"{PAGE}/{person}"
    )
    assert done.status_code == 303, done.text
    assert done.headers["location"] == f"{PAGE}/{person}"
    result = browser.get(done.headers["location"])
    assert "Henkilön tiedot poistettiin." in result.text
    assert "Henkilön tiedot on poistettu pyynnöstä" in result.text
    assert "Maija" not in result.text
    assert f'action="{url}"' not in result.text  # no second erasure form
    assert ("erase", "pyyntö 7.12.") in _audit(db, person)
    with connect(db) as conn:
        row = conn.execute("SELECT full_name, erased_at FROM jobseekers WHERE id = %s", (person,)).fetchone()
    assert row is not None and row["full_name"] is None and row["erased_at"] is not None
    listed = browser.get(f"{PAGE}?who={pseudonym}")
    assert _found(listed.text) == [person] and "Poistettu" in listed.text
    handover: dict[str, Any] = json.loads(browser.get(f"{PAGE}/{person}/handover.json").text)
    assert handover["erased_at"] is not None and handover["profile"]["full_name"] is None


def test_a_person_with_only_the_required_fields_is_found_handed_over_and_erased(
    client: TestClient, signed_in: SignIn, db: str, world: AreaWorld
) -> None:
    created = client.post(
        "/api/v1/jobseekers",
        json={"municipality": "Turku", "profile_text": ""},
        headers=world.headers(Role.ADMIN),
    )
    assert created.status_code == 201, created.text
    client.headers.clear()
    person, pseudonym = created.json()["id"], created.json()["pseudonym"]
    browser = signed_in(Role.ADMIN)
    assert _found(browser.get(f"{PAGE}?who={person}").text) == [person]
    page = browser.get(f"{PAGE}/{person}")
    assert page.status_code == 200 and pseudonym in page.text
    handover = json.loads(browser.get(f"{PAGE}/{person}/handover.json").text)
    assert handover["profile"]["full_name"] is None and handover["consents"] == []
    assert browser.get(f"{PAGE}/{person}/handover.pdf").status_code == 200
    done = browser.post(f"{PAGE}/{person}/erase", {"reason": "pyyntö", "confirm": pseudonym}, csrf_from=PAGE)
    assert done.status_code == 303, done.text


def test_other_roles_are_refused_the_page(signed_in: SignIn, db: str, world: AreaWorld) -> None:
    person = make_worker(db, world)
    pseudonym = _pseudonym(db, person)
    for role in (Role.COORDINATOR, Role.CASEWORKER, Role.EMPLOYER):
        browser = signed_in(role)
        for url in (PAGE, f"{PAGE}?who={person}", f"{PAGE}/{person}", f"{PAGE}/{person}/handover.json"):
            assert browser.get(url).status_code == 403, f"{role.value} {url}"
        erased = browser.post(f"{PAGE}/{person}/erase", {"reason": "x", "confirm": pseudonym}, csrf_from="/")
        assert erased.status_code == 403
        assert "/admin/personal-data" not in browser.get("/").text
        browser.post("/logout", {})
    with connect(db) as conn:
        assert conn.execute("SELECT erased_at FROM jobseekers WHERE id = %s", (person,)).fetchone() == {
            "erased_at": None
        }
    admin = signed_in(Role.ADMIN)
    assert f'href="{PAGE}"' in admin.get("/").text


def _cells(html: str, person: int) -> list[str]:
    row = re.search(rf'<tr data-person="{person}">(.*?)</tr>', html, re.S)
    assert row is not None
    return [re.sub(r"<[^>]+>", "", c).strip() for c in re.findall(r"<td[^>]*>(.*?)</td>", row.group(1), re.S)]


def test_the_person_is_named_by_pseudonym_and_client_number_and_by_id_only_without_one(
    client: TestClient, signed_in: SignIn, db: str, world: AreaWorld
) -> None:
    numbered = make_worker(db, world, external_id="vs-j9001")
    created = client.post(
        "/api/v1/jobseekers",
        json={"municipality": "Turku", "profile_text": ""},
        headers=world.headers(Role.ADMIN),
    )
    assert created.status_code == 201, created.text
    client.headers.clear()
    bare = created.json()["id"]
    browser = signed_in(Role.ADMIN)
    found = browser.get(f"{PAGE}?who=Meikäläinen").text
    assert '<th scope="col">Pseudonyymi</th>' in found and "Peitenimi" not in found
    assert _cells(found, numbered)[2] == "vs-j9001"
    assert _cells(browser.get(f"{PAGE}?who={bare}").text, bare)[2] == str(bare)
    page = browser.get(f"{PAGE}/{numbered}").text
    assert "asiakkaan tunniste vs-j9001" in page and f"asiakkaan tunniste {numbered} " not in page
    assert f"asiakkaan tunniste {bare} ·" in browser.get(f"{PAGE}/{bare}").text
