"""GB 11643 identity numbers and GB 32100 unified social credit codes."""

from __future__ import annotations

import datetime as dt

import pytest
from hypothesis import given
from hypothesis import strategies as st

from rencai.registry.identifiers import (
    IdentifierError,
    birth_date_of,
    id_check_character,
    mask_id_number,
    uscc_check_character,
    validate_id_number,
    validate_uscc,
)


def test_standard_example_identity_number() -> None:
    # the example printed in GB 11643-1999: 11010519491231002X
    assert validate_id_number("11010519491231002x") == "11010519491231002X"
    assert birth_date_of("11010519491231002X") == dt.date(1949, 12, 31)


@pytest.mark.parametrize(
    ("number", "message"),
    [
        ("110105194912310021", "校验码"),
        ("11010519491331002X", "出生日期"),
        ("1101051949123100", "18位"),
        ("01010519491231002X", "18位"),
        ("110105209912310021", "出生日期"),
    ],
)
def test_bad_identity_numbers(number: str, message: str) -> None:
    with pytest.raises(IdentifierError, match=message):
        validate_id_number(number, today=dt.date(2026, 11, 23))


@given(
    st.dates(min_value=dt.date(1930, 1, 1), max_value=dt.date(2010, 12, 31)),
    st.integers(min_value=0, max_value=999),
)
def test_generated_numbers_validate(born: dt.date, sequence: int) -> None:
    first17 = f"130102{born:%Y%m%d}{sequence:03d}"
    number = first17 + id_check_character(first17)
    assert validate_id_number(number) == number
    wrong = first17 + ("0" if number[-1] != "0" else "1")
    with pytest.raises(IdentifierError):
        validate_id_number(wrong)


def test_masking_hides_birth_date() -> None:
    masked = mask_id_number("11010519491231002X")
    assert masked == "110105********002X"
    assert "19491231" not in masked


def test_uscc() -> None:
    first17 = "91130100MA0C" + "UQ5A1"
    code = first17 + uscc_check_character(first17)
    assert validate_uscc(code.lower()) == code
    with pytest.raises(IdentifierError, match="校验码"):
        validate_uscc(first17 + ("0" if code[-1] != "0" else "1"))
    with pytest.raises(IdentifierError, match="不允许的字符"):
        validate_uscc("91130100MA0CUQ5AI1")
    with pytest.raises(IdentifierError, match="18位"):
        validate_uscc("9113010")


def test_uscc_published_example() -> None:
    # GB 32100-2015 Appendix example: 91350100M000100Y43
    assert validate_uscc("91350100M000100Y43") == "91350100M000100Y43"
