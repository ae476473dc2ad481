"""The configuration: validation, error messages, secrets, schema, example."""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest
from pydantic import BaseModel

from opsboard.cli.main import main
from opsboard.config.files import json_schema, load_settings, parse_settings
from opsboard.config.models import Settings
from opsboard.errors import ConfigError

CONFIG_DIR = Path(__file__).resolve().parents[2] / "config"


def test_defaults_need_no_file() -> None:
    settings = load_settings(None)
    assert settings.stores == []
    assert settings.store("anything").timezone == "Asia/Shanghai"


def test_break_even_roi_from_margin_and_refunds() -> None:
    settings = parse_settings('[[stores]]\nname = "s"\nmargin = 0.4\nrefund_rate = 0.2\n')
    assert settings.store("s").break_even_roi == pytest.approx(1 / (0.4 * 0.8))


def test_every_problem_is_reported_with_file_key_and_fix() -> None:
    text = (
        "refresh_interval = 'soon'\n"
        "[[stores]]\nname = 'tmall'\nmargin = 1.5\ntimezone = 'Mars/Olympus'\ncolour = 'red'\n"
    )
    with pytest.raises(ConfigError) as info:
        parse_settings(text, "ops.toml")
    problems = "\n".join(info.value.problems)
    assert "ops.toml: refresh_interval" in problems
    assert "90s, 30m" in problems
    assert "stores[0] (tmall).margin" in problems
    assert "stores[0] (tmall).timezone" in problems
    assert "unknown time zone" in problems
    assert "stores[0] (tmall).colour" in problems
    assert "remove it" in problems
    assert all("fix:" in line for line in info.value.problems)


def test_toml_syntax_error_names_the_line() -> None:
    with pytest.raises(ConfigError, match=r"ops.toml: not valid TOML: .*line 2"):
        parse_settings("[storage]\npath = \n", "ops.toml")


def test_duplicate_names_are_refused() -> None:
    with pytest.raises(ConfigError, match="duplicate name 'a'"):
        parse_settings("[[stores]]\nname = 'a'\n[[stores]]\nname = 'a'\n")


def test_secrets_come_from_the_environment_and_never_print(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setenv("HOOK_URL", "https://hooks.example/secret-token-123")
    settings = parse_settings(
        "[[notifiers]]\nname = 'chat'\ntype = 'webhook'\nurl = '${HOOK_URL}'\n"
    )
    url = settings.notifiers[0].url
    assert url is not None
    assert url.get_secret_value().endswith("secret-token-123")
    assert "secret-token-123" not in repr(settings)
    assert "secret-token-123" not in str(settings)


def test_missing_secret_is_an_error_naming_the_variable(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("NOPE_TOKEN", raising=False)
    with pytest.raises(ConfigError) as info:
        parse_settings("[[notifiers]]\nname = 'c'\ntype = 'webhook'\nurl = '${NOPE_TOKEN}'\n")
    assert "NOPE_TOKEN is not set" in "\n".join(info.value.problems)


def test_missing_named_file_is_an_error(tmp_path: Path) -> None:
    with pytest.raises(ConfigError, match="no such config file"):
        load_settings(tmp_path / "missing.toml")


def test_config_check_exit_codes(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    good = tmp_path / "good.toml"
    good.write_text("[[stores]]\nname = 'a'\n")
    assert main(["config", "check", str(good)]) == 0
    assert "ok (1 stores" in capsys.readouterr().out
    bad = tmp_path / "bad.toml"
    bad.write_text("[[stores]]\nname = 'a'\nmargin = 'high'\n[[adapters]]\nname='x'\ntype='nope'\n")
    assert main(["config", "check", str(bad)]) == 2
    err = capsys.readouterr().err
    assert "stores[0] (a).margin" in err
    assert "Traceback" not in err


def test_config_check_counts_the_built_in_rules(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    from opsboard.config.builtin_rules import DEFAULT_RULES

    path = tmp_path / "c.toml"
    path.write_text("[[stores]]\nname = 'a'\n")
    assert main(["config", "check", str(path)]) == 0
    built_in = len(DEFAULT_RULES)
    assert f"{built_in} rules ({built_in} built-in)" in capsys.readouterr().out
    # One of them replaced, one added, one switched off: both counts follow.
    path.write_text(
        "[[stores]]\nname = 'a'\n[[alerts.rules]]\nname = 'source-stale'\nkind = 'source'\n"
        "[[alerts.rules]]\nname = 'mine'\nkind = 'source'\n"
        "[[alerts.rules]]\nname = 'file-rejected'\nkind = 'file_rejected'\nenabled = false\n"
    )
    assert main(["config", "check", str(path)]) == 0
    assert f"{built_in} rules ({built_in - 2} built-in)" in capsys.readouterr().out
    path.write_text("[[stores]]\nname = 'a'\n[alerts]\nuse_defaults = false\n")
    assert main(["config", "check", str(path)]) == 0
    assert "0 rules (0 built-in)" in capsys.readouterr().out


def test_unknown_adapter_type_is_reported_by_check(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    path = tmp_path / "c.toml"
    path.write_text("[[adapters]]\nname = 'x'\ntype = 'carrier-pigeon'\n")
    assert main(["config", "check", str(path)]) == 2
    err = capsys.readouterr().err
    assert "adapters[0] (x).type" in err
    assert "installed adapters: " in err


def test_the_schema_file_is_current() -> None:
    on_disk = json.loads((CONFIG_DIR / "opsboard.schema.json").read_text(encoding="utf-8"))
    assert on_disk == json_schema(), (
        "regenerate: opsboard config schema > config/opsboard.schema.json"
    )


def _fields(model: type[BaseModel], seen: set[str]) -> set[str]:
    names: set[str] = set()
    for name, info in model.model_fields.items():
        assert info.description, f"{model.__name__}.{name} has no documentation"
        names.add(info.alias or name)
        for arg in _models_in(info.annotation):
            if arg.__name__ not in seen:
                seen.add(arg.__name__)
                names |= _fields(arg, seen)
    return names


def _models_in(annotation: object) -> list[type[BaseModel]]:
    if isinstance(annotation, type) and issubclass(annotation, BaseModel):
        return [annotation]
    found = []
    for arg in getattr(annotation, "__args__", ()):
        found += _models_in(arg)
    return found


def test_every_field_is_documented_and_in_the_example(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("OPSBOARD_API_TOKEN", "t")
    text = (CONFIG_DIR / "opsboard.example.toml").read_text(encoding="utf-8")
    for var in re.findall(r"\$\{([A-Z_]+)\}", text):
        monkeypatch.setenv(var, "https://example.invalid/x")
    settings = parse_settings(text, "opsboard.example.toml")
    assert settings.stores
    keys = set(re.findall(r"^\s*#?\s*([a-z_]+)\s*=", text, flags=re.M))
    keys |= set(re.findall(r"[{,]\s*([a-z_]+)\s*=", text))
    for table in re.findall(r"^\s*#?\s*\[+([a-z_.]+)\]+", text, flags=re.M):
        keys |= set(table.split("."))
    missing = sorted(_fields(Settings, set()) - keys - {"rules", "promotions", "notifiers"})
    assert not missing, f"keys missing from config/opsboard.example.toml: {missing}"


def test_the_example_adapter_options_are_valid_and_complete(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    from opsboard.adapters.registry import load_adapter, validate_options

    monkeypatch.setenv("OPSBOARD_API_TOKEN", "t")
    text = (CONFIG_DIR / "opsboard.example.toml").read_text(encoding="utf-8")
    for var in re.findall(r"\$\{([A-Z_]+)\}", text):
        monkeypatch.setenv(var, "https://example.invalid/x")
    settings = parse_settings(text, "opsboard.example.toml")
    assert {a.type for a in settings.adapters} == {"csv", "api"}
    for spec in settings.adapters:
        cls = load_adapter(spec.type)
        validate_options(cls, spec.options, spec.name)
        missing = set(cls.Options.model_fields) - set(spec.options)
        assert not missing, f"{spec.type} options missing from the example: {sorted(missing)}"


def test_check_names_adapter_problems_beside_other_problems(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.delenv("NOPE_TOKEN", raising=False)
    path = tmp_path / "c.toml"
    path.write_text(
        "[[stores]]\nname = 'a'\nmargin = 2\n"
        "[[adapters]]\nname = 'api'\ntype = 'api'\n[adapters.options]\n"
        "base_url = 'localhost'\ntoken = '${NOPE_TOKEN}'\n"
    )
    assert main(["config", "check", str(path)]) == 2
    err = capsys.readouterr().err
    assert "stores[0] (a).margin" in err
    assert "adapters[0] (api).options: base_url" in err
    assert "NOPE_TOKEN is not set" in err
    assert "Value error" not in err


def test_config_check_keeps_the_line_and_column_of_a_syntax_error(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    path = tmp_path / "c.toml"
    path.write_text("[storage]\npath = /var/lib/opsboard.db\n")
    assert main(["config", "check", str(path)]) == 2
    err = capsys.readouterr().err
    assert f"{path}: line 2, column 8: Invalid value" in err
    assert "fix: correct the syntax there" in err
    assert "named above" not in err


def test_values_of_unknown_or_secret_keys_are_never_printed(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    path = tmp_path / "c.toml"
    path.write_text(
        "[[stores]]\nname = 'a'\npassword = 'hunter2'\n"
        "[[adapters]]\nname = 'api'\ntype = 'api'\n[adapters.options]\n"
        "base_url = 'https://u:pa55@example.invalid'\napi_key = 'sk-live-abcdef123456'\n"
        "[[notifiers]]\nname = 'n'\ntype = 'webhook'\nurl = 'https://x:y@hooks.invalid/zz'\n"
        "retries = 'often'\n"
    )
    assert main(["config", "check", str(path)]) == 2
    err = capsys.readouterr().err
    for secret in ("hunter2", "sk-live-abcdef123456", "pa55", "x:y@", "zz"):
        assert secret not in err
    assert "stores[0] (a).password: unknown key" in err
    assert "api_key: unknown key" in err
    assert "retries" in err
    assert "(found 'often')" in err  # an ordinary value is still shown


def test_a_missing_environment_variable_says_to_set_it(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("NOPE_TOKEN", raising=False)
    with pytest.raises(ConfigError) as info:
        parse_settings("[[notifiers]]\nname = 'c'\ntype = 'webhook'\nurl = '${NOPE_TOKEN}'\n")
    (problem,) = info.value.problems
    assert "fix: set NOPE_TOKEN in the environment" in problem
    assert "example" not in problem


def test_the_example_the_messages_point_at_is_printed(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["config", "example"]) == 0
    out = capsys.readouterr().out
    assert out == (CONFIG_DIR / "opsboard.example.toml").read_text(encoding="utf-8")
    with pytest.raises(ConfigError) as info:
        parse_settings("[[stores]]\nname = 'a'\ncolour = 'red'\n")
    assert "`opsboard config example`" in info.value.problems[0]
    assert "config/opsboard.example.toml" not in info.value.problems[0]


def test_the_wheel_ships_the_example() -> None:
    text = (CONFIG_DIR.parent / "pyproject.toml").read_text(encoding="utf-8")
    assert '"config/opsboard.example.toml" = "opsboard/opsboard.example.toml"' in text


def test_review_notifiers_must_be_configured() -> None:
    text = (
        "[[notifiers]]\nname = 'team-chat'\ntype = 'stdout'\n"
        "[review]\nsend_at = '09:00'\nnotifiers = ['team-caht']\n"
    )
    with pytest.raises(ConfigError) as info:
        parse_settings(text, "ops.toml")
    problems = "\n".join(info.value.problems)
    assert "review.notifiers names notifier 'team-caht', which does not exist" in problems
    assert "notifiers: team-chat" in problems
    parse_settings(text.replace("team-caht", "team-chat"))


@pytest.mark.parametrize(
    ("template", "shown"),
    [
        ("uv {value:.0f} over {threshold}", "{value:.0f}"),
        ("uv {value!r}", "{value!r}"),
        ("{rule.upper} fired", "{rule.upper}"),
        ("{scope[0]} moved", "{scope[0]}"),
    ],
)
def test_message_templates_refuse_formats_conversions_and_lookups(
    template: str, shown: str
) -> None:
    text = (
        "[[alerts.rules]]\nname = 'uv-high'\nkind = 'threshold'\nmetric = 'uv'\n"
        f"threshold = 10\nmessage = {template!r}\n"
    )
    with pytest.raises(ConfigError) as info:
        parse_settings(text, "ops.toml")
    (problem,) = info.value.problems
    assert "alerts.rules[0] (uv-high).message" in problem
    assert f"rule 'uv-high': message field {shown}" in problem
    assert "already formatted" in problem
    parse_settings(text.replace(repr(template), repr("uv {value} over {threshold}")))
