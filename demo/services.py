"""Services beyond placements in the demo area: the actor map's providers (the employers' kinds are in the
demo file), and a year of the demo caseworker's referrals (coaching, training, start-up grant,
rehabilitative work activity, working-life trials) with their ends and outcomes, so that the bonus
indicators show a trend. Dates count from today. Loading again adds nothing: a provider of the same name
is kept, and once the demo caseworker has referred anyone no more referrals are made."""

from __future__ import annotations

from datetime import timedelta
from typing import Final

from accounts import models
from accounts import service as accounts
from core import clock
from core.db import Conn
from services import providers, referrals
from services.schemas import ProviderIn, ReferralIn

PROVIDERS: Final = (
    (
        "TE-toimisto, Turun toimipiste",
        "te_office",
        "Turku",
        ["job_search_coaching", "labour_market_training"],
    ),
    ("Kela, Turun palvelupiste", "kela", "Turku", ["rehabilitation"]),
    ("TYP Varsinais-Suomi", "typ", None, ["rehabilitative_work", "career_coaching"]),
    ("Turun kaupungin kuntouttava työtoiminta", "municipality", "Turku", ["rehabilitative_work"]),
    (
        "Turun aikuiskoulutuskeskus",
        "school",
        "Turku",
        ["labour_market_training", "self_motivated_study", "training_agreement"],
    ),
    ("Työpajayhdistys ry", "association", "Kaarina", ["working_life_trial", "rehabilitative_work"]),
    ("Uraohjaus Oy", "private", None, ["career_coaching", "job_search_coaching", "start_up_grant"]),
    ("Varsinais-Suomen Sininauha ry", "association", "Turku", ["other", "rehabilitation"]),
)
CONTACTS: Final = ("puh. 0295 025 500", "puh. 020 692 203", "typ@example.fi", "", "", "", "", "")
# (provider index, service, months since the start, months it lasts or None: ongoing, outcome)
PATTERN: Final = (
    (2, "rehabilitative_work", 11, 6, "te_services"),
    (3, "rehabilitative_work", 10, 6, "no_change"),
    (6, "job_search_coaching", 9, 3, "employment"),
    (4, "labour_market_training", 8, 5, "employment"),
    (5, "working_life_trial", 7, 2, "education"),
    (3, "rehabilitative_work", 7, 4, "education"),
    (6, "start_up_grant", 6, None, None),
    (2, "career_coaching", 5, 2, "other_service"),
    (5, "rehabilitative_work", 5, 3, "employment"),
    (4, "self_motivated_study", 4, None, None),
    (3, "rehabilitative_work", 3, 2, "interrupted"),
    (0, "job_search_coaching", 2, 1, "no_change"),
    (2, "rehabilitative_work", 1, None, None),
    (4, "training_agreement", 1, None, None),
)
REASON: Final = "demo data"


def load_services(conn: Conn, area_id: int, caseworker_id: int) -> int:
    """Add the demo actor map and referrals (see the module docstring) through the
    services, as the operator and the demo caseworker would; returns how many referrals were made now."""
    operator = models.operator(area_id)
    saved = {p["name"]: p["id"] for p in providers.list_providers(conn, operator, include_archived=True)[0]}
    for (name, kind, municipality, services), contact in zip(PROVIDERS, CONTACTS, strict=True):
        if name not in saved:
            body = {"name": name, "kind": kind, "municipality": municipality, "services": services}
            made = providers.create_provider(
                conn,
                operator,
                ProviderIn.model_validate({**body, **({"contact": contact} if contact else {})}),
            )
            saved[name] = made["id"]
    caseworker = accounts.principal_for_user(conn, caseworker_id)
    assert caseworker is not None
    referred = conn.execute(
        "SELECT EXISTS (SELECT FROM referrals WHERE area_id = %s AND referred_by = %s) AS made",
        (area_id, caseworker_id),
    ).fetchone()
    if referred is not None and referred["made"]:
        return 0  # the caseworker's year of referrals is there: clients without one stay without
    clients = conn.execute(
        "SELECT j.id FROM jobseekers j WHERE j.area_id = %s AND j.caseworker_id = %s"
        " AND NOT EXISTS (SELECT FROM referrals r WHERE r.jobseeker_id = j.id)"
        " ORDER BY j.external_id DESC LIMIT %s",
        (area_id, caseworker_id, len(PATTERN) * 2),
    ).fetchall()
    today = clock.today()
    ids = [saved[p[0]] for p in PROVIDERS]
    for n, client in enumerate(clients):
        provider, service, ago, lasts, outcome = PATTERN[n % len(PATTERN)]
        starts = today - timedelta(days=30 * ago + 3 * (n // len(PATTERN)) + 1)
        ends = None if lasts is None else min(starts + timedelta(days=30 * lasts), today)
        referral: dict[str, object] = {
            "provider_id": ids[provider],
            "service": service,
            "starts_on": starts,
            "ends_on": ends,
            "outcome": outcome if ends is not None else None,
        }
        referrals.refer(conn, caseworker, client["id"], ReferralIn.model_validate(referral), REASON)
    return len(clients)
