"""The indicator charts in a real browser: on a desktop their text is read at a size one can read (at
least 11 px, where it was about 6), and their months are written as the pages write them."""

from __future__ import annotations

import re
import xml.etree.ElementTree as ET
from typing import TYPE_CHECKING

import pytest

from accounts.models import Role
from tests.web.conftest import sign_in_page

if TYPE_CHECKING:
    from playwright.sync_api import Browser as PwBrowser

pytestmark = pytest.mark.browser

DESKTOP = {"width": 1280, "height": 800}


def test_the_indicator_charts_text_is_read_at_eleven_pixels_or_more_on_a_desktop(
    live_server: str, chromium: PwBrowser
) -> None:
    context = chromium.new_context(viewport=DESKTOP, locale="fi-FI")  # type: ignore[arg-type]
    page = context.new_page()
    sign_in_page(page, live_server, Role.COORDINATOR)
    page.goto(f"{live_server}/indicators?date_from=2026-01-01&date_to=2026-06-30&by=month")
    image = page.locator("img.chart").first
    image.scroll_into_view_if_needed()
    shown_width = float(
        image.evaluate("i => i.complete && i.naturalWidth && i.getBoundingClientRect().width")
    )
    drawn = page.request.get(
        str(image.get_attribute("src")).replace("/indicators", f"{live_server}/indicators", 1)
    )
    root = ET.fromstring(drawn.body())
    width = float((root.get("viewBox") or "").split()[2])
    sizes = [
        float(t.get("font-size") or root.get("font-size") or 0)
        for t in root.iter("{http://www.w3.org/2000/svg}text")
    ]
    rendered = min(sizes) * shown_width / width
    assert shown_width > 400 and rendered >= 11, (shown_width, width, min(sizes))
    assert not re.search(r">\d{4}-\d\d<", drawn.text()), "months are written as the pages write them"
    context.close()
