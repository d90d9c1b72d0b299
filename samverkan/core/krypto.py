"""Encryption at rest of single values (personnummer, TOTP secrets) and the keyed hash
that lets an exact personnummer be found without storing it readable.

AES-256-GCM from ``cryptography``. A stored value reads ``aes1:<key id>:<base64>``, where
the base64 holds a fresh 12-byte nonce, the ciphertext and the tag; the column's purpose
(e.g. ``deltagare.personnummer``) is the associated data, so a value copied into another
column does not decrypt. Several keys may be configured so a rotation can run while the
app serves: the first encrypts, every one decrypts (``flask rotera-nyckel`` rewrites the
rows under the first).

The search hash is HMAC-SHA256 under its own key (``SOKNYCKEL``), hex, stored beside the
ciphertext with the unique index the plain column had.

Configuration (``SAMVERKAN_KRYPTERINGSNYCKLAR``, ``SAMVERKAN_SOKNYCKEL``): required in
production; debug, demo and tests get fixed local keys so their databases stay readable
across restarts. Those local keys are public (they are in this file): never use them for
real data.
"""

from __future__ import annotations

import base64
import binascii
import hashlib
import hmac
import re
import secrets
from dataclasses import dataclass

from cryptography.exceptions import InvalidTag
from cryptography.hazmat.primitives.ciphers.aead import AESGCM
from flask import Flask, current_app
from sqlalchemy import String, TypeDecorator
from sqlalchemy.sql import operators

PREFIX = "aes1:"
_NYCKEL_ID = re.compile(r"^[A-Za-z0-9-]{1,32}$")
# Debug/demo/test only, and public: a database made with them is readable by anyone.
_LOKAL_NYCKEL = ("lokal", hashlib.sha256(b"samverkan lokal krypteringsnyckel").digest())
_LOKAL_SOKNYCKEL = hashlib.sha256(b"samverkan lokal soknyckel").digest()

NY_NYCKEL_KOMMANDO = "python -c 'import base64,secrets; print(base64.b64encode(secrets.token_bytes(32)).decode())'"


class Nyckelfel(RuntimeError):
    """A configuration or data error with the keys (the message says what to do)."""


@dataclass(frozen=True)
class Nycklar:
    aktuell: str  # the id new values are encrypted under
    aes: dict[str, AESGCM]
    sok: bytes


def _b64_nyckel(text: str, namn: str) -> bytes:
    try:
        raw = base64.b64decode(text.strip(), validate=True)
    except (binascii.Error, ValueError):
        raw = b""
    if len(raw) != 32:
        raise Nyckelfel(f"{namn}: en nyckel ska vara 32 slumpmässiga byte i base64 (44 tecken), "
                        f"t.ex. från {NY_NYCKEL_KOMMANDO}")
    return raw


def las_nycklar(value) -> list[tuple[str, bytes]]:
    """``"id2:BASE64,id1:BASE64"`` (first = current), or a list of such strings / pairs."""
    if isinstance(value, str):
        delar = [d for d in re.split(r"[,\s]+", value) if d]
    elif isinstance(value, dict):
        delar = [f"{k}:{v}" for k, v in value.items()]
    else:
        delar = [d if isinstance(d, str) else f"{d[0]}:{d[1]}" for d in (value or [])]
    nycklar: list[tuple[str, bytes]] = []
    for del_ in delar:
        nyckel_id, sep, text = del_.partition(":")
        if not sep or not _NYCKEL_ID.match(nyckel_id):
            raise Nyckelfel("KRYPTERINGSNYCKLAR: skriv nycklarna som id:base64, åtskilda med komma, den "
                            "aktuella först (id: bokstäver, siffror och bindestreck), t.ex. "
                            "2026b:…,2026a:…")
        if any(nyckel_id == n for n, _ in nycklar):
            raise Nyckelfel(f"KRYPTERINGSNYCKLAR: nyckel-id {nyckel_id} förekommer två gånger.")
        nycklar.append((nyckel_id, _b64_nyckel(text, f"KRYPTERINGSNYCKLAR ({nyckel_id})")))
    return nycklar


def init_app(app: Flask, *, relaxed: bool) -> None:
    """Read the keys at start-up; production stops here with a message when one is missing."""
    lista = las_nycklar(app.config.get("KRYPTERINGSNYCKLAR"))
    sok_text = app.config.get("SOKNYCKEL")
    sok_text = str(sok_text) if sok_text else None  # the environment parser may have made it a number
    if not lista or not sok_text:
        if not relaxed:
            saknas = " och ".join(n for n, v in (("SAMVERKAN_KRYPTERINGSNYCKLAR", lista),
                                                 ("SAMVERKAN_SOKNYCKEL", sok_text)) if not v)
            raise Nyckelfel(
                f"{saknas} saknas. Personnummer och tvåfaktorshemligheter lagras krypterade och "
                "appen startar inte utan nycklar. Skapa en nyckel med "
                f"{NY_NYCKEL_KOMMANDO} och sätt SAMVERKAN_KRYPTERINGSNYCKLAR=\"1:<nyckel>\" och "
                "SAMVERKAN_SOKNYCKEL=\"<en annan nyckel>\". Förvara dem skilda från "
                "säkerhetskopiorna: utan dem går de krypterade uppgifterna inte att läsa."
            )
        lista = lista or [_LOKAL_NYCKEL]
        sok = _b64_nyckel(sok_text, "SOKNYCKEL") if sok_text else _LOKAL_SOKNYCKEL
    else:
        sok = _b64_nyckel(sok_text, "SOKNYCKEL")
    app.extensions["samverkan.krypto"] = Nycklar(
        aktuell=lista[0][0], aes={n: AESGCM(k) for n, k in lista}, sok=sok)


def lokal_miljo() -> dict[str, str]:
    """The local keys as environment variables, for a production-mode process started by
    the tests or the benchmark against their own fictional data."""
    return {"SAMVERKAN_KRYPTERINGSNYCKLAR": f"{_LOKAL_NYCKEL[0]}:{base64.b64encode(_LOKAL_NYCKEL[1]).decode()}",
            "SAMVERKAN_SOKNYCKEL": base64.b64encode(_LOKAL_SOKNYCKEL).decode()}


def lokal_konfiguration() -> dict[str, str]:
    """The same, as configuration keys (``create_app({...})``)."""
    return {k.removeprefix("SAMVERKAN_"): v for k, v in lokal_miljo().items()}


def nycklar() -> Nycklar:
    return current_app.extensions["samverkan.krypto"]


def ar_krypterat(value: str | None) -> bool:
    return value is not None and value.startswith(PREFIX)


def kryptera(klartext: str, syfte: str, k: Nycklar | None = None) -> str:
    k = k or nycklar()
    nonce = secrets.token_bytes(12)
    data = k.aes[k.aktuell].encrypt(nonce, klartext.encode(), syfte.encode())
    return f"{PREFIX}{k.aktuell}:{base64.b64encode(nonce + data).decode()}"


def dekryptera(varde: str, syfte: str, k: Nycklar | None = None) -> str:
    k = k or nycklar()
    if not ar_krypterat(varde):
        raise Nyckelfel(f"{syfte}: värdet är inte krypterat (har migreringen körts?).")
    nyckel_id, _, data = varde[len(PREFIX):].partition(":")
    if nyckel_id not in k.aes:
        raise Nyckelfel(f"{syfte}: nyckeln {nyckel_id} finns inte bland KRYPTERINGSNYCKLAR. "
                        "Ta inte bort en gammal nyckel förrän rotera-nyckel har körts klart.")
    raw = base64.b64decode(data)
    try:
        return k.aes[nyckel_id].decrypt(raw[:12], raw[12:], syfte.encode()).decode()
    except InvalidTag:
        raise Nyckelfel(f"{syfte}: värdet går inte att dekryptera med nyckeln {nyckel_id}.") from None


def under_aktuell(varde: str | None, k: Nycklar | None = None) -> bool:
    k = k or nycklar()
    return varde is not None and varde.startswith(f"{PREFIX}{k.aktuell}:")


def sokhash(klartext: str, k: Nycklar | None = None) -> str:
    """The keyed hash an exact value is looked up by (never the value itself)."""
    k = k or nycklar()
    return hmac.new(k.sok, klartext.encode(), hashlib.sha256).hexdigest()


class Krypterad(TypeDecorator):
    """A string column stored encrypted; Python sees the plain value.

    Equality with a value is refused: the ciphertext differs every time, so such a
    query would silently match nothing. Look up through the column's search hash.
    """

    impl = String
    cache_ok = True

    def __init__(self, syfte: str, length: int):
        super().__init__(length)
        self.syfte = syfte

    class comparator_factory(String.Comparator):  # noqa: N801 (SQLAlchemy's name)
        def operate(self, op, *other, **kwargs):
            if op in (operators.eq, operators.ne, operators.in_op, operators.not_in_op) and not (
                    other and other[0] is None):
                raise TypeError("En krypterad kolumn kan inte jämföras med ett värde; "
                                "sök på dess sökhash.")
            return super().operate(op, *other, **kwargs)

    def process_bind_param(self, value, dialect):
        if value is None:
            return None
        return kryptera(value, self.syfte)

    def process_result_value(self, value, dialect):
        if value is None:
            return None
        return dekryptera(value, self.syfte)


# --- rewriting stored rows (the migration and ``flask rotera-nyckel``) ---------------------


@dataclass(frozen=True)
class Falt:
    """One encrypted column: its table, the column, its purpose, and its search hash column."""

    tabell: str
    kolumn: str
    syfte: str
    sok_kolumn: str | None = None


def skriv_om(connection, falt: Falt, *, k: Nycklar | None = None, batch: int = 500,
             bara_klartext: bool = False, alla: bool = False, commit=None) -> int:
    """Encrypt under the current key every value of ``falt`` that is not yet (plain text,
    or under an older key; ``bara_klartext``: plain text only; ``alla``: every value, e.g.
    after a new search key) and set its search hash. Rows go in id order, ``batch`` at a
    time; ``commit`` (if given) is called after each batch, so a long run holds no lock
    for long and a stopped run continues where it was. Each row is written only if it
    still holds the value read (a concurrent edit wins). Returns the rows rewritten.
    """
    from sqlalchemy import column, func, select, table, update

    k = k or nycklar()
    t = table(falt.tabell, column("id"), column(falt.kolumn), *([column(falt.sok_kolumn)] if falt.sok_kolumn else []))
    kol = t.c[falt.kolumn]
    villkor = [kol.is_not(None)]
    if bara_klartext:
        villkor.append(func.substr(kol, 1, len(PREFIX)) != PREFIX)
    elif not alla:
        aktuell = f"{PREFIX}{k.aktuell}:"
        villkor.append(func.substr(kol, 1, len(aktuell)) != aktuell)
    antal, senaste = 0, 0
    while True:
        rader = connection.execute(
            select(t.c.id, kol).where(t.c.id > senaste, *villkor).order_by(t.c.id).limit(batch)
        ).all()
        if not rader:
            return antal
        for rad_id, varde in rader:
            klartext = dekryptera(varde, falt.syfte, k) if ar_krypterat(varde) else varde
            nytt = {falt.kolumn: kryptera(klartext, falt.syfte, k)}
            if falt.sok_kolumn:
                nytt[falt.sok_kolumn] = sokhash(klartext, k)
            antal += connection.execute(
                update(t).where(t.c.id == rad_id, kol == varde).values(**nytt)).rowcount
        senaste = rader[-1][0]
        if commit is not None:
            commit()


def skriv_klartext(connection, falt: Falt, *, k: Nycklar | None = None) -> None:
    """The way back (a migration's downgrade): every value decrypted in place."""
    from sqlalchemy import column, select, table, update

    k = k or nycklar()
    t = table(falt.tabell, column("id"), column(falt.kolumn))
    kol = t.c[falt.kolumn]
    for rad_id, varde in connection.execute(select(t.c.id, kol).where(kol.is_not(None))).all():
        if ar_krypterat(varde):
            connection.execute(update(t).where(t.c.id == rad_id).values(
                {falt.kolumn: dekryptera(varde, falt.syfte, k)}))

