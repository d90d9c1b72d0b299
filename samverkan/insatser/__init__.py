"""Insatser: what the team assigns at samplanering (samcoach, another insats, or the
parties' ordinary services), the samcoach's capacity and the queue."""
