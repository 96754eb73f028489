"""The signed webhook gateway: verify the sender, write the inbox, post a Prefect event.

Self-hosted Prefect has no inbound webhooks, so this FastAPI service receives HubSpot, Meta,
Shopify and our own web forms (Standard Webhooks), checks each sender's signature, stores
every accepted delivery in the operational store's inbox before answering 2xx, and forwards
it to Prefect as an event whose id is derived from the delivery id (see ``gateway.events``).

Entry points: ``gateway.app.create_app(settings)`` and ``gateway.serve.run(...)``.
"""
