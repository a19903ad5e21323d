"""The optional open-vocabulary backend: a tiny random CLIPSeg saved to a temp folder so the
real local-folder loading code runs (no weights are downloaded, none exist here)."""

from __future__ import annotations

import json

import numpy as np
import pytest

from lbie_desktop.grounding import ground


def _bytes_to_unicode() -> list[str]:
    # GPT-2/CLIP byte-level alphabet: every byte gets a printable character.
    bs = (list(range(ord("!"), ord("~") + 1)) + list(range(ord("¡"), ord("¬") + 1))
          + list(range(ord("®"), ord("ÿ") + 1)))
    cs, n = bs[:], 0
    for b in range(256):
        if b not in bs:
            bs.append(b)
            cs.append(256 + n)
            n += 1
    return [chr(c) for c in cs]


@pytest.fixture(scope="module")
def tiny_clipseg(tmp_path_factory):
    from transformers import (
        CLIPImageProcessor,
        CLIPSegConfig,
        CLIPSegForImageSegmentation,
        CLIPSegProcessor,
        CLIPTokenizer,
    )

    d = tmp_path_factory.mktemp("clipseg")
    chars = _bytes_to_unicode()
    vocab = {c: i for i, c in enumerate(chars)}
    vocab.update({c + "</w>": len(chars) + i for i, c in enumerate(chars)})
    vocab["<|startoftext|>"], vocab["<|endoftext|>"] = len(vocab), len(vocab) + 1
    (d / "vocab.json").write_text(json.dumps(vocab))
    (d / "merges.txt").write_text("#version: 0.2\n")
    tok = CLIPTokenizer(str(d / "vocab.json"), str(d / "merges.txt"))
    images = CLIPImageProcessor(size={"shortest_edge": 32}, crop_size={"height": 32, "width": 32})
    text = dict(vocab_size=len(vocab), hidden_size=16, intermediate_size=32, num_hidden_layers=2,
                num_attention_heads=2, max_position_embeddings=32,
                bos_token_id=vocab["<|startoftext|>"], eos_token_id=vocab["<|endoftext|>"])
    vision = dict(hidden_size=16, intermediate_size=32, num_hidden_layers=2,
                  num_attention_heads=2, image_size=32, patch_size=8)
    cfg = CLIPSegConfig(text_config=text, vision_config=vision, projection_dim=8,
                        extract_layers=[1], reduce_dim=8, decoder_num_attention_heads=2,
                        decoder_intermediate_size=16)
    CLIPSegForImageSegmentation(cfg).save_pretrained(d)
    CLIPSegProcessor(image_processor=images, tokenizer=tok).save_pretrained(d)
    return d


def test_unknown_phrase_uses_clipseg_from_the_configured_folder(chelsea, tiny_clipseg,
                                                                monkeypatch):
    monkeypatch.setenv("LBIE_CLIPSEG_DIR", str(tiny_clipseg))
    from lbie_desktop.grounding.sources import openvocab

    g = ground(chelsea, "the striped fur")
    assert g.source == "openvocab"  # a random model may find nothing; the route is the point
    m = openvocab.segment(chelsea, "the striped fur")
    assert m.shape == chelsea.shape[:2] and m.dtype == np.float32
    assert 0 <= m.min() and m.max() <= 1 and m.std() > 0


def test_folder_in_settings_file_is_used(chelsea, tiny_clipseg):
    from lbie_desktop import paths
    from lbie_desktop.grounding.sources import openvocab

    (paths.data_dir() / "settings.json").write_text(json.dumps({"clipseg_dir": str(tiny_clipseg)}))
    assert openvocab.configured()


def test_a_folder_without_a_model_is_not_used(chelsea, tmp_path, monkeypatch):
    monkeypatch.setenv("LBIE_CLIPSEG_DIR", str(tmp_path))
    g = ground(chelsea, "the striped fur")
    assert not g.ok and "paint" in g.explanation


# --- SAM for click-to-segment: a tiny random SAM saved to a temp folder -------------------

@pytest.fixture(scope="module")
def tiny_sam(tmp_path_factory):
    import torch
    from transformers import (
        SamConfig,
        SamMaskDecoderConfig,
        SamModel,
        SamProcessor,
        SamPromptEncoderConfig,
        SamVisionConfig,
    )
    from transformers.models.sam import SamImageProcessorPil

    d = tmp_path_factory.mktemp("sam")
    vision = SamVisionConfig(hidden_size=32, num_hidden_layers=2, num_attention_heads=2,
                             mlp_dim=64, output_channels=32, image_size=128, patch_size=16,
                             window_size=4, global_attn_indexes=[1], num_pos_feats=16)
    prompt = SamPromptEncoderConfig(hidden_size=32, image_size=128, patch_size=16,
                                    mask_input_channels=4)
    decoder = SamMaskDecoderConfig(hidden_size=32, num_hidden_layers=2, num_attention_heads=2,
                                   mlp_dim=64, iou_head_hidden_dim=32)
    torch.manual_seed(0)
    SamModel(SamConfig(vision_config=vision.to_dict(), prompt_encoder_config=prompt.to_dict(),
                       mask_decoder_config=decoder.to_dict())).save_pretrained(d)
    images = SamImageProcessorPil(size={"longest_edge": 128},
                                  pad_size={"height": 128, "width": 128})
    SamProcessor(image_processor=images).save_pretrained(d)
    return d


def test_click_uses_sam_from_the_configured_folder(coffee, tiny_sam, monkeypatch):
    from lbie_desktop.grounding import refine
    from lbie_desktop.grounding.sources import openvocab

    h, w = coffee.shape[:2]
    points = [(int(w * fx), int(h * fy)) for fx in (0.2, 0.5, 0.8) for fy in (0.3, 0.7)]
    colour = [refine.segment_at(coffee, x, y) for x, y in points]
    monkeypatch.setenv("LBIE_SAM_DIR", str(tiny_sam))
    used = 0
    for (x, y), flood in zip(points, colour):
        sam = openvocab.click_segment(coffee, x, y)
        got = refine.segment_at(coffee, x, y)
        assert got.shape == (h, w) and got[y, x] == 1.0
        if sam is None:  # no proposal contains the click: the colour region, as before
            assert np.array_equal(got, flood)
        else:
            used += 1
            assert np.array_equal(got, sam) and not np.array_equal(got, flood)
    assert used >= 1  # the random model still proposes masks that contain some clicks


def test_sam_folder_in_settings_file_is_used(tiny_sam):
    from lbie_desktop import paths
    from lbie_desktop.grounding.sources import openvocab

    assert not openvocab.sam_configured()
    (paths.data_dir() / "settings.json").write_text(json.dumps({"sam_dir": str(tiny_sam)}))
    assert openvocab.sam_configured() and openvocab.sam_dir() == tiny_sam


def test_a_broken_sam_folder_falls_back_to_colour_regions(coffee, tmp_path, monkeypatch,
                                                          caplog):
    from lbie_desktop.grounding import refine

    flood = refine.segment_at(coffee, 100, 100)
    (tmp_path / "config.json").write_text("{not json")
    monkeypatch.setenv("LBIE_SAM_DIR", str(tmp_path))
    with caplog.at_level("WARNING"):
        got = refine.segment_at(coffee, 100, 100)
    assert np.array_equal(got, flood)
    assert "SAM" in caplog.text
