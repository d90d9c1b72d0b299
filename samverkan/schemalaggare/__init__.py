"""The scheduler: one process beside the web server that runs every timed job.

``jobb.py`` names every job and when it runs; ``korning.py`` runs them under APScheduler;
``ledare.py`` lets one of several scheduler processes do the work; ``cli.py`` is the
``flask --app samverkan scheduler`` command. The jobs themselves live in their domains
(``kallelser/jobs.py``, ``uppfoljning/jobs.py``, ``gallring/jobs.py``).
"""
