"""No route and no export tells anyone what is closed to them (issue 15).

Every route of the app (its own route table: HTML, API, feeds, OAI-PMH, sitemaps,
static files) is asked, by an anonymous reader, a registered researcher and an
editor, with open, closed and unknown ids. For the first two, each answer from the
full archive must (1) hold none of the closed material's words, titles, spellings or
ids, and (2) be exactly the answer the same route gives from an archive holding only
what that reader may see (tests/access/conftest.py): so no count, facet, correction,
name expansion, order or error differs either. A route of the app that no probe
here asks fails the test. The CLI exports are held to the same rules.
"""

from __future__ import annotations

import gzip
import json
import re
from collections.abc import Iterator
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Any
from urllib.parse import quote, unquote

import pytest
from click.testing import CliRunner
from starlette.routing import Mount, Route
from starlette.testclient import TestClient

from declass.cli import cli
from declass.web import create_app
from tests.access.conftest import (
    CLOSED_TO_PUBLIC,
    CLOSED_TO_REGISTERED,
    PASSWORDS,
    LeakArchive,
)

OPEN = "synthetic:open-memo"
BILINGUAL = "synthetic:open-bilingual"
REAL_OPEN = "frus-history:1958-11-03-noble-to-osborne"
REAL_CLOSED = "frus-history:1957-03-21-kennan-to-leopold/kennan-to-leopold"
CLOSED_DOCS = ("synthetic:alpha", "synthetic:beta", "synthetic:eta", REAL_CLOSED, "no:such-doc")
REGISTERED_DOC = "synthetic:gamma"


@dataclass(frozen=True)
class Probe:
    """One request: method, route (as the app lists it), concrete path, and body."""

    method: str
    route: str
    path: str
    data: dict[str, Any] | None = None  # a form
    json: Any = None
    headers: dict[str, str] = field(default_factory=dict)
    compare: bool = True  # False: ranking by corpus-wide statistics may differ (parallels)


def _q(value: str) -> str:
    return quote(value, safe=":")


def probes() -> list[Probe]:
    """Every route, asked with open, closed and unknown ids (order matters: the same
    on every archive)."""
    out: list[Probe] = []

    def get(route: str, *paths: str) -> None:
        out.extend(Probe("GET", route, p) for p in (paths or (route,)))

    def post(route: str, path: str, data: dict[str, Any] | None = None, **kw: Any) -> None:
        out.append(Probe("POST", route, path, data=data if data is not None else {}, **kw))

    doc_ids = (OPEN, BILINGUAL, REAL_OPEN, REGISTERED_DOC, *CLOSED_DOCS)
    get("/", "/")
    for q in (
        "treaty",
        "Gromyko",
        "marmaladeorb",
        "marmaladeor",
        "embargolium",
        "registrandum",
        "secretovich",
        "Andrei Secretovich",
        "Hiddenname Obscurus",
        "секретиссимо",
        "Kennan",
        "withdrawnium",
        "zanzibarite",
        "Kennon",
        "Open Persona",
        "Opena Personova",
    ):
        get("/search", f"/search?q={_q(q)}&sort=date")
        get("/api/search", f"/api/search?q={_q(q)}&sort=date&page_size=100")
    for facet in (
        "collection:synthetic-closed",
        "collection:SYNTHETIC-RESTRICTED",
        "collection:rdcr",
        "person:Andrei Secretovich",
    ):
        get("/search", f"/search?q=&facet={_q(facet)}&sort=date")
        get("/api/search", f"/api/search?facet={_q(facet)}&sort=date&page_size=100")
    get("/api/search", "/api/search?q=&page_size=100&sort=date")
    for d in doc_ids:
        get("/documents/{doc_id:path}", f"/documents/{_q(d)}")
        get("/api/documents/{doc_id:path}", f"/api/documents/{_q(d)}")
        get("/api/citations/{doc_id:path}", f"/api/citations/{_q(d)}?format=bibtex")
        get("/api/documents/{doc_id:path}/annotations", f"/api/documents/{_q(d)}/annotations")
        get("/documents/{doc_id:path}/edit", f"/documents/{_q(d)}/edit")
        get("/documents/{doc_id:path}/history", f"/documents/{_q(d)}/history")
        get("/documents/{doc_id:path}/diff", f"/documents/{_q(d)}/diff?from=1&to=2")
        get("/api/documents/{doc_id:path}/source", f"/api/documents/{_q(d)}/source")
        get("/api/documents/{doc_id:path}/versions", f"/api/documents/{_q(d)}/versions")
        get("/api/documents/{doc_id:path}/diff", f"/api/documents/{_q(d)}/diff?from=1&to=2")
    for name in ("Gromyko", "Secretovich", "Obscurus", "Persona", "Kennan"):
        get("/people", f"/people?name={_q(name)}")
        get("/api/people", f"/api/people?name={_q(name)}")
    for person in ("person:synthetic-open", "person:synthetic-secret", "person:nobody"):
        get("/people/{person_id:path}", f"/people/{_q(person)}")
        get("/api/people/{person_id:path}", f"/api/people/{_q(person)}")
    for code in ("RUS", "USA", "ZZZ"):
        get("/countries/{code}", f"/countries/{code}")
        get("/api/countries/{code}", f"/api/countries/{code}")
    get("/collections")
    get("/api/collections")
    for c in ("rdcr", "frus-history-documents", "synthetic-closed", "synthetic-restricted", "none"):
        get("/collections/{collection_id:path}", f"/collections/{_q(c)}")
        get("/api/collections/{collection_id:path}", f"/api/collections/{_q(c)}")
        get(
            "/collections/{collection_id:path}/front/{section_id}",
            f"/collections/{_q(c)}/front/persons",
        )
        get(
            "/api/collections/{collection_id:path}/front/{section_id}",
            f"/api/collections/{_q(c)}/front/persons",
        )
    get("/timeline")
    get("/api/timeline")
    get("/api/openapi.json")
    get("/api/{rest:path}", "/api/nothing-here", "/api/synthetic:alpha")
    get("/static", "/static/editorial.css")
    get("/errata")
    get("/api/errata")
    get("/robots.txt")
    get("/sitemap.xml")
    get("/sitemaps/pages.xml")
    get(
        "/sitemaps/documents-{number:int}.xml",
        "/sitemaps/documents-1.xml",
        "/sitemaps/documents-2.xml",
    )
    for query in (
        "verb=Identify",
        "verb=ListSets",
        "verb=ListIdentifiers&metadataPrefix=oai_dc",
        "verb=ListRecords&metadataPrefix=oai_dc",
        "verb=ListRecords&metadataPrefix=oai_dc&set=synthetic-closed",
        "verb=ListRecords&metadataPrefix=oai_dc&set=rdcr",
        "verb=GetRecord&metadataPrefix=oai_dc&identifier=oai:declass:synthetic:alpha",
        "verb=GetRecord&metadataPrefix=oai_dc&identifier=oai:declass:synthetic:open-memo",
        "verb=ListMetadataFormats&identifier=oai:declass:synthetic:beta",
    ):
        get("/oai", f"/oai?{query}")
    post("/oai", "/oai", {"verb": "ListIdentifiers", "metadataPrefix": "oai_dc"})
    get("/parallels")
    out.append(
        Probe(
            "POST",
            "/api/parallels",
            "/api/parallels",
            json={
                "text": "Gromyko and the treaty. Marmaladeorb embargolium registrandum.",
                "mode": "fulltext",
                "top": 5,
            },
            compare=False,
        )
    )
    post(
        "/parallels",
        "/parallels",
        {"text": "Gromyko and Kennan on the treaty.", "mode": "fulltext", "top": "5"},
        compare=False,
    )
    for kind, rid in (
        ("collection", "rdcr"),
        ("collection", "synthetic-restricted"),
        ("authority", "person:synthetic-secret"),
        ("authority", "person:synthetic-open"),
        ("event", "synthetic:visit-secret"),
        ("thing", "x"),
    ):
        get("/records/{kind}/{record_id:path}/edit", f"/records/{kind}/{_q(rid)}/edit")
        get("/records/{kind}/{record_id:path}/history", f"/records/{kind}/{_q(rid)}/history")
        get("/api/records/{kind}/{record_id:path}", f"/api/records/{kind}/{_q(rid)}")
        post(
            "/records/{kind}/{record_id:path}/edit",
            f"/records/{kind}/{_q(rid)}/edit",
            {"reason": "x"},
        )
        post(
            "/records/{kind}/{record_id:path}/revert",
            f"/records/{kind}/{_q(rid)}/revert",
            {"to_version": "1", "reason": "x"},
        )
        out.append(
            Probe(
                "PATCH",
                "/api/records/{kind}/{record_id:path}",
                f"/api/records/{kind}/{_q(rid)}",
                json={"changes": {}, "reason": "x"},
                headers={"if-match": '"x"'},
            )
        )
    get("/records")
    get("/audit")
    get("/moderation")
    get("/admin/users")
    get("/account")
    get("/api/me")
    get("/feed")
    get("/api/feed")
    get("/feed/{key}.atom", "/feed/not-a-key.atom")
    get("/login")
    get("/signup")
    # State-changing requests: as anonymous and researcher they change nothing that
    # differs between archives (refused alike, or the same open change on both).
    for d in (OPEN, *CLOSED_DOCS, REGISTERED_DOC):
        post(
            "/documents/{doc_id:path}/edit",
            f"/documents/{_q(d)}/edit",
            {"base_version": "1", "title": "x", "reason": "x"},
        )
        for action in ("revert", "withdraw", "restore"):
            post(
                f"/documents/{{doc_id:path}}/{action}",
                f"/documents/{_q(d)}/{action}",
                {"base_version": "1", "to_version": "1", "reason": "x"},
            )
            out.append(
                Probe(
                    "POST",
                    f"/api/documents/{{doc_id:path}}/{action}",
                    f"/api/documents/{_q(d)}/{action}",
                    json={"reason": "x", "to": 1},
                    headers={"if-match": '"v1"'},
                )
            )
        out.append(
            Probe(
                "PATCH",
                "/api/documents/{doc_id:path}",
                f"/api/documents/{_q(d)}",
                json={"changes": {"place": "x"}, "reason": "x"},
                headers={"if-match": '"v1"'},
            )
        )
        post(
            "/documents/{doc_id:path}/annotations",
            f"/documents/{_q(d)}/annotations",
            {"where": "0:0", "quote": "", "body": "A reader's note."},
        )
        out.append(
            Probe(
                "POST",
                "/api/documents/{doc_id:path}/annotations",
                f"/api/documents/{_q(d)}/annotations",
                json={"text_index": 0, "block_index": 0, "body": "Via the API."},
            )
        )
    for aid in ("{open-annotation}", "{private}", "{hidden}", "{on-closed}", "99"):
        post(
            "/annotations/{annotation_id}/replies",
            f"/annotations/{aid}/replies",
            {"body": "A reply."},
        )
        out.append(
            Probe(
                "POST",
                "/api/annotations/{annotation_id}/replies",
                f"/api/annotations/{aid}/replies",
                json={"body": "An API reply."},
            )
        )
        post(
            "/annotations/{annotation_id}/report",
            f"/annotations/{aid}/report",
            {"reason": "off topic"},
        )
        post("/annotations/{annotation_id}/{action}", f"/annotations/{aid}/hide", {"reason": "x"})
    for target in ("rdcr", "synthetic-closed", "synthetic-restricted"):
        post("/follows", "/follows", {"kind": "collection", "target": target})
    post("/follows", "/follows", {"kind": "search", "q": "Gromyko"})
    post("/follows/{follow_id}/remove", "/follows/1/remove")
    get("/feed")
    post("/feed/seen", "/feed/seen")
    post("/account/tokens", "/account/tokens", {"label": "probe"})
    post("/account/tokens/{token_id}/revoke", "/account/tokens/1/revoke")
    post(
        "/account/password", "/account/password", {"current_password": "wrong", "new_password": "y"}
    )
    post("/admin/users", "/admin/users", {"name": "rita", "role": "admin"})
    post("/signup", "/signup", {"name": "zed"})
    post("/login", "/login", {"name": "nobody", "password": "nothing-at-all"})
    post("/logout", "/logout")  # last: it ends the session
    return out


def app_routes(app: Any) -> set[tuple[str, str]]:
    found = set()
    for r in app.routes:
        if isinstance(r, Mount):
            found.add(("GET", r.path))
        elif isinstance(r, Route):
            for m in r.methods or ():
                if m != "HEAD":
                    found.add((m, r.path))
    return found


_VOLATILE = [
    (re.compile(r'name="csrf_token" value="[^"]*"'), 'name="csrf_token" value=""'),
    (re.compile(r'"csrf_token":\s*"[^"]*"'), '"csrf_token":""'),
    (re.compile(r"\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(?:\.\d+)?(?:[+-]\d{2}:\d{2}|Z)?"), "<time>"),
    (re.compile(r"/feed/[A-Za-z0-9_-]{20,}\.atom"), "/feed/<key>.atom"),
    (re.compile(r"dcl_[A-Za-z0-9_-]+"), "dcl_<token>"),
    # Annotation ids are drawn at random: each archive has its own.
    (re.compile(r"(annotation|reply|report)-\d+"), r"\1-N"),
    (re.compile(r"/annotations/\d+/"), "/annotations/N/"),
    (re.compile(r'"(id|parent)":\s*\d+'), r'"\1":N'),
]


def normal(text: str) -> str:
    for pattern, replacement in _VOLATILE:
        text = pattern.sub(replacement, text)
    return text


def _client(b: LeakArchive, user: str | None) -> Iterator[TestClient]:
    app = create_app(b.archive)
    with TestClient(app, raise_server_exceptions=False) as client:
        if user is not None:
            page = client.get("/login")
            token = re.search(r'name="csrf_token" value="([^"]+)"', page.text).group(1)  # type: ignore[union-attr]
            done = client.post(
                "/login",
                data={"csrf_token": token, "name": user, "password": PASSWORDS[user]},
                follow_redirects=False,
            )
            assert done.status_code == 303, done.text
        yield client


def annotation_ids(b: LeakArchive, full: LeakArchive) -> dict[str, str]:
    """What the annotation placeholders of the probes stand for in archive `b`: its own
    open annotation; the closed ones of the full archive (unknown elsewhere)."""

    def find(store: Any, word: str) -> str:
        return str(next(a.id for a in store.annotations() if word in a.body))

    return {
        "{open-annotation}": find(b.archive.store, "public remark"),
        "{private}": find(full.archive.store, "qztheta"),
        "{hidden}": find(full.archive.store, "qziota"),
        "{on-closed}": find(full.archive.store, "qzxi"),
    }


def _resolved(probe: Probe, ids: dict[str, str]) -> Probe:
    path = probe.path
    for placeholder, value in ids.items():
        path = path.replace(placeholder, value)
    return replace(probe, path=path)


def _ask(client: TestClient, probe: Probe) -> tuple[int, str]:
    csrf = client.get("/api/me").json().get("csrf_token") or ""
    headers = {**probe.headers, "x-csrf-token": csrf} if csrf else dict(probe.headers)
    if probe.data is not None:
        data = {**probe.data, "csrf_token": csrf} if csrf else probe.data
        r = client.request(
            probe.method, probe.path, data=data, headers=headers, follow_redirects=False
        )
    else:
        r = client.request(
            probe.method, probe.path, json=probe.json, headers=headers, follow_redirects=False
        )
    return r.status_code, r.text + "\n" + r.headers.get("location", "")


def _leaks(text: str, markers: tuple[str, ...], probe: Probe) -> list[str]:
    """The markers in an answer, but for those the request itself carries: a page
    may echo what was asked (a query, a 404 naming the id), which the comparison
    with the reader's own archive checks instead."""
    asked = unquote(probe.path) + json.dumps([probe.json, probe.data], ensure_ascii=False)
    asked = asked.casefold()
    shown = text.casefold()
    return [m for m in markers if m in shown and m not in asked]


@pytest.mark.parametrize(
    ("user", "variant", "markers"),
    [(None, "public", CLOSED_TO_PUBLIC), ("rita", "registered", CLOSED_TO_REGISTERED)],
    ids=["anonymous", "researcher"],
)
def test_no_route_shows_closed_material_or_its_traces(
    leak_archives: dict[str, LeakArchive], user: str | None, variant: str, markers: tuple[str, ...]
) -> None:
    asked = probes()
    full = leak_archives["full"]
    seen = leak_archives[variant]
    leaks: list[str] = []
    differ: list[str] = []
    errors: list[str] = []
    ids_a, ids_b = annotation_ids(full, full), annotation_ids(seen, full)
    for a, b in zip(_client(full, user), _client(seen, user), strict=True):
        for probe in asked:
            status, text = _ask(a, _resolved(probe, ids_a))
            if status >= 500:
                errors.append(f"{probe.method} {probe.path}: {status}")
            found = _leaks(text, markers, probe)
            if found:
                leaks.append(f"{probe.method} {probe.path} ({status}): {found}")
            if probe.compare:
                other_status, other = _ask(b, _resolved(probe, ids_b))
                if (status, normal(text)) != (other_status, normal(other)):
                    differ.append(f"{probe.method} {probe.path}: {status} vs {other_status}")
    assert not errors, errors
    assert not leaks, "\n".join(leaks[:20])
    assert not differ, "\n".join(differ[:20])


def test_every_route_of_the_app_is_probed(leak_archives: dict[str, LeakArchive]) -> None:
    app = create_app(leak_archives["public"].archive)
    covered = {(p.method, p.route) for p in probes()}
    missing = sorted(app_routes(app) - covered)
    assert not missing, f"routes no leak probe asks (add probes for them): {missing}"


def test_an_editor_reads_closed_material_through_the_web(
    leak_archives: dict[str, LeakArchive],
) -> None:
    full = leak_archives["full"]
    for client in _client(full, "eddie"):
        for doc_id, word in (
            ("synthetic:alpha", "qzalpha"),
            (REAL_CLOSED, "kennan"),
            ("synthetic:eta", "qzeta"),
        ):
            page = client.get(f"/documents/{doc_id}")
            assert page.status_code == 200 and word in page.text.casefold(), doc_id
        found = client.get("/api/search", params={"q": "marmaladeorb"}).json()
        assert [r["id"] for r in found["results"]] == ["synthetic:alpha"]
        bilingual = client.get(f"/api/documents/{BILINGUAL}").json()
        assert [t["language"] for t in bilingual["texts"]] == ["ru", "en"]
        errors = [
            p.path for p in probes() if p.method == "GET" and client.get(p.path).status_code >= 500
        ]
        assert not errors, errors


def _export(db: str, tmp: Path, *options: str) -> list[dict[str, Any]]:
    path = tmp / f"export-{abs(hash((db, options)))}.jsonl.gz"
    result = CliRunner().invoke(cli, ["export", str(path), "--db", db, *options])
    assert result.exit_code == 0, result.output
    with gzip.open(path, "rt", encoding="utf-8") as f:
        return [json.loads(line) for line in f]


def _without_provenance(value: Any) -> Any:
    """Where each archive read its files from differs (its own temporary folder)."""
    if isinstance(value, dict):
        return {k: _without_provenance(v) for k, v in value.items() if k != "provenance"}
    if isinstance(value, list):
        return [_without_provenance(v) for v in value]
    return value


def _normal_lines(lines: list[dict[str, Any]]) -> list[str]:
    return sorted(
        normal(json.dumps(_without_provenance(line), sort_keys=True, ensure_ascii=False))
        for line in lines
    )


@pytest.mark.parametrize(
    ("audience", "variant", "markers"),
    [("public", "public", CLOSED_TO_PUBLIC), ("registered", "registered", CLOSED_TO_REGISTERED)],
)
def test_cli_exports_and_searches_for_an_audience_hold_only_what_it_may_read(
    leak_archives: dict[str, LeakArchive],
    tmp_path: Path,
    audience: str,
    variant: str,
    markers: tuple[str, ...],
) -> None:
    # The archives as built (the route tests above have since written to them).
    full, seen = str(leak_archives["full"].pristine), str(leak_archives[variant].pristine)
    got = _export(full, tmp_path, "--for", audience)
    text = json.dumps(got, ensure_ascii=False).casefold()
    assert not [m for m in markers if m in text]
    assert _normal_lines(got) == _normal_lines(_export(seen, tmp_path, "--for", audience))
    for query in ("treaty", "marmaladeor", "Gromyko", "Hiddenname Obscurus", "embargolium"):
        outputs = []
        for db in (full, seen):
            result = CliRunner().invoke(
                cli, ["search", query, "--json", "--sort", "date", "--as", audience, "--db", db]
            )
            assert result.exit_code == 0, result.output
            outputs.append(result.output)
        shown = [m for m in markers if m in outputs[0].casefold() and m not in query.casefold()]
        assert not shown, query
        assert outputs[0] == outputs[1], query


def test_a_full_export_keeps_closed_material_and_the_editorial_record(
    leak_archives: dict[str, LeakArchive], tmp_path: Path
) -> None:
    lines = _export(str(leak_archives["full"].pristine), tmp_path)
    kinds = {line["kind"] for line in lines}
    assert {"version", "edit", "annotation"} <= kinds
    text = json.dumps(lines, ensure_ascii=False).casefold()
    assert all(m in text for m in ("qzalpha", "qztheta", "qzkappa"))
