"""Prefect flows: pipelines named as nouns that compose tasks and hold no I/O of their own."""
