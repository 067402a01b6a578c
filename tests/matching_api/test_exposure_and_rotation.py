"""Exposure of an area's rankings (command and admin view) and near-equal candidates rotated by showing."""

from __future__ import annotations

import datetime as dt
import json
import re
from collections.abc import Callable, Iterator

import pytest
from fastapi.testclient import TestClient
from typer.testing import CliRunner

from accounts.models import Role
from core.db import connect
from core.settings import get_settings
from server.cli import app as cli
from tests.conftest import AreaWorld
from tests.matching_api.conftest import insert_jobseeker, insert_need
from tests.web.conftest import Browser, email


@pytest.fixture
def cli_env(db: str) -> Iterator[dict[str, str]]:
    get_settings.cache_clear()
    yield {"KOHTAAMO_DATABASE_URL": db}
    get_settings.cache_clear()


def _area_of_three(db: str, world: AreaWorld, indexed: Callable[[str, int], None]) -> dict[str, int]:
    """Two open needs in Lieto; two jobseekers who may work there and one who may not (1 km commute
    from Mynämäki): appearances 2, 2 and 0."""
    rows = {
        "need_a": insert_need(
            db, world.area_id, world.employer_id, title="Varastotyöntekijä", municipality="Lieto"
        ),
        "need_b": insert_need(db, world.area_id, world.employer_id, title="Keräilijä", municipality="Lieto"),
        "near_a": insert_jobseeker(db, world.area_id, profile_text="Varastotyöt", municipality="Lieto"),
        "near_b": insert_jobseeker(db, world.area_id, profile_text="Keräily", municipality="Lieto"),
        "far": insert_jobseeker(
            db, world.area_id, profile_text="Varastotyöt", municipality="Mynämäki", max_commute_km=1
        ),
    }
    for name, row in rows.items():
        indexed("need" if name.startswith("need") else "jobseeker", row)
    return rows


def test_exposure_command_reports_share_shown_and_gini(
    client: TestClient,
    db: str,
    world: AreaWorld,
    indexed: Callable[[str, int], None],
    cli_env: dict[str, str],
) -> None:
    _area_of_three(db, world, indexed)
    result = CliRunner().invoke(cli, ["eval", "--exposure", "--area", "Testialue"], env=cli_env)
    assert result.exit_code == 0, result.output
    report = json.loads(result.stdout)
    assert report["open_needs"] == 2 and report["available_jobseekers"] == 3
    assert report["shown_jobseekers"] == 2
    assert report["share_shown"] == round(2 / 3, 4)
    assert report["gini"] == round(4 / 12, 4)  # counts 0, 2, 2: sum((2i - n - 1) x) / (n * total)

    missing = CliRunner().invoke(cli, ["eval", "--exposure"], env=cli_env)
    assert missing.exit_code != 0 and "--exposure needs --area NAME" in missing.output
    unknown = CliRunner().invoke(cli, ["eval", "--exposure", "--area", "Atlantis"], env=cli_env)
    assert unknown.exit_code != 0 and "Atlantis" in unknown.output


def test_admins_see_the_exposure_with_the_indicators(
    client: TestClient, db: str, world: AreaWorld, indexed: Callable[[str, int], None]
) -> None:
    _area_of_three(db, world, indexed)
    client.cookies.clear()
    browser = Browser(client)
    for role, shown in ((Role.ADMIN, True), (Role.COORDINATOR, False)):
        client.cookies.clear()
        assert browser.sign_in(email(role)).status_code == 303
        for lang, title in (
            ("fi", "Ehdokkaiden näkyvyys suosituksissa"),
            ("sv", "Kandidaternas synlighet i förslagen"),
        ):
            client.cookies.set("kohtaamo_lang", lang)
            page = browser.get("/indicators")
            assert page.status_code == 200
            assert (title in page.text) is shown
        if shown:
            gini = re.search(r'data-exposure="gini">([^<]+)<', page.text)
            assert gini is not None and gini.group(1) == "0,33"
            assert 'data-exposure="share_shown">67' in page.text


def test_near_equal_candidates_come_least_recently_shown_first(
    client: TestClient, db: str, world: AreaWorld, indexed: Callable[[str, int], None]
) -> None:
    need = insert_need(db, world.area_id, world.employer_id, title="Keräilijä", municipality="Lieto")
    # Two candidates alike in every component: the same fit, so the same band.
    twins = [
        insert_jobseeker(db, world.area_id, profile_text="Keräily ja pakkaus", municipality="Lieto")
        for _ in range(2)
    ]
    indexed("need", need)
    for row in twins:
        indexed("jobseeker", row)
    url = f"/api/v1/needs/{need}/matches"
    headers = world.headers(Role.COORDINATOR)

    first = client.get(url, headers=headers).json()["items"]
    assert [i["id"] for i in first] == twins  # never shown either: rank order, ties to the smaller id
    assert first[0]["fit"] == first[1]["fit"] and first[0]["band"] == first[1]["band"]

    # The first twin was shown just now; say the second was shown a week ago: it comes first.
    with connect(db) as conn:
        conn.execute(
            "UPDATE match_showings SET shown_at = now() - interval '7 days' WHERE jobseeker_id = %s",
            (twins[1],),
        )
        conn.commit()
    second = client.get(url, headers=headers).json()["items"]
    assert [i["id"] for i in second] == [twins[1], twins[0]]
    with connect(db) as conn:
        shown = conn.execute(
            "SELECT jobseeker_id, shown_at, area_id FROM match_showings ORDER BY jobseeker_id"
        ).fetchall()
    assert [r["jobseeker_id"] for r in shown] == twins
    assert all(r["area_id"] == world.area_id for r in shown)
    assert all(dt.datetime.now(dt.UTC) - r["shown_at"] < dt.timedelta(minutes=5) for r in shown)
