"""A year behind the demo area: twelve months of employer contacts (by both demo coordinators and the
demo caseworker), needs found through them (hidden ones among them), proposals with their frozen intro
cards, the employers' answers, placements of every form with their 3- and 6-month follow-ups, and
referrals to every kind of service with their ends and outcomes, so that every indicator and chart has a
trend. Two third-sector organisations join the employers, and sixty more jobseekers (``vs-h001`` …,
every other one the demo caseworker's client) are the ones placed: the demo file's own jobseekers are
proposed and turned down, never placed, so that importing the file again changes nothing.

Everything is made through the product's services (:mod:`demo.history_work`) and then dated in the
months before today (``core.clock``), so the charts always show the last year. Deterministic (one
seeded random source); loading again adds nothing: an area that has any proposal already has its
history."""

from __future__ import annotations

import logging
import random
from datetime import date, timedelta
from typing import Any, Final

from accounts import service as accounts
from accounts.models import Principal, operator, operator_name
from core import clock
from core.clock import add_months
from core.db import Conn
from demo import history_texts as texts
from demo.generate import SEED, Generator
from demo.history_work import Actors, answer, hire, moment, propose, ranked, turn_down
from embeddings import Embedder
from employers import service as employers
from employers.interchange import stored_employers
from employers.schemas import ContactEntry, EmployerCreate, NeedEntry
from interchange.records import parse_record
from jobseekers.consents import record_standing_consents
from jobseekers.interchange import JobseekerRecord, assign_caseworker, upsert_jobseekers
from jobseekers.schemas import ConsentScope
from matching.engine import MatchingEngine
from matching.follower import embed_stale_and_load
from placements.indicators import months
from placements.schemas import AnswerIn
from placements.settings import PlacementSettings
from services import providers, referrals
from services.schemas import ReferralIn

log = logging.getLogger(__name__)

PEOPLE: Final = 60
"""Jobseekers of the history (``vs-h001`` …), the ones placed."""
REASON: Final = "demo data"
CONTACTS_PER_MONTH: Final = 6
Fill = tuple[int, str, date, date, Principal, int]
"""A placement to be made: the need, the form, the start, the day of the proposal, the coordinator
confirming it and the number of its pay-subsidy decision."""
TEMPLATE_FIELDS: Final = (
    "title",
    "description",
    "skills",
    "nice_skills",
    "occupation",
    "municipality",
    "latitude",
    "longitude",
    "hours_per_week",
    "shifts",
    "languages",
    "physical_demands",
    "adaptations",
    "supervisor_on_site",
    "is_assistive",
    "municipal_unit",
    "text_language",
)
"""What a need of the year copies from an earlier need of the same employer (its certificates not, so
that the history's jobseekers may be proposed)."""


def has_history(conn: Conn, area_id: int) -> bool:
    """Whether the area has its history already (any proposal at all)."""
    row = conn.execute(
        "SELECT EXISTS (SELECT FROM proposals WHERE area_id = %s) AS made", (area_id,)
    ).fetchone()
    return bool(row and row["made"])


def load_history(
    conn: Conn,
    area_id: int,
    coordinator_ids: list[int],
    caseworker_id: int,
    employer_user_id: int,
    embedder: Embedder,
) -> int:
    """Give the demo area its year (see the module docstring) unless it has one; how many placements
    were made now."""
    if has_history(conn, area_id):
        return 0
    rng = random.Random(f"{SEED}-history")
    _third_sector(conn, area_id, coordinator_ids[0])
    people = _people(conn, area_id, caseworker_id)
    record_standing_consents(conn, area_id, ConsentScope.SHARE_PROFILE, operator_name())
    _date_registrations(conn, area_id)
    actors = Actors(
        coordinators=[_principal(conn, u) for u in coordinator_ids],
        caseworker=_principal(conn, caseworker_id),
        employer_user=_principal(conn, employer_user_id),
        engine=MatchingEngine(embedder),
        settings=PlacementSettings(),
        rng=rng,
    )
    year = list(months(add_months(clock.today().replace(day=1), -11), clock.today()))
    made = _Year(conn, area_id, actors, people)
    fills = [fill for index, (_, first, last) in enumerate(year) for fill in made.month(index, first, last)]
    waiting = made.waiting_need()
    # The year's needs and people are embedded together, in batches, before any is ranked.
    embed_stale_and_load(conn, actors.engine)
    for fill in fills:
        made.fill(*fill)
    made.waiting_cards(waiting)
    _referrals(conn, area_id, actors, year)
    conn.execute(
        "UPDATE needs n SET updated_at = greatest(n.created_at, (SELECT max(pl.created_at) FROM placements pl"
        " WHERE pl.need_id = n.id)) WHERE n.id = ANY(%s)",
        (made.needs,),
    )
    return made.placements


def _principal(conn: Conn, user_id: int) -> Principal:
    principal = accounts.principal_for_user(conn, user_id)
    assert principal is not None
    return principal


def _third_sector(conn: Conn, area_id: int, coordinator_id: int) -> None:
    """The third-sector employers, with the first demo coordinator responsible for them."""
    known = stored_employers(conn, area_id, [e["external_id"] for e in texts.THIRD_SECTOR])
    for employer in texts.THIRD_SECTOR:
        if employer["external_id"] not in known:
            data = EmployerCreate.model_validate({**employer, "responsible_coordinator": coordinator_id})
            employers.create_employer(conn, area_id, data, operator(area_id))


def _people(conn: Conn, area_id: int, caseworker_id: int) -> list[int]:
    """The history's jobseekers, registered as the import registers them (every other one the demo
    caseworker's client), accepting any placement form; their ids."""
    generator = Generator(seed=SEED + 1)
    records: list[JobseekerRecord] = []
    for n in range(1, PEOPLE + 1):
        line = generator.jobseeker(300 + n, "fi", None) | {"external_id": f"vs-h{n:03d}"}
        line.pop("available", None)
        line.pop("placement_forms", None)
        line.pop("certificates", None)
        record = parse_record(line)
        assert isinstance(record, JobseekerRecord)
        records.append(record)
    ids = [jobseeker_id for jobseeker_id, _ in upsert_jobseekers(conn, area_id, records, {})]
    assign_caseworker(conn, area_id, [f"vs-h{n:03d}" for n in range(1, PEOPLE + 1, 2)], caseworker_id)
    return ids


def _date_registrations(conn: Conn, area_id: int) -> None:
    """Date the area's jobseekers' registration (and their consent to share their profile) when they
    became unemployed, or a deterministic day up to two years back; the history's own a year and a
    month back. Then the months of the year have jobseekers to count."""
    conn.execute(
        "UPDATE jobseekers SET created_at = CASE WHEN external_id LIKE 'vs-h%%'"
        " THEN now() - make_interval(days => 390 + abs(hashtext(external_id)) %% 30)"
        " ELSE least(created_at, coalesce((unemployed_since + 12)::timestamp AT TIME ZONE 'Europe/Helsinki',"
        " now() - make_interval(days => 20 + abs(hashtext(external_id)) %% 700))) END"
        " WHERE area_id = %s",
        (area_id,),
    )
    conn.execute(
        "UPDATE consents c SET given_at = j.created_at FROM jobseekers j"
        " WHERE j.id = c.jobseeker_id AND j.area_id = %s AND c.given_at > j.created_at",
        (area_id,),
    )


class _Year:
    """The year's contacts, needs, proposals and placements, month by month."""

    def __init__(self, conn: Conn, area_id: int, actors: Actors, people: list[int]) -> None:
        self.conn, self.area_id, self.actors = conn, area_id, actors
        self.rng = actors.rng
        self.free = list(people)
        self.filed = frozenset(
            r["id"]
            for r in conn.execute(
                "SELECT id FROM jobseekers WHERE area_id = %s AND external_id LIKE 'vs-j%%'", (area_id,)
            )
        )
        """The demo file's jobseekers: proposed, never placed."""
        self.placements = 0
        self.needs: list[int] = []
        self.employers = self._employers()
        self.templates = self._templates()

    def _employers(self) -> dict[str, list[dict[str, Any]]]:
        rows = self.conn.execute(
            "SELECT id, external_id, kind, is_municipal FROM employers WHERE area_id = %s"
            " AND external_id LIKE 'vs-e%%' ORDER BY external_id",
            (self.area_id,),
        ).fetchall()
        by_kind: dict[str, list[dict[str, Any]]] = {"firm": [], "public_body": [], "third_sector": []}
        for row in rows:
            by_kind[row["kind"]].append(row)
        return by_kind

    def _templates(self) -> dict[int, list[dict[str, Any]]]:
        rows = self.conn.execute(
            "SELECT * FROM needs WHERE area_id = %s AND external_id LIKE 'vs-n%%' ORDER BY external_id",
            (self.area_id,),
        ).fetchall()
        out: dict[int, list[dict[str, Any]]] = {}
        for row in rows:
            out.setdefault(row["employer_id"], []).append(row)
        for employer in self.employers["third_sector"]:
            out[employer["id"]] = [texts.THIRD_SECTOR_NEEDS[employer["external_id"]]]
        return out

    def _employer_for(self, form: str, index: int, nth_subsidy: int) -> dict[str, Any]:
        firms = [e for e in self.employers["firm"] if e["id"] in self.templates]
        if form == "assistive_task":
            return self.rng.choice(
                [
                    e
                    for e in self.employers["public_body"]
                    if any(t.get("is_assistive") for t in self.templates.get(e["id"], []))
                ]
            )
        if form == "pay_subsidy":
            kind = texts.subsidy_employer_kind(index, nth_subsidy)
            pool = [e for e in self.employers[kind] if e["id"] in self.templates] or firms
            return self.rng.choice(pool)
        if form in ("open_job", "recruitment_training") and index % 3 == 0:
            return firms[0]  # vs-e001, the demo employer user's organisation
        if form in ("work_trial", "summer_job") and self.rng.random() < 0.4:
            return self.rng.choice([e for e in self.employers["public_body"] if e["id"] in self.templates])
        return self.rng.choice(firms)

    def _contact(self, employer_id: int, day: date, by: Principal, n: int) -> int:
        summary = texts.CONTACT_SUMMARIES[n % len(texts.CONTACT_SUMMARIES)]
        body: dict[str, Any] = {
            "kind": texts.CONTACT_KINDS[n % len(texts.CONTACT_KINDS)],
            "contact_date": day,
            "summary": summary,
        }
        if n % 3 == 0:
            body |= {"next_step": texts.NEXT_STEPS[n % 4], "next_step_date": day + timedelta(days=14)}
        row = employers.create_contact(self.conn, by, employer_id, ContactEntry.model_validate(body))
        at = moment(day, 9 + n % 7, 10 * (n % 6))
        self.conn.execute(
            "UPDATE contacts SET created_at = %s, updated_at = %s WHERE id = %s", (at, at, row["id"])
        )
        return int(row["id"])

    def _need(
        self, employer: dict[str, Any], form: str, day: date, by: Principal, contact: int | None
    ) -> int:
        template = self.rng.choice(
            [
                t
                for t in self.templates[employer["id"]]
                if bool(t.get("is_assistive")) == (form == "assistive_task")
            ]
            or self.templates[employer["id"]]
        )
        body = {k: template[k] for k in TEMPLATE_FIELDS if template.get(k) not in (None, [], {}, "")}
        body |= {
            "employer_id": employer["id"],
            "placement_forms": [form] if form != "open_job" else ["open_job", "pay_subsidy"],
            "positions": 1,
            "start_date": day + timedelta(days=30),
            "visibility": "hidden" if contact is not None or self.rng.random() < 0.2 else "public",
        }
        if contact is not None:
            body["contact_id"] = contact
        row = employers.create_need(self.conn, by, NeedEntry.model_validate(body))
        at = moment(day, 10, 30)
        self.conn.execute(
            "UPDATE needs SET created_at = %s, updated_at = %s WHERE id = %s", (at, at, row["id"])
        )
        self.needs.append(row["id"])
        return int(row["id"])

    def month(self, index: int, first: date, last: date) -> list[Fill]:
        """The month's contacts, and the needs of the placements starting in it: what is to be filled."""
        rng, actors = self.rng, self.actors
        span = (last - first).days
        staff = [*actors.coordinators, actors.caseworker]
        for n in range(CONTACTS_PER_MONTH):
            employer = rng.choice([*self.employers["firm"], *self.employers["third_sector"]])
            self._contact(
                employer["id"], first + timedelta(days=rng.randint(0, span)), staff[n % 3], index + n
            )
        subsidies = 0
        fills: list[Fill] = []
        for nth, form in enumerate(texts.forms_of_month(index, first.month)):
            employer = self._employer_for(form, index, subsidies)
            subsidies += form == "pay_subsidy"
            start = first + timedelta(days=rng.randint(0, span))
            proposed = start - timedelta(days=rng.randint(14, 30))
            found = proposed - timedelta(days=rng.randint(3, 20))
            coordinator = actors.coordinators[(index + nth) % 2]
            recorder = actors.caseworker if nth == 2 else coordinator
            contact = self._contact(employer["id"], found, recorder, index + nth) if nth % 2 == 0 else None
            need = self._need(employer, form, found, recorder, contact)
            fills.append((need, form, start, proposed, coordinator, 100 * index + nth))
        return fills

    def fill(
        self, need: int, form: str, start: date, proposed: date, coordinator: Principal, reference: int
    ) -> None:
        """Propose the best of the history's people for the need and place them; propose one or two of
        the file's jobseekers too, whom the employer turns down."""
        actors, rng = self.actors, self.rng
        ours = [p for p in self.free if p in self._clients()] if rng.random() < 0.4 else []
        proposer = actors.caseworker if ours else coordinator
        pool = frozenset(ours or self.free)
        best = ranked(self.conn, actors, proposer, need, pool, 20)
        made = propose(self.conn, actors, proposer, need, best, moment(proposed, 9, 45))
        if made is None:
            log.info("no candidate of the history could be proposed for need %s", need)
            return
        proposal_id, person = made
        self.free.remove(person)
        # The other candidates are proposed while the need is open; the employer turns them down.
        others = ranked(self.conn, actors, coordinator, need, self.filed, 10)
        declined: list[tuple[int, date]] = []
        for k in range(rng.randint(1, 2)):
            day = proposed + timedelta(days=k)
            other = propose(self.conn, actors, coordinator, need, others, moment(day, 11, 15))
            if other is None:
                break
            others.remove(other[1])
            declined.append((other[0], day))
        hire(self.conn, actors, coordinator, proposal_id, form, start, reference)
        self.placements += 1
        for other_id, day in declined:
            turn_down(self.conn, actors, coordinator, other_id, day)

    def _clients(self) -> set[int]:
        rows = self.conn.execute(
            "SELECT id FROM jobseekers WHERE caseworker_id = %s AND external_id LIKE 'vs-h%%'",
            (self.actors.caseworker.user_id,),
        ).fetchall()
        return {r["id"] for r in rows}

    def waiting_need(self) -> int:
        """A need of the demo employer's organisation found twelve days ago, for two."""
        firm = self.employers["firm"][0]
        need = self._need(
            firm, "open_job", clock.today() - timedelta(days=12), self.actors.coordinators[0], None
        )
        self.conn.execute("UPDATE needs SET positions = 2 WHERE id = %s", (need,))
        return need

    def waiting_cards(self, need: int) -> None:
        """Three cards for the waiting need: one answered (interested), two waiting for an answer, one
        of them for more than a week."""
        actors, today = self.actors, clock.today()
        coordinator = actors.coordinators[0]
        candidates = ranked(self.conn, actors, coordinator, need, self.filed, 20)
        for k, days in enumerate((10, 8, 0)):
            made = propose(
                self.conn, actors, coordinator, need, candidates, moment(today - timedelta(days=days), 10)
            )
            if made is None:
                return
            candidates.remove(made[1])
            if k == 0:
                data = {"answer": "interested", "comment": "Kiinnostava, sovitaan haastattelu."}
                answer(
                    self.conn,
                    actors,
                    coordinator,
                    made[0],
                    AnswerIn.model_validate(data),
                    moment(today - timedelta(days=8), 14),
                )


def _referrals(conn: Conn, area_id: int, actors: Actors, year: list[tuple[str, date, date]]) -> None:
    """Each month a rehabilitative work activity ending (its outcome in turn) and another service
    starting, for demo caseworker's clients who have none yet; every kind of service over the year."""
    rng, caseworker = actors.rng, actors.caseworker
    offered: dict[str, int] = {}
    for provider in providers.list_providers(conn, operator(area_id))[0]:
        for service in provider["services"]:
            offered.setdefault(service, provider["id"])
    clients = [
        r["id"]
        for r in conn.execute(
            "SELECT j.id FROM jobseekers j WHERE j.area_id = %s AND j.caseworker_id = %s"
            " AND NOT EXISTS (SELECT FROM referrals r WHERE r.jobseeker_id = j.id) ORDER BY j.external_id",
            (area_id, caseworker.user_id),
        )
    ]
    today = clock.today()
    plan: list[tuple[str, date, date | None, str | None]] = []
    for index, (_, first, last) in enumerate(year):
        span = (last - first).days
        ends = first + timedelta(days=rng.randint(0, span))
        plan.append(
            (
                "rehabilitative_work",
                ends - timedelta(days=rng.randint(90, 180)),
                ends,
                texts.REHAB_OUTCOMES[index],
            )
        )
        if index % 2 == 0:
            ends = first + timedelta(days=rng.randint(0, span))
            second = "te_services" if index % 4 == 0 else "no_change"
            plan.append(("rehabilitative_work", ends - timedelta(days=rng.randint(60, 120)), ends, second))
        starts = first + timedelta(days=rng.randint(0, span))
        service = texts.OTHER_SERVICES[index % len(texts.OTHER_SERVICES)]
        finished = starts + timedelta(days=rng.randint(30, 120))
        done = finished < today and service != "start_up_grant"
        result = texts.OTHER_OUTCOMES[index % len(texts.OTHER_OUTCOMES)] if done else None
        plan.append((service, starts, finished if done else None, result))
    for client, (kind, begins, stops, outcome) in zip(clients, plan, strict=False):
        body = {
            "provider_id": offered[kind],
            "service": kind,
            "starts_on": begins,
            "ends_on": stops,
            "outcome": outcome,
        }
        row = referrals.refer(conn, caseworker, client, ReferralIn.model_validate(body), REASON)
        at = moment(begins - timedelta(days=rng.randint(3, 14)), 13, 5)
        conn.execute(
            "UPDATE referrals SET created_at = %s, updated_at = %s WHERE id = %s", (at, at, row["id"])
        )
