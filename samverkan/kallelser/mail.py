"""E-mail: building the message from an outbox row, and speaking SMTP (smtplib).

The message is a snapshot of the row: subject, plain text (stored), an HTML alternative
made from that text, and the .ics (``text/calendar; method=…``) as an attachment. Its
``Message-ID`` is the row's, fixed when the row was written, so should a message ever go
out twice (a crash after the server accepted it but before we recorded that) the
receiving side can recognise the copy.

Failures become ``Leveransfel`` with a short Swedish reason made only of our own words and
the SMTP status code: server replies can quote the recipient's address, and the reason is
stored and shown.
"""

from __future__ import annotations

import re
import smtplib
import socket
import ssl
from dataclasses import dataclass
from email.message import EmailMessage
from email.utils import format_datetime

from flask import render_template

from samverkan.core import clock
from samverkan.kallelser.services import Leverans

_LANK = re.compile(r"^https?://\S+$")


@dataclass(frozen=True)
class SmtpInstallning:
    host: str
    port: int
    username: str | None
    password: str | None
    starttls: bool
    ssl: bool
    timeout: float
    avsandare: str

    @classmethod
    def fran(cls, config) -> SmtpInstallning | None:
        """The settings, or None without SMTP_HOST: then mail stays in the outbox."""
        host = config.get("SMTP_HOST")
        if not host:
            return None
        use_ssl = bool(config.get("SMTP_SSL", False))
        starttls = bool(config.get("SMTP_STARTTLS", False))
        return cls(
            host=str(host),
            port=int(config.get("SMTP_PORT") or (465 if use_ssl else 587 if starttls else 25)),
            username=config.get("SMTP_USERNAME") or None,
            password=config.get("SMTP_PASSWORD") or None,
            starttls=starttls,
            ssl=use_ssl,
            timeout=float(config.get("SMTP_TIMEOUT", 30)),
            avsandare=config.get("MAIL_FROM") or "samverkan@localhost",
        )


class Leveransfel(Exception):
    """A failed attempt. ``permanent``: retrying cannot help (a 5xx for this message);
    ``anslutning``: the connection is gone, stop this run and retry later."""

    def __init__(self, text: str, *, permanent: bool = False, anslutning: bool = False):
        super().__init__(text)
        self.text = text
        self.permanent = permanent
        self.anslutning = anslutning


def html_version(amne: str, text: str) -> str:
    stycken = []
    for block in re.split(r"\n\s*\n", text.strip()):
        rader = [rad.strip() for rad in block.splitlines() if rad.strip()]
        stycken.append([(rad, rad if _LANK.match(rad) else None) for rad in rader])
    return render_template("kallelser/epost/brev.html", amne=amne, stycken=stycken)


def bygg_meddelande(leverans: Leverans, avsandare: str) -> EmailMessage:
    msg = EmailMessage()
    msg["Subject"] = leverans.amne
    msg["From"] = avsandare
    msg["To"] = leverans.epost
    msg["Date"] = format_datetime(clock.now())
    msg["Message-ID"] = leverans.message_id
    # Automatic mail: no out-of-office replies or auto-forward loops back to us.
    msg["Auto-Submitted"] = "auto-generated"
    msg["X-Auto-Response-Suppress"] = "All"
    msg.set_content(leverans.text)
    msg.add_alternative(html_version(leverans.amne, leverans.text), subtype="html")
    if leverans.ics:
        metod = "CANCEL" if "METHOD:CANCEL" in leverans.ics else "REQUEST"
        msg.add_attachment(leverans.ics, subtype="calendar", filename="kallelse.ics",
                           params={"method": metod})
    # After the parts: set_content would drop every Content-* header set before it.
    msg["Content-Language"] = "sv"
    return msg


def _kod(error: Exception) -> int | None:
    code = getattr(error, "smtp_code", None)
    if code is None and isinstance(error, smtplib.SMTPRecipientsRefused) and error.recipients:
        code = next(iter(error.recipients.values()))[0]
    return code if isinstance(code, int) else None


def tolka(error: Exception) -> Leveransfel:
    """Our words for what went wrong, never the server's text."""
    code = _kod(error)
    kod = f" (SMTP {code})" if code else ""
    permanent = code is not None and 500 <= code < 600
    if isinstance(error, smtplib.SMTPRecipientsRefused):
        return Leveransfel(f"E-postservern tog inte emot mottagarens adress{kod}.", permanent=permanent)
    if isinstance(error, smtplib.SMTPSenderRefused):
        # Our own sender address: a setting to fix, not this message's fault.
        return Leveransfel(f"E-postservern tog inte emot avsändaradressen{kod}.")
    if isinstance(error, smtplib.SMTPDataError):
        return Leveransfel(f"E-postservern tog inte emot meddelandet{kod}.", permanent=permanent)
    if isinstance(error, smtplib.SMTPAuthenticationError):
        return Leveransfel(f"Inloggningen på e-postservern misslyckades{kod}.", anslutning=True)
    if isinstance(error, smtplib.SMTPNotSupportedError):
        return Leveransfel("E-postservern stöder inte STARTTLS.", anslutning=True)
    if isinstance(error, ssl.SSLError):
        return Leveransfel("Den krypterade förbindelsen med e-postservern misslyckades.", anslutning=True)
    if isinstance(error, smtplib.SMTPServerDisconnected):
        return Leveransfel("Förbindelsen med e-postservern bröts.", anslutning=True)
    if isinstance(error, smtplib.SMTPResponseException):
        return Leveransfel(f"E-postservern svarade med ett fel{kod}.", anslutning=True)
    if isinstance(error, (TimeoutError, socket.timeout)):
        return Leveransfel("E-postservern svarade inte i tid.", anslutning=True)
    if isinstance(error, OSError):
        return Leveransfel("Det gick inte att ansluta till e-postservern.", anslutning=True)
    return Leveransfel("Ett oväntat fel uppstod när meddelandet skulle skickas.", anslutning=True)


class Forbindelse:
    """One SMTP session for a delivery run: ``f.oppna()``, then ``with f: f.skicka(msg)``."""

    def __init__(self, inst: SmtpInstallning):
        self.inst = inst
        self.smtp: smtplib.SMTP | None = None

    def oppna(self) -> None:
        inst = self.inst
        try:
            if inst.ssl:
                self.smtp = smtplib.SMTP_SSL(inst.host, inst.port, timeout=inst.timeout,
                                             context=ssl.create_default_context())
            else:
                self.smtp = smtplib.SMTP(inst.host, inst.port, timeout=inst.timeout)
                if inst.starttls:
                    self.smtp.starttls(context=ssl.create_default_context())
            if inst.username:
                self.smtp.login(inst.username, inst.password or "")
        except Exception as error:
            self._stang()
            raise tolka(error) from None

    def __enter__(self) -> Forbindelse:
        return self

    def skicka(self, msg: EmailMessage) -> None:
        try:
            self.smtp.send_message(msg, from_addr=self.inst.avsandare, to_addrs=[msg["To"]])
        except Exception as error:
            fel = tolka(error)
            if not fel.anslutning:
                # The session survives a refused message; reset it for the next one.
                try:
                    self.smtp.rset()
                except Exception:
                    fel.anslutning = True
            raise fel from None

    def _stang(self) -> None:
        if self.smtp is not None:
            try:
                self.smtp.quit()
            except Exception:
                self.smtp.close()
            self.smtp = None

    def __exit__(self, *exc) -> None:
        self._stang()
