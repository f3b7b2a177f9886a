"""Proposing tasks: prompts and demonstrations, parsing, checks, the run, reports, task lists."""
