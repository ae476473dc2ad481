"""The dashboard's key descriptions in the language in use.

Textual builds a class's bindings once, when the class is defined; the footer and the help
screen read each node's own copy. ``localize_bindings`` translates that copy when a screen
or the app is made, so the language chosen at start (``opsboard.i18n``) is the one shown
whatever was imported first.
"""

from __future__ import annotations

from dataclasses import replace

from textual.dom import DOMNode

from opsboard.i18n import gettext


def localize_bindings(node: DOMNode) -> None:
    """Translate the descriptions of ``node``'s key bindings (marked ``N_`` in the code)."""
    table = node._bindings.key_to_bindings
    for key, bindings in table.items():
        table[key] = [
            replace(b, description=gettext(b.description)) if b.description else b for b in bindings
        ]
