"""Paid promotion today: spend against budget with pacing, ROI against break-even."""

from __future__ import annotations

from rich.style import Style
from rich.text import Text

from opsboard.formatting import MISSING, bar, money, percent, ratio, with_name
from opsboard.glossary import channel_label
from opsboard.i18n import N_, _
from opsboard.text import inert
from opsboard.tui.palette import Palette, palette
from opsboard.tui.widgets.fitted_table import FittedTable, NamedText
from opsboard.views.overview import PromotionRow

#: The pacing states as the table says them.
_PACING_WORDS = {
    "on track": N_("on track"),
    "behind": N_("behind"),
    "ahead": N_("ahead"),
    "spent out": N_("spent out"),
}

_RUNS_OUT = "out by "


def pacing_words(state: str) -> str:
    """A pacing state as the table says it: ``偏慢``; ``out by 18:40`` / ``18:40 花完``."""
    if state.startswith(_RUNS_OUT):
        return _("out by {time}").format(time=state.removeprefix(_RUNS_OUT))
    return _(_PACING_WORDS.get(state, state or MISSING))


def _state_style(colours: Palette) -> dict[str, Style]:
    """The style of each pacing state: on track is good, behind or ahead worth a look."""
    return {
        "on track": colours.good,
        "behind": colours.warning,
        "ahead": colours.warning,
        "spent out": colours.bad,
    }


def roi_text(row: PromotionRow, break_even: float | None, colours: Palette) -> Text:
    """ROI, bad under break-even, marked ``SL`` where the loss is strategic."""
    text = Text(ratio(row.roi), justify="right")
    if row.strategic_loss:
        text.stylize(colours.strategic)
        text.append(" SL", style=colours.bold(colours.strategic))
    elif row.below_break_even:
        text.stylize(colours.bold(colours.bad))
        text.append(" <BE", style=colours.bad)
    elif row.roi is not None and break_even is not None:
        text.stylize(colours.good)
    return text


class PromotionTable(FittedTable):
    """One row per channel with its campaigns beneath it."""

    FLEXIBLE = (0, 3)

    def __init__(self, *, unicode: bool = True, id: str | None = None) -> None:
        super().__init__(id=id, cursor=False)
        self.unicode = unicode
        self._shown: tuple[object, ...] | None = None

    def on_mount(self) -> None:
        """Columns are fixed; rows come with data."""
        self.add_column(_("Channel / plan"), key="name")
        self.add_column(Text(_("Spend"), justify="right"), key="spend")
        self.add_column(_("Budget used"), key="pacing")
        self.add_column(_("Pacing"), key="state")
        self.add_column(Text(_("ROI"), justify="right"), key="roi")
        self.add_column(Text(_("CPC"), justify="right"), key="cpc")
        self.add_column(Text(_("CTR"), justify="right"), key="ctr")

    def show(self, rows: tuple[PromotionRow, ...], break_even: float | None) -> None:
        """Show ``rows``, each amount in its store's own currency; nothing is redrawn when
        they did not change."""
        key = (rows, break_even)
        if key == self._shown:
            return
        self._shown = key
        table: list[tuple[list[Text], str | None]] = []
        several = len({row.store for row in rows}) > 1
        colours = palette(self.app)
        states = _state_style(colours)
        shown_store = None
        for index, row in enumerate(rows):
            if several and row.store != shown_store:
                shown_store = row.store
                # Each store's amounts are in its own currency: say which.
                heading = Text(inert(row.store), style="bold underline")
                heading.append(f" {row.currency}", style="dim")
                table.append(([heading, *[Text("")] * 6], None))
            # The plan's name after its id: the column's clipping shortens the name only.
            label: Text = (
                NamedText(
                    f"  {with_name(row.campaign, row.name)}", keep=2 + len(inert(row.campaign))
                )
                if row.campaign
                else Text(channel_label(row.channel, platform=row.platform), style="bold")
            )
            used = row.budget_used
            gauge = f"{bar(used, 6, unicode=self.unicode)} {percent(used, 0):>4}"
            table.append(
                (
                    [
                        label,
                        Text(money(row.spend, row.currency), justify="right"),
                        Text(gauge, style=states.get(row.pacing_state, colours.bad)),
                        Text(
                            pacing_words(row.pacing_state),
                            style=states.get(row.pacing_state, colours.bold(colours.bad)),
                        ),
                        roi_text(row, break_even, colours),
                        Text(money(row.cpc, row.currency, cents=True), justify="right"),
                        Text(percent(row.ctr, 1), justify="right"),
                    ],
                    f"{index}:{row.channel}:{row.campaign}",
                )
            )
        if not rows:
            table.append(([Text(_("no ad spend today"), style="dim"), *[Text("")] * 6], None))
        self.set_rows(table)
