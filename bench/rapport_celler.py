"""Every cell of the year's hidden kub (the förbund and each team, the year and its
quarters) and of the exact year report of the bench's förbund, one line each: diff the
output before and after a change to the report's statements to see that no figure moved.
With ``--tid`` instead the kub's slowest statements and their seconds (``--tid --exakt``:
the exact year report's); with ``--nyckeltal`` the nyckeltal and their trend instead (the
förbund and each team, hidden and exact, the year and its second quarter); ``--ar=2025`` for
another year than 2026 (the bench seeds ``--ar`` and the year before).

    .venv/bin/python bench/rapport_celler.py postgresql+psycopg://postgres@127.0.0.1/rapport_bench_h --ar=2025 > fore.txt
"""

from __future__ import annotations

import datetime as dt
import sys
import time
from pathlib import Path

from sqlalchemy import event

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from samverkan import create_app  # noqa: E402
from samverkan.core import clock  # noqa: E402
from samverkan.core.db import db  # noqa: E402
from samverkan.rapporter import services  # noqa: E402
from samverkan.rapporter.queries import Urval  # noqa: E402


def _skriv(etikett: str, rapport) -> None:
    for t in rapport.tabeller:
        for rad in t.rader:
            print(etikett, t.nyckel, rad.etikett, [str(c) for c in rad.celler])


def main() -> None:
    url, tid = sys.argv[1], "--tid" in sys.argv
    ar = next((int(a.removeprefix("--ar=")) for a in sys.argv if a.startswith("--ar=")), 2026)
    app = create_app({"SQLALCHEMY_DATABASE_URI": url, "SECRET_KEY": "bench", "TESTING": True})
    with app.app_context():
        clock.set_clock(lambda: dt.datetime(ar + 1, 1, 15, 9, tzinfo=dt.UTC))
        from samverkan.forbund.models import Forbund

        fid = db.session.execute(db.select(Forbund.id).where(Forbund.kod == "BNK")).scalar_one()
        if "--nyckeltal" in sys.argv:
            from samverkan.forbund.models import Team

            teams = db.session.execute(db.select(Team).where(Team.forbund_id == fid).order_by(Team.id)).scalars()
            for exakt, team in [(e, t) for e in (False, True) for t in [None, *teams]]:
                for p in (services.helar(ar), services.kvartal(ar, 2)):
                    for v in services.nyckeltal(services.Behorighet(fid, team, exakt), p):
                        print("nyckeltal", exakt, team and team.id, p.kod, v.definition.nyckel, v.cell.text,
                              v.cell.varde, [c.text for _, c in v.trend])
            return
        satser: list[tuple[float, str]] = []
        if tid:
            # CPU of the database backend (bench_rapport._backendens_cpu) besides wall time:
            # on a shared machine the CPU is the figure that holds.
            import os

            from sqlalchemy import text

            pid = db.session.execute(text("SELECT pg_backend_pid()")).scalar_one()

            def cpu() -> float:
                falt = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
                return (int(falt[11]) + int(falt[12])) / os.sysconf("SC_CLK_TCK")

            def fore(conn, *a):
                conn.info["t0"] = (time.perf_counter(), cpu())

            def efter(conn, cur, st, *a):
                t0, c0 = conn.info["t0"]
                satser.append((time.perf_counter() - t0, cpu() - c0, st))

            event.listen(db.engine, "before_cursor_execute", fore)
            event.listen(db.engine, "after_cursor_execute", efter)
        if tid and "--exakt" in sys.argv:  # the exact year report's statements instead
            p = services.helar(ar)
            services.period_rapport(Urval(fid, None, p.fran, p.till), exakt=True, period=p)
            kub = {}
        else:
            kub = services.arets_kub(fid, ar)
        if tid:
            for s, c, st in sorted(satser, key=lambda x: -x[1])[:8]:
                text = " ".join(st.split())
                print(f"{s:.3f} s (CPU {c:.2f} s)", text[text.rfind(" ar") + 3:][:200])  # after the period table
            print(f"{sum(s for s, _, _ in satser):.3f} s (CPU {sum(c for _, c, _ in satser):.2f} s) "
                  f"in {len(satser)} statements")
            return
        for (nr, team), r in sorted(kub.items(), key=lambda x: (x[0][0], x[0][1] or 0)):
            _skriv(f"kub{nr}/{team}", r)
        p = services.helar(ar)
        _skriv("exakt", services.period_rapport(Urval(fid, None, p.fran, p.till), exakt=True, period=p))


if __name__ == "__main__":
    main()
