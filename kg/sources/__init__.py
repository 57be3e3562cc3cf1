"""Readers of the Assemblée's sources. Raw JSON/XML exists only in this package."""
