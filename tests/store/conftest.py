from __future__ import annotations

import pytest

from store import create_schema, create_store_engine
from tests.store.pg import throwaway_database


@pytest.fixture(params=["sqlite", pytest.param("postgres", marks=pytest.mark.postgres)])
def store_url(request, tmp_path):
    """The store's URL on SQLite (a file) and on PostgreSQL (a throwaway database)."""
    if request.param == "sqlite":
        yield f"sqlite:///{tmp_path}/data/store.sqlite"
    else:
        with throwaway_database() as url:
            yield url


@pytest.fixture
def engine(store_url):
    engine = create_store_engine(store_url)
    create_schema(engine)
    yield engine
    engine.dispose()
