from __future__ import annotations

import time
from pathlib import Path

import pytest

from pipelines.readers.base import ReadError, SourceDocument
from pipelines.readers.patent import (
    SECTIONS,
    as_patent,
    depends_on,
    find_patent_numbers,
    looks_like_patent,
    normalise_patent_number,
    patent_from_xml,
    read_patent_xml,
    split_claims,
)
from pipelines.readers.text import split_blocks

PATENT_TEXT = """(19) China National Intellectual Property Administration
(12) Invention Patent Application
(10) Application Publication No. CN 121238027 A
(43) Application Publication Date 2026.05.12
(21) Application No. 202511234567.8
(71) Applicant Contemporary Amperex Technology Co., Limited
(54) Title of Invention
Solid-state battery with a functional layer on the negative electrode
(57) Abstract
A solid-state battery comprises a negative electrode layer and a functional layer on its surface. The functional \
layer contains a polymer electrolyte and 0.3% to 2% by mass of a graphene-like material.

Claims

1. A solid-state battery, comprising a negative electrode layer and a functional layer arranged on a surface of \
the negative electrode layer, wherein the functional layer comprises a polymer electrolyte and a graphene-like \
material.
2. The solid-state battery according to claim 1, wherein the mass proportion of the graphene-like material is \
0.3% to 2%.
3. The solid-state battery as claimed in claim 2, wherein the average sheet diameter is 30 μm to 220 μm.
4. A battery pack, comprising the solid-state battery of claim 1 or 2.
5. A method for producing a solid-state battery, comprising coating a functional layer of at least 2. layers \
on a negative electrode.

Description

Technical Field
[0001] The present application relates to the field of batteries, and in particular to a solid-state battery.
Background Art
[0002] Solid-state batteries suffer from interface cracking during cycling.
"""

US_TEXT = """(19) United States
(12) Patent Application Publication (10) Pub. No.: US 2023/0102360 A1
(43) Pub. Date: Mar. 30, 2023
(54) SULFIDE SOLID ELECTROLYTE AND ALL-SOLID-STATE
BATTERY
(57) ABSTRACT
A sulfide solid electrolyte having an argyrodite crystal structure
is provided.

CROSS-REFERENCE TO RELATED APPLICATIONS
[0001] This application claims priority to JP 2021-123456 A.
BACKGROUND
[0002] Argyrodite electrolytes such as Li6PS5Cl are known.
What is claimed is:
1. A sulfide solid electrolyte comprising Li, P, S and Cl, wherein
the ionic conductivity is at least 2.
5 mS/cm.
2. The sulfide solid electrolyte according to claim 1, wherein
the electrolyte has an argyrodite structure.
3. An all-solid-state battery comprising the sulfide solid
electrolyte according to any one of the preceding claims.
"""

NEWS_TEXT = """BYD and CATL race to mass-produce solid-state batteries

BYD plans to start the batch demonstration of all-solid-state batteries in vehicles around 2027.

The solution proposed by BYD in the patent CN118748295A sets a ceramic layer on the outermost negative electrode \
sheet. CATL's patent CN121238027A adds a functional layer; the plant will make 2,000 cells a day.
"""

EXCHANGE = "http://www.epo.org/exchange"
BIBLIO_XML = f"""<?xml version="1.0" encoding="UTF-8"?>
<ops:world-patent-data xmlns="{EXCHANGE}" xmlns:ops="http://ops.epo.org">
<exchange-documents><exchange-document system="ops.epo.org" family-id="90000001" country="CN" doc-number="118748295"
 kind="A"><bibliographic-data>
<publication-reference><document-id document-id-type="docdb"><country>CN</country><doc-number>118748295</doc-number>
<kind>A</kind><date>20241008</date></document-id></publication-reference>
<classifications-ipcr><classification-ipcr sequence="1"><text>H01M  10/   0562          A I</text>
</classification-ipcr></classifications-ipcr>
<patent-classifications><patent-classification sequence="1"><classification-scheme office="" scheme="CPCI"/>
<section>H</section><class>01</class><subclass>M</subclass><main-group>10</main-group><subgroup>0585</subgroup>
</patent-classification></patent-classifications>
<priority-claims><priority-claim sequence="1" kind="national"><document-id document-id-type="epodoc">
<doc-number>CN202410123456</doc-number><date>20240131</date></document-id></priority-claim></priority-claims>
<parties><applicants>
<applicant sequence="1" data-format="epodoc"><applicant-name><name>BYD CO LTD [CN]</name></applicant-name></applicant>
<applicant sequence="1" data-format="original"><applicant-name><name>BYD Company Limited, </name></applicant-name>
</applicant></applicants></parties>
<invention-title lang="zh">全固态电池</invention-title>
<invention-title lang="en">All-solid-state battery and preparation method</invention-title>
</bibliographic-data>
<abstract lang="en"><p>An all-solid-state battery has a ceramic layer on the outermost negative electrode sheet.</p>
</abstract></exchange-document></exchange-documents></ops:world-patent-data>"""
CLAIMS_XML = f"""<?xml version="1.0" encoding="UTF-8"?>
<ops:world-patent-data xmlns="{EXCHANGE}" xmlns:ops="http://ops.epo.org"><ftxt:fulltext-documents
 xmlns="http://www.epo.org/fulltext" xmlns:ftxt="http://www.epo.org/fulltext"><ftxt:fulltext-document>
<bibliographic-data><publication-reference data-format="docdb"><document-id><country>CN</country>
<doc-number>118748295</doc-number><kind>A</kind></document-id></publication-reference></bibliographic-data>
<claims lang="EN"><claim><claim-text>CLAIMS
1. An all-solid-state battery, comprising a stack of electrode sheets, wherein a ceramic layer is arranged on the
outermost negative electrode sheet.
2. The all-solid-state battery according to claim 1, wherein the ceramic layer comprises alumina.
3. A method for preparing the all-solid-state battery, comprising isostatic pressing.</claim-text></claim></claims>
</ftxt:fulltext-document></ftxt:fulltext-documents></ops:world-patent-data>"""

BOMB_XML = """<?xml version="1.0"?>
<!DOCTYPE lolz [
 <!ENTITY lol "lol">
 <!ENTITY lol1 "&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;">
 <!ENTITY lol2 "&lol1;&lol1;&lol1;&lol1;&lol1;&lol1;&lol1;&lol1;&lol1;&lol1;">
 <!ENTITY lol3 "&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;">
 <!ENTITY lol4 "&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;">
 <!ENTITY lol5 "&lol4;&lol4;&lol4;&lol4;&lol4;&lol4;&lol4;&lol4;&lol4;&lol4;">
 <!ENTITY lol6 "&lol5;&lol5;&lol5;&lol5;&lol5;&lol5;&lol5;&lol5;&lol5;&lol5;">
 <!ENTITY lol7 "&lol6;&lol6;&lol6;&lol6;&lol6;&lol6;&lol6;&lol6;&lol6;&lol6;">
 <!ENTITY lol8 "&lol7;&lol7;&lol7;&lol7;&lol7;&lol7;&lol7;&lol7;&lol7;&lol7;">
 <!ENTITY lol9 "&lol8;&lol8;&lol8;&lol8;&lol8;&lol8;&lol8;&lol8;&lol8;&lol8;">
]>
<ops:world-patent-data xmlns="http://www.epo.org/exchange" xmlns:ops="http://ops.epo.org"><exchange-documents>
<exchange-document country="EP" doc-number="1" kind="A1"><bibliographic-data>
<invention-title lang="en">&lol9;</invention-title></bibliographic-data></exchange-document></exchange-documents>
</ops:world-patent-data>"""

EPO = "epo_ops/published-data_publication_docdb_"


def _doc(text: str, path: str = "patent.txt") -> SourceDocument:
    return SourceDocument(path=path, text=text, blocks=list(split_blocks(text)))


def _write(tmp_path: Path, name: str, content: str) -> Path:
    path = tmp_path / name
    path.write_text(content, encoding="utf-8")
    return path


# ── numbers ──────────────────────────────────────────────────────────────────────────────────────────────────────

@pytest.mark.parametrize(("raw", "expected"), [
    ("CN118748295A", "CN118748295A"),
    ("CN 118748295 A", "CN118748295A"),
    ("cn118748295a", "CN118748295A"),
    ("US 2023/0102360 A1", "US20230102360A1"),
    ("US20230102360A1", "US20230102360A1"),
    ("WO2018/148832A1", "WO2018148832A1"),
    ("WO 02/054790", "WO02054790"),
    ("EP 2 400 812 A1", "EP2400812A1"),
    ("EP.2400812.A1", "EP2400812A1"),
    ("EP2400812", "EP2400812"),
    ("US 11,233,456 B2", "US11233456B2"),
    ("US2025187364A1", "US20250187364A1"),   # a pre-grant publication without its serial's leading zero
    ("US 2025/0187364 A1", "US20250187364A1"),
    ("US20250187364A1", "US20250187364A1"),
    ("US 1,876,543 A", "US1876543A"),         # an old grant: seven digits, no year
    ("DE 10 2019 123 456 A1", "DE102019123456A1"),
    ("JP 2020-123456 A", "JP2020123456A"),
    ("KR 10-2020-0012345 A", "KR1020200012345A"),
    ("  CN121238027A  ", "CN121238027A"),
    ("2,000", None),
    ("US 2,000", None),
    ("MG4 A", None),
    ("XX 12345678 A", None),
    ("PCT/US2013/064552", None),
    ("CN 1234 A", None),
    ("", None),
])
def test_normalise_patent_number(raw: str, expected: str | None) -> None:
    assert normalise_patent_number(raw) == expected


@pytest.mark.parametrize(("sentence", "expected"), [
    ("Among them, the patent with the application publication number CN121238027A proposes a functional layer.",
     ["CN121238027A"]),
    ("CATL's patent CN121238027A", ["CN121238027A"]),
    ("The solution proposed by BYD in the patent CN118748295A addresses this problem.", ["CN118748295A"]),
    ("See US 2023/0102360 A1 and EP 2 400 812 A1 (also EP.2400812.A1).",
     ["US20230102360A1", "EP2400812A1", "EP2400812A1"]),
    ("The PCT filing WO 2018/148832 was published in 2018.", ["WO2018148832"]),
    ("Granted as US 11,233,456 B2; the German family member is DE 10 2019 123 456 A1.",
     ["US11233456B2", "DE102019123456A1"]),
    ("The plant will make 2,000 cells a day from 2027.", []),
    ("BYD registered 17,954 vehicles in Europe, beating Tesla's 17,664; in the US 2,000 cells were sold.", []),
    ("It costs US$ 2,000,000 and the MG4 A variant has 64 kWh.", []),
    ("Priority PCT/US2013/064552 and application 202511234567.8 filed 2025.", []),
    ("Li6PS5Cl reaches 12 mS/cm at 25 °C; the cell ran 1000 cycles.", []),
])
def test_find_patent_numbers(sentence: str, expected: list[str]) -> None:
    found = find_patent_numbers(sentence)
    assert [number for _, _, number in found] == expected
    for start, end, number in found:
        assert normalise_patent_number(sentence[start:end]) == number


def test_finder_offsets_in_running_text() -> None:
    text = "CATL's patent CN121238027A adds a layer."
    assert find_patent_numbers(text) == [(14, 26, "CN121238027A")]


# ── patents given as text ────────────────────────────────────────────────────────────────────────────────────────

@pytest.mark.parametrize(("text", "expected"), [
    (PATENT_TEXT, True),
    (US_TEXT, True),
    (NEWS_TEXT, False),
    ("Abstract\nWe report a garnet electrolyte.\n\nIntroduction\nSolid electrolytes are studied.\n", False),
])
def test_looks_like_patent(text: str, expected: bool) -> None:
    assert looks_like_patent(_doc(text)) is expected


def test_sections_metadata_and_unchanged_offsets() -> None:
    doc = _doc(PATENT_TEXT)
    patent = as_patent(doc)
    assert patent.kind == "patent"
    assert patent.text == doc.text
    assert patent.metadata["number"] == "CN121238027A"
    title = "Solid-state battery with a functional layer on the negative electrode"
    assert patent.title == patent.metadata["title"] == title
    assert patent.published == "2026-05-12"
    assert patent.metadata["abstract"].startswith("A solid-state battery comprises")
    assert patent.metadata["abstract"].endswith("graphene-like material.")
    assert {block.section for block in patent.blocks} == set(SECTIONS)
    by_text = {patent.text[b.start:b.end]: b for b in patent.blocks}
    assert by_text["(19) China National Intellectual Property Administration"].section == "front"
    assert by_text["(57) Abstract"].section == "abstract"
    assert by_text["(57) Abstract"].kind == "heading"
    assert by_text["Claims"].section == "claims"
    assert by_text["Technical Field"].section == "description"
    assert by_text["[0002] Solid-state batteries suffer from interface cracking during cycling."].section \
        == "description"
    claim_blocks = [b for b in patent.blocks if b.section == "claims" and b.kind == "list_item"]
    assert [patent.text[b.start:b.start + 2] for b in claim_blocks] == ["1.", "2.", "3.", "4.", "5."]
    for block in patent.blocks:
        text = patent.text[block.start:block.end]
        assert text and text == text.strip()
        assert doc.text.find(text) >= 0


def test_claims_with_dependencies() -> None:
    patent = as_patent(_doc(PATENT_TEXT))
    claims = patent.metadata["claims"]
    assert [(c["number"], c["depends_on"]) for c in claims] == [(1, None), (2, 1), (3, 2), (4, 1), (5, None)]
    assert patent.metadata["independent_claims"] == [1, 5]
    assert claims[0]["text"].startswith("A solid-state battery, comprising")
    assert claims[4]["text"].endswith("of at least 2. layers on a negative electrode.")
    for claim in claims:
        assert patent.text[claim["start"]:claim["end"]] == claim["text"]


def test_us_layout_description_before_claims() -> None:
    patent = as_patent(_doc(US_TEXT))
    assert patent.metadata["number"] == "US20230102360A1"
    assert patent.title == "SULFIDE SOLID ELECTROLYTE AND ALL-SOLID-STATE BATTERY"
    assert patent.published == "2023-03-30"
    claims = patent.metadata["claims"]
    assert [(c["number"], c["depends_on"]) for c in claims] == [(1, None), (2, 1), (3, 1)]
    assert claims[0]["text"].endswith("at least 2.\n5 mS/cm.")
    sections = [b.section for b in patent.blocks]
    assert sections.index("description") < sections.index("claims")
    claim_one = next(b for b in patent.blocks if patent.text[b.start:b.end].startswith("1. A sulfide"))
    assert patent.text[claim_one.start:claim_one.end].endswith("5 mS/cm.")


def test_claims_without_heading_and_number_from_filename() -> None:
    text = ("An electrolyte membrane for lithium batteries.\n\n"
            "1. A composite electrolyte comprising LLZO particles in a PEO matrix.\n"
            "2. The composite electrolyte of claim 1, wherein the LLZO content is 10 wt% to 40 wt%.\n")
    patent = as_patent(_doc(text, "/data/CN110888712A.pdf"))
    assert patent.metadata["number"] == "CN110888712A"
    assert [(c["number"], c["depends_on"]) for c in patent.metadata["claims"]] == [(1, None), (2, 1)]
    assert patent.blocks[0].section == "front"
    assert patent.blocks[-1].section == "claims"


@pytest.mark.parametrize(("number", "text", "expected"), [
    (2, "The battery according to claim 1, wherein the layer is 5 μm thick.", 1),
    (3, "The battery as claimed in claim 2, wherein x is 0.3.", 2),
    (4, "The cathode of claim 2 or 3, further comprising LiNbO3.", 2),
    (5, "The method of any one of claims 1 - 4, wherein sintering is at 900 °C.", 1),
    (6, "The device of any preceding claim, comprising a separator.", 1),
    (1, "A solid electrolyte comprising Li7La3Zr2O12 doped with 0.25 Al.", None),
    (3, "A battery pack comprising 12 cells, each with 2 electrodes.", None),
    (2, "The battery of claim 5, wherein the anode is lithium.", None),
])
def test_depends_on(number: int, text: str, expected: int | None) -> None:
    assert depends_on(number, text) == expected


def test_split_claims_ignores_numbers_inside_claims() -> None:
    text = "1. A cell with 2. layers and claim 3 notes.\n2. The cell of claim 1.\n3. The cell of claim 2."
    assert [number for number, *_ in split_claims(text)] == [1, 2, 3]


def test_news_text_is_not_a_patent(corpus_dir: Path) -> None:
    path = next(corpus_dir.glob("004_*.txt"))
    doc = _doc(path.read_text(encoding="utf-8"), str(path))
    assert not looks_like_patent(doc)
    numbers = [number for _, _, number in find_patent_numbers(doc.text)]
    assert numbers == ["CN118748295A", "CN121238027A", "CN121238027A", "CN121076266A"]


# ── EPO OPS XML ──────────────────────────────────────────────────────────────────────────────────────────────────

def test_small_exchange_documents_are_merged(tmp_path: Path) -> None:
    biblio = _write(tmp_path, "biblio.xml", BIBLIO_XML)
    claims = _write(tmp_path, "claims.xml", CLAIMS_XML)
    doc = read_patent_xml(biblio, claims)
    meta = doc.metadata
    assert doc.kind == "patent"
    assert meta["number"] == "CN118748295A"
    assert doc.title == "All-solid-state battery and preparation method"
    assert meta["titles"]["zh"] == "全固态电池"
    assert doc.published == "2024-10-08"
    assert meta["priority_dates"] == ["2024-01-31"]
    assert meta["applicants"] == {"epodoc": ["BYD CO LTD [CN]"], "original": ["BYD Company Limited"]}
    assert meta["ipc"] == ["H01M 10/0562"]
    assert meta["cpc"] == ["H01M 10/0585"]
    assert meta["abstract"] == ("An all-solid-state battery has a ceramic layer on the outermost negative "
                                "electrode sheet.")
    assert [(c["number"], c["depends_on"]) for c in meta["claims"]] == [(1, None), (2, 1), (3, None)]
    assert meta["independent_claims"] == [1, 3]
    assert "CLAIMS" not in doc.text
    for claim in meta["claims"]:
        assert doc.text[claim["start"]:claim["end"]] == claim["text"]
    sections = [b.section for b in doc.blocks]
    assert sections == sorted(sections, key=SECTIONS.index)
    assert looks_like_patent(doc)


def test_xml_parts_of_different_publications_are_refused(tmp_path: Path) -> None:
    biblio = _write(tmp_path, "biblio.xml", BIBLIO_XML)
    other = _write(tmp_path, "other.xml", CLAIMS_XML.replace("118748295", "121238027"))
    with pytest.raises(ReadError, match="belongs to CN121238027A"):
        read_patent_xml(biblio, other)


def test_xml_entity_bomb_is_refused_without_expansion(tmp_path: Path) -> None:
    path = _write(tmp_path, "bomb.xml", BOMB_XML)
    started = time.perf_counter()
    with pytest.raises(ReadError) as raised:
        read_patent_xml(path)
    assert raised.value.problem == "unsafe XML (entity expansion)"
    assert time.perf_counter() - started < 5


def test_xml_external_entity_is_refused(tmp_path: Path) -> None:
    xxe = ('<?xml version="1.0"?><!DOCTYPE x [<!ENTITY secret SYSTEM "file:///etc/passwd">]>'
           '<ops:world-patent-data xmlns:ops="http://ops.epo.org"><x>&secret;</x></ops:world-patent-data>')
    with pytest.raises(ReadError, match="unsafe XML"):
        patent_from_xml([("xxe.xml", xxe.encode())])


@pytest.mark.parametrize(("content", "problem"), [
    (b"", "empty file"),
    (b"<ops:world-patent-data xmlns:ops='http://ops.epo.org'><unclosed>", "malformed XML"),
    (b"%PDF-1.4\n%\xe2\xe3\xcf\xd3\n", "malformed XML"),
    (b"<ops:world-patent-data xmlns:ops='http://ops.epo.org'><ops:biblio-search/></ops:world-patent-data>",
     "no exchange-document"),
])
def test_bad_xml_is_a_read_error(content: bytes, problem: str) -> None:
    with pytest.raises(ReadError) as raised:
        patent_from_xml([("bad.xml", content)])
    assert problem in raised.value.problem


def test_epo_fixture_biblio_claims_description(fixtures_dir: Path) -> None:
    parts = [fixtures_dir / f"{EPO}EP.2400812.A1_{name}.xml" for name in ("biblio", "claims", "description")]
    doc = read_patent_xml(*parts)
    meta = doc.metadata
    assert meta["number"] == "EP2400812A1"
    assert doc.title == "BLUETOOTH NETWORKING"
    assert doc.published == "2011-12-28"
    assert meta["family_id"] == "43088294"
    assert meta["applicants"]["epodoc"] == ["9SOLUTIONS OY [FI]"]
    assert meta["applicants"]["original"] == ["9SOLUTIONS OY", "9Solutions Oy"]
    assert meta["ipc"] == ["H04W 84/20"]
    assert meta["cpc"] == ["H04W 84/20", "H04W 88/04"]
    assert meta["priority_dates"] == ["2010-06-24"]
    assert meta["abstract"].startswith("An apparatus enabling establishment of a Bluetooth mesh network")
    claims = meta["claims"]
    assert len(claims) == 15
    assert [c["depends_on"] for c in claims[:5]] == [None, 1, 2, 2, 1]
    assert meta["independent_claims"] == [1, 15]
    assert meta["constituents"] == ["biblio", "claims", "description"]
    sections = [b.section for b in doc.blocks]
    assert sections == sorted(sections, key=SECTIONS.index)
    assert set(sections) == set(SECTIONS)
    description = [doc.text[b.start:b.end] for b in doc.blocks if b.section == "description"]
    assert any(text.startswith("[0001] The invention relates to the field of wireless") for text in description)
    for block in doc.blocks:
        assert doc.text[block.start:block.end].strip() == doc.text[block.start:block.end] != ""


def test_epo_fixture_claims_in_one_claim_text(fixtures_dir: Path) -> None:
    doc = read_patent_xml(fixtures_dir / f"{EPO}WO.2018148832.A1_claims.xml")
    claims = doc.metadata["claims"]
    assert doc.metadata["number"] == "WO2018148832A1"
    assert [c["number"] for c in claims] == list(range(1, len(claims) + 1))
    assert len(claims) >= 40
    assert claims[3]["depends_on"] == 1  # "any one of claims 1 - 3"
    assert claims[0]["text"].startswith("A method for measuring the size distribution of falling rock pieces")


def test_epo_fixture_cn_biblio(fixtures_dir: Path) -> None:
    doc = read_patent_xml(fixtures_dir / f"{EPO}CN.104968889.A_biblio.xml")
    meta = doc.metadata
    assert meta["number"] == "CN104968889A"
    assert doc.published == "2015-10-07"
    assert meta["priority_dates"] == ["2012-10-12", "2013-10-11"]
    assert meta["application"] == {"number": "CN201380062258", "date": "2013-10-11"}
    assert "E21B 47/0228" in meta["ipc"]
    assert meta["claims"] == []


@pytest.mark.parametrize("name", [
    "epo_ops/published-data_search_biblio_pa-Siemens_range1-3.xml",
    "epo_ops/family_publication_docdb_EP.2906782.A2.xml",
    "epo_ops/published-data_search_ti-battery_range1-5.xml",
])
def test_epo_listings_are_not_one_publication(fixtures_dir: Path, name: str) -> None:
    with pytest.raises(ReadError):
        read_patent_xml(fixtures_dir / name)


@pytest.mark.parametrize(("front", "applicants"), [
    ("(71) Applicant Contemporary Amperex Technology Co., Limited\n", ["Contemporary Amperex Technology Co., Limited"]),
    ("(71) Applicant: BYD COMPANY LIMITED\n     Shenzhen, Guangdong 518118 (CN)\n", ["BYD COMPANY LIMITED"]),
    ("(73) Assignees: Toyota Jidosha Kabushiki Kaisha, Toyota-shi (JP); Idemitsu Kosan Co., Ltd., Tokyo (JP)\n",
     ["Toyota Jidosha Kabushiki Kaisha", "Idemitsu Kosan Co., Ltd."]),
    ("Applicant: QuantumScape Battery, Inc.\n", ["QuantumScape Battery, Inc."]),
])
def test_applicants_from_the_front_page(front: str, applicants: list[str]) -> None:
    text = f"(10) Pub. No.: US 2023/0102360 A1\n{front}(54) Solid electrolyte\n\nClaims\n\n1. A cell comprising a layer.\n"
    assert as_patent(_doc(text)).metadata["applicants"] == applicants


def test_the_applicant_is_the_assignee_of_the_documents_own_number(tmp_path: Path) -> None:
    from pipelines.extract import extract_document
    from pipelines.readers import read_document

    path = tmp_path / "ep.txt"
    path.write_text("(19) European Patent Office\n(11) EP 4 123 456 A1\n(71) Applicant: Contemporary Amperex "
                    "Technology Co., Limited\n     Ningde City, Fujian 352100 (CN)\n(54) SULFIDE SOLID ELECTROLYTE\n\n"
                    "Claims\n\n1. A sulfide solid electrolyte comprising Li6PS5Cl.\n", encoding="utf-8")
    extracted = extract_document(read_document(path))
    (fact,) = [f for f in extracted.facts if f.kind == "patent"]
    assert fact.slots["assignee"] == "CATL"
    assert ("assignee", "org:catl") in fact.entities
