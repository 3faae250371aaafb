"""The reading room: server-rendered pages and a JSON API over one Archive."""

from declass.web.app import NavLink, create_app

__all__ = ["NavLink", "create_app"]
