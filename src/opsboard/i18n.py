"""The language opsboard speaks (DESIGN.md 4.5): English or Simplified Chinese (``zh-CN``).

Chosen, strongest first, by ``--lang``, ``OPSBOARD_LANG``, ``language`` in the config, then
the locale (``LANG=zh_CN.UTF-8`` gives Chinese); English otherwise. The command line sets
the first two at start (``choose``), the config loader offers the third
(``use_config_language``), which yields to an explicit choice.

Text marked with ``_()`` is looked up in the gettext catalog ``locale/zh_CN/LC_MESSAGES/
opsboard.po`` shipped inside the package. The source catalog is read with Babel's
``read_po`` and turned into a standard library ``gettext.GNUTranslations`` in memory, so
that no compile step is ever needed (a fresh checkout, an editable install, a wheel).
"""

from __future__ import annotations

import gettext as _gettext
import io
import os
from collections.abc import Mapping
from functools import cache
from pathlib import Path

ENGLISH = "en"
CHINESE = "zh-CN"
#: The languages opsboard speaks, as ``--lang`` and the config write them.
LANGUAGES: tuple[str, ...] = (ENGLISH, CHINESE)
#: Where the catalogs live: ``<lang>/LC_MESSAGES/opsboard.po`` (gettext's own layout).
LOCALE_DIR = Path(__file__).with_name("locale")
DOMAIN = "opsboard"
_CATALOG_NAMES = {CHINESE: "zh_CN"}

# How strongly the current language was chosen: a weaker source never overrides a stronger.
_DEFAULT, _LOCALE, _CONFIG, _EXPLICIT = range(4)
_state: dict[str, object] = {"language": ENGLISH, "strength": _DEFAULT}


def normalize(value: str | None) -> str | None:
    """``en`` or ``zh-CN`` for a language or locale name (``zh``, ``zh_CN.UTF-8``,
    ``zh-Hans``, ``en_US``, ``C``); None when it names neither."""
    if not value:
        return None
    name = value.strip().split(".")[0].split("@")[0].replace("_", "-").lower()
    if name in ("zh", "zh-cn", "zh-hans", "zh-sg", "zh-hans-cn"):
        return CHINESE
    if name in ("en", "c", "posix") or name.startswith("en-"):
        return ENGLISH
    return None


def from_locale(environ: Mapping[str, str] | None = None) -> str | None:
    """The language the locale asks for (``LC_ALL``, ``LC_MESSAGES``, ``LANG``, the first
    set wins, as gettext reads them); None when it names neither language."""
    env = os.environ if environ is None else environ
    for name in ("LC_ALL", "LC_MESSAGES", "LANG"):
        value = env.get(name)
        if value:
            return normalize(value)
    return None


def invalid_language(value: str) -> str:
    """The message for a language opsboard does not speak."""
    return f"unknown language {value!r}; use one of: {', '.join(LANGUAGES)}"


def choose(flag: str | None = None, environ: Mapping[str, str] | None = None) -> str:
    """Set the language from ``--lang`` (``flag``), else ``OPSBOARD_LANG``, else the locale,
    and return it. A config loaded later may still choose when neither was given.

    Raises ``ValueError`` for a flag or variable naming no known language.
    """
    env = os.environ if environ is None else environ
    for given in (flag, env.get("OPSBOARD_LANG")):
        if given:
            language = normalize(given)
            if language is None:
                raise ValueError(invalid_language(given))
            _set(language, _EXPLICIT)
            return language
    _set(from_locale(env) or ENGLISH, _LOCALE, force=True)
    return current()


def use_config_language(language: str | None) -> None:
    """The config's ``language``: taken unless ``--lang`` or ``OPSBOARD_LANG`` chose."""
    if language:
        _set(normalize(language) or ENGLISH, _CONFIG)


def set_language(language: str) -> None:
    """Speak ``language`` from now on, whatever chose before (tests, the demo)."""
    _set(normalize(language) or ENGLISH, _EXPLICIT, force=True)


def _set(language: str, strength: int, *, force: bool = False) -> None:
    if force or strength >= int(str(_state["strength"])):
        _state["language"] = language
        _state["strength"] = strength


def current() -> str:
    """The language in use: ``en`` or ``zh-CN``."""
    return str(_state["language"])


def is_chinese() -> bool:
    """True when opsboard speaks Chinese."""
    return current() == CHINESE


def catalog_path(language: str) -> Path:
    """The source catalog (``.po``) of ``language``."""
    return LOCALE_DIR / _CATALOG_NAMES[language] / "LC_MESSAGES" / f"{DOMAIN}.po"


@cache
def translations(language: str) -> _gettext.NullTranslations:
    """The gettext translations of ``language`` (none for English, the source language)."""
    if language not in _CATALOG_NAMES:
        return _gettext.NullTranslations()
    from babel.messages.mofile import write_mo
    from babel.messages.pofile import read_po

    with catalog_path(language).open("rb") as source:
        catalog = read_po(source, locale=_CATALOG_NAMES[language], domain=DOMAIN)
    compiled = io.BytesIO()
    write_mo(compiled, catalog)
    compiled.seek(0)
    return _gettext.GNUTranslations(compiled)


def gettext(message: str) -> str:
    """``message`` in the current language (itself when it has no translation); ``""``
    stays empty (gettext would answer with the catalog's header)."""
    return translations(current()).gettext(message) if message else message


def ngettext(singular: str, plural: str, n: int) -> str:
    """The singular or plural of a message, in the current language."""
    return translations(current()).ngettext(singular, plural, n)


def pgettext(context: str, message: str) -> str:
    """``message`` in the current language as said in ``context`` (one English word that
    Chinese says two ways: ``store`` as a column, 店铺, or as a finding's subject, 全店)."""
    return translations(current()).pgettext(context, message) if message else message


def N_(message: str) -> str:  # gettext's own name for "mark, translate later"
    """Mark ``message`` for the catalog without translating it now (a module constant)."""
    return message


_ = gettext
