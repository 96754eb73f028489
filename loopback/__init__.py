"""Serve an ASGI application on loopback in a background thread: ``loopback.server``.

A neutral package so that the emulators and the gateway serve the same way while neither
imports the other.
"""
