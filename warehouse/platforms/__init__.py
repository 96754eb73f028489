"""Registry of platform tables: one module per platform, each exporting ``TABLES``.

Adding a platform: a migration with its DDL, ``platforms/<platform>.py`` with its table specs and
suites, and ``core_models/<platform>.sql`` with its mapping into ``core``. Every public module of
this package is found at import: there is no list to edit.
"""

from __future__ import annotations

import importlib
import pkgutil
from importlib import resources

from warehouse.errors import WarehouseError
from warehouse.spec import TableSpec

__all__ = ["TABLES", "core_model_sql", "table_spec"]

_MODULES = sorted(m.name for m in pkgutil.iter_modules(__path__) if not m.name.startswith("_"))
TABLES: dict[str, TableSpec] = {
    spec.table: spec
    for name in _MODULES
    for spec in importlib.import_module(f"{__name__}.{name}").TABLES
}


def table_spec(table: str) -> TableSpec:
    """Return the spec of a qualified table name (``meta_ads.ad_insights_daily``)."""
    try:
        return TABLES[table]
    except KeyError:
        raise WarehouseError(
            f"unknown warehouse table {table!r}; known: {sorted(TABLES)}"
        ) from None


def core_model_sql(platform: str) -> str | None:
    """Return the SQL that refreshes a batch's slice of ``core`` for a platform, if it has one."""
    path = resources.files("warehouse.core_models").joinpath(f"{platform}.sql")
    return path.read_text("utf-8") if path.is_file() else None
