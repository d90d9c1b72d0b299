"""The one gate for user-written HTML (frågeställning, notes).

Everything rich-text passes ``sanitize_html`` before storage; templates mark as safe only
what came through here. bleach is archived (6.x is final): keeping it behind this one
module means a switch to nh3 touches one file.
"""

from __future__ import annotations

import html as html_lib

import bleach
from markupsafe import Markup

ALLOWED_TAGS = ["p", "br", "strong", "em", "ul", "ol", "li", "a"]
ALLOWED_ATTRIBUTES = {"a": ["href", "title"]}
ALLOWED_PROTOCOLS = ["http", "https", "mailto"]


def _link_attrs(attrs, new=False):
    # Links in case notes open outside the app and must not leak the referrer.
    attrs[(None, "rel")] = "noopener noreferrer nofollow"
    return attrs


_cleaner = bleach.Cleaner(
    tags=ALLOWED_TAGS,
    attributes=ALLOWED_ATTRIBUTES,
    protocols=ALLOWED_PROTOCOLS,
    strip=True,
    strip_comments=True,
    filters=[],
)


def sanitize_html(raw: str | None) -> str:
    """Return HTML with only the allow-listed tags; plain text is kept, escaped."""
    cleaned = _cleaner.clean(raw or "")
    cleaned = bleach.linkify(cleaned, callbacks=[_link_attrs], parse_email=False)
    return cleaned.strip()


def text_content(html: str | None) -> str:
    """The text of stored HTML, without any markup (for emptiness checks and excerpts)."""
    # bleach returns escaped text: unescape it, or an editor's empty "<p>&nbsp;</p>"
    # would count as text (and an excerpt would show "&amp;" once a template escapes it).
    return html_lib.unescape(bleach.clean(html or "", tags=[], strip=True)).strip()


def safe(html: str | None) -> Markup:
    """Mark stored, already sanitised HTML as safe for a template; re-cleans defensively."""
    return Markup(sanitize_html(html))  # noqa: S704  # nosec B704  # the sanitiser's own output
