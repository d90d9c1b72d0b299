"""The organisation: förbund (association), parter (member organisations), teams and roles."""
