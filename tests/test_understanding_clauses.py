"""Words bind to the instruction they belong to: intensity, direction and region are read from
the clause that names the op, not from anywhere in the request."""

from lbie_desktop.understanding import understand
from lbie_desktop.understanding.clauses import op_target, scoped_text, split_clauses
from lbie_desktop.understanding.params import choose_params


def _steps(request: str) -> dict:
    return {s.op: s for s in understand(request)}


def test_clauses_split_instructions_but_keep_shared_verbs_and_objects() -> None:
    def texts(t: str) -> list[str]:
        return [c.text for c in split_clauses(t)]

    assert texts("brighten it a lot and add a little contrast") == [
        "brighten it a lot", "add a little contrast"]
    assert texts("Brighten and sharpen the image a lot.") == [
        "Brighten and sharpen the image a lot"]
    assert texts("increase the contrast and saturation") == [
        "increase the contrast and saturation"]
    # a bare verb before a removal is its own instruction
    assert texts("brighten and remove the people on the left") == [
        "brighten", "remove the people on the left"]
    assert texts("lighten the image so the dog is more visible") == [
        "lighten the image", "the dog is more visible"]


def test_intensity_words_bind_to_the_step_they_modify() -> None:
    plain_b = _steps("brighten it")["brightness"].params["amount"]
    plain_c = _steps("add contrast")["contrast"].params["amount"]
    s = _steps("brighten it a lot and add a little contrast")
    assert s["brightness"].params["amount"] > 1.5 * plain_b
    assert s["contrast"].params["amount"] < 0.6 * plain_c
    assert s["brightness"].enabled and s["contrast"].enabled
    # and the other way round
    s = _steps("brighten it a little and add a lot of contrast")
    assert s["brightness"].params["amount"] < 0.6 * plain_b
    assert s["contrast"].params["amount"] > 1.5 * plain_c
    # a trailing modifier with no op of its own still applies ("..., slightly please")
    s = _steps("brighten it and add contrast, slightly please")
    assert s["brightness"].params["amount"] < 0.6 * plain_b
    assert s["contrast"].params["amount"] < 0.6 * plain_c


def test_direction_words_bind_to_their_clause() -> None:
    sky, face = [s for s in understand("darken the sky and brighten the face")
                 if s.op == "brightness"]
    assert sky.params["amount"] < 0 and sky.target == "the sky"
    assert face.params["amount"] > 0 and face.target == "the face"
    assert scoped_text("darken it, then warm it up", "temperature") == "warm it up"


def test_background_warmer_inside_a_longer_request_is_a_local_step() -> None:
    for request in ("brighten the photo slightly, then make the background warmer",
                    "Remove the car on the left, brighten it a bit and make the background "
                    "warmer"):
        s = _steps(request)
        warm = s["temperature"]
        assert warm.enabled and warm.local and warm.target == "the background", request
        assert warm.params["temperature"] > 0
        start = request.index("the background")
        assert f"at chars {start}-{start + len('the background')}" in " ".join(warm.evidence)
        assert not s["brightness"].local, request  # its own clause names no region
        assert s["brightness"].params["amount"] > 0
    assert s["inpaint_obj"].target == "the car on the left"


def test_region_in_another_clause_does_not_make_a_step_local() -> None:
    s = _steps("Make it brighter and enhance the girl's facial features")
    assert not s["brightness"].local
    s = _steps("lighten the image so the dog is more visible")
    assert not s["brightness"].local
    s = _steps("please brighten the photo a lot")
    assert not s["brightness"].local and s["brightness"].target is None


def test_coordinated_verbs_share_their_object_and_intensity() -> None:
    s = _steps("brighten and sharpen the face a lot")
    assert s["brightness"].target == "the face" and s["sharpness"].target == "the face"
    assert any("x1.8" in e for e in s["brightness"].evidence)


def test_an_exclusion_stays_with_the_removal_it_belongs_to() -> None:
    s = _steps("remove the people except the couple, and increase the brightness")
    assert s["brightness"].enabled and not s["brightness"].local
    assert s["inpaint_obj"].local
    s = _steps("brighten everything except the face")
    assert s["brightness"].target == "not: the face"


def test_bare_region_nouns_and_picture_phrases() -> None:
    assert op_target("BLUR BACKGROUND", "gaussian_blur").phrase == "BACKGROUND"
    assert op_target("fix the slightly underexposed image", "brightness") is None
    assert op_target("make this red", "hue") is None


def test_same_intent_ops_are_offered_not_applied_twice() -> None:
    seen = 0
    for request in ("make it warmer", "make the background warmer",
                    "Make the colors more vibrant and brighter", "make the sky bluer"):
        steps = {s.op: s for s in understand(request)}
        for s in steps.values():
            alt = [e for e in s.evidence if e.startswith("alternative to ")]
            if alt:
                seen += 1
                primary = steps[alt[0].split()[2].rstrip(":")]
                assert not s.enabled and primary.enabled, request
                assert (s.local, s.target) == (primary.local, primary.target), request
    # the offered colour curve reads the warmth's clause, not the brightening's "a lot"
    steps = understand("brighten it a lot and make the background warmer")
    hue = [s for s in steps if s.op == "hue"]
    assert not hue or not any("a lot" in e for e in hue[0].evidence)
    assert seen >= 2


def test_comparative_colour_words_push_the_colour_curve_that_way() -> None:
    bluer = choose_params("hue", "make the sky bluer", None).params["points"]
    more = choose_params("hue", "more blue in the sky", None).params["points"]
    assert bluer == more
    # blue channel (points 16-23 are its curve's slopes): steeper low half = mid-tones lifted
    assert sum(bluer[16:20]) > sum(bluer[20:24]) + 0.5
    assert bluer[:16] == [1.0] * 16  # red and green untouched


def test_single_editing_words_are_requests_not_gibberish() -> None:
    # MiniLM splits these into word pieces; they must still count as words
    for word, op in (("Brighten", "brightness"), ("sharpen", "sharpness"),
                     ("darken overexposed light, reduce blurriness", "brightness")):
        on = {s.op for s in understand(word) if s.enabled}
        assert op in on, (word, on)
    assert understand("asdkj qwpoe zxqv") == []


def test_a_region_named_with_the_photo_after_it_is_still_the_region() -> None:
    s = _steps("Could someone please blur the background on this photo?")
    assert s["gaussian_blur"].local and s["gaussian_blur"].target == "the background"


def test_a_bare_region_or_stop_words_ask_for_nothing() -> None:
    # "the sea" is how a person names a region in a correction, not an edit
    for text in ("the sea", "the man on the left", "the of and to in"):
        assert understand(text) == [], text
    assert understand("the sky brighter")  # an op word makes it a request
    assert understand("The desired image was clear of people in the ocean.")


def test_a_verbless_exclusion_after_a_removal_scopes_only_the_removal() -> None:
    for request in ("Brighten image a lot and remove all people, but the band members.",
                    "remove every person on the picture but the couple. Increase light a little"):
        s = _steps(request)
        assert s["brightness"].enabled and not s["brightness"].local, request
        assert s["inpaint_obj"].local


def test_target_phrases_stop_at_intensity_words_and_pictures_are_not_regions() -> None:
    assert _steps("Make her a little brighter.")["brightness"].target == "her"
    assert op_target("Can someone please colorize my dad's picture?", "hue") is None
    assert op_target("make a nice colored portrait", "saturation") is None
    assert op_target("the brightness of the left picture needs to be enhanced",
                     "brightness") is None


def test_only_an_edit_verbs_object_is_a_region_by_the_words_alone() -> None:
    from lbie_desktop.understanding.targets import find_targets

    # "brighten the face": the object of the verb is what to edit
    assert [t.direct for t in find_targets("brighten the face")] == [True]
    # "more colour on the sail": a place, which the locality head must confirm
    assert [t.direct for t in find_targets("add more colour on the sail")] == [False]
    assert _steps("brighten the face")["brightness"].local


def test_phrases_that_are_not_regions() -> None:
    from lbie_desktop.understanding.targets import find_exclusion

    # a clause after "but" is a statement, not an exclusion
    assert find_exclusion("it's a photo of a photo but the original was destroyed, "
                          "make it better") is None
    assert find_exclusion("brighten everything but the face").phrase == "the face"
    assert op_target("Change the filter from Sepia to Black and White", "hue") is None
    assert op_target("Decrease the reddish tone in the image", "hue") is None
    assert op_target("Enhance all of the colors a lot.", "saturation") is None
    assert op_target("Please reduce the warmth", "hue") is None
    # the article belongs to what the region becomes
    assert op_target("make my lips a darker red", "hue").phrase == "my lips"
