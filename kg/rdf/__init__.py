"""Records to RDF quads: the only place that mints IRIs and adds triples."""
