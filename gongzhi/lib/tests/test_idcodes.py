"""Tests for gongzhi.lib.idcodes: ID card, USCC, mobile numbers and masking."""

from __future__ import annotations

import datetime as dt

import pytest
from hypothesis import given
from hypothesis import strategies as st

from gongzhi.lib.idcodes import (
    ERROR_MESSAGES,
    USCC_ALPHABET,
    IdCodeError,
    id_card_check_digit,
    is_valid_id_card,
    is_valid_mobile,
    is_valid_uscc,
    make_id_card,
    make_uscc,
    mask_id_card,
    mask_mobile,
    mask_name,
    normalize_mobile,
    parse_id_card,
    parse_uscc,
    uscc_check_char,
)

TODAY = dt.date(2025, 6, 1)


def error_code(func, *args, **kwargs) -> str:
    with pytest.raises(IdCodeError) as info:
        func(*args, **kwargs)
    return info.value.code


# -- ID card (GB 11643-1999) ------------------------------------------------------------------

# The worked example printed in GB 11643-1999 itself, and numbers computed by hand from the
# formula for Jianyang (510185, and the older 512081 still on residents' cards) and Weibin (610302).
VALID_ID_CARDS = [
    ("11010519491231002X", "110105", dt.date(1949, 12, 31), "F"),
    ("510185199001011239", "510185", dt.date(1990, 1, 1), "M"),
    ("512081198506150425", "512081", dt.date(1985, 6, 15), "F"),
    ("610302201503080078", "610302", dt.date(2015, 3, 8), "M"),
]


@pytest.mark.parametrize(("number", "area", "birth", "sex"), VALID_ID_CARDS)
def test_parse_id_card__accepts_valid_numbers_and_reads_their_fields(number, area, birth, sex):
    card = parse_id_card(number, today=TODAY)
    assert (card.number, card.area_code, card.birth_date, card.sex) == (number, area, birth, sex)
    assert card.check_digit == number[-1]
    assert card.sequence == number[14:17]
    assert is_valid_id_card(number, today=TODAY)


def test_parse_id_card__normalises_whitespace_lower_x_and_full_width():
    assert parse_id_card("  11010519491231002x\n").number == "11010519491231002X"
    assert parse_id_card("５１０１８５１９９００１０１１２３９").number == "510185199001011239"


def test_id_card_check_digit__computes_the_standard_example():
    # GB 11643-1999: Σ dᵢ·wᵢ for 11010519491231002 is 167, 167 mod 11 = 2 -> "X"
    assert id_card_check_digit("11010519491231002") == "X"
    with pytest.raises(ValueError):
        id_card_check_digit("1101051949123100")


@pytest.mark.parametrize(
    ("value", "code"),
    [
        ("", "id_card.length"),
        ("11010519491231002", "id_card.length"),
        ("11010519491231002X1", "id_card.length"),
        ("110105194912310", "id_card.length"),  # first-generation 15-digit numbers are refused
        ("1101051949123100X2", "id_card.format"),  # X only as the check character
        ("11010519491231002Y", "id_card.format"),
        ("11010519491231 02X", "id_card.format"),
        ("110105199002300016", "id_card.birth_date"),  # 30 February
        ("110105199013010016", "id_card.birth_date"),  # month 13
        ("440524188001010014", "id_card.birth_date"),  # GB 11643's own example, born before 1900
        ("110105203001010014", "id_card.birth_date"),  # in the future
        ("110105194912310021", "id_card.checksum"),
        (None, "id_card.format"),
    ],
)
def test_parse_id_card__refuses_bad_input_with_a_stable_code(value, code):
    assert error_code(parse_id_card, value, today=TODAY) == code
    assert not is_valid_id_card(value, today=TODAY)


def test_parse_id_card__birth_date_today_is_accepted_tomorrow_is_not():
    number = make_id_card("510185", TODAY, 1)
    assert parse_id_card(number, today=TODAY).birth_date == TODAY
    assert error_code(parse_id_card, number, today=TODAY - dt.timedelta(days=1)) == "id_card.birth_date"


def test_id_card__repr_never_shows_the_full_number():
    card = parse_id_card("510185199001011239")
    assert "199001011" not in repr(card)
    assert "5101**********1239" in repr(card)


def test_id_card__age_on_counts_completed_years():
    card = parse_id_card("610302201503080078")
    assert card.age_on(dt.date(2025, 3, 7)) == 9
    assert card.age_on(dt.date(2025, 3, 8)) == 10


def test_make_id_card__odd_sequence_is_male_even_is_female():
    assert parse_id_card(make_id_card("510185", dt.date(2000, 2, 29), 1)).sex == "M"
    assert parse_id_card(make_id_card("510185", dt.date(2000, 2, 29), 2)).sex == "F"


@pytest.mark.parametrize(
    ("area", "birth", "sequence"),
    [
        ("51018", dt.date(2000, 1, 1), 1),
        ("510185", dt.date(1899, 12, 31), 1),
        ("510185", dt.date(2000, 1, 1), 1000),
    ],
)
def test_make_id_card__refuses_arguments_that_cannot_make_a_valid_number(area, birth, sequence):
    with pytest.raises(ValueError):
        make_id_card(area, birth, sequence)


id_card_parts = st.tuples(
    st.from_regex(r"[1-8][0-9]{5}", fullmatch=True),
    st.dates(min_value=dt.date(1900, 1, 1), max_value=TODAY),
    st.integers(min_value=0, max_value=999),
)


@given(id_card_parts)
def test_make_id_card__round_trips_through_parse(parts):
    area, birth, sequence = parts
    card = parse_id_card(make_id_card(area, birth, sequence))
    assert (card.area_code, card.birth_date, int(card.sequence)) == (area, birth, sequence)
    assert card.sex == ("M" if sequence % 2 else "F")


@given(id_card_parts, st.integers(min_value=14, max_value=17), st.sampled_from("0123456789X"))
def test_parse_id_card__detects_any_single_character_error_after_the_birth_date(parts, pos, char):
    # ISO 7064 MOD 11-2 catches every single substitution; positions 15-18 keep the date valid.
    number = make_id_card(*parts)
    if char == number[pos] or (char == "X" and pos < 17):
        return
    mistyped = number[:pos] + char + number[pos + 1 :]
    assert error_code(parse_id_card, mistyped) == "id_card.checksum"


# -- Unified social credit code (GB 32100-2015) ----------------------------------------------

# 91350100M000100Y43 is the example printed in GB 32100-2015; the others are synthetic codes
# computed with the formula (a Jianyang social group and a Weibin enterprise).
VALID_USCCS = [
    ("91350100M000100Y43", "9", "1", "350100", "enterprise"),
    ("51510185123456788X", "5", "1", "510185", "social_group"),
    ("916103020000000199", "9", "1", "610302", "enterprise"),
]


@pytest.mark.parametrize(("code", "authority", "category", "area", "kind"), VALID_USCCS)
def test_parse_uscc__accepts_valid_codes_and_reads_their_fields(code, authority, category, area, kind):
    uscc = parse_uscc(code)
    assert (uscc.authority_code, uscc.category_code, uscc.area_code) == (authority, category, area)
    assert uscc.organization_code == code[8:17]
    assert uscc.check_char == code[17]
    assert uscc.kind == kind
    assert is_valid_uscc(code)


def test_parse_uscc__names_the_registering_authority():
    assert parse_uscc("91350100M000100Y43").authority == "industry_and_commerce"
    assert parse_uscc("51510185123456788X").authority == "civil_affairs"


def test_parse_uscc__normalises_case_whitespace_and_full_width():
    assert parse_uscc(" 91350100m000100y43 ").number == "91350100M000100Y43"
    assert parse_uscc("９１３５０１００Ｍ０００１００Ｙ４３").number == "91350100M000100Y43"


USCC_WEIGHTS = (1, 3, 9, 27, 19, 26, 16, 17, 20, 29, 25, 13, 8, 24, 10, 30, 28)  # GB 32100-2015


def weighted_sum_mod_31(body: str) -> int:
    return sum(USCC_ALPHABET.index(c) * w for c, w in zip(body, USCC_WEIGHTS, strict=True)) % 31


def test_uscc_check_char__maps_31_to_0():
    # A body whose weighted sum is 0 mod 31: the check value 31 - 0 = 31 wraps to "0".
    body = next(b for n in range(1000) if weighted_sum_mod_31(b := f"91510185{n:09d}") == 0)
    assert uscc_check_char(body) == "0"
    assert is_valid_uscc(body + "0")


@pytest.mark.parametrize(
    ("value", "code"),
    [
        ("", "uscc.length"),
        ("91350100M000100Y4", "uscc.length"),
        ("91350100M000100Y43X", "uscc.length"),
        ("91350100M000100I43", "uscc.format"),  # I, O, S, V, Z are not in the alphabet
        ("91350100M000100O43", "uscc.format"),
        ("913501A0M000100Y43", "uscc.format"),  # the area code is digits
        ("91350100M000100Y44", "uscc.checksum"),
        (12345, "uscc.format"),
    ],
)
def test_parse_uscc__refuses_bad_input_with_a_stable_code(value, code):
    assert error_code(parse_uscc, value) == code
    assert not is_valid_uscc(value)


uscc_parts = st.fixed_dictionaries(
    {
        "area_code": st.from_regex(r"[0-9]{6}", fullmatch=True),
        "sequence": st.integers(min_value=0, max_value=99_999_999),
        "authority": st.sampled_from(USCC_ALPHABET),
        "category": st.sampled_from(USCC_ALPHABET),
    }
)


@given(uscc_parts)
def test_make_uscc__round_trips_through_parse(parts):
    uscc = parse_uscc(make_uscc(**parts))
    assert (uscc.authority_code, uscc.category_code, uscc.area_code) == (
        parts["authority"],
        parts["category"],
        parts["area_code"],
    )
    assert uscc.organization_code[:8] == f"{parts['sequence']:08d}"


@given(uscc_parts, st.integers(min_value=8, max_value=17), st.sampled_from(USCC_ALPHABET))
def test_parse_uscc__detects_any_single_character_error(parts, pos, char):
    # Weights are 3^i mod 31 and 31 is prime, so every single substitution changes the sum.
    code = make_uscc(**parts)
    if char == code[pos]:
        return
    assert error_code(parse_uscc, code[:pos] + char + code[pos + 1 :]) == "uscc.checksum"


def test_make_uscc__builds_a_gb_11714_organisation_code():
    # GB 11714-1997: weights 3 7 9 10 5 8 4 2 over 00000001 give 2; 11 - 2 = 9.
    assert make_uscc(area_code="510185", sequence=1)[8:17] == "000000019"


def test_make_uscc__refuses_arguments_outside_the_standard():
    with pytest.raises(ValueError):
        make_uscc(area_code="51018A", sequence=1)
    with pytest.raises(ValueError):
        make_uscc(area_code="510185", sequence=1, authority="I")


# -- Mobile -----------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "value",
    [
        "13812341234",
        "+8613812341234",
        "8613812341234",
        "+86 138 1234 1234",
        "138-1234-1234",
        "１３８１２３４１２３４",
    ],
)
def test_normalize_mobile__returns_eleven_digits(value):
    assert normalize_mobile(value) == "13812341234"
    assert is_valid_mobile(value)


@pytest.mark.parametrize(
    "value",
    [
        "",
        "12812341234",
        "1381234123",
        "138123412345",
        "+8713812341234",
        "0086 13812341234",
        "1381234123a",
        None,
    ],
)
def test_normalize_mobile__refuses_non_mainland_mobiles(value):
    assert error_code(normalize_mobile, value) == "mobile.invalid"
    assert not is_valid_mobile(value)


def test_normalize_mobile__refuses_non_ascii_digits():
    assert not is_valid_mobile("138١٢٣٤١٢٣٤")  # Arabic-Indic digits match \d but are not a phone


# -- Errors -----------------------------------------------------------------------------------


def test_error_codes__every_code_has_an_english_message_and_is_namespaced():
    for code, message in ERROR_MESSAGES.items():
        assert code.split(".")[0] in {"id_card", "uscc", "mobile"}
        assert message.endswith(".")
    error = IdCodeError("mobile.invalid")
    assert isinstance(error, ValueError)
    assert str(error) == ERROR_MESSAGES["mobile.invalid"]


def test_error_message__never_contains_the_input():
    with pytest.raises(IdCodeError) as info:
        parse_id_card("110105194912310021")
    assert "110105" not in str(info.value)


# -- Masking ----------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("value", "masked"),
    [
        ("13812341234", "138****1234"),
        ("+86 138-1234-1234", "138****1234"),
        ("028-84561234", "028****1234"),  # a landline keeps the same shape
        ("1234567", "*******"),  # too short to hide 4 characters: all hidden
        ("", ""),
    ],
)
def test_mask_mobile(value, masked):
    assert mask_mobile(value) == masked


@pytest.mark.parametrize(
    ("value", "masked"),
    [
        ("510185199001011234", "5101**********1234"),
        ("11010519491231002x", "1101**********002X"),
        ("110105491231002", "1101*******1002"),
        ("1234567890", "**********"),
        ("", ""),
    ],
)
def test_mask_id_card(value, masked):
    assert mask_id_card(value) == masked


@pytest.mark.parametrize(
    ("value", "masked"),
    [
        ("张三", "张*"),
        ("欧阳娜娜", "欧***"),
        ("李", "*"),
        ("迪丽热巴·迪力木拉提", "迪***·*****"),
        ("John Smith", "J*** S****"),
        ("  Mary   Ann  Lee ", "M*** A** L**"),
        ("Li", "L*"),
        ("", ""),
    ],
)
def test_mask_name(value, masked):
    assert mask_name(value) == masked


def test_masking__never_raises_on_non_text():
    assert mask_mobile(None) == mask_id_card(None) == mask_name(None) == ""  # type: ignore[arg-type]
