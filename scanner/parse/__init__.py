"""Bytes to documents whose every value can be mapped back to a line and column."""
