"""A form's hidden version read one way (``web.forms.whole_number``): a version that is not one (letters,
or more digits than a bigint holds: a page cut short or a form tampered with) gets the same "reload the
page" error on the form and changes nothing, where it used to reach the database or take another path."""

from __future__ import annotations

from typing import Any

import pytest

from accounts.models import Role
from core.db import connect
from tests.conftest import AreaWorld, table_state
from tests.web.conftest import SignIn
from tests.web.test_caseworker_pages import new_client

TAMPERED = ["1" * 25, "abc", "9223372036854775808", "１２"]
"""25 digits; letters; one more than the largest bigint (19 digits); full-width digits."""
RELOAD = "Lataa sivu uudelleen"


def _state(db: str) -> dict[str, tuple[int, int]]:
    """Every table's rows and last writer, but for what any page view writes (sessions, the audit)."""
    with connect(db) as conn:
        state = table_state(conn)
    for noisy in ("web_sessions", "audit_log"):
        state.pop(noisy)
    return state


def _row(db: str, query: str, *params: Any) -> dict[str, Any] | None:
    with connect(db) as conn:
        row: dict[str, Any] | None = conn.execute(query, params).fetchone()
    return row


@pytest.mark.parametrize("version", TAMPERED)
def test_closing_a_need_with_a_tampered_version_asks_again_to_reload(
    signed_in: SignIn, db: str, world: AreaWorld, version: str
) -> None:
    with connect(db) as conn:
        need = conn.execute(
            "INSERT INTO needs (area_id, employer_id, title, municipality) VALUES (%s, %s, 'Suljettava',"
            " 'Turku') RETURNING id, version",
            (world.area_id, world.employer_id),
        ).fetchone()
        conn.commit()
    assert need is not None
    coordinator = signed_in(Role.COORDINATOR)
    close = f"/needs/{need['id']}/close"
    coordinator.get(close)
    before = _state(db)
    refused = coordinator.post(close, {"status": "filled", "version": version}, csrf_from=close)
    assert refused.status_code == 422
    assert 'class="error-summary"' in refused.text and RELOAD in refused.text
    # Asked again, about the need as it is: its version goes with the answer, "filled" still chosen.
    assert f'name="version" value="{need["version"]}"' in refused.text
    assert 'value="filled" checked' in refused.text
    assert _state(db) == before
    assert _row(db, "SELECT status FROM needs WHERE id = %s", need["id"]) == {"status": "open"}


@pytest.mark.parametrize("version", TAMPERED)
def test_removing_a_target_group_with_a_tampered_version_asks_again_to_reload(
    signed_in: SignIn, db: str, world: AreaWorld, version: str
) -> None:
    with connect(db) as conn:
        group = conn.execute(
            "INSERT INTO target_groups (area_id, name, rule) VALUES (%s, 'Pitkään tuella',"
            " '{\"subsidy_days_min\": 500}') RETURNING id",
            (world.area_id,),
        ).fetchone()
        conn.commit()
    assert group is not None
    coordinator = signed_in(Role.COORDINATOR)
    delete = f"/target-groups/{group['id']}/delete"
    coordinator.get(delete)
    before = _state(db)
    refused = coordinator.post(delete, {"version": version}, csrf_from=delete)
    assert refused.status_code == 412  # as a removal that names no version
    assert 'class="error-summary"' in refused.text and RELOAD in refused.text
    assert 'name="version" value="1"' in refused.text
    assert _state(db) == before
    assert _row(db, "SELECT name FROM target_groups WHERE id = %s", group["id"]) == {"name": "Pitkään tuella"}


@pytest.mark.parametrize("version", TAMPERED)
def test_a_tampered_version_never_records_a_first_work_capacity(
    signed_in: SignIn, db: str, version: str
) -> None:
    caseworker = signed_in(Role.CASEWORKER)
    location = new_client(caseworker)
    jobseeker_id = int(location.rsplit("/", 1)[1])
    caseworker.get(location)
    before = _state(db)
    refused = caseworker.post(
        f"{location}/capacity", {"max_hours_per_day": "6", "version": version}, csrf_from=location
    )
    assert refused.status_code == 422
    assert 'class="error-summary"' in refused.text and RELOAD in refused.text
    assert _state(db) == before
    assert _row(db, "SELECT 1 FROM work_capacity WHERE jobseeker_id = %s", jobseeker_id) is None

    # Without a version field the form is a first record's, as before.
    first = caseworker.post(f"{location}/capacity", {"max_hours_per_day": "6"}, csrf_from=location)
    assert first.status_code == 303, first.text
    saved = "SELECT max_hours_per_day, version FROM work_capacity WHERE jobseeker_id = %s"
    assert _row(db, saved, jobseeker_id) == {"max_hours_per_day": 6, "version": 1}


@pytest.mark.parametrize("version", TAMPERED)
def test_a_tampered_version_leaves_a_recorded_work_capacity_as_it_was(
    signed_in: SignIn, db: str, version: str
) -> None:
    caseworker = signed_in(Role.CASEWORKER)
    location = new_client(caseworker)
    jobseeker_id = int(location.rsplit("/", 1)[1])
    first = caseworker.post(
        f"{location}/capacity", {"max_hours_per_day": "6", "details": "Ei yövuoroja."}, csrf_from=location
    )
    assert first.status_code == 303, first.text
    caseworker.get(location)
    before = _state(db)
    refused = caseworker.post(
        f"{location}/capacity", {"max_hours_per_day": "4", "version": version}, csrf_from=location
    )
    assert refused.status_code == 422
    assert 'class="error-summary"' in refused.text and RELOAD in refused.text
    assert _state(db) == before
    saved = "SELECT max_hours_per_day, details, version FROM work_capacity WHERE jobseeker_id = %s"
    assert _row(db, saved, jobseeker_id) == {"max_hours_per_day": 6, "details": "Ei yövuoroja.", "version": 1}


# Ids chosen from a list are read the same way: one that is not an id is the list's error, not a query.


@pytest.mark.parametrize("chosen", TAMPERED)
def test_a_tampered_coordinator_choice_is_refused_on_its_field(
    signed_in: SignIn, db: str, world: AreaWorld, chosen: str
) -> None:
    coordinator = signed_in(Role.COORDINATOR)
    card = f"/employers/{world.employer_id}"
    coordinator.get(card)
    before = _state(db)
    refused = coordinator.post(
        f"{card}/coordinator", {"responsible_coordinator": chosen, "version": "1"}, csrf_from=card
    )
    assert refused.status_code == 422
    assert "Valitse alueen koordinaattori luettelosta." in refused.text
    assert _state(db) == before


@pytest.mark.parametrize("chosen", TAMPERED)
def test_a_tampered_employer_of_a_user_is_refused_on_its_field(
    signed_in: SignIn, db: str, world: AreaWorld, chosen: str
) -> None:
    admin = signed_in(Role.ADMIN)
    user = f"/admin/users/{world.user_ids[Role.EMPLOYER]}"
    admin.get(user)
    before = _state(db)
    refused = admin.post(
        user,
        {
            "display_name": "Työnantaja",
            "email": "employer@a.example",
            "role": "employer",
            "employer_id": chosen,
        },
        csrf_from=user,
    )
    assert refused.status_code == 422
    assert 'id="f-employer_id"' in refused.text and "Valitse jokin vaihtoehdoista." in refused.text
    assert _state(db) == before
