"""An API record whose campaign or SKU id, or name, holds a control character or is longer
than any platform writes is refused by field; the page's other records are kept."""

from __future__ import annotations

from typing import Any

import pytest
from opsboard_api.records import read_page


def record(ident: int, **fields: Any) -> dict[str, Any]:
    return {
        "id": ident, "updated_at": f"2026-06-18T0{ident}:05:00Z", "hour": "2026-06-18T00:00:00Z",
        "store": "s1", "channel": "paid_search", "campaign": "plan-1", "sku": "",
        "metrics": {"spend": 5.0}, **fields,
    }  # fmt: skip


@pytest.mark.parametrize(
    ("fields", "expected"),
    [
        ({"campaign": "plan-\x1b]0;pwned\x07"}, "field campaign: the campaign 'plan-\\x1b]0;pwned"),
        ({"sku": "s\x00"}, "field sku: the sku 's\\x00' holds the control character \\x00"),
        ({"sku": "x" * 129}, "field sku: the sku is 129 characters long"),
        ({"campaign_name": "\u202e\u6625"}, "field campaign_name: the campaign_name"),
        ({"sku": "a", "sku_name": "n" * 513}, "at most 512 are accepted"),
    ],
)
def test_a_hostile_record_is_refused_by_field(fields: dict[str, Any], expected: str) -> None:
    page = read_page([record(1), record(2, **fields), record(3)], "ads", "s1", include_partial=True)
    [refusal] = page.rejected
    assert refusal.startswith("record 2: ")
    assert expected in refusal
    assert len(list(page.points)) == 2
