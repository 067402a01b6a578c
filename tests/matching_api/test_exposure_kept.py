"""The exposure the admin sees is kept until the engine changes; a rotated ranking stays within its
stated margin of displayed fit points and never crosses a band."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable

from fastapi.testclient import TestClient

from accounts.models import Role
from core import clock
from core.db import connect
from matching import exposure
from tests.conftest import AreaWorld
from tests.matching_api.conftest import insert_jobseeker, insert_need
from tests.matching_api.test_exposure_and_rotation import _area_of_three


def test_exposure_is_kept_until_the_engine_changes(
    client: TestClient, db: str, world: AreaWorld, indexed: Callable[[str, int], None]
) -> None:
    _area_of_three(db, world, indexed)
    engine = client.app.state.engine  # type: ignore[attr-defined]
    first = exposure.current_area_exposure(engine, world.area_id)
    assert (first.needs, first.available, first.shown) == (2, 3, 2)
    assert exposure.current_area_exposure(engine, world.area_id) is first  # kept, not ranked again
    tomorrow = clock.today() + dt.timedelta(days=1)
    assert exposure.current_area_exposure(engine, world.area_id, tomorrow) is not first

    # A new available jobseeker with nothing optional filled in: the engine changed, so it is computed again.
    newcomer = insert_jobseeker(db, world.area_id, profile_text="Varastotyöt", municipality="Lieto")
    indexed("jobseeker", newcomer)
    after = exposure.current_area_exposure(engine, world.area_id)
    assert after is not first
    assert after == exposure.area_exposure(engine, world.area_id)
    assert after.available == 4


def test_rotated_ranking_keeps_to_the_margin_in_displayed_points_and_to_bands(
    client: TestClient, db: str, world: AreaWorld, indexed: Callable[[str, int], None]
) -> None:
    need = insert_need(
        db,
        world.area_id,
        world.employer_id,
        title="Varastotyöntekijä",
        skills=["keräily"],
        municipality="Lieto",
    )
    texts = [
        "Varastotyöt, keräily ja pakkaus",
        "Keräily",
        "Varastotyöntekijä, trukki, keräily, lähettämö",
        "Siivous ja kiinteistöhuolto",
        "Kaupan kassa",
        "Varasto",
        "Keittiöapulainen",
    ]
    people = [
        insert_jobseeker(
            db, world.area_id, profile_text=text, municipality="Lieto", skills=["keräily"] if i % 2 else []
        )
        for i, text in enumerate(texts)
    ]
    indexed("need", need)
    for person in people:
        indexed("jobseeker", person)
    url = f"/api/v1/needs/{need}/matches?limit=10"
    headers = world.headers(Role.COORDINATOR)
    plain = client.get(url, headers=headers).json()
    margin = plain["near_equal_margin"]
    assert margin == exposure.FIT_MARGIN
    by_rank = plain["items"]  # never shown before: rank order
    assert [i["fit"] for i in by_rank] == sorted((i["fit"] for i in by_rank), reverse=True)

    # The better half was shown just now, the rest a week ago: those may move up, within their runs.
    with connect(db) as conn:
        conn.execute(
            "UPDATE match_showings SET shown_at = now() - interval '7 days' WHERE jobseeker_id = ANY(%s)",
            ([i["id"] for i in by_rank[len(by_rank) // 2 :]],),
        )
        conn.commit()
    rotated = client.get(url, headers=headers).json()["items"]
    assert sorted(i["id"] for i in rotated) == sorted(i["id"] for i in by_rank)
    bands = ["strong", "good", "possible"]
    for before, item in enumerate(rotated):
        for later in rotated[before + 1 :]:
            # Nobody is shown above someone of a better band or more than the margin better.
            assert bands.index(item["band"]) <= bands.index(later["band"])
            assert later["fit"] - item["fit"] <= margin
