"""Who is asking: users, passwords, sessions, API tokens, and the access policy."""
