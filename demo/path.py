"""The jobseeker's path in the demo area: three saved target groups, and for some of the demo
caseworker's clients a service-need assessment, a plan with goals, steps and a review date (some due
within days), and work-ability measurements at two or three dates. Dates count from today, so the due
list always has something on it. Loading again adds nothing: a client who already has an assessment or a
plan is left alone, and a target group of the same name is kept as it is."""

from __future__ import annotations

from datetime import timedelta
from typing import Final

from accounts import models
from accounts import service as accounts
from core import clock
from core.db import Conn
from jobseekers import assessments, plans, target_groups
from jobseekers import service as jobseekers
from jobseekers.assessments import ServiceNeedAssessmentIn
from jobseekers.plans import PlanIn
from jobseekers.schemas import AssessmentCreate
from jobseekers.target_groups import TargetGroupIn

TARGET_GROUPS: Final = (
    ("Yli 500 päivää työmarkkinatuella", {"benefits": ["labour_market_subsidy"], "subsidy_days_min": 500}),
    ("Alle 25-vuotiaat, työttömyys yli 6 kk", {"age_under": 25, "unemployment_months_min": 6}),
    ("Kotoutujat", {"integration_plan": True}),
)
LEVELS: Final = ("light_support", "intensive_support", "job_ready", "multi_professional")
NEEDS: Final[tuple[list[str], ...]] = (
    ["työnhakuvalmennus"],
    ["kuntoutus", "arjenhallinta"],
    [],
    ["suomen kieli", "ammatillinen koulutus"],
)
NOTES: Final = (
    "Motivoitunut, tarvitsee tukea hakemusten kirjoittamiseen.",
    "Pitkä työttömyys, terveydentila rajoittaa; kuntoutusselvitys vireillä.",
    "",
    "Kielitaito rajoittaa, ammattitaito vahva.",
)
GOALS: Final = ("Työpaikka omalta alalta", "Palkkatuettu työ yritykseen", "Ammatillinen koulutus")
REASON: Final = "demo data"
STEPS: Final = (
    "Työkokeilu kunnan yksikössä",
    "Trukkikortti",
    "Ansioluettelo valmiiksi",
    "Suomen kielen kurssi",
)


def load_path(conn: Conn, area_id: int, caseworker_id: int) -> int:
    """Add the demo path data (see the module docstring) through the services, as the demo caseworker
    and the operator would; returns how many clients got some now."""
    operator = models.operator(area_id)
    saved = {g["name"] for g in target_groups.list_target_groups(conn, operator)[0]}
    for name, rule in TARGET_GROUPS:
        if name not in saved:
            target_groups.create_target_group(
                conn, operator, TargetGroupIn.model_validate({"name": name, "rule": rule})
            )
    caseworker = accounts.principal_for_user(conn, caseworker_id)
    assert caseworker is not None
    clients = conn.execute(
        "SELECT j.id, EXISTS (SELECT FROM work_capacity w WHERE w.jobseeker_id = j.id) AS limited"
        " FROM jobseekers j WHERE j.area_id = %s AND j.caseworker_id = %s"
        " AND NOT EXISTS (SELECT FROM service_need_assessments s WHERE s.jobseeker_id = j.id)"
        " AND NOT EXISTS (SELECT FROM plans p WHERE p.jobseeker_id = j.id)"
        " ORDER BY j.external_id LIMIT 24",
        (area_id, caseworker_id),
    ).fetchall()
    today = clock.today()
    for n, client in enumerate(clients):
        if n % 4 == 3:
            continue  # some clients have neither: the pages must do without
        person = client["id"]
        assessed = today - timedelta(days=30 + 7 * n)
        assessment = {
            "assessed_on": assessed,
            "level": LEVELS[n % 4],
            "needs": NEEDS[n % 4],
            "notes": NOTES[n % 4],
        }
        assessments.add_service_need_assessment(
            conn, caseworker, person, ServiceNeedAssessmentIn.model_validate(assessment), REASON
        )
        items = [
            {"kind": "goal", "text": GOALS[n % 3], "due_on": today + timedelta(days=180)},
            {"kind": "step", "text": STEPS[n % 4], "due_on": assessed + timedelta(days=45)},
            {"kind": "step", "text": STEPS[(n + 1) % 4]},
        ]
        plan = {
            "kind": "activation" if n % 4 == 1 else "employment",
            "drawn_up_on": assessed,
            "agreed_with_client": n % 2 == 0,
            "review_on": today + timedelta(days=(n % 5) * 9 - 4) if n % 3 else None,
            "items": items,
        }
        plans.add_plan(conn, caseworker, person, PlanIn.model_validate(plan), REASON)
        if client["limited"] or n % 2 == 0:
            for k in range(2 + n % 2):
                score = 3.5 + k * (1.5 if n % 3 else -0.5)
                measured = {
                    "measure": "TOIMIA",
                    "score": score,
                    "assessed_on": today - timedelta(days=300 - 120 * k),
                }
                jobseekers.add_assessment(
                    conn, caseworker, person, AssessmentCreate.model_validate(measured), REASON
                )
    return len(clients)
