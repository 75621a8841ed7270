import pytest

from pipelines.readers.text import parse_text
from pipelines.sentences import passages


def _sentences(text: str) -> list[str]:
    return [p.text for p in passages("doc:t", parse_text("t.txt", text))]


@pytest.mark.parametrize("text", [
    "Li₆PS₅Cl reaches ca. 10 mS cm⁻¹ at room temperature, as shown in Fig. 3 of the paper.",
    "The argyrodite Li6PS5Cl (see Fig. 2b) conducts well, e.g. above 1 mS/cm.",
    "Results agree with Zhang et al. on the garnet surface.",
])
def test_domain_abbreviations_do_not_split(text):
    assert _sentences(text) == [text]


def test_sentences_split_and_keep_offsets():
    text = "Toyota targets 2027. Samsung SDI began sampling.\n\n| a | b |\n|---|---|\n| 1 | 2 |"
    doc = parse_text("t.txt", text)
    ps = passages("doc:t", doc)
    assert [p.text for p in ps] == ["Toyota targets 2027.", "Samsung SDI began sampling.", "| a | b |", "| 1 | 2 |"]
    assert all(text[p.start:p.end] == p.text for p in ps)
    assert [p.block_kind for p in ps][-1] == "table_row"


def test_numbered_heading_marker_stays_with_its_text():
    assert _sentences("1. The Solid-Solid Interface Problem") == ["1. The Solid-Solid Interface Problem"]


@pytest.mark.parametrize("text", [
    "Toyota targets 2027. Samsung SDI began sampling! Why? Nobody knows…",
    '"Cells are ready." Then the line opened (in 2026). Output rose.',
    "It works!! Really?! yes. ok",
    "No final stop at all",
    'One sentence that ends in a quote."',  # one sentence, told without the tokenizer
    "Samsung SDI and LG Energy Solution Co.",
    "Targets were met...",
    "(The line opened.)",
    "Is it ready?!",
])
def test_sentences_are_the_sentencizers(text):
    """The token-array rule gives the sentences spaCy's sentencizer gives on the same tokens."""
    import spacy

    from pipelines.sentences import sentence_pipeline, sentence_spans

    reference = spacy.blank("en")
    reference.tokenizer = sentence_pipeline()[0].tokenizer
    reference.add_pipe("sentencizer")
    expected = [(s.start_char, s.end_char) for s in reference(text).sents]
    assert [text[a:b] for a, b in next(sentence_spans([text]))] == [text[a:b].strip() for a, b in expected]
