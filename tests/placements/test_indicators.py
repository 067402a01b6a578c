"""Indicators on a small fixed scenario whose every figure was computed by hand (see the comments),
their exports and charts, and the commands that print them and the outcome evaluation."""

from __future__ import annotations

import csv
import io
import itertools
import json
import xml.etree.ElementTree as ET
from collections.abc import Iterator
from datetime import date
from typing import Any

import pytest
from fastapi.testclient import TestClient
from openpyxl import load_workbook
from typer.testing import CliRunner

from accounts.models import Role
from core.db import Conn, connect
from core.settings import get_settings
from core.sql import insert_row
from server.cli import app as cli
from tests.conftest import AreaWorld
from tests.placements.conftest import assert_problem, insert_proposal

PERIOD = "from=2026-01-01&to=2026-03-31"
_SERIAL = itertools.count(1)
COORDINATOR, ADMIN, CASEWORKER = "a coordinator", "a admin", "a caseworker"


def _at(day: str) -> str:
    return f"{day} 10:00+02"


def _person(conn: Conn, world: AreaWorld, municipality: str, created: str, **fields: Any) -> int:
    values = {
        "area_id": world.area_id,
        "pseudonym": f"Hakija-{next(_SERIAL)}",
        "municipality": municipality,
        "caseworker_id": world.user_ids[Role.CASEWORKER],
        "created_at": _at(created),
        **fields,
    }
    return int(insert_row(conn, "jobseekers", values)["id"])


def _need(conn: Conn, world: AreaWorld, employer: int, municipality: str, **fields: Any) -> int:
    values = {
        "area_id": world.area_id,
        "employer_id": employer,
        "title": "Tehtävä",
        "municipality": municipality,
    }
    return int(insert_row(conn, "needs", {**values, **fields})["id"])


def _placed(
    conn: Conn,
    world: AreaWorld,
    need: tuple[int, int],
    person: int,
    form: str,
    start: str,
    proposed: str,
    answered: str,
    by: Role,
    rank: int | None,
) -> int:
    proposal = insert_proposal(
        conn,
        world,
        need[0],
        person,
        employer_id=need[1],
        state="placed",
        proposed_by=world.user_ids[by],
        created_at=_at(proposed),
        answer="interested",
        answered_at=_at(answered),
        rank=rank,
    )
    values = {
        "area_id": world.area_id,
        "proposal_id": proposal,
        "need_id": need[0],
        "employer_id": need[1],
        "jobseeker_id": person,
        "form": form,
        "start_date": date.fromisoformat(start),
    }
    return int(insert_row(conn, "placements", values)["id"])


def build_scenario(db: str, world: AreaWorld) -> None:
    """The fixed scenario; the period of the expectations is 2026-01-01 .. 2026-03-31."""
    with connect(db) as conn:
        w = world.employer_id  # a firm in Turku
        municipal = {
            "business_id": "1572860-0",
            "name": "Liedon kunta",
            "is_municipal": True,
            "kind": "public_body",
        }
        conn.execute("UPDATE employers SET kind = 'firm' WHERE id = %s", (w,))
        m = int(
            insert_row(conn, "employers", {"area_id": world.area_id, "municipality": "Lieto", **municipal})[
                "id"
            ]
        )
        visit = {"kind": "visit", "contact_date": date(2026, 1, 3), "summary": "Käynti"}
        by = {"area_id": world.area_id, "employer_id": w, "user_id": world.user_ids[Role.COORDINATOR]}
        contact = int(insert_row(conn, "contacts", {**by, **visit})["id"])
        n_t = (_need(conn, world, w, "Turku", visibility="hidden"), w)  # hidden
        n_t2 = (_need(conn, world, w, "Turku"), w)
        n_l = (_need(conn, world, w, "Lieto", contact_id=contact), w)  # hidden: from a contact
        n_m = (_need(conn, world, m, "Lieto", is_assistive=True), m)
        n_m2 = (_need(conn, world, m, "Lieto"), m)

        j1 = _person(conn, world, "Turku", "2025-06-01")
        j2 = _person(conn, world, "Turku", "2025-06-01")
        j3 = _person(conn, world, "Lieto", "2025-06-01")
        j4 = _person(conn, world, "Lieto", "2026-02-15", caseworker_id=None)
        _person(conn, world, "Lieto", "2026-05-01")  # registered after the period: not active
        _person(conn, world, "Turku", "2025-01-01", archived=True)  # archived: not active
        j7 = _person(conn, world, "Turku", "2025-06-01")
        _person(conn, world, "Lieto", "2025-06-01")  # j8: active, never placed

        c, a = Role.COORDINATOR, Role.ADMIN
        _placed(conn, world, n_t, j1, "work_trial", "2026-01-10", "2026-01-01", "2026-01-02", c, 1)  # PL1
        _placed(conn, world, n_t2, j1, "open_job", "2026-04-15", "2026-04-01", "2026-04-02", c, 1)  # PL2
        pl3 = _placed(conn, world, n_m, j3, "assistive_task", "2026-02-01", "2026-01-20", "2026-01-22", a, 3)
        _placed(conn, world, n_l, j4, "pay_subsidy", "2026-03-01", "2026-02-16", "2026-02-17", c, 12)  # PL4
        _placed(conn, world, n_m2, j2, "pay_subsidy", "2026-03-20", "2026-03-01", "2026-03-02", a, None)
        pl6 = _placed(conn, world, n_t, j7, "work_trial", "2026-03-10", "2026-03-01", "2026-03-03", c, 2)
        for placement, outcome in ((pl3, "studies"), (pl6, "unemployed")):
            insert_row(
                conn, "placement_follow_ups", {"placement_id": placement, "due_months": 3, "outcome": outcome}
            )
        # Q1 answered within the period, Q2 after it, Q3 never.
        q1 = {"answer": "interested", "answered_at": _at("2026-01-07"), "state": "interested"}
        insert_proposal(conn, world, n_t[0], j2, created_at=_at("2026-01-05"), **q1)
        q2 = {
            "answer": "not_suitable",
            "reason_code": "skills",
            "answered_at": _at("2026-04-02"),
            "state": "declined",
        }
        insert_proposal(conn, world, n_l[0], j3, created_at=_at("2026-02-10"), **q2)
        q3 = {"employer_id": m, "proposed_by": world.user_ids[a]}
        insert_proposal(conn, world, n_m[0], j4, created_at=_at("2026-03-05"), **q3)
        conn.commit()


# (value, numerator, denominator) per indicator and group, computed by hand from the scenario.
NO_MONTHS = {"2026-01": (None, 0, 0), "2026-02": (None, 0, 0), "2026-03": (None, 0, 0)}
EXPECTED: dict[str, dict[str, dict[str, tuple[Any, int | None, int | None]]]] = {
    "activation_rate": {
        # in an activating service (pay subsidy, work trial; no referrals here) on a day of the period:
        # j1 (PL1 from 01-10, not ended), j4 (PL4), j2 (PL5), j7 (PL6); active: j1 j2 j3 j4 j7 j8
        "area": {"Testialue": (round(4 / 6, 4), 4, 6)},
        "municipality": {"Turku": (1.0, 3, 3), "Lieto": (round(1 / 3, 4), 1, 3)},
        "coordinator": {CASEWORKER: (0.6, 3, 5), "(none)": (1.0, 1, 1)},
        # January: j1 of j1 j2 j3 j7 j8; February: j1 (still in the trial) of six; March: j1 j4 j2 j7
        "month": {
            "2026-01": (0.2, 1, 5),
            "2026-02": (round(1 / 6, 4), 1, 6),
            "2026-03": (round(4 / 6, 4), 4, 6),
        },
    },
    "rehabilitation_transition_rate": {
        # no referral to rehabilitative work activity ended: no figure
        "area": {"Testialue": (None, 0, 0)},
        "municipality": {},
        "coordinator": {},
        "month": NO_MONTHS,
    },
    "subsidised_firm_start_rate": {
        # pay subsidy starts: PL4 (j4, Lieto, no caseworker) at the firm, PL5 (j2, Turku) at the municipality
        "area": {"Testialue": (0.5, 1, 2)},
        "municipality": {"Turku": (0.0, 0, 1), "Lieto": (1.0, 1, 1)},
        "coordinator": {CASEWORKER: (0.0, 0, 1), "(none)": (1.0, 1, 1)},
        "month": {"2026-01": (None, 0, 0), "2026-02": (None, 0, 0), "2026-03": (0.5, 1, 2)},
    },
    "bonus_score": {
        # the transition rate has no figure, so neither has the score
        "area": {"Testialue": (None, None, None)},
        "municipality": {"Turku": (None, None, None), "Lieto": (None, None, None)},
        "coordinator": {CASEWORKER: (None, None, None), "(none)": (None, None, None)},
        "month": {
            "2026-01": (None, None, None),
            "2026-02": (None, None, None),
            "2026-03": (None, None, None),
        },
    },
    "placement_start_rate": {
        # started in the period: j1 j3 j4 j2 j7; active: j1 j2 j3 j4 j7 j8
        "area": {"Testialue": (round(5 / 6, 4), 5, 6)},
        "municipality": {"Turku": (1.0, 3, 3), "Lieto": (round(2 / 3, 4), 2, 3)},
        "coordinator": {CASEWORKER: (0.8, 4, 5), "(none)": (1.0, 1, 1)},
        # January: j1 of j1 j2 j3 j7 j8; February: j3 of six (j4 registered); March: j4 j2 j7 of six
        "month": {"2026-01": (0.2, 1, 5), "2026-02": (round(1 / 6, 4), 1, 6), "2026-03": (0.5, 3, 6)},
    },
    "assistive_transitions": {
        # PL1 (later open job PL2) and PL3 (studies) moved on; PL6 (unemployed) did not
        "area": {"Testialue": (round(2 / 3, 4), 2, 3)},
        "municipality": {"Turku": (0.5, 1, 2), "Lieto": (1.0, 1, 1)},
        "coordinator": {COORDINATOR: (0.5, 1, 2), ADMIN: (1.0, 1, 1)},
        "month": {"2026-01": (1.0, 1, 1), "2026-02": (1.0, 1, 1), "2026-03": (0.0, 0, 1)},
    },
    "wage_subsidised_starts": {
        # PL4 at the firm counts; PL5 at the municipality does not
        "area": {"Testialue": (1, 1, None)},
        "municipality": {"Lieto": (1, 1, None)},
        "coordinator": {COORDINATOR: (1, 1, None)},
        "month": {"2026-01": (0, 0, None), "2026-02": (0, 0, None), "2026-03": (1, 1, None)},
    },
    "median_days_to_placement": {
        # days: PL1 9, PL3 12, PL4 13, PL5 19, PL6 9
        "area": {"Testialue": (12.0, 5, None)},
        "municipality": {"Turku": (9.0, 2, None), "Lieto": (13.0, 3, None)},
        "coordinator": {COORDINATOR: (9.0, 3, None), ADMIN: (15.5, 2, None)},
        "month": {"2026-01": (9.0, 1, None), "2026-02": (12.0, 1, None), "2026-03": (13.0, 3, None)},
    },
    "employer_response_rate": {
        # sent in the period: five placed ones and Q1 (answered), Q2 (answered too late), Q3 (never)
        "area": {"Testialue": (0.75, 6, 8)},
        "municipality": {"Turku": (1.0, 3, 3), "Lieto": (0.6, 3, 5)},
        "coordinator": {COORDINATOR: (0.8, 4, 5), ADMIN: (round(2 / 3, 4), 2, 3)},
        "month": {"2026-01": (1.0, 3, 3), "2026-02": (0.5, 1, 2), "2026-03": (round(2 / 3, 4), 2, 3)},
    },
    "hidden_need_share": {
        # PL1 and PL6 (hidden need) and PL4 (need from a contact) of five
        "area": {"Testialue": (0.6, 3, 5)},
        "municipality": {"Turku": (1.0, 2, 2), "Lieto": (round(1 / 3, 4), 1, 3)},
        "coordinator": {COORDINATOR: (1.0, 3, 3), ADMIN: (0.0, 0, 2)},
        "month": {"2026-01": (1.0, 1, 1), "2026-02": (0.0, 0, 1), "2026-03": (round(2 / 3, 4), 2, 3)},
    },
}


def test_every_indicator_equals_its_hand_computed_value(
    client: TestClient, db: str, world: AreaWorld
) -> None:
    build_scenario(db, world)
    for by in ("area", "municipality", "coordinator", "month"):
        reply = client.get(f"/api/v1/indicators?{PERIOD}&by={by}", headers=world.headers(Role.COORDINATOR))
        assert reply.status_code == 200, reply.text
        body = reply.json()
        assert (body["from"], body["to"], body["by"]) == ("2026-01-01", "2026-03-31", by)
        got = {ind["name"]: ind for ind in body["indicators"]}
        assert set(got) == set(EXPECTED)
        for name, expected in EXPECTED.items():
            assert len(got[name]["definition"]) > 80, name
            series = {p["label"]: (p["value"], p["numerator"], p["denominator"]) for p in got[name]["series"]}
            assert series == expected[by], (name, by)


@pytest.fixture
def cli_env(db: str) -> Iterator[dict[str, str]]:
    get_settings.cache_clear()
    yield {"KOHTAAMO_DATABASE_URL": db}
    get_settings.cache_clear()


def test_indicators_export_as_csv_xlsx_and_charts(client: TestClient, db: str, world: AreaWorld) -> None:
    build_scenario(db, world)
    h = world.headers(Role.ADMIN)

    exported = client.get(f"/api/v1/indicators.csv?{PERIOD}&by=municipality", headers=h)
    assert exported.status_code == 200
    assert exported.headers["content-type"].startswith("text/csv")
    rows = list(csv.DictReader(io.StringIO(exported.text)))
    hidden = {r["label"]: r["value"] for r in rows if r["indicator"] == "hidden_need_share"}
    assert hidden == {"Lieto": "0.3333", "Turku": "1.0"}

    workbook = client.get(f"/api/v1/indicators.xlsx?{PERIOD}&by=month", headers=h)
    assert workbook.status_code == 200
    book = load_workbook(io.BytesIO(workbook.content))
    assert book.sheetnames == ["Indicators", "Definitions"]
    sheet = list(book["Indicators"].iter_rows(values_only=True))
    assert sheet[0][:5] == ("indicator", "unit", "group", "label", "value")
    march = [r for r in sheet if r[0] == "median_days_to_placement" and r[3] == "2026-03"]
    assert march[0][4] == 13
    definitions = {r[0]: r[3] for r in book["Definitions"].iter_rows(values_only=True) if r and r[0]}
    assert "pay_subsidy" in definitions["wage_subsidised_starts"]

    for by in ("area", "municipality"):
        png = client.get(f"/api/v1/indicators/activation_rate/chart.png?{PERIOD}&by={by}", headers=h)
        assert png.status_code == 200 and png.headers["content-type"] == "image/png"
        assert png.content.startswith(b"\x89PNG\r\n\x1a\n")
    svg = client.get(f"/api/v1/indicators/median_days_to_placement/chart.svg?{PERIOD}", headers=h)
    assert svg.status_code == 200 and svg.headers["content-type"].startswith("image/svg+xml")
    assert "<svg" in svg.text and "maalis 2026" in svg.text
    unknown = client.get(f"/api/v1/indicators/happiness/chart.png?{PERIOD}", headers=h)
    assert unknown.status_code == 404


def test_the_api_draws_the_svg_chart_wide_or_narrow_as_the_pages_do(
    client: TestClient, db: str, world: AreaWorld
) -> None:
    build_scenario(db, world)
    h = world.headers(Role.COORDINATOR)
    address = f"/api/v1/indicators/employer_response_rate/chart.svg?{PERIOD}&by=municipality"
    default, wide, narrow = (
        client.get(address + extra, headers=h) for extra in ("", "&size=wide", "&size=narrow")
    )
    for reply in (default, wide, narrow):
        assert reply.status_code == 200 and reply.headers["content-type"].startswith("image/svg+xml")
    assert default.content == wide.content
    drawn = {size: ET.fromstring(reply.text) for size, reply in (("wide", wide), ("narrow", narrow))}
    assert drawn["wide"].get("viewBox") == "0 0 640 360"
    width, height = (drawn["narrow"].get("viewBox") or "").split()[2:]
    assert width == "360" and int(height) > 400  # taller by the legend of Lieto and Turku under it
    title = "{http://www.w3.org/2000/svg}title"
    assert [svg.find(title).text for svg in drawn.values()] == ["Työnantajien vastausaste"] * 2  # type: ignore[union-attr]

    operation = client.get("/openapi.json").json()["paths"]["/api/v1/indicators/{name}/chart.svg"]["get"]
    [documented] = [p["schema"] for p in operation["parameters"] if p["name"] == "size"]
    assert (documented["enum"], documented["default"]) == (["wide", "narrow"], "wide")


@pytest.mark.parametrize("size", ["huge", "", "Narrow", "narrow "])
def test_an_api_chart_size_other_than_wide_or_narrow_is_a_problem(
    client: TestClient, world: AreaWorld, size: str
) -> None:
    reply = client.get(
        "/api/v1/indicators/activation_rate/chart.svg",
        params={"from": "2026-01-01", "to": "2026-03-31", "size": size},
        headers=world.headers(Role.COORDINATOR),
    )
    body = assert_problem(reply, 422, field="size")
    assert "wide" in body["detail"] and "narrow" in body["detail"]


def test_commands_print_indicators_and_the_outcome_evaluation(
    db: str, world: AreaWorld, cli_env: dict[str, str], tmp_path: Any
) -> None:
    build_scenario(db, world)
    runner = CliRunner()
    base = ["indicators", "--area", "Testialue", "--from", "2026-01-01", "--to", "2026-03-31"]

    as_json = runner.invoke(cli, [*base, "--by", "coordinator", "--format", "json"], env=cli_env)
    assert as_json.exit_code == 0, as_json.output
    result = json.loads(as_json.stdout)
    response = next(i for i in result["indicators"] if i["name"] == "employer_response_rate")
    assert {p["label"]: p["value"] for p in response["series"]} == {ADMIN: round(2 / 3, 4), COORDINATOR: 0.8}

    table = runner.invoke(cli, base, env=cli_env)
    assert table.exit_code == 0, table.output
    assert "Aktivointiaste" in table.stdout and "0.8333" in table.stdout
    assert "placement_start_rate" in table.stdout
    assert "activation_rate: Aktivointiaste" in table.stdout

    target = tmp_path / "indikaattorit.xlsx"
    written = runner.invoke(cli, [*base, "--format", "xlsx", "--out", str(target)], env=cli_env)
    assert written.exit_code == 0, written.output
    assert load_workbook(target).sheetnames == ["Indicators", "Definitions"]
    assert runner.invoke(cli, [*base, "--format", "xlsx"], env=cli_env).exit_code == 1
    assert runner.invoke(cli, [*base[:2], "Atlantis", *base[3:]], env=cli_env).exit_code == 1

    outcomes = runner.invoke(cli, ["outcomes", "--area", "Testialue"], env=cli_env)
    assert outcomes.exit_code == 0, outcomes.output
    via_eval = runner.invoke(cli, ["eval", "--outcomes", "--area", "Testialue"], env=cli_env)
    assert via_eval.exit_code == 0, via_eval.output
    assert json.loads(via_eval.stdout)["mrr"] == json.loads(outcomes.stdout)["mrr"]
    lines = outcomes.stdout.strip().splitlines()
    assert len(lines) == 1
    report = json.loads(lines[0])
    # placed proposals' frozen ranks, by id: 1, 1, 3, 12, none, 2
    assert report["queries"] == 6
    assert report["mrr"] == round((1 + 1 + 1 / 3 + 1 / 12 + 0 + 1 / 2) / 6, 4)
    assert report["mrr@10"] == round((1 + 1 + 1 / 3 + 0 + 0 + 1 / 2) / 6, 4)
    assert report["recall@10"] == round(4 / 6, 4)
    assert report["unranked"] == 1
    assert report["labels"] == {"placed": 6, "interested": 1, "rejected": 1, "unknown": 1}


def test_the_indicators_command_defaults_the_period_as_the_api_does(
    client: TestClient, db: str, world: AreaWorld, cli_env: dict[str, str]
) -> None:
    build_scenario(db, world)
    runner = CliRunner()

    printed = runner.invoke(cli, ["indicators", "--area", "Testialue", "--format", "json"], env=cli_env)

    assert printed.exit_code == 0, printed.output
    answered = client.get("/api/v1/indicators", headers=world.headers(Role.ADMIN))
    assert answered.status_code == 200
    result, body = json.loads(printed.stdout), answered.json()
    assert (result["from"], result["to"]) == (body["from"], body["to"])
    assert date.fromisoformat(result["from"]).day == 1
    assert result["indicators"] == body["indicators"]
    only_start = runner.invoke(
        cli, ["indicators", "--area", "Testialue", "--from", "2026-01-01", "--format", "json"], env=cli_env
    )
    assert json.loads(only_start.stdout)["to"] == body["to"]
