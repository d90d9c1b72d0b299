"""Samplanering: the team's joint handlingsplan for an ärende, decided at a meeting."""
