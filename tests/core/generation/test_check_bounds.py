"""The cheap bound that spares difflib (`within`): never below difflib's ratio(), else a
demonstration copy could slip through the checks unseen."""

from __future__ import annotations

from difflib import SequenceMatcher

from hypothesis import example, given, settings
from hypothesis import strategies as st

from dynotui.core.generation.checks import within

TEXT = st.text(alphabet="abcde fgh", max_size=60)
WORDS = st.lists(st.sampled_from("the a review summary write of title x y".split()), max_size=25)


@settings(max_examples=300, deadline=None)
@given(st.one_of(st.tuples(TEXT, TEXT), st.tuples(WORDS, WORDS)),
       st.sampled_from([0.5, 0.6, 0.75, 0.9]))
# exactly at the ratio: rapidfuzz's own cutoff dropped these (found by this test in CI)
@example((["the"] * 5, ["the", "the", "the", "a", "a"]), 0.6)
@example(("aaaaa", "aaabb"), 0.6)
def test_within_never_rules_out_a_pair_difflib_finds_close(pair, ratio):
    seq, other = pair
    if SequenceMatcher(None, seq, other, autojunk=False).ratio() >= ratio:
        assert within(seq, [other], ratio) == [0]


def test_within_names_the_close_choices_and_counts_words_as_items():
    assert within("summarise this article", ["translate to french", "summarize this article",
                                             "summarize the article"], 0.75) == [1, 2]
    assert within("write a title".split(), [tuple("write a short title".split())], 0.8) == [0]
    assert within("write a title".split(), [tuple("a title write".split())], 0.8) == []  # 4/6
