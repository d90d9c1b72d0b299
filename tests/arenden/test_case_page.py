"""The case page: what it shows (reference, identity, consent with its warnings, start
data), which actions it offers, the merged timeline, the preparation checklist, access
after consent is withdrawn, and a query count that does not grow with the history."""

from __future__ import annotations

import datetime as dt
import re

import pytest
from sqlalchemy import func, select

from samverkan.anteckningar.models import Anteckning
from samverkan.arenden import services
from samverkan.arenden.models import Arende, ArendeHandelse, Forberedelse
from samverkan.auth import policy
from samverkan.core import clock
from samverkan.core.audit import AuditEntry
from samverkan.core.db import db
from samverkan.moten.models import Dagordningspunkt, Mote
from tests import factories

# A Tuesday in Stockholm (winter time: UTC+1); the tests move the clock from here.
NOW = dt.datetime(2026, 2, 10, 9, 0, tzinfo=dt.UTC)
DAY = dt.timedelta(days=1)


@pytest.fixture
def tid(ctx):
    """The test's clock: ``tid.satt(dt)`` or ``tid.fram(timedelta)``."""

    class Klocka:
        nu = NOW

        def satt(self, value):
            self.nu = value

        def fram(self, delta):
            self.nu = self.nu + delta

    klocka = Klocka()
    clock.set_clock(lambda: klocka.nu)
    yield klocka
    clock.set_clock(None)


def _mote(world, om: dt.timedelta, *, installt: bool = False, arende: Arende | None = None) -> Mote:
    mote = Mote(team_id=world.team.id, starttid=clock.now() + om,
                installt=clock.now() if installt else None)
    db.session.add(mote)
    db.session.flush()
    if arende is not None:
        db.session.add(Dagordningspunkt(mote_id=mote.id, arende_id=arende.id))
        db.session.flush()
    return mote


def _triggers_offered(html: str) -> set[str]:
    return set(re.findall(r'name="trigger" type="hidden" value="([a-z_]+)"', html))


# --- what the page shows -----------------------------------------------------------------

def test_page_shows_reference_identity_consent_and_start_data(world, login, tid):
    arende = factories.create_arende(world, parter=["af", "fk", "kommun", "region"])
    arende.forsorjning_start = "forsorjningsstod"
    arende.sysselsattning_start = "ami"
    db.session.commit()
    pnr = arende.deltagare.personnummer
    html = login(world.users["projektledare"]).get(f"/arenden/{arende.id}").get_data(as_text=True)
    h1 = re.search(r"<h1[^>]*>(.*?)</h1>", html, re.S).group(1)
    assert arende.referens in h1
    assert f"{pnr[:8]}-{pnr[8:]}" in html
    assert "Kvinna" in html and str(arende.deltagare.fodelsear) in html
    assert "Försörjningsstöd" in html and "AME/AMI-aktivitet" in html
    s = arende.samtycke
    assert s.givet_den.isoformat() in html and s.giltigt_till.isoformat() in html
    for part in world.parter.values():
        assert part.namn in html
    assert "Återkallat</dt><dd>Nej" in html


def test_anonymous_deltagare_is_shown_by_code(world, login, tid):
    user = world.users["ledamot_af"]
    arende = services.create_utkast(user, team_id=world.team.id, fragestallning="<p>Fråga</p>",
                                    kon="annat", anonym_kod="EXB-anon-7", fodelsear=1990)
    db.session.commit()
    html = login(user).get(f"/arenden/{arende.id}").get_data(as_text=True)
    assert "Anonym kod" in html and "EXB-anon-7" in html
    assert "Annat / vill ej uppge" in html and "1990" in html
    assert "Inget samtycke är registrerat" in html


@pytest.mark.parametrize(("giltigt_dagar", "mote_om", "installt", "varning"), [
    (10, 20, False, "gar_ut_fore_mote"),  # expires before the team's next meeting
    (30, 20, False, None),  # covers it
    (10, 20, True, None),  # the only later meeting is cancelled: nothing to warn about
    (-1, 20, False, "utgangen"),  # already expired
])
def test_consent_warning_before_next_meeting(world, login, tid, giltigt_dagar, mote_om, installt, varning):
    arende = factories.create_arende(world, giltigt_dagar=giltigt_dagar)
    _mote(world, mote_om * DAY, installt=installt)
    db.session.commit()
    html = login(world.users["projektledare"]).get(f"/arenden/{arende.id}").get_data(as_text=True)
    if varning is None:
        assert "data-varning" not in html
        return
    box = re.search(r'<div class="ruta ruta--varning" role="status".*?</div>', html, re.S)
    assert box, "the warning must be an alert box with a role, not colour alone"
    assert f'data-varning="{varning}"' in box.group(0)
    assert arende.samtycke.giltigt_till.isoformat() in box.group(0)
    if varning == "gar_ut_fore_mote":
        assert "teamets nästa möte" in box.group(0)


def test_consent_warning_also_for_the_meeting_the_arende_is_on(world, login, tid):
    arende = factories.create_arende(world, giltigt_dagar=15)
    _mote(world, 5 * DAY)  # the team's next meeting: covered
    _mote(world, 40 * DAY, arende=arende)  # on its agenda, after the consent ends
    db.session.commit()
    html = login(world.users["projektledare"]).get(f"/arenden/{arende.id}").get_data(as_text=True)
    assert 'data-varning="gar_ut_fore_mote"' in html
    assert "mötet där ärendet står på dagordningen" in html


@pytest.mark.parametrize(("key", "expected"), [
    # the projektledare runs the meeting: all but the meeting's own triggers
    ("projektledare", {"avsluta", "aterkalla", "felregistrera"}),
    # the aktualiserande handläggare: withdrawal and misregistration
    ("ledamot_af", {"aterkalla", "felregistrera"}),
    ("ledamot_fk", set()),
])
def test_page_offers_only_the_actions_allowed_now_and_never_meeting_triggers(world, login, tid, key, expected):
    arende = factories.create_arende(world)
    db.session.commit()
    assert "placera_pa_agenda" in services.allowed_triggers(world.users["projektledare"], arende)
    html = login(world.users[key]).get(f"/arenden/{arende.id}").get_data(as_text=True)
    assert _triggers_offered(html) == expected
    assert "Placera på agenda" not in html
    # Trigger-specific fields only in that trigger's form.
    assert ('id="avsluta-avslutsorsak"' in html) == ("avsluta" in expected)
    assert 'id="aterkalla-avslutsorsak"' not in html
    ids = re.findall(r'\sid="([^"]+)"', html)
    assert len(ids) == len(set(ids)), "duplicate ids"


def test_refused_action_shows_its_form_open_with_the_error(world, login, tid):
    arende = factories.create_arende(world)
    db.session.commit()
    tid.fram(DAY)
    response = login(world.users["projektledare"]).post(f"/arenden/{arende.id}/handelse", data={
        "trigger": "felregistrera", "version": arende.version,
        "datum": (clock.today() + 3 * DAY).isoformat(), "kommentar": "fel person"})
    html = response.get_data(as_text=True)
    assert response.status_code == 422
    assert '<details class="atgard" open>\n    <summary>Felregistrering' in html
    assert 'id="felregistrera-datum-fel"' in html and "framtiden" in html


def test_timeline_merges_history_and_notes_by_time_newest_last(world, login, tid):
    arende = factories.create_arende(world)  # "Aktualisera" registered at NOW
    db.session.commit()
    client = login(world.users["projektledare"])
    steg = dt.timedelta(minutes=10)  # requests stay within the session's idle timeout
    tid.fram(steg)
    assert client.post(f"/arenden/{arende.id}/anteckningar", data={"ny-text": "Första anteckningen"}).status_code == 303
    tid.fram(steg)
    db.session.expire_all()
    factories.placera(world, arende)
    db.session.commit()
    tid.fram(steg)
    assert client.post(f"/arenden/{arende.id}/anteckningar", data={"ny-text": "Andra anteckningen"}).status_code == 303
    html = client.get(f"/arenden/{arende.id}").get_data(as_text=True)
    timeline = html[html.index('id="tidslinje-rubrik"'):]
    order = [timeline.index(s) for s in ("<strong>Aktualisera</strong>", "Första anteckningen",
                                         "<strong>Placera på agenda</strong>", "Andra anteckningen")]
    assert order == sorted(order)
    # Each entry with author and Stockholm time (UTC+1 in February).
    assert "Petra Projektsson, 2026-02-10 10:20" in timeline
    assert "Ledamot AF, 2026-02-10 10:00" in timeline


def test_case_page_query_count_does_not_grow_with_notes_and_history(world, login, count_queries, tid):
    authors = [world.users[k] for k in ("projektledare", "ledamot_af", "ledamot_fk", "ledamot_kommun")]

    def arende_with(n: int) -> Arende:
        arende = factories.create_arende(world)
        for i in range(n):
            author = authors[i % len(authors)]
            db.session.add(Anteckning(arende_id=arende.id, forfattare_id=author.id, text=f"<p>Anteckning {i}</p>",
                                      skapad=clock.now() + i * dt.timedelta(minutes=1)))
            db.session.add(ArendeHandelse(arende_id=arende.id, trigger="kalla_till_uppfoljning",
                                          fran_status="i_insats", till_status="uppfoljning",
                                          aktor_id=author.id, galler_datum=clock.today(),
                                          registrerad=clock.now() + i * dt.timedelta(minutes=1)))
        db.session.flush()
        notes = db.session.scalars(select(Anteckning.id).where(Anteckning.arende_id == arende.id)).all()
        for note_id in notes[::3]:  # addenda, too
            db.session.add(Anteckning(arende_id=arende.id, forfattare_id=authors[0].id, text="Tillägg",
                                      tillagg_till_id=note_id))
        mote = _mote(world, 7 * DAY, arende=arende)
        db.session.add(Forberedelse(arende_id=arende.id, mote_id=mote.id, part_id=world.parter["fk"].id,
                                    markerad_av_id=world.users["ledamot_fk"].id))
        return arende

    small, large = arende_with(3).id, arende_with(30).id
    db.session.commit()
    client = login(world.users["ledamot_fk"])
    client.get(f"/arenden/{small}")  # warm-up
    counts = {}
    for arende_id in (small, large):
        with count_queries() as q:
            response = client.get(f"/arenden/{arende_id}")
        assert response.status_code == 200
        counts[arende_id] = q
    assert "Anteckning 29" in response.get_data(as_text=True)
    assert counts[small].count == counts[large].count, "\n".join(
        s[:100] for s in counts[large].statements)


# --- preparation checklist ---------------------------------------------------------------

def test_checklist_is_for_the_meeting_the_arende_is_on_and_marks_once(world, login, tid):
    arende = factories.create_arende(world)
    _mote(world, 3 * DAY)  # the team's next meeting, without this ärende
    pa = _mote(world, 10 * DAY, arende=arende)
    db.session.commit()
    client = login(world.users["ledamot_fk"])
    html = client.get(f"/arenden/{arende.id}").get_data(as_text=True)
    section = html[html.index('id="forberedelse-rubrik"'):html.index('id="atgard-rubrik"')
                   if 'id="atgard-rubrik"' in html else None]
    assert pa.starttid.astimezone(clock.STOCKHOLM).strftime("%Y-%m-%d %H:%M") in section
    assert "står på dagordningen" in section
    for part in world.parter.values():
        assert f'<th scope="row">{part.namn}</th>' in section
    # The ledamot may mark their own party only.
    assert section.count("Markera förberett för") == 1
    assert f"Markera förberett för {world.parter['fk'].namn}" in section

    data = {"part_id": world.parter["fk"].id, "mote_id": pa.id}
    assert client.post(f"/arenden/{arende.id}/forberedelse", data=data).status_code == 303
    assert client.post(f"/arenden/{arende.id}/forberedelse", data=data).status_code == 303  # harmless
    db.session.expire_all()
    rows = db.session.scalars(select(Forberedelse).where(Forberedelse.arende_id == arende.id)).all()
    assert [(r.part_id, r.mote_id, r.markerad_av_id) for r in rows] == [
        (world.parter["fk"].id, pa.id, world.users["ledamot_fk"].id)]
    assert db.session.scalar(select(func.count()).select_from(AuditEntry).where(
        AuditEntry.handling == "forberedelse.markera", AuditEntry.objekt_id == arende.id)) == 1
    html = client.get(f"/arenden/{arende.id}").get_data(as_text=True)
    assert "Förberett av Ledamot FK, 2026-02-10 10:00" in html
    assert "Markera förberett för" not in html


def test_checklist_falls_back_to_the_teams_next_meeting(world, login, tid):
    arende = factories.create_arende(world)
    _mote(world, 2 * DAY, installt=True)
    nasta = _mote(world, 6 * DAY)
    db.session.commit()
    client = login(world.users["ersattare_af"])  # an ersättare marks for their party
    html = client.get(f"/arenden/{arende.id}").get_data(as_text=True)
    assert "listan gäller teamets nästa möte" in html
    assert f"Markera förberett för {world.parter['af'].namn}" in html
    response = client.post(f"/arenden/{arende.id}/forberedelse",
                           data={"part_id": world.parter["af"].id, "mote_id": nasta.id})
    assert response.status_code == 303


def test_no_checklist_without_a_coming_meeting(world, login, tid):
    arende = factories.create_arende(world)
    _mote(world, -2 * DAY)  # already held
    db.session.commit()
    html = login(world.users["ledamot_fk"]).get(f"/arenden/{arende.id}").get_data(as_text=True)
    assert 'id="forberedelse-rubrik"' not in html


@pytest.mark.parametrize(("key", "part", "status"), [
    ("projektledare", "kommun", 403),  # chairs the team, is not the party's member
    ("ledamot_fk", "af", 403),  # another party's row
    ("ledamot_fk", "fk", 409),  # the page was built for another meeting
])
def test_checklist_refusals(world, login, tid, key, part, status):
    arende = factories.create_arende(world)
    mote = _mote(world, 7 * DAY)
    db.session.commit()
    mote_id = mote.id + 1000 if status == 409 else mote.id
    response = login(world.users[key]).post(f"/arenden/{arende.id}/forberedelse",
                                            data={"part_id": world.parter[part].id, "mote_id": mote_id})
    assert response.status_code == status
    assert db.session.scalar(select(func.count()).select_from(Forberedelse)) == 0


# --- access after consent is withdrawn -----------------------------------------------------

# Who sees the details once consent is withdrawn, for every role of the world.
EFTER_ATERKALLELSE = {
    "projektledare": policy.Atkomst.DETALJER,
    "ledamot_af": policy.Atkomst.DETALJER,  # the aktualiserande handläggare
    "ledamot_fk": policy.Atkomst.REFERENS,
    "ledamot_kommun": policy.Atkomst.REFERENS,
    "ledamot_region": policy.Atkomst.REFERENS,
    "ersattare_af": policy.Atkomst.REFERENS,
    "samcoach": policy.Atkomst.REFERENS,
    "admin": policy.Atkomst.REFERENS,
    "granne": policy.Atkomst.INGEN,
    "styrgrupp": policy.Atkomst.INGEN,
}
STATUS_FOR = {policy.Atkomst.DETALJER: 200, policy.Atkomst.REFERENS: 403, policy.Atkomst.INGEN: 404}


def _withdraw(world, arende: Arende, how: str) -> None:
    if how == "flow":
        services.fire(world.users["ledamot_af"], arende.id, "aterkalla", version=arende.version)
    elif how == "samtycke":  # the consent row marked, the state not (yet) changed
        arende.samtycke.aterkallat = clock.now()
    else:  # "status": an admin's correction into aterkallad, the consent row untouched
        services.fire(world.users["admin"], arende.id, "korrigera", version=arende.version,
                      kommentar="Återkallelsen kom in per brev", till="aterkallad")
    db.session.commit()


@pytest.mark.parametrize("how", ["flow", "samtycke", "status"])
def test_withdrawn_consent_leaves_details_to_handlaggare_and_projektledare_only(world, tid, how):
    arende = factories.create_arende(world)
    db.session.commit()
    assert policy.access_to(world.users["ledamot_fk"], arende) == policy.Atkomst.DETALJER
    _withdraw(world, arende, how)
    for key, expected in EFTER_ATERKALLELSE.items():
        user = world.users[key]
        assert policy.access_to(user, arende) == expected, key
        in_clause = db.session.scalar(
            select(func.count()).select_from(Arende)
            .where(Arende.id == arende.id, policy.detail_arenden_clause(user))) == 1
        assert in_clause == (expected == policy.Atkomst.DETALJER), key


@pytest.mark.parametrize("key", list(EFTER_ATERKALLELSE))
def test_case_page_after_withdrawal_for_every_role(world, login, tid, key):
    arende = factories.create_arende(world)
    db.session.commit()
    _withdraw(world, arende, "flow")
    response = login(world.users[key]).get(f"/arenden/{arende.id}")
    html = response.get_data(as_text=True)
    assert response.status_code == STATUS_FOR[EFTER_ATERKALLELSE[key]]
    pnr = arende.deltagare.personnummer
    if response.status_code == 200:
        assert pnr[:8] in html and "samordna" in html
        assert 'data-varning="aterkallat"' in html
    else:
        assert pnr[:8] not in html and "samordna" not in html
    if response.status_code == 403:
        assert arende.referens in html and "återkallat" in html


def test_after_withdrawal_only_avslut_is_offered_and_nothing_else_is_written(world, login, tid):
    arende = factories.create_arende(world)
    mote = _mote(world, 7 * DAY)
    db.session.commit()
    _withdraw(world, arende, "flow")
    html = login(world.users["projektledare"]).get(f"/arenden/{arende.id}").get_data(as_text=True)
    assert _triggers_offered(html) == {"avsluta"}
    assert 'id="forberedelse-rubrik"' not in html
    assert "Samtycket är återkallat" in html and f'action="/arenden/{arende.id}/anteckningar"' not in html

    client = login(world.users["ledamot_af"])
    assert _triggers_offered(client.get(f"/arenden/{arende.id}").get_data(as_text=True)) == set()
    response = client.post(f"/arenden/{arende.id}/anteckningar", data={"ny-text": "En till"})
    assert response.status_code == 422 and "Samtycket är återkallat" in response.get_data(as_text=True)
    response = client.post(f"/arenden/{arende.id}/forberedelse",
                           data={"part_id": world.parter["af"].id, "mote_id": mote.id})
    assert response.status_code == 422
    # A formerly covered ledamot cannot write either.
    response = login(world.users["ledamot_fk"]).post(f"/arenden/{arende.id}/anteckningar",
                                                      data={"ny-text": "En till"})
    assert response.status_code == 403
    assert db.session.scalar(select(func.count()).select_from(Anteckning)) == 0
    assert db.session.scalar(select(func.count()).select_from(Forberedelse)) == 0


def test_own_draft_links_to_its_edit_page(world, login):
    arende = factories.create_arende(world, aktualisera=False)
    db.session.commit()
    html = login(world.users["ledamot_af"]).get(f"/arenden/{arende.id}").get_data(as_text=True)
    assert f"/aktualisering/{arende.id}/redigera" in html


def test_avslut_with_nothing_filled_in_marks_every_missing_field_at_once(world, login):
    arende = factories.create_arende(world)  # aktualiserat: open, so avslut needs all three
    db.session.commit()
    response = login(world.users["projektledare"]).post(
        f"/arenden/{arende.id}/handelse", data={"trigger": "avsluta", "version": arende.version})
    assert response.status_code == 422
    html = response.get_data(as_text=True)
    for falt in ("avslutsorsak", "forsorjning_slut", "sysselsattning_slut"):
        assert re.search(rf'id="avsluta-{falt}"[^>]*aria-invalid="true"|aria-invalid="true"[^>]*id="avsluta-{falt}"',
                         html), falt
    summary = html[html.index("Formuläret innehåller fel"):]
    assert all(text in summary for text in ("Ange en avslutsorsak.", "Ange försörjning vid avslut.",
                                            "Ange sysselsättning vid avslut."))
    db.session.expire_all()
    assert db.session.get(Arende, arende.id).status == arende.status
