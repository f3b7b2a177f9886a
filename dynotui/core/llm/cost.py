"""Cost from a price table: USD per million input / output tokens, per model."""

from __future__ import annotations


def price_of(model: str, prices: dict[str, list[float]]) -> tuple[float, float] | None:
    """The (input, output) price of a model, matching exact name, then a dated variant
    (`gpt-4o-mini-2024-07-18` -> `gpt-4o-mini`); None when unknown."""
    if model in prices:
        pin, pout = prices[model]
        return float(pin), float(pout)
    best = ""
    for name in prices:
        if model.startswith(name + "-") and len(name) > len(best):
            best = name
    if best:
        pin, pout = prices[best]
        return float(pin), float(pout)
    return None


def cost_usd(model: str, tokens_in: int, tokens_out: int, prices: dict[str, list[float]]
             ) -> tuple[float, bool]:
    """(cost, priced): an unknown model costs 0 and priced is False ("no price")."""
    price = price_of(model, prices)
    if price is None:
        return 0.0, False
    return (tokens_in * price[0] + tokens_out * price[1]) / 1_000_000, True
