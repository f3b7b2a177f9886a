"""LLM clients: one interface, two back ends (an OpenAI-compatible server, the embedded model).

`make_client(llm_settings)` returns a client with `await complete(messages, schema) -> Answer`
and `await aclose()`. No endpoint configured -> the embedded SmolLM2 model (needs the `local`
extra). The `openai` package and llama_cpp are imported lazily, inside the back ends.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any, Protocol

from dynotui.core.llm.answer import Answer, LLMUnavailable, MODES
from dynotui.core.llm.cost import cost_usd, price_of
from dynotui.core.llm.embedded import embedded_client
from dynotui.core.llm.openai_compat import OpenAICompatClient

__all__ = ["MODES", "Answer", "LLMClient", "LLMUnavailable", "cost_usd", "make_client", "price_of"]


class LLMClient(Protocol):
    model: str
    base_url: str

    async def ready(self) -> str: ...  # the model name (asked from the server if unset)

    async def complete(self, messages: list[dict[str, str]], schema: dict[str, Any] | None,
                       max_tokens: int | None = None, stop: list[str] | None = None
                       ) -> Answer: ...

    async def aclose(self) -> None: ...


def make_client(llm, workspace: str | Path | None = None) -> LLMClient:
    """The configured client; `workspace` (optional) remembers each server's output mode."""
    modes_file = Path(workspace) / "llm_modes.json" if workspace else None
    if llm.base_url:
        return OpenAICompatClient(llm, modes_file=modes_file)

    return embedded_client(llm, modes_file=modes_file)
