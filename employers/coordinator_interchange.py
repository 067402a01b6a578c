"""The trail of an employer's responsible coordinator in and out of the JSONL interchange format.

``{"type": "coordinator_change", "employer": "e1", "previous_user": null, "new_user":
"koordinaattori@alue.fi", "actor": "admin@alue.fi", "actor_name": "Aino Admin", "at":
"2026-03-02T09:15:00.123456+00:00"}``: one row of ``employer_coordinator_changes``, the employer by its
external id and the users by email (``null``: none, or a user since deleted; an ``actor`` ``null`` with an
``actor_name`` such as ``cli:…`` is the operator). A change has no external id: it is known by its
employer, ``at`` and new user, so importing a file twice writes it once. An import writes the lines as
given; an employer whose trail the file carries gets no change row of the import's own when its line
sets its coordinator (:func:`employers.interchange.upsert_employers`). Nothing here commits.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from datetime import UTC
from typing import Annotated, Any

from pydantic import AwareDatetime, StringConstraints

from core.bulk import Outcome, json_time
from core.db import Conn
from employers.interchange import Email
from employers.schemas import ExternalId, Strict


class CoordinatorChangeRecord(Strict):
    """``{"type": "coordinator_change", ...}``: see the module's docstring."""

    employer: ExternalId
    previous_user: Email | None = None
    new_user: Email | None = None
    actor: Email | None = None
    actor_name: Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=200)]
    at: AwareDatetime

    @property
    def key(self) -> tuple[str, str, str]:
        """What names the change among the employer's: the employer, when and who became responsible."""
        return self.employer, self.at.astimezone(UTC).isoformat(), (self.new_user or "").lower()

    @property
    def external_id(self) -> str:
        """The key as one string, for the messages that name a line by its external id."""
        return " ".join(self.key)

    def references(self) -> list[tuple[str, str, str]]:
        """``(field, kind, external id or email)`` of every row the line names."""
        refs = [("employer", "employer", self.employer)]
        for name in ("previous_user", "new_user", "actor"):
            email = getattr(self, name)
            refs += [(name, "user", email.lower())] if email else []
        return refs


def upsert_changes(
    conn: Conn,
    area_id: int,
    records: Sequence[CoordinatorChangeRecord],
    employer_ids: Mapping[str, int],
    user_ids: Mapping[str, int],
) -> list[tuple[int, Outcome]]:
    """Write the changes of validated lines as given; ``(id, outcome)`` per line, in order. The mappings
    resolve the employers (external ids) and users (lower-case emails)."""
    out: list[tuple[int, Outcome]] = []
    for record in records:
        values: dict[str, Any] = {
            "previous_user_id": user_ids[record.previous_user.lower()] if record.previous_user else None,
            "actor_id": user_ids[record.actor.lower()] if record.actor else None,
            "actor_name": record.actor_name,
        }
        key = {
            "area_id": area_id,
            "employer_id": employer_ids[record.employer],
            "at": record.at,
            "new_user_id": user_ids[record.new_user.lower()] if record.new_user else None,
        }
        row = conn.execute(
            "SELECT * FROM employer_coordinator_changes WHERE area_id = %(area_id)s"
            " AND employer_id = %(employer_id)s AND at = %(at)s"
            " AND new_user_id IS NOT DISTINCT FROM %(new_user_id)s ORDER BY id LIMIT 1",
            key,
        ).fetchone()
        if row is None:
            created = conn.execute(
                "INSERT INTO employer_coordinator_changes"
                " (area_id, employer_id, previous_user_id, new_user_id, actor_id, actor_name, at)"
                " VALUES (%(area_id)s, %(employer_id)s, %(previous_user_id)s, %(new_user_id)s,"
                " %(actor_id)s, %(actor_name)s, %(at)s) RETURNING id",
                {**key, **values},
            ).fetchone()
            assert created is not None
            out.append((int(created["id"]), "created"))
        elif any(row[k] != v for k, v in values.items()):
            conn.execute(
                "UPDATE employer_coordinator_changes SET previous_user_id = %(previous_user_id)s,"
                " actor_id = %(actor_id)s, actor_name = %(actor_name)s WHERE id = %(id)s",
                {**values, "id": row["id"]},
            )
            out.append((int(row["id"]), "updated"))
        else:
            out.append((int(row["id"]), "unchanged"))
    return out


def export_changes(
    conn: Conn, area_id: int, employer_ext: Mapping[int, str], emails: Mapping[int, str]
) -> list[dict[str, Any]]:
    """Every coordinator change of the area as a line, by employer (external id) and then in order."""
    rows = conn.execute(
        "SELECT * FROM employer_coordinator_changes WHERE area_id = %s ORDER BY at, id", (area_id,)
    ).fetchall()
    lines = [
        {
            "type": "coordinator_change",
            "employer": employer_ext[row["employer_id"]],
            "previous_user": emails.get(row["previous_user_id"]) if row["previous_user_id"] else None,
            "new_user": emails.get(row["new_user_id"]) if row["new_user_id"] else None,
            "actor": emails.get(row["actor_id"]) if row["actor_id"] else None,
            "actor_name": row["actor_name"],
            "at": json_time(row["at"]),
        }
        for row in rows
    ]
    return sorted(lines, key=lambda line: str(line["employer"]))  # stable: in order within an employer
