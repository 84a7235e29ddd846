"""Provenance: from an entity, a fact or an article back to its quotes.

Also the evidence analysis across sources: corroboration, disputes, conflicts, look-alikes.
"""
