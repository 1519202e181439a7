import pytest

from outreach_helper.errors import InvalidName
from outreach_helper.names import CourseSlug, canonical_campaign, canonical_username, slug_path


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


@pytest.mark.parametrize(
    "name", ["Kai+Lani Makoa", "Percent%Editor", "Old:Timer@Wiki", "A=B", "1=Someone", "Tilde~~"]
)
def test_legacy_and_punctuated_names_are_accepted(name):
    # Old accounts may hold @ : > = ($wgInvalidUsernameCharacters only stops new ones), and
    # MediaWiki's titles refuse three tildes in a row, not one or two.
    assert canonical_username(name) == name


# What MediaWikiTitleCodec::splitTitleString turns into "_": a space in a username.
@pytest.mark.parametrize(
    "spaced", ["A\u00a0B", "A\u1680B", "A\u180eB", "A\u2003B", "A\u202fB", "A\u205fB", "A\u3000B"]
)
def test_what_mediawiki_titles_read_as_a_space_is_a_space(spaced):
    assert canonical_username(spaced) == "A B"


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
        # UserNameUtils::isIP: anything shaped like an IPv4 address.
        "300.300.300.300",
        "192.0.2.xxx",
        # MediaWikiTitleCodec: relative paths and signatures are no titles.
        ".",
        "..",
        " ._ ",
        "Foo~~~",
        "Foo~~~~",
        "~~~~~",
        # MediaWikiTitleCodec strips these bidirectional marks and embeddings...
        "Foo\u200e",
        "\u200fFoo",
        "Foo\u202aBar",
        "Foo\u202bBar",
        "Foo\u202cBar",
        "Foo\u202dBar",
        "Foo\u202eBar",
        # ...and UserNameUtils::isValid refuses them, zero-width ones and private use.
        "Zero\u200bWidth",
        "Zero\u200cNon Joiner",
        "Zero\u200dJoiner",
        "Private\ue000Use",
        "Private\uf8ffUse",
        "C1\x85Control",
    ],
)
def test_impossible_usernames_are_rejected(raw):
    with pytest.raises(InvalidName):
        canonical_username(raw)


def test_longest_possible_name_is_accepted():
    assert canonical_username("x" * 255) == "X" + "x" * 254


def test_course_slugs_use_underscores_for_spaces():
    assert str(CourseSlug.parse("O'Connell Arts", "Art & Feminism 2025 (Spring)")) == (
        "O'Connell_Arts/Art_&_Feminism_2025_(Spring)"
    )


# Shapes of real dashboard slugs (shared/upstream/README.md): nearly any character,
# and more "/" inside the title.
@pytest.mark.parametrize(
    "raw",
    [
        "Wikimedia_Norge/#1Lib1Ref_2026",
        "Wikimedia_Sverige/WikiGap_2025/26_(Spring)",
        "School/[draft]_Title",
        "School/{March}",
        "School/A|B",
        "School/<...>",
        "School/What?_100%_+_more",
    ],
)
def test_real_world_course_slugs_are_accepted_as_they_are(raw):
    assert str(CourseSlug.from_slug(raw)) == raw


@pytest.mark.parametrize(
    "raw",
    [
        "",
        " ",
        "just-a-school",
        "School/",
        "/Title",
        "School//Title",
        "School/..",
        "a\nb/c",
        "S/" + "x" * 1100,
    ],
)
def test_impossible_course_slugs_are_rejected(raw):
    with pytest.raises(InvalidName):
        CourseSlug.from_slug(raw)


def test_a_title_may_hold_slashes_but_the_school_is_the_first_part():
    slug = CourseSlug.from_slug("Wikimedia_Sverige/WikiGap_2025/26_(Spring)")
    assert (slug.school, slug.title) == ("Wikimedia_Sverige", "WikiGap_2025/26_(Spring)")


def test_campaign_slugs_fold_case_and_accents_like_the_dashboard():
    assert canonical_campaign("Wikidata Days ÉTÉ") == "wikidata_days_ete"


# Campaign#set_slug keeps [\p{L}0-9_]: letters of any script, the ASCII digits, "_".
@pytest.mark.parametrize("raw", ["studenti", "ویکی_2026", "Ελληνικά", "wiki_2026"])
def test_campaign_slugs_of_any_script_are_accepted(raw):
    assert canonical_campaign(raw)


@pytest.mark.parametrize("raw", ["", "a/b", "bad\x00", "..", "wiki-2026", "wiki\u0662\u0660"])
def test_impossible_campaign_slugs_are_rejected(raw):
    with pytest.raises(InvalidName):
        canonical_campaign(raw)


def test_the_upstream_path_keeps_slashes_and_escapes_the_rest():
    assert slug_path("Wikimedia_Norge/#1Lib1Ref?_100%") == "Wikimedia_Norge/%231Lib1Ref%3F_100%25"


def test_course_slug_round_trips_through_its_string():
    slug = CourseSlug.from_slug("Université_de_Lyon,_Bibliothèque/Women_in_Science_(Autumn_2026)")
    assert str(slug) == "Université_de_Lyon,_Bibliothèque/Women_in_Science_(Autumn_2026)"
