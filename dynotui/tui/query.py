"""Browse's search box: words, `license:` `lang:` `task:` filters and `verdict:`."""

from __future__ import annotations

FILTER_KEYS = {"license": "license", "lang": "language", "language": "language",
               "task": "task_category"}


def parse_query(text: str) -> tuple[str, dict[str, str], str]:
    """`words license:mit lang:en task:x verdict:ok` -> (search, filters, verdict)."""
    words, filters, verdict = [], {}, ""
    for token in text.split():
        key, sep, value = token.partition(":")
        if sep and key.lower() in FILTER_KEYS and value:
            filters[FILTER_KEYS[key.lower()]] = value
        elif sep and key.lower() == "verdict" and value:
            verdict = value.lower()
        else:
            words.append(token)
    return " ".join(words), filters, verdict


def verdict_keep(verdict: str):
    if verdict in ("ok", "pass", "passes", "good"):
        return lambda e: all(v.ok for v in e.verdicts if v.level == "error")
    if verdict in ("fail", "bad", "failed"):
        return lambda e: any(not v.ok and v.level == "error" for v in e.verdicts)
    return None
