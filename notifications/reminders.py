"""Reminders of what is due: contacts' next steps, placements' follow-ups and client plans' reviews, in
every area.

Run by the server every hour (``server/notify.py``) and by ``kohtaamo notify``, as the database owner.
Idempotent: a due item gives each of its users one reminder however often this runs (the notice's
subject names the item and its due date). Items that fell due more than :data:`WINDOW` ago are not
reminded of, so that the first run on old data does not flood anyone's inbox.

A contact's next step links to the employer card, or for a caseworker (a job coach, who records visits
but does not keep the employer register) to the visit form; a plan review reaches the client's own
caseworker; like every notice it names no jobseeker (the link
leads to the client, where the caseworker sees who it is).
"""

from __future__ import annotations

from datetime import date, timedelta
from typing import Final

from core.db import Conn
from employers import service as employers
from jobseekers import plans
from notifications.schemas import NoticeKind
from notifications.service import notify_many
from placements import placed

WINDOW: Final = timedelta(days=14)


def remind_due(conn: Conn, day: date) -> dict[str, int]:
    """Make the reminders due on ``day``; how many of each kind were new."""
    since = day - WINDOW
    contacts = 0
    for c in employers.due_contacts_of_every_area(conn, since, day):
        on = c["next_step_date"].isoformat()
        data = {"contact_id": c["id"], "employer_id": c["employer_id"], "employer_name": c["employer_name"]}
        contacts += notify_many(
            conn,
            [c["user_id"]],
            NoticeKind.CONTACT_DUE,
            f"contact:{c['id']}:{on}",
            {**data, "date": on},
            f"/employers/{c['employer_id']}" + ("/visit" if c["user_role"] == "caseworker" else ""),
        )
    follow_ups = 0
    for f in placed.due_follow_ups_of_every_area(conn, since, day):
        users = [u for u in (f["confirmed_by"], f["caseworker_id"]) if u is not None]
        follow_ups += notify_many(
            conn,
            users,
            NoticeKind.FOLLOW_UP_DUE,
            f"follow_up:{f['id']}:{f['months']}",
            {"placement_id": f["id"], "months": f["months"], "date": f["due_on"].isoformat()},
            f"/placements/{f['id']}",
        )
    reviews = 0
    for p in plans.due_plan_reviews_of_every_area(conn, since, day):
        on = p["review_on"].isoformat()
        reviews += notify_many(
            conn,
            [p["caseworker_id"]],
            NoticeKind.PLAN_REVIEW_DUE,
            f"plan_review:{p['plan_id']}:{on}",
            {"plan_id": p["plan_id"], "jobseeker_id": p["jobseeker_id"], "date": on},
            f"/clients/{p['jobseeker_id']}#plans",
        )
    return {
        NoticeKind.CONTACT_DUE.value: contacts,
        NoticeKind.FOLLOW_UP_DUE.value: follow_ups,
        NoticeKind.PLAN_REVIEW_DUE.value: reviews,
    }
