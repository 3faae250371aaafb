"""OAI-PMH 2.0: harvesters read the archive's public documents as Dublin Core.

Harvesters are anonymous, so the repository is the public's: it is answered from a
store scoped to the public (declass.store.scoped), and nothing closed, not even an
identifier, reaches it. A document's datestamp is the day its current version was
stored or its embargo lifted, whichever is later, so a harvester asking "from"
yesterday collects what opened today. Deleted records are not reported (a withdrawn
document must leave no identifier behind); sets are the open collections.
"""

from __future__ import annotations

import base64
import json
import re
from collections.abc import Mapping, Sequence
from datetime import UTC, date, datetime
from urllib.parse import quote

from lxml import etree

from declass.errors import NotFound
from declass.model import Document, ParticipantRole
from declass.store.base import Store

OAI = "http://www.openarchives.org/OAI/2.0/"
OAI_DC = "http://www.openarchives.org/OAI/2.0/oai_dc/"
DC = "http://purl.org/dc/elements/1.1/"
XSI = "http://www.w3.org/2001/XMLSchema-instance"
PREFIX = "oai:declass:"
PAGE = 100
_SET_SPEC = re.compile(r"^[A-Za-z0-9\-_.!~*'()]+(:[A-Za-z0-9\-_.!~*'()]+)*$")
_DAY = re.compile(r"^\d{4}-\d{2}-\d{2}$")
ARGUMENTS = {
    "Identify": (set(), set()),
    "ListMetadataFormats": (set(), {"identifier"}),
    "ListSets": (set(), {"resumptionToken"}),
    "GetRecord": ({"identifier", "metadataPrefix"}, set()),
    "ListIdentifiers": ({"metadataPrefix"}, {"from", "until", "set", "resumptionToken"}),
    "ListRecords": ({"metadataPrefix"}, {"from", "until", "set", "resumptionToken"}),
}


class OaiError(Exception):
    def __init__(self, code: str, message: str) -> None:
        self.code, self.message = code, message
        super().__init__(message)


def respond(
    store: Store, params: Mapping[str, Sequence[str]], base_url: str, name: str = "declass"
) -> bytes:
    """The OAI-PMH response to a request's parameters (each may repeat: an error)."""
    root = etree.Element(f"{{{OAI}}}OAI-PMH", nsmap={None: OAI, "xsi": XSI})
    root.set(f"{{{XSI}}}schemaLocation", f"{OAI} http://www.openarchives.org/OAI/2.0/OAI-PMH.xsd")
    etree.SubElement(root, f"{{{OAI}}}responseDate").text = datetime.now(UTC).strftime(
        "%Y-%m-%dT%H:%M:%SZ"
    )
    request = etree.SubElement(root, f"{{{OAI}}}request")
    request.text = base_url
    verb = (params.get("verb") or [""])[0]
    try:
        args = _arguments(params, verb)
        for k, v in args.items():
            request.set(k, v)
        request.set("verb", verb)
        body = etree.SubElement(root, f"{{{OAI}}}{verb}")
        _VERBS[verb](store, args, base_url, name, body)
    except OaiError as exc:
        if len(root) > 2:
            root.remove(root[-1])
        error = etree.SubElement(root, f"{{{OAI}}}error", code=exc.code)
        error.text = exc.message
    return etree.tostring(root, xml_declaration=True, encoding="utf-8", pretty_print=True)


def _arguments(params: Mapping[str, Sequence[str]], verb: str) -> dict[str, str]:
    if verb not in ARGUMENTS:
        raise OaiError("badVerb", f"not an OAI-PMH verb: {verb!r}" if verb else "no verb given")
    required, optional = ARGUMENTS[verb]
    args: dict[str, str] = {}
    for key, values in params.items():
        if key == "verb":
            if len(values) > 1:
                raise OaiError("badVerb", "the verb is given more than once")
            continue
        if key not in required | optional:
            raise OaiError("badArgument", f"{verb} takes no argument {key!r}")
        if len(values) != 1:
            raise OaiError("badArgument", f"{key} is given more than once")
        args[key] = values[0]
    if "resumptionToken" in args:
        if len(args) > 1:
            raise OaiError("badArgument", "resumptionToken is an exclusive argument")
        return args
    missing = required - set(args)
    if missing:
        raise OaiError("badArgument", f"{verb} needs {', '.join(sorted(missing))}")
    return args


def identifier(doc_id: str) -> str:
    return PREFIX + doc_id


def _doc_id(oai_id: str) -> str:
    if not oai_id.startswith(PREFIX):
        raise OaiError("idDoesNotExist", f"no record {oai_id!r}")
    return oai_id[len(PREFIX) :]


def _identify(
    store: Store, args: dict[str, str], base: str, name: str, body: etree._Element
) -> None:
    stamps = store.document_stamps(None, date.today().isoformat(), limit=10**9)
    earliest = min((s for _, s in stamps), default=date.today().isoformat())
    for tag, value in (
        ("repositoryName", name),
        ("baseURL", base),
        ("protocolVersion", "2.0"),
        ("adminEmail", "archivist@example.invalid"),
        ("earliestDatestamp", earliest),
        ("deletedRecord", "no"),
        ("granularity", "YYYY-MM-DD"),
    ):
        etree.SubElement(body, f"{{{OAI}}}{tag}").text = value


def _formats(
    store: Store, args: dict[str, str], base: str, name: str, body: etree._Element
) -> None:
    if "identifier" in args:
        _document(store, args["identifier"])
    fmt = etree.SubElement(body, f"{{{OAI}}}metadataFormat")
    etree.SubElement(fmt, f"{{{OAI}}}metadataPrefix").text = "oai_dc"
    etree.SubElement(
        fmt, f"{{{OAI}}}schema"
    ).text = "http://www.openarchives.org/OAI/2.0/oai_dc.xsd"
    etree.SubElement(fmt, f"{{{OAI}}}metadataNamespace").text = OAI_DC


def _sets(store: Store, args: dict[str, str], base: str, name: str, body: etree._Element) -> None:
    if "resumptionToken" in args:
        raise OaiError("badResumptionToken", "sets come in one list")
    for c in store.collections():
        if not _SET_SPEC.match(c.id):
            continue
        s = etree.SubElement(body, f"{{{OAI}}}set")
        etree.SubElement(s, f"{{{OAI}}}setSpec").text = c.id
        etree.SubElement(s, f"{{{OAI}}}setName").text = c.title


def _document(store: Store, oai_id: str) -> Document:
    try:
        return store.document(_doc_id(oai_id))
    except NotFound:
        raise OaiError("idDoesNotExist", f"no record {oai_id!r}") from None


def _get(store: Store, args: dict[str, str], base: str, name: str, body: etree._Element) -> None:
    _check_prefix(args["metadataPrefix"])
    doc = _document(store, args["identifier"])
    stamp = store.versions(doc.id)[-1].created_at[:10]
    if doc.embargo_until is not None:
        stamp = max(stamp, doc.embargo_until.isoformat())
    _record(body, doc, stamp, base, full=True)


def _check_prefix(prefix: str) -> None:
    if prefix != "oai_dc":
        raise OaiError("cannotDisseminateFormat", f"records are given as oai_dc, not {prefix!r}")


def _list(full: bool) -> object:
    def run(store: Store, args: dict[str, str], base: str, name: str, body: etree._Element) -> None:
        if "resumptionToken" in args:
            args = _decode(args["resumptionToken"])
        _check_prefix(args.get("metadataPrefix", ""))
        since, until = args.get("from", ""), args.get("until", "")
        for value in (since, until):
            if value and not _DAY.match(value):
                raise OaiError("badArgument", f"dates are YYYY-MM-DD, not {value!r}")
        if since and until and since > until:
            raise OaiError("badArgument", "from is later than until")
        wanted = args.get("set")
        if wanted is not None and wanted not in {c.id for c in store.collections()}:
            raise OaiError("noRecordsMatch", f"no set {wanted!r}")
        stamps = store.document_stamps(
            None,
            date.today().isoformat(),
            after=args.get("after", ""),
            limit=PAGE + 1,
            since=since,
            until=until,
            collection=wanted,
        )
        if not stamps:
            if args.get("after"):
                etree.SubElement(body, f"{{{OAI}}}resumptionToken")
                return
            raise OaiError("noRecordsMatch", "no records match")
        for doc_id, stamp in stamps[:PAGE]:
            if full:
                try:
                    doc = store.document(doc_id)
                except NotFound:
                    continue
                _record(body, doc, stamp, base, full=True)
            else:
                _header(body, doc_id, stamp, [])
        token = etree.SubElement(body, f"{{{OAI}}}resumptionToken")
        if len(stamps) > PAGE:
            token.text = _encode(
                {
                    **{k: v for k, v in args.items() if k != "resumptionToken"},
                    "after": stamps[PAGE - 1][0],
                }
            )

    return run


def _encode(state: dict[str, str]) -> str:
    return base64.urlsafe_b64encode(json.dumps(state, sort_keys=True).encode()).decode()


def _decode(token: str) -> dict[str, str]:
    try:
        state = json.loads(base64.urlsafe_b64decode(token.encode()))
        if not isinstance(state, dict) or not all(isinstance(v, str) for v in state.values()):
            raise ValueError(token)
        return state
    except (ValueError, UnicodeError):
        raise OaiError("badResumptionToken", "the resumption token cannot be read") from None


def _header(parent: etree._Element, doc_id: str, stamp: str, sets: Sequence[str]) -> None:
    header = etree.SubElement(parent, f"{{{OAI}}}header")
    etree.SubElement(header, f"{{{OAI}}}identifier").text = identifier(doc_id)
    etree.SubElement(header, f"{{{OAI}}}datestamp").text = stamp
    for s in sets:
        if _SET_SPEC.match(s):
            etree.SubElement(header, f"{{{OAI}}}setSpec").text = s


def _record(parent: etree._Element, doc: Document, stamp: str, base: str, full: bool) -> None:
    record = etree.SubElement(parent, f"{{{OAI}}}record")
    _header(record, doc.id, stamp, doc.collections)
    metadata = etree.SubElement(record, f"{{{OAI}}}metadata")
    dc = etree.SubElement(
        metadata, f"{{{OAI_DC}}}dc", nsmap={"oai_dc": OAI_DC, "dc": DC, "xsi": XSI}
    )
    dc.set(f"{{{XSI}}}schemaLocation", f"{OAI_DC} http://www.openarchives.org/OAI/2.0/oai_dc.xsd")

    def add(tag: str, value: str) -> None:
        if value:
            etree.SubElement(dc, f"{{{DC}}}{tag}").text = value

    add("title", doc.title)
    for p in doc.participants:
        if p.role in (ParticipantRole.AUTHOR, ParticipantRole.SPEAKER):
            add("creator", p.name)
    add("date", doc.date.sort_key() if doc.date else "")
    add("type", doc.doc_type.value)
    add("language", doc.language if doc.language != "und" else "")
    for subject in doc.subjects:
        add("subject", subject)
    for c in doc.countries:
        add("coverage", c.name)
    add("description", doc.source_note)
    add(
        "identifier",
        base.rstrip("/").rsplit("/oai", 1)[0] + "/documents/" + quote(doc.id, safe=":/"),
    )


_VERBS = {
    "Identify": _identify,
    "ListMetadataFormats": _formats,
    "ListSets": _sets,
    "GetRecord": _get,
    "ListIdentifiers": _list(full=False),
    "ListRecords": _list(full=True),
}
