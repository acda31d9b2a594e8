"""KF-VTON Keypoint Editor and Warp Inspector nodes: edits applied, UI payload, errors naming node and field."""

from __future__ import annotations

import json
import sys
import types

import pytest
import torch
from comfyui_kfvton.kfvton.geometry.warp import Warp
from comfyui_kfvton.kfvton.keypoints.edits import KeypointEdits, keypoint_fingerprint
from comfyui_kfvton.nodes.keypoints import EDITOR_UI_KEY, KfvtonKeypointEditor
from comfyui_kfvton.nodes.warp import INSPECTOR_UI_KEY, KfvtonWarpInspector

from .conftest import make_garment, make_pairs, make_person, make_warp


def run_editor(edits: str = "", batch: int = 1):
    return KfvtonKeypointEditor().run(make_pairs(batch), make_person(batch), make_garment(batch), edits)


class TestKeypointEditor:
    def test_no_edits_passthrough_and_payload(self):
        out = run_editor()
        (pairs,) = out["result"]
        assert pairs.origin == "classical"
        (payload,) = out["ui"][EDITOR_UI_KEY]
        json.dumps(payload)
        assert payload["fingerprint"] == keypoint_fingerprint(make_pairs())
        assert len(payload["garment"]["points"]) == 14 and payload["person"]["hw"] == [96, 64]
        # outside ComfyUI there is no temp folder: images are left out, the rest still works
        assert payload["person_image"] is None and payload["garment_image"] is None
        assert payload["stale"] is False

    @pytest.mark.parametrize("batch", [1, 3])
    def test_edits_applied(self, batch):
        edits = (
            KeypointEdits(keypoint_fingerprint(make_pairs()))
            .moved("hem_center", "person", (0.5, 0.75))
            .toggled("collar_left", False)
        )
        out = run_editor(edits.to_json(), batch)
        (pairs,) = out["result"]
        assert pairs.origin == "edited" and pairs.batch_size == batch
        torch.testing.assert_close(pairs.person_px[:, 12, :2], torch.tensor([[31.5, 71.5]] * batch))
        assert not pairs.valid[:, 0].any()
        # the payload shows the unedited points so the front end can reset them
        assert out["ui"][EDITOR_UI_KEY][0]["person"]["points"][12][:2] == [pytest.approx(32.5 / 64), 58.5 / 96]

    def test_stale_edits_dropped_with_notice(self, caplog):
        text = json.dumps(
            {"version": 1, "fingerprint": "learned/64/0123456789", "points": [{"name": "g0_k00", "person": [0, 0]}]}
        )
        with caplog.at_level("WARNING", logger="kfvton"):
            out = run_editor(text)
        (pairs,) = out["result"]
        assert pairs.origin == "classical"
        payload = out["ui"][EDITOR_UI_KEY][0]
        assert payload["stale"] is True and "stale" in payload["notice"]
        assert "KF-VTON Keypoint Editor" in caplog.text

    @pytest.mark.parametrize(
        ("text", "match"),
        [
            ("{oops", r"KF-VTON Keypoint Editor: edits: not valid JSON"),
            ('{"version": 1, "points": [{"name": "hem_left", "person": [2, 0]}]}', r"edits\.points\[0\]\.person"),
        ],
    )
    def test_bad_json(self, text, match):
        with pytest.raises(ValueError, match=match):
            run_editor(text)

    def test_bad_keypoints_type(self):
        with pytest.raises(TypeError, match="KF-VTON Keypoint Editor: keypoints"):
            KfvtonKeypointEditor().run("nope", make_person(), make_garment(), "")

    def test_images_saved_to_temp_inside_comfyui(self, tmp_path, monkeypatch):
        fake = types.ModuleType("folder_paths")
        fake.get_temp_directory = lambda: str(tmp_path)

        def get_save_image_path(prefix, out_dir, w=0, h=0):
            return out_dir, prefix, 1, "", prefix

        fake.get_save_image_path = get_save_image_path
        monkeypatch.setitem(sys.modules, "folder_paths", fake)
        payload = run_editor(batch=2)["ui"][EDITOR_UI_KEY][0]
        for key in ("person_image", "garment_image"):
            info = payload[key]
            assert info["type"] == "temp" and (tmp_path / info["filename"]).is_file()
        assert len(list(tmp_path.glob("*.png"))) == 2  # only the first item of each batch is shown


class TestWarpInspector:
    @pytest.mark.parametrize("batch", [1, 2])
    def test_overlay_image(self, batch):
        out = KfvtonWarpInspector().run(make_person(batch), make_warp(batch), grid_lines=8)
        (image,) = out["result"]
        assert image.shape == (batch, 96, 64, 3) and image.min() >= 0 and image.max() <= 1
        assert not torch.equal(image, make_person(batch))  # lines were drawn
        stats = out["ui"][INSPECTOR_UI_KEY][0]
        assert stats["fold"] == 0.0 and stats["kind"] == "tps"

    def test_flow_accepted(self):
        warp = make_warp()
        flow = Warp(grid=warp.grid, align_corners=False, kind="flow", occlusion=torch.zeros(1, 1, 96, 64))
        out = KfvtonWarpInspector().run(make_person(), flow, grid_lines=4, show_occlusion=True)
        assert out["ui"][INSPECTOR_UI_KEY][0]["occluded"] == 1.0

    def test_bad_warp(self):
        with pytest.raises(TypeError, match="KF-VTON Warp Inspector: warp"):
            KfvtonWarpInspector().run(make_person(), make_pairs())
