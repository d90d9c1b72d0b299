"""Domain-free building blocks: database, clock, errors, audit, security, policy."""
