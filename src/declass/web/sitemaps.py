"""robots.txt and sitemaps, for search engines: the public's pages only (documents
and collections open to anyone today), never a closed one's address."""

from __future__ import annotations

from urllib.parse import quote

from lxml import etree
from starlette.requests import Request
from starlette.responses import PlainTextResponse, Response
from starlette.routing import Route

from declass.access import Audience
from declass.errors import NotFound
from declass.web.access import charge
from declass.web.rooms import rooms_of

SITEMAP = "http://www.sitemaps.org/schemas/sitemap/0.9"
PER_FILE = 10_000


def _base(request: Request) -> str:
    return str(request.base_url).rstrip("/")


def _xml(root: etree._Element) -> Response:
    body = etree.tostring(root, xml_declaration=True, encoding="utf-8")
    return Response(body, media_type="application/xml")


def _public(request: Request):  # type: ignore[no-untyped-def]
    rooms = rooms_of(request)
    rooms.fresh()
    return rooms.store(Audience.PUBLIC), rooms.clock.today().isoformat()


async def robots(request: Request) -> Response:
    return PlainTextResponse(
        "User-agent: *\nDisallow: /api/\nDisallow: /account\nDisallow: /feed\n"
        f"Sitemap: {_base(request)}/sitemap.xml\n"
    )


async def sitemap_index(request: Request) -> Response:
    store, today = _public(request)
    count = len(store.document_stamps(None, today, limit=10**9))
    root = etree.Element(f"{{{SITEMAP}}}sitemapindex", nsmap={None: SITEMAP})
    files = ["pages"] + [f"documents-{n}" for n in range(1, (count + PER_FILE - 1) // PER_FILE + 1)]
    for name in files:
        entry = etree.SubElement(root, f"{{{SITEMAP}}}sitemap")
        etree.SubElement(entry, f"{{{SITEMAP}}}loc").text = f"{_base(request)}/sitemaps/{name}.xml"
    return _xml(root)


async def pages_sitemap(request: Request) -> Response:
    store, _ = _public(request)
    root = etree.Element(f"{{{SITEMAP}}}urlset", nsmap={None: SITEMAP})
    paths = ["/", "/search", "/collections", "/timeline", "/errata"]
    paths += ["/collections/" + quote(c.id, safe=":/") for c in store.collections()]
    for path in paths:
        url = etree.SubElement(root, f"{{{SITEMAP}}}url")
        etree.SubElement(url, f"{{{SITEMAP}}}loc").text = _base(request) + path
    return _xml(root)


async def documents_sitemap(request: Request) -> Response:
    number = request.path_params["number"]
    charge(request, "export")  # up to 10,000 addresses a file
    store, today = _public(request)
    stamps = store.document_stamps(None, today, limit=10**9)
    chunk = stamps[(number - 1) * PER_FILE : number * PER_FILE]
    if number < 1 or not chunk:
        raise NotFound(f"no sitemap documents-{number}")
    root = etree.Element(f"{{{SITEMAP}}}urlset", nsmap={None: SITEMAP})
    for doc_id, stamp in chunk:
        url = etree.SubElement(root, f"{{{SITEMAP}}}url")
        etree.SubElement(url, f"{{{SITEMAP}}}loc").text = (
            _base(request) + "/documents/" + quote(doc_id, safe=":/")
        )
        etree.SubElement(url, f"{{{SITEMAP}}}lastmod").text = stamp
    return _xml(root)


routes = [
    Route("/robots.txt", robots),
    Route("/sitemap.xml", sitemap_index),
    Route("/sitemaps/pages.xml", pages_sitemap),
    Route("/sitemaps/documents-{number:int}.xml", documents_sitemap),
]
