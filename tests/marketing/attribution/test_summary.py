"""Journey summary tables on hand-worked journeys."""

from __future__ import annotations

import pandas as pd
import pytest

from marketing.attribution import AttributionInputError, journey_summary, journeys_from_paths
from marketing.attribution.summary import TIME_BUCKETS, group_paths
from tests.marketing.attribution.helpers import Spec, build

# days are "days before conversion" of each touch; the first touch's is the time to convert
SPEC: Spec = {
    "J1": ([("google_ads", None, 10), ("meta_ads", None, 2)], 1, "30"),  # 10 days: 8-14
    "J2": ([("google_ads", None, 0.5), ("meta_ads", None, 0)], 2, "10"),  # same day
    "J3": ([("meta_ads", None, 100)], 1, "5"),  # >90 days
    "J4": ([("email", None, 3), ("google_ads", None, 2), ("meta_ads", None, 1)], 1, "0"),  # 3-7
    "J5": ([("google_ads", None, 1)], 0, "0"),  # not converting: no time bucket
    "J6": ([("meta_ads", None, 1.5)], 1, "7"),  # 1 day: 1-2 days
    "J7": ([("google_ads", None, 5), ("meta_ads", None, 4)], 0, "0"),
}


def test_path_lengths() -> None:
    s = journey_summary(build(SPEC))
    # 1 touch: J3, J5, J6 (converting J3, J6: 2 conversions); 2 touches: J1, J2, J7
    # (converting J1, J2: 3 conversions); 3 touches: J4 (1 conversion)
    assert s.path_lengths.to_dict("list") == {
        "touches": [1, 2, 3], "journeys": [3, 3, 1], "converting": [2, 2, 1],
        "conversions": [2.0, 3.0, 1.0],
    }


def test_time_to_conversion_from_first_touch() -> None:
    s = journey_summary(build(SPEC))
    t = s.time_to_conversion
    assert list(t["bucket"]) == list(TIME_BUCKETS)
    assert dict(zip(t["bucket"], t["conversions"], strict=True)) == {
        "same day": 2.0, "1-2 days": 1.0, "3-7 days": 1.0, "8-14 days": 1.0, "15-30 days": 0.0,
        "31-60 days": 0.0, "61-90 days": 0.0, ">90 days": 1.0}
    assert list(t["journeys"]) == [1, 1, 1, 1, 0, 0, 0, 1]


def test_top_paths_by_conversions_then_path() -> None:
    s = journey_summary(build(SPEC), top=3)
    # google > meta: J1 + J2 = 3 conversions, value 40 (J7 does not convert);
    # then 1 conversion each: "email > google_ads > meta_ads", "meta_ads" (J3 + J6 = 2!)
    assert s.top_paths.to_dict("list") == {
        "path": ["google_ads > meta_ads", "meta_ads", "email > google_ads > meta_ads"],
        "journeys": [2, 2, 1], "conversions": [3.0, 2.0, 1.0], "value": [40.0, 12.0, 0.0],
    }
    assert len(journey_summary(build(SPEC), top=1).top_paths) == 1
    with pytest.raises(AttributionInputError, match="top must be"):
        journey_summary(build(SPEC), top=-1)


def test_grouped_paths_have_no_times_and_group_back() -> None:
    frame = pd.DataFrame({"path": ["a > b", "b", "a > b > a"], "total_conversions": [3, 0, 1],
                          "total_conversion_value": [9.5, 0, 1], "total_null": [1, 4, 0]})
    j = journeys_from_paths(frame)
    s = journey_summary(j)
    assert s.time_to_conversion.empty
    assert list(s.time_to_conversion.columns) == ["bucket", "conversions", "journeys"]
    assert list(s.top_paths["path"]) == ["a > b", "a > b > a"]
    back = group_paths(j)
    assert back.drop(columns="journeys").to_dict("list") == {
        "path": ["a > b", "a > b > a", "b"], "total_conversions": [3.0, 1.0, 0.0],
        "total_conversion_value": [9.5, 1.0, 0.0], "total_null": [1.0, 0.0, 4.0]}
