"""Tables in a real browser: on a phone each cell of a data table shows its column's name beside its
value (the header row stays, for screen readers only); on a desktop the tables look as they did, the
header row visible and no name repeated in the cells."""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

import pytest

from accounts.models import Role
from core.db import connect
from tests.conftest import AreaWorld
from tests.foundation.test_authorization_matrix import add_proposal, make_objects
from tests.web.conftest import screenshot, sign_in_page

if TYPE_CHECKING:
    from playwright.sync_api import Browser as PwBrowser
    from playwright.sync_api import Page

pytestmark = pytest.mark.browser

PHONE = {"width": 390, "height": 844}
DESKTOP = {"width": 1280, "height": 800}

# How a cell is drawn: its label (the ::before's content and display), where its own text starts, and
# whether its column's header is on the screen.
CELL = """([selector, column]) => {
  const cell = document.querySelectorAll(selector)[column];
  const before = getComputedStyle(cell, '::before');
  const walker = document.createTreeWalker(cell, NodeFilter.SHOW_TEXT,
    {acceptNode: n => n.textContent.trim() ? NodeFilter.FILTER_ACCEPT : NodeFilter.FILTER_SKIP});
  const range = document.createRange(); range.selectNodeContents(walker.nextNode());
  const header = cell.closest('table').querySelectorAll('thead th')[column];
  const box = header.closest('thead').getBoundingClientRect();
  return {label: cell.dataset.label, content: before.content, display: before.display,
          cellLeft: cell.getBoundingClientRect().left, textLeft: range.getBoundingClientRect().left,
          text: cell.textContent.trim(), header: header.textContent.trim(),
          headerShown: box.width > 10 && box.height > 10};
}"""


@dataclass(frozen=True)
class Placed:
    employer_id: int
    need_title: str
    pseudonym: str


@pytest.fixture
def placed(world: AreaWorld, db: str) -> Placed:
    """An employer with a need and a placed jobseeker; the area's employer user speaks for it."""
    with connect(db) as conn:
        objects = make_objects(
            conn, world.area_id, world.user_ids[Role.CASEWORKER], "Sarake", 17, announce=False
        )
        add_proposal(conn, objects, world.user_ids[Role.COORDINATOR], "placed")
        conn.execute(
            "UPDATE users SET employer_id = %s WHERE id = %s",
            (objects.employer_id, world.user_ids[Role.EMPLOYER]),
        )
        conn.commit()
    return Placed(objects.employer_id, objects.need_title, objects.pseudonym)


def cell(page: Page, column: int) -> dict[str, Any]:
    return dict(page.evaluate(CELL, ["tbody tr:first-child td", column]))


# (role, page, column, its header): an employer's own needs, the area's needs, the placements.
TABLES = [
    (Role.EMPLOYER, "/", 2, "Paikkoja"),
    (Role.EMPLOYER, "/", 3, "Kirjattu"),
    (Role.COORDINATOR, "/needs", 1, "Työnantaja"),
    (Role.COORDINATOR, "/needs", 4, "Kirjattu"),
    (Role.COORDINATOR, "/placements", 2, "Sijoitusmuoto"),
    (Role.COORDINATOR, "/placements", 3, "Aloituspäivä"),
]


@pytest.mark.usefixtures("placed")
def test_a_phone_names_each_cells_column_and_a_desktop_shows_the_header_row(
    live_server: str, chromium: PwBrowser
) -> None:
    for viewport in (PHONE, DESKTOP):
        pages: dict[Role, Page] = {}
        for role in (Role.EMPLOYER, Role.COORDINATOR):
            context = chromium.new_context(viewport=viewport, locale="fi-FI")  # type: ignore[arg-type]
            pages[role] = context.new_page()
            sign_in_page(pages[role], live_server, role)
        for role, path, column, header in TABLES:
            page = pages[role]
            if page.url != f"{live_server}{path}":
                page.goto(f"{live_server}{path}")
            drawn = cell(page, column)
            assert drawn["header"] == header and drawn["label"] == header and drawn["text"], drawn
            # The header stays in the page for screen readers, a table header still.
            assert page.get_by_role("columnheader", name=header).count() == 1
            if viewport is PHONE:
                assert drawn["display"] != "none" and drawn["content"] == f'"{header}: "', drawn
                assert not drawn["headerShown"], drawn
                # The name takes its place before the value: the value's text starts well to its right.
                assert drawn["textLeft"] - drawn["cellLeft"] > 4 * len(header), drawn
            else:
                assert drawn["content"] == "none" and drawn["headerShown"], drawn
                assert drawn["textLeft"] - drawn["cellLeft"] < 12, drawn
        name = "phone" if viewport is PHONE else "desktop"
        screenshot(pages[Role.EMPLOYER], f"table-labels-employer-{name}")
        pages[Role.COORDINATOR].goto(f"{live_server}/placements")
        screenshot(pages[Role.COORDINATOR], f"table-labels-placements-{name}")
        for page in pages.values():
            page.context.close()
