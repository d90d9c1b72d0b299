"""Kallelser test helpers: a real local SMTP server (aiosmtpd) that collects what
arrives, a controllable clock, and meetings changed the way the meeting service changes them."""

from __future__ import annotations

import asyncio
import datetime as dt
import email.policy
import socket
import threading
from dataclasses import dataclass
from email.message import EmailMessage
from email.parser import BytesParser

from aiosmtpd.controller import Controller

from samverkan.core import clock
from samverkan.core.clock import STOCKHOLM
from samverkan.core.db import db
from samverkan.kallelser import regler
from samverkan.moten.models import Dagordningspunkt, Mote, MotesTyp, PunktStatus


def fri_port() -> int:
    # aiosmtpd's Controller(port=0) does not report the port it got (issue #388).
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@dataclass
class Mottaget:
    mail_from: str
    rcpt_tos: list[str]
    meddelande: EmailMessage

    @property
    def message_id(self) -> str:
        return self.meddelande["Message-ID"]

    def delar(self) -> list[str]:
        """Every MIME part's decoded text, plus the headers."""
        texter = [str(v) for _, v in self.meddelande.items()]
        for part in self.meddelande.walk():
            if part.is_multipart():
                continue
            texter.append(part.get_content() if part.get_content_maintype() == "text"
                          else part.get_payload(decode=True).decode("utf-8", "replace"))
        return texter


class Samlare:
    """The SMTP handler: keeps every accepted message. ``avvisa`` addresses get a 550;
    the ``langsam`` address hangs in RCPT (before DATA) until ``slapp`` is set."""

    def __init__(self):
        self.mottagna: list[Mottaget] = []
        self.lock = threading.Lock()
        self.avvisa: set[str] = set()
        self.langsam: str | None = None
        self.i_langsam = threading.Event()
        self.slapp = threading.Event()
        self.data_fordrojning = 0.0

    async def handle_RCPT(self, server, session, envelope, address, rcpt_options):
        if address in self.avvisa:
            return "550 5.1.1 <" + address + ">: mailbox unavailable"
        if address == self.langsam and not self.slapp.is_set():
            self.i_langsam.set()
            while not self.slapp.is_set():
                await asyncio.sleep(0.02)
        envelope.rcpt_tos.append(address)
        return "250 OK"

    async def handle_DATA(self, server, session, envelope):
        if self.data_fordrojning:
            await asyncio.sleep(self.data_fordrojning)
        meddelande = BytesParser(policy=email.policy.default).parsebytes(envelope.content)
        with self.lock:
            self.mottagna.append(Mottaget(envelope.mail_from, list(envelope.rcpt_tos), meddelande))
        return "250 Message accepted for delivery"


class SmtpServer:
    def __init__(self):
        self.port = fri_port()
        self.handler = Samlare()
        self.controller: Controller | None = None

    def start(self) -> None:
        self.controller = Controller(self.handler, hostname="127.0.0.1", port=self.port)
        self.controller.start()

    def stop(self) -> None:
        if self.controller is not None:
            self.handler.slapp.set()
            self.controller.stop()
            self.controller = None

    @property
    def mottagna(self) -> list[Mottaget]:
        with self.handler.lock:
            return list(self.handler.mottagna)


class Klocka:
    def __init__(self, nu: dt.datetime):
        self.nu = nu

    def satt(self, lokal: dt.datetime) -> None:
        """Set the clock to a Stockholm wall-clock time."""
        self.nu = lokal.replace(tzinfo=STOCKHOLM).astimezone(dt.UTC)

    def fram(self, **delta) -> None:
        self.nu += dt.timedelta(**delta)


# The example meeting: Tuesday 8 December 2026 13:00 in Stockholm. By the default rule
# its kallelse is due Friday 4 December 09:00; requests close Wednesday 2 December
# 09:00; the reminder goes Monday 30 November 09:00.
MOTESTID = dt.datetime(2026, 12, 8, 13, 0, tzinfo=STOCKHOLM)
KALLELSETID = dt.datetime(2026, 12, 4, 9, 0)
PAMINNELSETID = dt.datetime(2026, 11, 30, 9, 0)


def skapa_mote(world, *, start: dt.datetime = MOTESTID, plats: str = "Kommunhuset, rum 3",
               videolank: str = "", typ: MotesTyp = MotesTyp.ARENDEDRAGNING, team=None) -> Mote:
    mote = Mote(team_id=(team or world.team).id, starttid=start.astimezone(dt.UTC), plats=plats,
                videolank=videolank, typ=typ, langd_minuter=120)
    db.session.add(mote)
    db.session.flush()
    regler.planera(mote)
    db.session.flush()
    return mote


def boka(mote: Mote, arende, *, ordning: int, uppfoljning: bool = False, tidslucka=None) -> Dagordningspunkt:
    punkt = Dagordningspunkt(mote_id=mote.id, arende_id=arende.id, ordning=ordning, uppfoljning=uppfoljning,
                             status=PunktStatus.BOKAD, tidslucka=tidslucka)
    db.session.add(punkt)
    mote.agendaversion += 1
    db.session.flush()
    return punkt


def flytta(mote: Mote, ny_start: dt.datetime) -> None:
    """Move a meeting as the meeting service does: new time, bumped sequence, replanned."""
    mote.starttid = ny_start.astimezone(dt.UTC)
    mote.sekvens += 1
    regler.planera(mote)
    db.session.flush()


def stall_in(mote: Mote) -> None:
    mote.installt = clock.now()
    mote.sekvens += 1
    db.session.flush()
