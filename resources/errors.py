"""The composition root's one error: the settings describe no usable environment.

::

    EnvironmentConfigError (ValueError)   a setting is unknown or invalid, a live credentials
                                          block or destination id is missing, or the
                                          sandbox already runs on another day
"""

from __future__ import annotations

__all__ = ["EnvironmentConfigError"]


class EnvironmentConfigError(ValueError):
    """The settings describe no usable environment (the message names the setting)."""
