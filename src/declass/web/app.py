"""`create_app(archive)`: the reading room as one Starlette application.

The app holds the ReadingRoom (the archive and its caches) and the templates in
`app.state`; nothing is global. New pages (e.g. Parallels) come in through
`extra_routes` and `nav`, and `template_dirs` for their templates.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

from jinja2 import ChoiceLoader, Environment, FileSystemLoader, select_autoescape
from starlette.applications import Starlette
from starlette.exceptions import HTTPException
from starlette.routing import BaseRoute, Mount
from starlette.staticfiles import StaticFiles
from starlette.templating import Jinja2Templates
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from declass.archive import Archive
from declass.errors import DeclassError
from declass.web import api, editorial, pages, parallels, problems

HERE = Path(__file__).parent

SECURITY_HEADERS = {
    "content-security-policy": (
        "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; "
        "object-src 'none'; base-uri 'none'; frame-ancestors 'none'; form-action 'self'"
    ),
    "x-content-type-options": "nosniff",
    "referrer-policy": "same-origin",
    "x-frame-options": "DENY",
    "cross-origin-opener-policy": "same-origin",
}


@dataclass(frozen=True)
class NavLink:
    """An entry of the site navigation."""

    label: str
    href: str


DEFAULT_NAV = (
    NavLink("Home", "/"),
    NavLink("Search", "/search"),
    NavLink("Collections", "/collections"),
    NavLink("Timeline", "/timeline"),
    NavLink("Parallels", "/parallels"),
    NavLink("API", "/api/openapi.json"),
)


class SecurityHeaders:
    """Adds the security headers to every response."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return

        async def with_headers(message: Message) -> None:
            if message["type"] == "http.response.start":
                headers = message.setdefault("headers", [])
                present = {k.lower() for k, _ in headers}
                for name, value in SECURITY_HEADERS.items():
                    if name.encode() not in present:
                        headers.append((name.encode(), value.encode()))
            await send(message)

        await self.app(scope, receive, with_headers)


def templates_for(extra_dirs: Sequence[Path] = ()) -> Jinja2Templates:
    """The Jinja2 templates, autoescaped everywhere (also .txt, .svg and strings)."""
    loader = ChoiceLoader([FileSystemLoader([*map(str, extra_dirs), str(HERE / "templates")])])
    env = Environment(
        loader=loader,
        autoescape=select_autoescape(default=True, default_for_string=True),
        auto_reload=False,  # templates ship with the package: no file checked per page
    )
    return Jinja2Templates(env=env)


def create_app(
    archive: Archive,
    *,
    extra_routes: Sequence[BaseRoute] = (),
    nav: Sequence[NavLink] = (),
    template_dirs: Sequence[Path] = (),
    cache: bool = True,
) -> Starlette:
    """The reading room over `archive`: HTML pages, the JSON API under /api, static files
    (`cache` False: no search result is kept, for benchmarks of the engine)."""
    routes: list[BaseRoute] = [
        *editorial.routes,  # before the pages and API paths they extend
        *api.routes,
        *parallels.routes,
        *extra_routes,
        *pages.routes,
        Mount("/static", StaticFiles(directory=HERE / "static"), name="static"),
    ]
    app = Starlette(
        routes=routes,
        exception_handlers={
            DeclassError: problems.handle,
            HTTPException: problems.handle,
            Exception: problems.handle,
        },
    )
    app.state.templates = templates_for(template_dirs)
    app.state.templates.env.globals["nav"] = [*DEFAULT_NAV, *nav]
    # Accounts, editing, discussion, feeds: a reading room per audience and the
    # Gatekeeper (inside the security headers, so that its refusals carry them too).
    editorial.install(app, archive, cache=cache)
    app.add_middleware(SecurityHeaders)
    return app
