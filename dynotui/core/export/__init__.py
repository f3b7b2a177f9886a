"""Export accepted tasks applied to their rows: alpaca, jsonl, sharegpt, messages, trl,
superni, hf (+ push to the Hub). `run_export` is the one entry point for the CLI and the TUI."""

from dynotui.core.export.options import (FORMATS, POLICIES, STYLES, ExportOptions,
                                         ExportReport, Progress)

__all__ = ["FORMATS", "POLICIES", "STYLES", "ExportOptions", "ExportReport", "Progress", "run_export",
           "select_tasks"]


def __getattr__(name: str):
    # start-up: the CLI reads the option lists while building its parser; the engine
    # (sources, writers, replay) loads on first use
    if name == "run_export":
        from dynotui.core.export.run import run_export
        return run_export
    if name == "select_tasks":
        from dynotui.core.export.select import select_tasks
        return select_tasks
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
