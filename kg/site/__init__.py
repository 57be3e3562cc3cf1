"""The linked-data site: HTML pages, charts, feeds and the static export of the graph's resources."""
