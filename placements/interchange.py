"""Proposals and placements in and out of the JSONL interchange format: an area's history as it happened.

A ``proposal`` line is one proposal of a jobseeker for a need (``need`` and ``jobseeker`` by external id,
the pair unique as in the area) with everything frozen at the time: the ranking ``explanation``, ``rank``,
``score``, ``model_id`` and the intro ``card`` exactly as stored, the employer's answer, and its state
``history`` (each step with who took it, by email). A ``placement`` line names its proposal by external
id and carries its ``follow_ups``. Users are named by email. An import writes the history as it is: it
checks no caps, sends no card and tells no one; a new placement fills one position of its need, as
confirming one does. Nothing here commits: the caller owns the transaction.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from datetime import date
from decimal import Decimal
from typing import Annotated, Any, Final, Literal

from psycopg.types.json import Jsonb
from pydantic import AwareDatetime, Field, StringConstraints, model_validator

from core.bulk import Outcome, external_id, json_time, json_value
from core.db import Conn
from employers.interchange import Email
from employers.schemas import ExternalId, PlacementForm, Strict
from placements.schemas import Answer, FollowUpOutcome, Note, ProposalState, ReasonCode

PROPOSAL_PREFIX: Final = "proposal-"
PLACEMENT_PREFIX: Final = "placement-"
Text = Annotated[str, StringConstraints(strip_whitespace=True, max_length=2000)]


def _user(field: str, email: str | None) -> list[tuple[str, str, str]]:
    return [(field, "user", email.lower())] if email else []


class StateChange(Strict):
    """One step of a proposal's history (``proposal_events``)."""

    from_state: ProposalState | None = None
    to_state: ProposalState
    actor: Email | None = None
    note: Note = ""
    at: AwareDatetime


class ProposalRecord(Strict):
    """``{"type": "proposal", ...}``: see the module's docstring."""

    external_id: ExternalId
    need: ExternalId
    jobseeker: ExternalId
    proposed_by: Email
    note: Note = ""
    explanation: dict[str, Any]
    rank: int | None = Field(None, ge=1)
    score: float
    model_id: Annotated[str, StringConstraints(min_length=1, max_length=200)]
    card: dict[str, Any]
    state: ProposalState = ProposalState.PROPOSED
    answer: Answer | None = None
    reason_code: ReasonCode | None = None
    answer_comment: Text | None = None
    answered_at: AwareDatetime | None = None
    answered_by: Email | None = None
    event: ExternalId | None = None
    created_at: AwareDatetime | None = None
    updated_at: AwareDatetime | None = None
    history: list[StateChange] = Field(default_factory=list, max_length=100)

    @model_validator(mode="after")
    def _answered(self) -> ProposalRecord:
        if (self.answer is None) != (self.answered_at is None):
            raise ValueError("answer and answered_at go together")
        if self.answer is Answer.NOT_SUITABLE and self.reason_code is None:
            raise ValueError("a not_suitable answer needs its reason_code")
        return self

    def references(self) -> list[tuple[str, str, str]]:
        """``(field, kind, external id or email)`` of every row the line names."""
        refs = [("need", "need", self.need), ("jobseeker", "jobseeker", self.jobseeker)]
        refs += _user("proposed_by", self.proposed_by) + _user("answered_by", self.answered_by)
        refs += [("event", "event", self.event)] if self.event else []
        for i, step in enumerate(self.history):
            refs += _user(f"history.{i}.actor", step.actor)
        return refs


class FollowUp(Strict):
    """The 3- or 6-month follow-up of a placement."""

    due_months: Literal[3, 6]
    outcome: FollowUpOutcome
    note: Note = ""
    recorded_by: Email | None = None
    recorded_at: AwareDatetime | None = None


class PlacementRecord(Strict):
    """``{"type": "placement", ...}``: see the module's docstring."""

    external_id: ExternalId
    proposal: ExternalId
    form: PlacementForm
    start_date: date
    end_date: date | None = None
    hours_per_week: Decimal | None = Field(None, gt=0, max_digits=4, decimal_places=1)
    decision_reference: Annotated[str, StringConstraints(strip_whitespace=True, max_length=100)] | None = None
    subsidy_percent: int | None = Field(None, ge=1, le=100)
    subsidy_months: int | None = Field(None, ge=1, le=60)
    confirmed_by: Email | None = None
    ended_on: date | None = None
    end_reason: Text | None = None
    warnings: list[Any] = Field(default_factory=list)
    created_at: AwareDatetime | None = None
    updated_at: AwareDatetime | None = None
    follow_ups: list[FollowUp] = Field(default_factory=list, max_length=2)

    @model_validator(mode="after")
    def _consistent(self) -> PlacementRecord:
        for name in ("end_date", "ended_on"):
            day = getattr(self, name)
            if day is not None and day < self.start_date:
                raise ValueError(f"{name} is before start_date")
        if self.form is not PlacementForm.PAY_SUBSIDY and (self.subsidy_percent or self.subsidy_months):
            raise ValueError("subsidy_percent and subsidy_months are given for a pay subsidy only")
        if len({f.due_months for f in self.follow_ups}) < len(self.follow_ups):
            raise ValueError("one follow-up per due month (3 and 6)")
        return self

    def references(self) -> list[tuple[str, str, str]]:
        """``(field, kind, external id or email)`` of every row the line names."""
        refs = [("proposal", "proposal", self.proposal), *_user("confirmed_by", self.confirmed_by)]
        for i, follow_up in enumerate(self.follow_ups):
            refs += _user(f"follow_ups.{i}.recorded_by", follow_up.recorded_by)
        return refs


def _write(conn: Conn, table: str, row: Any, values: dict[str, Any], versioned: bool = True) -> Outcome:
    """Insert ``values`` (``row`` None) or update the row where they differ; the outcome."""
    bound = {k: Jsonb(v) if isinstance(v, dict | list) else v for k, v in values.items()}
    if row is None:
        columns = ", ".join(values)
        placeholders = ", ".join(f"%({k})s" for k in values)
        conn.execute(f"INSERT INTO {table} ({columns}) VALUES ({placeholders})", bound)
        return "created"
    if all(row[k] == v for k, v in values.items()):
        return "unchanged"
    assignments = ", ".join(f"{k} = %({k})s" for k in values)
    bump = ", version = version + 1" if versioned else ""
    conn.execute(f"UPDATE {table} SET {assignments}{bump} WHERE id = %(id)s", {**bound, "id": row["id"]})
    return "updated"


def upsert_proposals(
    conn: Conn,
    area_id: int,
    records: Sequence[ProposalRecord],
    need_ids: Mapping[str, int],
    jobseeker_ids: Mapping[str, int],
    user_ids: Mapping[str, int],
    event_ids: Mapping[str, int],
) -> list[Outcome]:
    """Create or update the proposals of validated lines, found by need and jobseeker, with their history
    (replaced when it differs); one outcome per line."""
    out: list[Outcome] = []
    for record in records:
        need_id, jobseeker_id = need_ids[record.need], jobseeker_ids[record.jobseeker]
        need = conn.execute("SELECT employer_id FROM needs WHERE id = %s", (need_id,)).fetchone()
        assert need is not None
        values: dict[str, Any] = record.model_dump(
            mode="json",
            include={"note", "explanation", "rank", "score", "model_id", "card", "state"},
        )
        values |= record.model_dump(include={"answer_comment", "created_at", "updated_at", "answered_at"})
        values |= {
            "area_id": area_id,
            "external_id": record.external_id,
            "need_id": need_id,
            "employer_id": need["employer_id"],
            "jobseeker_id": jobseeker_id,
            "proposed_by": user_ids[record.proposed_by.lower()],
            "answer": record.answer.value if record.answer else None,
            "reason_code": record.reason_code.value if record.reason_code else None,
            "answered_by": user_ids[record.answered_by.lower()] if record.answered_by else None,
            "event_id": event_ids[record.event] if record.event else None,
        }
        for stamp in ("created_at", "updated_at"):
            if values[stamp] is None:
                del values[stamp]
        row = conn.execute(
            "SELECT * FROM proposals WHERE need_id = %s AND jobseeker_id = %s", (need_id, jobseeker_id)
        ).fetchone()
        outcome = _write(conn, "proposals", row, values)
        stored = conn.execute(
            "SELECT id FROM proposals WHERE need_id = %s AND jobseeker_id = %s", (need_id, jobseeker_id)
        ).fetchone()
        assert stored is not None
        if _history(conn, int(stored["id"]), record.history, user_ids) and outcome == "unchanged":
            outcome = "updated"
        out.append(outcome)
    return out


def _history(conn: Conn, proposal_id: int, steps: Sequence[StateChange], user_ids: Mapping[str, int]) -> bool:
    """Replace a proposal's history with ``steps`` when it differs; True when it did."""
    wanted = [
        (
            s.from_state.value if s.from_state else None,
            s.to_state.value,
            user_ids[s.actor.lower()] if s.actor else None,
            s.note,
            s.at,
        )
        for s in steps
    ]
    stored = [
        (r["from_state"], r["to_state"], r["actor_id"], r["note"], r["at"])
        for r in conn.execute(
            "SELECT * FROM proposal_events WHERE proposal_id = %s ORDER BY at, id", (proposal_id,)
        ).fetchall()
    ]
    if stored == wanted:
        return False
    conn.execute("DELETE FROM proposal_events WHERE proposal_id = %s", (proposal_id,))
    with conn.cursor() as cur:
        cur.executemany(
            "INSERT INTO proposal_events (proposal_id, from_state, to_state, actor_id, note, at)"
            " VALUES (%s, %s, %s, %s, %s, %s)",
            [(proposal_id, *step) for step in wanted],
        )
    return True


def upsert_placements(
    conn: Conn,
    area_id: int,
    records: Sequence[PlacementRecord],
    proposal_ids: Mapping[str, int],
    user_ids: Mapping[str, int],
) -> list[Outcome]:
    """Create or update the placements of validated lines, found by proposal, with their follow-ups;
    one outcome per line. A new placement fills one position of its need (while one is left)."""
    out: list[Outcome] = []
    for record in records:
        proposal = conn.execute(
            "SELECT id, need_id, employer_id, jobseeker_id FROM proposals WHERE id = %s",
            (proposal_ids[record.proposal],),
        ).fetchone()
        assert proposal is not None
        values: dict[str, Any] = record.model_dump(
            include={
                "form", "start_date", "end_date", "hours_per_week", "decision_reference", "subsidy_percent",
                "subsidy_months", "ended_on", "end_reason", "warnings", "created_at", "updated_at",
            }
        )  # fmt: skip
        values |= {
            "area_id": area_id,
            "external_id": record.external_id,
            "proposal_id": proposal["id"],
            "need_id": proposal["need_id"],
            "employer_id": proposal["employer_id"],
            "jobseeker_id": proposal["jobseeker_id"],
            "form": record.form.value,
            "confirmed_by": user_ids[record.confirmed_by.lower()] if record.confirmed_by else None,
        }
        for stamp in ("created_at", "updated_at"):
            if values[stamp] is None:
                del values[stamp]
        row = conn.execute("SELECT * FROM placements WHERE proposal_id = %s", (proposal["id"],)).fetchone()
        outcome = _write(conn, "placements", row, values)
        if row is None:
            conn.execute(
                "UPDATE needs SET positions_filled = positions_filled + 1"
                " WHERE id = %s AND positions_filled < positions",
                (proposal["need_id"],),
            )
        stored = conn.execute(
            "SELECT id FROM placements WHERE proposal_id = %s", (proposal["id"],)
        ).fetchone()
        assert stored is not None
        if _follow_ups(conn, int(stored["id"]), record.follow_ups, user_ids) and outcome == "unchanged":
            outcome = "updated"
        out.append(outcome)
    return out


def _follow_ups(
    conn: Conn, placement_id: int, lines: Sequence[FollowUp], user_ids: Mapping[str, int]
) -> bool:
    """Write a placement's follow-ups by due month (none is removed); True when anything changed."""
    stored = {
        r["due_months"]: r
        for r in conn.execute("SELECT * FROM placement_follow_ups WHERE placement_id = %s", (placement_id,))
    }
    changed = False
    for line in lines:
        values: dict[str, Any] = {
            "placement_id": placement_id,
            "due_months": line.due_months,
            "outcome": line.outcome.value,
            "note": line.note,
            "recorded_by": user_ids[line.recorded_by.lower()] if line.recorded_by else None,
        }
        if line.recorded_at is not None:
            values["recorded_at"] = line.recorded_at
        changed |= (
            _write(conn, "placement_follow_ups", stored.get(line.due_months), values, False) != "unchanged"
        )
    return changed


def _ids(conn: Conn, table: str, ids: Sequence[int], prefix: str) -> dict[int, str]:
    rows = conn.execute(f"SELECT id, external_id FROM {table} WHERE id = ANY(%s)", (list(ids),)).fetchall()
    return {row["id"]: external_id(row, prefix) for row in rows}


def export_proposals(
    conn: Conn,
    area_id: int,
    need_ext: Mapping[int, str],
    jobseeker_ext: Mapping[int, str],
    emails: Mapping[int, str],
    event_ext: Mapping[int, str],
) -> list[dict[str, Any]]:
    """Every proposal of the area with its history as a line, sorted by external id."""
    rows = conn.execute("SELECT * FROM proposals WHERE area_id = %s", (area_id,)).fetchall()
    steps = conn.execute(
        "SELECT e.* FROM proposal_events e JOIN proposals p ON p.id = e.proposal_id WHERE p.area_id = %s"
        " ORDER BY e.at, e.id",
        (area_id,),
    ).fetchall()

    def email(user_id: int | None) -> str | None:
        return emails[user_id] if user_id is not None else None

    lines = []
    for row in rows:
        lines.append(
            {
                "type": "proposal",
                "external_id": external_id(row, PROPOSAL_PREFIX),
                "need": need_ext[row["need_id"]],
                "jobseeker": jobseeker_ext[row["jobseeker_id"]],
                "proposed_by": emails[row["proposed_by"]],
                "note": row["note"],
                "explanation": row["explanation"],
                "rank": row["rank"],
                "score": row["score"],
                "model_id": row["model_id"],
                "card": row["card"],
                "state": row["state"],
                "answer": row["answer"],
                "reason_code": row["reason_code"],
                "answer_comment": row["answer_comment"],
                "answered_at": json_time(row["answered_at"]),
                "answered_by": email(row["answered_by"]),
                "event": event_ext[row["event_id"]] if row["event_id"] is not None else None,
                "created_at": json_time(row["created_at"]),
                "updated_at": json_time(row["updated_at"]),
                "history": [
                    {
                        "from_state": s["from_state"],
                        "to_state": s["to_state"],
                        "actor": email(s["actor_id"]),
                        "note": s["note"],
                        "at": json_time(s["at"]),
                    }
                    for s in steps
                    if s["proposal_id"] == row["id"]
                ],
            }
        )
    return sorted(lines, key=lambda line: str(line["external_id"]))


def export_placements(conn: Conn, area_id: int, emails: Mapping[int, str]) -> list[dict[str, Any]]:
    """Every placement of the area with its follow-ups as a line, sorted by external id."""
    rows = conn.execute("SELECT * FROM placements WHERE area_id = %s", (area_id,)).fetchall()
    proposal_ext = _ids(conn, "proposals", [row["proposal_id"] for row in rows], PROPOSAL_PREFIX)
    follow_ups = conn.execute(
        "SELECT f.* FROM placement_follow_ups f JOIN placements p ON p.id = f.placement_id"
        " WHERE p.area_id = %s ORDER BY f.due_months",
        (area_id,),
    ).fetchall()
    lines = []
    for row in rows:
        line: dict[str, Any] = {
            "type": "placement",
            "external_id": external_id(row, PLACEMENT_PREFIX),
            "proposal": proposal_ext[row["proposal_id"]],
            "form": row["form"],
        }
        for name in ("start_date", "end_date", "hours_per_week", "decision_reference", "subsidy_percent"):
            line[name] = json_value(row[name])
        line["subsidy_months"] = row["subsidy_months"]
        line["confirmed_by"] = emails[row["confirmed_by"]] if row["confirmed_by"] is not None else None
        line["ended_on"] = json_value(row["ended_on"])
        line["end_reason"] = row["end_reason"]
        line["warnings"] = row["warnings"]
        line["created_at"] = json_time(row["created_at"])
        line["updated_at"] = json_time(row["updated_at"])
        line["follow_ups"] = [
            {
                "due_months": f["due_months"],
                "outcome": f["outcome"],
                "note": f["note"],
                "recorded_by": emails[f["recorded_by"]] if f["recorded_by"] is not None else None,
                "recorded_at": json_time(f["recorded_at"]),
            }
            for f in follow_ups
            if f["placement_id"] == row["id"]
        ]
        lines.append(line)
    return sorted(lines, key=lambda line: str(line["external_id"]))
