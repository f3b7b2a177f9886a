"""Widgets of the workbench."""


def steady_cursors(root) -> None:
    """No blinking cursors: no animation by default, and no redraws sent over SSH each second."""
    from textual.widgets import Input, TextArea

    for widget in root.query(Input):
        widget.cursor_blink = False
    for widget in root.query(TextArea):
        widget.cursor_blink = False
