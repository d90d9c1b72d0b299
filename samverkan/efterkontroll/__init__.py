"""After avslut: the handover and the check some months later (issue 16, point 6)."""
