"""Country codes and names resolved at a date."""

from __future__ import annotations

from datetime import date

import pytest

from declass.countries import country_at, country_named, un_member
from declass.model import CountryRef


@pytest.mark.parametrize(
    ("code", "when", "name"),
    [
        ("SUN", date(1969, 9, 20), "Union of Soviet Socialist Republics"),
        ("RUS", date(1969, 9, 20), "Russian Soviet Federative Socialist Republic"),
        ("RUS", date(1991, 12, 25), "Russian Federation"),
        ("RUS", date(2000, 9, 1), "Russian Federation"),
        ("CHN", date(1935, 9, 1), "Republic of China"),
        ("CHN", date(1949, 10, 1), "People's Republic of China"),
        ("CHN", date(1960, 9, 1), "People's Republic of China"),
        ("TWN", date(1960, 9, 1), "Republic of China (Taiwan)"),
        ("TWN", date(1980, 9, 1), "Republic of China (Taiwan)"),
        ("DEU", date(1975, 9, 1), "Federal Republic of Germany"),
        ("DEU", date(1990, 10, 3), "Germany"),
        ("DDR", date(1975, 9, 1), "German Democratic Republic"),
        ("YEM", date(1975, 9, 1), "Yemen Arab Republic"),
        ("YEM", date(1995, 9, 1), "Yemen"),
        ("YMD", date(1969, 9, 1), "People's Republic of Southern Yemen"),
        ("YMD", date(1975, 9, 1), "People's Democratic Republic of Yemen"),
        ("COD", date(1980, 9, 1), "Zaire"),
        ("COD", date(2000, 9, 1), "Democratic Republic of the Congo"),
        ("MMR", date(1960, 9, 1), "Burma"),
        ("MMR", date(2000, 9, 1), "Myanmar"),
        ("LKA", date(1960, 9, 1), "Ceylon"),
        ("LKA", date(1980, 9, 1), "Sri Lanka"),
        ("YUG", date(1980, 9, 1), "Socialist Federal Republic of Yugoslavia"),
        ("YUG", date(2004, 9, 1), "Serbia and Montenegro"),
        ("CSK", date(1960, 9, 1), "Czechoslovakia"),
        ("CZK", date(1946, 10, 1), "Czechoslovakia"),
        ("CZE", date(1953, 10, 1), "Czechoslovakia"),
        ("CZE", date(1995, 10, 1), "Czech Republic"),
        ("TZA", date(1963, 10, 1), "Tanganyika"),
        ("EGY", date(1965, 10, 1), "United Arab Republic"),
        ("EGY", date(1975, 10, 1), "Egypt"),
        ("KHM", date(1980, 10, 1), "Democratic Kampuchea"),
        ("EU", date(2012, 9, 1), "European Union"),
    ],
)
def test_country_at_gives_the_name_the_code_had_on_that_day(code, when, name):
    assert country_at(code, when) == CountryRef(code, name)


def test_country_at_without_a_date_gives_todays_name():
    assert country_at("RUS").name == "Russian Federation"
    assert country_at("MMR").name == "Myanmar"
    assert country_at("PHL").name == "Philippines"


def test_country_at_turns_isos_inverted_names_round():
    assert country_at("KOR").name == "Republic of Korea"
    assert country_at("BOL").name == "Bolivia"


def test_country_at_normalises_the_code():
    assert country_at(" sun ", date(1969, 1, 1)) == CountryRef(
        "SUN", "Union of Soviet Socialist Republics"
    )


def test_defunct_state_keeps_its_name_outside_its_dates():
    assert country_at("DDR").name == "German Democratic Republic"
    assert country_at("CSK", date(2000, 1, 1)).name == "Czechoslovakia"


def test_unknown_code_comes_back_as_itself():
    assert country_at("QQQ", date(1970, 1, 1)) == CountryRef("QQQ", "QQQ")


@pytest.mark.parametrize("code", ["CSK", "CZK", "DDR", "YMD", "YUG", "EU", "VAT", "PSE", "SUN"])
def test_historical_and_non_standard_codes_have_names(code):
    assert country_at(code, date(1980, 9, 1)).name != code


@pytest.mark.parametrize(
    ("name", "when", "expected"),
    [
        ("philippines", None, CountryRef("PHL", "Philippines")),
        ("china", date(1960, 1, 1), CountryRef("CHN", "People's Republic of China")),
        ("china", date(1935, 1, 1), CountryRef("CHN", "Republic of China")),
        ("china", date(1980, 1, 1), CountryRef("CHN", "People's Republic of China")),
        ("soviet-union", None, CountryRef("SUN", "Union of Soviet Socialist Republics")),
        (
            "Soviet Union",
            date(1970, 1, 1),
            CountryRef("SUN", "Union of Soviet Socialist Republics"),
        ),
        ("russia", date(1969, 1, 1), CountryRef("SUN", "Union of Soviet Socialist Republics")),
        ("russia", date(2000, 1, 1), CountryRef("RUS", "Russian Federation")),
        ("Korea, South", None, CountryRef("KOR", "Republic of Korea")),
        ("korea-south", None, CountryRef("KOR", "Republic of Korea")),
        ("Burma", date(1960, 1, 1), CountryRef("MMR", "Burma")),
        ("Myanmar", date(1960, 1, 1), CountryRef("MMR", "Burma")),
        ("Viet-Nam", None, CountryRef("VNM", "Viet Nam")),
        ("vietnam-south", None, CountryRef("VNM", "Republic of Viet-Nam")),
        ("The Gambia", None, CountryRef("GMB", "Gambia")),
        ("cote-divoire", None, CountryRef("CIV", "Côte d'Ivoire")),
        ("congo-democratic-republic", date(1980, 1, 1), CountryRef("COD", "Zaire")),
        ("Republic of China", date(1935, 1, 1), CountryRef("CHN", "Republic of China")),
        ("Republic of China", date(1960, 1, 1), CountryRef("TWN", "Republic of China (Taiwan)")),
        ("Republic of China", date(1980, 1, 1), CountryRef("TWN", "Republic of China (Taiwan)")),
        ("german-democratic-republic", None, CountryRef("DDR", "German Democratic Republic")),
        ("Germany", date(1970, 1, 1), CountryRef("DEU", "Federal Republic of Germany")),
        ("saint-vincent-grenadines", None, CountryRef("VCT", "Saint Vincent and the Grenadines")),
        ("St. Lucia", None, CountryRef("LCA", "Saint Lucia")),
        ("USSR", None, CountryRef("SUN", "Union of Soviet Socialist Republics")),
    ],
)
def test_country_named_resolves_names_and_slugs_at_a_date(name, when, expected):
    assert country_named(name, when) == expected


@pytest.mark.parametrize("name", ["atlantis", "", "the", "---", "New York"])
def test_country_named_gives_none_for_what_is_not_a_country(name):
    assert country_named(name) is None


@pytest.mark.parametrize(
    ("code", "when", "expected"),
    [
        ("CHN", date(1950, 10, 1), CountryRef("TWN", "Republic of China (Taiwan)")),
        ("CHN", date(1971, 10, 1), CountryRef("TWN", "Republic of China (Taiwan)")),
        ("CHN", date(1972, 10, 1), CountryRef("CHN", "People's Republic of China")),
        ("CHN", date(1946, 10, 1), CountryRef("CHN", "Republic of China")),
        ("RUS", date(1969, 10, 1), CountryRef("SUN", "Union of Soviet Socialist Republics")),
        ("RUS", date(1991, 10, 1), CountryRef("SUN", "Union of Soviet Socialist Republics")),
        ("RUS", date(1992, 10, 1), CountryRef("RUS", "Russian Federation")),
        ("USA", date(1969, 10, 1), CountryRef("USA", "United States")),
    ],
)
def test_a_un_seat_is_named_by_the_state_that_held_it(code, when, expected):
    """The UN's records keep CHN and RUS per seat; the PRC and the ROC, the USSR and
    Russia are different states."""
    assert un_member(code, when) == expected
