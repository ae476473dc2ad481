"""The Chinese catalog is complete and agrees with the code: every string marked for
translation (``_()``, ``N_()``, ``gettext``) has a Chinese translation, and each keeps the
English placeholders (``{name}``, ``%(x)s``), or formatting it would fail or lose a figure."""

from __future__ import annotations

import re
from pathlib import Path

import opsboard_api
import opsboard_csv
import opsboard_simulator
from babel.messages.extract import DEFAULT_KEYWORDS, extract_from_dir
from babel.messages.pofile import read_po

from opsboard import i18n

SOURCE = Path(i18n.__file__).parent
#: Where marked text lives: the core and the bundled plugins (adapters, the simulated
#: platform), which speak through the plugin API's ``_`` and share the core's catalog.
SOURCES = (
    SOURCE,
    *(Path(str(p.__file__)).parent for p in (opsboard_csv, opsboard_api, opsboard_simulator)),
)
_PLACEHOLDER = re.compile(r"\{[^{}]*\}|%\([A-Za-z_]\w*\)[#0\- +]*\d*(?:\.\d+)?[a-zA-Z]")


def _marked() -> set[str]:
    found: set[str] = set()
    for source in SOURCES:
        for _file, _line, message, _comments, _context in extract_from_dir(
            str(source), method_map=[("**.py", "python")], keywords=DEFAULT_KEYWORDS
        ):
            found.update([message] if isinstance(message, str) else message)
    return {m for m in found if m}


def _catalog() -> dict[str, str]:
    with i18n.catalog_path("zh-CN").open("rb") as source:
        catalog = read_po(source)
    found: dict[str, str] = {}
    for m in catalog:
        if not m.id:
            continue
        if isinstance(m.id, str):
            chinese = m.string if isinstance(m.string, str) else ""
            # One English word may stand in several contexts ("store" as a column's heading
            # and as the subject of a sentence): each needs its translation.
            found[m.id] = chinese if found.get(m.id, chinese) else ""
            continue
        # A plural (ngettext): each English form against the Chinese one (one form).
        forms = [m.string] if isinstance(m.string, str) else list(m.string or ())
        for english in m.id:
            found[english] = forms[0] if forms and all(forms) else ""
    return found


def placeholders(text: str) -> list[str]:
    """The placeholders of a message, sorted (a translation may move them)."""
    return sorted(_PLACEHOLDER.findall(text))


def test_every_marked_string_has_a_chinese_translation() -> None:
    marked = _marked()
    catalog = _catalog()
    assert len(marked) > 50  # the extraction found the dashboard's strings
    missing = sorted(m for m in marked if not catalog.get(m))
    assert not missing, f"no Chinese translation (run `make catalog`, then translate): {missing}"


def test_translations_keep_the_placeholders() -> None:
    wrong = {
        english: chinese
        for english, chinese in _catalog().items()
        if chinese and placeholders(english) != placeholders(chinese)
    }
    assert not wrong, f"placeholders differ between English and Chinese: {wrong}"


def test_the_placeholder_check_catches_a_mismatch() -> None:
    assert placeholders("Alerts ({firing} firing)") == ["{firing}"]
    assert placeholders("告警（{count} 条）") != placeholders("Alerts ({firing} firing)")
    assert placeholders("%(n)d buyers") == ["%(n)d"]


def test_no_stale_translations_in_the_catalog() -> None:
    stale = sorted(set(_catalog()) - _marked())
    assert not stale, f"translated but no longer in the code (run `make catalog`): {stale}"


def test_the_dashboard_words_in_chinese() -> None:
    i18n.set_language("zh-CN")
    try:
        assert i18n.gettext("Traffic today") == "今日流量"
        assert i18n.gettext("Alerts ({firing} firing)").format(firing=2) == "告警（2 条告警中）"
    finally:
        i18n.set_language("en")
    assert i18n.gettext("Traffic today") == "Traffic today"


_MARKER_IN_FSTRING = re.compile(r"\{[^{}]*\b(?:_|N_|gettext|ngettext|pgettext)\(\s*['\"]")


def test_no_marked_text_hides_inside_an_f_string() -> None:
    """Babel cannot see into an f-string's expressions: ``f"{_('Do:')}"`` would never
    reach the catalog and stay English; such text is translated outside the f-string."""
    import tokenize

    hidden = []
    for path in sorted(p for source in SOURCES for p in source.rglob("*.py")):
        with path.open("rb") as source:
            for token in tokenize.tokenize(source.readline):
                prefix = token.string[:2].lower()
                is_f = token.type == tokenize.STRING and ("f" in prefix.rstrip("'\""))
                if is_f and _MARKER_IN_FSTRING.search(token.string):
                    hidden.append(f"{path.parent.name}/{path.name}:{token.start[0]}")
    assert not hidden, f"marked text inside an f-string (not extracted): {hidden}"
