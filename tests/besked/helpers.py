"""What arrived at the local SMTP server, per recipient and subject, and the checks every
notice must pass: nothing personal in it, and a link that works for its recipient."""

from __future__ import annotations

import re
from collections import Counter
from urllib.parse import urlsplit

from samverkan.auth.models import User
from samverkan.core.db import db
from tests.kallelser.helpers import Mottaget

LANK = re.compile(r"https?://\S+")


def brev(smtp, amne_borjar: str) -> list[Mottaget]:
    return [m for m in smtp.mottagna if m.meddelande["Subject"].startswith(amne_borjar)]


def per_mottagare(brevlista: list[Mottaget]) -> Counter:
    return Counter(addr for m in brevlista for addr in m.rcpt_tos)


def text(m: Mottaget) -> str:
    return "\n".join(m.delar())


def inget_personligt(m: Mottaget, *, arenden=()) -> None:
    """No person's name (every user's), no personnummer, nothing of the case text."""
    allt = text(m)
    for user in db.session.query(User):
        assert user.namn not in allt, user.namn
    for arende in arenden:
        assert arende.deltagare.personnummer not in allt
        assert arende.deltagare.personnummer[2:] not in allt
    assert "Hur kan vi samordna" not in allt  # the factories' frågeställning


def lank(m: Mottaget) -> str:
    """The path of the one link in the plain text."""
    [adress] = set(LANK.findall(m.meddelande.get_body(preferencelist=("plain",)).get_content()))
    delar = urlsplit(adress)
    return delar.path + (f"?{delar.query}" if delar.query else "")
