"""The match search page says when nothing it found is close to the text, in the user's language."""

from __future__ import annotations

import html

from accounts.models import Role
from tests.conftest import AreaWorld
from tests.matching_api.conftest import insert_need, wait_for
from tests.web.conftest import SignIn, wait_indexed

NOTICE = {
    "fi": "Mikään tulos ei sisällä hakusanoja eikä ole merkitykseltään selvästi lähellä; alla lähimmät.",
    "sv": "Inget resultat innehåller sökorden eller ligger klart nära i betydelse; nedan de närmaste.",
    "en": "No result contains the words searched for or is clearly close in meaning; the nearest are below.",
}
WEAKER = {"fi": "Kauempana olevat tulokset", "sv": "Resultat längre ifrån", "en": "Less close results"}


def _needs(db: str, world: AreaWorld, client: object) -> tuple[int, int]:
    warehouse = insert_need(
        db,
        world.area_id,
        world.employer_id,
        title="Varastotyöntekijä",
        description="Keräily ja lähettämö.",
        skills=["keräily"],
    )
    # Only a title: every optional field empty.
    cleaning = insert_need(db, world.area_id, world.employer_id, title="Siivooja")
    wait_indexed(client.app, "need", warehouse, "Varastotyöntekijä")  # type: ignore[attr-defined]
    wait_indexed(client.app, "need", cleaning, "Siivooja")  # type: ignore[attr-defined]
    needs = client.app.state.engine.needs  # type: ignore[attr-defined]
    wait_for(lambda: needs.lexical_current, timeout=10.0)  # BM25 follows a moment after the vectors
    return warehouse, cleaning


def test_a_search_that_matches_nothing_says_so_above_the_nearest_needs(
    signed_in: SignIn, world: AreaWorld, db: str, client: object
) -> None:
    warehouse, cleaning = _needs(db, world, client)
    browser = signed_in(Role.COORDINATOR)
    for language, notice in NOTICE.items():
        browser.client.cookies.set("kohtaamo_lang", language)
        page = html.unescape(browser.get("/search?searched=true&text=xqzv+blorf").text)
        assert notice in page, language
        # The nearest are still listed, after the notice, and not under a heading of weaker hits.
        assert page.index(notice) < page.index(f'href="/needs/{warehouse}"')
        assert f'href="/needs/{cleaning}"' in page and WEAKER[language] not in page
    browser.client.cookies.set("kohtaamo_lang", "fi")


def test_a_real_search_lists_close_needs_first_and_the_others_under_their_own_heading(
    signed_in: SignIn, world: AreaWorld, db: str, client: object
) -> None:
    warehouse, cleaning = _needs(db, world, client)
    browser = signed_in(Role.COORDINATOR)
    page = html.unescape(browser.get("/search?searched=true&text=siivooja").text)
    assert NOTICE["fi"] not in page
    assert page.index(f'href="/needs/{cleaning}"') < page.index(WEAKER["fi"])
    assert page.index(WEAKER["fi"]) < page.index(f'href="/needs/{warehouse}"')
    both = html.unescape(browser.get("/search?searched=true&text=keräily+siivooja").text)
    assert NOTICE["fi"] not in both and WEAKER["fi"] not in both, "both close: one plain list"
