"""What the pages say when a list is empty, a place is one place, a follow-up is late, a filter names no
municipality, and an example is given: in the reader's language and true for the reader's role."""

from __future__ import annotations

from datetime import date, timedelta

from accounts.models import Role
from core.clock import add_months, today
from core.db import connect
from tests.conftest import AreaWorld
from tests.matching_api.conftest import insert_jobseeker, insert_need
from tests.placements.conftest import insert_placement, insert_proposal
from tests.web.conftest import Browser, SignIn
from tests.web.test_placement_pages import switch


def _language(browser: Browser, language: str) -> Browser:
    browser.client.cookies.set("kohtaamo_lang", language)
    return browser


def _person(db: str, world: AreaWorld, n: int) -> int:
    return insert_jobseeker(
        db, world.area_id, pseudonym=f"Hakija-W{n:03}", caseworker_id=world.user_ids[Role.CASEWORKER]
    )


# Proposals ---------------------------------------------------------------------------------------------


def test_proposals_filtered_to_nothing_say_so_and_none_at_all_say_none_yet(
    signed_in: SignIn, world: AreaWorld, db: str
) -> None:
    browser = signed_in(Role.COORDINATOR)
    none_yet = browser.get("/proposals?state=")
    assert "Ei vielä ehdotuksia" in none_yet.text and "Rajauksia vastaavia" not in none_yet.text

    need = insert_need(db, world.area_id, world.employer_id, title="Lieto", municipality="Lieto")
    with connect(db) as conn:
        insert_proposal(conn, world, need, _person(db, world, 1), proposed_by=world.user_ids[Role.CASEWORKER])
        conn.commit()
    for role in (Role.COORDINATOR, Role.CASEWORKER):
        browser = _language(switch(browser, role), "en")
        empty = browser.get("/proposals?municipality=Kaarina")
        assert empty.status_code == 200, empty.text
        assert "No proposals match these filters." in empty.text
        assert "No proposals yet" not in empty.text
        unknown = browser.get("/proposals?municipality=zzqxy")
        assert "Unknown municipality" in unknown.text and "No proposals yet" not in unknown.text
        swedish = _language(browser, "sv").get("/proposals?municipality=Kaarina")
        assert "Inga förslag motsvarar filtren." in swedish.text
        browser.get("/proposals?reset=1")
        _language(browser, "fi")


# Employer register ---------------------------------------------------------------------------------------


def test_only_those_who_may_add_an_employer_are_told_to_add_one(signed_in: SignIn, world: AreaWorld) -> None:
    browser = signed_in(Role.CASEWORKER)
    searched = _language(browser, "en").get("/employers?q=zzqxy")
    assert searched.status_code == 200, searched.text
    assert "No employers match the search. Try another name." in searched.text
    assert "add the employer" not in searched.text and 'href="/employers/new"' not in searched.text
    assert browser.get("/employers/new").status_code == 403
    for role in (Role.COORDINATOR, Role.ADMIN):
        adder = switch(browser, role).get("/employers?q=zzqxy")
        assert "add the employer to the register" in adder.text
        assert 'href="/employers/new"' in adder.text
        browser.get("/employers?reset=1")


# Examples in hints ---------------------------------------------------------------------------------------


def test_hints_give_examples_in_the_readers_language(signed_in: SignIn, world: AreaWorld, db: str) -> None:
    client = _person(db, world, 2)
    browser = signed_in(Role.CASEWORKER)
    pages = ("/clients/new", f"/clients/{client}")
    english = {url: _language(browser, "en").get(url) for url in pages}
    english["/needs/new"] = switch(browser, Role.COORDINATOR).get("/needs/new")
    for url, page in english.items():
        assert page.status_code == 200, (url, page.text[-500:])
        assert "trukkikortti" not in page.text and "Työpaikka" not in page.text, url
    assert "e.g. forklift licence, hygiene passport." in english["/needs/new"].text
    assert "e.g. forklift licence 31.12.2027." in english["/clients/new"].text
    assert "e.g. Find a job 31.12.2027." in english[f"/clients/{client}"].text
    assert "e.g. Forklift licence 15.3.2027." in english[f"/clients/{client}"].text
    assert "t.ex. truckkort, hygienpass." in _language(browser, "sv").get("/needs/new").text
    assert "esim. trukkikortti, hygieniapassi." in _language(browser, "fi").get("/needs/new").text
    switch(browser, Role.CASEWORKER)
    swedish = {url: _language(browser, "sv").get(url).text for url in pages}
    assert "t.ex. truckkort 31.12.2027." in swedish["/clients/new"]
    assert "t.ex. Truckkort 15.3.2027." in swedish[f"/clients/{client}"]
    assert "t.ex. Hitta ett jobb 31.12.2027." in swedish[f"/clients/{client}"]


# Job carving ---------------------------------------------------------------------------------------------


def _task(browser: Browser, world: AreaWorld, title: str, schedule: str, municipality: str) -> None:
    saved = browser.post(
        "/carving/tasks/new",
        {
            "employer_id": str(world.employer_id),
            "title": title,
            "hours_per_week": "12",
            "schedule": schedule,
            "municipality": municipality,
        },
        csrf_from="/carving/tasks/new",
    )
    assert saved.status_code == 303, saved.text


def test_tasks_in_one_municipality_are_at_the_same_place_not_within_0_km(
    signed_in: SignIn, world: AreaWorld
) -> None:
    browser = signed_in(Role.COORDINATOR)
    _task(browser, world, "Aamiainen", "ma 7.00-9.00", "Kaarina")
    _task(browser, world, "Posti", "ti 7.00-9.00", "Kaarina")
    said = {lang: _language(browser, lang).get("/carving").text for lang in ("fi", "sv", "en")}
    assert "tehtävät ovat samassa paikassa (Kaarina)" in said["fi"]
    assert "uppgifterna finns på samma plats (Kaarina)" in said["sv"]
    assert "the tasks are at the same place (Kaarina)" in said["en"]
    assert not any("0 km" in text for text in said.values())


def test_tasks_in_two_municipalities_lie_within_their_distance(signed_in: SignIn, world: AreaWorld) -> None:
    browser = signed_in(Role.COORDINATOR)
    _task(browser, world, "Aamiainen", "ma 7.00-9.00", "Kaarina")
    _task(browser, world, "Posti", "ti 7.00-9.00", "Turku")
    page = _language(browser, "en").get("/carving").text
    assert "the tasks lie within" in page and "km of one another (Kaarina, Turku)" in page
    assert "same place" not in page


# Placements ----------------------------------------------------------------------------------------------


def _placement(db: str, world: AreaWorld, n: int, start: date, **columns: object) -> int:
    need = insert_need(db, world.area_id, world.employer_id, title=f"Sijoitus {n}", municipality="Turku")
    with connect(db) as conn:
        placement = insert_placement(conn, world, need, _person(db, world, 10 + n), "work_trial", start)
        for name, value in columns.items():
            conn.execute(f"UPDATE placements SET {name} = %s WHERE id = %s", (value, placement))
        conn.commit()
    return placement


def _follow_ups(page: str) -> str:
    return page.split('id="follow-h"', 1)[1].split("</ul>", 1)[0]


def test_a_follow_up_past_its_day_is_marked_overdue_and_one_recorded_is_not(
    signed_in: SignIn, world: AreaWorld, db: str
) -> None:
    day = today()
    late = _placement(db, world, 1, day - timedelta(days=220))
    with connect(db) as conn:
        conn.execute(
            "INSERT INTO placement_follow_ups (placement_id, due_months, outcome, note, recorded_by)"
            " VALUES (%s, 3, 'still_employed', '', %s)",
            (late, world.user_ids[Role.COORDINATOR]),
        )
        conn.commit()
    # The day the 3-month follow-up falls due: due, not yet late.
    start = next(
        day - timedelta(days=d) for d in range(80, 100) if add_months(day - timedelta(days=d), 3) == day
    )
    due_today = _placement(db, world, 2, start)
    future = _placement(db, world, 3, day - timedelta(days=10))
    browser = signed_in(Role.COORDINATOR)
    followed = _follow_ups(browser.get(f"/placements/{late}").text)
    assert followed.count("myöhässä") == 1
    six = followed.split("6 kuukautta", 1)[1]
    assert 'class="tag late">myöhässä' in six
    assert "myöhässä" not in followed.split("6 kuukautta", 1)[0]  # the 3-month one is recorded
    assert "myöhässä" not in _follow_ups(browser.get(f"/placements/{due_today}").text)
    assert "myöhässä" not in _follow_ups(browser.get(f"/placements/{future}").text)
    english = _language(browser, "en").get(f"/placements/{late}").text
    assert "overdue" in _follow_ups(english)
    swedish = _language(browser, "sv").get(f"/placements/{late}").text
    assert "försenad" in _follow_ups(swedish)


def test_an_end_on_the_planned_day_is_said_once(signed_in: SignIn, world: AreaWorld, db: str) -> None:
    day = today()
    planned = day - timedelta(days=20)
    as_planned = _placement(db, world, 4, day - timedelta(days=60), end_date=planned, ended_on=planned)
    early = _placement(
        db, world, 5, day - timedelta(days=60), end_date=day + timedelta(days=30), ended_on=planned
    )
    running = _placement(db, world, 6, day - timedelta(days=60), end_date=day + timedelta(days=30))
    open_ended = _placement(db, world, 7, day - timedelta(days=60))
    browser = _language(signed_in(Role.COORDINATOR), "en")
    once = browser.get(f"/placements/{as_planned}").text
    assert "<dt>Ended on</dt>" in once and "<dt>End date</dt>" not in once and "Planned end" not in once
    both = browser.get(f"/placements/{early}").text
    assert "<dt>Planned end date</dt>" in both and "<dt>Ended on</dt>" in both
    still = browser.get(f"/placements/{running}").text
    assert "<dt>End date</dt>" in still and "Ended on" not in still
    bare = browser.get(f"/placements/{open_ended}").text
    assert "End date" not in bare and "Ended on" not in bare


# Recruitment events --------------------------------------------------------------------------------------


def test_events_refuse_an_unknown_municipality_as_the_other_lists_do(
    signed_in: SignIn, world: AreaWorld, db: str
) -> None:
    with connect(db) as conn:
        conn.execute(
            "INSERT INTO recruitment_events (area_id, kind, title, event_date, municipality, organiser_id)"
            " VALUES (%s, 'fair', 'Rekrytointimessut', %s, 'Turku', %s)",
            (world.area_id, today(), world.user_ids[Role.COORDINATOR]),
        )
        conn.commit()
    browser = _language(signed_in(Role.COORDINATOR), "en")
    unknown = browser.get("/events?municipality=zzqxy")
    assert unknown.status_code == 200, unknown.text
    assert "Unknown municipality. Check the spelling." in unknown.text
    # The list was not read: no count of it (not "0 events") and no rows.
    assert "0 events" not in unknown.text and "Rekrytointimessut" not in unknown.text
    found = browser.get("/events?municipality=%C3%85bo")  # Turku by its Swedish name
    assert "Rekrytointimessut" in found.text
    assert "Rekrytointimessut" in browser.get("/events?municipality=turku").text
    elsewhere = browser.get("/events?municipality=Kaarina")
    assert "Rekrytointimessut" not in elsewhere.text and "Unknown municipality" not in elsewhere.text


# Indicators ----------------------------------------------------------------------------------------------


def test_the_hidden_need_indicator_speaks_of_hidden_needs_in_each_language(signed_in: SignIn) -> None:
    browser = signed_in(Role.COORDINATOR)
    english = _language(browser, "en").get("/indicators").text
    assert "Share of placements from hidden needs" in english and "hidden jobs" not in english
    assert "recorded as hidden (not advertised), or found through the contact log" in english
    swedish = _language(browser, "sv").get("/indicators").text
    assert "Andel placeringar från dolda behov" in swedish and "dolda jobb" not in swedish
    finnish = _language(browser, "fi").get("/indicators").text
    assert "Piilotyöpaikoista syntyneiden sijoitusten osuus" in finnish
    assert "kirjattu piilotyöpaikaksi (ei ilmoitettu)" in finnish
