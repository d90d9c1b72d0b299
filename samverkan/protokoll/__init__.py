"""Protokoll: a meeting's minutes, generated from what was recorded, and its justering."""
