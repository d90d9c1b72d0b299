"""CPU time of a year's suppressed kub (``services.arets_kub``: the förbund and every team,
the year and its quarters, small numbers hidden across them all), the work behind every
styrgrupp period report, for the first förbund of a database. Best of N, and with
``--profil`` where the time went.

    .venv/bin/python bench/kub.py --seed 2000                  # a fresh SQLite, the load bench's seed
    .venv/bin/python bench/kub.py sqlite:////tmp/kub.sqlite 2025 --profil
    .venv/bin/python bench/kub.py postgresql+psycopg://postgres@127.0.0.1/rapport_bench_h 2025

The load bench's seed (bench/seed.py: 8 teams, five years) at 2,000 ärenden, year 2025:
7.9 s of CPU before the suppression was made incremental (23 s on a loaded machine, past
gunicorn's worker timeout: the page answered 500), 0.9 s after, 0.3 s of it the suppression.
"""

from __future__ import annotations

import argparse
import cProfile
import datetime as dt
import pstats
import sys
import tempfile
import time
from pathlib import Path

from flask_migrate import upgrade
from sqlalchemy import delete

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from bench import server  # noqa: E402
from samverkan.core.db import db  # noqa: E402
from samverkan.rapporter import services  # noqa: E402


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("url", nargs="?", help="database URL (default: a new SQLite file, with --seed)")
    parser.add_argument("ar", nargs="?", type=int, default=dt.date.today().year - 1)
    parser.add_argument("--seed", type=int, help="seed this many ärenden first (bench/seed.py)")
    parser.add_argument("--upprepningar", type=int, default=3, help="runs to take the best of")
    parser.add_argument("--profil", action="store_true", help="one more run under cProfile")
    args = parser.parse_args()
    url = args.url or f"sqlite:///{tempfile.mkdtemp()}/kub.sqlite"
    if args.seed:
        server.forbered(url, args.seed)
    from samverkan.forbund.models import Forbund
    from samverkan.rapporter.models import KubMarkeringar

    with server.app_for(url).app_context():
        upgrade(directory=str(server.ROOT / "migrations"))  # a kept database: the current schema
        forbund_id = db.session.execute(db.select(Forbund.id).order_by(Forbund.id)).scalars().first()
        tider, behallna = [], []
        for _ in range(args.upprepningar):
            # The suppression's work (the marks kept from the run before are removed) ...
            db.session.execute(delete(KubMarkeringar).where(KubMarkeringar.forbund_id == forbund_id))
            start = time.process_time()
            services.arets_kub(forbund_id, args.ar)
            tider.append(time.process_time() - start)
            # ... and the same kub again, its marks put back (``rapporter.markeringar``).
            start = time.process_time()
            services.arets_kub(forbund_id, args.ar)
            behallna.append(time.process_time() - start)
            db.session.rollback()
        print(f"arets_kub {args.ar}, förbund {forbund_id}: CPU {min(tider):.3f} s, med behållna markeringar "
              f"{min(behallna):.3f} s (bäst av {len(tider)}; {url})")
        if args.profil:
            profil = cProfile.Profile()
            profil.runcall(services.arets_kub, forbund_id, args.ar)
            pstats.Stats(profil).sort_stats("cumulative").print_stats(20)


if __name__ == "__main__":
    main()
