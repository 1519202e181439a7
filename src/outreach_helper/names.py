"""Usernames and slugs: canonical forms and the rules that reject impossible ones.

The canonicalizers are pure and memoized: they run on every request, hits
included. Canonicalizing before anything else means ``ada_lovelace``, ``Ada Lovelace`` and
`` Ada_Lovelace `` are one user, one upstream request and one cache key, and an
impossible name is refused before it can cost the dashboard anything.

Length comes first, on the text as written: a memo keyed on raw input must
only ever see bounded input, or a flood of distinct long names (``A`` and
60 KB of underscores is "A" once collapsed) fills it with megabytes.
"""

from __future__ import annotations

import functools
import ipaddress
import re
import unicodedata
from dataclasses import dataclass
from urllib.parse import quote

from outreach_helper.errors import InvalidName

MAX_USERNAME_BYTES = 255
MAX_SLUG_BYTES = 1024
# MediaWiki's $wgLegalTitleChars forbids these in any title, so in any username
# ("/" is refused by UserNameUtils::isValid: it would make a subpage).
_FORBIDDEN = frozenset("/#<>[]|{}")
# What MediaWikiTitleCodec::splitTitleString turns into one "_" (a space in a username):
# Python's \s also holds control characters (refused before) and misses U+180E.
_WHITESPACE_RUN = re.compile("[ _\u00a0\u1680\u180e\u2000-\u200a\u2028\u2029\u202f\u205f\u3000]+")
# Invisible characters no MediaWiki username holds (UserNameUtils::isValid's list, less the
# spaces above, which titles turn into spaces first): zero-width space, non-joiner and joiner
# (U+200B-U+200D), and the bidirectional marks and embeddings U+200E, U+200F and
# U+202A-U+202E, which MediaWikiTitleCodec strips: a name holding one is read as another.
# Also private-use characters (U+E000-U+F8FF), in the same list.
_INVISIBLE = re.compile("[\u200b-\u200f\u202a-\u202e\ue000-\uf8ff]")
# UserNameUtils::isIP: besides real addresses, anything shaped like IPv4 (and "1.2.3.xxx").
_IPV4_SHAPED = re.compile(r"[0-9]{1,3}\.[0-9]{1,3}\.[0-9]{1,3}\.(?:xxx|[0-9]{1,3})")
_TOO_LONG = f"usernames are at most {MAX_USERNAME_BYTES} bytes of UTF-8"
# Campaign#set_slug keeps /^[\p{L}0-9_]+$/: any letter, the ASCII digits, "_".
_CAMPAIGN = re.compile(r"(?:[^\W\d_]|[0-9_])+")


def _has_control(text: str) -> bool:
    return any(unicodedata.category(ch) in ("Cc", "Cs") or ch == "\ufffd" for ch in text)


def _is_ip_address(text: str) -> bool:
    if _IPV4_SHAPED.fullmatch(text):
        return True
    try:
        ipaddress.ip_address(text)
    except ValueError:
        return False
    return True


def _upper_first(text: str) -> str:
    first = text[0].upper()
    # "ß".upper() is "SS": MediaWiki keeps such letters as they are.
    return (first if len(first) == 1 else text[0]) + text[1:]


def canonical_username(raw: str) -> str:
    """Return the MediaWiki-canonical form of ``raw``.

    Underscores and what MediaWiki's titles count as white space become
    spaces, runs of them collapse to one space, the text is NFC-normalized and
    its first letter upper-cased. The limit of 255 bytes of UTF-8 applies to
    ``raw`` as written, before any collapsing.

    Raises:
        InvalidName: the name is empty, too long, an IP address, ``.`` or ``..``,
            holds ``~~~``, or contains a character no MediaWiki username can
            hold (title-illegal, control, zero-width, bidirectional or private-use).
    """
    if len(raw) > MAX_USERNAME_BYTES:  # a character is at least a byte: refused unremembered
        raise InvalidName(_TOO_LONG)
    return _canonical_username(raw)


@functools.lru_cache(maxsize=65_536)
def _canonical_username(raw: str) -> str:
    if _has_control(raw):
        raise InvalidName("usernames cannot contain control characters")
    if len(raw.encode("utf-8")) > MAX_USERNAME_BYTES:
        raise InvalidName(_TOO_LONG)
    invisible = _INVISIBLE.search(raw)
    if invisible:
        raise InvalidName(f"usernames cannot contain U+{ord(invisible.group()):04X}")
    name = unicodedata.normalize("NFC", _WHITESPACE_RUN.sub(" ", raw).strip(" "))
    if not name:
        raise InvalidName("the username is empty")
    bad = sorted(_FORBIDDEN.intersection(name))
    if bad:
        raise InvalidName(f"usernames cannot contain {' '.join(bad)}")
    if name in (".", ".."):
        # MediaWiki refuses these titles, and in a URL they are the directory itself or its parent.
        raise InvalidName("a username cannot be . or ..")
    if "~~~" in name:
        raise InvalidName("usernames cannot contain ~~~ (a signature in wikitext)")
    if _is_ip_address(name):
        raise InvalidName("IP addresses are not usernames")
    # Upper-casing can itself denormalize (dotless i U+0131 + U+0301 becomes "I" + U+0301, whose
    # NFC form is "Í"), so normalize once more: one user, one key, whatever the spelling.
    canonical = unicodedata.normalize("NFC", _upper_first(name))
    if len(canonical.encode("utf-8")) > MAX_USERNAME_BYTES:
        raise InvalidName(_TOO_LONG)
    return canonical


def collation_key(text: str) -> str:
    """``text`` as the dashboard's database compares it: no case, no accents.

    MySQL's ``utf8mb4_unicode_ci`` ignores letter case and accents, so the
    dashboard finds ``Zoë Ånström`` when asked for ``ZOE ANSTROM``. Spellings
    with one key are one lookup upstream, and so one cache entry. It is UCA
    4.0.0, which gives every character outside the Basic Multilingual Plane
    the weight of U+FFFD (MySQL Reference Manual, "Unicode Character Sets"):
    "Page" spelled with a mathematical bold P (U+1D40F) is not "Page" there,
    so it is not here either. Where this fold and the database's still
    differ, identity-exact storing keeps a look-alike's "not found" apart
    (``SWRCache.get``'s ``exact``).
    """
    bmp = "".join(ch if ord(ch) <= 0xFFFF else "\ufffd" for ch in text)
    decomposed = unicodedata.normalize("NFKD", bmp)
    return "".join(ch for ch in decomposed if not unicodedata.combining(ch)).casefold()


def canonical_campaign(raw: str) -> str:
    """A campaign slug in the one spelling the dashboard's lookup cannot tell apart.

    The dashboard makes campaign slugs of lower-case letters of any script, the
    digits 0-9 and ``_`` only (``Campaign#set_slug``: letters, 0-9, _) and finds
    them ignoring case and accents, so they are folded to their collation key,
    and anything else cannot exist.

    Raises:
        InvalidName: empty, too long, or holding anything but letters, 0-9 and ``_``.
    """
    _refuse_long_slug(raw, what="campaign")
    return _canonical_campaign(raw)


@functools.lru_cache(maxsize=16_384)
def _canonical_campaign(raw: str) -> str:
    folded = collation_key(_slug_text(raw, what="campaign"))
    if not _CAMPAIGN.fullmatch(folded):
        raise InvalidName("a campaign slug holds only letters, the digits 0-9 and _")
    return folded


def _refuse_long_slug(raw: str, *, what: str) -> None:
    """Refuse a slug too long as written, before any memo sees it."""
    if len(raw) > MAX_SLUG_BYTES:
        raise InvalidName(f"the {what} is longer than {MAX_SLUG_BYTES} bytes")


def _slug_text(raw: str, *, what: str) -> str:
    if _has_control(raw):
        raise InvalidName(f"the {what} cannot contain control characters")
    text = unicodedata.normalize("NFC", raw.strip()).replace(" ", "_")
    if len(text.encode("utf-8")) > MAX_SLUG_BYTES:
        raise InvalidName(f"the {what} is longer than {MAX_SLUG_BYTES} bytes")
    segments = text.split("/")
    if any(segment.strip("_") == "" for segment in segments):
        raise InvalidName(f"the {what} has an empty part")
    if any(segment in (".", "..") for segment in segments):
        raise InvalidName(f"no part of the {what} can be . or ..")
    return text


@dataclass(frozen=True, slots=True)
class CourseSlug:
    """A course's slug, ``SCHOOL/TITLE``, in the dashboard's own spelling.

    The dashboard keeps nearly any character of a school or title in the slug
    (``#``, ``?``, ``%``, ``[ ] { } | < >``, and more ``/`` inside the title),
    so only what no URL can carry intact is refused: control characters, empty
    parts and ``.``/``..`` parts. Spaces become underscores, as the dashboard
    writes them.
    """

    value: str

    @classmethod
    def parse(cls, school: str, title: str) -> CourseSlug:
        """The slug of ``school`` and ``title``; the title may itself hold ``/``."""
        return cls.from_slug(f"{school}/{title}")

    @classmethod
    def from_slug(cls, slug: str) -> CourseSlug:
        """Validate a whole slug such as ``School/Title_(Term)``.

        Raises:
            InvalidName: not of the form SCHOOL/TITLE, or impossible (see the class).
        """
        _refuse_long_slug(slug, what="course slug")
        return _course_slug(slug)

    @property
    def school(self) -> str:
        return self.value.partition("/")[0]

    @property
    def title(self) -> str:
        return self.value.partition("/")[2]

    def __str__(self) -> str:
        return self.value


@functools.lru_cache(maxsize=16_384)
def _course_slug(raw: str) -> CourseSlug:
    text = _slug_text(raw, what="course slug")
    if "/" not in text:
        raise InvalidName("a course slug has the form SCHOOL/TITLE")
    return CourseSlug(text)


def slug_path(slug: str) -> str:
    """``slug`` as a URL path: its ``/`` literal, every other reserved character escaped.

    The dashboard's routes take everything between ``courses/`` and the
    document name as the slug, and the web server in front may refuse ``%2F``.
    """
    return quote(slug, safe="/")


def dashboard_page_url(base: str, slug: str) -> str:
    """The public dashboard page of a course, for people to click (not for fetching).

    Characters that are safe in a path are left as they are, so links stay readable.
    """
    readable = quote(slug, safe="/()',&!*:@")
    return f"{base}/courses/{readable}"
