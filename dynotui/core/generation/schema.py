"""The schema variant: task skeletons come from the metadata (skeletons.py); the model is
asked only to word each one's instruction, in a few tokens; when its wording fails the checks
below, the skeleton's plain template is the instruction (and a note says why).

One short call per skeleton (a tiny system line, one tiny demonstration, the template), the
answer cut at the first line break, max_tokens sized to one sentence.
"""

from __future__ import annotations

import re
import time
from dataclasses import dataclass
from typing import Any

from dynotui.core.generation.checks import (action_mismatch, actions, is_demo_copy, meta_words,
                                            words)
from dynotui.core.generation.fieldkinds import field_info
from dynotui.core.generation.skeletons import Skeleton, derive
from dynotui.core.generation.demos import SCHEMA_DEMO_ANSWER, SCHEMA_DEMO_TASK
from dynotui.core.generation.prompts import PROMPT_VERSION, estimate_tokens
from dynotui.core.generation.records import build_proposals
from dynotui.core.generation.validate import validate_tasks
from dynotui.core.llm.cost import cost_usd
from dynotui.core.models import DatasetMeta, Verdict

MAX_TOKENS = 32  # a 20-word sentence; a longer answer is cut and not used
MIN_WORDS, MAX_WORDS = 3, 30
SYSTEM = "You rewrite instructions. Keep the meaning, change the words. One sentence."
DEMO_TASK, DEMO_ANSWER = SCHEMA_DEMO_TASK, SCHEMA_DEMO_ANSWER
# first words of an answer that is no instruction ("The sentiment is positive.", "I'm ready")
_NOT_IMPERATIVE = set("the a an this that these those i i'm im i'll ill here here's heres it "
                      "it's its there we you your my our sure okay ok yes no question task "
                      "note to in as if when sorry hello hi thank thanks".split())
# words an instruction may use beyond its template and the dataset's own words
_VOCAB = set("say tell find give provide state explain list choose based using then also please "
             "short brief concise sentence one word words few correct right best appropriate "
             "given following each every its their belongs belong type kind main key what which "
             "whether how why write read look consider decide determine label labels classify "
             "category categories topic answer reply response respond question questions text "
             "passage content clear own describe description summary summarize summarise title "
             "headline option options letter number tag tags token tokens name identify mark "
             "assign pick select output input new good simple plain only is are does do it "
             "them they this that these the a an of for to in on and or with by from as at "
             "into about be can should must will your you after before first second two both "
             "same different meaning mean means means relation relationship between true false "
             "yes no whole part span copy copied exact exactly from within story article "
             "document review sentence entity entities named piece write create generate "
             "compose draft produce rate score scale similar similarity how much other another "
             "follows follow whole entire carefully short shorter".split())
# each kind's instruction must name its action with one of these word stems
KEYWORDS = {
    "classify": ("classif", "categor", "label", "decide", "determine", "whether", "which",
                 "identify", "predict", "detect", "tell", "sentiment", "topic", "intent"),
    "nli": ("entail", "contradict", "follow", "whether", "true", "implies", "imply"),
    "paraphrase": ("same", "paraphrase", "equivalent", "whether", "similar"),
    "tagging": ("tag", "label", "entit", "token"),
    "choice": ("choos", "choice", "option", "select", "pick", "correct"),
    "qa": ("answer",),
    "question": ("question",),
    "summarize": ("summar",),
    "headline": ("headline", "title"),
    "expand": ("write", "compose", "create", "generate", "draft", "expand"),
    "respond": ("reply", "respon", "answer"),
    "describe": ("docstring", "describ", "explain", "comment", "document", "summar"),
    "code": ("code", "function", "implement", "program", "write"),
    "rate": ("rate", "score", "similar", "number", "scale"),
}
# actions (checks.actions) a kind's instruction may name
ALLOWED_ACTIONS = {"summarize": {"summary", "title"}, "headline": {"title", "summary"},
                   "question": {"question"}, "describe": {"summary"}}
_PREFIX = re.compile(r"^\s*(instruction|task|answer|rewritten|reworded|output)\s*:\s*", re.I)


@dataclass
class Phrased:
    """One skeleton's final instruction: the model's wording or the template, and why."""

    skeleton: Skeleton
    instruction: str
    raw: str = ""
    problem: str = ""  # why the model's wording was not used ('' when it was)
    answer: Any = None


def messages(skeleton: Skeleton, rejected: list[dict] | None = None) -> list[dict[str, str]]:
    """The chat for one skeleton; rejected: earlier instructions of this task with reasons."""
    user = f"Instruction: {skeleton.template}"
    if rejected:
        notes = "; ".join(f"\"{r['instruction']}\" ({r['why']})" for r in rejected[:2])
        user += f"\nRejected before: {notes}. Word it differently."
    return [{"role": "system", "content": SYSTEM},
            {"role": "user", "content": f"Instruction: {DEMO_TASK}"},
            {"role": "assistant", "content": DEMO_ANSWER},
            {"role": "user", "content": user}]


def _stem(word: str) -> str:
    """A crude stem: 'contradicts', 'contradicting' -> 'contradict'."""
    if len(word) <= 4:
        return word
    return re.sub(r"e$", "", re.sub(r"(ing|ed|es|s|ly)$", "", word))


def clean(text: str) -> str:
    """The first line of an answer, without a label prefix, quotes or list marks."""
    line = next((ln for ln in (text or "").splitlines() if ln.strip()), "")
    line = _PREFIX.sub("", line.strip())
    line = re.sub(r"^([-*#>]+|\d+[.)])\s*", "", line)
    return line.strip().strip("\"'`*").strip()


def _values(meta: DatasetMeta, rows: int = 20) -> list[str]:
    out = []
    for row in meta.sample_rows(rows):
        for value in row.values():
            if isinstance(value, str):
                out.append(value)
            elif isinstance(value, dict):
                out.extend(str(x) for v in value.values() if isinstance(v, list) for x in v)
    return out


def problem(text: str, skeleton: Skeleton, meta: DatasetMeta, taken: set[str]) -> str:
    """Why this wording cannot be the skeleton's instruction ('' when it can)."""
    tokens = words(text)
    if not text:
        return "empty answer"
    if not MIN_WORDS <= len(tokens) <= MAX_WORDS or len(text) > 220:
        return f"{len(tokens)} words (wanted {MIN_WORDS} to {MAX_WORDS})"
    if re.search(r"[{}<>\[\]`|\\]|https?:|www\.", text):
        return "contains markup, code or a link"
    lower = text.lower()
    if tokens[0] in _NOT_IMPERATIVE or ":" in text or '"' in text:
        return "not an instruction (a statement, a label or an answer)"
    known = {_stem(w) for w in _VOCAB | set(words(skeleton.template)) | meta_words(meta)}
    foreign = sorted(t for t in set(tokens) if _stem(t) not in known and not t.isdigit())
    if foreign:
        return f"uses words the task and the data do not have ({', '.join(foreign[:3])})"
    wrong = set(actions(text)) - ALLOWED_ACTIONS.get(skeleton.kind, set())
    if wrong:
        return f"names the wrong action ({', '.join(sorted(wrong))})"
    if not any(k in lower for k in KEYWORDS.get(skeleton.kind, ())):
        return f"does not say what to do (a {skeleton.kind} task)"
    why = action_mismatch(text, field_info(meta, skeleton.output_field))
    if why:
        return why
    mine = set(tokens)
    used = {*skeleton.input_fields, skeleton.output_field}
    for name in meta.field_names:
        if name not in used and len(name) > 3 and name.lower() in mine \
                and not any(name.lower() in words(u) for u in used):
            return f"mentions the field '{name}', which the task does not use"
    padded = " " + " ".join(tokens) + " "
    for value in _values(meta):
        vw = words(value)
        if len(vw) >= 4 and any(" " + " ".join(vw[i:i + 4]) + " " in padded
                                for i in range(len(vw) - 3)):
            return "copies text from the sample rows"
    if is_demo_copy(text, meta) or words(text) == words(DEMO_ANSWER):
        return "copies a demonstration"
    if " ".join(tokens) in taken:
        return "the same wording as another task"
    return ""


def skeletons(meta: DatasetMeta, rejected: list[dict] | None = None) -> list[Skeleton]:
    """The dataset's skeletons, less those a reviewer rejected for their fields."""
    dropped = {(tuple(sorted(r["input_fields"])), r["output_field"]) for r in rejected or ()
               if r.get("fields_wrong")}
    return [s for s in derive(meta)
            if (tuple(sorted(s.input_fields)), s.output_field) not in dropped]


def estimate_calls(meta: DatasetMeta) -> tuple[int, int, int]:
    """(calls, input tokens, output tokens) of a schema generation, for dry runs."""
    found = skeletons(meta)
    return (len(found), sum(estimate_tokens(messages(s)) for s in found),
            len(found) * MAX_TOKENS // 2)


async def phrase_all(client: Any, meta: DatasetMeta, rejected: list[dict] | None = None
                     ) -> list[Phrased]:
    """Ask the model to word each skeleton; the template stands in where the wording fails."""
    out: list[Phrased] = []
    taken: set[str] = set()
    for skeleton in skeletons(meta, rejected):
        same = [r for r in rejected or () if r["output_field"] == skeleton.output_field]
        answer = await client.complete(messages(skeleton, same), None,
                                       max_tokens=MAX_TOKENS, stop=["\n"])
        text = clean(answer.text)
        why = problem(text, skeleton, meta, taken)
        if not why and answer.finish_reason == "length":
            why = f"cut off at {MAX_TOKENS} tokens"
        if not why and any(words(text) == words(_stem_of(r)) for r in same):
            why = "the same wording a reviewer rejected"
        instruction = text if not why else _fallback(skeleton, same)
        taken.add(" ".join(words(instruction)))
        out.append(Phrased(skeleton, instruction, answer.text, why, answer))
    return out


def _stem_of(rejected: dict) -> str:
    """A rejected instruction without the label list the checks appended to it."""
    return rejected["instruction"].split(" Answers must be one of ")[0]


def _fallback(skeleton: Skeleton, rejected: list[dict]) -> str:
    """The template, or a plainer one when a reviewer rejected the template itself."""
    if not any(words(_stem_of(r)) == words(skeleton.template)
               or words(skeleton.template)[:6] == words(_stem_of(r))[:6] for r in rejected):
        return skeleton.template
    inputs = " and ".join(skeleton.input_fields)
    return f"Given the {inputs}, write the {skeleton.output_field}."


async def schema_proposals(client: Any, meta: DatasetMeta, rejected: list[dict],
                           existing: set[str], settings: Any, model: str
                           ) -> tuple[list[Any], dict[str, Any]]:
    """The proposals of one schema generation (validated like any answer; a template stand-in
    carries the note `template_instruction`) and its generation record."""
    started = time.time()
    phrased = await phrase_all(client, meta, rejected)
    checked = validate_tasks([p.skeleton.item(p.instruction) for p in phrased], meta, existing)
    props: list[Any] = []
    info: dict[str, Any] = {"model": model, "variant": "schema",
                            "prompt_version": PROMPT_VERSION["schema"], "tokens_in": 0,
                            "tokens_out": 0, "cost_usd": 0.0, "priced": True, "seconds": 0.0,
                            "mode": "text", "calls": len(phrased), "feedback": len(rejected),
                            "worded": sum(not p.problem for p in phrased)}
    for p, item in zip(phrased, checked):
        if p.problem:
            item.verdicts.append(Verdict("template_instruction", True,
                                         f"the model's wording was not used: {p.problem}",
                                         "warning"))
        a = p.answer
        cost, priced = cost_usd(a.model, a.tokens_in, a.tokens_out, settings.llm.prices)
        props += build_proposals(meta, "schema", a, [item], settings.llm.temperature, cost,
                                 started, existing, cut_matters=not p.problem)
        info["model"] = a.model or model
        info["tokens_in"] += a.tokens_in
        info["tokens_out"] += a.tokens_out
        info["cost_usd"] += cost
        info["priced"] = info["priced"] and priced
        info["seconds"] += a.seconds
    info["proposals"] = [p.id for p in props]
    return props, info
