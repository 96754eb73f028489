"""Emulators of the ad platforms, over one seeded market (``emulators.market``).

Each platform package (``meta_ads``...) is a stateful ``httpx.Request -> httpx.Response``
callable (``emulators._base.Emulator``), served in process through ``transport()`` or on
loopback through ``emulators.serve``. The tokens each accepts and issues are kept by one
``emulators.tokens.TokenStore``, which each platform's ``auth`` module dresses in its wire
format. Imported only by tests, the CLI and the sandbox
environment of ``deployments``.
"""
