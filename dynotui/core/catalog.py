"""The Dynosaur catalog filters: each dataset gets one verdict per rule, with its reason."""

from __future__ import annotations

import fnmatch
import re
from typing import Any, Iterable

from dynotui.core.licenses import DEFAULT_LICENSE_DENY
from dynotui.core.models import DatasetEntry, DatasetMeta, Feature, Verdict

ENGLISH_TAGS = {"en", "eng", "english"}
# common English function words: a cheap signal when the card names no language
STOPWORDS = set("""the a an and or of to in on at for with is are was were be been it this that
these those by from as not but have has had do does did will would can could should i you he she
we they his her its their our my your what which who when where how there here if than then so
no yes all some any one two about into over after before""".split())
_WORD = re.compile(r"[^\W\d_]+", re.UNICODE)


def catalog_verdicts(meta: DatasetMeta, deny: Iterable[str] | None = None,
                     allow: Iterable[str] | None = None) -> list[Verdict]:
    """license, english, fields and media verdicts; `ok` ones are listed too."""
    deny = list(DEFAULT_LICENSE_DENY if deny is None else deny)
    return [license_verdict(meta.license, deny, list(allow or [])),
            english_verdict(meta),
            fields_verdict(meta),
            media_verdict(meta)]


def listing_verdicts(item: DatasetEntry, settings: Any = None) -> list[Verdict]:
    """Catalog verdicts from a listing line (fields unknown until opened give a warning)."""
    meta = DatasetMeta(ref=item.ref, name=item.name, license=item.license,
                       languages=item.languages, task_categories=item.task_categories,
                       features=[Feature(f, "unknown") for f in item.fields])
    return catalog_verdicts(meta, getattr(settings, "license_deny", None),
                            getattr(settings, "license_allow", None))


def _matches(value: str, patterns: list[str]) -> str | None:
    for pattern in patterns:
        if fnmatch.fnmatchcase(value.lower(), pattern.lower()):
            return pattern
    return None


def license_verdict(licenses: list[str], deny: list[str], allow: list[str]) -> Verdict:
    values = [str(v).strip() for v in licenses if str(v).strip()]
    if not values:
        return Verdict("license", False, "no license tag: Dynosaur skips datasets without a "
                       "license (add `license:` to the card)")
    for value in values:
        pattern = _matches(value, deny)
        if pattern:
            return Verdict("license", False, f"license '{value}' is on the deny list "
                           f"(matches '{pattern}')")
    if allow:
        outside = [v for v in values if not _matches(v, allow)]
        if outside:
            return Verdict("license", False, f"license '{', '.join(outside)}' is not on the "
                           f"allow list ({', '.join(allow)})")
        return Verdict("license", True, f"license {', '.join(values)} is on the allow list")
    return Verdict("license", True, f"license {', '.join(values)} is permitted")


def english_verdict(meta: DatasetMeta) -> Verdict:
    tasks = [t.lower() for t in meta.task_categories]
    if any("translation" in t for t in tasks):
        return Verdict("english", False, "translation data (task category "
                       f"{', '.join(t for t in tasks if 'translation' in t)}): Dynosaur skips it")
    langs = [str(l).lower() for l in meta.languages if str(l).strip()]
    if langs:
        english = [l for l in langs if l.split("-")[0].split("_")[0] in ENGLISH_TAGS]
        if english:
            others = [l for l in langs if l not in english]
            more = f" (also {', '.join(others)})" if others else ""
            return Verdict("english", True, f"language tag includes English{more}")
        return Verdict("english", False, f"not English: language tag {', '.join(langs)}")
    share = english_share(meta.sample_rows(50))
    if share is None:
        return Verdict("english", False, "no language tag and no sample text to judge; "
                       "add `language: en` to the card if it is English", level="warning")
    percent = f"{share:.0%} of words are common English words"
    if share >= 0.12:
        return Verdict("english", True, f"no language tag; sample text looks English ({percent})")
    return Verdict("english", False, f"no language tag; sample text does not look English "
                   f"({percent})")


def english_share(rows: list[dict[str, Any]]) -> float | None:
    """Share of words in the rows' text that are common English function words."""
    words: list[str] = []
    for row in rows:
        for value in row.values():
            words += _WORD.findall(" ".join(_strings(value)).lower())
    if len(words) < 20:
        return None
    return sum(w in STOPWORDS for w in words) / len(words)


def _strings(value: Any) -> list[str]:
    if isinstance(value, str):
        return [value[:2000]]
    if isinstance(value, list):
        return [s for v in value[:200] for s in _strings(v)]
    if isinstance(value, dict):
        return [s for v in value.values() for s in _strings(v)]
    return []


def fields_verdict(meta: DatasetMeta) -> Verdict:
    names = meta.field_names
    if not names:
        return Verdict("fields", False, "fields unknown until the dataset is opened",
                       level="warning")
    if len(names) < 2:
        return Verdict("fields", False, f"only {len(names)} field ({', '.join(names)}): a task "
                       "needs an input and an output field")
    return Verdict("fields", True, f"{len(names)} fields: {', '.join(names)}")


def media_verdict(meta: DatasetMeta) -> Verdict:
    media = [f"{f.name} ({f.type})" for f in meta.features if f.is_media]
    if media:
        return Verdict("media", False, f"image/audio fields: {', '.join(media)}: Dynosaur "
                       "keeps text-only datasets")
    if not meta.features:
        return Verdict("media", True, "no image or audio fields known", level="warning")
    return Verdict("media", True, "no image or audio fields")
