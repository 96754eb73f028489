"""Thin Prefect tasks, named as verbs, over connectors, the warehouse and marketing logic."""
