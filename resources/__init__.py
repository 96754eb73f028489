"""The composition root: the one place that builds connectors, warehouse and store.

Flows and tasks receive an :class:`Environment` (``current()``) and ask it for what they
need: a connector for a platform, the warehouse path, the store URL, the clock. Whether those
are the live platforms or the sandbox's emulators is decided here and nowhere else.
"""

from resources.environment import Environment, current, from_settings
from resources.errors import EnvironmentConfigError

__all__ = ["Environment", "EnvironmentConfigError", "current", "from_settings"]
