"""The coordinator's job carving pages: recording a task with a schedule typed as people write it, the
bundles Kohtaamo suggests, bundling chosen tasks into a carved job, the refusal of overlapping
schedules in the reader's language, and a schedule shown in the order of the week."""

from __future__ import annotations

import re

import pytest
from fastapi.testclient import TestClient

from accounts.models import Role
from core.db import connect
from tests.conftest import AreaWorld
from tests.web.conftest import SignIn
from tests.web.test_exports import speak
from web.carving import parse_schedule, slot_text
from web.i18n import I18n


def _tasks(db: str) -> list[dict[str, object]]:
    with connect(db) as conn:
        return conn.execute("SELECT * FROM carving_tasks ORDER BY id").fetchall()


def test_a_schedule_is_typed_in_finnish_swedish_or_english() -> None:
    assert parse_schedule("ma 8.00-12.00\nfre 13:00–15:30, sun 7.15-9.00") == [
        {"day": "mon", "start": "08:00", "end": "12:00"},
        {"day": "fri", "start": "13:00", "end": "15:30"},
        {"day": "sun", "start": "07:15", "end": "09:00"},
    ]
    assert parse_schedule("") == []
    assert parse_schedule("maanantaina aamulla") is None
    assert parse_schedule("xx 8.00-12.00") is None


def test_coordinator_records_tasks_sees_a_suggestion_and_bundles_it(
    signed_in: SignIn, world: AreaWorld, db: str
) -> None:
    browser = signed_in(Role.COORDINATOR)
    form = "/carving/tasks/new"
    saved = browser.post(
        form,
        {
            "employer_id": str(world.employer_id),
            "title": "Aamiaisen valmistelu",
            "hours_per_week": "12,5",
            "schedule": "ma 7.00-9.30\nke 7.00-9.30",
            "skills": "ruoanvalmistus, asiakaspalvelu",
            "physical_demands": ["standing"],
            "municipality": "Kaarina",
        },
        csrf_from=form,
    )
    assert saved.status_code == 303, saved.text
    # Only what is required: no schedule, skills, demands or municipality.
    bare = browser.post(
        form,
        {"employer_id": str(world.employer_id), "title": "Postin lajittelu", "hours_per_week": "10"},
        csrf_from=form,
    )
    assert bare.status_code == 303, bare.text
    first, second = _tasks(db)
    assert first["schedule"] == [
        {"day": "mon", "start": "07:00", "end": "09:30"},
        {"day": "wed", "start": "07:00", "end": "09:30"},
    ]
    assert float(first["hours_per_week"]) == 12.5 and first["physical_demands"] == ["standing"]
    assert second["municipality"] == "Turku" and second["schedule"] == [] and second["skills"] == []

    page = browser.get("/carving")
    assert page.status_code == 200
    assert "Ehdotetut yhdistelmät" in page.text
    assert "22,5 tuntia viikossa 2 tehtävästä" in page.text
    link = re.search(r'href="(/carving/jobs/new\?task=\d+&amp;task=\d+)"', page.text)
    assert link is not None
    url = link.group(1).replace("&amp;", "&")
    chosen = browser.get(url)
    assert "Työn tehtävät: yhteensä 22,5 tuntia viikossa" in chosen.text
    assert "ma 7.00–9.30" in chosen.text and "joustava" in chosen.text
    made = browser.post(
        "/carving/jobs/new",
        {
            "task": [str(first["id"]), str(second["id"])],
            "title": "Palveluavustaja",
            "placement_forms": ["open_job"],
        },
        csrf_from=url,
    )
    assert made.status_code == 303, made.text
    location = made.headers["location"]
    assert re.fullmatch(r"/carving/jobs/\d+", location)
    job = browser.get(location)
    assert "Palveluavustaja" in job.text and "Silpputyössä" in job.text
    assert {t["status"] for t in _tasks(db)} == {"bundled"}


def test_overlapping_schedules_come_back_with_the_slots_named(
    signed_in: SignIn, world: AreaWorld, db: str
) -> None:
    browser = signed_in(Role.COORDINATOR)
    form = "/carving/tasks/new"
    for title, slot in (("Aamu", "ti 8.00-12.00"), ("Keskipäivä", "ti 11.00-13.00")):
        reply = browser.post(
            form,
            {"employer_id": str(world.employer_id), "title": title, "hours_per_week": "8", "schedule": slot},
            csrf_from=form,
        )
        assert reply.status_code == 303, reply.text
    ids = [str(t["id"]) for t in _tasks(db)]
    url = f"/carving/jobs/new?task={ids[0]}&task={ids[1]}"
    refused = browser.post("/carving/jobs/new", {"task": ids, "title": "Yhdistelmä"}, csrf_from=url)
    assert refused.status_code == 422
    assert "Tehtävien aikataulut menevät päällekkäin: ti 8.00–12.00 / ti 11.00–13.00." in refused.text
    with connect(db) as conn:
        row = conn.execute("SELECT count(*) AS n FROM carved_jobs").fetchone()
    assert row is not None and row["n"] == 0


def test_a_bad_schedule_line_is_named(signed_in: SignIn, world: AreaWorld, db: str) -> None:
    browser = signed_in(Role.COORDINATOR)
    form = "/carving/tasks/new"
    reply = browser.post(
        form,
        {
            "employer_id": str(world.employer_id),
            "title": "Siivous",
            "hours_per_week": "8",
            "schedule": "aamuisin",
        },
        csrf_from=form,
    )
    assert reply.status_code == 422
    assert 'href="#f-schedule"' in reply.text and "esim. ma 8.00-12.00" in reply.text
    assert _tasks(db) == []
    # Each language's example is one the form reads.
    for example in ("ma 8.00-12.00", "må 8.00-12.00", "Mon 8:00-12:00"):
        assert parse_schedule(example) == [{"day": "mon", "start": "08:00", "end": "12:00"}], example
    speak(browser, "en")
    assert "e.g. Mon 8:00-12:00" in browser.get(form).text


@pytest.mark.parametrize("role", [Role.CASEWORKER, Role.EMPLOYER])
def test_caseworkers_and_employers_have_no_carving_pages(
    signed_in: SignIn, world: AreaWorld, role: Role
) -> None:
    assert signed_in(role).get("/carving").status_code == 403


def test_a_proposal_of_a_carved_job_explains_it_task_by_task(
    signed_in: SignIn, world: AreaWorld, db: str, client: TestClient
) -> None:
    from tests.carving.conftest import make_task
    from tests.placements.conftest import make_worker, propose, reload_index

    cleaning = make_task(client, world, title="Siivous", hours_per_week=15, skills=["siivous"])
    cafe = make_task(
        client, world, title="Kahvila", hours_per_week=10, skills=["kassatyö"], municipality="Kaarina"
    )
    job = client.post(
        "/api/v1/carving/jobs",
        json={"task_ids": [cleaning["id"], cafe["id"]], "title": "Palveluavustaja"},
        headers=world.headers(Role.COORDINATOR),
    )
    assert job.status_code == 201, job.text
    reload_index(client, db)
    person = make_worker(db, world, skills=["siivous"], municipality="Turku")
    proposal = propose(client, world, job.json()["need_id"], person)

    page = signed_in(Role.COORDINATOR).get(f"/proposals/{proposal['id']}")
    assert page.status_code == 200
    assert "Tehtävä kerrallaan" in page.text
    assert "Osaa: siivous" in page.text and "Puuttuu: kassatyö" in page.text
    assert "km kotoa" in page.text


def test_the_need_page_explains_a_carved_jobs_candidates_task_by_task(
    signed_in: SignIn, world: AreaWorld, db: str, client: TestClient
) -> None:
    from tests.carving.conftest import make_task
    from tests.placements.conftest import make_worker, reload_index

    cleaning = make_task(client, world, title="Siivous", hours_per_week=15, skills=["siivous"])
    cafe = make_task(
        client, world, title="Kahvila", hours_per_week=10, skills=["kassatyö"], municipality="Kaarina"
    )
    job = client.post(
        "/api/v1/carving/jobs",
        json={"task_ids": [cleaning["id"], cafe["id"]], "title": "Palveluavustaja"},
        headers=world.headers(Role.COORDINATOR),
    )
    assert job.status_code == 201, job.text
    person = make_worker(db, world, skills=["siivous"], municipality="Turku")
    reload_index(client, db)

    browser = signed_in(Role.COORDINATOR)
    url = f"/needs/{job.json()['need_id']}"
    page = browser.get(url)
    assert page.status_code == 200
    candidate = page.text[page.text.index(f'id="candidate-{person}"') :]
    candidate = candidate[: candidate.index("<details>")]
    assert 'aria-label="Tehtävä kerrallaan"' in candidate
    assert "<strong>Siivous</strong> · Turku (0 km kotoa) · 15 h/vko · Osaa: siivous</li>" in candidate
    assert re.search(
        r"<strong>Kahvila</strong> · Kaarina \(\d+(,\d)? km kotoa\) · 10 h/vko · Puuttuu: kassatyö", candidate
    )

    browser.post("/language", {"language": "sv", "next": url}, csrf_from=url)
    swedish = browser.get(url).text
    assert "Kan: siivous" in swedish and "Saknas: kassatyö" in swedish


def test_an_ordinary_needs_candidates_have_no_task_lines(
    signed_in: SignIn, world: AreaWorld, db: str, client: TestClient
) -> None:
    from tests.placements.conftest import make_need, make_worker, reload_index

    need_id = make_need(db, world)
    person = make_worker(db, world)
    reload_index(client, db)

    page = signed_in(Role.COORDINATOR).get(f"/needs/{need_id}")
    assert page.status_code == 200 and f'id="candidate-{person}"' in page.text
    assert "Tehtävä kerrallaan" not in page.text and "Osaa:" not in page.text


def test_a_schedule_typed_out_of_order_reads_in_the_order_of_the_week(
    signed_in: SignIn, world: AreaWorld, db: str
) -> None:
    browser = signed_in(Role.COORDINATOR)
    form = "/carving/tasks/new"
    for title, schedule in (
        ("Aamiaisen kattaminen", "pe 7.00-9.00\nma 7.00-9.00, ke 7.00-9.00\nma 6.00-6.30"),
        ("Postin lajittelu", ""),
    ):
        saved = browser.post(
            form,
            {
                "employer_id": str(world.employer_id),
                "title": title,
                "hours_per_week": "6",
                "schedule": schedule,
            },
            csrf_from=form,
        )
        assert saved.status_code == 303, saved.text
    page = browser.get("/carving")
    assert page.status_code == 200, page.text
    rows = {
        found.group(1): found.group(2)
        for found in re.finditer(
            r"<td[^>]*>(Aamiaisen kattaminen|Postin lajittelu)\b.*?</td>"  # the task, then its last two cells
            r".*?<td[^>]*>([^<]*)</td>\s*<td[^>]*>[^<]*</td>\s*</tr>",
            page.text,
            re.S,
        )
    }
    assert rows == {
        "Aamiaisen kattaminen": "ma 6.00–6.30, ma 7.00–9.00, ke 7.00–9.00, pe 7.00–9.00",
        "Postin lajittelu": "joustava",
    }


def test_a_slot_reads_as_each_language_writes_times_of_day() -> None:
    slot = {"day": "tue", "start": "07:00", "end": "09:30"}
    assert slot_text(slot, I18n("fi")) == "ti 7.00–9.30"
    assert slot_text(slot, I18n("sv")).endswith(" 07.00–09.30")
    assert slot_text(slot, I18n("en")).endswith(" 07:00–09:30")
    assert parse_schedule(slot_text(slot, I18n("fi"))) == [slot]  # what a page shows can be typed back
