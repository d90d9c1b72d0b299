"""Helpers for browser tests: logging in and out through the real forms, screenshots
named after the test, the axe-core check and the checks every page must pass.

Journeys written later (aktualisering, agenda, meeting mode) use the same pieces:

    def test_min_resa(page_as, skarmbild):
        page = page_as(PROJEKTLEDARE)
        page.get_by_role("link", name="Inkorg").click()
        skarmbild(page, "inkorg")
"""

from __future__ import annotations

import os
import re
from pathlib import Path

from axe_playwright_python.sync_playwright import Axe
from playwright.sync_api import Page, Response

ROOT = Path(__file__).resolve().parents[2]
ARTEFAKTER = ROOT / "test-artefakter"

# Demo logins (samverkan/demo/data.py); every demo user has the same password.
LOSENORD = "demo-exempelbygd"
PROJEKTLEDARE = "projektledare@example.org"
HANDLAGGARE = "af.handlaggare@example.org"  # ledamot for AF in both demo teams
LEDAMOT = HANDLAGGARE
ADMIN = "admin@example.org"
STYRGRUPP = "styrgrupp@example.org"
SAMCOACH = "samcoach@example.org"

WCAG_TAGGAR = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa"]
_AXE = Axe()
# The bundled axe-core, read once: the browser fixtures' shared pages load it into every
# document (an init script) rather than receiving its 570 kB again with each check.
AXE_SKRIPT: str = _AXE.axe_script
_AXE_OPTIONS = {"runOnly": {"type": "tag", "values": WCAG_TAGGAR}, "resultTypes": ["violations"]}


def filnamn(text: str) -> str:
    """A file-name-safe form of a test id or step name."""
    text = re.sub(r"[^0-9A-Za-z_.åäöÅÄÖ-]+", "-", text).strip("-")
    return text[:150] or "sida"


def skarmbild_sokvag(testnamn: str, steg: str | None = None) -> Path:
    """test-artefakter/<test>[--<step>].png (the test's own name, so a failing run's
    pictures are easy to find next to its report)."""
    namn = filnamn(testnamn) + (f"--{filnamn(steg)}" if steg else "")
    return ARTEFAKTER / f"{namn}.png"


def readme_mapp() -> Path | None:
    """Where the README's screenshots go (``SAMVERKAN_SKARMBILDER``), or None: a normal run
    writes only to test-artefakter/."""
    mapp = os.environ.get("SAMVERKAN_SKARMBILDER")
    if not mapp:
        return None
    return Path(mapp) if Path(mapp).is_absolute() else ROOT / mapp


def logga_in(page: Page, base_url: str, epost: str, losenord: str = LOSENORD) -> Response | None:
    """Log in through the real form; returns the response of the page landed on."""
    page.goto(f"{base_url}/logga-in")
    page.get_by_label("E-post").fill(epost)
    page.get_by_label("Lösenord").fill(losenord)
    with page.expect_navigation() as nav:
        page.get_by_role("button", name="Logga in").click()
    return nav.value


def logga_ut(page: Page) -> None:
    """Log out with the header's button (ends every session of the user)."""
    with page.expect_navigation():
        page.get_by_role("button", name="Logga ut").click()


def axe_fel(page: Page) -> list[dict]:
    """axe-core's WCAG 2.1 A/AA violations on the page as it is now (axe-core is loaded
    into the document first, unless it is there already)."""
    if not page.evaluate("() => typeof window.axe === 'object' && typeof window.axe.run === 'function'"):
        page.evaluate(AXE_SKRIPT)
    return page.evaluate("options => axe.run(document, options).then(r => ({violations: r.violations}))",
                         _AXE_OPTIONS)["violations"]


def beskriv_axe(violations: list[dict]) -> str:
    rader = []
    for v in violations:
        rader.append(f"- {v['id']} ({v.get('impact')}): {v['help']} <{v['helpUrl']}>")
        for node in v["nodes"][:8]:
            summary = " ".join((node.get("failureSummary") or "").split())
            rader.append(f"    {' '.join(map(str, node['target']))}: {summary[:300]}")
        if len(v["nodes"]) > 8:
            rader.append(f"    … och {len(v['nodes']) - 8} element till")
    return "\n".join(rader)


def assert_axe(page: Page, sida: str) -> None:
    violations = axe_fel(page)
    assert not violations, f"axe: {sida} ({page.url}) har {len(violations)} WCAG-fel:\n{beskriv_axe(violations)}"


def assert_sidstruktur(page: Page, response: Response | None, sida: str) -> None:
    """What every HTML page must have: a CSP without unsafe-inline, a title, exactly one
    h1, lang="sv", and a skip link as the first link whose target exists."""
    fel = []
    if response is not None:
        csp = response.headers.get("content-security-policy", "")
        if not csp:
            fel.append("Content-Security-Policy saknas")
        elif "unsafe-inline" in csp:
            fel.append(f"Content-Security-Policy tillåter unsafe-inline: {csp}")
    fakta = page.evaluate("""() => {
        const forsta = document.querySelector('body a[href]');
        const mal = forsta && forsta.getAttribute('href').startsWith('#')
            ? document.getElementById(decodeURIComponent(forsta.getAttribute('href').slice(1))) : null;
        return {
            titel: document.title.trim(),
            h1: document.querySelectorAll('h1').length,
            lang: document.documentElement.getAttribute('lang'),
            hopp: forsta ? forsta.getAttribute('href') : null,
            hoppText: forsta ? forsta.textContent.trim() : null,
            hoppMal: mal ? mal.tagName.toLowerCase() : null,
        };
    }""")
    if not fakta["titel"]:
        fel.append("<title> saknas eller är tom")
    if fakta["h1"] != 1:
        fel.append(f"sidan ska ha exakt en <h1>, har {fakta['h1']}")
    if fakta["lang"] != "sv":
        fel.append(f'<html lang> ska vara "sv", är {fakta["lang"]!r}')
    if not (fakta["hopp"] or "").startswith("#") or fakta["hoppMal"] is None:
        fel.append(f"första länken ska vara en hopplänk till innehållet, är {fakta['hopp']!r} "
                   f"({fakta['hoppText']!r}) med mål {fakta['hoppMal']!r}")
    assert not fel, f"{sida} ({page.url}):\n- " + "\n- ".join(fel)
