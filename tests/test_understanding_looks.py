"""Named looks: what a person sees after "make it look vintage", "very moody", "noir"."""

from __future__ import annotations

import numpy as np
import pytest
from skimage import data

from lbie_desktop.core.render import render_steps, resize_long_side, to_tensor, to_uint8
from lbie_desktop.understanding import understand
from lbie_desktop.understanding.looks import COLOUR_OPS, LOOKS, look_steps, named_looks
from lbie_desktop.understanding.measure import measure


@pytest.fixture(scope="module")
def astronaut() -> np.ndarray:
    return resize_long_side(data.astronaut(), 160)


@pytest.fixture(scope="module")
def coffee() -> np.ndarray:
    return resize_long_side(data.coffee(), 160)


def look(text: str, rgb: np.ndarray) -> np.ndarray:
    steps = look_steps(text, measure(rgb))
    assert steps, text
    return to_uint8(render_steps(to_tensor(rgb), steps))


def luma(rgb: np.ndarray) -> np.ndarray:
    return (rgb.astype(np.float32) / 255) @ np.array([0.2126, 0.7152, 0.0722], np.float32)


def saturation(rgb: np.ndarray) -> float:
    a = rgb.astype(np.float32)
    hi, lo = a.max(-1), a.min(-1)
    return float(np.mean((hi - lo) / np.maximum(hi, 1)))


def warmth(rgb: np.ndarray) -> float:
    a = rgb.astype(np.float32)
    return float((a[..., 0] - a[..., 2]).mean())


def test_vintage_mutes_the_colours_and_lifts_the_blacks(astronaut, coffee) -> None:
    for rgb in (astronaut, coffee):
        out = look("make it look vintage", rgb)
        assert saturation(out) < saturation(rgb) - 0.05
        assert np.percentile(luma(out), 2) > np.percentile(luma(rgb), 2) + 0.02


def test_noir_is_black_and_white_and_more_contrasty(astronaut) -> None:
    out = look("give it a film noir look", astronaut)
    assert saturation(out) < 0.01
    assert luma(out).std() > luma(astronaut).std() * 1.05


def test_moody_is_darker_but_less_so_on_a_dark_photo(coffee) -> None:
    out = look("make it moody", coffee)
    assert np.median(luma(out)) < np.median(luma(coffee)) - 0.05
    dark = (coffee * 0.45).astype(np.uint8)

    def brightening(rgb: np.ndarray) -> float:
        return next(s for s in look_steps("make it moody", measure(rgb))
                    if s.op == "brightness").params["amount"]

    assert brightening(coffee) < brightening(dark) < 0


def test_airy_is_lighter_but_brightens_a_bright_photo_less(astronaut) -> None:
    out = look("a light and airy look please", astronaut)
    assert np.median(luma(out)) > np.median(luma(astronaut)) + 0.04
    bright = np.clip(astronaut.astype(np.float32) * 1.5, 0, 255).astype(np.uint8)
    lift = {name: next(s for s in look_steps("make it airy", measure(rgb))
                       if s.op == "brightness").params["amount"]
            for name, rgb in (("plain", astronaut), ("bright", bright))}
    assert 0 < lift["bright"] < lift["plain"]


def test_intensity_words_scale_the_look(coffee) -> None:
    drop = {w: saturation(coffee) - saturation(look(f"make it {w} vintage", coffee))
            for w in ("a bit", "very")}
    assert 0 < drop["a bit"] < drop["very"] * 0.6


def test_cinematic_turns_shadows_teal_and_highlights_orange() -> None:
    ramp = np.repeat(np.linspace(0, 255, 256, dtype=np.float32)[None, :, None], 32, 0)
    grey = np.repeat(ramp, 3, -1).astype(np.uint8)
    # the look's colour steps only: a grey ramp would switch them off (it has no colour)
    steps = [s for s in look_steps("more cinematic", None) if s.op == "hue"]
    out = to_uint8(render_steps(to_tensor(grey), steps)).astype(int)
    shadows, highlights = out[:, 40:80].mean((0, 1)), out[:, 180:220].mean((0, 1))
    assert shadows[2] > shadows[0] + 4  # blue over red: teal
    assert highlights[0] > highlights[2] + 4  # red over blue: orange


def test_golden_hour_warms_and_wintry_cools(astronaut) -> None:
    assert warmth(look("give it a golden hour feel", astronaut)) > warmth(astronaut) + 5
    assert warmth(look("make it look wintry", astronaut)) < warmth(astronaut) - 5


def test_a_black_and_white_photo_gets_no_colour_steps() -> None:
    grey = np.repeat(resize_long_side(data.camera(), 160)[..., None], 3, -1)
    stats = measure(grey)
    assert stats is not None and stats.grey
    for lk in LOOKS:
        if lk.name == "sepia":
            continue  # toning a black-and-white print brown is the sepia look itself
        ops = {s.op for s in look_steps(f"make it look {lk.name}", stats)}
        assert ops and not ops & COLOUR_OPS, (lk.name, ops)


@pytest.mark.parametrize("text", ["remove the old car", "the film poster is crooked, fix it",
                                  "make the sky dramatic", "it looks too cold",
                                  "remove the vintage filter", "crop out the movie screen",
                                  "brighten the photo", "don't make it look vintage",
                                  "remove brown and sepia tones from the picture",
                                  "make the picture more vivid", "the photo looks hazy, fix it"])
def test_words_that_name_no_look(text: str) -> None:
    assert named_looks(text) == [] and look_steps(text, None) == []


@pytest.mark.parametrize("text, name", [
    ("make it look vintage", "vintage"), ("vintage look please", "vintage"),
    ("give it a film look", "film"), ("make it look like an old photo", "vintage"),
    ("more cinematic", "cinematic"), ("as if shot on film", "film"), ("sepia", "sepia"),
    ("make it a bit moody", "moody"), ("I want it to feel more dramatic", "dramatic"),
    ("give it an HDR effect", "HDR"), ("make it pop", "punchy"),
    ("add a warm summer feel", "golden hour"), ("cinematic teal and orange grade", "cinematic"),
    ("low-key", "low-key"), ("make it dreamy", "dreamy"), ("matte look", "faded"),
])
def test_looks_named_as_looks(text: str, name: str) -> None:
    assert [n.look.name for n in named_looks(text)] == [name]


def test_intensity_is_read_from_the_look_s_own_clause() -> None:
    (n,) = named_looks("brighten it a lot and make it a bit vintage")
    assert n.look.name == "vintage" and n.k < 1
    assert [m.look.name for m in named_looks("give it a moody, cinematic feel")] == [
        "moody", "cinematic"]


def test_each_step_says_which_look(astronaut) -> None:
    for lk in LOOKS:
        for s in look_steps(f"give it a {lk.name} look", measure(astronaut)):
            assert s.evidence[0].startswith(f'look: "{lk.name}"'), (lk.name, s.evidence)
            assert s.enabled and not s.local


def test_the_plan_carries_the_look(astronaut) -> None:
    steps = {s.op: s for s in understand("make it look vintage", astronaut) if s.enabled}
    assert steps["saturation"].params["amount"] < 0 and "vignette" in steps
    # two looks in one request: both show (first named wins an op they share)
    both = understand("a moody, cinematic feel", astronaut)
    looks = {e.split('"')[1] for s in both for e in s.evidence if e.startswith("look:")}
    assert looks == {"moody", "cinematic"}


def test_a_described_look_keeps_the_named_adjective(astronaut) -> None:
    steps = {s.op: s for s in understand("a vintage photo with warm tones", astronaut)}
    assert steps["saturation"].params["amount"] < 0  # the look's
    assert steps["temperature"].params["temperature"] > 0
    assert any(e.startswith("described:") for e in steps["temperature"].evidence)
