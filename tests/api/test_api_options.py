"""The platform API adapter's options: validated like the rest of the config."""

from __future__ import annotations

import pytest
from opsboard_api.adapter import PlatformApiOptions
from pydantic import SecretStr

from opsboard.adapters.registry import load_adapter, validate_options
from opsboard.errors import ConfigError

WHERE = "opsboard.toml: adapters[0] (platform).options"


def test_the_token_comes_from_the_environment_and_never_prints(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setenv("SHOP_API_TOKEN", "s3cret-value")
    options = validate_options(
        load_adapter("api"),
        {"base_url": "http://127.0.0.1:8765", "token": "${SHOP_API_TOKEN}"},
        WHERE,
    )
    assert isinstance(options, PlatformApiOptions)
    assert isinstance(options.token, SecretStr)
    assert options.token.get_secret_value() == "s3cret-value"
    assert "s3cret" not in repr(options)
    assert "s3cret" not in str(options.model_dump())
    assert options.lookback_hours == 3
    assert options.stores == []


def test_a_missing_environment_variable_is_named(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("SHOP_API_TOKEN", raising=False)
    with pytest.raises(ConfigError) as caught:
        validate_options(
            load_adapter("api"),
            {"base_url": "http://127.0.0.1:8765", "token": "${SHOP_API_TOKEN}"},
            WHERE,
        )
    text = str(caught.value)
    assert WHERE in text
    assert "token" in text
    assert "environment variable SHOP_API_TOKEN is not set" in text


@pytest.mark.parametrize("url", ["localhost:8765", "ftp://example.com/api", "http://"])
def test_a_bad_url_is_refused(url: str) -> None:
    with pytest.raises(ConfigError) as caught:
        validate_options(load_adapter("api"), {"base_url": url, "token": "t"}, WHERE)
    problems = caught.value.problems
    assert len(problems) == 1
    assert "base_url" in problems[0]
    assert "fix:" in problems[0]


@pytest.mark.parametrize(
    ("key", "value"),
    [("lookback_hours", -1), ("timeout", 0), ("max_retries", 99), ("page_size", 5000)],
)
def test_out_of_range_numbers_are_refused(key: str, value: object) -> None:
    options = {"base_url": "http://127.0.0.1:8765", "token": "t", key: value}
    with pytest.raises(ConfigError) as caught:
        validate_options(load_adapter("api"), options, WHERE)
    assert key in caught.value.problems[0]


def test_unknown_options_are_refused() -> None:
    options = {"base_url": "http://127.0.0.1:8765", "token": "t", "look_back": 3}
    with pytest.raises(ConfigError) as caught:
        validate_options(load_adapter("api"), options, WHERE)
    assert "look_back" in caught.value.problems[0]
