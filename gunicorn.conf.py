"""gunicorn's settings for Samverkan, read from the working directory when it starts:
``gunicorn 'samverkan:create_app()'`` (see README, "Drift"). Settings given on the command
line win over these."""

import gc
import os

# Sync workers, each one request at a time: gunicorn's own default is a single worker, so
# a meeting's ten people would queue behind each other and behind any report. Two per core
# and one more, as gunicorn's documentation suggests; WEB_CONCURRENCY (gunicorn's own
# variable) or --workers sets another number.
workers = int(os.environ.get("WEB_CONCURRENCY") or 2 * (os.cpu_count() or 1) + 1)


def post_worker_init(worker):
    """The app is loaded: what it built to stay (models, mappers, compiled templates, the
    route table) is moved out of the cycle collector's sight, so a full collection during
    a request walks only what requests made, not the whole app (the tail of a page's
    latency; issue 19)."""
    gc.collect()
    gc.freeze()
