"""Validation: the shapes, the engines, the typed report, judging a build's questions, and the self-checks."""
