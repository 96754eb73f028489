"""The gateway's routes: one router per sender, and one for operations.

Each sender's module (``hubspot``, ``meta``, ``shopify``, ``forms``) has ``PATH``, ``BODY``
(the JSON type the sender posts, documented by hand because the body is read raw) and
``add_routes(router, settings, receiver)``; every webhook route runs the same steps,
``webhook.Receiver.receive``. ``operations`` holds ``/healthz``, ``/metrics`` and the docs.
``gateway.app.create_app`` adds them to the app's router in that order.
"""
