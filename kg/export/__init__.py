"""The graph as files for visualisers, graph databases and RDF tools.

The property-graph projection, and one module per family of formats behind one registry
(``kg.export.export.EXPORTERS``).
"""
