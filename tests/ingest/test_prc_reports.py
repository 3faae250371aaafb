"""PRC Government Work Reports and CPC congress reports: one dated Chinese Document a line.

Counts and facts are checked against the JSONL read with the json module alone.
"""

from __future__ import annotations

import json
from pathlib import Path
from urllib.parse import unquote

import pytest

from declass.ingest.pipeline import ingest
from declass.ingest.prc_reports import PrcReportsReader
from declass.ingest.registry import default_registry
from declass.ingest.source import Source
from declass.model import (
    BlockKind,
    DatePrecision,
    Document,
    DocumentType,
    NoteKind,
    ParticipantRole,
    Rejection,
)
from declass.store import open_store

FILES = ("government_work_reports.jsonl", "cpc_congress_reports.jsonl")


@pytest.fixture(scope="module")
def folder(corpora: Path) -> Path:
    return corpora / "prc-political"


@pytest.fixture(scope="module")
def records(folder: Path) -> dict[str, list[dict[str, object]]]:
    """Each file's records, read with the json module, one a non-empty line."""
    return {
        name: [
            json.loads(line)
            for line in (folder / name).read_text("utf-8").splitlines()
            if line.strip()
        ]
        for name in FILES
    }


@pytest.fixture(scope="module")
def read(folder: Path) -> dict[str, list[object]]:
    reader = PrcReportsReader()
    return {name: list(reader.read(Source(folder / name))) for name in FILES}


def _documents(items: list[object]) -> list[Document]:
    return [i for i in items if isinstance(i, Document)]


def _by_title(items: list[object], title: str) -> Document:
    return next(d for d in _documents(items) if d.title == title)


def test_every_line_is_a_document_except_the_page_that_only_lists_versions(
    records: dict[str, list[dict[str, object]]], read: dict[str, list[object]]
) -> None:
    assert sum(len(r) for r in records.values()) == 88
    for name in FILES:
        documents = _documents(read[name])
        rejections = [i for i in read[name] if isinstance(i, Rejection)]
        assert len(documents) + len(rejections) == len(records[name])
    # 論聯合政府 is a disambiguation page on Wikisource: its content names two versions.
    [rejection] = [i for i in read["cpc_congress_reports.jsonl"] if isinstance(i, Rejection)]
    listed = records["cpc_congress_reports.jsonl"][int(rejection.position.split()[1]) - 1]
    assert listed["title"] == "論聯合政府 (七大)"
    assert "page listing versions" in rejection.reason


def test_ids_are_the_wikisource_page_names_and_unique(
    records: dict[str, list[dict[str, object]]], read: dict[str, list[object]]
) -> None:
    pages = {
        unquote(str(r["url"]).split("/wiki/", 1)[1]).replace(" ", "_")
        for rows in records.values()
        for r in rows
    }
    ids = [d.id for name in FILES for d in _documents(read[name])]
    assert len(ids) == len(set(ids)) == 87
    assert {i.removeprefix("prc-reports:") for i in ids} <= pages


def test_a_report_with_a_dateline_is_dated_to_the_day_with_its_speaker(
    read: dict[str, list[object]],
) -> None:
    report = _by_title(
        read["government_work_reports.jsonl"], "2024年中华人民共和国国务院政府工作报告"
    )
    assert report.date is not None and report.date.precision is DatePrecision.DAY
    assert report.date.earliest is not None and report.date.earliest.isoformat() == "2024-03-05"
    assert "第十四届全国人民代表大会第二次会议" in report.date.label
    [speaker] = report.participants
    assert (speaker.name, speaker.role, speaker.post) == (
        "李强",
        ParticipantRole.SPEAKER,
        "国务院总理",
    )
    assert report.language == "zh" and report.doc_type is DocumentType.REPORT
    assert report.collections == ("prc-reports:government-work-reports",)


def test_a_report_without_a_dateline_keeps_the_year_of_its_record_and_no_invented_day(
    records: dict[str, list[dict[str, object]]], read: dict[str, list[object]]
) -> None:
    years = {
        r["title"]: r["year"] for r in records["government_work_reports.jsonl"] if r.get("year")
    }
    assert len(years) >= 50
    for doc in _documents(read["government_work_reports.jsonl"]):
        if doc.title not in years:
            continue
        assert doc.date is not None and doc.date.year == int(str(years[doc.title]))
        if doc.date.precision is DatePrecision.DAY:
            # A day only where the text states one.
            assert any(b.kind is BlockKind.DATELINE for b in doc.texts[0].blocks), doc.title
    report_2025 = _by_title(
        read["government_work_reports.jsonl"], "2025年中华人民共和国国务院政府工作报告"
    )
    assert report_2025.date is not None and report_2025.date.precision is DatePrecision.YEAR


def test_congress_reports_are_dated_by_their_congress(
    records: dict[str, list[dict[str, object]]], read: dict[str, list[object]]
) -> None:
    congress = {r["title"]: r["congress"] for r in records["cpc_congress_reports.jsonl"]}
    ninth = _by_title(read["cpc_congress_reports.jsonl"], "在中国共产党第九次全国代表大会上的报告")
    assert congress[ninth.title] == 9 and ninth.sequence == 9
    assert ninth.date is not None and (ninth.date.year, ninth.date.precision) == (
        1969,
        DatePrecision.YEAR,
    )
    twentieth = next(d for d in _documents(read["cpc_congress_reports.jsonl"]) if d.sequence == 20)
    assert twentieth.date is not None and twentieth.date.display() == "2022-10-16"
    assert [p.name for p in twentieth.participants] == ["习近平"]


def test_a_resolution_is_authored_by_its_session_and_dated_by_its_adoption(
    read: dict[str, list[object]],
) -> None:
    title = "第十四届全国人民代表大会第一次会议关于政府工作报告的决议"
    resolution = _by_title(read["government_work_reports.jsonl"], title)
    assert resolution.doc_type is DocumentType.OTHER
    assert resolution.date is not None and resolution.date.display() == "2023-03-13"
    assert [(p.name, p.role) for p in resolution.participants] == [
        ("第十四届全国人民代表大会第一次会议", ParticipantRole.AUTHOR)
    ]


def test_blocks_split_at_blank_lines_and_numbered_headings(
    folder: Path, read: dict[str, list[object]]
) -> None:
    report = _by_title(
        read["government_work_reports.jsonl"], "2025年中华人民共和国国务院政府工作报告"
    )
    blocks = report.texts[0].blocks
    headings = [b.text for b in blocks if b.kind is BlockKind.HEADING]
    assert headings[:3] == [
        "一、2024年工作回顾",
        "二、2025年经济社会发展总体要求和政策取向",
        "三、2025年政府工作任务",
    ]
    assert blocks[0].text == "各位代表：" and blocks[0].kind is BlockKind.PARAGRAPH
    # Wikisource breaks a line around link text; the paragraph is whole again.
    resolution = _by_title(
        read["government_work_reports.jsonl"],
        "第十四届全国人民代表大会第三次会议关于政府工作报告的决议",
    )
    assert "国务院总理李强所作的政府工作报告。会议充分肯定" in resolution.texts[0].blocks[0].text


def test_the_licence_notice_is_a_rights_note_not_text(read: dict[str, list[object]]) -> None:
    for doc in _documents(read["government_work_reports.jsonl"]):
        assert not any(
            "Public domain" in b.text or "著作权法" in b.text for b in doc.texts[0].blocks
        )
    report = _by_title(
        read["government_work_reports.jsonl"], "2025年中华人民共和国国务院政府工作报告"
    )
    [rights] = [n for n in report.notes if n.label == "rights"]
    assert "著作权法" in rights.text and "Public domain" not in rights.text


def test_footnotes_of_chen_duxius_report_are_anchored_notes(read: dict[str, list[object]]) -> None:
    report = next(d for d in _documents(read["cpc_congress_reports.jsonl"]) if d.sequence == 3)
    footnotes = [n for n in report.notes if n.kind is NoteKind.FOOTNOTE]
    assert [n.label for n in footnotes] == ["1", "2", "3", "4", "5"]
    assert footnotes[3].text.endswith("故判定為鄧中夏。")
    anchor = footnotes[0].anchor
    assert anchor is not None
    block = report.texts[0].blocks[anchor.block_index].text
    assert block[: anchor.offset].endswith("上屆代表會議") and "[1]" not in block
    assert not any(b.text == "↑" for b in report.texts[0].blocks)


def test_bad_lines_are_rejected_and_the_rest_read(folder: Path, tmp_path: Path) -> None:
    # Synthetic: one real line between broken ones.
    real = (folder / FILES[0]).read_text("utf-8").splitlines()[0]
    path = tmp_path / "reports_synthetic.jsonl"
    path.write_text("\n".join([real, "{not json", "[1, 2]", '{"title": "x", "url": "u"}', ""]))
    items = list(PrcReportsReader().read(Source(path)))
    assert len(_documents(items)) == 1
    reasons = {r.position: r.reason for r in items if isinstance(r, Rejection)}
    assert set(reasons) == {"line 2", "line 3", "line 4"}
    assert "bad JSON" in reasons["line 2"] and "title and a content" in reasons["line 4"]


def test_reingest_of_the_folder_writes_nothing(folder: Path, tmp_path: Path) -> None:
    store = open_store(tmp_path / "a.sqlite3")
    try:
        first = ingest(store, [folder], default_registry())
        assert first.added == 87 + 3  # documents, and the corpus and its two collections
        assert [r.position for r in first.rejections] == ["line 4"]
        again = ingest(store, [folder], default_registry())
        assert (again.added, again.updated, again.unchanged) == (0, 0, 90)
    finally:
        store.close()
