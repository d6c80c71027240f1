"""Accessibility checks run inside the page: axe-core, overflow, text and target sizes.

axe-core is vendored (``static/vendor/axe-core/``, see ``static/vendor/README.md``) and
injected from the file, so the check works offline. Each function returns a list of
readable problems (empty when the page passes) so that a test can check every page
before it fails, and say everything that is wrong at once.
"""

from pathlib import Path
from typing import TYPE_CHECKING

from django.conf import settings

if TYPE_CHECKING:  # imported without playwright installed: the tests then skip
    from playwright.sync_api import Page

AXE = Path(settings.BASE_DIR) / "static/vendor/axe-core/axe.min.js"
BLOCKING_IMPACTS = {"serious", "critical"}

# What a person can click, tap or type into.
INTERACTIVE = (
    "a[href], button, input:not([type=hidden]), select, textarea, summary, "
    "[tabindex]:not([tabindex='-1'])"
)


def axe_violations(page: "Page") -> list[str]:
    """Serious and critical violations axe-core finds on the page as it is shown, one
    line each: rule id, impact, help text, and the offending elements."""
    if not page.evaluate("typeof window.axe !== 'undefined'"):
        page.add_script_tag(path=str(AXE))
    results = page.evaluate("() => axe.run(document, {resultTypes: ['violations']})")
    problems = []
    for violation in results["violations"]:
        if violation["impact"] not in BLOCKING_IMPACTS:
            continue
        targets = "; ".join(
            " ".join(map(str, node["target"])) for node in violation["nodes"][:8]
        )
        more = len(violation["nodes"]) - 8
        problems.append(
            f"axe {violation['id']} ({violation['impact']}): {violation['help']}"
            f" — {targets}{f' and {more} more' if more > 0 else ''}"
        )
    return problems


def horizontal_overflow(page: "Page") -> list[str]:
    """The page scrolls sideways: its width exceeds the window's."""
    widths = page.evaluate(
        "() => [document.documentElement.scrollWidth, window.innerWidth]"
    )
    if widths[0] <= widths[1]:
        return []
    wide = page.evaluate(
        """() => [...document.querySelectorAll('body *')]
          .filter(e => e.getBoundingClientRect().right > window.innerWidth + 0.5)
          .slice(0, 5)
          .map(e => e.tagName.toLowerCase() + (e.className ? '.' + e.className : '')
                    + ' right=' + Math.round(e.getBoundingClientRect().right))"""
    )
    return [f"scrolls sideways: {widths[0]} px wide in a {widths[1]} px window: {wide}"]


def small_text(page: "Page", *, min_px: float, min_line: float) -> list[str]:
    """Visible text set smaller than `min_px` or with line spacing below `min_line`."""
    offenders = page.evaluate(
        """([minPx, minLine]) => {
          const seen = new Set(), found = [];
          const walker = document.createTreeWalker(document.body, NodeFilter.SHOW_TEXT);
          for (let node = walker.nextNode(); node; node = walker.nextNode()) {
            const el = node.parentElement;
            if (!node.textContent.trim() || seen.has(el)) continue;
            seen.add(el);
            const box = el.getBoundingClientRect();
            if (!el.checkVisibility() || box.width <= 1 || box.height <= 1) continue;
            const style = getComputedStyle(el);
            const size = parseFloat(style.fontSize);
            const line = style.lineHeight === 'normal' ? 0 : parseFloat(style.lineHeight);
            if (size < minPx || line < minLine * size)
              found.push(`${el.tagName.toLowerCase()}.${el.className} "${
                node.textContent.trim().slice(0, 20)}": ${style.fontSize} / ${
                style.lineHeight}`);
          }
          return found;
        }""",
        [min_px, min_line],
    )
    return [f"text too small or too tight: {o}" for o in offenders]


def small_targets(page: "Page", *, min_px: float) -> list[str]:
    """Visible links, buttons and fields smaller than `min_px` × `min_px`."""
    offenders = page.evaluate(
        """([selector, minPx]) => [...document.querySelectorAll(selector)]
          .filter(el => el.checkVisibility())
          .map(el => [el, el.getBoundingClientRect()])
          .filter(([el, box]) => box.width > 1 && box.height > 1)
          .filter(([el, box]) => box.width < minPx - 0.5 || box.height < minPx - 0.5)
          .map(([el, box]) => `${el.tagName.toLowerCase()}.${el.className} "${
            (el.innerText || el.value || '').trim().slice(0, 20)}": ${
            Math.round(box.width)}×${Math.round(box.height)}`)""",
        [INTERACTIVE, min_px],
    )
    return [f"target smaller than {min_px}×{min_px} px: {o}" for o in offenders]
