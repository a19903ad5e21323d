"""Any string gives a list of steps (maybe empty), never an exception."""

from __future__ import annotations

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from lbie_desktop.core.plan import Step
from lbie_desktop.understanding import understand
from lbie_desktop.understanding.api import understand_many

_words = st.sampled_from(["brighten", "the", "face", "remove", "except", "don't", "sky",
                          "colours", "a bit", "too dark", "red", "crop", "left", "much",
                          "warmer", "<b>", "🙂", "ß", "日本", "\n", "'", "%", "by 20%"])


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.one_of(st.text(max_size=300), st.lists(_words, max_size=25).map(" ".join)))
def test_any_text_returns_steps(text: str) -> None:
    steps = understand(text)
    assert isinstance(steps, list)
    for s in steps:
        assert isinstance(s, Step)
        assert 0.0 <= s.confidence <= 1.0
        assert (s.target is not None) <= s.local


def test_batch_matches_single() -> None:
    texts = ["brighten the face", "", "remove the dog", "make it pop"]
    batch = understand_many(texts)
    for t, steps in zip(texts, batch):
        assert [s.op for s in steps] == [s.op for s in understand(t)]


def test_other_languages_and_non_strings_do_not_crash() -> None:
    for text in ["Rends la photo plus lumineuse", "写真を明るくして", "сделай ярче", None, 42]:
        assert isinstance(understand(text), list)  # type: ignore[arg-type]
