"""The USCC check of GB 32100-2015, with the test vectors of DOMAIN.md."""

import random

import pytest
from hypothesis import given
from hypothesis import strategies as st

from zhibiao.directory import uscc


@pytest.mark.parametrize("code", ["91350100M000100Y43", "91440300708461136T"])
def test_valid_vectors(code):
    assert uscc.validate(code) == code


def test_normalises_case_blanks_and_full_width():
    assert uscc.validate(" 91350100m000100y43 ") == "91350100M000100Y43"
    assert uscc.validate("９１３５０１００Ｍ０００１００Ｙ４３") == "91350100M000100Y43"


@pytest.mark.parametrize(
    ("code", "kind", "fragment"),
    [
        ("91350100M000100Y44", "checksum", "“3”"),
        ("91350100M000100I43", "alphabet", "Character 16, “I”"),
        ("91350100M000100Y4", "length", "this one has 17"),
        ("91350100M000100Y433", "length", "this one has 19"),
        ("", "length", "this one has 0"),
    ],
)
def test_invalid_vectors_say_which_rule(code, kind, fragment):
    with pytest.raises(uscc.USCCError) as caught:
        uscc.validate(code)
    assert caught.value.code == kind
    assert fragment in str(caught.value)


@given(st.integers(min_value=0, max_value=2**32))
def test_generated_codes_are_valid_and_local(seed):
    code = uscc.generate(random.Random(seed))
    assert uscc.is_valid(code)
    assert code[2:8] == uscc.FENGXIAN_DIVISION


@given(
    st.integers(min_value=0, max_value=2**32),
    st.integers(min_value=0, max_value=16),
    st.sampled_from(uscc.ALPHABET),
)
def test_any_single_character_change_is_caught(seed, position, replacement):
    """The check character catches every single-character typo (31 is prime)."""
    code = uscc.generate(random.Random(seed))
    if code[position] == replacement:
        return
    mistyped = code[:position] + replacement + code[position + 1 :]
    assert not uscc.is_valid(mistyped)
