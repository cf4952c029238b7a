"""Reference implementations of the ports: in memory (and, later, SQLite)."""

__all__: list[str] = []
