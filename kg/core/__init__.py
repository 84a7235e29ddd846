"""The foundations every stage shares.

Namespaces and vocabulary, plain records, the CURIE converter, package data, and the process
machinery: progress bars, worker processes, memory, the network guard.
"""
