"""Getting the Assemblée's open data: ``kg fetch`` (portal archives) and ``kg update`` (fetch, rebuild, report)."""

from pathlib import Path

#: where ``kg fetch`` keeps the archives (here, not in kg.fetch.command: the command line shows it without
#: importing the HTTP client)
DEFAULT_DEST = Path("data") / "an"
