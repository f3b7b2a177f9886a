"""Who is deciding: asked once when a browser session (`dynotui serve`) named nobody."""

from __future__ import annotations

from textual import on
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Vertical
from textual.screen import ModalScreen
from textual.widgets import Input, Static

LIMIT = 40


def check_name(text: str) -> str | None:
    """Why `text` cannot be an annotator name, or None when it can."""
    if not text:
        return "Type a name: your decisions are recorded under it."
    if len(text) > LIMIT:
        return f"At most {LIMIT} characters, please."
    if not text.isprintable():
        return "Letters, digits, spaces and punctuation only."
    return None


class AnnotatorScreen(ModalScreen[str]):
    """The first screen of an unnamed browser session; Enter with a valid name goes on."""

    BINDINGS = [Binding("escape", "app.quit", "quit", id="annotator.quit")]
    DEFAULT_CSS = """
    AnnotatorScreen { align: center middle; }
    AnnotatorScreen > Vertical { width: 60; height: auto; border: round $accent;
                                 padding: 0 1; background: $surface; }
    AnnotatorScreen #annotator-error { color: $error; }
    """

    def compose(self) -> ComposeResult:
        with Vertical():
            yield Static("Who is deciding? Your accepts and rejects are recorded under this "
                         "name. (Enter goes on, Esc quits)", id="annotator-what")
            yield Input(placeholder="your name", id="annotator-name", max_length=LIMIT)
            yield Static("", id="annotator-error")

    def on_mount(self) -> None:
        self.query_one(Input).focus()

    @on(Input.Submitted)
    def _submitted(self, event: Input.Submitted) -> None:
        event.stop()
        name = event.value.strip()
        problem = check_name(name)
        if problem:
            self.query_one("#annotator-error", Static).update(problem)
            return
        self.dismiss(name)
