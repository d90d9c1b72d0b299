"""What the benchmark loads: one row per endpoint. Adding a page is one line.

``vem`` is who asks: ``pl`` (the projektledare of team 1, by session cookie), ``ledamot``
(a ledamot of team 1), ``admin`` (the förbund's admin), ``token`` (the projektledare's
API token) or ``ingen`` (not logged in). The path's ``{names}`` come from
``bench.server.parametrar``. An endpoint that answers 404 (not built yet) is skipped
with a note. Each row is compared with the floor (``bench.golv``, a one-line Flask app
under the same gunicorn configuration), measured just before it.
"""

from __future__ import annotations

from typing import NamedTuple


class Endpoint(NamedTuple):
    namn: str
    metod: str
    sokvag: str
    vem: str


ENDPOINTS = [
    # The app's cheapest answers: its request hooks and one SELECT 1; a logged-in
    # request that loads the session user and redirects to the start page.
    Endpoint("Hälsokontroll", "GET", "/halsa", "ingen"),
    Endpoint("Inloggad, tom (omdirigering från /)", "GET", "/", "pl"),
    Endpoint("Ärendelista", "GET", "/arenden/", "pl"),
    Endpoint("Mina ärenden", "GET", "/arenden/mina", "ledamot"),
    Endpoint("Inkorg", "GET", "/arenden/inkorg", "pl"),
    Endpoint("Ärendesida", "GET", "/arenden/{arende_id}", "pl"),
    Endpoint("Agendabyggaren (mötessida, projektledare)", "GET", "/moten/{kommande_mote_id}", "pl"),
    Endpoint("Mötessida (ledamot)", "GET", "/moten/{kommande_mote_id}", "ledamot"),
    Endpoint("Mötesprotokoll-vy, hållet möte", "GET", "/moten/{hallet_mote_id}", "pl"),
    # The last year that has ended: the report shows only ended periods (hidden small numbers).
    # Its marks are worked out by the first request (measured apart, ``bench.__main__``) and
    # kept (``rapporter.markeringar``): the rows measure a look at a year seen before.
    Endpoint("Periodrapport (förra året, hela förbundet, markeringarna behållna)", "GET", "/rapporter/period?team=alla&period={forra_aret}",
             "admin"),
    Endpoint("API: ärendelista", "GET", "/api/v1/arenden", "token"),
    Endpoint("API: ärende", "GET", "/api/v1/arenden/{arende_id}", "token"),
]

# The meeting room's readers go round these pages (``python -m bench --lasare``).
MOTESRUMMETS_SIDOR = ("Ärendelista", "Ärendesida", "Agendabyggaren (mötessida, projektledare)")

# The transition: POST with a fresh ärende each time (see bench.load.overgangar).
OVERGANG = Endpoint("API: övergång (återkalla, nytt ärende per anrop)", "POST",
                    "/api/v1/arenden/{id}/handelser", "token")
