"""Curve cards start where the predicted curve is, and a slider nudge bends it from there."""

from __future__ import annotations

import numpy as np

from tests.gui.conftest import run_request, shown, wait_idle

# a GIER-style fitted tone curve (steep shadows, flat highlights): no slider set reproduces
# it exactly, which is what a learned predictor hands the card
PREDICTED = [1.6, 1.5, 1.2, 1.0, 0.9, 0.7, 0.6, 0.5]


def _predict_curve(request, session):
    from lbie_desktop.core.plan import Plan, Step
    from lbie_desktop.dialogue import Outcome

    return Outcome("new", Plan([Step("tint", {"points": PREDICTED}, confidence=0.8,
                                     evidence=["lift the shadows"])]), None, [])


def _card(window):
    return window.steps_panel.cards[window.draft.steps[0].id]


def test_predicted_curve_shows_matching_sliders_and_a_nudge_barely_changes_it(
        qtbot, window, monkeypatch):
    from lbie_desktop.gui import main_window

    monkeypatch.setattr(main_window, "predict", _predict_curve)
    original = shown(window).astype(float)
    run_request(qtbot, window, "lift the shadows")
    card = _card(window)
    sliders = {k: s.value() for k, s in card.form_sliders.items()}
    assert sliders["shadows"] > 0.3  # not the all-zero form of an unfitted card
    predicted = shown(window).astype(float)
    assert np.abs(predicted - original).mean() > 8  # the curve is a visible edit
    s = card.form_sliders["midtones"].slider
    s.setValue(s.value() + 1)  # one step to the right, as a person nudging it
    qtbot.waitUntil(lambda: not np.array_equal(shown(window), predicted.astype(np.uint8)),
                    timeout=30_000)
    wait_idle(qtbot, window)
    nudged = shown(window).astype(float)
    assert np.abs(nudged - predicted).mean() < 1.0  # bent from where it was, no jump
    assert nudged.mean() > predicted.mean()  # and in the slider's direction
    assert card.form_sliders["shadows"].value() == sliders["shadows"]  # others stay put
    window.undo_stack.undo()
    wait_idle(qtbot, window)
    assert np.array_equal(shown(window), predicted.astype(np.uint8))
    assert {k: s.value() for k, s in _card(window).form_sliders.items()} == sliders
