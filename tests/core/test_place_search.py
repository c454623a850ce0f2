"""Finding a place by name, MGRS or degrees; one gazetteer for the demo and new projects."""
from __future__ import annotations

import mgrs
import pytest
from pyproj import Geod

from desktop.core import basemap, gazetteer
from desktop.core.demo import PLACES, demo_document
from desktop.core.document import Place
from desktop.core.place_search import PlaceSearch, fold, search_places

GEOD = Geod(ellps="WGS84")
M = mgrs.MGRS()


def km(a, b) -> float:
    return GEOD.inv(a[0], a[1], b[0], b[1])[2] / 1000.0


@pytest.fixture(scope="module")
def demo_search():
    return PlaceSearch(PLACES)


@pytest.mark.parametrize("query,label,kind", [
    ("Ma'dan", "Ma'dan", "place"), ("madan", "Ma'dan", "place"), ("MA’DAN", "Ma'dan", "place"),
    ("Raqqa", "Raqqa", "place"), ("raq", "Raqqa", "place"), ("Deir al-Zor", "Deir ez-Zor", "place"),
    ("Mayadin", "Mayadin", "place"), ("Aleppo", "Aleppo", "town"), ("Alepo", "Aleppo", "town"),
    ("Kobane", "Kobani", "town"), ("Homs", "Homs", "town"), ("dayr hafir", "Dayr Ḩāfir", "town"),
])
def test_names_by_prefix_and_fuzzily(demo_search, query, label, kind):
    best = demo_search.search(query)[0]
    assert (best.label, best.kind) == (label, kind)


def test_geonames_spellings_find_the_english_named_town():
    search = PlaceSearch()   # a new project: no places of its own
    for geonames, english in (("Ar Raqqah", "Raqqa"), ("Tadmur", "Palmyra"), ("Al Mayādīn", "Mayadin")):
        best = search.search(geonames)[0]
        assert best.label == english and best.kind == "town"
        assert km((best.lon, best.lat), (gazetteer.place(english).lon, gazetteer.place(english).lat)) < 3


def test_document_places_rank_before_towns_and_are_not_repeated(demo_search):
    results = demo_search.search("Palmyra", 10)
    assert results[0].kind == "place"
    assert sum(r.label == "Palmyra" and km((r.lon, r.lat), (38.27, 34.55)) < 5 for r in results) <= 2


def test_prefix_results_are_ordered_by_population():
    results = PlaceSearch().search("Ham", 5)
    towns = [r for r in results if r.score == 90]
    pops = [int(r.detail.split()[1].replace(",", "")) for r in towns]
    assert pops == sorted(pops, reverse=True)


@pytest.mark.parametrize("text,digits", [("37S EV 123 456", 3), ("37SEV1234", 2), ("37sev", 0),
                                         ("37S EV 12345 67890", 5), ("37SEV 1 2", 1)])
def test_mgrs_at_any_precision(demo_search, text, digits):
    (r,) = demo_search.search(text)
    assert r.kind == "mgrs"
    compact = text.replace(" ", "").upper()
    lat, lon = M.toLatLon(compact if digits else compact)
    size_m = 10 ** (5 - digits)
    # the result is inside the square the reference names, its extent about the square
    assert M.toMGRS(r.lat, r.lon, MGRSPrecision=digits).replace(" ", "") == compact
    lon0, lat0, lon1, lat1 = r.extent
    assert km((lon0, r.lat), (lon1, r.lat)) == pytest.approx(size_m / 1000, rel=0.05)
    assert km((r.lon, lat0), (r.lon, lat1)) == pytest.approx(size_m / 1000, rel=0.05)


def test_degrees_and_dms(demo_search):
    (r,) = demo_search.search("35.95, 39.01")
    assert (r.kind, r.lon, r.lat) == ("position", 39.01, 35.95)
    (r,) = demo_search.search("35°57'00\"N 39°00'30\"E")
    assert r.lon == pytest.approx(39.008333) and r.lat == pytest.approx(35.95)


@pytest.mark.parametrize("text", ["", "   ", "zzzzqqq", "x" * 500, "37XDV 1 2", "99Z"])
def test_nothing_found_is_an_empty_list(demo_search, text):
    assert demo_search.search(text) == []


def test_fold_ignores_accents_case_and_punctuation():
    assert fold("Ma‘arrat an-Nu‘mān") == "maarrat an numan"
    assert fold("  Deir  ez-Zor ") == "deir ez zor"


def test_search_places_helper_reads_the_documents_places():
    doc_places = (Place("Objective COBRA", 39.1, 35.9),)
    assert search_places("cobra", doc_places)[0].label == "Objective COBRA"


# -- one gazetteer ---------------------------------------------------------------------------------
def test_demo_and_new_projects_use_the_same_names():
    """The demo's places and the town labels a new project shows (the basemap's towns) use
    the same English names: Raqqa and Palmyra, not Ar Raqqah and Tadmur."""
    demo_names = {p.name for p in demo_document().places}
    towns = basemap.towns_in((37.5, 34.0, 41.5, 37.0))
    names = set(towns.name)
    assert {"Raqqa", "Palmyra", "Tabqa", "Mayadin", "Abu Kamal", "Deir ez-Zor", "Manbij"} <= names & demo_names
    assert not {"Ar Raqqah", "Tadmur", "Al-Tabqa", "Al Mayādīn", "Ālbū Kamāl"} & names
    for place in demo_document().places:
        if place.name in names:   # the town of that name stands where the demo's place is
            i = list(towns.name).index(place.name)
            assert km((towns.lon[i], towns.lat[i]), (place.lon, place.lat)) < 3


def test_a_namesake_far_away_keeps_its_own_name():
    import numpy as np
    out = gazetteer.english_names(np.array(["Tadmur", "Tadmur"], dtype=object), np.array([38.28, 10.0]),
                                  np.array([34.56, 10.0]))
    assert list(out) == ["Palmyra", "Tadmur"]
