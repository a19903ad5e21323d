"""Phrase routing: exact vocabulary first, the sentence encoder for heads it doesn't know, and
"unknown" (paint it) below the similarity threshold or for things no source can find."""

from __future__ import annotations

import pytest

from lbie_desktop.grounding import ground, semantic
from lbie_desktop.grounding.router import parse


@pytest.mark.parametrize("phrase,kind,label", [
    ("the surfer", "people", "person"),  # once routed to surfboard
    ("the truck driver", "people", "person"),  # the head is "driver", not "truck"
    ("the man with the umbrella", "people", "person"),
    ("the umbrella held by the man", "object", "umbrella"),
    ("her", "people", "person"),
    ("her bag", "object", "handbag"),
    ("everyone", "people", "person"),
    ("the two drinks", "object", "drink"),
    ("the barstools", "object", "chair"),
])
def test_vocabulary_reads_the_head_noun(phrase, kind, label):
    q = parse(phrase)
    assert (q.kind, q.label, q.via) == (kind, label, "vocabulary")


@pytest.mark.parametrize("phrase,kind,label", [
    ("the eagle", "object", "bird"),
    ("my iPhone", "object", "cell phone"),
    ("the creature", "object", "animal"),
    ("the grandson", "people", "person"),
    ("the jogger", "people", "person"),
    ("the parrot", "object", "bird"),
    ("the sedan", "object", "car"),
])
def test_encoder_routes_heads_the_vocabulary_lacks(phrase, kind, label):
    q = parse(phrase)
    assert (q.kind, q.label, q.via) == (kind, label, "encoder")
    assert q.similarity >= semantic.THRESHOLD


@pytest.mark.parametrize("phrase,near", [
    ("the pier", "pier"), ("the houses", "house"), ("the watermark", "watermark"),
    ("all the legs", "leg"), ("the baseball cap", "baseball cap"),
])
def test_unfindable_things_stay_unknown_and_say_why(chelsea, phrase, near):
    q = parse(phrase)
    assert q.kind == "unknown" and q.near_name == near
    g = ground(chelsea, phrase)
    assert not g.ok and g.mask is None and "paint" in g.explanation
    assert near in g.explanation  # "it looks like a pier, which no installed model finds"


def test_below_the_threshold_is_unknown():
    q = parse("the flux capacitor")
    assert q.kind == "unknown" and q.similarity < semantic.THRESHOLD


def test_encoder_route_is_explained(astronaut):
    g = ground(astronaut, "the astronaut lady")  # vocabulary: lady
    assert g.ok and "sentence encoder" not in g.explanation
    g = ground(astronaut, "the jogger")
    assert g.ok and "sentence encoder" in g.explanation


def test_without_the_encoder_only_the_vocabulary_routes(monkeypatch):
    monkeypatch.setattr(semantic, "_get", lambda: None)
    monkeypatch.setattr(semantic, "_memo", {})
    assert parse("the eagle").kind == "unknown"
    assert parse("the surfer").kind == "people"


@pytest.mark.parametrize("phrase,field,value", [
    ("the second person from the right", "ordinal", 2),
    ("the last man on the left", "ordinal", -1),
    ("the 3rd car", "ordinal", 3),
    ("the biggest car", "size", "big"),
    ("the smallest dog", "size", "small"),
    ("the people in the foreground", "near", True),
    ("the people in the background", "background", True),
    ("the two men on the left", "count", 2),
])
def test_which_one_words(phrase, field, value):
    assert getattr(parse(phrase, semantic=False), field) == value


@pytest.mark.parametrize("phrase,kind", [
    ("the house in the background", "unknown"),  # not "the background"
    ("the finger at the upper left corner", "unknown"),  # not the corner
    ("the hat on the man", "unknown"),  # not the man
    ("the very right", "place"),
    ("the man's face", "faces"),
    ("white background behind the man", "people"),  # color_bg keeps the man
    ("the green broom", "colour"),  # every green area, and it says so
])
def test_the_head_noun_decides(phrase, kind):
    assert parse(phrase).kind == kind


def test_removing_an_unknown_coloured_thing_asks_to_paint(chelsea):
    assert parse("the yellow building", op="hue").kind == "colour"
    g = ground(chelsea, "the yellow building", op="inpaint_obj")
    assert not g.ok and g.mask is None and "paint" in g.explanation


def test_everyone_except_keeps_the_main_subject(astronaut):
    q = parse("everyone except the woman in front")
    assert q.kind == "people" and q.background and q.plural
    g = ground(astronaut, "everyone except the astronaut")  # she is the only person
    assert not g.ok and "only one person" in g.explanation


@pytest.mark.parametrize("name", [c for c in __import__(
    "lbie_desktop.grounding.vocab", fromlist=["COCO80"]).COCO80 if c != "person"])
def test_every_coco_class_is_found_by_its_name_and_plural(name):
    one = parse(f"the {name}", semantic=False)
    many = parse(f"remove the {name if name.endswith('s') else name + 's'}", semantic=False)
    for q in (one, many):
        assert q.kind == "object" and name in q.labels, (q.phrase, q.kind, q.labels)


@pytest.mark.parametrize("phrase,label", [
    ("the TV", "tv"), ("my phone", "cell phone"), ("the auto", "car"), ("the sofa", "couch"),
    ("the fridge", "refrigerator"), ("the motorbike", "motorcycle"), ("the plane", "airplane"),
    ("the mug", "cup"), ("the hot dogs", "hot dog"), ("the teddy bears", "teddy bear"),
])
def test_synonyms_and_two_word_names(phrase, label):
    q = parse(phrase, semantic=False)
    assert q.kind == "object" and label in q.labels, (q.kind, q.labels)
