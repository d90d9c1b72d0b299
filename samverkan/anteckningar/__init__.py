"""Notes on an ärende: sanitised rich text, correctable briefly, never deleted."""
