"""Recruitment events of the demo area: a fair that was held (with who came), an entrepreneurs' morning
coffee and a pop-up Friday coming up. Organised by the demo coordinator; the employers and jobseekers are
the demo file's. Dates count from today. Loading again adds nothing: an event whose external id exists is
left alone."""

from __future__ import annotations

from datetime import timedelta
from typing import Final

from accounts import service as accounts
from core import clock
from core.db import Conn
from employers.interchange import stored_employers
from jobseekers.interchange import stored_jobseekers
from recruitment import interchange, service
from recruitment.schemas import (
    Attendance,
    AttendanceIn,
    EmployerAttendanceIn,
    EventCreate,
    EventKind,
    JobseekerAttendanceIn,
)

# external id, kind, title, days from today, municipality, place, employers, jobseekers, who came
EVENTS: Final = (
    (
        "vs-ev001",
        EventKind.FAIR,
        "MegaRekry Turku",
        -21,
        "Turku",
        "Logomo",
        ("vs-e001", "vs-e002", "vs-e003"),
        ("vs-j001", "vs-j002", "vs-j004", "vs-j007"),
        ("vs-e001", "vs-e003", "vs-j001", "vs-j004"),
    ),
    (
        "vs-ev002",
        EventKind.MORNING_COFFEE,
        "Yrittäjien aamukahvit Liedossa",
        -7,
        "Lieto",
        "",
        ("vs-e004",),
        (),
        ("vs-e004",),
    ),
    (
        "vs-ev003",
        EventKind.POPUP_FRIDAY,
        "Pop-up-perjantai: varasto- ja logistiikkatyöt",
        10,
        "Raisio",
        "Raision kirjasto",
        ("vs-e003", "vs-e005"),
        ("vs-j010", "vs-j013"),
        (),
    ),
)


def load_events(conn: Conn, area_id: int, coordinator_id: int) -> int:
    """The demo events that are missing, with their participants and attendance; how many were made."""
    coordinator = accounts.principal_for_user(conn, coordinator_id)
    assert coordinator is not None
    existing = interchange.stored_events(conn, area_id, [e[0] for e in EVENTS])
    made = 0
    for ext, kind, title, days, municipality, place, firms, people, came in EVENTS:
        if ext in existing:
            continue
        employer_ids = {k: v.id for k, v in stored_employers(conn, area_id, list(firms)).items()}
        jobseeker_ids = stored_jobseekers(conn, area_id, list(people))
        event = service.create_event(
            conn,
            coordinator,
            EventCreate(
                external_id=ext,
                kind=kind,
                title=title,
                event_date=clock.today() + timedelta(days=days),
                municipality=municipality,
                place=place,
                organiser_id=coordinator_id,
                employer_ids=list(employer_ids.values()),
                jobseeker_ids=list(jobseeker_ids.values()),
            ),
        )
        marks = AttendanceIn(
            employers=[
                EmployerAttendanceIn(
                    employer_id=i, attendance=Attendance.ATTENDED if k in came else Attendance.ABSENT
                )
                for k, i in employer_ids.items()
            ]
            if came
            else [],
            jobseekers=[
                JobseekerAttendanceIn(
                    jobseeker_id=i, attendance=Attendance.ATTENDED if k in came else Attendance.ABSENT
                )
                for k, i in jobseeker_ids.items()
            ]
            if came
            else [],
        )
        if came:
            service.record_attendance(conn, coordinator, event["id"], marks)
        made += 1
    return made
