"""What each sender posts and which deliveries (and events) it becomes.

One module per source: its wire models (pydantic, the documented JSON) and ``parse``, which
turns a verified body into ``Parsed`` deliveries. Signatures are checked before ``parse`` runs
(``gateway.signatures``).
"""
