"""A removal step carries the regions it must not copy from (the people kept), through the
renderer, plan files and session files."""

import numpy as np

from lbie_desktop.core.imageio import LoadedImage
from lbie_desktop.core.plan import Plan, Step
from lbie_desktop.core.session import Session


def _scene():
    rng = np.random.default_rng(0)
    img = (rng.normal(120, 12, (96, 128, 3))).clip(0, 255).astype(np.uint8)  # textured grey
    img[20:80, 30:60] = (230, 20, 20)  # a red "person" to keep, right next to the hole
    hole = np.zeros((96, 128), np.float32)
    hole[25:75, 60:90] = 1
    img[hole > 0] = (250, 0, 250)  # the magenta thing to remove
    avoid = np.zeros_like(hole)
    avoid[18:82, 28:62] = 1
    return img, hole, avoid


def _red_in_hole(rgb, hole):
    px = rgb[hole > 0].astype(int)
    return float(((px[:, 0] > 180) & (px[:, 1] < 80) & (px[:, 2] < 80)).mean())


def test_avoid_keeps_the_kept_person_out_of_the_fill(tmp_path):
    img, hole, avoid = _scene()
    session = Session(LoadedImage(img))
    session.add_turn("remove it", Plan([Step("inpaint_obj", mask=hole, avoid=avoid)]))
    out = session.current(full=True)
    assert _red_in_hole(out, hole) < 0.02
    magenta = (out[hole > 0][:, 1] < 60) & (out[hole > 0][:, 0] > 200) & (out[hole > 0][:, 2] > 200)
    assert magenta.mean() < 0.02
    # the plan and the session file keep the avoid region and render the same pixels
    plan_path = tmp_path / "plan" / "plan.json"
    plan_path.parent.mkdir()
    Plan(session.steps()).save(plan_path)
    again = Plan.load(plan_path)
    assert again.steps[0].avoid is not None and np.array_equal(again.steps[0].avoid > 0.5,
                                                               avoid > 0.5)
    from lbie_desktop.core.session_file import open_session, save_session

    save_session(session, tmp_path / "s.lbie")
    reopened = open_session(tmp_path / "s.lbie")
    assert np.array_equal(reopened.current(full=True), out)


def test_without_avoid_the_fill_may_copy_the_neighbour():
    # guards the test above: the scene really tempts PatchMatch to copy red
    img, hole, _ = _scene()
    session = Session(LoadedImage(img))
    session.add_turn("remove it", Plan([Step("inpaint_obj", mask=hole)]))
    assert _red_in_hole(session.current(full=True), hole) > 0.05
