"""Export accepted tasks applied to their rows: alpaca, jsonl, sharegpt, messages, trl,
superni, hf (+ push to the Hub). `run_export` is the one entry point for the CLI and the TUI."""

from dynotui.core.export.options import (FORMATS, POLICIES, STYLES, ExportOptions,
                                         ExportReport, Progress)
from dynotui.core.export.run import run_export
from dynotui.core.export.select import select_tasks

__all__ = ["FORMATS", "POLICIES", "STYLES", "ExportOptions", "ExportReport", "Progress", "run_export",
           "select_tasks"]

