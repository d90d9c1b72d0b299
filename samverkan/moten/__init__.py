"""Meetings of a team and their agendas."""
