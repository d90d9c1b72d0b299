"""The individual an ärende is about, and their consent."""
