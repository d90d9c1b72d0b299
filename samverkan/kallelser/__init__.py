"""Kallelser: the outbox, e-mail delivery and the scheduler's jobs."""
