"""Several regions for one edit, and regions that must stay as they are.

"remove the man, the dog and the car" is three removals; "brighten the face and darken the sky"
is two brightness steps going opposite ways; "black and white but keep the red umbrella" leaves
the umbrella in colour and asks for no colour edit."""

import pytest

from lbie_desktop.understanding import understand


def _on(request: str) -> list[tuple[str, str | None, dict]]:
    return [(s.op, s.target, s.params) for s in understand(request) if s.enabled]


def test_a_list_after_a_removal_is_one_step_per_object() -> None:
    got = _on("remove the man, the dog and the car please")
    assert [(op, t) for op, t, _ in got] == [
        ("inpaint_obj", "the man"), ("inpaint_obj", "the dog"), ("inpaint_obj", "the car")]
    assert [t for _, t, _ in _on("remove the person on the left and the dog")] == [
        "the person on the left", "the dog"]


def test_a_following_clause_is_not_read_as_a_listed_object() -> None:
    for request in ("remove the man and the sky is too dark", "remove the man and brighten it"):
        removals = [t for op, t, _ in _on(request) if op == "inpaint_obj"]
        assert removals == ["the man"], request


def test_one_op_in_two_clauses_gives_two_steps_with_their_own_direction() -> None:
    got = [(t, p["amount"]) for op, t, p in _on("brighten the face and darken the sky")
           if op == "brightness"]
    assert [t for t, _ in got] == ["the face", "the sky"]
    assert got[0][1] > 0 > got[1][1]
    # a global clause and a local one
    got = [(t, p["amount"]) for op, t, p in _on("brighten it and darken the sky")
           if op == "brightness"]
    assert got[0][0] is None and got[0][1] > 0
    assert got[1] == ("the sky", pytest.approx(-got[0][1]))


def test_a_verbless_clause_shares_the_verb_and_keeps_its_own_colour() -> None:
    got = {t: p["color"] for op, t, p in _on("make the sky bluer and the trees greener")
           if op == "recolor"}
    assert set(got) == {"the sky", "the trees"}
    sky, trees = got["the sky"], got["the trees"]
    assert sky[2] > sky[1] and trees[1] > trees[2] and trees[1] > trees[0]


@pytest.mark.parametrize("request_", [
    "turn it black and white but keep the red umbrella",
    "black and white, leave the dress in colour",
    "make it grayscale and keep the flowers in color",
])
def test_selective_colour_keeps_the_named_region_and_asks_no_colour_edit(request_: str) -> None:
    steps = understand(request_)
    bw = [s for s in steps if s.op == "black_white"]
    assert len(bw) == 1 and bw[0].enabled and bw[0].local
    assert bw[0].target.startswith("not: the ") and "colo" not in bw[0].target
    assert [s.op for s in steps if s.enabled] == ["black_white"]


def test_what_must_stay_natural_is_a_wish_not_a_region_or_an_edit() -> None:
    assert _on("brighten it but keep the colours natural") == [
        ("brightness", None, _on("brighten it")[0][2])]
    warm = [(op, t) for op, t, _ in _on("make it warmer and keep the skin tones natural")]
    assert warm == [("temperature", None)]
    # "leave X alone" still excludes X
    (op, target, _), = _on("brighten the photo but leave the sky alone")
    assert (op, target) == ("brightness", "not: the sky")


def test_more_of_a_colour_is_a_gentler_recolour_than_the_colour_itself():
    def strength(request: str) -> float:
        (p,) = [p for op, _, p in _on(request) if op == "recolor"]
        return p["strength"]

    assert strength("make the sky more blue") == strength("make the sky bluer")
    assert strength("make the sky more blue") < strength("make the car blue")


def test_a_noun_and_what_it_becomes_is_that_nouns_edit():
    got = [(op, t, p) for op, t, p in _on("make the sky bluer, the grass greener and the sea darker")]
    assert {(op, t) for op, t, _ in got} == {
        ("recolor", "the sky"), ("recolor", "the grass"), ("brightness", "the sea")}
    (sea,) = [p for op, _, p in got if op == "brightness"]
    assert sea["amount"] < 0
    got = {t: p["amount"] for op, t, p in _on("brighten the face, the background darker")}
    assert set(got) == {"the face", "the background"}
    assert got["the face"] > 0 > got["the background"]


def test_a_negated_clause_asks_for_nothing():
    got = {(op, t) for op, t, _ in _on("make the colors pop but don't make the faces orange")}
    assert not any(op == "recolor" or t == "the faces" for op, t in got)
    assert [op for op, _, _ in _on("don't crop it, just brighten")] == ["brightness"]


def test_less_of_a_colour_is_white_balance_the_other_way():
    (op, t, p), = _on("make the whole thing less yellow")
    assert (op, t) == ("temperature", None) and p["temperature"] < 0
    (op, t, p), = _on("make the sky less blue")
    assert (op, t) == ("temperature", "the sky") and p["temperature"] > 0


def test_colour_names_beyond_the_basic_eleven():
    (op, t, p), = _on("make the water more turquoise")
    assert (op, t) == ("recolor", "the water")
    assert p["color"][1] > p["color"][0] and p["color"][2] > p["color"][0]  # blue-green
    (p,) = [p for op, _, p in _on("make the olive tree greener") if op == "recolor"]
    assert p["color"][1] > max(p["color"][0], p["color"][2])  # the last colour named wins


@pytest.mark.parametrize(("request_", "stops"), [
    ("increase exposure by one stop", 1.0), ("decrease the exposure by 2 stops", -2.0),
    ("+0.5 EV please", 0.5), ("increase the exposure", 0.6),
])
def test_stops_in_the_words_set_the_exposure(request_, stops):
    (p,) = [p for op, _, p in _on(request_) if op == "exposure"]
    assert p["stops"] == pytest.approx(stops)


@pytest.mark.parametrize(("request_", "ratio"), [
    ("crop it to a square", 1.0), ("crop to 16:9", 16 / 9), ("crop it to 4x5", 0.8)])
def test_a_named_shape_crops_the_photo_to_it(request_, ratio):
    import numpy as np
    import torch

    from lbie_desktop.core.ops import apply_op

    photo = np.random.default_rng(0).integers(0, 255, (300, 400, 3), dtype=np.uint8)
    (crop,) = [s for s in understand(request_, photo) if s.op == "crop" and s.enabled]
    out = apply_op("crop", torch.from_numpy(photo).permute(2, 0, 1)[None].float() / 255,
                   crop.params)
    h, w = out.shape[-2:]
    assert w / h == pytest.approx(ratio, rel=0.02)


@pytest.mark.parametrize(("request_", "op", "target"), [
    ("increase the saturation of the flowers only", "saturation", "the flowers"),
    ("more contrast in just the sky", "contrast", "the sky"),
])
def test_a_place_the_words_limit_the_edit_to_is_its_region(request_, op, target):
    assert (op, target) in {(o, t) for o, t, _ in _on(request_)}


@pytest.mark.parametrize(("request_", "op", "target"), [
    ("make the grass lush and green", "saturation", "the grass"),
    ("make the water crystal clear", "saturation", "the water"),
    ("make the sky a deep blue", "recolor", "the sky"),
    ("make the walls pure white", "color_bg", "the walls"),
    ("make the grass vibrant", "saturation", "the grass"),
])
def test_what_a_region_becomes_is_not_part_of_its_name(request_, op, target):
    # "the grass lush" or "the sky a deep" would be grounded as nothing at all
    assert (op, target) in [(o, t) for o, t, _ in _on(request_)], _on(request_)


def test_make_a_region_dark_darkens_it_and_a_dark_region_made_lighter_brightens():
    dark = [(t, p["amount"]) for o, t, p in _on("make the sky dark") if o == "brightness"]
    assert dark and dark[0][0] == "the sky" and dark[0][1] < 0
    light = [(t, p["amount"]) for o, t, p in _on("make the dark sky lighter")
             if o == "brightness"]
    assert light and light[0][0] == "the dark sky" and light[0][1] > 0
