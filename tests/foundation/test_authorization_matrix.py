"""Every endpoint under /api/v1, called as every role on three objects: one of the caller's own, one of
the same area that is not theirs (another employer's, another caseworker's client), and one of another
employment area. Each answer is checked against the explicit table below, and no answer may carry data
the caller must never see (another area's, a colleague's client, health details outside the own
caseworker's view).

Rules, from DESIGN.md (roles table) and the code:

- coordinator: employers, contacts and needs of the area; jobseekers of the area without health details;
  matching; no profile edits, no consents, no work capacity, no audit trail, no user management.
- caseworker: reads employers and needs of the area; as a job coach logs contacts and records needs
  (unless the area's settings switch it off), changes no employer; own clients in full (profile, work
  capacity and its assessments, consents); a colleague's client is not found; matching on own clients.
- employer: own organisation and its needs only (another organisation's are not found), writes own
  needs; never the contact log (403), never lists jobseekers (403) nor reads one (404).
- admin: everything of the area except health details (work capacity is not found); users, municipalities
  and the audit trail. Every user changes their own password (``/me/password``); a reset link's token
  is the only key of ``/auth/password-reset`` (a made-up one is refused alike for everybody).
- the right of access (everything held about a person, JSON or PDF): the own caseworker, with the health
  details, and admins, without them; anyone else is answered 404. Erasure: admins.
- proposals and placements: coordinators and admins read the area's, a caseworker those of own clients, an
  employer those made to their own organisation (pseudonymous: the name only through the candidate
  disclosure, with consent and an interested answer); coordinators and caseworkers (own clients) propose;
  coordinators, admins and own caseworkers move proposals on and record follow-ups; only the employer
  answers. The employer card, what is due, the hidden-job ledger and the indicators are the coordinators'
  and admins'.
- another area's object is always 404 to a role that may use the endpoint, 403 to one that may not;
  a reference to it in a body is refused (404, or 422 for a user's employer and a client's caseworker).

``test_every_api_route_has_a_row`` fails when a route has no row here: a new endpoint gets its rules
written down before it ships.
"""

from __future__ import annotations

import itertools
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field, replace
from datetime import timedelta
from typing import Any
from urllib.parse import urlencode

import pytest
from fastapi import routing
from fastapi.testclient import TestClient
from psycopg.types.json import Jsonb
from starlette.routing import BaseRoute

from accounts import service as accounts_service
from accounts.models import Role
from core.clock import today
from core.db import Conn, connect
from core.events import notify_change
from placements import cards
from tests.conftest import PASSWORD, AreaWorld, make_area, truncate_all

C, W, E, A = Role.COORDINATOR, Role.CASEWORKER, Role.EMPLOYER, Role.ADMIN
ROLES = (C, W, E, A)
SCOPES = ("own", "sibling", "other")
API = "/api/v1"

# Each cell: status for the caller's own object / the same area's object that is not theirs / another
# area's object. Paths are relative to /api/v1.
EXPECTED_TABLE = """
method path                                                        coordinator  caseworker   employer     admin
POST   /auth/token                                                 200/200/200  200/200/200  200/200/200  200/200/200
DELETE /auth/token                                                 204/204/204  204/204/204  204/204/204  204/204/204
GET    /me                                                         200/200/200  200/200/200  200/200/200  200/200/200
GET    /area                                                       200/200/200  200/200/200  200/200/200  200/200/200
POST   /area/municipalities                                        403/403/403  403/403/403  403/403/403  201/201/201
GET    /users                                                      403/403/403  403/403/403  403/403/403  200/200/200
POST   /users                                                      403/403/403  403/403/403  403/403/403  201/201/422
GET    /users/{user_id}                                            403/403/403  403/403/403  403/403/403  200/200/404
PATCH  /users/{user_id}                                            403/403/403  403/403/403  403/403/403  200/200/404
POST   /users/{user_id}/password-reset                             403/403/403  403/403/403  403/403/403  201/201/404
POST   /auth/password-reset                                        422/422/422  422/422/422  422/422/422  422/422/422
POST   /me/password                                                204/204/204  204/204/204  204/204/204  204/204/204

POST   /employers                                                  201/409/201  403/403/403  403/403/403  201/409/201
GET    /employers                                                  200/200/200  200/200/200  200/200/200  200/200/200
GET    /employers/{employer_id}                                    200/200/404  200/200/404  200/404/404  200/200/404
PATCH  /employers/{employer_id}                                    200/200/404  403/403/403  403/403/403  200/200/404
POST   /employers/{employer_id}/archive                            200/200/404  403/403/403  403/403/403  200/200/404
GET    /employers/{employer_id}/coordinator                        200/200/404  200/200/404  200/404/404  200/200/404
GET    /area-settings                                              200/200/200  200/200/200  403/403/403  200/200/200
PUT    /area-settings                                              403/403/403  403/403/403  403/403/403  200/200/200
POST   /employers/{employer_id}/contacts                           201/201/404  201/201/404  403/403/403  201/201/404
GET    /contacts                                                   200/200/200  403/403/403  403/403/403  200/200/200
GET    /contacts/{contact_id}                                      200/200/404  403/403/403  403/403/403  200/200/404
PATCH  /contacts/{contact_id}                                      200/200/404  403/403/403  403/403/403  200/200/404
POST   /contacts/{contact_id}/archive                              200/200/404  403/403/403  403/403/403  200/200/404
POST   /contacts/{contact_id}/next-step/done                       200/200/404  403/403/403  403/403/403  200/200/404
POST   /needs                                                      201/201/404  201/201/404  201/404/404  201/201/404
GET    /needs                                                      200/200/200  200/200/200  200/200/200  200/200/200
GET    /needs/{need_id}                                            200/200/404  200/200/404  200/404/404  200/200/404
PATCH  /needs/{need_id}                                            200/200/404  403/403/403  200/404/404  200/200/404
POST   /needs/{need_id}/archive                                    200/200/404  403/403/403  200/404/404  200/200/404

GET    /needs/{need_id}/matches                                    200/200/404  200/200/404  403/403/403  200/200/404
GET    /jobseekers/{jobseeker_id}/matches                          200/200/404  200/404/404  403/403/403  200/200/404
POST   /matches/search                                             200/200/200  200/200/200  403/403/403  200/200/200

POST   /jobseekers                                                 403/403/403  201/403/403  403/403/403  201/201/422
GET    /jobseekers                                                 200/200/200  200/200/200  403/403/403  200/200/200
GET    /jobseekers/{jobseeker_id}                                  200/200/404  200/404/404  404/404/404  200/200/404
PATCH  /jobseekers/{jobseeker_id}                                  403/403/403  200/404/404  403/403/403  200/200/404
POST   /jobseekers/{jobseeker_id}/archive                          403/403/403  200/404/404  403/403/403  200/200/404
GET    /jobseekers/{jobseeker_id}/work-capacity                    404/404/404  200/404/404  404/404/404  404/404/404
PUT    /jobseekers/{jobseeker_id}/work-capacity                    404/404/404  200/404/404  404/404/404  404/404/404
POST   /jobseekers/{jobseeker_id}/work-capacity/assessments        404/404/404  201/404/404  404/404/404  404/404/404
GET    /jobseekers/{jobseeker_id}/work-capacity/assessments        404/404/404  200/404/404  404/404/404  404/404/404
POST   /jobseekers/{jobseeker_id}/consents                         403/403/403  201/404/404  403/403/403  201/201/404
GET    /jobseekers/{jobseeker_id}/consents                         200/200/404  200/404/404  404/404/404  200/200/404
POST   /jobseekers/{jobseeker_id}/consents/{consent_id}/withdraw   403/403/403  200/404/404  403/403/403  200/200/404
GET    /jobseekers/{jobseeker_id}/audit                            403/403/403  403/403/403  403/403/403  200/200/404
GET    /jobseekers/{jobseeker_id}/personal-data                    404/404/404  200/404/404  404/404/404  200/200/404
GET    /jobseekers/{jobseeker_id}/personal-data.pdf                404/404/404  200/404/404  404/404/404  200/200/404
POST   /jobseekers/{jobseeker_id}/erase                            403/403/403  403/403/403  403/403/403  200/200/404

GET    /target-groups                                              200/200/200  200/200/200  403/403/403  200/200/200
POST   /target-groups                                              201/201/201  403/403/403  403/403/403  201/201/201
PATCH  /target-groups/{group_id}                                   200/200/404  403/403/403  403/403/403  200/200/404
DELETE /target-groups/{group_id}                                   204/204/404  403/403/403  403/403/403  204/204/404
PATCH  /plans/{plan_id}                                            403/403/403  200/404/404  403/403/403  403/403/403
POST   /jobseekers/{jobseeker_id}/service-need-assessments         403/403/403  201/404/404  403/403/403  403/403/403
GET    /jobseekers/{jobseeker_id}/service-need-assessments         403/403/403  200/404/404  403/403/403  403/403/403
GET    /jobseekers/{jobseeker_id}/work-capacity/changes            404/404/404  200/404/404  404/404/404  404/404/404
POST   /jobseekers/{jobseeker_id}/plans                            403/403/403  201/404/404  403/403/403  403/403/403
GET    /jobseekers/{jobseeker_id}/plans                            200/200/404  200/404/404  404/404/404  200/200/404
GET    /plans/due                                                  200/200/200  200/200/200  403/403/403  200/200/200
GET    /jobseekers/{jobseeker_id}/placement-forms                  200/200/404  200/404/404  404/404/404  200/200/404
POST   /jobseekers/{jobseeker_id}/placement-forms                  403/403/403  200/404/404  403/403/403  403/403/403
GET    /service-providers                                          200/200/200  200/200/200  403/403/403  200/200/200
POST   /service-providers                                          201/201/201  403/403/403  403/403/403  201/201/201
GET    /service-providers/{provider_id}                            200/200/404  200/200/404  403/403/403  200/200/404
PATCH  /service-providers/{provider_id}                            200/200/404  403/403/403  403/403/403  200/200/404
POST   /jobseekers/{jobseeker_id}/referrals                        403/403/403  201/404/404  403/403/403  403/403/403
GET    /jobseekers/{jobseeker_id}/referrals                        200/200/404  200/404/404  404/404/404  200/200/404
PATCH  /referrals/{referral_id}                                    403/403/403  200/404/404  403/403/403  403/403/403

GET    /employers/{employer_id}/card                               200/200/404  403/403/403  403/403/403  200/200/404
GET    /contacts/due                                               200/200/200  403/403/403  403/403/403  200/200/200
GET    /ledger/hidden-jobs                                         200/200/200  403/403/403  403/403/403  200/200/200
POST   /proposals                                                  201/201/404  201/404/404  403/403/403  403/403/403
GET    /proposals                                                  200/200/200  200/200/200  200/200/200  200/200/200
GET    /proposals/{proposal_id}                                    200/200/404  200/404/404  200/404/404  200/200/404
GET    /proposals/{proposal_id}/card                               200/200/404  200/404/404  200/404/404  200/200/404
GET    /proposals/{proposal_id}/card.html                          200/200/404  200/404/404  200/404/404  200/200/404
GET    /proposals/{proposal_id}/card.pdf                           200/200/404  200/404/404  200/404/404  200/200/404
GET    /proposals/{proposal_id}/candidate                          403/403/403  403/403/403  200/404/404  403/403/403
POST   /proposals/{proposal_id}/answer                             403/403/403  403/403/403  200/404/404  403/403/403
POST   /proposals/{proposal_id}/transitions                        200/200/404  200/404/404  403/403/403  200/200/404
GET    /placements                                                 200/200/200  200/200/200  200/200/200  200/200/200
GET    /placements/{placement_id}                                  200/200/404  200/404/404  200/404/404  200/200/404
POST   /placements/{placement_id}/follow-ups                       201/201/404  201/404/404  403/403/403  201/201/404
GET    /indicators                                                 200/200/200  403/403/403  403/403/403  200/200/200
GET    /indicators.csv                                             200/200/200  403/403/403  403/403/403  200/200/200
GET    /indicators.xlsx                                            200/200/200  403/403/403  403/403/403  200/200/200
GET    /indicators/{name}/chart.png                                200/200/200  403/403/403  403/403/403  200/200/200
GET    /indicators/{name}/chart.svg                                200/200/200  403/403/403  403/403/403  200/200/200

POST   /events                                                     201/201/404  201/404/404  403/403/403  201/201/404
GET    /events                                                     200/200/200  200/200/200  403/403/403  200/200/200
GET    /events/{event_id}                                          200/200/404  200/200/404  403/403/403  200/200/404
PATCH  /events/{event_id}                                          200/200/404  200/200/404  403/403/403  200/200/404
POST   /events/{event_id}/participants                             200/200/404  200/404/404  403/403/403  200/200/404
POST   /events/{event_id}/attendance                               200/200/404  200/404/404  403/403/403  200/200/404
GET    /jobseekers/{jobseeker_id}/events                           200/200/404  200/404/404  403/403/403  200/200/404

GET    /notifications                                              200/200/200  200/200/200  200/200/200  200/200/200
GET    /notifications/unread                                       200/200/200  200/200/200  200/200/200  200/200/200
POST   /notifications/read-all                                     200/200/200  200/200/200  200/200/200  200/200/200
POST   /notifications/{notice_id}/read                             200/404/404  200/404/404  200/404/404  200/404/404
GET    /notifications/preferences                                  200/200/200  200/200/200  200/200/200  200/200/200
PUT    /notifications/preferences                                  200/200/200  200/200/200  200/200/200  200/200/200

POST   /carving/tasks                                              201/201/404  403/403/403  403/403/403  201/201/404
GET    /carving/tasks                                              200/200/200  403/403/403  403/403/403  200/200/200
GET    /carving/tasks/{task_id}                                    200/200/404  403/403/403  403/403/403  200/200/404
GET    /carving/suggestions                                        200/200/200  403/403/403  403/403/403  200/200/200
POST   /carving/jobs                                               201/201/404  403/403/403  403/403/403  201/201/404
GET    /carving/jobs                                               200/200/200  403/403/403  403/403/403  200/200/200
GET    /carving/jobs/{need_id}                                     200/200/404  403/403/403  403/403/403  200/200/404
"""  # noqa: E501


def _parse(table: str) -> dict[tuple[str, str], dict[Role, dict[str, int]]]:
    rows: dict[tuple[str, str], dict[Role, dict[str, int]]] = {}
    header, *lines = [line for line in table.strip().splitlines() if line.strip()]
    assert header.split()[2:] == [r.value for r in ROLES]
    for line in lines:
        method, path, *cells = line.split()
        assert len(cells) == len(ROLES), line
        key = (method, API + path)
        assert key not in rows, f"two rows for {key}"
        rows[key] = {
            role: dict(zip(SCOPES, map(int, cell.split("/")), strict=True))
            for role, cell in zip(ROLES, cells, strict=True)
        }
    return rows


EXPECTED = _parse(EXPECTED_TABLE)

# Work-capacity details and assessment notes leave the API only through these, to the own caseworker.
HEALTH_VIEWS = {
    ("GET", f"{API}/jobseekers/{{jobseeker_id}}/work-capacity"),
    ("PUT", f"{API}/jobseekers/{{jobseeker_id}}/work-capacity"),
    ("GET", f"{API}/jobseekers/{{jobseeker_id}}/work-capacity/assessments"),
    ("GET", f"{API}/jobseekers/{{jobseeker_id}}/service-need-assessments"),
    ("GET", f"{API}/jobseekers/{{jobseeker_id}}/personal-data"),
    ("GET", f"{API}/jobseekers/{{jobseeker_id}}/personal-data.pdf"),
}
OTHER_AREA_TEXTS = ("Toinen alue", "@b.example", "b Logistiikka Oy", "b coordinator", "b caseworker")
# The coordination workflow's replies carry the intro card's pseudonym, never a name: only the candidate
# disclosure names the jobseeker, to the employer of the proposal.
CANDIDATE = ("GET", f"{API}/proposals/{{proposal_id}}/candidate")
PSEUDONYMOUS = {
    (method, API + path)
    for method, path in (
        ("GET", "/employers/{employer_id}/card"),
        ("GET", "/contacts/due"),
        ("GET", "/ledger/hidden-jobs"),
        ("POST", "/proposals"),
        ("GET", "/proposals"),
        ("GET", "/proposals/{proposal_id}"),
        ("GET", "/proposals/{proposal_id}/card"),
        ("GET", "/proposals/{proposal_id}/card.html"),
        ("GET", "/proposals/{proposal_id}/card.pdf"),
        ("POST", "/proposals/{proposal_id}/answer"),
        ("POST", "/proposals/{proposal_id}/transitions"),
        ("GET", "/placements"),
        ("GET", "/placements/{placement_id}"),
        ("POST", "/placements/{placement_id}/follow-ups"),
        ("GET", "/indicators"),
        ("GET", "/indicators.csv"),
        ("POST", "/events"),
        ("GET", "/events"),
        ("GET", "/events/{event_id}"),
        ("PATCH", "/events/{event_id}"),
        ("POST", "/events/{event_id}/participants"),
        ("POST", "/events/{event_id}/attendance"),
        ("GET", "/jobseekers/{jobseeker_id}/events"),
    )
}


# The objects each endpoint and role get -------------------------------------------------------------


@dataclass(frozen=True)
class Objects:
    """An employer with a contact and a need, and a jobseeker with work capacity and a consent."""

    tag: str
    area_id: int
    caseworker_id: int
    employer_id: int
    business_id: str
    contact_id: int
    need_id: int
    jobseeker_id: int
    consent_id: int
    user_id: int
    """A coordinator of the objects' area, for the user administration endpoints."""
    event_id: int
    """A recruitment event of the area with the employer and the jobseeker (invited)."""
    proposal_id: int = 0
    """The workflow endpoints' proposal of this need and jobseeker (0 when none was made)."""
    placement_id: int = 0
    notice_id: int = 0
    """The notices endpoints' notice, naming this need (0 when none was made)."""
    task_id: int = 0
    """The carving endpoints' task in a carved job that is this need (0 when none was made)."""
    open_task_ids: tuple[int, int] = (0, 0)
    """Two open tasks of this employer, for bundling."""

    provider_id: int = 0
    """A service provider of the objects' area (the actor map)."""
    referral_id: int = 0
    """The jobseeker's referral to that provider's career coaching."""
    group_id: int = 0
    """A target group of the objects' area."""
    plan_id: int = 0
    """The jobseeker's plan, with a review date."""

    @property
    def task_title(self) -> str:
        return f"{self.tag} Tehtava"

    @property
    def employer_name(self) -> str:
        return f"{self.tag} Yritys Oy"

    @property
    def need_title(self) -> str:
        return f"{self.tag} Tarve"

    @property
    def contact_summary(self) -> str:
        return f"{self.tag} Kontakti"

    @property
    def full_name(self) -> str:
        return f"{self.tag} Henkilo"

    @property
    def pseudonym(self) -> str:
        return f"Hakija-{self.tag}"

    @property
    def health(self) -> tuple[str, str]:
        return f"{self.tag} Terveys", f"{self.tag} Arvio"

    @property
    def employer_texts(self) -> tuple[str, str, str]:
        return self.employer_name, self.need_title, self.contact_summary

    @property
    def jobseeker_texts(self) -> tuple[str, str]:
        return self.full_name, self.pseudonym

    @property
    def all_texts(self) -> tuple[str, ...]:
        return (*self.employer_texts, *self.jobseeker_texts, *self.health)


_WEIGHTS = (7, 9, 10, 5, 8, 4, 2)


def business_id(n: int) -> str:
    """A valid Y-tunnus unique to ``n`` (numbers whose check digit cannot exist are skipped)."""
    number = 3_000_000 + 2 * n
    while True:
        digits = f"{number:07d}"
        remainder = sum(int(d) * w for d, w in zip(digits, _WEIGHTS, strict=True)) % 11
        if remainder != 1:
            return f"{digits}-{0 if remainder == 0 else 11 - remainder}"
        number += 1


_OBJECTS_SQL = """
WITH e AS (
    INSERT INTO employers (area_id, business_id, name, municipality)
    VALUES (%(area)s, %(business_id)s, %(tag)s || ' Yritys Oy', 'Turku') RETURNING id, business_id
), c AS (
    INSERT INTO contacts (area_id, employer_id, kind, contact_date, summary, next_step)
    SELECT %(area)s, e.id, 'visit', DATE '2025-03-03', %(tag)s || ' Kontakti', 'Soita' FROM e RETURNING id
), n AS (
    INSERT INTO needs (area_id, employer_id, title, description, skills, municipality)
    SELECT %(area)s, e.id, %(tag)s || ' Tarve', 'Keräily ja pakkaus varastossa.', '{keräily}', 'Turku' FROM e
    RETURNING id
), j AS (
    INSERT INTO jobseekers (area_id, pseudonym, full_name, municipality, profile_text, skills, caseworker_id)
    VALUES (%(area)s, 'Hakija-' || %(tag)s, %(tag)s || ' Henkilo', 'Turku',
            %(tag)s || ': varastotyö ja keräily, trukkikortti.', '{keräily}', %(caseworker)s)
    RETURNING id
), w AS (
    INSERT INTO work_capacity (jobseeker_id, details) SELECT j.id, %(tag)s || ' Terveys' FROM j
), a AS (
    INSERT INTO work_capacity_assessments (jobseeker_id, assessed_on, measure, score, notes)
    SELECT j.id, DATE '2025-01-15', 'TOIMIA', 3, %(tag)s || ' Arvio' FROM j
), s AS (
    INSERT INTO service_need_assessments (jobseeker_id, assessed_on, level, notes)
    SELECT j.id, DATE '2025-01-20', 'intensive_support', %(tag)s || ' Arvio' FROM j
), k AS (
    INSERT INTO consents (jobseeker_id, scope) SELECT j.id, 'share_profile' FROM j RETURNING id
), u AS (
    INSERT INTO users (area_id, email, display_name, role, password_hash)
    VALUES (%(area)s, lower(%(tag)s) || '@users.example', %(tag)s || ' Kayttaja', 'coordinator', 'x')
    RETURNING id
), ev AS (
    INSERT INTO recruitment_events (area_id, kind, title, event_date, municipality, organiser_id)
    SELECT %(area)s, 'fair', %(tag)s || ' Messut', DATE '2025-04-04', 'Turku', u.id FROM u RETURNING id
), ee AS (
    INSERT INTO event_employers (event_id, employer_id) SELECT ev.id, e.id FROM ev, e
), ej AS (
    INSERT INTO event_jobseekers (event_id, jobseeker_id) SELECT ev.id, j.id FROM ev, j
), sp AS (
    INSERT INTO service_providers (area_id, name, kind, services)
    VALUES (%(area)s, %(tag)s || ' Toimija', 'typ', '{career_coaching,rehabilitative_work}') RETURNING id
), r AS (
    INSERT INTO referrals (area_id, jobseeker_id, provider_id, service, starts_on)
    SELECT %(area)s, j.id, sp.id, 'career_coaching', DATE '2025-02-01' FROM j, sp RETURNING id
), tg AS (
    INSERT INTO target_groups (area_id, name, rule)
    VALUES (%(area)s, %(tag)s || ' Ryhma', '{"age_min": 30}') RETURNING id
), pl AS (
    INSERT INTO plans (jobseeker_id, kind, drawn_up_on, review_on)
    SELECT j.id, 'employment', DATE '2025-01-10', DATE '2025-06-01' FROM j RETURNING id
)
SELECT e.id AS employer_id, e.business_id, c.id AS contact_id, n.id AS need_id, j.id AS jobseeker_id,
       k.id AS consent_id, u.id AS user_id, ev.id AS event_id, sp.id AS provider_id, r.id AS referral_id,
       tg.id AS group_id, pl.id AS plan_id
FROM e, c, n, j, k, u, ev, sp, r, tg, pl
"""


def make_objects(
    conn: Conn, area_id: int, caseworker_id: int, tag: str, n: int, *, announce: bool
) -> Objects:
    """Write one set of objects in one statement; ``announce`` tells the matching index about them."""
    params = {"area": area_id, "business_id": business_id(n), "tag": tag, "caseworker": caseworker_id}
    row = conn.execute(_OBJECTS_SQL, params).fetchone()
    assert row is not None
    if announce:
        notify_change(conn, "need", row["need_id"], area_id)
        notify_change(conn, "jobseeker", row["jobseeker_id"], area_id)
    return Objects(tag=tag, area_id=area_id, caseworker_id=caseworker_id, **row)


_PROPOSAL_SQL = """
WITH p AS (
    INSERT INTO proposals (area_id, need_id, employer_id, jobseeker_id, proposed_by, explanation, score,
                           model_id, card, state, answer, answered_at, created_at)
    VALUES (%(area)s, %(need)s, %(employer)s, %(jobseeker)s, %(proposer)s, '{"score": 0.5}', 0.5, 'fake',
            %(card)s, %(state)s, %(answer)s, CASE WHEN %(answer)s::text IS NULL THEN NULL ELSE now() END,
            now() - make_interval(days => %(age)s))
    RETURNING id
), k AS (
    INSERT INTO consents (jobseeker_id, scope, employer_id)
    SELECT %(jobseeker)s, 'disclose_identity', %(employer)s WHERE %(answer)s::text IS NOT NULL
), pl AS (
    INSERT INTO placements (area_id, proposal_id, need_id, employer_id, jobseeker_id, form, start_date,
                            confirmed_by)
    SELECT %(area)s, p.id, %(need)s, %(employer)s, %(jobseeker)s, 'open_job', %(start)s, %(proposer)s
    FROM p WHERE %(state)s = 'placed'
    RETURNING id
), c AS (
    UPDATE contacts SET next_step_date = %(today)s WHERE id = %(contact)s AND %(due)s
)
SELECT p.id AS proposal_id, coalesce((SELECT id FROM pl), 0) AS placement_id FROM p
"""

# What the workflow endpoints need besides the objects: ``proposed`` an intro card waiting for an answer,
# ``answered`` one answered interested with the jobseeker's consent to disclose their identity to the
# employer, ``placed`` a placement started 100 days ago (its 3-month follow-up due), ``due`` a contact
# whose next step is due today and a proposal unanswered for 30 days.
WORKFLOW = {
    ("GET", "/employers/{employer_id}/card"): "placed",
    ("GET", "/contacts/due"): "due",
    ("GET", "/proposals"): "proposed",
    ("GET", "/proposals/{proposal_id}"): "proposed",
    ("GET", "/proposals/{proposal_id}/card"): "proposed",
    ("GET", "/proposals/{proposal_id}/card.html"): "proposed",
    ("GET", "/proposals/{proposal_id}/card.pdf"): "proposed",
    ("GET", "/proposals/{proposal_id}/candidate"): "answered",
    ("POST", "/proposals/{proposal_id}/answer"): "proposed",
    ("POST", "/proposals/{proposal_id}/transitions"): "proposed",
    ("GET", "/placements"): "placed",
    ("GET", "/placements/{placement_id}"): "placed",
    ("POST", "/placements/{placement_id}/follow-ups"): "placed",
}
WORKFLOW = {(method, API + path): kind for (method, path), kind in WORKFLOW.items()}


def add_proposal(conn: Conn, objects: Objects, proposer_id: int, kind: str) -> Objects:
    """A proposal of the objects' jobseeker for their need (and what ``kind`` asks for besides)."""
    day = today()
    profile = {
        "pseudonym": objects.pseudonym,
        "full_name": objects.full_name,
        "profile_text": f"{objects.tag}: varastotyö ja keräily, trukkikortti.",
        "skills": ["keräily"],
        "available": True,
    }
    card = cards.build_card(profile, {"id": objects.need_id, "title": objects.need_title}, ["keräily"], day)
    params = {
        "area": objects.area_id,
        "need": objects.need_id,
        "employer": objects.employer_id,
        "jobseeker": objects.jobseeker_id,
        "contact": objects.contact_id,
        "proposer": proposer_id,
        "card": Jsonb(card),
        "state": {"answered": "interested", "placed": "placed"}.get(kind, "proposed"),
        "answer": "interested" if kind == "answered" else None,
        "age": 30 if kind == "due" else 0,
        "start": day - timedelta(days=100),
        "today": day,
        "due": kind == "due",
    }
    row = conn.execute(_PROPOSAL_SQL, params).fetchone()
    assert row is not None
    return replace(objects, **row)


def add_notice(conn: Conn, objects: Objects, user_id: int) -> Objects:
    """An unread notice for ``user_id`` of the objects' area, naming the objects' need."""
    row = conn.execute(
        "INSERT INTO notifications (area_id, user_id, kind, subject_key, data, link)"
        " VALUES (%s, %s, 'intro_card', %s, %s, '/cards') RETURNING id",
        (objects.area_id, user_id, objects.tag, Jsonb({"need_title": objects.need_title})),
    ).fetchone()
    assert row is not None
    return replace(objects, notice_id=row["id"])


def add_carving(conn: Conn, objects: Objects) -> Objects:
    """A task of the objects' employer in a carved job that is the objects' need, and two open tasks."""
    conn.execute(
        "INSERT INTO carved_jobs (need_id, area_id) VALUES (%s, %s)", (objects.need_id, objects.area_id)
    )
    ids = []
    for title, need in ((objects.task_title, objects.need_id), ("Avoin 1", None), ("Avoin 2", None)):
        row = conn.execute(
            "INSERT INTO carving_tasks (area_id, employer_id, title, hours_per_week, municipality, status,"
            " need_id) VALUES (%s, %s, %s, 10, 'Turku', %s, %s) RETURNING id",
            (objects.area_id, objects.employer_id, title, "bundled" if need else "open", need),
        ).fetchone()
        assert row is not None
        ids.append(row["id"])
    return replace(objects, task_id=ids[0], open_task_ids=(ids[1], ids[2]))


@dataclass(frozen=True)
class Areas:
    mine: AreaWorld
    theirs: AreaWorld
    colleague_id: int
    """A second caseworker of the caller's area."""
    scenes: dict[tuple[tuple[str, str], Role], tuple[Objects, Objects, Objects]] = field(default_factory=dict)
    """Objects made for each endpoint and role (they belong to these areas, so they live as long)."""


@dataclass(frozen=True)
class Scene:
    n: int
    role: Role
    scope: str
    own: Objects
    sibling: Objects
    other: Objects

    @property
    def target(self) -> Objects:
        return {"own": self.own, "sibling": self.sibling, "other": self.other}[self.scope]


_counter = itertools.count(1)


@pytest.fixture(scope="module")
def areas(app_client: TestClient, database_url: str) -> Areas:
    """Two areas with a user of every role, and a second caseworker, set up once for the module."""
    truncate_all(database_url)
    mine = make_area(database_url, "Testialue", "a", "0112038-9")
    theirs = make_area(database_url, "Toinen alue", "b", "2331972-7")
    with connect(database_url) as conn:
        colleague = accounts_service.create_user(
            conn,
            area_id=mine.area_id,
            email="caseworker2@a.example",
            display_name="a caseworker 2",
            role=Role.CASEWORKER,
            password=PASSWORD,
        )
        conn.commit()
        app_client.app.state.engine.load_all(conn)  # type: ignore[attr-defined]
    return Areas(mine=mine, theirs=theirs, colleague_id=colleague["id"])


@pytest.fixture(scope="module")
def setup_conn(database_url: str) -> Iterator[Conn]:
    """One connection for the module's own writes (autocommit: each statement stands on its own)."""
    with connect(database_url, autocommit=True) as conn:
        yield conn


# How each endpoint is called ----------------------------------------------------------------------


@dataclass(frozen=True)
class Call:
    url: str
    json: Any = None
    headers: dict[str, str] = field(default_factory=dict)
    shows: str | None = None
    """Text the answer must contain when it succeeds on the caller's own object."""
    signed_in: bool = True


IF_MATCH = {"If-Match": '"1"'}


def _q(path: str, **params: Any) -> str:
    return f"{path}?{urlencode(params)}"


def _new_employer(s: Scene) -> Call:
    # Own: a new company. Sibling: a company already registered in the area. Other: one registered in
    # another area only, which this area may register too.
    number = {
        "own": business_id(10_000 + s.n),
        "sibling": s.sibling.business_id,
        "other": s.other.business_id,
    }
    return Call(
        "/employers", {"business_id": number[s.scope], "name": "Uusi Yritys Oy", "municipality": "Turku"}
    )


def _new_jobseeker(s: Scene) -> Call:
    body: dict[str, Any] = {"municipality": "Turku", "profile_text": "Uusi asiakas", "skills": ["siivous"]}
    if s.scope != "own":
        body["caseworker_id"] = s.target.caseworker_id
    return Call("/jobseekers", body)


def _proposal(path: str = "", shows: str = "pseudonym") -> Callable[[Scene], Call]:
    def build(s: Scene) -> Call:
        return Call(f"/proposals/{s.target.proposal_id}{path}", shows=getattr(s.target, shows))

    return build


def _search(s: Scene) -> Call:
    if s.scope == "own":
        return Call("/matches/search", {"text": f"{s.own.tag} keräily varasto", "target": "needs"})
    return Call("/matches/search", {"text": f"{s.target.tag} varastotyö ja keräily", "target": "jobseekers"})


BUILDERS: dict[tuple[str, str], Callable[[Scene], Call]] = {
    ("POST", "/auth/token"): lambda s: Call(
        "/auth/token", {"email": f"{s.role.value}@a.example", "password": PASSWORD}, signed_in=False
    ),
    ("DELETE", "/auth/token"): lambda s: Call("/auth/token"),
    ("GET", "/me"): lambda s: Call("/me", shows=f"a {s.role.value}"),
    ("GET", "/area"): lambda s: Call("/area", shows="Testialue"),
    ("POST", "/area/municipalities"): lambda s: Call("/area/municipalities", {"municipality": "Nådendal"}),
    ("GET", "/users"): lambda s: Call("/users", shows="@a.example"),
    ("POST", "/users"): lambda s: Call(
        "/users",
        {
            "email": f"uusi{s.n}@a.example",
            "display_name": "Uusi Työnantaja",
            "role": "employer",
            "employer_id": s.target.employer_id,
            "password": "pitka-salasana-1",
        },
    ),
    ("GET", "/users/{user_id}"): lambda s: Call(f"/users/{s.target.user_id}", shows="@users.example"),
    ("PATCH", "/users/{user_id}"): lambda s: Call(
        f"/users/{s.target.user_id}", {"display_name": "Uusi Nimi", "active": False}, shows="Uusi Nimi"
    ),
    ("POST", "/users/{user_id}/password-reset"): lambda s: Call(
        f"/users/{s.target.user_id}/password-reset", shows="/password/reset?token="
    ),
    ("POST", "/auth/password-reset"): lambda s: Call(
        "/auth/password-reset", {"token": "keksitty", "new_password": "uusi-salasana-1"}, signed_in=False
    ),
    ("POST", "/me/password"): lambda s: Call(
        "/me/password", {"current_password": PASSWORD, "new_password": PASSWORD}
    ),
    ("POST", "/employers"): _new_employer,
    ("GET", "/employers"): lambda s: Call(_q("/employers", q=s.target.tag), shows=s.target.employer_name),
    ("GET", "/employers/{employer_id}"): lambda s: Call(
        f"/employers/{s.target.employer_id}", shows=s.target.employer_name
    ),
    ("PATCH", "/employers/{employer_id}"): lambda s: Call(
        f"/employers/{s.target.employer_id}", {"partnership_status": "partner"}, IF_MATCH
    ),
    ("POST", "/employers/{employer_id}/archive"): lambda s: Call(
        f"/employers/{s.target.employer_id}/archive", headers=IF_MATCH
    ),
    ("GET", "/employers/{employer_id}/coordinator"): lambda s: Call(
        f"/employers/{s.target.employer_id}/coordinator", shows='"reassignments"'
    ),
    ("GET", "/area-settings"): lambda s: Call("/area-settings", shows='"caseworker_field_work":true'),
    ("PUT", "/area-settings"): lambda s: Call(
        "/area-settings", {"caseworker_field_work": True}, shows='"caseworker_field_work":true'
    ),
    ("POST", "/employers/{employer_id}/contacts"): lambda s: Call(
        f"/employers/{s.target.employer_id}/contacts",
        {"kind": "call", "contact_date": "2025-03-05", "summary": "Soitto"},
    ),
    ("GET", "/contacts"): lambda s: Call(
        _q("/contacts", employer_id=s.target.employer_id), shows=s.target.contact_summary
    ),
    ("GET", "/contacts/{contact_id}"): lambda s: Call(
        f"/contacts/{s.target.contact_id}", shows=s.target.contact_summary
    ),
    ("PATCH", "/contacts/{contact_id}"): lambda s: Call(
        f"/contacts/{s.target.contact_id}", {"next_step": "Soita"}, IF_MATCH
    ),
    ("POST", "/contacts/{contact_id}/archive"): lambda s: Call(
        f"/contacts/{s.target.contact_id}/archive", headers=IF_MATCH
    ),
    ("POST", "/contacts/{contact_id}/next-step/done"): lambda s: Call(
        f"/contacts/{s.target.contact_id}/next-step/done"
    ),
    ("POST", "/needs"): lambda s: Call(
        "/needs", {"employer_id": s.target.employer_id, "title": "Uusi tarve"}
    ),
    ("GET", "/needs"): lambda s: Call(_q("/needs", q=s.target.tag), shows=s.target.need_title),
    ("GET", "/needs/{need_id}"): lambda s: Call(f"/needs/{s.target.need_id}", shows=s.target.need_title),
    ("PATCH", "/needs/{need_id}"): lambda s: Call(f"/needs/{s.target.need_id}", {"positions": 2}, IF_MATCH),
    ("POST", "/needs/{need_id}/archive"): lambda s: Call(
        f"/needs/{s.target.need_id}/archive", headers=IF_MATCH
    ),
    ("GET", "/needs/{need_id}/matches"): lambda s: Call(
        f"/needs/{s.target.need_id}/matches", shows=s.target.need_title
    ),
    ("GET", "/jobseekers/{jobseeker_id}/matches"): lambda s: Call(
        f"/jobseekers/{s.target.jobseeker_id}/matches", shows=s.target.pseudonym
    ),
    ("POST", "/matches/search"): _search,
    ("POST", "/jobseekers"): _new_jobseeker,
    ("GET", "/jobseekers"): lambda s: Call(_q("/jobseekers", q=s.target.tag), shows=s.target.pseudonym),
    ("GET", "/jobseekers/{jobseeker_id}"): lambda s: Call(
        f"/jobseekers/{s.target.jobseeker_id}", shows=s.target.pseudonym
    ),
    ("PATCH", "/jobseekers/{jobseeker_id}"): lambda s: Call(
        f"/jobseekers/{s.target.jobseeker_id}", {"service_stage": "coaching"}, IF_MATCH
    ),
    ("POST", "/jobseekers/{jobseeker_id}/archive"): lambda s: Call(
        f"/jobseekers/{s.target.jobseeker_id}/archive", headers=IF_MATCH
    ),
    ("GET", "/jobseekers/{jobseeker_id}/work-capacity"): lambda s: Call(
        f"/jobseekers/{s.target.jobseeker_id}/work-capacity", shows=s.target.health[0]
    ),
    ("PUT", "/jobseekers/{jobseeker_id}/work-capacity"): lambda s: Call(
        f"/jobseekers/{s.target.jobseeker_id}/work-capacity",
        {"no_night_shifts": True, "details": f"{s.target.health[0]}, päivitetty"},
        IF_MATCH,
    ),
    ("POST", "/jobseekers/{jobseeker_id}/work-capacity/assessments"): lambda s: Call(
        f"/jobseekers/{s.target.jobseeker_id}/work-capacity/assessments",
        {"measure": "TOIMIA", "score": 4, "assessed_on": "2025-02-01"},
    ),
    ("GET", "/jobseekers/{jobseeker_id}/work-capacity/assessments"): lambda s: Call(
        f"/jobseekers/{s.target.jobseeker_id}/work-capacity/assessments", shows=s.target.health[1]
    ),
    ("POST", "/jobseekers/{jobseeker_id}/consents"): lambda s: Call(
        f"/jobseekers/{s.target.jobseeker_id}/consents", {"scope": "disclose_identity"}
    ),
    ("GET", "/jobseekers/{jobseeker_id}/consents"): lambda s: Call(
        f"/jobseekers/{s.target.jobseeker_id}/consents", shows="share_profile"
    ),
    ("POST", "/jobseekers/{jobseeker_id}/consents/{consent_id}/withdraw"): lambda s: Call(
        f"/jobseekers/{s.target.jobseeker_id}/consents/{s.target.consent_id}/withdraw"
    ),
    ("GET", "/jobseekers/{jobseeker_id}/audit"): lambda s: Call(f"/jobseekers/{s.target.jobseeker_id}/audit"),
    ("GET", "/jobseekers/{jobseeker_id}/personal-data"): lambda s: Call(
        f"/jobseekers/{s.target.jobseeker_id}/personal-data", shows=s.target.full_name
    ),
    ("GET", "/jobseekers/{jobseeker_id}/personal-data.pdf"): lambda s: Call(
        f"/jobseekers/{s.target.jobseeker_id}/personal-data.pdf"
    ),
    ("POST", "/jobseekers/{jobseeker_id}/erase"): lambda s: Call(
        f"/jobseekers/{s.target.jobseeker_id}/erase", {"reason": "poistopyyntö"}, shows=s.target.pseudonym
    ),
    ("GET", "/target-groups"): lambda s: Call("/target-groups"),
    ("POST", "/target-groups"): lambda s: Call(
        "/target-groups", {"name": f"Ryhmä {s.scope} {s.n}", "rule": {"subsidy_days_min": 500}}, shows="Ryhmä"
    ),
    ("POST", "/jobseekers/{jobseeker_id}/service-need-assessments"): lambda s: Call(
        f"/jobseekers/{s.target.jobseeker_id}/service-need-assessments",
        {"assessed_on": "2025-02-01", "level": "light_support", "needs": ["valmennus"]},
    ),
    ("GET", "/jobseekers/{jobseeker_id}/service-need-assessments"): lambda s: Call(
        f"/jobseekers/{s.target.jobseeker_id}/service-need-assessments", shows=s.target.health[1]
    ),
    ("GET", "/jobseekers/{jobseeker_id}/work-capacity/changes"): lambda s: Call(
        f"/jobseekers/{s.target.jobseeker_id}/work-capacity/changes", shows="TOIMIA"
    ),
    ("POST", "/jobseekers/{jobseeker_id}/plans"): lambda s: Call(
        f"/jobseekers/{s.target.jobseeker_id}/plans",
        {"kind": "employment", "drawn_up_on": "2025-02-01", "items": [{"kind": "goal", "text": "Työ"}]},
    ),
    ("GET", "/jobseekers/{jobseeker_id}/plans"): lambda s: Call(f"/jobseekers/{s.target.jobseeker_id}/plans"),
    ("GET", "/plans/due"): lambda s: Call("/plans/due"),
    ("GET", "/jobseekers/{jobseeker_id}/placement-forms"): lambda s: Call(
        f"/jobseekers/{s.target.jobseeker_id}/placement-forms"
    ),
    ("POST", "/jobseekers/{jobseeker_id}/placement-forms"): lambda s: Call(
        f"/jobseekers/{s.target.jobseeker_id}/placement-forms",
        {"form": "work_trial", "decided_on": "2025-02-01"},
    ),
    ("PATCH", "/target-groups/{group_id}"): lambda s: Call(
        f"/target-groups/{s.target.group_id}", {"rule": {"age_min": 40}}, IF_MATCH, shows="Ryhma"
    ),
    ("DELETE", "/target-groups/{group_id}"): lambda s: Call(
        f"/target-groups/{s.target.group_id}", None, IF_MATCH
    ),
    ("PATCH", "/plans/{plan_id}"): lambda s: Call(
        f"/plans/{s.target.plan_id}", {"review_on": "2025-09-01"}, IF_MATCH, shows="2025-09-01"
    ),
    ("GET", "/service-providers"): lambda s: Call("/service-providers", shows="Toimija"),
    ("POST", "/service-providers"): lambda s: Call(
        "/service-providers", {"name": f"Toimija {s.scope} {s.n}", "kind": "kela", "services": ["other"]}
    ),
    ("GET", "/service-providers/{provider_id}"): lambda s: Call(
        f"/service-providers/{s.target.provider_id}", shows="Toimija"
    ),
    ("PATCH", "/service-providers/{provider_id}"): lambda s: Call(
        f"/service-providers/{s.target.provider_id}", {"contact": "puh. 02 123"}, IF_MATCH
    ),
    ("POST", "/jobseekers/{jobseeker_id}/referrals"): lambda s: Call(
        f"/jobseekers/{s.target.jobseeker_id}/referrals",
        {"provider_id": s.target.provider_id, "service": "rehabilitative_work", "starts_on": "2025-03-01"},
    ),
    ("GET", "/jobseekers/{jobseeker_id}/referrals"): lambda s: Call(
        f"/jobseekers/{s.target.jobseeker_id}/referrals", shows="career_coaching"
    ),
    ("PATCH", "/referrals/{referral_id}"): lambda s: Call(
        f"/referrals/{s.target.referral_id}", {"ends_on": "2025-06-30", "outcome": "education"}, IF_MATCH
    ),
    ("GET", "/employers/{employer_id}/card"): lambda s: Call(
        f"/employers/{s.target.employer_id}/card", shows=s.target.pseudonym
    ),
    ("GET", "/contacts/due"): lambda s: Call(_q("/contacts/due", all="true"), shows=s.target.contact_summary),
    ("GET", "/ledger/hidden-jobs"): lambda s: Call(
        _q("/ledger/hidden-jobs", group_by="coordinator"), shows="hidden_needs"
    ),
    ("POST", "/proposals"): lambda s: Call(
        "/proposals",
        {"need_id": s.target.need_id, "jobseeker_id": s.target.jobseeker_id},
        shows=s.target.pseudonym,
    ),
    ("GET", "/proposals"): lambda s: Call(
        _q("/proposals", need_id=s.target.need_id), shows=s.target.pseudonym
    ),
    ("GET", "/proposals/{proposal_id}"): _proposal(),
    ("GET", "/proposals/{proposal_id}/card"): _proposal("/card"),
    ("GET", "/proposals/{proposal_id}/card.html"): _proposal("/card.html"),
    ("GET", "/proposals/{proposal_id}/card.pdf"): lambda s: Call(
        f"/proposals/{s.target.proposal_id}/card.pdf"
    ),
    ("GET", "/proposals/{proposal_id}/candidate"): _proposal("/candidate", shows="full_name"),
    ("POST", "/proposals/{proposal_id}/answer"): lambda s: Call(
        f"/proposals/{s.target.proposal_id}/answer", {"answer": "interested"}, shows='"interested"'
    ),
    ("POST", "/proposals/{proposal_id}/transitions"): lambda s: Call(
        f"/proposals/{s.target.proposal_id}/transitions", {"to": "interested"}, shows='"interested"'
    ),
    ("GET", "/placements"): lambda s: Call(
        _q("/placements", need_id=s.target.need_id), shows=s.target.pseudonym
    ),
    ("GET", "/placements/{placement_id}"): lambda s: Call(
        f"/placements/{s.target.placement_id}", shows=s.target.pseudonym
    ),
    ("POST", "/placements/{placement_id}/follow-ups"): lambda s: Call(
        f"/placements/{s.target.placement_id}/follow-ups", {"due": 3, "outcome": "studies"}, shows="studies"
    ),
    ("GET", "/indicators"): lambda s: Call("/indicators", shows="Testialue"),
    ("GET", "/indicators.csv"): lambda s: Call(
        _q("/indicators.csv", by="coordinator"), shows="a coordinator"
    ),
    ("GET", "/indicators.xlsx"): lambda s: Call("/indicators.xlsx"),
    ("GET", "/indicators/{name}/chart.png"): lambda s: Call("/indicators/activation_rate/chart.png"),
    ("GET", "/indicators/{name}/chart.svg"): lambda s: Call("/indicators/employer_response_rate/chart.svg"),
    ("GET", "/notifications"): lambda s: Call("/notifications", shows=s.own.need_title),
    ("GET", "/notifications/unread"): lambda s: Call(
        "/notifications/unread", shows='"by_kind":{"intro_card":'
    ),
    ("POST", "/notifications/read-all"): lambda s: Call("/notifications/read-all", shows='"marked"'),
    ("POST", "/notifications/{notice_id}/read"): lambda s: Call(
        f"/notifications/{s.target.notice_id}/read", shows=s.own.need_title
    ),
    ("GET", "/notifications/preferences"): lambda s: Call("/notifications/preferences", shows='"language"'),
    ("PUT", "/notifications/preferences"): lambda s: Call(
        # Each role's own choice (the kinds offered differ by role; the language is every user's).
        "/notifications/preferences",
        {"email": {"intro_card": False}, "language": "sv"},
        shows='"language":"sv"',
    ),
    ("POST", "/carving/tasks"): lambda s: Call(
        "/carving/tasks", {"employer_id": s.target.employer_id, "title": "Uusi tehtävä", "hours_per_week": 5}
    ),
    ("GET", "/carving/tasks"): lambda s: Call(
        _q("/carving/tasks", employer_id=s.target.employer_id), shows=s.own.task_title
    ),
    ("GET", "/carving/tasks/{task_id}"): lambda s: Call(
        f"/carving/tasks/{s.target.task_id}", shows=s.target.task_title
    ),
    ("GET", "/carving/suggestions"): lambda s: Call("/carving/suggestions"),
    ("POST", "/carving/jobs"): lambda s: Call(
        "/carving/jobs", {"task_ids": list(s.target.open_task_ids), "title": "Silpputyö"}
    ),
    ("GET", "/carving/jobs"): lambda s: Call("/carving/jobs"),
    ("GET", "/carving/jobs/{need_id}"): lambda s: Call(
        f"/carving/jobs/{s.target.need_id}", shows=s.target.task_title
    ),
}
BUILDERS |= {
    ("POST", "/events"): lambda s: Call(
        "/events",
        {
            "kind": "fair",
            "title": "Uudet messut",
            "event_date": "2025-05-05",
            "municipality": "Turku",
            "employer_ids": [s.target.employer_id],
            "jobseeker_ids": [s.target.jobseeker_id],
        },
        shows=s.target.pseudonym,
    ),
    # Newest first: the scene's event, not one of the hundreds the other scenes made (the default order,
    # by the event's day, lists those made first).
    ("GET", "/events"): lambda s: Call("/events?sort=-created_at", shows=f"{s.own.tag} Messut"),
    ("GET", "/events/{event_id}"): lambda s: Call(f"/events/{s.target.event_id}", shows=s.target.pseudonym),
    ("PATCH", "/events/{event_id}"): lambda s: Call(
        f"/events/{s.target.event_id}", {"place": "Logomo"}, IF_MATCH, shows="Logomo"
    ),
    ("POST", "/events/{event_id}/participants"): lambda s: Call(
        f"/events/{s.target.event_id}/participants",
        {"jobseeker_ids": [s.target.jobseeker_id]},
        shows=s.target.pseudonym,
    ),
    ("POST", "/events/{event_id}/attendance"): lambda s: Call(
        f"/events/{s.target.event_id}/attendance",
        {
            "employers": [{"employer_id": s.target.employer_id, "attendance": "attended"}],
            "jobseekers": [{"jobseeker_id": s.target.jobseeker_id, "attendance": "attended"}],
        },
        shows=s.target.pseudonym,
    ),
    ("GET", "/jobseekers/{jobseeker_id}/events"): lambda s: Call(
        f"/jobseekers/{s.target.jobseeker_id}/events", shows=f"{s.target.tag} Messut"
    ),
}
BUILDERS = {(method, API + path): build for (method, path), build in BUILDERS.items()}


def never_visible(scene: Scene, key: tuple[str, str]) -> list[str]:
    """Texts the caller must not find in this answer, whatever its status."""
    own, sibling, other = scene.own, scene.sibling, scene.other
    texts = [*other.all_texts, *OTHER_AREA_TEXTS]
    if key in PSEUDONYMOUS:
        texts += [own.full_name, sibling.full_name]
    if scene.role is Role.EMPLOYER:
        texts += [*sibling.employer_texts, own.contact_summary, *sibling.jobseeker_texts]
        # The own organisation's candidate: the pseudonym on the intro card, the name once disclosed.
        if key not in PSEUDONYMOUS and key != CANDIDATE:
            texts += own.jobseeker_texts
    if scene.role is Role.CASEWORKER:
        texts += [*sibling.jobseeker_texts, own.contact_summary, sibling.contact_summary]
    texts += sibling.health
    if not (scene.role is Role.CASEWORKER and key in HEALTH_VIEWS):
        texts += own.health
    return texts


def api_routes(routes: list[BaseRoute]) -> set[tuple[str, str]]:
    """(method, path) of every route under /api/v1, however deeply its router was included; the path as
    documented (its format: a convertor such as ``{contact_id:int}`` left out)."""
    flat: Iterable[Any] = (
        routing.iter_route_contexts(routes) if hasattr(routing, "iter_route_contexts") else routes
    )
    found: set[tuple[str, str]] = set()
    for route in flat:
        path = getattr(route, "path_format", None) or ""
        if not path.startswith(API):
            continue
        methods = getattr(route, "methods", None)
        assert methods, f"{path} is not a plain API route (a mount?): give its rules rows by hand"
        found |= {(method, path) for method in methods - {"HEAD", "OPTIONS"}}
    return found


# The tests ----------------------------------------------------------------------------------------


def test_every_api_route_has_a_row(app_client: TestClient) -> None:
    routes = api_routes(app_client.app.routes)  # type: ignore[attr-defined]
    missing = sorted(routes - EXPECTED.keys())
    assert not missing, f"write the authorization rules of these routes into EXPECTED_TABLE: {missing}"
    stale = sorted(EXPECTED.keys() - routes)
    assert not stale, f"EXPECTED_TABLE has rows for routes that do not exist: {stale}"
    assert BUILDERS.keys() == EXPECTED.keys()


CELLS = [
    pytest.param(key, role, scope, id=f"{key[0]} {key[1].removeprefix(API)} {role.value} {scope}")
    for key in EXPECTED
    for role in ROLES
    for scope in SCOPES
]


def objects_for(conn: Conn, areas: Areas, key: tuple[str, str], role: Role) -> tuple[Objects, ...]:
    """Fresh objects for one endpoint and role, shared by its three cells: each cell changes only its own
    target (the caller's, the sibling's or the other area's), so the cells stay independent of each other."""
    if (key, role) not in areas.scenes:
        n = next(_counter)
        mine, theirs = areas.mine, areas.theirs
        # Only matching reads the index; announcing every object would keep the index busy for nothing.
        announce = "match" in key[1]
        own = make_objects(conn, mine.area_id, mine.user_ids[W], f"Oma{n}x", 3 * n, announce=announce)
        sibling = make_objects(
            conn, mine.area_id, areas.colleague_id, f"Sisar{n}x", 3 * n + 1, announce=announce
        )
        other = make_objects(
            conn, theirs.area_id, theirs.user_ids[W], f"Vieras{n}x", 3 * n + 2, announce=announce
        )
        if key in WORKFLOW:
            own, sibling = (add_proposal(conn, o, mine.user_ids[C], WORKFLOW[key]) for o in (own, sibling))
            other = add_proposal(conn, other, theirs.user_ids[C], WORKFLOW[key])
        if key[1].startswith(f"{API}/notifications"):
            # The caller's own notice, a colleague's of the same area, and one of the other area's user.
            own = add_notice(conn, own, mine.user_ids[role])
            sibling = add_notice(conn, sibling, areas.colleague_id)
            other = add_notice(conn, other, theirs.user_ids[role])
        if key[1].startswith(f"{API}/carving"):
            own, sibling, other = (add_carving(conn, o) for o in (own, sibling, other))
        areas.scenes[(key, role)] = (own, sibling, other)
    return areas.scenes[(key, role)]


@pytest.mark.parametrize(("key", "role", "scope"), CELLS)
def test_authorization(
    app_client: TestClient, setup_conn: Conn, areas: Areas, key: tuple[str, str], role: Role, scope: str
) -> None:
    own, sibling, other = objects_for(setup_conn, areas, key, role)
    mine = areas.mine
    # The area's employer user represents the own employer of this endpoint's objects.
    setup_conn.execute(
        "UPDATE users SET employer_id = %s WHERE id = %s", (own.employer_id, mine.user_ids[Role.EMPLOYER])
    )
    token, _ = accounts_service.issue_token(setup_conn, mine.user_ids[role], timedelta(minutes=10))
    scene = Scene(n=next(_counter), role=role, scope=scope, own=own, sibling=sibling, other=other)
    call = BUILDERS[key](scene)
    expected = EXPECTED[key][role][scope]

    app_client.headers.clear()
    headers = {**call.headers}
    if call.signed_in:
        headers["Authorization"] = f"Bearer {token}"
    reply = app_client.request(key[0], API + call.url, json=call.json, headers=headers)

    assert reply.status_code == expected, (
        f"{key} as {role.value} on {scope}: {reply.status_code} {reply.text}"
    )
    for text in never_visible(scene, key):
        assert text not in reply.text, f"{key} as {role.value} on {scope} revealed {text!r}"
    if reply.status_code >= 400:
        assert reply.headers["content-type"].startswith("application/problem+json")
        for text in (*own.all_texts, *sibling.all_texts):
            assert text not in reply.text, f"a refusal revealed {text!r}"
    elif scope == "own" and call.shows is not None:
        assert call.shows in reply.text, f"{key} as {role.value} did not show {call.shows!r}: {reply.text}"
