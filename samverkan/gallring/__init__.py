"""Gallring: anonymising closed ärenden once the förbund's retention period has passed."""
