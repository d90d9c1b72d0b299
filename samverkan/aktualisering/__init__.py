"""Aktualisering: a handläggare brings an ärende to the team, with consent."""
