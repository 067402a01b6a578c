"""Values as a reader sees them, with the optional parts empty as often as filled: an intro card's
availability reads with one separator between its parts (and a dash when it has none), a need's
languages by name and level, a placement list tells a placement not started yet or past its end date
from one going on, a due date long past is not said to fall due, a time reads with the date written as
every other date of the page, an employer's open needs say what their numbers count, and a page about
one employer or target group names it in its title."""

from __future__ import annotations

import re
from datetime import UTC, datetime, timedelta

from psycopg.types.json import Jsonb

from accounts.models import Role
from core.clock import today
from core.db import connect
from tests.conftest import AreaWorld
from tests.foundation.test_authorization_matrix import Objects, add_proposal, make_objects
from tests.matching_api.conftest import insert_need
from tests.web.conftest import SignIn
from tests.web.test_exports import speak
from web.i18n import I18n


def objects(db: str, world: AreaWorld, tag: str, n: int, kind: str) -> Objects:
    """An employer, need and jobseeker of ``world``, proposed (``kind`` "proposed") or placed."""
    with connect(db) as conn:
        made = make_objects(conn, world.area_id, world.user_ids[Role.CASEWORKER], tag, n, announce=False)
        made = add_proposal(conn, made, world.user_ids[Role.COORDINATOR], kind)
        conn.commit()
    return made


def fact(html: str, heading: str) -> str:
    """The text of a definition list's row ``heading``, its tags dropped and spaces folded."""
    found = re.search(rf"<dt>{heading}</dt>\s*<dd>(.*?)</dd>", html, re.S)
    assert found is not None, f"no {heading!r} row"
    return " ".join(re.sub(r"<[^>]+>", "", found.group(1)).split())


def test_an_intro_cards_availability_has_one_separator_between_the_parts_it_has(
    signed_in: SignIn, world: AreaWorld, db: str
) -> None:
    availabilities = {
        "Kaikki": (
            {"desired_hours_per_week": 30.0, "placement_forms": ["open_job"], "driving_licences": ["B"]},
            "30 tuntia viikossa · Avoin työpaikka · Ajokortti B",
        ),
        "Eitunteja": (
            {
                "desired_hours_per_week": None,
                "placement_forms": ["open_job", "work_trial"],
                "driving_licences": ["B", "C"],
            },
            "Avoin työpaikka, Työkokeilu · Ajokortti B, C",
        ),
        "Tunnit": (
            {"desired_hours_per_week": 20.0, "placement_forms": [], "driving_licences": []},
            "20 tuntia viikossa",
        ),
        "Tyhja": ({"desired_hours_per_week": None, "placement_forms": [], "driving_licences": []}, "–"),
    }
    browser = signed_in(Role.COORDINATOR)
    for n, (tag, (availability, shown)) in enumerate(availabilities.items(), start=71):
        made = objects(db, world, tag, n, "proposed")
        with connect(db) as conn:
            conn.execute(
                "UPDATE proposals SET card = jsonb_set(card, '{availability}', card -> 'availability' || %s)"
                " WHERE id = %s",
                (Jsonb(availability), made.proposal_id),
            )
            conn.commit()
        page = browser.get(f"/proposals/{made.proposal_id}")
        assert page.status_code == 200, page.text
        assert fact(page.text, "Käytettävyys") == shown, tag


def test_a_needs_languages_read_by_name_and_level(signed_in: SignIn, world: AreaWorld, db: str) -> None:
    spoken = insert_need(
        db,
        world.area_id,
        world.employer_id,
        title="Asiakaspalvelija",
        languages=Jsonb({"fi": "B1", "sv": "native"}),
    )
    silent = insert_need(db, world.area_id, world.employer_id, title="Varastotyöntekijä")
    browser = signed_in(Role.COORDINATOR)
    page = browser.get(f"/needs/{spoken}")
    assert page.status_code == 200, page.text
    assert fact(page.text, "Kielet") == "suomi (B1), ruotsi (äidinkieli)"
    speak(browser, "sv")
    assert fact(browser.get(f"/needs/{spoken}").text, "Språk") == "finska (B1), svenska (modersmål)"
    speak(browser, "fi")
    silent_page = browser.get(f"/needs/{silent}")
    assert silent_page.status_code == 200 and "<dt>Kielet</dt>" not in silent_page.text


def test_the_placement_list_tells_a_placement_not_started_or_past_its_end_from_one_going_on(
    signed_in: SignIn, world: AreaWorld, db: str
) -> None:
    day = today()
    dates = {  # start, end date, marked ended on
        "Tuleva": (day + timedelta(days=10), None, None),
        "Kaynnissa": (day - timedelta(days=10), None, None),
        "Ohi": (day - timedelta(days=60), day - timedelta(days=5), None),
        "Paatetty": (day - timedelta(days=60), day + timedelta(days=30), day - timedelta(days=2)),
    }
    for n, (tag, (start, end, ended)) in enumerate(dates.items(), start=81):
        made = objects(db, world, tag, n, "placed")
        with connect(db) as conn:
            conn.execute(
                "UPDATE placements SET start_date = %s, end_date = %s, ended_on = %s WHERE id = %s",
                (start, end, ended, made.placement_id),
            )
            conn.commit()
    fmt = I18n("fi")
    page = signed_in(Role.COORDINATOR).get("/placements")
    assert page.status_code == 200, page.text
    states = {
        row.group(1): " ".join(re.sub(r"<[^>]+>", "", row.group(2)).split())
        for row in re.finditer(r">Hakija-(\w+)</a></td>.*?<td[^>]*>([^<]*)</td>\s*</tr>", page.text, re.S)
    }
    assert states == {
        "Tuleva": "Ei vielä alkanut",
        "Kaynnissa": "Käynnissä",
        "Ohi": f"Päättyi {fmt.date(day - timedelta(days=5))}",
        "Paatetty": f"Päättyi {fmt.date(day - timedelta(days=2))}",
    }


def test_a_time_is_written_with_the_date_as_the_page_writes_every_date() -> None:
    moment = datetime(2026, 11, 6, 9, 15, tzinfo=UTC)  # 11.15 in Helsinki
    assert I18n("fi").datetime(moment) == "6.11.2026 11.15"
    assert I18n("sv").datetime(moment) == "6 nov. 2026 11:15"
    assert I18n("en").datetime(moment).startswith("6 Nov 2026 11")
    for language in ("fi", "sv", "en"):
        assert I18n(language).datetime(moment).startswith(I18n(language).date(moment) + " ")
    assert I18n("fi").datetime(datetime(2026, 11, 6, 9, 15)) == "6.11.2026 11.15"  # naive: taken as UTC
    assert I18n("fi").datetime(None) == ""


def test_a_next_step_long_past_is_not_said_to_fall_due(signed_in: SignIn, world: AreaWorld, db: str) -> None:
    made = objects(db, world, "Myohassa", 95, "due")
    past = today() - timedelta(days=300)
    with connect(db) as conn:
        conn.execute("UPDATE contacts SET next_step_date = %s WHERE id = %s", (past, made.contact_id))
        conn.commit()
    page = signed_in(Role.COORDINATOR).get("/?scope=area")
    assert page.status_code == 200, page.text
    assert "Myohassa Yritys Oy" in page.text
    assert f"eräpäivä {I18n('fi').date(past)}" in page.text
    assert "erääntyy" not in page.text  # "falls due": a future the date is not in


def test_an_employers_open_needs_say_what_their_numbers_count(
    signed_in: SignIn, world: AreaWorld, db: str
) -> None:
    insert_need(db, world.area_id, world.employer_id, title="Keittiöapulainen", positions=2)
    page = signed_in(Role.COORDINATOR).get(f"/employers/{world.employer_id}")
    assert page.status_code == 200, page.text
    shown = re.search(r">Keittiöapulainen</a>\s*<span class=\"meta\">([^<]*)</span>", page.text)
    assert shown is not None
    assert shown.group(1).startswith("0 / 2 täytetty · ")


def test_a_page_about_one_employer_or_group_names_it_in_its_title(
    signed_in: SignIn, world: AreaWorld, db: str
) -> None:
    with connect(db) as conn:
        conn.execute("UPDATE employers SET name = 'Auran Kattotyö Oy' WHERE id = %s", (world.employer_id,))
        group = conn.execute(
            "INSERT INTO target_groups (area_id, name, rule) VALUES (%s, 'Kotoutujat', '{}') RETURNING id",
            (world.area_id,),
        ).fetchone()
        conn.commit()
    assert group is not None
    browser = signed_in(Role.COORDINATOR)
    titles = {}
    for path in (
        f"/employers/{world.employer_id}/visit",
        f"/target-groups/{group['id']}/edit",
        f"/target-groups/{group['id']}/delete",
    ):
        page = browser.get(path)
        assert page.status_code == 200, page.text
        found = re.search(r"<title>(.*?)</title>", page.text, re.S)
        assert found is not None
        titles[path.rsplit("/", 1)[1]] = " ".join(found.group(1).split())
    assert titles == {
        "visit": "Kirjaa käynti: Auran Kattotyö Oy – Kohtaamo",
        "edit": "Muokkaa kohderyhmää Kotoutujat – Kohtaamo",
        "delete": "Poistetaanko kohderyhmä Kotoutujat? – Kohtaamo",
    }


def test_a_long_list_of_next_steps_says_how_many_are_left_out(
    signed_in: SignIn, world: AreaWorld, db: str
) -> None:
    """55 next steps due (without a next step's text: the summary stands in): the front page lists the
    50 longest due and says how many there are in all; with 3 it says nothing of the kind."""
    start = today() - timedelta(days=200)
    with connect(db) as conn:
        for i in range(55):
            conn.execute(
                "INSERT INTO contacts (area_id, employer_id, user_id, kind, contact_date, summary,"
                " next_step_date) VALUES (%s, %s, %s, 'call', %s, %s, %s)",
                (
                    world.area_id,
                    world.employer_id,
                    world.user_ids[Role.COORDINATOR],
                    start,
                    f"Soitto-{i:02}",
                    start + timedelta(days=i),
                ),
            )
        conn.commit()
    browser = signed_in(Role.COORDINATOR)
    page = browser.get("/?scope=area").text
    # Each listed step's own text (its Done button's name repeats it).
    listed = r'<div id="step-\d+">(Soitto-\d\d)</div>'
    assert re.findall(listed, page) == [f"Soitto-{i:02}" for i in range(50)]
    assert "50 pisimpään odottanutta, kaikkiaan 55 seuraavaa askelta." in page
    with connect(db) as conn:
        conn.execute("DELETE FROM contacts WHERE summary > 'Soitto-02'")
        conn.commit()
    page = browser.get("/?scope=area").text
    assert re.findall(listed, page) == ["Soitto-00", "Soitto-01", "Soitto-02"]
    assert "pisimpään odottanutta" not in page
