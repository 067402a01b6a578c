"""The jobseeker's path on the pages: target-group facts in the profile, service-need assessments and
plans recorded by the own caseworker, the work-ability change, plan reviews on the caseworker's list,
the client list and indicators filtered by a target group, and the target-groups page."""

from __future__ import annotations

import re
from datetime import timedelta

from accounts.models import Role
from core import clock
from core.db import connect
from tests.conftest import AreaWorld, table_state
from tests.web.conftest import SignIn
from tests.web.test_caseworker_pages import PROFILE, new_client

TODAY = clock.today()


def _fi(day: object) -> str:
    return f"{day.day}.{day.month}.{day.year}"  # type: ignore[attr-defined]


def _state(db: str) -> dict[str, tuple[int, int]]:
    with connect(db) as conn:
        state = table_state(conn)
    for noisy in ("jobseeker_vectors", "web_sessions", "audit_log"):
        state.pop(noisy)
    return state


def test_the_caseworker_keeps_facts_assessments_and_plans_on_the_client_page(
    signed_in: SignIn, db: str
) -> None:
    browser = signed_in(Role.CASEWORKER)
    since = (TODAY - timedelta(days=400)).isoformat()
    location = new_client(
        browser,
        {
            **PROFILE,
            "birth_year": str(TODAY.year - 24),
            "unemployed_since": since,
            "benefit": "labour_market_subsidy",
            "subsidy_days": "520",
            "integration_plan": "false",
        },
    )
    page = browser.get(location)
    assert (
        "Työttömänä 13 kk" in page.text
        and "24-vuotias" in page.text
        and "520 työmarkkinatukipäivää" in page.text
    )

    saved = browser.post(
        f"{location}/service-need",
        {
            "assessed_on": TODAY.isoformat(),
            "level": "intensive_support",
            "needs": "valmennus",
            "notes": "Unirytmi",
        },
        csrf_from=location,
    )
    assert saved.status_code == 303, saved.text
    before = _state(db)
    refused = browser.post(
        f"{location}/plans",
        {
            "kind": "employment",
            "drawn_up_on": TODAY.isoformat(),
            "steps": f"Trukkikortti {_fi(TODAY - timedelta(days=2))}",
        },
        csrf_from=location,
    )
    assert refused.status_code == 422
    assert "Tavoitetta tai askelta ei voi päivätä ennen suunnitelmaa." in refused.text
    future = browser.post(
        f"{location}/service-need",
        {"assessed_on": (TODAY + timedelta(days=3)).isoformat(), "level": "job_ready"},
        csrf_from=location,
    )
    assert future.status_code == 422
    assert _state(db) == before
    plan = browser.post(
        f"{location}/plans",
        {
            "kind": "employment",
            "drawn_up_on": TODAY.isoformat(),
            "agreed_with_client": "on",
            "goals": "Vakituinen varastotyö",
            "steps": f"Trukkikortti {_fi(TODAY + timedelta(days=20))}",
            "review_on": (TODAY + timedelta(days=5)).isoformat(),
        },
        csrf_from=location,
    )
    assert plan.status_code == 303, plan.text
    page = browser.get(location)
    assert "Tiivis tuki" in page.text and "Unirytmi" in page.text
    assert "Vakituinen varastotyö" in page.text and "Sovittu asiakkaan kanssa" in page.text
    home = browser.get("/")
    assert (
        "Erääntyvät suunnitelmien tarkistukset" in home.text
        and f"/clients/{location.rsplit('/', 1)[1]}#plans" in home.text
    )


def test_the_work_ability_change_is_shown_to_the_own_caseworker(
    signed_in: SignIn, db: str, world: AreaWorld
) -> None:
    browser = signed_in(Role.CASEWORKER)
    location = new_client(browser)
    person = int(location.rsplit("/", 1)[1])
    with connect(db) as conn:
        for days, score in ((300, 4), (30, 6.5)):
            conn.execute(
                "INSERT INTO work_capacity_assessments (jobseeker_id, assessed_on, measure, score)"
                " VALUES (%s, %s, 'TOIMIA', %s)",
                (person, TODAY - timedelta(days=days), score),
            )
        conn.commit()
    page = browser.get(location)
    assert "Työkyvyn muutos" in page.text
    row = page.text.split('data-measure="TOIMIA"', 1)[1].split("</tr>", 1)[0]
    assert "+2,5" in row


def test_an_admin_sees_the_plans_but_not_the_health_related_parts(
    signed_in: SignIn, db: str, world: AreaWorld
) -> None:
    with connect(db) as conn:
        person = conn.execute(
            "INSERT INTO jobseekers (area_id, pseudonym, municipality, caseworker_id)"
            " VALUES (%s, 'Hakija-P1', 'Turku', %s) RETURNING id",
            (world.area_id, world.user_ids[Role.CASEWORKER]),
        ).fetchone()
        assert person is not None
        conn.execute(
            "INSERT INTO service_need_assessments (jobseeker_id, assessed_on, level, notes)"
            " VALUES (%s, current_date, 'light_support', 'Unirytmi sekaisin')",
            (person["id"],),
        )
        plan = conn.execute(
            "INSERT INTO plans (jobseeker_id, kind, drawn_up_on)"
            " VALUES (%s, 'activation', current_date) RETURNING id",
            (person["id"],),
        ).fetchone()
        assert plan is not None
        conn.execute(
            "INSERT INTO plan_items (plan_id, position, kind, text) VALUES (%s, 1, 'goal', 'Kuntouttava')",
            (plan["id"],),
        )
        conn.commit()
    page = signed_in(Role.ADMIN).get(f"/clients/{person['id']}")
    assert page.status_code == 200
    assert "Aktivointisuunnitelma" in page.text and "Kuntouttava" in page.text
    assert (
        "Unirytmi" not in page.text
        and "Työkyvyn muutos" not in page.text
        and "Kirjaa suunnitelma" not in page.text
    )


def _group(db: str, world: AreaWorld, name: str = "Yli 500 päivää") -> int:
    with connect(db) as conn:
        row = conn.execute(
            "INSERT INTO target_groups (area_id, name, rule) VALUES (%s, %s,"
            ' \'{"subsidy_days_min": 500, "benefits": ["labour_market_subsidy"]}\') RETURNING id',
            (world.area_id, name),
        ).fetchone()
        conn.commit()
    assert row is not None
    return int(row["id"])


def test_target_groups_are_saved_on_their_page_with_errors_on_their_fields(
    signed_in: SignIn, db: str
) -> None:
    admin = signed_in(Role.ADMIN)
    bad = admin.post("/target-groups", {"name": "Tyhjä"}, csrf_from="/target-groups")
    assert bad.status_code == 422
    wrong = admin.post("/target-groups", {"name": "Väärin", "age_min": "x"}, csrf_from="/target-groups")
    assert wrong.status_code == 422 and "Kirjoita kokonaisluku." in wrong.text
    saved = admin.post(
        "/target-groups",
        {"name": "Yli 500 päivää", "subsidy_days_min": "500", "benefits": "labour_market_subsidy"},
        csrf_from="/target-groups",
    )
    assert saved.status_code == 303, saved.text
    groups = admin.get("/target-groups")
    assert "Yli 500 päivää" in groups.text and "vähintään 500 työmarkkinatukipäivää" in groups.text


def test_a_target_group_filters_the_client_list(signed_in: SignIn, db: str, world: AreaWorld) -> None:
    group = {"id": _group(db, world)}
    caseworker = signed_in(Role.CASEWORKER)
    new_client(
        caseworker,
        {**PROFILE, "full_name": "Pitkä Tuki", "benefit": "labour_market_subsidy", "subsidy_days": "640"},
    )
    new_client(
        caseworker,
        {**PROFILE, "full_name": "Lyhyt Tuki", "benefit": "labour_market_subsidy", "subsidy_days": "20"},
    )
    listed = caseworker.get(f"/clients?target_group={group['id']}")
    assert "Pitkä Tuki" in listed.text and "Lyhyt Tuki" not in listed.text
    # The list remembers the group; cleared, it lists both.
    assert caseworker.get("/clients").status_code == 303
    cleared = caseworker.get("/clients?reset=1")
    everyone = (
        caseworker.get(cleared.headers["location"]).text if cleared.status_code == 303 else cleared.text
    )
    assert "Pitkä Tuki" in everyone and "Lyhyt Tuki" in everyone
    groups = caseworker.get("/target-groups")
    assert "Yli 500 päivää" in groups.text
    assert 'action="/target-groups"' not in groups.text  # a caseworker does not save groups


def test_the_indicators_page_offers_the_target_groups(signed_in: SignIn, db: str, world: AreaWorld) -> None:
    group = _group(db, world)
    indicators = signed_in(Role.COORDINATOR).get(f"/indicators?target_group={group}")
    assert indicators.status_code == 200
    assert f'value="{group}" selected' in indicators.text
    assert f"target_group={group}" in indicators.text  # the downloads and charts keep the group


def test_a_target_group_is_edited_and_removed_on_its_page(
    signed_in: SignIn, db: str, world: AreaWorld
) -> None:
    group = _group(db, world)
    caseworker = signed_in(Role.CASEWORKER)
    new_client(
        caseworker,
        {**PROFILE, "full_name": "Pitkä Tuki", "benefit": "labour_market_subsidy", "subsidy_days": "640"},
    )
    new_client(
        caseworker,
        {**PROFILE, "full_name": "Lyhyt Tuki", "benefit": "labour_market_subsidy", "subsidy_days": "120"},
    )
    assert caseworker.get(f"/target-groups/{group}/edit").status_code == 403
    refused = caseworker.post(f"/target-groups/{group}/delete", {}, csrf_from="/target-groups")
    assert refused.status_code == 403
    # The caseworker's client list remembers the group as its filter.
    assert "Lyhyt Tuki" not in caseworker.get(f"/clients?target_group={group}").text
    caseworker.post("/logout", {}, csrf_from="/target-groups")

    coordinator = signed_in(Role.COORDINATOR)
    edit = f"/target-groups/{group}/edit"
    assert f'href="{edit}"' in coordinator.get("/target-groups").text
    form = coordinator.get(edit)
    assert form.status_code == 200
    assert 'value="Yli 500 päivää"' in form.text and 'value="500"' in form.text
    before = _state(db)
    wrong = coordinator.post(
        edit, {"name": "Ryhmä", "subsidy_days_min": "paljon", "version": "1"}, csrf_from=edit
    )
    assert wrong.status_code == 422 and 'id="f-subsidy_days_min"' in wrong.text
    empty = coordinator.post(edit, {"name": "Ryhmä", "version": "1"}, csrf_from=edit)
    assert empty.status_code == 422 and "Anna vähintään yksi ehto." in empty.text
    stale = coordinator.post(
        edit, {"name": "Ryhmä", "subsidy_days_min": "100", "version": "7"}, csrf_from=edit
    )
    assert stale.status_code == 412 and "Lataa sivu uudelleen" in stale.text
    assert _state(db) == before
    saved = coordinator.post(
        edit,
        {"name": "Yli 100 päivää", "subsidy_days_min": "100", "version": "1"},
        csrf_from=edit,
    )
    assert saved.status_code == 303, saved.text
    listed = coordinator.get("/target-groups").text
    assert "Yli 100 päivää" in listed and "Yli 500 päivää" not in listed
    assert "vähintään 100 työmarkkinatukipäivää" in listed

    # Removing asks first; the indicators and the caseworker's remembered filter still open.
    delete = f"/target-groups/{group}/delete"
    asked = coordinator.get(delete)
    assert asked.status_code == 200 and "Poistetaanko kohderyhmä Yli 100 päivää?" in asked.text
    assert 'name="version" value="2"' in asked.text  # the version the question shows goes with it
    for stale in ({"version": "1"}, {}):  # changed since the question was drawn, or no version sent
        before = _state(db)
        refused = coordinator.post(delete, stale, csrf_from=delete)
        assert refused.status_code == 412 and "Lataa sivu uudelleen" in refused.text
        assert 'class="error-summary"' in refused.text and 'name="version" value="2"' in refused.text
        assert _state(db) == before
    removed = coordinator.post(delete, {"version": "2"}, csrf_from=delete)
    assert removed.status_code == 303
    assert "Yli 100 päivää" not in coordinator.get(removed.headers["location"]).text
    indicators = coordinator.get(f"/indicators?target_group={group}")
    assert indicators.status_code == 200 and f'value="{group}"' not in indicators.text
    again = coordinator.post(delete, {"version": "2"}, csrf_from="/target-groups")
    assert again.status_code == 404
    coordinator.post("/logout", {}, csrf_from="/target-groups")

    caseworker = signed_in(Role.CASEWORKER)
    remembered = caseworker.get("/clients")
    assert remembered.status_code == 303
    everyone = caseworker.get(remembered.headers["location"])
    assert everyone.status_code == 200
    assert "Pitkä Tuki" in everyone.text and "Lyhyt Tuki" in everyone.text


def test_the_own_caseworker_edits_the_plan_and_the_due_list_follows(signed_in: SignIn, db: str) -> None:
    browser = signed_in(Role.CASEWORKER)
    location = new_client(browser, PROFILE)
    drawn = TODAY - timedelta(days=10)
    made = browser.post(
        f"{location}/plans",
        {
            "kind": "employment",
            "drawn_up_on": drawn.isoformat(),
            "steps": f"Hitsauskortti {_fi(TODAY + timedelta(days=20))}",
            "review_on": (TODAY + timedelta(days=60)).isoformat(),
        },
        csrf_from=location,
    )
    assert made.status_code == 303, made.text
    with connect(db) as conn:
        row = conn.execute("SELECT id FROM plans ORDER BY id DESC LIMIT 1").fetchone()
    assert row is not None
    edit = f"{location}/plans/{row['id']}/edit"
    assert f'href="{edit}"' in browser.get(location).text
    assert "Erääntyvät suunnitelmien tarkistukset" not in browser.get("/").text
    form = browser.get(edit)
    assert form.status_code == 200 and "Hitsauskortti" in form.text

    before = _state(db)
    early = browser.post(
        edit,
        {
            "kind": "employment",
            "drawn_up_on": drawn.isoformat(),
            "steps": f"Työkokeilu {_fi(drawn - timedelta(days=1))}",
            "version": "1",
        },
        csrf_from=edit,
    )
    assert early.status_code == 422 and 'id="f-steps"' in early.text
    assert "Tavoitetta tai askelta ei voi päivätä ennen suunnitelmaa." in early.text
    stale = browser.post(
        edit, {"kind": "employment", "drawn_up_on": drawn.isoformat(), "version": "5"}, csrf_from=edit
    )
    assert stale.status_code == 412
    assert _state(db) == before

    saved = browser.post(
        edit,
        {
            "kind": "activation",
            "drawn_up_on": drawn.isoformat(),
            "agreed_with_client": "on",
            "goals": "Vakituinen varastotyö",
            "steps": f"Työkokeilu {_fi(TODAY + timedelta(days=7))}",
            "review_on": (TODAY + timedelta(days=3)).isoformat(),
            "version": "1",
        },
        csrf_from=edit,
    )
    assert saved.status_code == 303, saved.text
    page = browser.get(location).text
    assert "Työkokeilu" in page and "Hitsauskortti" not in page and "Aktivointisuunnitelma" in page
    home = browser.get("/").text
    assert "Erääntyvät suunnitelmien tarkistukset" in home and f"{location}#plans" in home


def test_an_indicator_link_naming_a_removed_target_group_shows_the_page_saying_so(
    signed_in: SignIn, db: str, world: AreaWorld
) -> None:
    kept, removed = _group(db, world), _group(db, world, "Poistettu ryhmä")
    with connect(db) as conn:
        conn.execute("DELETE FROM target_groups WHERE id = %s", (removed,))
        conn.commit()
    coordinator = signed_in(Role.COORDINATOR)
    notice = "Linkissä mainittua kohderyhmää ei enää ole"

    shown = coordinator.get(f"/indicators?target_group={removed}&by=area")
    assert shown.status_code == 200, shown.text[-500:]
    assert notice in shown.text
    assert f'value="{removed}"' not in shown.text
    files_and_charts = re.compile(r'"/indicators[^"]*\.(?:csv|xlsx|svg)\?([^"]*)"')
    linked = files_and_charts.findall(shown.text)
    assert len(linked) > 2 and all(f"target_group={removed}" not in q for q in linked)
    assert 'class="panel"' in shown.text  # the figures, for every jobseeker
    for link in (
        f"/indicators.csv?target_group={removed}",
        f"/indicators.xlsx?by=area&target_group={removed}",
        f"/indicators/placements/chart.svg?target_group={removed}",
    ):
        moved = coordinator.get(link)
        assert moved.status_code == 303, (link, moved.status_code)
        assert moved.headers["location"] == "/indicators?" + link.split("?", 1)[1]
        assert notice in coordinator.get(moved.headers["location"]).text

    assert notice not in coordinator.get("/indicators").text
    narrowed = coordinator.get(f"/indicators?target_group={kept}")
    assert narrowed.status_code == 200 and notice not in narrowed.text
    linked = files_and_charts.findall(narrowed.text)
    assert len(linked) > 2 and all(f"target_group={kept}" in q for q in linked)
    assert coordinator.get(f"/indicators.csv?target_group={kept}").status_code == 200


def test_a_client_list_link_naming_a_gone_target_group_says_so_and_keeps_the_other_filters(
    signed_in: SignIn, db: str, world: AreaWorld, other_world: AreaWorld
) -> None:
    kept, removed = _group(db, world), _group(db, world, "Poistettu ryhmä")
    elsewhere = _group(db, other_world, "Toisen alueen ryhmä")
    with connect(db) as conn:
        conn.execute("DELETE FROM target_groups WHERE id = %s", (removed,))
        conn.commit()
    caseworker = signed_in(Role.CASEWORKER)
    long_days = {"benefit": "labour_market_subsidy", "subsidy_days": "640"}
    new_client(caseworker, {**PROFILE, **long_days, "full_name": "Pitkä Liedossa"})
    new_client(caseworker, {**PROFILE, **long_days, "full_name": "Pitkä Turussa", "municipality": "Turku"})
    new_client(
        caseworker,
        {**PROFILE, "full_name": "Lyhyt Liedossa", "benefit": "labour_market_subsidy", "subsidy_days": "20"},
    )
    new_client(caseworker, {"full_name": "Tyhjä Liedossa", "municipality": "Lieto"})  # no optional facts
    notices = {
        "fi": "Linkissä mainittua kohderyhmää ei enää ole",
        "sv": "Målgruppen som länken nämner finns inte längre",
        "en": "The target group the link names no longer exists",
    }

    for gone in (removed, elsewhere, "ei-ryhmä"):
        shown = caseworker.get(f"/clients?target_group={gone}&municipality=Lieto")
        assert shown.status_code == 200, shown.text[-500:]
        assert notices["fi"] in shown.text and 'id="group-gone"' in shown.text
        assert f'value="{gone}" selected' not in shown.text and 'value="Lieto"' in shown.text
        assert "Pitkä Liedossa" in shown.text and "Lyhyt Liedossa" in shown.text
        assert "Tyhjä Liedossa" in shown.text and "Pitkä Turussa" not in shown.text  # the place holds
    # The remembered filter names the gone group: reopened, the list says so again.
    remembered = caseworker.get("/clients")
    assert remembered.status_code == 303
    assert notices["fi"] in caseworker.get(remembered.headers["location"]).text
    for language in ("sv", "en"):
        caseworker.client.cookies.set("kohtaamo_lang", language)
        assert notices[language] in caseworker.get(f"/clients?target_group={removed}").text
    caseworker.client.cookies.set("kohtaamo_lang", "fi")

    narrowed = caseworker.get(f"/clients?target_group={kept}&municipality=Lieto")
    assert narrowed.status_code == 200 and 'id="group-gone"' not in narrowed.text
    assert f'value="{kept}" selected' in narrowed.text
    assert "Pitkä Liedossa" in narrowed.text and "Lyhyt Liedossa" not in narrowed.text
    assert "Pitkä Turussa" not in narrowed.text


def test_unemployment_start_written_as_a_bare_number_is_an_error_beside_its_field(
    signed_in: SignIn, db: str
) -> None:
    browser = signed_in(Role.CASEWORKER)
    error = '<p class="error" id="unemployed_since-error">Kirjoita päivämäärä, esim. 5.11.2025.</p>'
    before = _state(db)
    for wrong in ("0", "86400"):
        refused = browser.post(
            "/clients/new", {**PROFILE, "unemployed_since": wrong}, csrf_from="/clients/new"
        )
        assert refused.status_code == 422 and error in refused.text
        assert '<a href="#f-unemployed_since">' in refused.text  # and in the summary, linked to it
    assert _state(db) == before

    location = new_client(browser)  # no target-group facts at all
    refused = browser.post(location, {**PROFILE, "unemployed_since": "0", "version": "1"}, csrf_from=location)
    assert refused.status_code == 422 and error in refused.text
    since = (TODAY - timedelta(days=100)).isoformat()
    saved = browser.post(location, {**PROFILE, "unemployed_since": since, "version": "1"}, csrf_from=location)
    assert saved.status_code == 303, saved.text
    assert "Työttömänä 3 kk" in browser.get(location).text
