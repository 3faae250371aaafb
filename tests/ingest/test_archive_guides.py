"""World Wide Diplomatic Archives Index: each country guide an essay linked to its country."""

from __future__ import annotations

from datetime import date
from pathlib import Path

import pytest

from declass.errors import IngestError
from declass.ingest.archive_guides import ArchiveGuideReader
from declass.ingest.source import Source
from declass.ingest.tei import TeiReader
from declass.model import BlockKind, Collection, DatePrecision, Document, DocumentType, NoteKind
from tests.ingest.hsg_extra import TEI, read_all, source, tarball, tree, under

FOLDER = "HistoryAtState+wwdai/articles/"


@pytest.fixture(scope="module")
def path(corpora: Path) -> Path:
    return tarball(corpora)


@pytest.fixture(scope="module")
def guides(path: Path) -> dict[str, Document]:
    items = list(read_all(ArchiveGuideReader(), path, FOLDER))
    assert {c.id for c in items if isinstance(c, Collection)} == {"wwdai"}
    return {d.id: d for d in items if isinstance(d, Document)}


def test_every_country_article_becomes_one_essay(path: Path, guides: dict[str, Document]) -> None:
    names = under(path, FOLDER)
    assert len(names) == 140
    assert set(guides) == {f"wwdai:{Path(n).stem}" for n in names}
    assert all(d.doc_type is DocumentType.ESSAY for d in guides.values())
    assert all(d.collections == ("wwdai",) for d in guides.values())


def test_every_guide_is_linked_to_exactly_one_resolved_country(
    guides: dict[str, Document],
) -> None:
    codes = {d.id: [c.code for c in d.countries] for d in guides.values()}
    assert all(len(c) == 1 and len(c[0]) == 3 and c[0].isupper() for c in codes.values())
    assert codes["wwdai:china"] == ["CHN"]
    assert codes["wwdai:korea-south"] == ["KOR"]
    assert codes["wwdai:slovakia"] == ["SVK"]  # titled "Slovkia" in the file
    assert codes["wwdai:timor-leste"] == ["TLS"]  # titled "Timor"


def test_russia_guide_is_about_todays_russia(guides: dict[str, Document]) -> None:
    (russia,) = guides["wwdai:russia"].countries
    assert (russia.code, russia.name) == ("RUS", "Russian Federation")


def test_each_section_head_is_a_heading_block(path: Path, guides: dict[str, Document]) -> None:
    for name, data in under(path, FOLDER).items():
        heads = [
            " ".join(h.xpath("string()").split()) for h in tree(data).iterfind(".//t:head", TEI)
        ]
        blocks = guides[f"wwdai:{Path(name).stem}"].texts[0].blocks
        assert [b.text for b in blocks if b.kind is BlockKind.HEADING] == heads


def test_website_links_keep_their_addresses(guides: dict[str, Document]) -> None:
    body = guides["wwdai:china"].body
    assert "Foreign Ministry Archives <http://dag.fmprc.gov.cn/chn/> (Chinese language)" in body
    assert "Chaoyangmen Nandajie" in body


def test_guide_is_dated_by_the_year_it_was_compiled(guides: dict[str, Document]) -> None:
    china = guides["wwdai:china"].date
    assert china is not None and china.precision is DatePrecision.YEAR
    assert (china.earliest, china.latest) == (date(2008, 1, 1), date(2008, 12, 31))


def test_revision_note_is_kept_with_its_date(guides: dict[str, Document]) -> None:
    (note,) = guides["wwdai:france"].notes
    assert note.kind is NoteKind.EDITORIAL and "Paul Pitman" in note.text
    assert note.date is not None and note.date.earliest == date(2011, 3, 28)


def test_reader_claims_guides_before_the_general_tei_reader(path: Path) -> None:
    china = source(path, f"./{FOLDER}china.xml")
    bio = source(path, "./HistoryAtState+other-publications/secretary-bios/hull-cordell.xml")
    assert ArchiveGuideReader().detect(china) and TeiReader().detect(china)
    assert not ArchiveGuideReader().detect(bio)


def test_guide_for_an_unknown_country_is_refused(tmp_path: Path) -> None:
    # Synthetic: a guide whose file name and title name no country.
    f = tmp_path / "atlantis.xml"
    f.write_text(
        '<TEI xmlns="http://www.tei-c.org/ns/1.0"><teiHeader><fileDesc><titleStmt>'
        '<title type="complete">World Wide Diplomatic Archives Index: Atlantis</title>'
        '<title type="short">Atlantis</title></titleStmt></fileDesc></teiHeader>'
        "<text><body><div><head>Location</head><p>Under the sea.</p></div></body></text></TEI>"
    )
    assert ArchiveGuideReader().detect(Source(f))
    with pytest.raises(IngestError, match="no country"):
        list(ArchiveGuideReader().read(Source(f)))
