"""Serving the graph: the Oxigraph server process, the guard in front of it, and the site."""
