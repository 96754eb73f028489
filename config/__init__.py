"""campaign-ops' one settings model: every ``CAMPAIGN_OPS_*`` variable, with one default each.

Flows (through ``resources``), the gateway and the CLI all build their settings here, so a
variable means the same everywhere and a misspelt one is refused by name.
"""

from config.settings import (
    ENVIRONMENTS,
    PREFIX,
    Settings,
    SettingsError,
    load_settings,
    platform_names,
    variable_name,
)

__all__ = ["ENVIRONMENTS", "PREFIX", "Settings", "SettingsError", "load_settings",
           "platform_names", "variable_name"]
