"""The dashboard's colours by what they say, as theme variables.

A widget asks for a meaning (good, warning, bad, info, strategic), never for a colour name;
the colour is the current theme's ``$status-good``, ``$status-warning``, ``$status-bad``,
``$status-info`` or ``$status-strategic``. A theme may set them in its ``variables``; the
defaults are the terminal's own ANSI colours, which the dashboard has always used: they
follow the terminal's palette and stay readable on light and dark backgrounds alike.
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from typing import Any

from rich.style import Style
from textual.app import App
from textual.color import Color
from textual.theme import BUILTIN_THEMES, Theme

#: The dashboard's own theme variables with their defaults (``App.get_theme_variable_defaults``).
THEME_VARIABLES: dict[str, str] = {
    "status-good": "ansi_green",
    "status-warning": "ansi_yellow",
    "status-bad": "ansi_red",
    "status-info": "ansi_cyan",
    "status-strategic": "ansi_magenta",
}


@dataclass(frozen=True, slots=True)
class Palette:
    """The Rich styles of each meaning under one theme."""

    good: Style
    """Healthy, on track, better than before."""
    warning: Style
    """Worth a look: behind or ahead of plan, a source slow or stale."""
    bad: Style
    """Wrong: below break-even, spent out, a source down, worse than before."""
    info: Style
    """Informational alerts."""
    strategic: Style
    """A loss the operator chose (a strategic-loss campaign)."""

    @staticmethod
    def bold(style: Style) -> Style:
        """``style`` in bold, for the most urgent of its kind."""
        return style + Style(bold=True)


def palette(app: App[Any]) -> Palette:
    """The styles of the app's current theme (the defaults before its CSS is read)."""
    variables = {**THEME_VARIABLES, **getattr(app, "theme_variables", {})}

    def colour(meaning: str) -> Style:
        return Style(color=Color.parse(variables[f"status-{meaning}"]).rich_color)

    return Palette(
        good=colour("good"),
        warning=colour("warning"),
        bad=colour("bad"),
        info=colour("info"),
        strategic=colour("strategic"),
    )


#: The theme for a terminal of 16 colours (``TERM=xterm``): the terminal's own ANSI colours,
#: with titles in bright blue, so that titles, warnings (yellow), bad news and "behind" (red)
#: never come out as one red, as truecolour themes do once squeezed into 16 colours.
SIXTEEN_COLOURS: Theme = replace(
    BUILTIN_THEMES["ansi-dark"], name="opsboard-16-colours", accent="ansi_bright_blue"
)


def few_colours(color_system: str | None) -> bool:
    """True for a terminal of 16 colours or fewer (Rich's ``standard`` and ``windows``)."""
    return color_system in ("standard", "windows")
