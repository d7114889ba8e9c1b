"""Every error the engine reports to a rule author is a phrase: a message id marked with
gettext_noop (so makemessages extracts it) and its parameters apart, whose English is the
message itself. The Chinese for each is checked in tests/measures/test_rule_error_chinese.py."""

from __future__ import annotations

import json

from tests.rules.broken import corpus, failing_example_phrases, marked_msgids, msgids
from zhibiao.rules.errors import ERROR_KINDS
from zhibiao.rules.words import render


def test_the_corpus_meets_every_kind_of_authoring_error():
    found = {error.kind for _kind, _what, errors in corpus() for error in errors}
    assert found == set(ERROR_KINDS) - {"fact"}  # "fact": data handed to the engine, not rules


def test_each_broken_rule_gives_the_kind_of_error_it_was_written_for():
    for kind, what, errors in corpus():
        assert errors, what
        assert kind in {e.kind for e in errors}, (what, [e.message for e in errors])


def test_every_error_is_a_marked_phrase_whose_english_is_the_message():
    marked = marked_msgids()
    for _kind, what, errors in corpus():
        for error in errors:
            assert error.phrase is not None, error
            data = json.loads(json.dumps(error.to_dict()))
            assert render(data["phrase"]) == error.message, what
            unmarked = msgids(data["phrase"]) - marked
            assert unmarked == set(), (what, error.message)
            assert "%(" not in error.message  # every parameter was given


def test_a_failing_example_says_why_as_a_marked_phrase():
    marked = marked_msgids()
    phrases = failing_example_phrases()
    assert [str(p) for p in phrases] == [
        "entitled: expected no, got yes",
        "amount: expected 5 yuan, got 1,000 yuan",
    ]
    for phrase in phrases:
        assert msgids(phrase.to_dict()) <= marked


def test_names_and_code_stay_parameters_not_part_of_the_message_id():
    """An author's misspelt name is a parameter: the message id stays one the translator has."""
    [(_k, _w, [error])] = [c for c in corpus() if c[1] == "tax_payed > 0"]
    assert error.phrase is not None
    assert error.phrase.msgid == "unknown fact '%(name)s'; did you mean '%(close)s'?"
    assert error.phrase.params == {"name": "tax_payed", "close": "tax_paid_district"}
