"""Reading answers with rules (kambot.core.interview_coverage): pure and deterministic."""

from __future__ import annotations

import pytest

from kambot.core.interview_coverage import (
    AnswerRules,
    TermSet,
    analyse_answer,
    find_names,
    fold,
    missing_wants,
    probe_reason,
    satisfied_wants,
    split_sentences,
    theme_coverage,
)

RULES = AnswerRules(
    hedges=TermSet.build({"h": ["maybe", "i don't know", "peut-etre", "ca depend"]}),
    generic=TermSet.build({"g": ["the usual", "des choses"]}),
    skip=TermSet.build({"s": ["skip", "je passe"]}),
    number_words=TermSet.build({"n": ["two", "dozen", "deux", "douzaine*"]}),
    periods=TermSet.build({"p": ["year*", "ans", "d'ici"]}),
    frequencies=TermSet.build({"f": ["every", "monthly", "par mois"]}),
    not_names=frozenset({"i", "kam", "ceo"}),
)
TAGS = TermSet.build({"innovation": ["innov*"], "silos": ["silo*", "decloisonn*"],
                      "services": ["contrat* de service*"]})
STANCES = TermSet.build({"unwilling": ["no time"], "willing": ["yes", "i will sponsor"]})


def test_terms_fold_accents_match_endings_and_regexes() -> None:
    assert fold("Décloisonner l’Équipe") == "decloisonner l'equipe"
    ts = TermSet.build({"a": ["innov*"], "b": ["re:\\b20[2-4]\\d\\b"],
                        "c": ["contrat* de service*"], "d": ["share of wallet"]})
    found = ts.find(fold("Innovation by 2027; nos contrats de services; shares of wallet"))
    assert set(found) == {"a", "b", "c"}  # "shares of wallet" is not "share of wallet"
    assert ts.first(fold("contrats de service puis innovation")) == ["c", "a"]
    with pytest.raises(ValueError, match="invalid term"):
        TermSet.build({"x": ["re:(unclosed"]})


def test_short_hedged_and_generic_answers_are_flagged() -> None:
    short = analyse_answer("Growth.", RULES, min_words=8)
    assert short.short and not short.vague
    hedged = analyse_answer("Maybe innovation, I don't know really what else to say here.",
                            RULES, min_words=5, tags=TAGS)
    assert hedged.vague and hedged.hedges == ("maybe", "i don't know")
    assert hedged.tags == ("innovation",)
    empty = analyse_answer("The usual, with our customers and partners around the world.",
                           RULES, min_words=5)
    assert empty.vague
    specific = analyse_answer("Peut-être douze comptes, mais le décloisonnement d'abord : "
                              "c'est la bataille des trois ans qui viennent, sans aucun "
                              "doute possible pour nous tous ici.", RULES, min_words=5,
                              tags=TAGS)
    # One hedge in a long, specific answer is not vagueness.
    assert not specific.vague and specific.tags == ("silos",)


def test_figures_periods_frequencies_and_names() -> None:
    f = analyse_answer("We want 35% by 2027, two pilots and €2.5 M every quarter with "
                       "Quenolac Mobilité.", RULES)
    assert "35%" in f.figures and "two" in f.figures and any("2.5" in x for x in f.figures)
    assert "2027" not in f.figures and "2027" in f.periods
    assert f.frequencies == ("every",)
    assert f.names == ("Quenolac Mobilité",)
    assert find_names("I think the CEO and KAM agree. Morennova is key.", {"i", "kam", "ceo"}
                      ) == []  # sentence-initial single word, and not-names
    assert find_names("We should ask Morennova and BMW.", set()) == ["Morennova", "BMW"]


def test_skip_is_recognised_only_on_short_answers() -> None:
    assert analyse_answer("Skip", RULES).skip
    assert analyse_answer("je passe", RULES).skip
    assert not analyse_answer("We should not skip the discussion about silos with the "
                              "country managers at all.", RULES).skip


def test_coverage_and_missing_wants() -> None:
    wants = ["substance", "tags", "figure"]
    a1 = analyse_answer("Maybe innovation.", RULES, min_words=6, tags=TAGS)
    assert theme_coverage([a1], wants, 6) == pytest.approx(1 / 3)
    assert missing_wants([a1], wants, 6) == ["substance", "figure"]
    a2 = analyse_answer("Innovation first: two co-developed pilots with our largest "
                        "customers.", RULES, min_words=6, tags=TAGS)
    assert satisfied_wants([a1, a2], wants, 6) == {"substance", "tags", "figure"}
    assert theme_coverage([a1, a2], wants, 6) == 1.0
    skipped = analyse_answer("skip", RULES)
    assert theme_coverage([skipped], wants, 6) == 0.0
    assert theme_coverage([], [], 6) == 0.0
    with pytest.raises(ValueError, match="unknown want"):
        satisfied_wants([a1], ["colour"], 6)


def test_probe_reason_order_and_no_repeat() -> None:
    wants = ["substance", "stance", "name"]
    short = analyse_answer("Yes.", RULES, min_words=6, stances=STANCES)
    missing = missing_wants([short], wants, 6)
    targets = ["substance", "stance", "name"]
    # "Yes." gives the stance the question targets, so it is not "too short": the
    # missing name is asked for.
    assert probe_reason(short, missing, targets, used=[]) == "name"
    bare = analyse_answer("Hmm.", RULES, min_words=6, stances=STANCES)
    assert probe_reason(bare, missing_wants([bare], wants, 6), targets, used=[]) == "short"
    assert probe_reason(bare, missing_wants([bare], wants, 6), targets,
                        used=["short"]) == "stance"
    assert probe_reason(analyse_answer("skip", RULES), ["name"], targets, used=[]) is None
    full = analyse_answer("Yes, I will sponsor Quenolac and Morennova, gladly and soon.",
                          RULES, min_words=6, stances=STANCES)
    assert probe_reason(full, missing_wants([full], wants, 6), targets, used=[]) is None


def test_sentences_keep_colons_together() -> None:
    text = "Three battles: A, B and C. Then more!  And a last one"
    parts = [text[a:b] for a, b in split_sentences(text)]
    assert parts == ["Three battles: A, B and C.", "Then more!", "And a last one"]
