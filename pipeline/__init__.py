"""make-notices: a reform office's spreadsheets in, its official documents out."""

__version__ = "0.1.0"
