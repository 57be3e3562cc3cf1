"""The build: sources → models → mapping → store → dataset description → export, incrementally."""
