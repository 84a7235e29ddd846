"""The build, part by part: the registry, then one part per article.

With its cache, builder process and workers; writes the dataset only when it validates.
"""
