"""Every cell of the year's hidden kub (the förbund and each team, the year and its
quarters) and of the exact year report of the bench's förbund, one line each: diff the
output before and after a change to the report's statements to see that no figure moved.
With ``--tid`` instead the kub's slowest statements and their seconds.

    .venv/bin/python bench/rapport_celler.py postgresql+psycopg://postgres@127.0.0.1/rapport_bench_h > fore.txt
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
    url, ar, tid = sys.argv[1], 2026, "--tid" in sys.argv
    app = create_app({"SQLALCHEMY_DATABASE_URI": url, "SECRET_KEY": "bench", "TESTING": True})
    with app.app_context():
        clock.set_clock(lambda: dt.datetime(ar + 1, 1, 15, 9, tzinfo=dt.UTC))
        from samverkan.forbund.models import Forbund

        fid = db.session.execute(db.select(Forbund.id).where(Forbund.kod == "BNK")).scalar_one()
        satser: list[tuple[float, str]] = []
        if tid:
            event.listen(db.engine, "before_cursor_execute",
                         lambda conn, *a: conn.info.__setitem__("t0", time.perf_counter()))
            event.listen(db.engine, "after_cursor_execute",
                         lambda conn, cur, st, *a: satser.append((time.perf_counter() - conn.info["t0"], st)))
        kub = services.arets_kub(fid, ar)
        if tid:
            for s, st in sorted(satser, reverse=True)[:8]:
                text = " ".join(st.split())
                print(f"{s:.3f} s", text[text.rfind("AS ar)") + 7:][:200])  # after the period table
            print(f"{sum(s for s, _ in satser):.3f} s in {len(satser)} statements")
            return
        for (nr, team), r in sorted(kub.items(), key=lambda x: (x[0][0], x[0][1] or 0)):
            _skriv(f"kub{nr}/{team}", r)
        p = services.helar(ar)
        _skriv("exakt", services.period_rapport(Urval(fid, None, p.fran, p.till), exakt=True, period=p))


if __name__ == "__main__":
    main()
