"""Ops the words ask for are on; ops the classifier adds because they usually come along are
offered switched off; vague requests on a fine photo make gentle changes."""

from lbie_desktop.understanding import understand


def test_only_the_asked_for_ops_are_switched_on(astronaut):
    for request, asked in [
        ("brighten everything except the face", {"brightness"}),
        ("increase the contrast and saturation", {"contrast", "saturation"}),
        ("remove the people in the background and brighten it a bit",
         {"inpaint_obj", "brightness"}),
    ]:
        steps = understand(request, astronaut)
        on = {s.op for s in steps if s.enabled}
        assert asked <= on, (request, on)
        for s in steps:
            if not s.enabled:
                assert any("not asked for" in e for e in s.evidence)
        assert on - asked <= {"lightness", "exposure", "tint"}, (request, on)


def test_coordinated_ops_share_the_verb(astronaut):
    steps = {s.op: s for s in understand("increase the contrast and saturation", astronaut)}
    assert steps["contrast"].params["amount"] > 0.1
    assert steps["saturation"].params["amount"] > 0.1


def test_make_it_better_on_a_well_exposed_photo_is_gentle(astronaut):
    steps = understand("please make this picture better", astronaut)
    assert steps, "a vague request still proposes something"
    for s in steps:
        if "amount" in s.params:
            assert abs(s.params["amount"]) <= 0.15, (s.op, s.params)


def test_a_region_right_after_the_verb_makes_the_step_local(astronaut):
    steps = {s.op: s for s in understand("brighten the sky a bit and increase the contrast",
                                         astronaut)}
    assert steps["brightness"].local and steps["brightness"].target == "the sky"
    assert not steps["contrast"].local
    bluer = [s for s in understand("make the sky bluer", astronaut) if s.enabled]
    assert [s.op for s in bluer] == ["recolor"] and bluer[0].target == "the sky"
    assert bluer[0].params["color"][2] > 0.6 and bluer[0].params["strength"] < 0.5
