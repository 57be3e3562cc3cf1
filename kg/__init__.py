"""hemicycle-kg: the Assemblée nationale's parliamentary questions as a linked, validated knowledge graph."""

__version__ = "0.1.0"
