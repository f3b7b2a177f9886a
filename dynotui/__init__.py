"""dynotui: a keyboard-driven terminal workbench for Dynosaur-style instruction data."""

__version__ = "0.1.0"
