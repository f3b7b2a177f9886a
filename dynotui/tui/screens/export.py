"""Export: the options of `dynotui export` as a form, run by the same core function in a worker."""

from __future__ import annotations

import threading
from pathlib import Path
from typing import Any

from rich.text import Text
from textual import on, work
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Grid, Horizontal, VerticalScroll
from textual.message import Message
from textual.screen import Screen
from textual.widgets import Button, Checkbox, Input, Label, ProgressBar, Select, Static

from dynotui.core.export import FORMATS, POLICIES, STYLES, ExportOptions, run_export
from dynotui.tui import render
from dynotui.tui.widgets.footer import KeyFooter
from dynotui.tui.widgets.status import StatusLine
from dynotui.tui.widgets import steady_cursors

EXTENSIONS = {"alpaca": ".json", "superni": "", "hf": ""}


STYLE_LABELS = {"clean": "clean (stripped, deduped)",
                "dynosaur": "dynosaur (the released pipeline's rows)"}
FAILED_SHOWN = 5  # unreadable datasets listed by name; the rest are counted


def shown_path(path: Path) -> str:
    """The path as typed from here: relative to the current folder when inside it."""
    try:
        return str(Path(path).absolute().relative_to(Path.cwd()))
    except (ValueError, OSError):  # elsewhere, or the current folder is gone
        return str(path)


class ExportScreen(Screen):
    BINDINGS = [
        Binding("ctrl+s", "run", "export", priority=True, id="export.run"),
        Binding("escape", "cancel", "cancel", id="export.cancel"),
    ]

    class Progressed(Message):
        def __init__(self, progress: Any) -> None:
            super().__init__()
            self.progress = progress

        def can_replace(self, message: Message) -> bool:
            return isinstance(message, ExportScreen.Progressed)

    class Finished(Message):
        def __init__(self, report: Any, error: str = "") -> None:
            super().__init__()
            self.report, self.error = report, error

    def __init__(self) -> None:
        super().__init__(id="export")
        self.cancel_event: threading.Event | None = None

    def compose(self) -> ComposeResult:
        with VerticalScroll(id="export-form", can_focus=False):
            yield Static(Text("Export accepted tasks applied to their rows. Ctrl+S runs, "
                              "Esc cancels a running export.", style="dim"))
            with Grid(id="export-grid"):
                yield Label("format")
                yield Select([(f, f) for f in FORMATS], value="alpaca", allow_blank=False,
                             id="format", compact=True)
                yield Label("style")
                yield Select([(STYLE_LABELS.get(st, st), st) for st in STYLES], value="clean",
                             allow_blank=False, id="style", compact=True)
                yield Label("output path")
                yield Input(self._default_out("alpaca"), id="out", compact=True)
                yield Label("policy")
                yield Select([(p, p) for p in POLICIES], value="any", allow_blank=False,
                             id="policy", compact=True)
                yield Label("annotator")
                yield Input(placeholder="everyone", id="annotator", compact=True)
                yield Label("datasets")
                yield Input(placeholder="all (or ids, comma separated)", id="datasets",
                            compact=True)
                yield Label("per task")
                yield Input(placeholder="all rows", id="per_task", type="integer", compact=True)
                yield Label("held out")
                yield Input(placeholder="none (e.g. 0.1)", id="held_out", type="number",
                            compact=True)
                yield Label("max input")
                yield Input("2000", id="max_input", type="integer", compact=True)
                yield Label("max output")
                yield Input("2000", id="max_output", type="integer", compact=True)
                yield Label("dedupe")
                yield Checkbox("drop repeated instances", True, id="dedupe", compact=True)
                yield Label("invalid tasks")
                yield Checkbox("include tasks with error-level checks", False,
                               id="include_invalid", compact=True)
            with Horizontal(id="export-run"):
                yield Button("Export", id="run", compact=True)
                yield ProgressBar(id="export-bar", show_eta=False)
            yield Static(id="export-result")
        yield StatusLine(auto=True)
        yield KeyFooter()

    def on_mount(self) -> None:
        steady_cursors(self)
        # Start in the path field: the form, not its scroll box, has the keys (and a typed
        # path holding a "q" must not reach the app's quit key).
        self.query_one("#out", Input).focus()

    def _default_out(self, fmt: str) -> str:
        ext = EXTENSIONS.get(fmt, ".jsonl")
        return shown_path(self.app.settings.workspace / "exports" / f"{fmt}{ext}")

    @on(Select.Changed, "#format")
    def _format_changed(self, event: Select.Changed) -> None:
        out = self.query_one("#out", Input)
        if out.value.startswith(shown_path(self.app.settings.workspace / "exports")):
            out.value = self._default_out(str(event.value))

    @on(Select.Changed, "#style")
    def _style_changed(self, event: Select.Changed) -> None:
        # the dynosaur style writes every instance, as the original did
        self.query_one("#dedupe", Checkbox).disabled = event.value == "dynosaur"

    def options(self):
        def value(name: str) -> str:
            return self.query_one(f"#{name}", Input).value.strip()

        def number(name: str, kind=int):
            text = value(name)
            return kind(text) if text else None

        return ExportOptions(
            format=str(self.query_one("#format", Select).value), out=value("out"),
            policy=str(self.query_one("#policy", Select).value),
            style=str(self.query_one("#style", Select).value),
            annotator=value("annotator") or None,
            adjudicators=list(getattr(self.app.settings, "adjudicators", [])),
            datasets=[d.strip() for d in value("datasets").split(",") if d.strip()],
            per_task=number("per_task"), held_out=number("held_out", float),
            max_input=number("max_input") or 2000, max_output=number("max_output") or 2000,
            dedupe=self.query_one("#dedupe", Checkbox).value,
            include_invalid=self.query_one("#include_invalid", Checkbox).value)

    @on(Button.Pressed, "#run")
    def action_run(self) -> None:
        if self.cancel_event is not None:
            self.notify("An export is already running.", markup=False)
            return
        try:
            options = self.options()
            options.check()
        except ValueError as exc:
            self._result(Text(f"A number field is wrong: {exc}", style="red"))
            return
        except Exception as exc:  # ExportError: says what to fix
            self._result(Text(render.message(exc), style="red"))
            return
        self.cancel_event = threading.Event()
        self.query_one("#export-bar", ProgressBar).update(total=None, progress=0)
        self._result(Text("exporting…", style="dim"))
        self._export(options, self.cancel_event)

    @work(thread=True, exclusive=True, group="export", exit_on_error=False)
    def _export(self, options: Any, cancel: threading.Event) -> None:
        try:
            report = run_export(self.app.store, options,
                                on_progress=lambda p: self.post_message(self.Progressed(p)),
                                cancel=cancel)
        except Exception as exc:  # an ExportError names the problem; others are bugs but shown
            self.post_message(self.Finished(None, render.message(exc)))
            return
        self.post_message(self.Finished(report))

    @on(Progressed)
    def _progressed(self, message: Progressed) -> None:
        p = message.progress
        self.query_one("#export-bar", ProgressBar).update(total=max(p.datasets_total, 1),
                                                           progress=p.datasets_done)
        self._result(render.join(f"{p.datasets_done}/{p.datasets_total} datasets · "
                                 f"{p.instances:,} instances · ", (p.dataset, "dim")))

    @on(Finished)
    def _finished(self, message: Finished) -> None:
        self.cancel_event = None
        if message.error:
            self._result(Text(message.error, style="red"))
            return
        r = message.report
        bar = self.query_one("#export-bar", ProgressBar)
        bar.update(total=1, progress=1)
        if r.cancelled:
            out = Text("Cancelled — nothing written.\n", style="bold yellow")
        elif not r.instances:
            # The core writes no file then (a previous one stays): "Done." would mislead.
            out = Text("Nothing written: no instance could be made.\n", style="bold yellow")
        else:
            out = Text("Done.\n", style="bold green")
        out.append(f"{r.instances:,} instances from {r.tasks_written}/{r.tasks} tasks over "
                   f"{r.datasets} datasets in {r.seconds:.1f}s\n")
        for path in r.paths:
            out.append_text(render.line(path, style="bold", limit=300))
            out.append("\n")
        if r.left_out_invalid:
            rules = ", ".join(f"{k} {v}" for k, v in r.left_out_rules.items())
            out.append(f"left out {r.left_out_invalid} accepted task(s) with error-level checks "
                       f"({rules}); tick 'invalid tasks' to include them\n", style="yellow")
        for task, why in sorted(r.left_out_format.items())[:FAILED_SHOWN]:
            out.append_text(render.join((f"left out of {r.format}: ", "yellow"), (task, ""), ": ",
                                        (why, "")))
            out.append("\n")
        if r.skipped:
            out.append("skipped: " + ", ".join(f"{k} {v}" for k, v in r.skipped.items()),
                       style="dim")
        if r.tasks_dropped:  # --style dynosaur leaves tasks out as the original did
            out.append("\ntasks dropped: " + ", ".join(f"{k} {v}" for k, v in
                                                      r.tasks_dropped.items()), style="dim")
        failed = list(r.failed_datasets.items())
        if failed:
            out.append(f"\n{len(failed)} dataset(s) could not be read:", style="bold yellow")
        for key, why in failed[:FAILED_SHOWN]:
            out.append_text(render.join("\n", (key, "yellow"), ": ", (why, "yellow")))
        if len(failed) > FAILED_SHOWN:  # hundreds of lines would bury the summary
            out.append(f"\n… and {len(failed) - FAILED_SHOWN} more (dynotui export --json lists "
                       "them all)", style="yellow")
        self._result(out)

    def _result(self, text: Text) -> None:
        self.query_one("#export-result", Static).update(text)

    def action_cancel(self) -> None:
        if self.cancel_event is not None:
            self.cancel_event.set()
            self._result(Text("cancelling…", style="yellow"))
        elif not isinstance(self.focused, Button):
            self.query_one("#run", Button).focus()
