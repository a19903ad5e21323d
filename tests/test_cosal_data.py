"""CoSaL generator, captions and metric: deterministic, every colour fixed by the caption."""

from __future__ import annotations

import numpy as np
import pytest

from lbie_desktop.errors import UserError
from lbie_desktop.research.cosal.generator import generate, solve_colours
from lbie_desktop.research.cosal.metric import ShapeIoU
from lbie_desktop.research.cosal.text import COLOURS, SHAPES, WORD2ID, decode, parse_description


@pytest.fixture(scope="module")
def sets() -> dict[int, object]:
    return {d: generate(40, d, seed=3) for d in (1, 4, 6, 8, 9)}


def test_same_seed_same_data_other_seed_other_data() -> None:
    a, b, c = generate(5, 4, seed=7), generate(5, 4, seed=7), generate(5, 4, seed=8)
    for f in ("image", "label", "caption", "cell_shape", "cell_colour"):
        assert np.array_equal(getattr(a, f), getattr(b, f))
    assert not np.array_equal(a.image, c.image)
    assert not np.array_equal(a.caption, c.caption)


def test_columns_share_images_but_not_captions(sets) -> None:
    assert np.array_equal(sets[4].image, sets[8].image)
    assert not np.array_equal(sets[4].caption, sets[8].caption)


@pytest.mark.parametrize("n_direct", [1, 4, 6, 8, 9])
def test_caption_determines_every_colour(sets, n_direct: int) -> None:
    data = sets[n_direct]
    is_id = WORD2ID["is"]
    for i in range(len(data)):
        assert sorted(data.cell_shape[i]) == list(range(len(SHAPES)))  # every shape once
        assert int((data.caption[i][:, 1] == is_id).sum()) == n_direct
        assert np.array_equal(
            solve_colours(data.cell_shape[i], data.caption[i]), data.cell_colour[i]
        )


def test_changing_a_colour_word_changes_the_answer(sets) -> None:
    data = sets[4]
    cap = data.caption[0].copy()
    row = 8  # a relational sentence: its first token is the colour
    cap[row, 0] = WORD2ID[COLOURS[(COLOURS.index(decode(cap[row]).split()[-1]) + 1) % 3]]
    assert not np.array_equal(solve_colours(data.cell_shape[0], cap), data.cell_colour[0])


def test_labels_follow_the_silhouettes(sets) -> None:
    data = sets[6]
    assert np.array_equal(data.label > 0, data.image == 0)
    assert set(np.unique(data.label)) <= {0, 1, 2, 3}
    # each shape's pixels carry its cell's colour
    i = 0
    for k, s in enumerate(data.cell_shape[i]):
        assert set(np.unique(data.label[i][data.shape_map[i] == s])) == {data.cell_colour[i][k] + 1}


def test_parse_reads_what_decode_writes(sets) -> None:
    cap = sets[4].caption[2]
    text = ". ".join(decode(s) for s in cap)
    assert np.array_equal(parse_description(text), cap)
    assert parse_description("red below half thin ellipse")[0].tolist() == [
        WORD2ID["red"], WORD2ID["below"], WORD2ID["half thin ellipse"]]  # fmt: skip


@pytest.mark.parametrize("text", ["", "the moon is red", "diamond is purple", "a. " * 10])
def test_bad_descriptions_are_user_errors(text: str) -> None:
    with pytest.raises(UserError):
        parse_description(text)


def test_metric_perfect_background_only_and_one_wrong_cell(sets) -> None:
    data = sets[6]
    perfect = ShapeIoU()
    perfect.update(data.label.astype(np.int64), data.label, data.shape_map, data.cell_shape)
    assert perfect.mean() == pytest.approx(1.0)

    blank = ShapeIoU()
    blank.update(np.zeros_like(data.label, np.int64), data.label, data.shape_map, data.cell_shape)
    assert np.all(blank.per_class()[:9] == 0)
    assert blank.per_class()[9] == pytest.approx((data.label == 0).mean())

    # Recolour the diamond wherever it is: only the diamond's IoU drops, to zero.
    pred = data.label.astype(np.int64)
    diamond = SHAPES.index("diamond")
    mask = data.shape_map == diamond
    pred[mask] = pred[mask] % 3 + 1
    m = ShapeIoU()
    m.update(pred, data.label, data.shape_map, data.cell_shape)
    assert m.per_class()[diamond] == 0
    assert np.allclose(np.delete(m.per_class(), diamond), 1.0)


def test_shapes_demo_needs_weights(tmp_path) -> None:
    from lbie_desktop.errors import MissingModelError
    from lbie_desktop.research.cosal.demo import ShapesColorizer

    with pytest.raises(MissingModelError):
        ShapesColorizer(tmp_path / "none.safetensors")
