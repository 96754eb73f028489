"""Hostile and careless input: every entry point refuses it in one clear line."""
