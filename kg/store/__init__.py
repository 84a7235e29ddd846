"""Where the graph lives.

The dataset folder (N-Quads shards and a manifest), the embedded Oxigraph store, and the
on-disk index that queries open.
"""
