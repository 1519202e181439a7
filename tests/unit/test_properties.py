"""Properties, checked with hypothesis: username canonicalization and count parsing.

``canonical_username`` decides cache keys and what reaches the dashboard, so
it must be idempotent, give every equivalent spelling one key and refuse what
no MediaWiki account can be called. ``parse_count`` must read back whatever
Rails' ``number_to_human`` (the stand-in's byte-identical copy) writes.
"""

from __future__ import annotations

import unicodedata

import pytest
from hypothesis import assume, example, given, settings
from hypothesis import strategies as st

from outreach_helper.errors import InvalidName
from outreach_helper.names import canonical_username
from outreach_helper.upstream.normalize import parse_count
from outreach_standin import number_to_human

FORBIDDEN = "/#<>[]|{}"
# docs/api.md, "Errors": a username over 255 bytes of UTF-8 cannot exist.
MAX_USERNAME_BYTES = 255
# Every Cc character (C0, DEL, C1), and U+FFFD, which only a decoding error produces.
CONTROLS = [chr(c) for c in (*range(0x20), *range(0x7F, 0xA0))] + ["\ufffd"]
# Zero-width characters and bidirectional marks and embeddings (UserNameUtils::isValid
# refuses them; MediaWikiTitleCodec strips U+200E, U+200F, U+202A-U+202E from titles).
INVISIBLE = [chr(c) for c in (*range(0x200B, 0x2010), *range(0x202A, 0x202F))]
SETTINGS = settings(max_examples=200, deadline=None, derandomize=True, database=None)

# Name characters: anything printable but separators (spaces are added on purpose
# below), underscores, the forbidden set, controls, surrogates and U+FFFD.
name_chars = st.characters(
    codec="utf-8",
    exclude_categories=("Cc", "Cs", "Co", "Cn", "Zs", "Zl", "Zp"),
    exclude_characters=FORBIDDEN + "_\ufffd",
)
words = st.text(name_chars, min_size=1, max_size=12)
raw_names = st.lists(words, min_size=1, max_size=4).map(" ".join)
separators = st.text(" _", min_size=1, max_size=3)
padding = st.text(" _", max_size=3)


def canonical_or_none(raw: str) -> str | None:
    try:
        return canonical_username(raw)
    except InvalidName:
        return None


def accepted(raw: str) -> str:
    """The canonical form of ``raw``; examples it rejects are not about this property."""
    name = canonical_or_none(raw)
    assume(name is not None)
    assert name is not None
    return name


# ---- canonicalization: idempotent, one key per user ------------------------------------


@SETTINGS
@given(raw=st.one_of(raw_names, st.text(max_size=40)))
def test_canonicalization_is_idempotent(raw):
    name = accepted(raw)
    assert canonical_username(name) == name


@SETTINGS
@given(
    words=st.lists(words, min_size=1, max_size=4),
    seps=st.lists(separators, min_size=3, max_size=3),
    lead=padding,
    trail=padding,
)
def test_spaces_underscores_and_padding_do_not_change_the_key(words, seps, lead, trail):
    plain = accepted(" ".join(words))
    spelled = lead + "".join(w + seps[i % 3] for i, w in enumerate(words[:-1])) + words[-1] + trail
    assert canonical_username(spelled) == plain


@SETTINGS
@given(raw=raw_names)
def test_decomposed_and_composed_spellings_are_one_key(raw):
    nfc = accepted(unicodedata.normalize("NFC", raw))
    assert canonical_username(unicodedata.normalize("NFD", raw)) == nfc


@SETTINGS
@given(raw=raw_names)
def test_a_lower_case_first_letter_is_the_same_user(raw):
    name = accepted(raw)
    first = name[0]
    lower = first.lower()
    # Only where case maps one letter to one letter both ways, and the lower-case
    # spelling still starts with that letter after NFC ("w" + ring composes to
    # U+1E98, whose upper case is two letters: MediaWiki keeps such letters).
    spelled = lower + name[1:]
    assume(len(lower) == 1 and lower.upper() == first)
    assume(unicodedata.normalize("NFC", spelled)[0] == lower)
    assert canonical_username(spelled) == name


# Found by hypothesis: upper-casing the first letter after NFC could denormalize
# (dotless i U+0131 + U+0301 became "I" + U+0301): two cache keys and two upstream spellings.
@pytest.mark.parametrize("raw", ["\u0131\u0301a", "i\u0307a"])
def test_canonical_names_are_nfc(raw):
    name = canonical_username(raw)
    assert unicodedata.is_normalized("NFC", name), ascii(name)
    assert canonical_username(name) == name


# ---- canonicalization: what is refused ---------------------------------------------------


@SETTINGS
@given(
    raw=raw_names,
    # A forbidden character is followed by a plain letter, so NFC cannot fold it
    # into a composite ("<" + U+0338).
    bad=st.one_of(
        st.sampled_from(FORBIDDEN).map(lambda c: c + "x"),
        st.sampled_from(CONTROLS),
        st.sampled_from(INVISIBLE),
        st.just("~~~"),
    ),
    at=st.integers(min_value=0),
)
def test_forbidden_control_and_invisible_characters_are_refused(raw, bad, at):
    at %= len(raw) + 1
    with pytest.raises(InvalidName):
        canonical_username(raw[:at] + bad + raw[at:])


@SETTINGS
@given(word=words)
def test_names_over_255_bytes_after_canonicalization_are_refused(word):
    size = len(unicodedata.normalize("NFC", word).encode())
    raw = word * (MAX_USERNAME_BYTES // size + 1)
    assume(len(unicodedata.normalize("NFC", raw).encode()) > MAX_USERNAME_BYTES)
    with pytest.raises(InvalidName):
        canonical_username(raw)


@SETTINGS
@given(address=st.ip_addresses())
def test_ip_addresses_are_refused(address):
    with pytest.raises(InvalidName):
        canonical_username(str(address))


@SETTINGS
@given(
    raw=st.one_of(
        raw_names, st.text(max_size=300), st.text(FORBIDDEN + "ab _.~\x00\u200e", max_size=8)
    )
)
@example("a<\u0338b")  # NFC folds "<" + U+0338 into U+226E, which MediaWiki allows
def test_accepted_names_are_clean_and_short(raw):
    name = accepted(raw)
    assert set(name) & set(FORBIDDEN + "".join(INVISIBLE)) == set()
    assert not any(unicodedata.category(ch) == "Cc" for ch in name), "a control character"
    assert len(name.encode()) <= MAX_USERNAME_BYTES, f"{len(name.encode())} bytes"
    assert name == name.strip(), "space at an end"
    assert "  " not in name, "a run of spaces"
    assert "_" not in name, "an underscore"
    assert "~~~" not in name, "a signature"
    assert name not in (".", ".."), "a dot name"


# ---- number_to_human round trips -----------------------------------------------------------

counts = st.integers(min_value=0, max_value=10**15)


def read_back(n: int) -> int:
    text = number_to_human(n)
    parsed = parse_count(text)
    if parsed is None:
        raise AssertionError(f"parse_count could not read {text!r} (from {n})")
    return parsed


@SETTINGS
@given(n=counts)
@example(999)
@example(999_999)  # "1M", not "1000K"
@example(1005)  # the worst relative rounding: 1.01K
@example(10**15)
def test_number_to_human_reads_back_within_three_significant_digits(n):
    tolerance = 0 if n < 1000 else n * 0.005
    assert abs(read_back(n) - n) <= tolerance


@SETTINGS
@given(n=counts, m=counts)
def test_number_to_human_reads_back_monotone(n, m):
    low, high = sorted((n, m))
    assert read_back(low) <= read_back(high)
