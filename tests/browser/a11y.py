"""Accessibility checks run inside the page: axe-core, overflow, text and target sizes.

axe-core is vendored (``static/vendor/axe-core/``, see ``static/vendor/README.md``) and
injected as a script from the portal's own static files, so the check works offline,
Chromium compiles it once for all pages (four times faster than pasting the file into
each page), and a same-origin Content-Security-Policy would let it run. Each function returns a list of
readable problems (empty when the page passes) so that a test can check every page
before it fails, and say everything that is wrong at once.
"""

from typing import TYPE_CHECKING

from django.templatetags.static import static

if TYPE_CHECKING:  # imported without playwright installed: the tests then skip
    from playwright.sync_api import Page

AXE = "vendor/axe-core/axe.min.js"  # under STATIC_URL
BLOCKING_IMPACTS = {"serious", "critical"}

# What a person can click, tap or type into.
INTERACTIVE = (
    "a[href], button, input:not([type=hidden]), select, textarea, summary, "
    "[tabindex]:not([tabindex='-1'])"
)


# axe-core's own contrast rule asks only 3:1 of large text, and all text in 长辈版 is
# large; the enhanced (AAA) rule reports each text's ratio, from which every ratio
# below 4.5:1 is a problem here, in both layouts.
MIN_CONTRAST = 4.5
AXE_OPTIONS = {
    "resultTypes": ["violations"],
    "rules": {"color-contrast-enhanced": {"enabled": True}},
}


def axe_violations(page: "Page") -> list[str]:
    """Serious and critical violations axe-core finds on the page as it is shown, and
    text with a contrast below 4.5:1, one line each: rule id, impact, help text, and
    the offending elements."""
    if not page.evaluate("typeof window.axe !== 'undefined'"):
        page.add_script_tag(url=static(AXE))
    results = page.evaluate("options => axe.run(document, options)", AXE_OPTIONS)
    problems = []
    for violation in results["violations"]:
        nodes = violation["nodes"]
        if violation["id"] == "color-contrast-enhanced":
            nodes = [n for n in nodes if _contrast(n) < MIN_CONTRAST]
        elif violation["impact"] not in BLOCKING_IMPACTS:
            continue
        if not nodes:
            continue
        targets = "; ".join(
            " ".join(map(str, node["target"]))
            + (f" ({_contrast(node):.2f}:1)" if "contrast" in violation["id"] else "")
            for node in nodes[:8]
        )
        more = f" and {len(nodes) - 8} more" if len(nodes) > 8 else ""
        problems.append(
            f"axe {violation['id']} ({violation['impact']}): {violation['help']}"
            f" — {targets}{more}"
        )
    return problems


def _contrast(node: dict) -> float:
    """The contrast ratio axe measured for a node (infinite when it did not say)."""
    for check in node["any"] + node["all"] + node["none"]:
        ratio = (check.get("data") or {}).get("contrastRatio")
        if ratio:
            return float(ratio)
    return float("inf")


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
              found.push([[el.tagName.toLowerCase(), el.className, node.textContent],
                          style.fontSize, style.lineHeight]);
          }
          return found;
        }""",
        [min_px, min_line],
    )
    return [
        f"text too small or too tight: {_name(about)} is {size} / {line}"
        for about, size, line in offenders
    ]


# An element as the checks name it: [tag, class, its text or value]. Pasted into the
# scripts below in place of ABOUT (no eval: a Content-Security-Policy may forbid it).
_ABOUT = (
    "(el => [el.tagName.toLowerCase(), el.className, el.innerText || el.value || ''])"
)


def _script(text: str) -> str:
    return text.replace("ABOUT", _ABOUT)


def _name(about: list[str]) -> str:
    tag, classes, text = about
    return f"{tag}{'.' + classes if classes else ''} “{' '.join(text.split())[:20]}”"


def small_targets(page: "Page", *, min_px: float) -> list[str]:
    """Visible links, buttons and fields smaller than `min_px` × `min_px`. A radio
    button's or checkbox's target is the box around it and its label (tapping the
    label ticks it)."""
    offenders = page.evaluate(
        _script(
            """([selector, minPx]) => [...document.querySelectorAll(selector)]
          .filter(el => el.checkVisibility())
          .map(el => [el, ['radio', 'checkbox'].includes(el.type)
            ? [el, ...el.labels].map(e => e.getBoundingClientRect()).reduce((a, b) =>
                DOMRect.fromRect({x: Math.min(a.left, b.left), y: Math.min(a.top, b.top),
                  width: Math.max(a.right, b.right) - Math.min(a.left, b.left),
                  height: Math.max(a.bottom, b.bottom) - Math.min(a.top, b.top)}))
            : el.getBoundingClientRect()])
          .filter(([el, box]) => box.width > 1 && box.height > 1)
          .filter(([el, box]) => box.width < minPx - 0.5 || box.height < minPx - 0.5)
          .map(([el, box]) => [ABOUT(el), Math.round(box.width),
                               Math.round(box.height)])""",
        ),
        [INTERACTIVE, min_px],
    )
    return [
        f"target smaller than {min_px}×{min_px} px: {_name(about)} is {w}×{h}"
        for about, w, h in offenders
    ]


def keyboard_problems(page: "Page", *, max_stops: int = 300) -> list[str]:
    """Tab from the top of the page to its end: every visible link, button and field
    is reached (one radio button per group), each showing a focus ring."""
    page.evaluate(
        _script(
            """() => {
              // Start before the first element, whatever has the focus (autofocus):
              // Tab goes on from a focused element even once it lost the focus.
              const start = document.createElement('span');
              start.tabIndex = -1;
              document.body.prepend(start);
              start.focus();
              window.scrollTo(0, 0);
              window.kbNoRing = [];
              document.addEventListener('focusin', event => {
                const el = event.target, style = getComputedStyle(el);
                el.dataset.kbReached = '1';
                if (style.outlineStyle === 'none' || parseFloat(style.outlineWidth) < 2)
                  window.kbNoRing.push(ABOUT(el));
              });
            }"""
        )
    )
    stops = page.evaluate(
        "selector => [...document.querySelectorAll(selector)]"
        ".filter(el => el.checkVisibility() && !el.disabled).length",
        INTERACTIVE,
    )
    for _ in range(min(stops, max_stops)):
        page.keyboard.press("Tab")
    no_ring = page.evaluate("() => window.kbNoRing")
    unreached = page.evaluate(
        _script(
            """selector => [...document.querySelectorAll(selector)]
          .filter(el => el.checkVisibility() && !el.disabled && !el.dataset.kbReached)
          .filter(el => !(el.type === 'radio' && el.form && [...el.form.elements].some(
            other => other.name === el.name && other.dataset.kbReached)))
          .map(ABOUT)""",
        ),
        INTERACTIVE,
    )
    return [f"no visible focus ring: {_name(about)}" for about in no_ring] + [
        f"not reached with Tab: {_name(about)}" for about in unreached
    ]
