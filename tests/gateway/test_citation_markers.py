"""Citation markers become [n] as the text streams in, whatever the cut points."""

from __future__ import annotations

from hypothesis import given, settings
from hypothesis import strategies as st

from api.routes.openai_compat import CitationNumberer, approx_tokens

TEXT = ("Less is more. [en/segmentation#less-is-more] Revenue grew [acct:C10102/kpi:revenue_ttm] "
        "as noted [sic], see [en/segmentation#less-is-more; account-3/activity-9#text]. "
        "A [bracket that never closes")


def _run(pieces: list[str]) -> tuple[str, CitationNumberer]:
    numberer = CitationNumberer()
    numberer.add_citation({"id": "en/segmentation#less-is-more", "kind": "methodology",
                           "label": "Segmentation — Less is more", "snippet": "Less..."})
    numberer.add_citation({"id": "en/tiers#gold", "kind": "methodology", "label": "Tiers"})
    text = "".join(numberer.feed(p) for p in pieces) + numberer.finish()
    return text, numberer


def test_sources_are_numbered_as_they_become_known_and_listed() -> None:
    text, numberer = _run([TEXT])
    body, _, sources = text.partition("\n\nSources:\n")
    assert body == ("Less is more. [1] Revenue grew [3] as noted [sic], see [1][4]. "
                    "A [bracket that never closes")
    assert sources.splitlines() == [
        "[1] Segmentation — Less is more (en/segmentation#less-is-more)",
        "[2] Tiers (en/tiers#gold)",  # cited by the chat, no marker in the text
        "[3] acct:C10102/kpi:revenue_ttm",
        "[4] account-3/activity-9#text",
    ]
    assert [(s.number, s.kind) for s in numberer.sources()] == [
        (1, "methodology"), (2, "methodology"), (3, ""), (4, "")]


def test_the_chats_own_numbers_keep_their_meaning() -> None:
    numberer = CitationNumberer()
    shown = [numberer.feed(p) for p in ("Revenue: 164 k EUR. [", "1] Growth: -14.8%. [2", "]")]
    assert "".join(shown) == "Revenue: 164 k EUR. [1] Growth: -14.8%. [2]"
    assert shown[0] == "Revenue: 164 k EUR. "  # the "[" waits for its end
    for cid in ("acct:C1/kpi:revenue_ttm", "acct:C1/kpi:revenue_growth"):
        numberer.add_citation({"id": cid, "kind": "fact", "label": cid.split(":")[-1]})
    assert numberer.finish().splitlines()[-2:] == [
        "[1] revenue_ttm (acct:C1/kpi:revenue_ttm)",
        "[2] revenue_growth (acct:C1/kpi:revenue_growth)"]


@settings(max_examples=60, deadline=None)
@given(st.lists(st.integers(min_value=0, max_value=len(TEXT)), max_size=12))
def test_any_cut_points_give_the_same_text(cuts: list[int]) -> None:
    points = sorted(set(cuts))
    pieces = [TEXT[a:b] for a, b in zip([0, *points], [*points, len(TEXT)], strict=True)]
    whole, _ = _run([TEXT])
    streamed, _ = _run(pieces)
    assert streamed == whole


def test_an_unclosed_bracket_is_held_then_released_as_text() -> None:
    numberer = CitationNumberer()
    assert numberer.feed("Hello [en/seg") == "Hello "  # may still become a marker
    assert numberer.feed("x" * 50) == ""
    released = numberer.feed("y" * 400)  # too long to be a marker: plain text
    assert released == "[en/seg" + "x" * 50 + "y" * 400
    assert numberer.finish() == ""


def test_approx_tokens_counts_words_and_marks() -> None:
    assert approx_tokens("Less is more, really.") == 6
    assert approx_tokens("") == 0
