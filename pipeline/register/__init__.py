"""The number register (SQLite or PostgreSQL) and the 文号 series."""
