"""Countries as they were: ISO 3166-1 alpha-3 codes and names resolved at a date.

A code's meaning can change while the code stays (RUS was the USSR's seat until
25 December 1991; CHN was the Republic of China until 25 October 1971), so a name
is always asked for at a date. Current names come from pycountry; the historical
table below holds the eras in which a code meant something else or was named
otherwise, plus the non-standard codes the UN General Debate Corpus uses.
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass
from datetime import date
from functools import cache, lru_cache

import pycountry

from declass.model import CountryRef


@dataclass(frozen=True)
class _Era:
    """One name a code carried, from `start` (inclusive) to `end` (exclusive)."""

    start: date | None
    end: date | None
    name: str
    aliases: tuple[str, ...] = ()

    def covers(self, when: date) -> bool:
        return (self.start is None or self.start <= when) and (self.end is None or when < self.end)


def _d(text: str) -> date:
    return date.fromisoformat(text)


_USSR_END = _d("1991-12-25")  # Gorbachev resigns; the seat passes to the Russian Federation
_CHINA_SEAT = _d("1971-10-25")  # General Assembly resolution 2758
_PRC_FOUNDED = _d("1949-10-01")
_GERMAN_UNITY = _d("1990-10-03")
_YEMEN_UNITY = _d("1990-05-22")
_CZECHOSLOVAKIA_END = _d("1993-01-01")

# Eras in which a code meant something other than today's pycountry name, in order.
# Dates are those of the change of state or name; an era with end None is current.
_HISTORY: dict[str, tuple[_Era, ...]] = {
    "RUS": (
        _Era(None, _d("1917-11-07"), "Russian Empire", ("russian empire",)),
        _Era(
            _d("1917-11-07"),
            _d("1922-12-30"),
            "Russian Soviet Federative Socialist Republic",
            ("rsfsr", "soviet russia"),
        ),
        # 1922–1991 Russia was a republic of the USSR, which is a state of its own: SUN.
        _Era(
            _d("1922-12-30"),
            _USSR_END,
            "Russian Soviet Federative Socialist Republic",
            ("rsfsr",),
        ),
        _Era(_USSR_END, None, "Russian Federation"),
    ),
    "SUN": (
        # "Russia" in the Soviet years means the Union, as diplomats then wrote it.
        _Era(
            _d("1922-12-30"),
            _USSR_END,
            "Union of Soviet Socialist Republics",
            ("ussr", "soviet union", "russia"),
        ),
    ),
    # Founding UN members in their own right while Soviet republics.
    "UKR": (
        _Era(
            None,
            _d("1991-08-24"),
            "Ukrainian Soviet Socialist Republic",
            ("ukrainian ssr", "ukrainian soviet socialist republic"),
        ),
    ),
    "BLR": (
        _Era(
            None,
            _d("1991-09-19"),
            "Byelorussian Soviet Socialist Republic",
            ("byelorussian ssr", "byelorussia", "byelorussian soviet socialist republic"),
        ),
    ),
    "CHN": (
        _Era(None, _d("1912-01-01"), "China"),
        _Era(
            _d("1912-01-01"),
            _PRC_FOUNDED,
            "Republic of China",
            ("republic of china", "nationalist china"),
        ),
        _Era(
            _PRC_FOUNDED,
            None,
            "People's Republic of China",
            ("people's republic of china", "communist china", "red china", "prc", "mainland china"),
        ),
    ),
    # From 1949 the Republic of China governs Taiwan only: a state apart from the PRC,
    # which the UN seated as "China" until 1971 (see `un_member`).
    "TWN": (
        _Era(
            _PRC_FOUNDED,
            None,
            "Republic of China (Taiwan)",
            ("republic of china", "nationalist china", "taiwan", "formosa", "free china", "roc"),
        ),
    ),
    "DEU": (
        _Era(
            _d("1949-05-23"),
            _GERMAN_UNITY,
            "Federal Republic of Germany",
            ("west germany", "frg", "federal republic of germany"),
        ),
        _Era(_GERMAN_UNITY, None, "Germany"),
    ),
    "DDR": (
        _Era(
            _d("1949-10-07"),
            _GERMAN_UNITY,
            "German Democratic Republic",
            ("east germany", "gdr", "german democratic republic"),
        ),
    ),
    "YEM": (
        _Era(None, _d("1962-09-26"), "Yemen", ("kingdom of yemen",)),
        _Era(
            _d("1962-09-26"),
            _YEMEN_UNITY,
            "Yemen Arab Republic",
            ("yemen arab republic", "north yemen"),
        ),
        _Era(_YEMEN_UNITY, None, "Yemen", ("republic of yemen",)),
    ),
    "YMD": (
        _Era(
            _d("1967-11-30"),
            _d("1970-11-30"),
            "People's Republic of Southern Yemen",
            ("southern yemen", "people's republic of southern yemen"),
        ),
        _Era(
            _d("1970-11-30"),
            _YEMEN_UNITY,
            "People's Democratic Republic of Yemen",
            ("south yemen", "democratic yemen", "people's democratic republic of yemen"),
        ),
    ),
    # CZK is the corpus's own code for Czechoslovakia in 1946-47; CZE_08_1953 is also
    # Czechoslovakia's speech, so CZE before 1993 means Czechoslovakia too.
    "CSK": (_Era(None, _CZECHOSLOVAKIA_END, "Czechoslovakia", ("czechoslovakia",)),),
    "CZK": (_Era(None, _CZECHOSLOVAKIA_END, "Czechoslovakia"),),
    "CZE": (
        _Era(None, _CZECHOSLOVAKIA_END, "Czechoslovakia"),
        _Era(_CZECHOSLOVAKIA_END, _d("2016-07-05"), "Czech Republic", ("czech republic",)),
        _Era(_d("2016-07-05"), None, "Czechia"),
    ),
    "YUG": (
        _Era(None, _d("1945-11-29"), "Kingdom of Yugoslavia", ("kingdom of yugoslavia",)),
        _Era(
            _d("1945-11-29"),
            _d("1963-04-07"),
            "Federal People's Republic of Yugoslavia",
            ("federal people's republic of yugoslavia",),
        ),
        _Era(
            _d("1963-04-07"),
            _d("1992-04-27"),
            "Socialist Federal Republic of Yugoslavia",
            ("socialist federal republic of yugoslavia", "sfry"),
        ),
        _Era(
            _d("1992-04-27"),
            _d("2003-02-04"),
            "Federal Republic of Yugoslavia",
            ("federal republic of yugoslavia", "fry"),
        ),
        _Era(_d("2003-02-04"), _d("2006-06-03"), "Serbia and Montenegro"),
    ),
    "SCG": (
        _Era(
            _d("2003-02-04"), _d("2006-06-03"), "Serbia and Montenegro", ("serbia and montenegro",)
        ),
    ),
    "COD": (
        _Era(
            _d("1960-06-30"),
            _d("1964-08-01"),
            "Republic of the Congo (Léopoldville)",
            ("congo leopoldville", "congo kinshasa"),
        ),
        _Era(_d("1964-08-01"), _d("1971-10-27"), "Democratic Republic of the Congo"),
        _Era(_d("1971-10-27"), _d("1997-05-17"), "Zaire", ("zaire", "republic of zaire")),
        _Era(_d("1997-05-17"), None, "Democratic Republic of the Congo"),
    ),
    "ZAR": (_Era(_d("1971-10-27"), _d("1997-05-17"), "Zaire", ("zaire",)),),
    "COG": (
        _Era(
            _d("1970-01-03"),
            _d("1991-06-15"),
            "People's Republic of the Congo",
            ("people's republic of the congo", "congo brazzaville"),
        ),
    ),
    "MMR": (
        _Era(None, _d("1989-06-18"), "Burma", ("burma", "union of burma")),
        _Era(_d("1989-06-18"), None, "Myanmar"),
    ),
    "BUR": (_Era(None, _d("1989-06-18"), "Burma", ("burma",)),),
    "LKA": (
        _Era(None, _d("1972-05-22"), "Ceylon", ("ceylon",)),
        _Era(_d("1972-05-22"), None, "Sri Lanka"),
    ),
    # The UN seat was held by Democratic Kampuchea's representatives until 1990.
    "KHM": (
        _Era(None, _d("1970-10-09"), "Cambodia"),
        _Era(_d("1970-10-09"), _d("1975-04-17"), "Khmer Republic", ("khmer republic",)),
        _Era(_d("1975-04-17"), _d("1990-02-03"), "Democratic Kampuchea", ("democratic kampuchea",)),
        _Era(_d("1990-02-03"), None, "Cambodia"),
    ),
    # ISO 3166 gave VNM to the Republic of Viet-Nam (South) and VDR to the North.
    "VNM": (
        _Era(
            _d("1955-10-26"),
            _d("1976-07-02"),
            "Republic of Viet-Nam",
            ("south vietnam", "south viet nam", "vietnam south", "republic of vietnam"),
        ),
        _Era(_d("1976-07-02"), None, "Viet Nam"),
    ),
    "VDR": (
        _Era(
            _d("1945-09-02"),
            _d("1976-07-02"),
            "Democratic Republic of Viet-Nam",
            ("north vietnam", "north viet nam", "democratic republic of vietnam"),
        ),
    ),
    "TZA": (
        _Era(_d("1961-12-09"), _d("1964-04-26"), "Tanganyika", ("tanganyika",)),
        _Era(
            _d("1964-04-26"),
            _d("1964-11-01"),
            "United Republic of Tanganyika and Zanzibar",
        ),
        _Era(_d("1964-11-01"), None, "United Republic of Tanzania"),
    ),
    "EGY": (
        _Era(
            _d("1958-02-22"),
            _d("1971-09-02"),
            "United Arab Republic",
            ("united arab republic", "uar"),
        ),
    ),
    "SYR": (
        _Era(_d("1958-02-22"), _d("1961-09-28"), "United Arab Republic", ("united arab republic",)),
    ),
    "BEN": (_Era(None, _d("1975-11-30"), "Dahomey", ("dahomey",)),),
    "BFA": (_Era(None, _d("1984-08-04"), "Upper Volta", ("upper volta",)),),
    "MDG": (_Era(_d("1958-10-14"), _d("1975-12-30"), "Malagasy Republic", ("malagasy republic",)),),
    "THA": (_Era(None, _d("1949-05-11"), "Siam", ("siam",)),),
    "IRN": (_Era(None, _d("1935-03-21"), "Persia", ("persia",)),),
    "CAF": (
        _Era(
            _d("1976-12-04"),
            _d("1979-09-21"),
            "Central African Empire",
            ("central african empire",),
        ),
    ),
    "SWZ": (_Era(None, _d("2018-04-19"), "Swaziland", ("swaziland",)),),
    "MKD": (
        _Era(
            _d("1993-04-08"),
            _d("2019-02-12"),
            "The former Yugoslav Republic of Macedonia",
            ("former yugoslav republic of macedonia", "fyrom"),
        ),
    ),
    "TUR": (_Era(None, _d("2022-06-01"), "Turkey", ("turkey",)),),
    "CPV": (_Era(None, _d("2013-10-24"), "Cape Verde", ("cape verde",)),),
    "EU": (_Era(None, None, "European Union", ("european union", "eu")),),
    "XKX": (_Era(None, None, "Kosovo", ("kosovo",)),),
}

# Names pycountry writes in ISO's inverted or contested form, and the one we show.
_PREFERRED_NAMES = {
    "KOR": "Republic of Korea",
    "PRK": "Democratic People's Republic of Korea",
    "COD": "Democratic Republic of the Congo",
    "FSM": "Federated States of Micronesia",
    "PSE": "State of Palestine",
    "VAT": "Holy See",
    "TWN": "Taiwan",
}

# Common short names and history.state.gov slugs that no pycountry field spells.
_ALIASES = {
    "russia": "RUS",
    "united states of america": "USA",
    "usa": "USA",
    "us": "USA",
    "great britain": "GBR",
    "britain": "GBR",
    "uk": "GBR",
    "korea": "KOR",
    "korea south": "KOR",
    "south korea": "KOR",
    "north korea": "PRK",
    "korea north": "PRK",
    "vietnam": "VNM",
    "viet nam": "VNM",
    "ivory coast": "CIV",
    "vatican": "VAT",
    "holy see": "VAT",
    "east timor": "TLS",
    "macedonia": "MKD",
    "micronesia": "FSM",
    "palestine": "PSE",
    "brunei": "BRN",
    "congo republic": "COG",
    "republic of congo": "COG",
    "congo democratic republic": "COD",
    "democratic republic of congo": "COD",
    "yugoslavia": "YUG",
    "czech republic": "CZE",
    "burkina faso": "BFA",
}


def un_member(code: str, when: date) -> CountryRef:
    """The state that held a UN seat (by the code the UN's records use) at `when`.

    The UN's records keep one code per seat: CHN is the Republic of China's seat until
    25 October 1971, RUS the USSR's until 25 December 1991. declass names states, so
    those seats come back as the state that held them (TWN, SUN)."""
    code = code.strip().upper()
    if code == "CHN" and _PRC_FOUNDED <= when < _CHINA_SEAT:
        return country_at("TWN", when)
    if code == "RUS" and _d("1922-12-30") <= when < _USSR_END:
        return country_at("SUN", when)
    return country_at(code, when)


def country_at(code: str, when: date | None = None) -> CountryRef:
    """The country an alpha-3 code names at `when` (today's meaning when None).

    Unknown codes come back as CountryRef(code, code) so a reader never fails on one.
    """
    return _country_at(code.strip().upper(), when)


@lru_cache(maxsize=4096)
def _country_at(code: str, when: date | None) -> CountryRef:
    eras = _HISTORY.get(code, ())
    era = _era_at(eras, when)
    if era is not None:
        return CountryRef(code, era.name)
    current = _current_name(code)
    if current is not None:
        return CountryRef(code, current)
    if eras:
        # A defunct state asked about outside its dates: still the only meaning the code has.
        first, last = eras[0], eras[-1]
        before = when is not None and first.start is not None and when < first.start
        return CountryRef(code, first.name if before else last.name)
    historic = pycountry.historic_countries.get(alpha_3=code)
    if historic is not None:
        return CountryRef(code, _uninvert(historic.name.split(",")[0]))
    return CountryRef(code, code)


def _era_at(eras: tuple[_Era, ...], when: date | None) -> _Era | None:
    if when is None:
        current = [e for e in eras if e.end is None]
        return current[0] if current else None
    return next((e for e in eras if e.covers(when)), None)


def _current_name(code: str) -> str | None:
    if code in _PREFERRED_NAMES:
        return _PREFERRED_NAMES[code]
    country = pycountry.countries.get(alpha_3=code)
    if country is None:
        return None
    return getattr(country, "common_name", None) or _uninvert(country.name)


def _uninvert(name: str) -> str:
    """ISO's "Moldova, Republic of" as a reader says it: "Republic of Moldova"."""
    if ", " not in name:
        return name
    head, tail = name.split(", ", 1)
    return f"{tail} {head}"


def country_named(name: str, when: date | None = None) -> CountryRef | None:
    """Resolve a country name, short name or history.state.gov slug, as named at `when`.

    A historical name ("Soviet Union", "Burma") keeps that name; a current or timeless
    one ("Russia", "China") gives the code's name at `when`. None when unknown.
    """
    key = _key(name)
    candidates = _name_index().get(key) if key else None
    if not candidates:
        return None
    if when is not None:
        for code, era in candidates:
            if era is not None and era.covers(when):
                return CountryRef(code, era.name)
    timeless = [code for code, era in candidates if era is None]
    if timeless:
        return country_at(timeless[0], when)
    current = [(code, era) for code, era in candidates if era is not None and era.end is None]
    code, era = (current or candidates)[0]
    assert era is not None
    return CountryRef(code, era.name)


@cache
def _name_index() -> dict[str, list[tuple[str, _Era | None]]]:
    """Normalised name → (code, era) candidates; era None for a name valid at any date."""
    index: dict[str, list[tuple[str, _Era | None]]] = {}

    def add(name: str, code: str, era: _Era | None) -> None:
        entries = index.setdefault(_key(name), [])
        if (code, era) not in entries:
            entries.append((code, era))

    for code, eras in _HISTORY.items():
        for era in eras:
            for alias in (era.name, *era.aliases):
                add(alias, code, era)
    for country in pycountry.countries:
        code = country.alpha_3
        add(code, code, None)
        for field in ("name", "common_name", "official_name"):
            value = getattr(country, field, None)
            if value:
                add(value, code, None)
    for code, preferred in _PREFERRED_NAMES.items():
        add(preferred, code, None)
    for alias, code in _ALIASES.items():
        add(alias, code, None)
    return index


_NON_WORD = re.compile(r"[^a-z0-9]+")
_DROPPED_WORDS = frozenset({"the", "and"})


def _key(name: str) -> str:
    """Case, accents, punctuation, "the"/"and" and ISO's "X, Y of" inversion removed."""
    text = unicodedata.normalize("NFKD", name).encode("ascii", "ignore").decode().lower()
    text = text.replace("'", "").replace("&", " and ").strip()
    if text.count(",") == 1:
        head, tail = (part.strip() for part in text.split(","))
        text = f"{tail} {head}"
    text = re.sub(r"\bst\b\.?", "saint", text)
    words = [w for w in _NON_WORD.split(text) if w]
    # Keep a lone "and" (Andorra's code AND) rather than reduce it to nothing.
    return "".join(w for w in words if w not in _DROPPED_WORDS) or "".join(words)
