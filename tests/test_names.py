import pytest

from outreach_helper.errors import InvalidName
from outreach_helper.names import CourseSlug, canonical_slug_part, canonical_username


@pytest.mark.parametrize("raw", ["ada_Lovelace", "Ada Lovelace", " Ada_Lovelace ", "ada  Lovelace"])
def test_equivalent_spellings_share_one_canonical_name(raw):
    assert canonical_username(raw) == "Ada Lovelace"


def test_canonical_name_upper_cases_only_the_first_letter():
    assert canonical_username("ada_lovelace") == "Ada lovelace"


def test_canonical_name_is_nfc():
    decomposed = "Zoe\u0308 A\u030astro\u0308m"
    assert canonical_username(decomposed) == "Zoë Åström"


def test_sharp_s_is_not_expanded():
    assert canonical_username("ßeta") == "ßeta"


@pytest.mark.parametrize("name", ["Kai+Lani Makoa", "Percent%Editor", "Old:Timer@Wiki", "A=B"])
def test_legacy_and_punctuated_names_are_accepted(name):
    assert canonical_username(name) == name


@pytest.mark.parametrize(
    "raw",
    [
        "",
        "   ",
        "___",
        "a/b",
        "a#b",
        "a<b",
        "a>b",
        "a[b",
        "a]b",
        "a|b",
        "a{b",
        "a}b",
        "tab\there",
        "nul\x00",
        "x" * 256,
        "é" * 128,
        "127.0.0.1",
        "2001:db8::1",
    ],
)
def test_impossible_usernames_are_rejected(raw):
    with pytest.raises(InvalidName):
        canonical_username(raw)


def test_longest_possible_name_is_accepted():
    assert canonical_username("x" * 255) == "X" + "x" * 254


def test_slug_parts_use_underscores():
    assert canonical_slug_part("Art & Feminism 2025 (Spring)") == "Art_&_Feminism_2025_(Spring)"


@pytest.mark.parametrize("raw", ["", " ", ".", "..", "a/b", "a#b", "a\nb", "x" * 600])
def test_impossible_slug_parts_are_rejected(raw):
    with pytest.raises(InvalidName):
        canonical_slug_part(raw)


def test_course_slug_round_trips_through_its_string():
    slug = CourseSlug.from_slug("Université_de_Lyon,_Bibliothèque/Women_in_Science_(Autumn_2026)")
    assert str(slug) == "Université_de_Lyon,_Bibliothèque/Women_in_Science_(Autumn_2026)"


def test_course_slug_needs_two_parts():
    with pytest.raises(InvalidName):
        CourseSlug.from_slug("just-a-school")
