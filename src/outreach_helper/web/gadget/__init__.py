"""The MediaWiki gadget (``outreach-staff.js``), its demo page and the routes serving them."""

from .routes import add_gadget_routes

__all__ = ["add_gadget_routes"]
