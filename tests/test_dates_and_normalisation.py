"""Property tests of the scalar normalisation every reader relies on: dates in both source formats, whole
numbers, nil values, one-or-many lists, text extraction, and the wire models' scalar types built on them."""

from __future__ import annotations

import datetime as dt
import re
from typing import Any

import pytest
from hypothesis import assume, given
from hypothesis import strategies as st
from pydantic import TypeAdapter, ValidationError

from kg.sources import wire
from kg.sources.values import (
    is_nil,
    one_or_many,
    parse_date,
    parse_date_general,
    parse_int,
    parse_int_general,
    text_of,
)

dates = st.dates(min_value=dt.date(1000, 1, 1), max_value=dt.date(9999, 12, 31))
blank = st.text(alphabet=" \t\r\n", max_size=4)
nil_objects = st.fixed_dictionaries(
    {"@xsi:nil": st.sampled_from(["true", True])},
    optional={
        "@xmlns:xsi": st.just("http://www.w3.org/2001/XMLSchema-instance"),
        "@xmlns": st.just("http://schemas.assemblee-nationale.fr/referentiel"),
    },
)
nils = st.none() | blank | nil_objects
scalars = st.booleans() | st.integers() | st.text(min_size=1).filter(lambda s: not s.isspace())
json_values = st.recursive(
    st.none() | scalars | nil_objects,
    lambda children: (
        st.lists(children, max_size=4) | st.dictionaries(st.text(max_size=5), children, max_size=3)
    ),
    max_leaves=10,
)


# ------------------------------------------------------------------ dates


@given(dates)
def test_iso_dates_round_trip(day: dt.date) -> None:
    assert parse_date(day.isoformat()) == day


@given(dates)
def test_french_dates_round_trip(day: dt.date) -> None:
    assert parse_date(f"{day.day:02d}/{day.month:02d}/{day.year:04d}") == day


@given(dates, st.sampled_from(["T00:00:00", "T12:30:00.000", "T23:59:59+02:00", "T08:00:00Z", " 10:00:00"]))
def test_iso_dates_with_a_time_keep_the_day(day: dt.date, suffix: str) -> None:
    assert parse_date(day.isoformat() + suffix) == day


@given(dates, blank, blank)
def test_surrounding_whitespace_is_ignored(day: dt.date, before: str, after: str) -> None:
    assert parse_date(before + day.isoformat() + after) == day


@given(st.integers(1000, 9999), st.integers(0, 99), st.integers(0, 99))
def test_impossible_days_raise_value_error(year: int, month: int, day: int) -> None:
    try:
        dt.date(year, month, day)
    except ValueError:
        pass
    else:
        assume(False)  # only impossible dates here
    for written in (f"{year:04d}-{month:02d}-{day:02d}", f"{day:02d}/{month:02d}/{year:04d}"):
        with pytest.raises(ValueError, match="impossible date"):
            parse_date(written)


@given(st.text(max_size=20))
def test_anything_else_raises_value_error(text: str) -> None:
    shaped = re.search(r"\d{4}-\d{2}-\d{2}|\d{2}/\d{2}/\d{4}", text)
    try:
        parse_date(text)
    except ValueError as exc:
        assert repr(text) in str(exc)
    else:
        assert shaped is not None  # only something shaped like a date can be parsed


@pytest.mark.parametrize(
    "written", ["2021-7-27", "27/7/2021", "27-07-2021", "2021/07/27", "27 juillet 2021", "20210727", "", "  "]
)
def test_other_formats_are_refused(written: str) -> None:
    with pytest.raises(ValueError, match="unknown date format"):
        parse_date(written)


# The fast path of parse_date (ten ASCII characters, read by slicing) against the general one (regular
# expressions): the same day, or the same error, for every form — the plain ones, their impossible days and
# near misses, other scripts' digits, white space, times — and for anything else.
def _outcome(parse: Any, text: str) -> tuple[str, Any]:
    try:
        return ("value", parse(text, field="dateJO"))
    except ValueError as exc:
        return ("error", str(exc))


digit = st.sampled_from("0123456789")
any_digit = digit | st.sampled_from("٠٣٩۵७੦๓０𝟗")  # other scripts' digits (\d matches them)
near = digit | st.sampled_from("-/ +.:Tabx\n\u00a0")
shaped_dates = st.one_of(
    st.builds(
        lambda y, m, d: f"{y}-{m}-{d}", *(st.text(any_digit, min_size=n, max_size=n) for n in (4, 2, 2))
    ),
    st.builds(
        lambda d, m, y: f"{d}/{m}/{y}", *(st.text(any_digit, min_size=n, max_size=n) for n in (2, 2, 4))
    ),
    st.text(near, min_size=10, max_size=10),
    st.text(min_size=10, max_size=10),
)


@given(
    shaped_dates
    | st.text(max_size=20)
    | st.builds(str.__add__, shaped_dates, st.sampled_from([" ", "T10:00", "Z"]))
)
def test_fast_and_general_date_paths_agree(text: str) -> None:
    assert _outcome(parse_date, text) == _outcome(parse_date_general, text)


@pytest.mark.parametrize(
    "written",
    [
        "2021-07-27",
        "27/07/2021",
        "2020-02-29",
        "29/02/2020",
        "0001-01-01",
        "9999-12-31",
        "2021-02-29",  # impossible days: the same message from both paths
        "31/04/2021",
        "0000-01-01",
        "2021-13-01",
        "2021-00-10",
        "00/01/2021",
        "2021-07-2a",  # near misses: refused by both
        "2021/07/27",
        "27-07-2021",
        "+021-07-27",
        "2021-7-271",
        "٢٠٢١-٠٧-٢٧",  # ten characters, not ASCII: the general path reads other scripts' digits
        " 2021-07-27",
        "2021-07-27\n",
        "2021-07-27T08:00:00Z",
    ],
)
def test_fast_and_general_date_paths_agree_on_known_forms(written: str) -> None:
    assert _outcome(parse_date, written) == _outcome(parse_date_general, written)


# ------------------------------------------------------------------ whole numbers


@given(
    st.text(st.sampled_from("0123456789 +-\t"), max_size=12) | st.text(max_size=8) | st.integers().map(str)
)
def test_fast_and_general_whole_number_paths_agree(text: str) -> None:
    assert _outcome(parse_int, text) == _outcome(parse_int_general, text)


@given(st.integers(-(10**12), 10**12), blank, blank)
def test_whole_numbers_round_trip(number: int, before: str, after: str) -> None:
    assert parse_int(before + str(number) + after) == number


@given(st.text(max_size=10))
def test_non_numbers_raise_value_error(text: str) -> None:
    assume(not re.fullmatch(r"\s*[+-]?\d+\s*", text, flags=re.ASCII))
    with pytest.raises(ValueError):
        parse_int(text)


# ------------------------------------------------------------------ nil, one-or-many, text


@given(nils)
def test_nil_values(value: Any) -> None:
    assert is_nil(value)
    assert one_or_many(value) == []
    assert text_of(value) is None


@given(st.dictionaries(st.text(max_size=5), st.text(max_size=5), min_size=1))
def test_objects_with_content_are_not_nil(value: dict[str, str]) -> None:
    assume("@xsi:nil" not in value)
    assert not is_nil(value)
    assert not is_nil({**value, "@xsi:nil": "true"}) or set(value) <= {"@xmlns:xsi", "@xmlns", "@xsi:type"}


@given(json_values)
def test_one_or_many_always_gives_a_list_without_nils(value: Any) -> None:
    result = one_or_many(value)
    assert isinstance(result, list)
    assert not any(is_nil(item) for item in result)
    if isinstance(value, list):
        assert result == [item for item in value if not is_nil(item)]
    elif not is_nil(value):
        assert result == [value]
    assert one_or_many(result) == result  # idempotent


@given(json_values)
def test_one_element_list_and_bare_object_are_the_same(value: Any) -> None:
    assume(not isinstance(value, list))
    assert one_or_many([value]) == one_or_many(value)


@given(st.text(min_size=1).filter(lambda s: not s.isspace()))
def test_text_of_strings_and_text_nodes(text: str) -> None:
    assert text_of(text) == text
    assert text_of({"#text": text}) == text
    assert text_of({"#text": text, "@lang": "fr"}) == text


@given(st.integers() | st.booleans())
def test_text_of_numbers_and_booleans(value: int | bool) -> None:
    expected = ("true" if value else "false") if isinstance(value, bool) else str(value)
    assert text_of(value) == expected


# ------------------------------------------------------------------ the wire models' scalar types

TEXT: TypeAdapter[str | None] = TypeAdapter(wire.Text)
INT: TypeAdapter[int | None] = TypeAdapter(wire.Int)
DATE: TypeAdapter[dt.date | None] = TypeAdapter(wire.Date)


@given(st.text(min_size=1).filter(lambda s: not s.isspace()))
def test_wire_text_is_kept_exactly_whatever_its_wrapping(text: str) -> None:
    assert TEXT.validate_python(text) == text
    assert TEXT.validate_python({"#text": text}) == text


@given(nils)
def test_wire_scalars_of_nil_are_none(value: Any) -> None:
    assert TEXT.validate_python(value) is None
    assert INT.validate_python(value) is None
    assert DATE.validate_python(value) is None


@given(st.integers(0, 10**9))
def test_wire_numbers_as_strings_or_numbers(number: int) -> None:
    assert (
        INT.validate_python(str(number))
        == INT.validate_python(number)
        == INT.validate_python({"#text": str(number)})
    )


@given(dates)
def test_wire_dates_in_both_formats(day: dt.date) -> None:
    assert DATE.validate_python(day.isoformat()) == DATE.validate_python(day.strftime("%d/%m/%Y")) == day


@given(
    st.lists(st.text(max_size=3), min_size=2, max_size=3)
    | st.dictionaries(st.sampled_from("ab"), st.text(), min_size=1)
)
def test_wire_text_refuses_lists_and_objects(value: Any) -> None:
    with pytest.raises(ValidationError):
        TEXT.validate_python(value)
