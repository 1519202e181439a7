"""Usernames and slugs: canonical forms and the rules that reject impossible ones.

Both canonicalizers are pure and memoized: they run on every request, hits
included. Canonicalizing before anything else means ``ada_lovelace``, ``Ada Lovelace`` and
`` Ada_Lovelace `` are one user, one upstream request and one cache key, and an
impossible name is refused before it can cost the dashboard anything.
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
MAX_SLUG_PART_BYTES = 512
# MediaWiki's $wgLegalTitleChars forbids these in any title, so in any username.
_FORBIDDEN = frozenset("/#<>[]|{}")
_WHITESPACE_RUN = re.compile(r"[\s_]+")


def _has_control(text: str) -> bool:
    return any(unicodedata.category(ch) in ("Cc", "Cs") or ch == "\ufffd" for ch in text)


def _is_ip_address(text: str) -> bool:
    try:
        ipaddress.ip_address(text)
    except ValueError:
        return False
    return True


def _upper_first(text: str) -> str:
    first = text[0].upper()
    # "ß".upper() is "SS": MediaWiki keeps such letters as they are.
    return (first if len(first) == 1 else text[0]) + text[1:]


@functools.lru_cache(maxsize=65_536)
def canonical_username(raw: str) -> str:
    """Return the MediaWiki-canonical form of ``raw``.

    Underscores become spaces, runs of white space collapse to one space, the
    text is NFC-normalized and its first letter upper-cased.

    Raises:
        InvalidName: the name is empty, too long, an IP address, or contains a
            character no MediaWiki username can hold.
    """
    if _has_control(raw):
        raise InvalidName("usernames cannot contain control characters")
    name = unicodedata.normalize("NFC", _WHITESPACE_RUN.sub(" ", raw).strip())
    if not name:
        raise InvalidName("the username is empty")
    bad = sorted(_FORBIDDEN.intersection(name))
    if bad:
        raise InvalidName(f"usernames cannot contain {' '.join(bad)}")
    if len(name.encode("utf-8")) > MAX_USERNAME_BYTES:
        raise InvalidName(f"usernames are at most {MAX_USERNAME_BYTES} bytes of UTF-8")
    if _is_ip_address(name):
        raise InvalidName("IP addresses are not usernames")
    # Upper-casing can itself denormalize (dotless i U+0131 + U+0301 becomes "I" + U+0301, whose
    # NFC form is "Í"), so normalize once more: one user, one key, whatever the spelling.
    canonical = unicodedata.normalize("NFC", _upper_first(name))
    if len(canonical.encode("utf-8")) > MAX_USERNAME_BYTES:
        raise InvalidName(f"usernames are at most {MAX_USERNAME_BYTES} bytes of UTF-8")
    return canonical


@functools.lru_cache(maxsize=16_384)
def canonical_slug_part(raw: str, *, what: str = "slug") -> str:
    """Return one slug segment (school, title or campaign) in the dashboard's form.

    Spaces become underscores, as the dashboard writes them.

    Raises:
        InvalidName: empty, a dot segment, too long, or holding a forbidden character.
    """
    if _has_control(raw):
        raise InvalidName(f"the {what} cannot contain control characters")
    part = unicodedata.normalize("NFC", raw.strip()).replace(" ", "_")
    if not part or part.strip("_") == "":
        raise InvalidName(f"the {what} is empty")
    if part in (".", ".."):
        raise InvalidName(f"the {what} cannot be {part!r}")
    bad = sorted(_FORBIDDEN.intersection(part))
    if bad:
        raise InvalidName(f"the {what} cannot contain {' '.join(bad)}")
    if len(part.encode("utf-8")) > MAX_SLUG_PART_BYTES:
        raise InvalidName(f"the {what} is longer than {MAX_SLUG_PART_BYTES} bytes")
    return part


@dataclass(frozen=True, slots=True)
class CourseSlug:
    """A course's ``SCHOOL/TITLE`` slug, both parts already canonical."""

    school: str
    title: str

    @classmethod
    def parse(cls, school: str, title: str) -> CourseSlug:
        """Validate and canonicalize both parts (see :func:`canonical_slug_part`)."""
        return cls(
            canonical_slug_part(school, what="school"),
            canonical_slug_part(title, what="course title"),
        )

    @classmethod
    def from_slug(cls, slug: str) -> CourseSlug:
        """Split a dashboard slug such as ``School/Title``.

        Raises:
            InvalidName: it is not exactly two valid parts.
        """
        school, sep, title = slug.partition("/")
        if not sep:
            raise InvalidName("a course slug has the form SCHOOL/TITLE")
        return cls.parse(school, title)

    def __str__(self) -> str:
        return f"{self.school}/{self.title}"


def dashboard_page_url(base: str, slug: str) -> str:
    """The public dashboard page of a course, for people to click (not for fetching)."""
    school, _, title = slug.partition("/")
    safe = "()',&!*:@"
    return f"{base}/courses/{quote(school, safe=safe)}/{quote(title, safe=safe)}"
