"""The placements, proposals and employer register filter by status, date, municipality and owner, in the
pages (remembered, reset, field-named errors, files) and in the API; an employer filters only their own."""

from __future__ import annotations

import re
from datetime import timedelta
from typing import Any

from fastapi.testclient import TestClient

from accounts.models import Role
from core.clock import today
from core.db import connect
from tests.conftest import AreaWorld
from tests.matching_api.conftest import insert_jobseeker, insert_need
from tests.placements.conftest import assert_problem, insert_placement, insert_proposal
from tests.web.conftest import Browser, SignIn
from tests.web.test_exports import as_finnish_excel
from tests.web.test_placement_pages import switch


def _person(db: str, world: AreaWorld, n: int) -> int:
    return insert_jobseeker(
        db, world.area_id, pseudonym=f"Hakija-F{n:03}", caseworker_id=world.user_ids[Role.CASEWORKER]
    )


def _placements(db: str, world: AreaWorld) -> dict[str, int]:
    """Four placements: one with its follow-ups due (Lieto), one starting later (confirmed by the admin),
    one ended (every optional field empty), and one at a second employer of the area (Kaarina)."""
    day = today()
    lieto = insert_need(db, world.area_id, world.employer_id, title="Lieto", municipality="Lieto")
    turku = insert_need(db, world.area_id, world.employer_id, title="Turku", municipality="Turku")
    with connect(db) as conn:
        other = conn.execute(
            "INSERT INTO employers (area_id, business_id, name, municipality) VALUES (%s, '2331972-7',"
            " 'Toinen Oy', 'Kaarina') RETURNING id",
            (world.area_id,),
        ).fetchone()
        assert other is not None
        conn.commit()
    kaarina = insert_need(db, world.area_id, other["id"], title="Kaarina", municipality="Kaarina")
    people = [_person(db, world, n) for n in range(4)]
    with connect(db) as conn:
        ids = {
            "due": insert_placement(conn, world, lieto, people[0], "work_trial", day - timedelta(days=200)),
            "later": insert_placement(conn, world, turku, people[1], "open_job", day + timedelta(days=10)),
            "ended": insert_placement(conn, world, turku, people[2], "pay_subsidy", day - timedelta(days=30)),
            "other": insert_placement(
                conn, world, kaarina, people[3], "open_job", day - timedelta(days=10), employer_id=other["id"]
            ),
        }
        conn.execute(
            "UPDATE placements SET confirmed_by = %s WHERE id = %s",
            (world.user_ids[Role.ADMIN], ids["later"]),
        )
        conn.execute(
            "UPDATE placements SET ended_on = %s WHERE id = %s", (day - timedelta(days=5), ids["ended"])
        )
        conn.commit()
    return ids


def _shown(browser: Browser, url: str, kind: str) -> set[int]:
    reply = browser.get(url)
    assert reply.status_code == 200, reply.text
    return {int(i) for i in re.findall(rf'href="/{kind}/(\d+)"', reply.text)}


def test_placements_filter_by_status_start_date_municipality_and_owner(
    signed_in: SignIn, world: AreaWorld, db: str
) -> None:
    ids = _placements(db, world)
    browser = signed_in(Role.COORDINATOR)
    day = today()
    assert _shown(browser, "/placements?status=", "placements") == set(ids.values())
    assert _shown(browser, "/placements?status=follow_up_due", "placements") == {ids["due"]}
    assert _shown(browser, "/placements?status=upcoming", "placements") == {ids["later"]}
    assert _shown(browser, "/placements?status=ended", "placements") == {ids["ended"]}
    assert _shown(browser, "/placements?status=active", "placements") == {ids["due"], ids["other"]}
    assert _shown(browser, "/placements?municipality=Lieto", "placements") == {ids["due"]}
    assert _shown(browser, "/placements?municipality=Kaarina", "placements") == {ids["other"]}
    assert _shown(browser, "/placements?owner=me", "placements") == set(ids.values()) - {ids["later"]}
    admin = world.user_ids[Role.ADMIN]
    assert _shown(browser, f"/placements?owner={admin}", "placements") == {ids["later"]}
    assert _shown(browser, f"/placements?start_from={day.isoformat()}", "placements") == {ids["later"]}
    before = (day - timedelta(days=100)).isoformat()
    assert _shown(browser, f"/placements?start_to={before}", "placements") == {ids["due"]}
    listing = browser.get("/placements?status=ended")
    assert "Päättyi" in listing.text and "Vahvistaja" in listing.text and "a admin" in listing.text
    bad = browser.get("/placements?start_from=eilen")
    assert bad.status_code == 200 and "Alkaa aikaisintaan: " in bad.text  # the summary names the field
    unknown = browser.get("/placements?municipality=Atlantis")
    assert "Kunta: " in unknown.text


def test_the_placements_remember_their_last_filter_and_forget_it_on_reset(
    signed_in: SignIn, world: AreaWorld, db: str
) -> None:
    _placements(db, world)
    browser = signed_in(Role.COORDINATOR)
    assert browser.get("/placements?status=ended&municipality=Turku&offset=0").status_code == 200
    back = browser.get("/placements")
    assert (
        back.status_code == 303 and back.headers["location"] == "/placements?status=ended&municipality=Turku"
    )
    reset = browser.get("/placements?reset=1")
    assert reset.status_code == 303 and reset.headers["location"] == "/placements"
    assert browser.get("/placements").status_code == 200


def test_an_employer_filters_only_their_own_placements_by_status_and_date(
    signed_in: SignIn, world: AreaWorld, db: str
) -> None:
    ids = _placements(db, world)
    browser = signed_in(Role.EMPLOYER)
    own = {ids["due"], ids["later"], ids["ended"]}
    listing = browser.get("/placements?status=")
    assert {int(i) for i in re.findall(r'href="/placements/(\d+)"', listing.text)} == own
    assert 'name="municipality"' not in listing.text and 'name="owner"' not in listing.text
    assert 'name="status"' in listing.text and 'name="start_from"' in listing.text
    assert _shown(browser, "/placements?status=ended", "placements") == {ids["ended"]}
    assert _shown(browser, "/placements?status=active", "placements") == {ids["due"]}
    # Filters that are not the employer's are ignored: never another employer's placement.
    assert _shown(browser, "/placements?municipality=Kaarina", "placements") == own
    assert _shown(browser, f"/placements?owner={world.user_ids[Role.ADMIN]}", "placements") == own
    start = today().isoformat()
    assert _shown(browser, f"/placements?start_from={start}", "placements") == {ids["later"]}


def _proposals(db: str, world: AreaWorld) -> dict[str, int]:
    lieto = insert_need(db, world.area_id, world.employer_id, title="Lieto", municipality="Lieto")
    turku = insert_need(db, world.area_id, world.employer_id, title="Turku", municipality="Turku")
    one, two = _person(db, world, 10), _person(db, world, 11)
    with connect(db) as conn:
        ids = {
            "mine": insert_proposal(conn, world, lieto, one),
            "old": insert_proposal(
                conn,
                world,
                turku,
                two,
                proposed_by=world.user_ids[Role.CASEWORKER],
                created_at=today() - timedelta(days=40),
            ),
        }
        conn.commit()
    return ids


def test_proposals_filter_by_date_municipality_and_owner_and_remember_it(
    signed_in: SignIn, world: AreaWorld, db: str
) -> None:
    ids = _proposals(db, world)
    browser = signed_in(Role.COORDINATOR)
    assert _shown(browser, "/proposals?state=", "proposals") == set(ids.values())
    assert _shown(browser, "/proposals?municipality=Lieto", "proposals") == {ids["mine"]}
    assert _shown(browser, "/proposals?owner=me", "proposals") == {ids["mine"]}
    caseworker = world.user_ids[Role.CASEWORKER]
    assert _shown(browser, f"/proposals?owner={caseworker}", "proposals") == {ids["old"]}
    to = (today() - timedelta(days=30)).isoformat()
    assert _shown(browser, f"/proposals?proposed_to={to}", "proposals") == {ids["old"]}
    assert _shown(browser, f"/proposals?proposed_from={to}", "proposals") == {ids["mine"]}
    bad = browser.get("/proposals?proposed_to=31.2.2026")
    assert "Ehdotettu viimeistään: " in bad.text
    # A bad filter is not remembered: the list comes back with the last good one.
    assert browser.get("/proposals").headers["location"] == f"/proposals?proposed_from={to}"
    assert browser.get("/proposals?reset=1").headers["location"] == "/proposals"
    assert browser.get("/proposals").status_code == 200
    # A caseworker gets "mine" but no list of colleagues.
    own = switch(browser, Role.CASEWORKER).get("/proposals?owner=me")
    assert f'value="{world.user_ids[Role.COORDINATOR]}"' not in own.text
    assert {int(i) for i in re.findall(r'href="/proposals/(\d+)"', own.text)} == {ids["old"]}


def _employers(db: str, world: AreaWorld) -> int:
    with connect(db) as conn:
        row = conn.execute(
            "INSERT INTO employers (area_id, business_id, name, municipality, partnership_status, created_at)"
            " VALUES (%s, '1572860-0', 'Kumppani Oy', 'Lieto', 'partner', now() - interval '100 days')"
            " RETURNING id",
            (world.area_id,),
        ).fetchone()
        assert row is not None
        conn.commit()
    return int(row["id"])


def test_the_employer_register_filters_by_municipality_partnership_and_date(
    signed_in: SignIn, world: AreaWorld, db: str
) -> None:
    partner = _employers(db, world)
    browser = signed_in(Role.COORDINATOR)
    both = {partner, world.employer_id}
    assert _shown(browser, "/employers?q=Oy", "employers") == both
    assert _shown(browser, "/employers?municipality=Lieto", "employers") == {partner}
    assert _shown(browser, "/employers?partnership_status=partner", "employers") == {partner}
    assert _shown(browser, "/employers?partnership_status=none", "employers") == {world.employer_id}
    day = today()
    assert _shown(browser, f"/employers?created_from={day.isoformat()}", "employers") == {world.employer_id}
    old = (day - timedelta(days=50)).isoformat()
    assert _shown(browser, f"/employers?created_to={old}", "employers") == {partner}
    bad = browser.get("/employers?created_from=huomenna")
    assert "Lisätty rekisteriin aikaisintaan: " in bad.text
    assert browser.get("/employers").headers["location"] == f"/employers?created_to={old}"
    assert browser.get("/employers?reset=1").headers["location"] == "/employers"


def test_the_filtered_lists_download_with_their_filter(signed_in: SignIn, world: AreaWorld, db: str) -> None:
    ids = _placements(db, world)
    _employers(db, world)
    browser = signed_in(Role.COORDINATOR)
    listing = browser.get("/placements?status=upcoming&municipality=Turku")
    assert 'href="/placements.csv?status=upcoming&amp;municipality=Turku"' in listing.text
    rows = as_finnish_excel(browser.get("/placements.csv?status=upcoming&municipality=Turku").content)
    later = today() + timedelta(days=10)
    assert len(rows) == 2 and rows[1][3] == f"{later.day}.{later.month}.{later.year}"
    rows = as_finnish_excel(browser.get("/placements.csv?status=ended").content)
    assert len(rows) == 2 and rows[1][4] == ""  # the ended placement has no end date: an empty cell
    xlsx = browser.get("/placements.xlsx?status=follow_up_due")
    assert xlsx.status_code == 200 and xlsx.content[:2] == b"PK"
    rows = as_finnish_excel(browser.get("/employers.csv?partnership_status=partner").content)
    assert [r[0] for r in rows[1:]] == ["Kumppani Oy"]
    rows = as_finnish_excel(browser.get("/proposals.csv?owner=me&municipality=Lieto").content)
    assert [r[1] for r in rows[1:]] == ["Tehtävä"] and len(ids) == 4
    bad = browser.get("/placements.csv?start_from=eilen")
    assert len(as_finnish_excel(bad.content)) == 1  # a bad filter gives no rows, not every row


def _api_ids(client: TestClient, url: str, headers: dict[str, str]) -> set[int]:
    reply = client.get(url, headers=headers)
    assert reply.status_code == 200, reply.text
    body: dict[str, Any] = reply.json()
    return {int(item["id"]) for item in body["items"]}


def test_the_api_lists_take_the_same_filters(client: TestClient, world: AreaWorld, db: str) -> None:
    ids = _placements(db, world)
    proposals = _proposals(db, world)
    partner = _employers(db, world)
    staff = world.headers(Role.COORDINATOR)
    api = "/api/v1"
    assert _api_ids(client, f"{api}/placements?status=ended", staff) == {ids["ended"]}
    assert _api_ids(client, f"{api}/placements?status=follow_up_due", staff) == {ids["due"]}
    assert _api_ids(client, f"{api}/placements?municipality=Lieto", staff) == {ids["due"]}
    admin = world.user_ids[Role.ADMIN]
    assert _api_ids(client, f"{api}/placements?confirmed_by={admin}", staff) == {ids["later"]}
    assert _api_ids(client, f"{api}/placements?start_from={today().isoformat()}", staff) == {ids["later"]}
    employer = world.headers(Role.EMPLOYER)
    assert _api_ids(client, f"{api}/placements?status=active", employer) == {ids["due"]}
    assert _api_ids(client, f"{api}/placements?municipality=Kaarina", employer) == set()
    # Who confirmed or proposed is not the employer's to filter by: ignored, not a way to probe staff ids.
    everything = _api_ids(client, f"{api}/placements", employer)
    assert _api_ids(client, f"{api}/placements?confirmed_by={admin}", employer) == everything
    assert len(everything) == 3
    caseworker = world.user_ids[Role.CASEWORKER]
    assert _api_ids(client, f"{api}/proposals?proposed_by={caseworker}", staff) == {proposals["old"]}
    assert proposals["mine"] in _api_ids(client, f"{api}/proposals?municipality=Lieto", staff)
    old = (today() - timedelta(days=30)).isoformat()
    assert _api_ids(client, f"{api}/proposals?proposed_to={old}", staff) == {proposals["old"]}
    assert _api_ids(client, f"{api}/employers?partnership_status=partner", staff) == {partner}
    assert _api_ids(client, f"{api}/employers?created_to={old}", staff) == {partner}
    fresh = _api_ids(client, f"{api}/employers?created_from={today().isoformat()}", staff)
    assert world.employer_id in fresh and partner not in fresh
    for url, field in (
        ("/placements?status=someday", "status"),
        ("/placements?start_from=eilen", "start_from"),
        ("/placements?municipality=Atlantis", "municipality"),
        ("/proposals?proposed_from=2026-13-01", "proposed_from"),
        ("/employers?partnership_status=friend", "partnership_status"),
        ("/employers?created_to=x", "created_to"),
        ("/employers?created_to=0", "created_to"),  # not seconds since 1970
        ("/placements?start_to=1700000000", "start_to"),
        ("/needs?created_from=0", "created_from"),
        ("/jobseekers?created_from=0", "created_from"),
        ("/jobseekers?created_to=86400", "created_to"),
        ("/contacts?due_before=0", "due_before"),
    ):
        assert_problem(client.get(api + url, headers=staff), 422, field)
    spec = client.get("/openapi.json").json()
    params = {
        path: {p["name"] for p in spec["paths"][f"/api/v1{path}"]["get"]["parameters"]}
        for path in ("/placements", "/proposals", "/employers")
    }
    assert {"status", "start_from", "start_to", "municipality", "confirmed_by"} <= params["/placements"]
    assert {"proposed_from", "proposed_to", "municipality", "proposed_by"} <= params["/proposals"]
    assert {"partnership_status", "created_from", "created_to"} <= params["/employers"]
