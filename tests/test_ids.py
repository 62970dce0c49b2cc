"""Ids are checked before a request is built: a bad one raises ValueError and sends nothing."""

from __future__ import annotations

import pytest

from fastly_tokens._ids import check_id, is_valid_id

from .support.inputs import BAD_IDS


@pytest.mark.parametrize("bad", BAD_IDS)
def test_bad_id_raises_value_error_naming_the_parameter(bad: str) -> None:
    with pytest.raises(ValueError, match="token_id"):
        check_id(bad, "token_id")
    assert not is_valid_id(bad)


@pytest.mark.parametrize("good", ["5Yo3XXnrQpjc20u0ybrf2g", "a", "A1", "x" * 64])
def test_good_id_passes_through(good: str) -> None:
    assert check_id(good, "token_id") == good


def test_non_string_id_is_a_type_error() -> None:
    with pytest.raises(TypeError, match="customer_id"):
        check_id(12345, "customer_id")


@pytest.mark.parametrize("word", ["self", "SELF", "Self"])
def test_the_path_word_self_is_not_an_id(word: str) -> None:
    # DELETE /tokens/self revokes the caller's own token: "revoke this id" must never mean that.
    with pytest.raises(ValueError, match="revoke_token_current"):
        check_id(word, "token_id")
    assert not is_valid_id(word)


def test_a_long_bad_value_is_not_echoed() -> None:
    key_like = "k3y-that-was-pasted-by-mistake_0123"  # a secret in the wrong place
    with pytest.raises(ValueError, match="35-character string") as info:
        check_id(key_like, "token_id")
    assert key_like not in str(info.value)
