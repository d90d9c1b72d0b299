"""gunicorn's settings for Samverkan, read from the working directory when it starts:
``gunicorn 'samverkan:create_app()'`` (see README, "Drift"). Settings given on the command
line win over these."""

import gc


def post_worker_init(worker):
    """The app is loaded: what it built to stay (models, mappers, compiled templates, the
    route table) is moved out of the cycle collector's sight, so a full collection during
    a request walks only what requests made, not the whole app (the tail of a page's
    latency; issue 19)."""
    gc.collect()
    gc.freeze()
