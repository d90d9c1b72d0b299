"""The audit log's action codes and object types in Swedish words, for the review page
and the CSV export. A code without an entry is shown as the code itself, so a new
action is never hidden; add its words here when it is introduced."""

from __future__ import annotations

from samverkan.core.svenska import sorteringsnyckel
from workflows import arende as wf

HANDLINGAR: dict[str, str] = {
    "inloggning": "Loggade in",
    "tvafaktor.aktivera": "Aktiverade tvåfaktorsinloggning",
    "tvafaktor.aterstallningskod": "Loggade in med återställningskod",
    "tvafaktor.nya_koder": "Skapade nya återställningskoder",
    "tvafaktor.aterstall": "Återställde tvåfaktorsinloggning",
    "token.skapa": "Skapade API-token",
    "token.aterkalla": "Återkallade API-token",
    "arende.visa": "Läste ärendets uppgifter",
    "arende.visa_referens": "Öppnade ärendet (endast referens)",
    "arende.skapa": "Skapade ärende (utkast)",
    "arende.andra": "Ändrade ärendets uppgifter",
    "arende.sok": "Sökte ärenden för deltagare",
    "arende.sok_traff": "Sökning visade ärendet",
    "arende.nekad": "Nekades att läsa ärendets uppgifter",
    "deltagare.sok": "Sökte deltagare på personnummer",
    "deltagare.skapa": "Registrerade deltagare",
    "deltagare.andra": "Ändrade deltagarens uppgifter",
    "samtycke.registrera": "Registrerade samtycke",
    "samtycke.fornya": "Registrerade förnyat samtycke",
    "samtycke.paminnelse": "Köade påminnelse om samtycke som går ut",
    "utskick.samtycke": "Köade påminnelse om samtycke",
    "utskick.erbjudande": "Köade påminnelse om erbjuden insatsplats",
    "anteckning.skapa": "Skrev anteckning",
    "anteckning.ratta": "Rättade anteckning",
    "forberedelse.markera": "Markerade ärendet som förberett",
    "granskningslogg.visa": "Läste granskningsloggen",
    "granskningslogg.export": "Exporterade granskningsloggen",
    "finsam.visa": "Läste teamets uppgifter för Uppföljning Finsam",
    "finsam.registrera": "Markerade registrering i Uppföljning Finsam",
    "finsam.export": "Exporterade teamets uppgifter för Uppföljning Finsam",
    "arende.ateraktualisera": "Återaktualiserade ärende",
    "mote.skapa": "Skapade möte",
    "mote.andra": "Ändrade möte",
    "mote.installa": "Ställde in möte",
    "mote.anmalan": "Anmälde ärende till möte",
    "mote.anmalan.avsla": "Avslog anmälan till möte",
    "mote.dagordning.lagg_till": "Lade ärende på dagordningen",
    "mote.dagordning.ta_bort": "Tog bort punkt från dagordningen",
    "mote.dagordning.ordning": "Ändrade dagordningens ordning",
    "mote.dagordning.punkt": "Ändrade dagordningspunkt",
    "mote.dagordning.avsluta": "Avslutade dagordningen",
    "mote.inbjudan": "Skrev ut inbjudan till individen",
    "mote.narvaro": "Registrerade närvaro",
    "utskick.kallelse": "Köade kallelse",
    "utskick.tillagg": "Köade tilläggskallelse",
    "utskick.installning": "Köade inställelse",
    "utskick.paminnelse": "Köade påminnelse",
    "utskick.inloggningsvarning": "Köade varning om misslyckade inloggningar",
    "utskick.forsok_igen": "Lade utskick i kön igen",
    "samplanering.registrera": "Registrerade samplanering",
    "uppfoljning.stegmatning": "Registrerade stegförflyttning",
    "atgard.klar": "Markerade åtgärd som klar",
    "atgard.lista_forsenade": "Läste försenade åtgärder",
    "handlingsplan.visa": "Läste handlingsplanen",
    "insats.besluta": "Beslutade insats",
    "insats.erbjud": "Erbjöd insatsplats",
    "insats.bekrafta": "Bekräftade insatsplats",
    "insats.avboj": "Tackade nej till erbjuden insatsplats",
    "insats.avsluta": "Avslutade insats",
    "insats.paminnelse": "Påminde om erbjuden insatsplats",
    "insatsplatser.spara": "Sparade teamets insatsplatser",
    "insatstyp.skapa": "Lade till insatstyp",
    "insatstyp.andra": "Ändrade insatstyp",
    "steg.skapa": "Lade till steg",
    "steg.andra": "Ändrade steg",
    "stegforflyttning.visa": "Läste teamets stegförflyttning",
    "steg.ta_bort": "Tog bort steg",
    "protokoll.visa": "Läste protokoll",
    "protokoll.pdf": "Hämtade protokoll som PDF",
    "protokoll.justera": "Justerade protokoll",
    "protokoll.justera_del": "Justerade protokoll (en av två justerare)",
    "protokoll.justerare": "Utsåg andra justerare",
    "anvandare.besked": "Ändrade sina val för e-post",
    "utskick.beslut": "Köade besked om beslut",
    "utskick.protokoll": "Köade besked om justerat protokoll",
    "utskick.uppdrag": "Köade besked om nytt uppdrag",
    "utskick.veckosammanstallning": "Köade veckosammanställningar",
    "protokoll.tillagg": "Skrev tillägg till protokoll",
    "gallringsfrist.andra": "Ändrade gallringsfrist",
    "gallring.torrkorning": "Läste vilka ärenden som ska gallras",
    "gallring": "Gallrade ärende (avidentifierat)",
    "databas.aterstall": "Återställde databasen från en säkerhetskopia",
    # State changes: one per trigger of the ärende state machine.
    **{f"arende.{trigger}": f"Ärende: {label}" for trigger, label in wf.TRIGGER_LABELS.items()},
    # The förbund's own set-up (samverkan.forbund, auth.konto).
    "forbund.skapa": "Skapade förbundet",
    "part.skapa": "Lade till part",
    "part.andra": "Ändrade part",
    "team.skapa": "Skapade team",
    "team.andra": "Ändrade teamets regler",
    "team.generera_moten": "Skapade teamets möten",
    "anvandare.skapa": "Bjöd in användare",
    "anvandare.andra": "Ändrade användare",
    "anvandare.avaktivera": "Avaktiverade användare",
    "anvandare.import": "Importerade användare från fil",
    "medlemskap.skapa": "Gav roll i team",
    "medlemskap.ta_bort": "Tog bort roll i team",
    "samcoach.kapacitet": "Ändrade samcoachens kapacitet",
    "arende.overfor": "Förde över ärendet till en kollega",
    "engangslank.inbjudan": "Skapade inbjudningslänk",
    "engangslank.aterstallning": "Skapade länk för nytt lösenord",
    "losenord.inbjudan": "Valde lösenord via inbjudan",
    "losenord.aterstallning": "Valde nytt lösenord via länk",
    "losenord.byt": "Bytte lösenord",
    "utskick.inbjudan": "Köade inbjudan",
    "utskick.aterstallning": "Köade länk för nytt lösenord",
    # The individual at the meeting and after avslut (samverkan.samplanering.individen,
    # samverkan.efterkontroll).
    "individ.narvaro": "Registrerade individens närvaro",
    "individ.mal": "Skrev individens mål",
    "arende.overlamning": "Registrerade överlämning vid avslut",
    "efterkontroll.registrera": "Registrerade efterkontroll efter avslut",
    "forbund.efterkontroll_manader": "Ändrade tiden till efterkontroll",
}

OBJEKTTYPER: dict[str, str] = {
    "arende": "Ärende",
    "anvandare": "Användare",
    "deltagare": "Deltagare",
    "api_token": "API-token",  # nosec B105  # a label, not a password
    "anteckning": "Anteckning",
    "granskningslogg": "Granskningslogg",
    "mote": "Möte",
    "dagordningspunkt": "Dagordningspunkt",
    "utskick": "Utskick",
    "atgard": "Åtgärd",
    "insats": "Insats",
    "insatstyp": "Insatstyp",
    "steg": "Steg",
    "forbund": "Förbund",
    "databas": "Databas",
    "part": "Part",
    "team": "Team",
    "medlemskap": "Roll i team",
}


def handling_label(handling: str) -> str:
    return HANDLINGAR.get(handling, handling)


def objekttyp_label(objekt_typ: str) -> str:
    return OBJEKTTYPER.get(objekt_typ, objekt_typ)


def choices() -> list[tuple[str, str]]:
    """For the filter's select: by label, as people look for words, not codes."""
    return sorted(HANDLINGAR.items(), key=lambda item: sorteringsnyckel(item[1]))

