"""Running SPARQL: the query catalog, typed parameters, where queries run, their results, and the question card."""
