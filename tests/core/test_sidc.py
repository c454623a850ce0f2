"""Reading MIL-STD-2525 / APP-6 symbol codes (letter, 2525D number and 2525E number forms),
and the code as the authority for a unit's identity on import."""
import pytest

from desktop.core.demo import demo_units
from tests.file_arguments import read_units  # the units a command reads from a file (importer road)
from desktop.core.sidc import SymbolSpec, code_note, read_code, unit_symbol


@pytest.mark.parametrize("code, affiliation, domain, echelon, icon", [
    ("SFGPUCI----H---", "friend", "ground", "brigade", "C:G:UCI"),      # 2525C, status present
    ("SHG-UCA----E---", "hostile", "ground", "company", "C:G:UCA"),
    ("SNGPUCR----A", "neutral", "ground", "team", "C:G:UCR"),
    ("SUGPUCF----F---", "unknown", "ground", "battalion", "C:G:UCF"),
    ("SFGPUCIZ---F---", "friend", "ground", "battalion", "C:G:UCIZ"),
    ("SFAPMF---------", "friend", "air", "", "C:A:MF"),
    ("SHAPMH---------", "hostile", "air", "", "C:A:MH"),
    ("sfgpuci----h---", "friend", "ground", "brigade", "C:G:UCI"),      # case does not matter
    ("SFSPCLDD-------", "friend", "sea", "", "C:S:CLDD"),
    ("SHUPS----------", "hostile", "subsurface", "", "C:U:S"),
    ("SFGPEVATL-MQ---", "friend", "equipment", "", "C:G:EVATL"),
    ("10031000161211000000", "friend", "ground", "battalion", "D:10:121100"),  # 2525D
    ("10031000161211020000", "friend", "ground", "battalion", "D:10:121102"),  # mechanized infantry
    ("10061000181205000000", "hostile", "ground", "brigade", "D:10:120500"),
    ("10040100001102000000", "neutral", "air", "", "D:01:110200"),
    ("10011000211303000000", "unknown", "ground", "division", "D:10:130300"),
    ("10063000001202030000", "hostile", "sea", "", "D:30:120203"),
    ("10033500001101000000", "friend", "subsurface", "", "D:35:110100"),
    ("10031000001600000000", "friend", "ground", "", "D:10:160000"),  # SUST, not CSS
])
def test_codes_are_read(code, affiliation, domain, echelon, icon):
    facts = read_code(code)
    spec = facts.spec
    assert (facts.affiliation, spec.domain, spec.echelon, spec.icon) == (affiliation, domain, echelon, icon)
    assert not facts.notes, facts.notes


@pytest.mark.parametrize("code, fields", [
    # status: planned / anticipated dashed; pending, assumed friend and suspect dotted
    ("SFGAUCI----F---", {"outline": "dashed"}), ("10031010001211000000", {"outline": "dashed"}),
    ("SAGPUCI--------", {"affiliation": "friend", "outline": "dotted"}),
    ("SSGPUCI--------", {"affiliation": "hostile", "outline": "dotted"}),
    ("SPGPUCI--------", {"affiliation": "unknown", "outline": "dotted"}),
    ("10021000001211000000", {"affiliation": "friend", "outline": "dotted"}),
    ("10051000001211000000", {"affiliation": "hostile", "outline": "dotted"}),
    # condition
    ("SFGDUCI--------", {"condition": "damaged"}), ("SFGXUCI--------", {"condition": "destroyed"}),
    ("SFGCUCI--------", {"condition": "capable"}), ("10031040001211000000", {"condition": "destroyed"}),
    ("10031050001211000000", {"condition": "full"}),
    # HQ / task force / feint-dummy, letter position 11 and the number code's digit 8
    ("SFGPUCI---A----", {"hq": True, "task_force": False, "dummy": False}),
    ("SFGPUCI---B----", {"hq": True, "task_force": True, "dummy": False}),
    ("SFGPUCI---C----", {"hq": True, "task_force": False, "dummy": True}),
    ("SFGPUCI---G----", {"hq": False, "task_force": True, "dummy": True}),
    ("SFGPUH-----H---", {"hq": True, "echelon": "brigade"}),
    ("10031007001211000000", {"hq": True, "task_force": True, "dummy": True}),
    ("10031001001211000000", {"hq": False, "task_force": False, "dummy": True}),
    # exercise, joker, faker: the friendly frame in hostile colours for the last two
    ("SDGPUCI--------", {"affiliation": "friend", "context": "exercise", "identity": ""}),
    ("SJGPUCI--------", {"affiliation": "hostile", "context": "exercise", "identity": "joker"}),
    ("SKGPUCI--------", {"affiliation": "hostile", "context": "exercise", "identity": "faker"}),
    ("10161000001211000000", {"affiliation": "hostile", "context": "exercise", "identity": "faker"}),
    ("10231000001211000000", {"context": "simulation"}),
    # mobility, installation, modifiers, 2525E
    ("SFGPEVAT--MO---", {"mobility": "wheeled limited cross country"}),
    ("10031500361202000000", {"domain": "equipment", "mobility": "rail"}),
    ("SFGPUCI---H----", {"domain": "installation"}),
    ("10031000001211004101", {"modifiers": ("D:10:1:41", "D:10:2:01")}),
    ("130310000012110000000000000000", {"affiliation": "friend", "icon": "D:10:121100"}),
    ("130510000012110000000000000000", {"affiliation": "hostile", "identity": "suspect", "outline": "dotted"}),
    ("130310000012110000000040000000", {"domain": "equipment"}),  # frame shape 4
])
def test_status_identity_and_modifiers_are_read(code, fields):
    spec = read_code(code).spec
    assert {k: getattr(spec, k) for k in fields} == fields


@pytest.mark.parametrize("code, says", [
    ("SFGPUCIXQ------", "function UCIXQ drawn as infantry (UCI)"),
    ("SFGPQQQQ-------", "function QQQQ not drawn"),
    ("SFGQUCI--------", "status 'Q' not read"),
    ("10031000001211990000", "entity 121199 drawn as infantry (121100)"),
    ("10031000009999000000", "entity 999900 not drawn"),
    ("10031000001211009900", "sector 1 modifier 99 not drawn"),
    ("10034000001100000000", "symbol set 40 (activities): only the frame is drawn"),
    ("130310000012110000001100000000", "2525E modifier extensions not drawn"),
    ("990310000012110000000000000000", "2525E codes start with 13 or 14"),
    ("1003100000121100000", "19 digits"),
    ("not a code at all", "not a MIL-STD-2525"),
    ("GFGPGLB----K---", "a control measure code"),
])
def test_what_a_code_states_but_is_not_drawn_is_said(code, says):
    assert says in "; ".join(read_code(code).notes)
    assert says in code_note(code)


@pytest.mark.parametrize("code", ["", "   ", None])
def test_no_code_states_nothing(code):
    assert read_code(code) == read_code("") and not read_code(code).notes
    assert code_note(code or "") == ""


def test_code_is_the_authority_and_columns_fill_gaps():
    # The code's identity wins over the affiliation column...
    assert unit_symbol("SHGPUCI----H---", "friend").affiliation == "hostile"
    # ...the columns fill in what no code states...
    assert unit_symbol("", "hostile", "air") == SymbolSpec("hostile", "air")
    assert unit_symbol("XYZ", "neutral", "ground", "Company") == SymbolSpec("neutral", "ground", "company")
    assert unit_symbol("SFGPUCI--------", "friend", "ground", "Company").echelon == "company"
    assert unit_symbol("SFGPUCI----F---", "friend", "ground", "brigade").echelon == "battalion"
    assert unit_symbol("", "bogus", "sea", "huge") == SymbolSpec("unknown", "ground")


def test_csv_with_only_a_sidc_column_gets_the_codes_identity(tmp_path):
    path = tmp_path / "units.csv"
    path.write_text("id,lat,lon,sidc\nA,35.8,38.5,SHGPUCA----F---\nB,35.9,38.6,10061500331201000000\n"
                    "C,35.9,38.7,SFGPUCI----F---\nD,35.9,38.8,\n")
    units, warnings = read_units(path)
    assert list(units.affiliations) == ["hostile", "hostile", "friend", "unknown"]
    assert warnings == []


def test_disagreeing_affiliation_column_is_overruled_with_a_warning_naming_the_row(tmp_path):
    path = tmp_path / "units.csv"
    path.write_text("id,lat,lon,affiliation,sidc\nA,35.8,38.5,friend,SHGPUCA----F---\n"
                    "B,35.9,38.6,hostile,SHGPUCA----F---\nC,35.9,38.7,Enemy,10031000001211000000\n"
                    "D,35.9,38.8,neutral,SFGPUCIXQ-F---\n")
    units, warnings = read_units(path)
    assert list(units.affiliations) == ["hostile", "hostile", "friend", "friend"]
    assert f"{path}:2: affiliation 'friend' disagrees with symbol 'SHGPUCA----F---', which says hostile" in warnings[0]
    assert f"{path}:4: affiliation 'Enemy' disagrees with symbol '10031000001211000000', which says friend" in warnings[1]
    # A code only partly understood is said once, in the import report.
    assert warnings[3] == f"{path}:5: symbol 'SFGPUCIXQ-F---': function UCIXQ drawn as infantry (UCI)"
    assert len(warnings) == 4


def test_demo_units_have_codes_for_their_columns():
    units = demo_units()
    for code, aff, dom, ech in zip(units.symbols, units.affiliations, units.domains, units.echelons):
        facts = read_code(code)
        assert (facts.affiliation, facts.domain) == (aff, dom), code
        assert facts.spec.echelon == ech and facts.spec.icon and not facts.notes, code


def test_unit_tooltip_says_what_its_code_does_not_draw():
    import dataclasses

    from desktop.core.demo import demo_document
    from desktop.core.table_export import unit_tip
    doc = demo_document()
    u = doc.units.index_of("SAA-14")
    symbols = doc.units.symbols.copy()
    symbols[u] = "SHGPUCRQQ--D---"
    doc.set_units(dataclasses.replace(doc.units, symbols=symbols))
    a = doc.analysis
    tip = unit_tip(doc.units, a.classification, a.sectors.sectors, u, "unit")
    assert tip.endswith("symbol 'SHGPUCRQQ--D---': function UCRQQ drawn as reconnaissance (UCR)")
    other = unit_tip(doc.units, a.classification, a.sectors.sectors, doc.units.index_of("SDF-01"), "unit")
    assert "symbol" not in other
