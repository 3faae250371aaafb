"""The OAI-PMH endpoint, /oai: the public's records for harvesters (declass.oai)."""

from __future__ import annotations

from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Route

from declass.access import Audience
from declass.oai import respond
from declass.web.access import charge
from declass.web.rooms import rooms_of


async def oai(request: Request) -> Response:
    params: dict[str, list[str]] = {}
    pairs = list(request.query_params.multi_items())
    if request.method == "POST":
        form = await request.form(max_files=0, max_fields=20)
        pairs += [(k, str(v)) for k, v in form.multi_items()]
    for key, value in pairs:
        params.setdefault(key, []).append(value)
    if params.get("verb", [""])[0] in ("ListRecords", "ListIdentifiers"):
        charge(request, "export")  # a page of a whole-archive listing
    rooms = rooms_of(request)
    rooms.fresh()
    base = str(request.url.replace(query=""))
    body = respond(rooms.store(Audience.PUBLIC), params, base)
    return Response(body, media_type="text/xml; charset=utf-8")


routes = [Route("/oai", oai, methods=["GET", "POST"], name="oai")]
