"""The employer's front page in a real browser: its inbox summary, the coordinator's notice and the
list of needs stand apart, at a phone's width and a desktop's, rather than touching edge to edge."""

from __future__ import annotations

from itertools import pairwise
from typing import TYPE_CHECKING

import pytest

from accounts.models import Role
from tests.conftest import AreaWorld
from tests.matching_api.conftest import insert_need
from tests.web.conftest import sign_in_page

if TYPE_CHECKING:
    from playwright.sync_api import Browser as PwBrowser

pytestmark = pytest.mark.browser


def test_the_employers_front_page_keeps_its_parts_apart(
    live_server: str, chromium: PwBrowser, world: AreaWorld, db: str
) -> None:
    insert_need(db, world.area_id, world.employer_id, title="Varastotyöntekijä")
    for width in (390, 1280):
        ctx = chromium.new_context(viewport={"width": width, "height": 900}, locale="fi-FI")
        page = ctx.new_page()
        sign_in_page(page, live_server, Role.EMPLOYER)
        boxes = []
        for selector in ("main > .panel", "main > .notice", "main > table"):
            box = page.locator(selector).bounding_box()
            assert box is not None, selector
            boxes.append(box)
        gaps = [below["y"] - (above["y"] + above["height"]) for above, below in pairwise(boxes)]
        assert min(gaps) >= 8, (width, gaps)
        ctx.close()
