"""The language choice (DESIGN.md 4.5): --lang, OPSBOARD_LANG, the config, the locale."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from opsboard import i18n
from opsboard.cli.main import build_parser, main
from opsboard.config.files import parse_settings
from opsboard.errors import ConfigError


@pytest.fixture(autouse=True)
def _english_after() -> Iterator[None]:
    yield
    i18n.set_language("en")


@pytest.mark.parametrize(
    ("name", "language"),
    [
        ("zh-CN", "zh-CN"),
        ("zh_CN.UTF-8", "zh-CN"),
        ("zh", "zh-CN"),
        ("en_US.UTF-8", "en"),
        ("C", "en"),
        ("fr_FR.UTF-8", None),
        ("", None),
    ],
)
def test_language_and_locale_names_are_read(name: str, language: str | None) -> None:
    assert i18n.normalize(name) == language


def test_the_flag_beats_the_variable_which_beats_the_config_which_beats_the_locale() -> None:
    env = {"LANG": "zh_CN.UTF-8"}
    assert i18n.choose(None, env) == "zh-CN"
    i18n.use_config_language("en")
    assert i18n.current() == "en"  # the config beats the locale
    assert i18n.choose(None, {"LANG": "zh_CN.UTF-8", "OPSBOARD_LANG": "en"}) == "en"
    i18n.use_config_language("zh-CN")
    assert i18n.current() == "en"  # the variable beats the config
    assert i18n.choose("zh-CN", {"OPSBOARD_LANG": "en"}) == "zh-CN"
    i18n.use_config_language("en")
    assert i18n.current() == "zh-CN"  # the flag beats the config


def test_english_without_any_choice() -> None:
    assert i18n.choose(None, {"LANG": "C.UTF-8"}) == "en"
    assert i18n.choose(None, {}) == "en"


def test_lc_all_beats_lang() -> None:
    assert i18n.from_locale({"LC_ALL": "en_GB.UTF-8", "LANG": "zh_CN.UTF-8"}) == "en"


def test_an_unknown_variable_value_is_an_error() -> None:
    with pytest.raises(ValueError, match="unknown language 'klingon'"):
        i18n.choose(None, {"OPSBOARD_LANG": "klingon"})


def test_every_command_takes_lang() -> None:
    parser = build_parser()
    assert parser.parse_args(["--lang", "zh-CN"]).lang == "zh-CN"
    assert parser.parse_args(["review", "--lang", "zh_CN"]).lang == "zh-CN"
    assert parser.parse_args(["query", "gmv", "--lang", "en"]).lang == "en"


def test_an_unknown_lang_is_a_usage_error(capsys: pytest.CaptureFixture[str]) -> None:
    with pytest.raises(SystemExit) as exit_:
        main(["--lang", "de", "formats"])
    assert exit_.value.code == 2
    assert "unknown language 'de'; use one of: en, zh-CN" in capsys.readouterr().err


def test_the_config_takes_a_language() -> None:
    assert parse_settings('language = "zh-CN"').language == "zh-CN"
    assert parse_settings("").language is None
    with pytest.raises(ConfigError) as error:
        parse_settings('language = "zh-TW"')
    assert "language" in str(error.value.problems)


def test_the_catalog_is_read_without_a_compile_step() -> None:
    assert i18n.catalog_path("zh-CN").is_file()
    assert not list(Path(i18n.LOCALE_DIR).rglob("*.mo"))
    i18n.set_language("zh-CN")
    assert i18n.gettext("no such message") == "no such message"


def test_an_empty_message_stays_empty() -> None:
    i18n.set_language("zh-CN")
    assert i18n.gettext("") == ""


def test_a_chinese_locale_gives_chinese_figures_on_the_command_line(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.delenv("OPSBOARD_LANG")
    monkeypatch.setenv("LANG", "zh_CN.UTF-8")
    monkeypatch.delenv("LC_ALL", raising=False)
    monkeypatch.delenv("LC_MESSAGES", raising=False)
    main(["formats"])
    assert i18n.current() == "zh-CN"
    monkeypatch.setenv("LANG", "zh_CN.UTF-8")
    main(["--lang", "en", "formats"])
    assert i18n.current() == "en"
