"""Who hears of what: the listener that turns the services' events (:mod:`core.signals`) into notices.

- a proposal made: every active user of the employer gets a notice of the new intro card;
- an intro card answered: the user who proposed the candidate;
- a consent given or withdrawn: the jobseeker's own caseworker and the proposers of the jobseeker's open
  proposals.

Nobody is told of their own doing. The roots subscribe the listener once (:func:`install`).
"""

from __future__ import annotations

from accounts import service as accounts
from core.db import Conn
from core.signals import Event, subscribe
from jobseekers import access as jobseeker_access
from notifications.schemas import NoticeKind
from notifications.service import notify_many
from placements import proposals


def _others(actor: int | None, user_ids: list[int | None]) -> list[int]:
    return [u for u in user_ids if u is not None and u != actor]


def on_event(conn: Conn, event: Event) -> None:
    """Make the notices ``event`` calls for, in its transaction."""
    if event.kind in ("proposal_made", "proposal_answered"):
        facts = proposals.proposal_facts(conn, event.ids["proposal_id"])
        pid = facts["id"]
        if event.kind == "proposal_made":
            notify_many(
                conn,
                _others(event.actor_id, [*accounts.employer_users(conn, facts["employer_id"])]),
                NoticeKind.INTRO_CARD,
                f"proposal:{pid}",
                {"proposal_id": pid, "need_id": facts["need_id"], "need_title": facts["need_title"]},
                f"/cards/{pid}",
            )
        else:
            notify_many(
                conn,
                _others(event.actor_id, [facts["proposed_by"]]),
                NoticeKind.PROPOSAL_ANSWERED,
                f"proposal:{pid}",
                {"proposal_id": pid, "need_title": facts["need_title"], "answer": facts["answer"]},
                f"/proposals/{pid}",
            )
        return
    jobseeker_id = event.ids["jobseeker_id"]
    change = "given" if event.kind == "consent_given" else "withdrawn"
    key = f"consent:{event.ids['consent_id']}:{change}"
    data = {"jobseeker_id": jobseeker_id, "scope": event.ids["scope"], "change": change}
    subject = jobseeker_access.subject(conn, jobseeker_id)
    caseworker = subject["caseworker_id"] if subject else None
    notify_many(
        conn,
        _others(event.actor_id, [caseworker]),
        NoticeKind.CONSENT_CHANGED,
        key,
        data,
        f"/clients/{jobseeker_id}",
    )
    for proposal in proposals.open_proposers(conn, jobseeker_id):
        notify_many(
            conn,
            _others(event.actor_id, [proposal["proposed_by"]]),
            NoticeKind.CONSENT_CHANGED,
            key,
            {**data, "proposal_id": proposal["id"], "need_title": proposal["need_title"]},
            f"/proposals/{proposal['id']}",
        )


def install() -> None:
    """Subscribe the listener (once, however often called): the roots call this at start-up."""
    subscribe(on_event)
