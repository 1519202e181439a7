"""The pages for people: a start page, a user's courses, a campaign's, made like a
Wikimedia tool (server-rendered HTML, Codex design tokens, script only for the
copy button) from the same answers, caches and hot copies as the API."""

from .errors import error_body
from .home import home_page
from .negotiation import prefers_html
from .routes import add_page_routes

__all__ = ["add_page_routes", "error_body", "home_page", "prefers_html"]
