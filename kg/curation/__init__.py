"""Read the sources into plain records.

The curation YAML, the article texts and the entity registry under ``sources/``; every field is
checked and every quote verified against its article.
"""
