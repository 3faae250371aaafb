"""The FRUS subject taxonomy: one TERM authority per category and tag, with its broader term."""

from __future__ import annotations

from pathlib import Path

import pytest

from declass.ingest.source import Source
from declass.ingest.taxonomy import TaxonomyReader
from declass.model import Authority, AuthorityKind, Collection, Rejection
from tests.ingest.hsg_extra import members, source, tarball, tree

MEMBER = "./HistoryAtState+tags/taxonomy/taxonomy.xml"


@pytest.fixture(scope="module")
def path(corpora: Path) -> Path:
    return tarball(corpora)


@pytest.fixture(scope="module")
def terms(path: Path) -> dict[str, Authority]:
    items = list(TaxonomyReader().read(source(path, MEMBER)))
    assert not [r for r in items if isinstance(r, Rejection)]
    assert [c.id for c in items if isinstance(c, Collection)] == ["hsg-taxonomy"]
    return {a.id: a for a in items if isinstance(a, Authority)}


def test_every_category_and_tag_becomes_a_term(path: Path, terms: dict[str, Authority]) -> None:
    root = tree(members(path)[MEMBER])
    ids = root.xpath("//category/id/text() | //tag/id/text()")
    assert len(ids) == 511
    assert set(terms) == {f"subject:{i.strip()}" for i in ids}
    assert all(a.kind is AuthorityKind.TERM for a in terms.values())


def test_term_name_is_the_label_and_a_preferred_variant(terms: dict[str, Authority]) -> None:
    acheson = terms["subject:acheson-dean-gooderham"]
    assert acheson.name == "Acheson, Dean Gooderham"
    assert acheson.all_names == ("Acheson, Dean Gooderham",)
    assert ("hsg-taxonomy", "acheson-dean-gooderham") in acheson.identifiers


def test_every_nested_term_records_its_broader_term(
    path: Path, terms: dict[str, Authority]
) -> None:
    root = tree(members(path)[MEMBER])
    for el in root.xpath("//category | //tag"):
        parent = el.getparent()
        broader = [
            v for k, v in terms[f"subject:{el.findtext('id')}"].identifiers if k == "broader"
        ]
        expected = [f"subject:{parent.findtext('id')}"] if parent.tag != "taxonomy" else []
        assert broader == expected


def test_tag_sample_broader_chain_runs_up_to_places(terms: dict[str, Authority]) -> None:
    def broader(term: str) -> str:
        return dict(terms[term].identifiers)["broader"]

    assert broader("subject:france") == "subject:europe"
    assert broader("subject:europe") == "subject:sovereign-territories"
    assert broader("subject:sovereign-territories") == "subject:places"
    assert "broader" not in dict(terms["subject:places"].identifiers)
    assert dict(terms["subject:places"].identifiers)["hsg-taxonomy-kind"] == "category"


def test_definition_reads_pointers_as_their_labels(terms: dict[str, Authority]) -> None:
    assert terms["subject:detainees"].description == (
        "People held in custody or confinement who are not accorded the legal status of "
        "other terms in this taxonomy—i.e., Asylum or Refugees"
    )
    assert terms["subject:refugees"].description == ""


def test_usage_hint_is_kept_for_whoever_builds_the_facet(terms: dict[str, Authority]) -> None:
    hint = dict(terms["subject:global-issues"].identifiers)["usage-hint"]
    assert hint == "Do not use as tag; this term is too general."


def test_place_tags_carry_the_country_code_and_regions_none(terms: dict[str, Authority]) -> None:
    assert dict(terms["subject:france"].identifiers)["iso3166"] == "FRA"
    congo = terms["subject:democratic-republic-of-the-congo-kinshasa"]
    assert dict(congo.identifiers)["iso3166"] == "COD"
    assert "iso3166" not in dict(terms["subject:near-east"].identifiers)
    assert "iso3166" not in dict(terms["subject:human-rights"].identifiers)


def test_entries_without_id_or_with_a_used_id_are_rejected(tmp_path: Path) -> None:
    # Synthetic: one good tag, one without a label, one repeating the good tag's id.
    f = tmp_path / "taxonomy.xml"
    f.write_text(
        "<taxonomy><title>T</title><category><id>topics</id><label>Topics</label>"
        "<tag><id>peace</id><label>Peace</label></tag>"
        "<tag><id>war</id></tag>"
        "<tag><id>peace</id><label>Peace again</label></tag>"
        "</category></taxonomy>"
    )
    assert TaxonomyReader().detect(Source(f))
    items = list(TaxonomyReader().read(Source(f)))
    assert sorted(a.id for a in items if isinstance(a, Authority)) == [
        "subject:peace",
        "subject:topics",
    ]
    reasons = [r.reason for r in items if isinstance(r, Rejection)]
    assert reasons == ["tag without a label", "id 'peace' is used twice"]
