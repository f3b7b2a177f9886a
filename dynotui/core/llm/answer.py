"""What a completion returns, and the error for a server that cannot be used at all."""

from __future__ import annotations

from dataclasses import dataclass

from dynotui.core.errors import LLMError

# Structured-output modes, tried in this order: OpenAI's json_schema, then json_object with
# the schema (llama.cpp's form), then plain text parsed tolerantly.
MODES = ("json_schema", "json_object", "text")


@dataclass
class Answer:
    text: str
    tokens_in: int
    tokens_out: int
    model: str
    mode: str
    finish_reason: str = ""
    seconds: float = 0.0
    attempts: int = 1


class LLMUnavailable(LLMError):
    """The server is down, unreachable or refuses every request: stop, don't retry per dataset."""
