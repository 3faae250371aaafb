"""The JSON API: the data of every page, ETags, pagination, problem details."""

from __future__ import annotations

from starlette.testclient import TestClient


def test_search_returns_results_facets_and_paging(client: TestClient) -> None:
    found = client.get("/api/search", params={"q": "Gromyko", "facet": "decade:1960s"}).json()
    assert found["total"] == sum(f["count"] for f in found["facets"]["decade"]) > 0
    assert {r["id"].split("_")[0] for r in found["results"]} <= {
        "ungdc:RUS",
        "ungdc:USA",
        "ungdc:CHN",
    }
    assert found["page"] == 1 and found["pages"] >= 1


def test_document_carries_structure_notes_and_citations(client: TestClient) -> None:
    doc = client.get("/api/documents/frus-history:1972-09-22-kogan-to-franklin").json()
    assert doc["notes"][0]["number"] == 1
    markers = [s for t in doc["texts"] for b in t["blocks"] for s in b["segments"] if "note" in s]
    assert len(markers) == len(doc["notes"])
    assert doc["citation"]["csl_json"]["author"] == [{"family": "Kogan", "given": "Arthur"}]


def test_etag_gives_304_when_unchanged(client: TestClient) -> None:
    first = client.get("/api/documents/ungdc:RUS_24_1969")
    etag = first.headers["etag"]
    again = client.get("/api/documents/ungdc:RUS_24_1969", headers={"If-None-Match": etag})
    assert again.status_code == 304 and again.content == b""
    other = client.get("/api/documents/ungdc:RUS_23_1968", headers={"If-None-Match": etag})
    assert other.status_code == 200


def test_errors_are_problem_details(client: TestClient) -> None:
    bad = client.get("/api/search", params={"q": 'a "b'})
    assert bad.status_code == 400
    assert bad.headers["content-type"] == "application/problem+json"
    assert bad.json()["status"] == 400 and "position" in bad.json()
    missing = client.get("/api/documents/ungdc:NOPE_1_1900")
    assert missing.status_code == 404 and missing.json()["title"] == "Not found"
    assert client.get("/api/search", params={"page": "x"}).status_code == 400
    assert client.get("/api/collections/ungdc", params={"page_size": "1000"}).status_code == 400


def test_person_country_and_collection(client: TestClient) -> None:
    person = client.get("/api/people/person:hsg-105222").json()
    # The UN speakers list names him "Mr. GROMYKO": his speeches are the records that
    # print only his surname, offered apart from those linked to him.
    assert person["documents"]["surname_only"]["total"] >= 20
    country = client.get("/api/countries/RUS").json()
    ussr = client.get("/api/countries/SUN").json()  # the Soviet Union's essay names the USSR
    assert any(r["id"] == "rdcr:soviet-union" for r in country["relations"] + ussr["relations"])
    assert country["chiefs_of_mission"] and (country["visits"] or ussr["visits"])
    page2 = client.get("/api/collections/ungdc", params={"page": 2, "page_size": 5}).json()
    assert page2["page"] == 2 and len(page2["results"]) == 5 and page2["links"]["prev"]


def test_citation_downloads(client: TestClient) -> None:
    bib = client.get("/api/citations/ungdc:RUS_24_1969", params={"format": "bibtex"})
    assert bib.text.startswith("@misc{ungdc-RUS-24-1969,") and "year = {1969}" in bib.text
    csl = client.get("/api/citations/ungdc:RUS_24_1969", params={"format": "csl-json"}).json()
    assert csl[0]["type"] == "speech" and csl[0]["issued"] == {"date-parts": [[1969]]}


def test_openapi_schema_lists_every_api_route(client: TestClient) -> None:
    schema = client.get("/api/openapi.json").json()
    assert schema["openapi"].startswith("3.")
    assert {
        "/api/search",
        "/api/documents/{doc_id}",
        "/api/people/{person_id}",
        "/api/countries/{code}",
        "/api/collections/{collection_id}",
    } <= set(schema["paths"])
