"""What a browser test measures of a page's accessibility: axe-core's WCAG 2.1 AA rules, the size of every
target, and where the main content starts.

axe-core is the copy that the PyPI package ``axe-playwright-python`` ships (dev extras); it is evaluated
through Playwright's page evaluation, which the pages' Content-Security-Policy does not restrict.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from axe_playwright_python.base import AXE_SCRIPT

if TYPE_CHECKING:
    from playwright.sync_api import Page

WCAG_21_AA = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa"]
MIN_TARGET = 24
"""WCAG 2.2 success criterion 2.5.8 (target size, minimum): 24 by 24 CSS pixels."""


def axe_violations(page: Page) -> list[str]:
    """axe-core's WCAG 2.1 A and AA violations on the page as it is now: one line each (rule: targets)."""
    page.evaluate(AXE_SCRIPT)
    result: dict[str, Any] = page.evaluate(
        "options => axe.run(document, options)",
        {"runOnly": {"type": "tag", "values": WCAG_21_AA}, "resultTypes": ["violations"]},
    )
    return [f"{v['id']}: {[node['target'] for node in v['nodes']][:5]}" for v in result["violations"]]


# Every visible target's box, and whether it is a link inside a sentence (which WCAG exempts: its size
# is set by the line of text around it).
_TARGETS_JS = """
() => [...document.querySelectorAll(
    'a[href], button, input:not([type=hidden]), select, textarea, summary, [tabindex]:not([tabindex="-1"])'
  )].filter(e => {
    const s = getComputedStyle(e);
    const r = e.getBoundingClientRect();
    return s.visibility !== 'hidden' && s.display !== 'none' && r.width > 0 && r.height > 0
      && r.right > 0 && r.bottom > 0 && r.left < innerWidth && e.closest('.visually-hidden') === null;
  }).map(e => {
    const r = e.getBoundingClientRect();
    const parent = e.parentElement;
    const inSentence = e.tagName === 'A' && getComputedStyle(e).display === 'inline'
      && parent !== null && ['P', 'LI', 'DD', 'TD'].includes(parent.tagName)
      && parent.textContent.trim().length > e.textContent.trim().length;
    return {what: e.outerHTML.slice(0, 90), width: r.width, height: r.height, inSentence};
  })
"""


def small_targets(page: Page) -> list[str]:
    """The visible links, buttons and fields smaller than 24 by 24 CSS pixels (links in a sentence aside)."""
    targets: list[dict[str, Any]] = page.evaluate(_TARGETS_JS)
    return [
        f"{t['width']:.0f}x{t['height']:.0f} {t['what']}"
        for t in targets
        if not t["inSentence"] and (t["width"] < MIN_TARGET - 0.01 or t["height"] < MIN_TARGET - 0.01)
    ]


def target_count(page: Page) -> int:
    """How many visible targets :func:`small_targets` measured."""
    return len(page.evaluate(_TARGETS_JS))


def main_top(page: Page) -> float:
    """Where the main content starts, in CSS pixels from the top of the page."""
    return float(page.evaluate("document.querySelector('main').getBoundingClientRect().top + scrollY"))
