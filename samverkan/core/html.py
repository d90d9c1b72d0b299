"""The one gate for user-written HTML (frågeställning, notes).

Everything rich-text passes ``sanitize_html`` before storage (the services that write a
frågeställning or a note), and is stored clean: templates mark the stored HTML as safe
(``safe``) without parsing it again on every render, which cost a bleach pass per note
per page view (issue 19). Rows written before that rule held were cleaned once by
migration 0013_ren_html. bleach is archived (6.x is final): keeping it behind this one
module means a switch to nh3 touches one file.
"""

from __future__ import annotations

import html as html_lib
import re

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


# Plainly inert HTML: text without markup characters, and allow-listed tags without
# attributes. A regular expression tells it; bleach would have to parse it.
_OPENBART_REN = re.compile(r"(?:[^<>&]|</?(?:p|strong|em|ul|ol|li)>|<br>)*")


def ar_openbart_ren(html: str | None) -> bool:
    """Whether ``html`` is plainly inert (no attributes, no entities, only allow-listed
    tags), so a pass over stored rows can leave it without parsing it."""
    return _OPENBART_REN.fullmatch(html or "") is not None


def safe(html: str | None) -> Markup:
    """Mark stored HTML as safe for a template. Only for columns written through
    ``sanitize_html`` (arende.fragestallning, anteckning.text): they are stored clean."""
    return Markup(html or "")  # noqa: S704  # nosec B704  # stored as sanitize_html's output
