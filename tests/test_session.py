import numpy as np

from lbie_desktop.core.imageio import LoadedImage
from lbie_desktop.core.plan import Plan, Step
from lbie_desktop.core.session import Session


def test_undo_restores_exact_pixels_and_redo_reapplies(astronaut):
    s = Session(LoadedImage(astronaut))
    original = s.current(full=True)
    assert np.array_equal(original, astronaut)
    s.add_turn("brighten", Plan([Step("brightness", {"amount": 0.3})]))
    brighter = s.current(full=True)
    assert brighter.mean() > original.mean() + 5
    s.add_turn("darken", Plan([Step("brightness", {"amount": -0.5})]))
    s.undo()
    assert np.array_equal(s.current(full=True), brighter)
    s.undo()
    assert np.array_equal(s.current(full=True), original)
    s.redo()
    assert np.array_equal(s.current(full=True), brighter)


def test_new_turn_clears_redo(astronaut):
    s = Session(LoadedImage(astronaut))
    s.add_turn("a", Plan([Step("brightness", {"amount": 0.3})]))
    s.undo()
    s.add_turn("b", Plan([Step("brightness", {"amount": -0.3})]))
    assert not s.can_redo
    assert s.current().mean() < astronaut.mean()
