"""declass: a reading room for declassified diplomatic records."""

__version__ = "0.1.0"
