"""Loggkontroll: the förbund admin reads the audit log."""
