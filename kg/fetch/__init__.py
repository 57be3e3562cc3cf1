"""Getting the Assemblée's open data: ``kg fetch`` (portal archives) and ``kg update`` (fetch, rebuild, report)."""
