"""The jobseeker decides the placement form, on the pages: a proposal in a form the client has not
accepted is refused naming the form in the user's language, with a link to where the own caseworker
records the client's new decision; once recorded, the proposal proceeds. The employer's answer is named in
the reader's language in a proposal's history. One Finnish word for a hidden job and one title for the
caseworker role."""

from __future__ import annotations

import html
import re
from pathlib import Path

from babel.messages.pofile import read_po
from fastapi.testclient import TestClient

from accounts.models import Role
from core.db import connect
from demo.load import DEMO_USERS
from tests.conftest import AreaWorld
from tests.matching_api.conftest import insert_jobseeker, insert_need
from tests.placements.conftest import make_need, make_worker, propose, share_profile
from tests.web.conftest import SignIn

FI_CATALOGUE = (
    Path(__file__).resolve().parents[2] / "web" / "translations" / "fi" / "LC_MESSAGES" / "messages.po"
)


def _pair(db: str, world: AreaWorld) -> tuple[int, int]:
    need = insert_need(
        db,
        world.area_id,
        world.employer_id,
        title="Varastotyöntekijä",
        skills=["keräily"],
        placement_forms=["work_trial"],
    )
    person = insert_jobseeker(
        db,
        world.area_id,
        pseudonym="Hakija-FORM01",
        skills=["keräily"],
        placement_forms=["open_job"],
        caseworker_id=world.user_ids[Role.CASEWORKER],
    )
    share_profile(db, person)
    return need, person


def _count(db: str, table: str) -> int:
    with connect(db) as conn:
        row = conn.execute(f"SELECT count(*) AS n FROM {table}").fetchone()
    assert row is not None
    return int(row["n"])


def test_a_proposal_in_a_form_the_client_has_not_accepted_is_refused_until_the_decision_is_recorded(
    signed_in: SignIn, world: AreaWorld, db: str, client: object
) -> None:
    need, person = _pair(db, world)
    browser = signed_in(Role.CASEWORKER)
    preview_url = f"/needs/{need}/propose?jobseeker_id={person}&back=client"
    preview = browser.get(preview_url)
    assert preview.status_code == 409
    text = html.unescape(preview.text)
    assert "Asiakas ei ole hyväksynyt sijoitusmuotoa: Työkokeilu." in text
    assert f'href="/clients/{person}#placement-forms"' in preview.text
    sent = browser.post(
        f"/needs/{need}/propose",
        {"jobseeker_id": str(person), "back": "client", "note": "", "form_token": "t1"},
        csrf_from=preview_url,
    )
    assert sent.status_code == 409 and "Työkokeilu" in html.unescape(sent.text)
    assert _count(db, "proposals") == 0

    # A date that cannot be read is named by its field; nothing is written.
    bad = browser.post(
        f"/clients/{person}/placement-forms",
        {"form": "work_trial", "change": "added", "decided_on": "eilen"},
        csrf_from=f"/clients/{person}",
    )
    assert bad.status_code == 422 and "Päätöspäivä" in html.unescape(bad.text)
    assert _count(db, "placement_form_choices") == 0

    recorded = browser.post(
        f"/clients/{person}/placement-forms",
        {"form": "work_trial", "change": "added", "decided_on": "15.1.2026"},
        csrf_from=f"/clients/{person}",
    )
    assert recorded.status_code == 303
    assert recorded.headers["location"] == f"/clients/{person}#placement-forms"
    page = html.unescape(browser.get(f"/clients/{person}").text)
    assert "15.1.2026: Hyväksyy – Työkokeilu" in page
    assert browser.get(preview_url).status_code == 200


def test_only_the_own_caseworker_records_the_decision_on_the_page(
    signed_in: SignIn, world: AreaWorld, db: str
) -> None:
    _, person = _pair(db, world)
    browser = signed_in(Role.ADMIN)
    page = browser.get(f"/clients/{person}")
    assert page.status_code == 200
    assert (
        'id="placement-forms"' in page.text and f'action="/clients/{person}/placement-forms"' not in page.text
    )
    refused = browser.post(
        f"/clients/{person}/placement-forms",
        {"form": "work_trial", "change": "added", "decided_on": "15.1.2026"},
        csrf_from=f"/clients/{person}",
    )
    assert refused.status_code == 403
    assert _count(db, "placement_form_choices") == 0


def test_the_employers_answer_in_the_history_is_in_the_readers_language(
    signed_in: SignIn, world: AreaWorld, db: str, client: TestClient
) -> None:
    made = propose(client, world, make_need(db, world), make_worker(db, world))
    proposal = made["id"]
    answered = client.post(
        f"/api/v1/proposals/{proposal}/answer",
        json={"answer": "not_now"},
        headers=world.headers(Role.EMPLOYER),
    )
    assert answered.status_code == 200, answered.text
    browser = signed_in(Role.COORDINATOR)
    finnish = html.unescape(browser.get(f"/proposals/{proposal}").text)
    history = finnish[finnish.index('id="history-h"') :]
    assert "(Työnantajan vastaus: Ei nyt)" in history and "answer:" not in history
    switched = browser.post(
        "/language", {"language": "sv", "next": f"/proposals/{proposal}"}, csrf_from=f"/proposals/{proposal}"
    )
    assert switched.status_code == 303
    swedish = html.unescape(browser.get(f"/proposals/{proposal}").text)
    assert "(Arbetsgivarens svar: Inte nu)" in swedish[swedish.index('id="history-h"') :]


# The words -----------------------------------------------------------------------------------------

ROLE_WORDS = re.compile(r"\w*(?:virkailij|valmentaj|vastuuhenkil)\w*", re.IGNORECASE)


def _finnish() -> list[tuple[str, str]]:
    with FI_CATALOGUE.open("rb") as f:
        catalogue = read_po(f)
    return [(str(m.id), str(m.string)) for m in catalogue if m.id and isinstance(m.id, str)]


def test_the_caseworker_role_has_one_finnish_title() -> None:
    titles = {w.lower() for _, text in _finnish() for w in ROLE_WORDS.findall(text)}
    assert titles and all(t.startswith("omavirkailij") for t in titles), titles
    caseworker_texts = [text for mid, text in _finnish() if "caseworker" in mid.lower()]
    assert caseworker_texts and all("omavirkailij" in t.lower() for t in caseworker_texts), caseworker_texts
    demo = [u for u in DEMO_USERS if u.role is Role.CASEWORKER]
    assert demo and all("valmentaja" not in u.email for u in demo)


def test_demo_users_have_plain_person_names() -> None:
    """A demo user's name is a first name and a surname: no role or employer in brackets, which would
    stay Finnish in the Swedish and English pages (the header shows the role, translated)."""
    assert DEMO_USERS
    for user in DEMO_USERS:
        assert re.fullmatch(r"[A-ZÅÄÖ][a-zåäö]+ [A-ZÅÄÖ][a-zåäö]+", user.display_name), user


def test_a_hidden_job_is_a_piilotyopaikka_in_finnish() -> None:
    hidden = [(mid, text) for mid, text in _finnish() if re.search(r"\bhidden\b", mid, re.IGNORECASE)]
    assert len(hidden) >= 6
    for mid, text in hidden:
        assert "piilotyöpaik" in text.lower(), (mid, text)
    for _, text in _finnish():
        assert not re.search(r"piilotarv|piilotarp|piilotettu", text, re.IGNORECASE), text
