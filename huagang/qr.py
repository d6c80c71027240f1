"""QR codes as inline SVG, made here by segno (pure Python; nothing fetched, no
script, so the pages keep their Content-Security-Policy)."""

import segno
from django.utils.safestring import SafeString, mark_safe


def qr_svg(text: str, *, scale: int = 4, title: str = "") -> SafeString:
    """`text` as a QR code in an ``<svg class="qr">`` element."""
    code = segno.make(text, error="m", micro=False)
    # segno's own markup; the text is in it only as black squares (and the title,
    # which segno escapes).
    return mark_safe(code.svg_inline(scale=scale, svgclass="qr", title=title or None))
