"""What a page hands to a wiki: the ``{{ping}}`` text and links to talk pages.

The pages make the same promise as the gadget (GADGET.md, "Names"): a
staff name goes into a link or into the ping only as MediaWiki would take
it as a username. The service already leaves out of its answers every name
no account can have (``names.canonical_username``); the gadget also leaves
out names holding a percent escape or an HTML entity (a title would decode
them into another name) and names starting with ``:`` or a namespace
prefix. A page does the same here, by itself, whatever the answer held. It
knows the namespace names every wiki understands (MediaWiki's canonical
English ones), not a wiki's translated ones, which only the gadget, running
on the wiki, can read.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from typing import Final
from urllib.parse import quote

from outreach_helper.dashboards import canonical_wiki
from outreach_helper.errors import InvalidName
from outreach_helper.names import canonical_username

#: A percent escape or an HTML entity: a title would decode either into another name.
TITLE_ESCAPES: Final = re.compile(r"%[0-9A-Fa-f]{2}|&[A-Za-z0-9\u0080-\uffff]+;")
#: A namespace prefix, as MediaWikiTitleCodec splits one off ("User talk:X" is no username).
PREFIXED: Final = re.compile(r"^(.+?)_*:_*(.*)$")
#: MediaWiki's canonical namespace names (and the ``Image`` alias), lower-cased with
#: underscores: every wiki reads them as namespaces, whatever its language.
CANONICAL_NAMESPACES: Final = frozenset(
    {
        "media",
        "special",
        "talk",
        "user",
        "user_talk",
        "project",
        "project_talk",
        "file",
        "file_talk",
        "image",
        "image_talk",
        "mediawiki",
        "mediawiki_talk",
        "template",
        "template_talk",
        "help",
        "help_talk",
        "category",
        "category_talk",
    }
)
#: Characters MediaWiki leaves as they are in a page's URL (``wfUrlencode``).
_URL_SAFE: Final = ";@$!*(),~:"
#: The template a ping is written with, as the gadget writes it by default.
PING_TEMPLATE: Final = "ping"


def pingable(name: str) -> str | None:
    """``name`` as MediaWiki would read it as a username, or None to leave it out."""
    try:
        canonical = canonical_username(name)
    except InvalidName:
        return None
    if canonical.startswith(":") or TITLE_ESCAPES.search(canonical):
        return None
    prefixed = PREFIXED.match(canonical.replace(" ", "_"))
    if prefixed and prefixed.group(1).lower() in CANONICAL_NAMESPACES:
        return None
    return canonical


def ping_text(names: Iterable[str]) -> str | None:
    """``{{ping|1=A|2=B}}`` for every name that may be pinged, once each; None for nobody.

    Numbered parameters, as the gadget writes them: ``N=`` sets parameter N
    whatever follows, so a name holding ``=`` stays a name.
    """
    kept = list(dict.fromkeys(n for n in map(pingable, names) if n is not None))
    if not kept:
        return None
    params = [f"{i}={name}" for i, name in enumerate(kept, 1)]
    return "{{" + "|".join([PING_TEMPLATE, *params]) + "}}"


def talk_page_url(wiki: str, name: str) -> str | None:
    """The URL of ``name``'s user talk page on ``wiki`` (a canonical server name, as
    ``dashboards.canonical_wiki`` makes it); None when ``name`` is no username to link.

    The title is percent-encoded as MediaWiki encodes its own links, so a name
    with ``&``, ``?``, ``#``, quotes or ``+`` stays one title on the wiki.
    """
    username = pingable(name)
    if username is None or canonical_wiki(wiki) != wiki:
        return None
    title = "User_talk:" + username.replace(" ", "_")
    return f"https://{wiki}/wiki/{quote(title, safe=_URL_SAFE)}"
