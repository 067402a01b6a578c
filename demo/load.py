"""Load the demo area: import the shipped file, create one user of each role, give the caseworker clients,
hold a few recruitment events (``demo.events``), add the jobseeker's path (``demo.path``), the actor map
and referrals (``demo.services``), and give the area a year of history (``demo.history``: contacts,
needs, proposals, placements of every form, follow-ups and referrals over the last twelve months, ranked
and explained with the configured embedder).

Every demo jobseeker has consented to sharing their profile (``share_profile``, for any employer), so any
of them may be proposed; none has consented to disclosing their identity, which the demo's caseworker
records. Safe to run again: the import is idempotent, existing demo users are kept as they are, clients
already assigned stay assigned, consents in force are not recorded twice and an area with a history gets
no second one. The caller owns the transaction.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from pathlib import Path
from typing import Final

from accounts import service as accounts
from accounts.models import Role, operator, operator_name
from core.db import Conn
from core.errors import ValidationFailed
from core.settings import get_settings
from demo.catalogue import AREA, COORDINATOR_EMAILS, MUNICIPALITIES
from demo.events import load_events
from demo.history import has_history, load_history
from demo.path import load_path
from demo.services import load_services
from embeddings import Embedder, ModelMissingError
from embeddings.embedder import configured_embedder
from employers.field_work import assign_coordinators
from employers.interchange import stored_employers
from interchange.importer import ImportReport, import_file
from jobseekers.consents import record_standing_consents
from jobseekers.interchange import assign_caseworker
from jobseekers.schemas import ConsentScope

log = logging.getLogger(__name__)

DEMO_FILE: Final = Path(__file__).resolve().parent / "data" / "demo.jsonl"
DEMO_PASSWORD: Final = "kohtaamo-demo"
"""The one password of every demo user: documented, so never use the demo area for real data."""
EMPLOYER_EXTERNAL_ID: Final = "vs-e001"
"""The demo employer user speaks for Lounais-Suomen Logistiikka Oy."""
CASEWORKER_EVERY: Final = 3
"""The demo caseworker's clients: every third jobseeker of the file (vs-j001, vs-j004, …)."""


@dataclass(frozen=True)
class DemoUser:
    """A demo login."""

    role: Role
    email: str
    display_name: str
    """A person's name only: the page header shows the role beside it, in the reader's language."""


DEMO_USERS: Final = (
    DemoUser(Role.COORDINATOR, COORDINATOR_EMAILS[0], "Kaisa Koivisto"),
    DemoUser(Role.COORDINATOR, COORDINATOR_EMAILS[1], "Markus Mäkelä"),
    DemoUser(Role.CASEWORKER, "omavirkailija@demo.example", "Olli Ojala"),
    DemoUser(Role.EMPLOYER, "tyonantaja@demo.example", "Tiina Laine"),
    DemoUser(Role.ADMIN, "paakayttaja@demo.example", "Pasi Pitkänen"),
)


@dataclass(frozen=True)
class DemoReport:
    """What loading the demo did."""

    area_id: int
    imported: ImportReport
    users_created: list[DemoUser]
    clients_assigned: int
    profiles_shared: int
    """Jobseekers whose share_profile consent was recorded by this load."""
    placements_made: int = 0
    """Placements of the year of history made by this load (none once the area has its history)."""
    embedded: bool = False
    """Whether this load embedded every row whose vector was missing or stale (the history does, before
    it ranks): then the imported rows need no embedding after the commit."""


def load_demo(
    conn: Conn, *, path: Path = DEMO_FILE, progress: bool = True, embedder: Embedder | None = None
) -> DemoReport:
    """Import the demo file into the demo area and make sure its users, client assignments, each
    employer's responsible coordinator, its recruitment events (:mod:`demo.events`), path, services and
    year of history (:mod:`demo.history`, ranked with ``embedder``, by default the configured one) exist.
    Without a built model the history waits for a later load."""
    area_id = accounts.ensure_area(conn, AREA, list(MUNICIPALITIES))
    report = import_file(conn, path, AREA, progress=progress)
    if not report.written:
        line, field, reason = report.errors[0]
        raise ValidationFailed(f"the demo file is invalid at line {line}: {reason}", field=field)
    existing: dict[str, int] = {}
    offset = 0
    while True:
        users, total = accounts.list_users(conn, area_id, limit=100, offset=offset)
        existing |= {u["email"]: u["id"] for u in users}
        offset += 100
        if offset >= total:
            break
    employer = stored_employers(conn, area_id, [EMPLOYER_EXTERNAL_ID])[EMPLOYER_EXTERNAL_ID]
    created: list[DemoUser] = []
    for user in DEMO_USERS:
        if user.email in existing:
            continue
        row = accounts.create_user(
            conn,
            area_id=area_id,
            email=user.email,
            display_name=user.display_name,
            role=user.role,
            password=DEMO_PASSWORD,
            employer_id=employer.id if user.role is Role.EMPLOYER else None,
        )
        existing[user.email] = row["id"]
        created.append(user)
    caseworker = next(u for u in DEMO_USERS if u.role is Role.CASEWORKER)
    clients = [f"vs-j{n:03d}" for n in range(1, 1000, CASEWORKER_EVERY)]
    assigned = assign_caseworker(conn, area_id, clients, existing[caseworker.email])
    load_path(conn, area_id, existing[caseworker.email])
    _assign_coordinators(conn, area_id, [existing[email] for email in COORDINATOR_EMAILS])
    load_events(conn, area_id, existing[COORDINATOR_EMAILS[0]])
    load_services(conn, area_id, existing[caseworker.email])
    shared = record_standing_consents(conn, area_id, ConsentScope.SHARE_PROFILE, operator_name())
    placed, embedded = 0, False
    if not has_history(conn, area_id):
        try:
            embedder = embedder or configured_embedder(get_settings())
        except ModelMissingError as exc:
            log.warning("the demo's year of history was not made: %s; run `kohtaamo demo load` again", exc)
        else:
            placed = load_history(
                conn,
                area_id,
                [existing[email] for email in COORDINATOR_EMAILS],
                existing[caseworker.email],
                existing[next(u.email for u in DEMO_USERS if u.role is Role.EMPLOYER)],
                embedder,
            )
            embedded = True
    return DemoReport(
        area_id=area_id,
        imported=report,
        users_created=created,
        clients_assigned=assigned,
        profiles_shared=shared,
        placements_made=placed,
        embedded=embedded,
    )


def _assign_coordinators(conn: Conn, area_id: int, coordinators: list[int]) -> None:
    """Give every demo employer a responsible coordinator, the coordinators taking turns in the order of
    the employers' external ids (vs-e001 the first's: the demo employer user's coordinator); an employer
    that already has one keeps it."""
    rows = conn.execute(
        "SELECT id, external_id FROM employers WHERE area_id = %s AND responsible_coordinator IS NULL"
        " AND external_id LIKE 'vs-e%%' ORDER BY external_id",
        (area_id,),
    ).fetchall()
    turns = {
        row["id"]: coordinators[(int(row["external_id"].removeprefix("vs-e")) - 1) % len(coordinators)]
        for row in rows
    }
    assign_coordinators(conn, operator(area_id), turns)
