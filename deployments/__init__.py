"""Where and how campaign-ops runs: environment selection, concurrency limits, local serving.

This is the only package that decides between the sandbox (emulators) and the live platform
APIs; business code receives the connectors and settings it builds.
"""
