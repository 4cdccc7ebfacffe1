from datetime import date

import pytest
from hypothesis import given
from hypothesis import strategies as st

from gongzhi.lib import points as lib

SECRET = b"k" * 32


@pytest.mark.parametrize(
    ("value", "code"),
    [
        (-1, "amount.not_positive"),
        (0, "amount.not_positive"),
        (1.5, "amount.fractional"),
        ("2.50", "amount.fractional"),
        ("abc", "amount.invalid"),
        (True, "amount.invalid"),
        (None, "amount.invalid"),
        (float("nan"), "amount.invalid"),
        (10**10, "amount.too_large"),
    ],
)
def test_parse_amount__refuses_what_is_not_a_positive_whole_number(value, code):
    with pytest.raises(lib.AmountError) as exc:
        lib.parse_amount(value)
    assert exc.value.code == code


@pytest.mark.parametrize(("value", "expected"), [(7, 7), ("12", 12), (3.0, 3), (" 5 ", 5), ("1e2", 100)])
def test_parse_amount__accepts_whole_numbers_in_any_spelling(value, expected):
    assert lib.parse_amount(value) == expected


@given(st.text(min_size=1, max_size=40), st.integers(1, 64))
def test_probe_order__visits_every_shard_once_starting_at_home(key, shards):
    order = lib.probe_order(key, shards)
    assert sorted(order) == list(range(shards)) and order[0] == lib.shard_for(key, shards)


@given(st.integers(0, 10**9), st.integers(1, 64))
def test_split_evenly__adds_up_and_differs_by_at_most_one(total, parts):
    shares = lib.split_evenly(total, parts)
    assert sum(shares) == total and max(shares) - min(shares) <= 1


@given(
    st.lists(st.tuples(st.integers(-1000, 0), st.integers(0, 1000)), min_size=1, max_size=16),
    st.data(),
)
def test_pooled_floors__keep_the_allotment_and_give_the_target_what_it_needs(shards, data):
    balances = [b for b, _ in shards]
    floors = [b - h for b, h in shards]  # headroom h >= 0 on every shard
    target = data.draw(st.integers(0, len(shards) - 1))
    needed = data.draw(st.integers(0, 3000))
    pooled = lib.pooled_floors(balances, floors, target, needed)
    if sum(h for _, h in shards) < needed:
        assert pooled is None
    else:
        assert sum(pooled) == sum(floors)
        assert balances[target] - pooled[target] >= needed
        assert all(b >= f for b, f in zip(balances, pooled, strict=True))


def test_pay_code__is_18_digits_and_detects_any_single_typo():
    code = lib.make_pay_code(SECRET)
    assert len(code) == 18 and code.isdigit() and lib.pay_code_is_genuine(SECRET, code)
    for i in range(2, 18):
        typo = code[:i] + str((int(code[i]) + 1) % 10) + code[i + 1 :]
        assert not lib.pay_code_is_genuine(SECRET, typo)
    assert not lib.pay_code_is_genuine(b"x" * 32, code)
    assert lib.normalize_pay_code(f"{code[:4]} {code[4:8]}-{code[8:]}") == code


def test_body_fingerprint__ignores_key_order():
    assert lib.body_fingerprint({"a": 1, "b": [1, 2]}) == lib.body_fingerprint({"b": [1, 2], "a": 1})
    assert lib.body_fingerprint({"a": 1}) != lib.body_fingerprint({"a": 2})


def test_expiry_cutoff__is_the_age_before_the_next_new_year():
    assert lib.expiry_cutoff(2026, 24) == date(2025, 1, 1)
    assert lib.expiry_cutoff(2026, 18) == date(2025, 7, 1)
    assert lib.months_before(date(2024, 3, 31), 1) == date(2024, 2, 29)


def test_expirable__spending_uses_the_oldest_points_first():
    assert lib.expirable(100, 30) == 70
    assert lib.expirable(100, 130) == 0
