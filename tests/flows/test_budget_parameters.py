"""The budget flow's parameters are refused before anything runs, each naming its parameter."""

from __future__ import annotations

import pytest

from flows.budget_parameters import parse_budget_request
from flows.parameters import ParameterError


@pytest.mark.parametrize("weight", [0.0, 0.25, 1.0])
def test_view_through_weight_takes_zero_to_one(weight: float) -> None:
    request = parse_budget_request(platforms=("meta_ads",), view_through_weight=weight)
    assert request.view_through_weight == weight
    assert request.model_dump()["view_through_weight"] == weight  # in the plan's parameters


def test_view_through_weight_defaults_to_click_through_value_only() -> None:
    assert parse_budget_request(platforms=("meta_ads",)).view_through_weight == 0.0


@pytest.mark.parametrize(("weight", "message"), [
    (-0.1, "view_through_weight: Input should be greater than or equal to 0"),
    (1.5, "view_through_weight: Input should be less than or equal to 1"),
])
def test_a_weight_outside_zero_to_one_is_refused_by_name(weight: float, message: str) -> None:
    with pytest.raises(ParameterError) as raised:
        parse_budget_request(platforms=("meta_ads",), view_through_weight=weight)
    assert message in str(raised.value)
    assert str(raised.value).startswith("invalid reallocate-budgets parameters")
