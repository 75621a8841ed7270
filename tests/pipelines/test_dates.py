"""Date mentions: normalisation, qualifiers, ranges, relative dates, non-dates, header dates and sorting."""
from __future__ import annotations

import json

import pytest

from pipelines.dates import DateMention, date_sort_key, date_year, document_date, find_dates

PUB = "2026-05-20"  # a Wednesday


def _dates(text: str, published: str | None = None) -> list[tuple[str, str | None, str | None]]:
    return [(d.date, d.date_end, d.qualifier) for d in find_dates(text, published)]


# (sentence, expected [(date, date_end, qualifier)] in order)
ABSOLUTE = [
    # quarters, halves, fiscal years
    ("Volume shipments are slated to start in Q3 2026 at the Ulsan plant.", [("2026-Q3", None, None)]),
    ("The supplier guided for first B-samples in 3Q26.", [("2026-Q3", None, None)]),
    ("Revenue recognition begins Q4'25, with a second tranche in 2027 Q1.",
     [("2025-Q4", None, None), ("2027-Q1", None, None)]),
    ("Management reiterated guidance for the third quarter of fiscal 2026.", [("2026-Q3", None, None)]),
    ("The ramp is phased over Q3–Q4 2026.", [("2026-Q3", "2026-Q4", None)]),
    ("Sampling is planned for H1 2026 and start of production for 2H27.",
     [("2026", None, "early"), ("2027", None, "late")]),
    ("The automaker targets commercialisation in FY 2028–2029.", [("2028", "2029", None)]),
    ("Capex peaks in FY28-29 before easing in FY2030.", [("2028", "2029", None), ("2030", None, None)]),
    # months and days
    ("Customer deliveries started in Dec 2025.", [("2025-12", None, None)]),
    ("A rollout is targeted for Sept 2026.", [("2026-09", None, None)]),
    ("The line was commissioned in September of 2026.", [("2026-09", None, None)]),
    ("The statement was issued on February 3, 2026 in Tokyo.", [("2026-02-03", None, None)]),
    ("The agreement was signed on 3 February 2026.", [("2026-02-03", None, None)]),
    ("The filing is dated 2026-05-20.", [("2026-05-20", None, None)]),
    ("Validation ran from March–May 2026.", [("2026-03", "2026-05", None)]),
    ("Pilot output rose between Dec 2025 – Feb 2026.", [("2025-12", "2026-02", None)]),
    ("Operation has continued since Jan 2025.", [("2025-01", None, "since")]),
    ("Costs may fall in 2026, and May 2026 deliveries slipped.", [("2026", None, None), ("2026-05", None, None)]),
    # years, ranges, qualifiers
    ("The partners are pursuing similar timelines (2027–2030 for mass production).", [("2027", "2030", None)]),
    ("Toyota, Honda and Nissan have pegged 2027-2028 as the launch window.", [("2027", "2028", None)]),
    ("Capacity additions are budgeted for 2027-28.", [("2027", "2028", None)]),
    ("Output should double between 2027 and 2030.", [("2027", "2030", None)]),
    ("Status report: late 2024/2025 update.", [("2024", "2025", "late")]),
    ("Mass adoption is expected around 2030.", [("2030", None, "around")]),
    ("A road-test fleet began operating in late 2024.", [("2024", None, "late")]),
    ("A SPAC listing is expected by mid-2026.", [("2026", None, "mid")]),
    ("Large-scale installation is planned after 2030.", [("2030", None, "after")]),
    ("Post\u20112030: potential mainstream penetration.", [("2030", None, "after")]),
    ("The company expects to break even by the end of 2027.", [("2027", None, "late")]),
    ("Revenue should come in the second half of 2026.", [("2026", None, "late")]),
    ("Production may start in early 2027 or so.", [("2027", None, "early")]),
    ("Shipments will scale from 2028 onwards.", [("2028", None, "after")]),
    ("A ~2030 target was set for the gigafactory.", [("2030", None, "around")]),
    ("Both firms promised launches in the late 2020s.", [("2027", "2029", "late")]),
    ("The market report (2025) cited a strong pipeline.", [("2025", None, None)]),
    ("Analysts forecast 40 GWh in 2030E.", [("2030", None, None)]),
    ("In 2026 vehicles with semi-solid packs reached 50,000 units.", [("2026", None, None)]),
    # Chinese forms
    ("公司计划于2027年实现小批量装车。", [("2027", None, None)]),
    ("该产线预计2025年底建成。", [("2025", None, "late")]),
    ("新品将于2026年3月发布。", [("2026-03", None, None)]),
    ("宁德时代计划2026年第三季度开始送样。", [("2026-Q3", None, None)]),
    ("预计2027-2030年实现规模化量产。", [("2027", "2030", None)]),
    ("行业预计2030年前后进入大规模应用阶段。", [("2030", None, "around")]),
    ("电池将于2026年上半年送样。", [("2026", None, "early")]),
    ("测试于2026年5月20日完成。", [("2026-05-20", None, None)]),
    ("2025年初步实现了中试。", [("2025", None, None)]),
]


@pytest.mark.parametrize(("text", "expected"), ABSOLUTE, ids=[t for t, _ in ABSOLUTE])
def test_absolute_dates(text: str, expected: list[tuple[str, str | None, str | None]]) -> None:
    assert _dates(text) == expected


# Numbers that look like years but are quantities, identifiers, pages, figures or units.
NOT_DATES = [
    "The pilot line is capable of ~2,000 cells/month.",
    "BYD disclosed the design in patent CN118748295A.",
    "See Fig. 2019 and Table 2020 for the impedance spectra.",
    "The Mercedes EQS achieved 1,205 km on a single charge.",
    "The module stores 2027 Wh at nominal voltage.",
    "Capacity retention was 91% after 2000 cycles at 1C.",
    "Cycle life ranges between 2000 and 2050 cycles depending on pressure.",
    "The cell survived 2000-3000 cycles in accelerated tests.",
    "The application was published as US 2025/0123456 A1.",
    "The standard GB/T 31485-2015 covers abuse testing.",
    "The sintering step runs at 1,100\u00b0C for 2030 s.",
    "The firm raised $2025 million in its latest round.",
    "Report ID: batteries-2026 (internal).",
    "The spectrum shows a peak at 2045.3 cm-1.",
    "Order No. 2026 covers 500 sample cells.",
    "The dry room holds -60\u00b0C dew point and <10 ppm H2O.",
]


@pytest.mark.parametrize("text", NOT_DATES)
def test_numbers_that_are_not_dates(text: str) -> None:
    assert find_dates(text) == []


def test_citation_year_is_kept_but_page_range_is_not() -> None:
    assert _dates("J. Power Sources 412 (2019) pp. 1056\u20131064 reported similar results.") == [("2019", None, None)]


RELATIVE = [
    ("Just over the weekend, Guoxuan presented its answer sheet.", "2026-05", None),
    ("Sales doubled last year, the CFO said.", "2025", None),
    ("The plant will open next year.", "2027", None),
    ("Production is scheduled to begin early next year.", "2027", "early"),
    ("Earlier this month, the supplier confirmed the order.", "2026-05", None),
    ("The company shipped B-samples last month.", "2026-04", None),
    ("Revenue should inflect next quarter.", "2026-Q3", None),
    ("The results were announced yesterday.", "2026-05-19", None),
    ("The partners signed the memorandum on Monday.", "2026-05-18", None),
    ("The line was commissioned two years ago.", "2024", None),
    ("Mass production is expected within three years.", "2029", "by"),
    ("The pilot line started in March.", "2026-03", None),
    ("Trial production begins in mid-June.", "2026-06", "mid"),
    ("Deliveries are planned by the end of this year.", "2026", "late"),
    ("去年该公司出货量翻倍。", "2025", None),
    ("今年3月开始量产。", "2026-03", None),
    ("上周末发布了新电池。", "2026-05", None),
    ("明年底实现装车。", "2027", "late"),
]


@pytest.mark.parametrize(("text", "date", "qualifier"), RELATIVE, ids=[t for t, _, _ in RELATIVE])
def test_relative_dates_resolve_against_published(text: str, date: str, qualifier: str | None) -> None:
    found = find_dates(text, PUB)
    assert [(d.date, d.qualifier, d.relative) for d in found] == [(date, qualifier, True)]


@pytest.mark.parametrize("text", [t for t, _, _ in RELATIVE[:6]])
def test_relative_dates_need_a_publication_date(text: str) -> None:
    assert find_dates(text) == []


def test_relative_precision_follows_the_publication_date() -> None:
    assert _dates("Sales doubled last year.", "2026") == [("2025", None, None)]
    assert _dates("The results were announced yesterday.", "2026-05") == []


def test_relative_phrases_with_the_are_periods_not_dates() -> None:
    assert find_dates("Prices fell over the last year.", PUB) == []


def test_absolute_and_relative_mix_in_one_sentence() -> None:
    text = "After sampling in Q4 2025, the firm said last week it would start production in 2027."
    found = find_dates(text, PUB)
    assert [(d.date, d.relative) for d in found] == [("2025-Q4", False), ("2026-05", True), ("2027", False)]


@pytest.mark.parametrize(
    "text",
    [
        "Toyota announced commercial production starting 2027, Samsung SDI began sampling in mid\u20112026.",
        "预计2027-2030年实现规模化量产，2030年前后大规模应用。",
        "Dongfeng (350 Wh/kg, 1,000 km) is aiming for Sept\u202f2026; FY\u202f2028\u20132029 for Nissan.",
        "The report was released on 2026/05/20 and revised on 20.05.2026, i.e. last week.",
    ],
)
def test_spans_quote_the_sentence(text: str) -> None:
    found = find_dates(text, PUB)
    assert found
    for d in found:
        assert isinstance(d, DateMention)
        assert text[d.start:d.end] == d.raw
    assert [d.start for d in found] == sorted(d.start for d in found)


def test_mention_is_frozen() -> None:
    d = find_dates("in 2027")[0]
    with pytest.raises(AttributeError):
        d.date = "2028"  # type: ignore[misc]


def test_nbsp_and_non_breaking_hyphen_are_handled() -> None:
    assert _dates("Target rollout Sept\u202f2026; Proposed merger (mid\u20112026).") == [
        ("2026-09", None, None),
        ("2026", None, "mid"),
    ]


DOCUMENTS = [
    ("# Solid State Battery Status Report\n\n**Date:** February 3, 2026\n\n## 1. Timeline\n", "2026-02-03"),
    ("# Report\n\n**Agent:** research-agent  \n**UTC:** 2026-02-27 10:08  \n**Bangkok:** 17:08 ICT\n", "2026-02-27"),
    ("HomeArticle\n\nAll-solid-state batteries are going crazy.\n\n智东西2026-05-20 12:29\nThe mass production...\n",
     "2026-05-20"),
    ("Pilot lines expand\nPublished: 12 March 2025\n\nToyota said it would start production in 2027.\n", "2025-03-12"),
    ("Title\nBy Jane Doe | Energy Desk\nMarch 12, 2025 10:32 AM EST\nToyota said on Tuesday...\n", "2025-03-12"),
    ("发布时间：2026-03-15 09:12\n正文内容\n", "2026-03-15"),
    ("Title\nReceived 3 January 2018; Accepted 5 March 2018\nAvailable online 10 April 2018\n", "2018-04-10"),
    ("Title\nUpdated: 2025-06-01\nDate: 2025-05-30\n", "2025-05-30"),
    ("Title\nUpdated: 2025-06-01\nSome text\n", "2025-06-01"),
    ("Solid-state batteries have been 2-3 years away for a decade. But in 2026, something changed.\n", None),
    ("Title\nFiled: Mar. 3, 2023\nPriority date: 2022-03-03\n", None),
    ("Toyota said on March 12, 2025 that it will begin producing all-solid-state batteries for its EVs in 2027.\n",
     None),
]


@pytest.mark.parametrize(("text", "expected"), DOCUMENTS)
def test_document_date(text: str, expected: str | None) -> None:
    assert document_date(text) == expected


def test_document_date_looks_only_at_the_header() -> None:
    body = "\n".join(f"Paragraph {i} about cells." for i in range(40))
    assert document_date(body + "\nDate: 2026-01-01\n") is None


def test_date_sort_key_orders_precisions() -> None:
    dates = ["2026-09-01", "2027", "2026-09", "2026-Q3", "2026", "2025-12", "2026-Q4", "2026-07"]
    assert sorted(dates, key=date_sort_key) == [
        "2025-12", "2026", "2026-Q3", "2026-07", "2026-09", "2026-09-01", "2026-Q4", "2027",
    ]
    assert [date_year(d) for d in ("2026", "2026-Q3", "2026-09", "2026-09-01")] == [2026] * 4
    with pytest.raises(ValueError):
        date_sort_key("2026-H1")


def test_gold_milestone_dates_are_found_in_their_evidence(shared_dir) -> None:
    gold = json.loads((shared_dir / "eval" / "gold.json").read_text(encoding="utf-8"))
    checked = 0
    for doc in gold["documents"]:
        for fact in doc["facts"]:
            if fact["kind"] != "milestone":
                continue
            found = find_dates(fact["evidence"], doc["published"])
            if not found:
                continue
            checked += 1
            want = fact["date"]
            assert any(d.date[:len(want)] == want for d in found), (want, fact["evidence"], found)
    assert checked >= 20


def test_gold_published_dates_from_headers(shared_dir) -> None:
    gold = json.loads((shared_dir / "eval" / "gold.json").read_text(encoding="utf-8"))
    for doc in gold["documents"]:
        text = (shared_dir / "corpus" / doc["file"]).read_text(encoding="utf-8")
        stated = doc["published"] if doc["published"] and len(doc["published"]) == 10 else None
        assert document_date(text) == stated, doc["file"]
