"""Uppföljning: the stegförflyttning ladder and the measurements taken at follow-ups."""
