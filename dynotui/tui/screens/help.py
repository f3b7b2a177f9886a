"""Help: the keys of the screen beneath and of the app, built from their bindings."""

from __future__ import annotations

from rich.table import Table
from rich.text import Text
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import VerticalScroll
from textual.screen import ModalScreen, Screen
from textual.widgets import Static

from dynotui.tui import render
from dynotui.tui.team import show_guidelines


def _key(app, binding: Binding) -> str:
    keys = app._keymap.get(binding.id, binding.key) if binding.id else binding.key
    return ", ".join(app.get_key_display(Binding(k.strip(), "")) for k in keys.split(","))


def bindings_table(app, screen: Screen, reasons: list[str]) -> Table:
    table = Table(box=None, pad_edge=False, show_header=True, header_style="bold")
    table.add_column("key", style="bold", no_wrap=True)
    table.add_column("does")
    table.add_column("id (for keymap)", style="dim", no_wrap=True)
    sections = [(screen.__class__.__name__.removesuffix("Screen"), screen.BINDINGS)]
    focused = screen.focused
    own = [b for b in getattr(focused, "BINDINGS", []) if isinstance(b, Binding) and b.id]
    if own:  # the focused widget's own keys (the dataset list's mark)
        sections.append(("Here", own))
    sections.append(("Everywhere", app.BINDINGS))
    for title, bindings in sections:
        table.add_row(Text(title, style="underline"), "", "")
        for b in bindings:
            if not isinstance(b, Binding):
                continue
            does = b.description or b.action
            if b.id and b.id.startswith("review.reason-"):
                n = int(b.id.rsplit("-", 1)[1])
                if n > len(reasons):
                    continue
                table.add_row(_key(app, b), render.join("reject: ", (reasons[n - 1], "")), b.id)
                continue
            table.add_row(_key(app, b), does, b.id or "")
    return table


class HelpScreen(ModalScreen[None]):
    BINDINGS = [Binding("escape,question_mark,q", "close", "close", id="help.close"),
                Binding("g", "guidelines", "guidelines", id="help.guidelines")]
    DEFAULT_CSS = """
    HelpScreen { align: center middle; }
    HelpScreen > VerticalScroll { width: 90; max-width: 100%; height: auto; max-height: 90%;
        border: round $primary; background: $surface; padding: 0 1; }
    """

    def __init__(self, beneath: Screen) -> None:
        super().__init__()
        self.beneath = beneath

    def compose(self) -> ComposeResult:
        with VerticalScroll(can_focus=False):
            yield Static(Text("Keys — Esc closes. A keymap in the config file remaps ids:\n"
                              '  [keymap]\n  "review.accept" = "y"', style="dim"))
            yield Static(bindings_table(self.app, self.beneath, self.app.settings.reject_reasons))
            path = getattr(self.app.settings, "guidelines", None)
            yield Static(render.join(("\nGuidelines: ", "bold"), (path, "") if path else
                                     ("none yet (WORKSPACE/guidelines.md)", "dim"),
                                     ("  — g shows them", "dim")))

    def action_close(self) -> None:
        self.dismiss(None)

    def action_guidelines(self) -> None:
        show_guidelines(self.app)
