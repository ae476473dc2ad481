"""Chat messages in Chinese: the built-in rules' templates, the chat title and the body a
webhook or the demo's log receives; an operator's own template stays as written."""

from __future__ import annotations

import pytest

from opsboard.alerts.messages import render
from opsboard.alerts.notify import compose
from opsboard.config.models import Settings
from opsboard.config.rules import effective_rules
from opsboard.formatting import ShownValue


def _rule(name: str):  # type: ignore[no-untyped-def]
    return next(r for r in effective_rules(Settings().alerts) if r.name == name)


ROI_FIELDS = {
    "rule": "roi-below-break-even",
    "named_scope": "关键词推广_绞肉机 (kw-generic)",
    "value": ShownValue(0.82, "0.82"),
    "threshold": ShownValue(2.5, "2.50"),
    "metric": "roi",
}
SOURCE_FIELDS = {
    "rule": "source-stale",
    "source": "platform-api",
    "state": "rate_limited",
    "minutes": ShownValue(35.0, "35"),
    "reason": "429",
    "metric": "source",
}


@pytest.mark.usefixtures("chinese")
def test_built_in_rules_speak_chinese_in_the_chat_payload() -> None:
    message = render(_rule("roi-below-break-even"), ROI_FIELDS)
    assert message == "计划 关键词推广_绞肉机 (kw-generic) 投产比 0.82，低于保本投产比 2.50"
    assert "被限流" in render(_rule("source-stale"), SOURCE_FIELDS)
    alert = {"rule": "roi-below-break-even", "store": "tmall-flagship", "severity": "warning"}
    body = compose("firing", [alert | {"message": message}]).to_json()
    assert body["title"] == "【告警:1】roi-below-break-even · tmall-flagship"
    assert body["text"] == message
    assert body["status"] == "firing"  # the contract's words stay


def test_english_messages_are_unchanged() -> None:
    message = render(_rule("roi-below-break-even"), ROI_FIELDS)
    assert message == "campaign 关键词推广_绞肉机 (kw-generic) ROI 0.82 is below break-even 2.50"
    alert = {"rule": "r", "store": "s", "severity": "warning", "message": message}
    assert compose("firing", [alert]).to_json()["title"] == "[FIRING:1] r · s"


@pytest.mark.usefixtures("chinese")
def test_an_operators_own_template_stays_in_its_language() -> None:
    rule = _rule("roi-below-break-even").model_copy(update={"message": "ROI {value} too low"})
    assert render(rule, ROI_FIELDS) == "ROI 0.82 too low"
    rule = rule.model_copy(update={"message": "投产比 {value} 偏低，看一下 {metric}"})
    assert render(rule, ROI_FIELDS) == "投产比 0.82 偏低，看一下 投产比"
