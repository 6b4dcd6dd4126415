"""Industry from everyday words: suggestions from the hand-written table and JSIC names and examples."""

from __future__ import annotations

import pytest

from rules.industry import is_known_code
from web.site.industries import EVERYDAY, clear_choice, suggest


def codes(query: str) -> list[str]:
    return [c.code for c in suggest(query)]


def test_a_bakery_is_offered_as_both_retail_and_manufacturing_with_plain_hints() -> None:
    choices = suggest("パン屋")
    assert [c.code for c in choices[:2]] == ["I5863", "E0971"]
    assert choices[0].hint == "店でパンを焼いて、その店で売っている"
    assert clear_choice("パン屋") is None  # unclear: the owner is asked which


@pytest.mark.parametrize(("words", "code"), [("パン", "I5863"), ("ぱん屋", None), ("民宿", "M7521"), ("ラーメン", "M7624"),
                                             ("ガソリンスタンド", "I6051"), ("ソフト開発", "G3911"), ("ＩＴ", "G3911")])
def test_names_and_examples_are_searched_whatever_the_width_or_spacing(words: str, code: str | None) -> None:
    found = codes(words)
    assert (code in found) if code else True


@pytest.mark.parametrize(("words", "code"), [("税理士", "L7242"), ("ガソリンスタンド", "I6051"), ("美容室", "N7831")])
def test_words_with_one_meaning_are_taken_as_they_are(words: str, code: str) -> None:
    only = clear_choice(words)
    assert only is not None and only.code == code


def test_every_everyday_word_points_at_a_real_code() -> None:
    assert all(is_known_code(code) for rows in EVERYDAY.values() for code, _ in rows)


def test_nothing_is_suggested_for_markup_or_empty_words() -> None:
    assert suggest("<script>") == [] and suggest("   ") == []
    assert len(suggest("業")) <= 8
