"""Ärenden: the case, its history and its life through the state machine."""
