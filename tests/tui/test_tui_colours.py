"""In a terminal of 16 colours the dashboard uses the terminal's own ANSI colours, with
titles, warnings and bad news apart; a theme the operator chose stays."""

from __future__ import annotations

import pytest

from opsboard.tui import app as app_module
from opsboard.tui.app import OpsboardApp
from opsboard.tui.palette import SIXTEEN_COLOURS, THEME_VARIABLES, few_colours


def test_the_sixteen_colour_theme_keeps_meanings_apart() -> None:
    assert SIXTEEN_COLOURS.ansi
    shades = {SIXTEEN_COLOURS.accent, SIXTEEN_COLOURS.warning, SIXTEEN_COLOURS.error}
    assert len(shades) == 3
    assert THEME_VARIABLES["status-warning"] != THEME_VARIABLES["status-bad"]
    assert few_colours("standard")
    assert not few_colours("truecolor")


async def test_a_sixteen_colour_terminal_gets_the_ansi_theme_unsaved(
    app: OpsboardApp, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(app_module, "few_colours", lambda _system: True)
    async with app.run_test(size=(80, 24)):
        before = app.preferences
        app.fit_theme_to_terminal()
        assert app.theme == SIXTEEN_COLOURS.name
        assert app.preferences == before  # the terminal's choice is not the operator's
        app.theme = "nord"  # the operator's own pick is kept
        assert app.preferences != before


async def test_a_chosen_theme_stays_in_sixteen_colours(
    app: OpsboardApp, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(app_module, "few_colours", lambda _system: True)
    async with app.run_test(size=(80, 24)):
        app.theme = "nord"
        app.fit_theme_to_terminal()
        assert app.theme == "nord"
