"""Edit a proposal: instruction text, input fields, output field; samples and checks follow
every change. Saving returns the new Task (the review screen stores it as a new version)."""

from __future__ import annotations

import os
import shlex
import subprocess
import tempfile
from pathlib import Path

from rich.text import Text
from textual import on, work
from textual.app import ComposeResult, SuspendNotSupported
from textual.binding import Binding
from textual.containers import Horizontal, Vertical, VerticalScroll
from textual.screen import Screen
from textual.widgets import Label, Select, SelectionList, Static, TextArea

from dynotui.core.generation.validate import check_item
from dynotui.core.models import DatasetMeta, Proposal, Task
from dynotui.tui import jobs, render
from dynotui.tui.widgets.footer import KeyFooter
from dynotui.tui.widgets import steady_cursors
from dynotui.tui.messages import MetaLoaded
from dynotui.tui.widgets.proposal import samples_text, verdict_lines


def shape_problems(task: Task) -> list[str]:
    """What makes a task unsavable, whatever the dataset holds."""
    problems = []
    if not task.instruction:
        problems.append("the instruction is empty")
    if not task.input_fields:
        problems.append("no input field is ticked")
    if not task.output_field:
        problems.append("no output field is chosen")
    elif task.output_field in task.input_fields:
        problems.append(f"'{task.output_field}' is both an input and the output field")
    return problems


class EditScreen(Screen[Task | None]):
    BINDINGS = [
        Binding("ctrl+s", "save", "save + accept", priority=True, id="edit.save"),
        Binding("escape", "cancel", "cancel", id="edit.cancel"),
        Binding("ctrl+e", "external_editor", "$EDITOR", priority=True, id="edit.editor"),
        Binding("q", "quit_edit", "quit", show=False, id="edit.quit"),
    ]

    def __init__(self, proposal: Proposal, meta: DatasetMeta | None) -> None:
        super().__init__(id="edit")
        self.proposal, self.meta = proposal, meta
        # A TextArea draws its text as is: control/bidi characters from a model's answer would
        # reach the terminal (OSC titles, colours), so it gets visible stand-ins instead.
        self.shown_instruction = render.visible(proposal.task.instruction, tabs=False)
        self._quit_armed = 0.0  # when q was last pressed with unsaved changes
        self.meta_error = ""  # why the dataset could not be loaded, shown instead of samples
        self._timer = None

    def _fields(self) -> list[str]:
        names = list(self.meta.field_names) if self.meta else []
        task = self.proposal.task
        for name in [*task.input_fields, task.output_field]:
            if name and name not in names:
                names.append(name)  # keep what the model named, so it can be unticked
        return names

    def compose(self) -> ComposeResult:
        task = self.proposal.task
        yield Static(render.join("Editing ", (self.proposal.dataset, "bold"),
                                 " — Ctrl+S saves a new version and accepts it, Esc cancels"),
                     id="edit-title")
        with Horizontal(id="edit-body"):
            with Vertical(id="edit-form"):
                yield Label("Instruction")
                yield TextArea(self.shown_instruction, id="instruction", soft_wrap=True,
                               show_line_numbers=False)
                yield Label("Input fields (space toggles)")
                yield SelectionList[str](*self._selections(), id="inputs")
                yield Label("Output field")
                yield Select(self._options(), value=task.output_field or Select.NULL,
                             id="output", compact=True)
                yield Static(id="edit-verdicts")
            with VerticalScroll(id="edit-samples-pane", can_focus=False):
                yield Static(id="edit-samples")
        yield KeyFooter()

    def _selections(self) -> list[tuple]:
        chosen = set(self.proposal.task.input_fields)
        return [(render.content(n, 60), n, n in chosen) for n in self._fields()]

    def _options(self) -> list[tuple]:
        return [(render.content(n, 60), n) for n in self._fields()]

    def on_mount(self) -> None:
        self.query_one("#instruction", TextArea).focus()
        steady_cursors(self)
        if self.meta is None:
            self._load_meta()
        self.recheck()

    @work(thread=True, exit_on_error=False)
    def _load_meta(self) -> None:
        p = self.proposal
        key = jobs.meta_key(p.dataset, p.config)
        try:
            meta = jobs.fetch_meta(self.app.store, self.app.settings, p.dataset, p.config,
                                   self.app.meta_cache)
        except Exception as exc:
            self.post_message(MetaLoaded(key, None, render.message(exc)))
            return
        self.post_message(MetaLoaded(key, meta))

    @on(MetaLoaded)
    def _meta_loaded(self, message: MetaLoaded) -> None:
        if message.meta is not None:
            self.meta = message.meta
        else:
            self.meta_error = message.error or "unknown error"
        self.recheck()

    def task(self) -> Task:
        output = self.query_one("#output", Select).value
        text = self.query_one("#instruction", TextArea).text
        if text == self.shown_instruction:  # untouched: keep the stored text exactly
            text = self.proposal.task.instruction
        return Task(text.strip(),
                    list(self.query_one("#inputs", SelectionList).selected),
                    output if isinstance(output, str) else "")

    @on(TextArea.Changed)
    @on(SelectionList.SelectedChanged)
    @on(Select.Changed)
    def _changed(self) -> None:
        if self._timer is not None:
            self._timer.stop()
        self._timer = self.set_timer(0.08, self.recheck)  # typing fast re-renders once

    def recheck(self) -> None:
        self._timer = None
        task = self.task()
        verdicts = []
        if self.meta is not None:
            verdicts = check_item(task.to_dict(), self.meta, set(), set()).verdicts
        box = self.query_one("#edit-verdicts", Static)
        problems = verdict_lines(verdicts)
        if self.meta is None:
            # Without the dataset only the task's shape can be checked: say so, never "passes".
            problems = Text(end="")
            for why in shape_problems(task):
                problems.append(f"\n  ✗ {render.message(why)}", style="red")
            problems.append("\n  fields not checked: the dataset is not loaded", style="dim")
            box.update(problems)
        else:
            box.update(problems if problems.plain
                       else Text("✓ passes the task checks", style="green"))
        samples = self.query_one("#edit-samples", Static)
        if self.meta is None and self.meta_error:
            samples.update(render.join(("Could not load sample rows: ", "yellow"),
                                       (self.meta_error, "yellow")))
        else:
            samples.update(samples_text(task, self.meta, n=3))

    def action_save(self) -> None:
        task = self.task()
        problems = shape_problems(task)
        if problems:
            self.notify(render.message("Not saved: " + "; ".join(problems) + "."),
                        severity="warning", markup=False)
            return
        self.dismiss(task)

    async def action_quit_edit(self) -> None:
        """q outside the text area: a changed task is not dropped by one stray key."""
        import time

        now, was = self.task(), self.proposal.task
        changed = (now.instruction, set(now.input_fields), now.output_field) != (
            was.instruction.strip(), set(was.input_fields), was.output_field)
        if changed and time.monotonic() - self._quit_armed > 3.0:
            self._quit_armed = time.monotonic()
            self.notify("This edit is not saved: Ctrl+S saves it, Esc drops it. "
                        "Press q again to quit without saving.", severity="warning",
                        markup=False, timeout=3)
            return
        await self.app.action_quit()

    def action_cancel(self) -> None:
        self.dismiss(None)

    def action_external_editor(self) -> None:
        if self.app.is_web:
            self.notify("$EDITOR is not available when the app is served in a browser.",
                        severity="warning", markup=False)
            return
        editor = os.environ.get("VISUAL") or os.environ.get("EDITOR") or "vi"
        area = self.query_one("#instruction", TextArea)
        with tempfile.NamedTemporaryFile("w", suffix=".txt", delete=False,
                                         encoding="utf-8") as fh:
            fh.write(area.text)
            path = Path(fh.name)
        try:
            with self.app.suspend():
                result = subprocess.run([*shlex.split(editor), str(path)])
            if result.returncode == 0:
                area.text = render.visible(path.read_text(encoding="utf-8").rstrip("\n"),
                                           tabs=False)
            else:
                self.notify(f"{editor} exited with {result.returncode}; text unchanged.",
                            severity="warning", markup=False)
        except SuspendNotSupported:
            self.notify("This terminal cannot hand over to $EDITOR; edit the text here.",
                        severity="warning", markup=False)
        except (OSError, ValueError) as exc:
            self.notify(render.message(f"Could not run {editor}: {exc}"), severity="error",
                        markup=False)
        finally:
            path.unlink(missing_ok=True)
