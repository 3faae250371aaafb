"""Search: the query language, name variants, text analysis and the engine.

Kept import-free so that `declass.store` can use `declass.search.analysis` to build
its index without pulling in the engine.
"""
