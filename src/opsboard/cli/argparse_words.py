"""argparse's own words (``usage:``, ``options``, its errors) in the current language.

argparse looks its words up through the module-level ``_`` it took from ``gettext``;
pointing that at opsboard's catalog makes `opsboard --help` and a mistyped command read
in Chinese as the rest of the output does. The words are listed here so that the
catalog extraction finds them.
"""

from __future__ import annotations

import argparse

from opsboard import i18n
from opsboard.i18n import N_

#: The messages of argparse a user of `opsboard` can see.
ARGPARSE_WORDS = (
    N_("usage: "),
    N_("positional arguments"),
    N_("options"),
    N_("show this help message and exit"),
    N_("argument %(argument_name)s: %(message)s"),
    N_("%(prog)s: error: %(message)s\n"),
    N_("the following arguments are required: %s"),
    N_("unrecognized arguments: %s"),
    N_("expected one argument"),
    N_("expected at most one argument"),
    N_("expected at least one argument"),
    N_("invalid choice: %(value)r (choose from %(choices)s)"),
    N_("invalid %(type)s value: %(value)r"),
    N_("ambiguous option: %(option)s could match %(matches)s"),
    N_("unknown parser %(parser_name)r (choices: %(choices)s)"),
    N_("not allowed with argument %s"),
    N_("ignored explicit argument %r"),
    N_("one of the arguments %s is required"),
)


def speak_argparse() -> None:
    """Make argparse say its words in the current language (English: unchanged)."""
    argparse._ = i18n.gettext  # type: ignore[attr-defined]
    argparse.ngettext = i18n.ngettext  # type: ignore[attr-defined]
