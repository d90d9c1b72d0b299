"""Besked: notices by mail to the people an event concerns (issue 16, points 2 and 5).

The team's decisions to the aktualiserande handläggare, the justerat protokoll to the
team's members, a new assignment to a samcoach, and on Mondays a digest of the
handlingsplan actions a person's party answers for. Each goes through the outbox (one row
per person and event, never twice), carries a link and nothing personal, and each kind
can be turned off by the user (``val.py``).
"""
