"""The query library and running a query.

``queries/*.rq`` with strict ``#+`` headers (and a user's own folders), parameters bound as
terms, the one name resolver, results as a table, CSV, TSV or JSON.
"""
