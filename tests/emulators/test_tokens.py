"""The token store every emulator keeps its tokens in (emulators.tokens)."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from emulators.tokens import Refusals, TokenStore, fingerprint, mint

NOW = datetime(2026, 5, 1, 12, tzinfo=UTC)
GOOD = {"grant_type": "refresh_token", "client_id": "id", "client_secret": "s",
        "refresh_token": "r"}


def store(**overrides) -> TokenStore:
    options = {"client_id": "id", "client_secret": "s", "refresh_token": "r", **overrides}
    return TokenStore("static", timedelta(hours=1), **options)


def test_the_static_token_never_expires_and_issued_ones_do():
    tokens = store()
    issued = tokens.issue("tok_", 12, NOW)
    assert tokens.issued == [issued] and issued.startswith("tok_") and len(issued) == 16
    assert tokens.state("static", NOW + timedelta(days=9999)) == "valid"
    assert tokens.state(issued, NOW + timedelta(minutes=59)) == "valid"
    assert tokens.state(issued, NOW + timedelta(hours=1)) == "expired"
    assert tokens.state("never-issued", NOW) == "invalid"
    assert tokens.expiry(issued) == NOW + timedelta(hours=1) and tokens.expires_in == 3600


def test_without_a_static_token_nothing_is_valid_until_issued():
    assert TokenStore(None, timedelta(hours=1)).state("", NOW) == "invalid"


def test_tokens_are_the_same_every_run_and_differ_per_number_and_basis():
    first, second = store(), store()
    assert first.issue("t", 20, NOW, basis="b") == second.issue("t", 20, NOW, basis="b")
    assert first.issue("t", 20, NOW, basis="b") != second.issue("t", 20, NOW, basis="c")
    assert first.issue("t", 20, NOW) == mint("t", f"2:{NOW.isoformat()}", 20)


@pytest.mark.parametrize(
    ("change", "problem"),
    [
        ({"grant_type": "password"}, "grant_type"),
        ({"client_id": "x", "client_secret": "x"}, "client_id"),
        ({"client_secret": "x", "refresh_token": "x"}, "client_secret"),
        ({"refresh_token": "x"}, "refresh_token"),
        ({}, None),
    ],
)
def test_a_grant_names_its_first_problem(change, problem):
    assert store().refusal({**GOOD, **change}) == problem


def test_a_grant_may_accept_other_refresh_tokens():
    assert store().refusal({**GOOD, "refresh_token": "next"}, {"r", "next"}) is None
    assert store().refusal(GOOD, {"next"}) == "refresh_token"


def test_who_names_the_kind_and_never_the_token():
    tokens = store(owner="app:id/", kinds=("static", "offline"))
    assert tokens.who("static") == f"app:id/static:{fingerprint('static')}"
    assert tokens.who("other") == f"app:id/offline:{fingerprint('other')}"


@pytest.mark.parametrize(
    ("problem", "status", "code"),
    [("grant_type", 400, "unsupported_grant_type"), ("client_id", 401, "invalid_client"),
     ("client_secret", 401, "invalid_client"), ("refresh_token", 400, "invalid_grant")],
)
def test_refusals_use_the_oauth_codes_and_the_platform_texts(problem, status, code):
    error = Refusals(client="who are you").error(problem)
    assert (error.status, error.error) == (status, code)
    assert error.body() == {"error": code, "error_description": error.description}
