"""State machines as plain data: states, transitions and guard names. No app imports."""
