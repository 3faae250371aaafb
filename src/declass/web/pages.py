"""The HTML pages: each asks the ReadingRoom for its data and renders a template."""

from __future__ import annotations

from typing import Any

from starlette.requests import Request
from starlette.responses import RedirectResponse, Response
from starlette.routing import Route

from declass.errors import QueryError
from declass.web.params import int_param, search_params
from declass.web.reading import ReadingRoom
from declass.web.rooms import room_for


def _room(request: Request) -> ReadingRoom:
    """The reading room of the reader's audience (declass.web.rooms)."""
    return room_for(request)


def _render(request: Request, template: str, **context: Any) -> Response:
    return request.app.state.templates.TemplateResponse(request, template, context)  # type: ignore[no-any-return]


async def home(request: Request) -> Response:
    return _render(request, "home.html", home=_room(request).home())


async def search_page(request: Request) -> Response:
    params = search_params(request)
    try:
        found = _room(request).search(**params)  # type: ignore[arg-type]
    except QueryError as exc:
        return request.app.state.templates.TemplateResponse(  # type: ignore[no-any-return]
            request,
            "search.html",
            {"params": params, "found": None, "error": exc},
            status_code=400,
        )
    return _render(request, "search.html", params=params, found=found, error=None)


async def document_page(request: Request) -> Response:
    pick = (request.query_params.get("lang", ""), request.query_params.get("with", ""))
    languages = pick if any(pick) else None
    doc = _room(request).document(request.path_params["doc_id"], str(request.base_url), languages)
    return _render(request, "document.html", doc=doc)


async def people_page(request: Request) -> Response:
    name = request.query_params.get("name", "")
    people = _room(request).people_named(name)
    if len(people) == 1:
        return RedirectResponse(people[0]["href"], status_code=302)
    return _render(request, "people.html", name=name, people=people)


async def person_page(request: Request) -> Response:
    person = _room(request).person(request.path_params["person_id"], int_param(request, "page", 1))
    if person["id"] != request.path_params["person_id"]:
        # One person, one page: every record linked to the person leads to theirs.
        return RedirectResponse(str(request.url_for("person", person_id=person["id"])), 301)
    return _render(request, "person.html", person=person)


async def country_page(request: Request) -> Response:
    return _render(
        request, "country.html", country=_room(request).country(request.path_params["code"])
    )


async def collections_page(request: Request) -> Response:
    return _render(request, "collections.html", collections=_room(request).collections())


async def collection_page(request: Request) -> Response:
    collection = _room(request).collection(
        request.path_params["collection_id"], int_param(request, "page", 1)
    )
    return _render(request, "collection.html", collection=collection)


async def front_matter_page(request: Request) -> Response:
    part = _room(request).front_matter(
        request.path_params["collection_id"], request.path_params["section_id"]
    )
    return _render(request, "front_matter.html", part=part)


async def timeline_page(request: Request) -> Response:
    return _render(request, "timeline.html", timeline=_room(request).timeline())


routes = [
    Route("/", home, name="home"),
    Route("/search", search_page, name="search"),
    Route("/documents/{doc_id:path}", document_page, name="document"),
    Route("/people", people_page, name="people"),
    Route("/people/{person_id:path}", person_page, name="person"),
    Route("/countries/{code}", country_page, name="country"),
    Route("/collections", collections_page, name="collections"),
    Route(
        "/collections/{collection_id:path}/front/{section_id}",
        front_matter_page,
        name="front_matter",
    ),
    Route("/collections/{collection_id:path}", collection_page, name="collection"),
    Route("/timeline", timeline_page, name="timeline"),
]
