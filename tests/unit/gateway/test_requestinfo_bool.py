"""Boolean query parameters, as runtime's Convert_Slice_string_To_bool reads them."""

from __future__ import annotations

import pytest

from gateway.requestinfo import query_bool


@pytest.mark.parametrize("value", ["true", "True", "1", "yes", "t", ""])
def test_anything_but_zero_or_false_is_true(value):
    assert query_bool(value) is True


@pytest.mark.parametrize("value", ["false", "FALSE", "False", "0"])
def test_zero_and_false_are_false(value):
    assert query_bool(value) is False
