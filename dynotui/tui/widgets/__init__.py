"""Widgets of the workbench."""


def steady_cursors(root) -> None:
    """No blinking cursors: no animation by default, and no redraws sent over SSH each second."""
    # By type name: importing TextArea for a screen that has none costs ~50 ms at start-up.
    for widget in root.query("Input, TextArea"):
        widget.cursor_blink = False
