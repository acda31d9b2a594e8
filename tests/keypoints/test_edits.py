from __future__ import annotations

import json

import pytest
import torch

from kfvton.keypoints.edits import (
    EDITS_VERSION,
    KeypointEdits,
    PointEdit,
    apply_edits,
    editor_payload,
    keypoint_fingerprint,
    parse_edits,
    px_to_unit,
    unit_to_px,
)
from kfvton.keypoints.pairs import KeypointPairs

NAMES = ("collar_left", "collar_center", "collar_right", "hem_left", "hem_right")


def make_pairs(batch: int = 1, origin: str = "classical", names=NAMES, garment_hw=(256, 192), person_hw=(512, 384)):
    g = torch.rand(batch, len(names), 3, dtype=torch.float64)
    g[..., 0] *= garment_hw[1] - 1
    g[..., 1] *= garment_hw[0] - 1
    g[..., 2] = 0.9
    p = torch.rand(batch, len(names), 3, dtype=torch.float64)
    p[..., 0] *= person_hw[1] - 1
    p[..., 1] *= person_hw[0] - 1
    p[..., 2] = 0.8
    return KeypointPairs(g, p, tuple(names), garment_hw, person_hw, origin=origin)


def edits_json(fingerprint: str, points: list[dict]) -> str:
    return json.dumps({"version": EDITS_VERSION, "fingerprint": fingerprint, "points": points})


class TestCoordinates:
    def test_pixel_centres_and_edges(self):
        hw = (4, 8)
        px = torch.tensor([[0.0, 0.0], [7.0, 3.0], [-0.5, -0.5], [7.5, 3.5]])
        uv = px_to_unit(px, hw)
        expected = torch.tensor([[0.5 / 8, 0.5 / 4], [7.5 / 8, 3.5 / 4], [0.0, 0.0], [1.0, 1.0]])
        torch.testing.assert_close(uv, expected)

    def test_roundtrip(self, dtype):
        px = torch.rand(3, 7, 2, dtype=dtype) * 500
        torch.testing.assert_close(unit_to_px(px_to_unit(px, (600, 450)), (600, 450)), px)

    def test_resize_invariance(self):
        # the same image-normalised point lands on the same content after a 2x resize (pixel-centre convention)
        uv = px_to_unit(torch.tensor([10.0, 20.0]), (100, 50))
        torch.testing.assert_close(unit_to_px(uv, (200, 100)), torch.tensor([20.5, 40.5]))

    def test_bad_shape(self):
        with pytest.raises(ValueError, match="points_px"):
            px_to_unit(torch.zeros(3, 3), (4, 4))


class TestParse:
    def test_empty(self):
        for text in (None, "", "   \n"):
            assert parse_edits(text).is_empty

    def test_roundtrip_json(self):
        edits = KeypointEdits("classical/5/abc").moved("hem_left", "person", (0.25, 0.75)).toggled("collar_left", False)
        again = parse_edits(edits.to_json())
        assert again == edits
        assert again.get("hem_left") == PointEdit("hem_left", person=(0.25, 0.75))
        assert again.get("collar_left").enabled is False

    @pytest.mark.parametrize(
        ("text", "match"),
        [
            ("{not json", r"Editor: edits: not valid JSON"),
            ("[1, 2]", r"edits: expected a JSON object"),
            ('{"version": 2, "points": []}', r"edits\.version: expected 1, got 2"),
            ('{"version": 1, "points": [], "extra": 1}', r"unknown field\(s\) \['extra'\]"),
            ('{"version": 1, "points": {}}', r"edits\.points: expected a list"),
            ('{"version": 1, "points": [{"name": ""}]}', r"points\[0\]\.name"),
            ('{"version": 1, "points": [{"name": "a", "person": [1.2, 0.5]}]}', r"points\[0\]\.person: .*\[0, 1\]"),
            ('{"version": 1, "points": [{"name": "a", "garment": [0.5]}]}', r"points\[0\]\.garment: expected \[x, y\]"),
            ('{"version": 1, "points": [{"name": "a", "garment": ["0", 1]}]}', r"points\[0\]\.garment"),
            ('{"version": 1, "points": [{"name": "a", "enabled": 1}]}', r"points\[0\]\.enabled"),
            ('{"version": 1, "points": [{"name": "a"}, {"name": "a"}]}', r"points\[1\]\.name: duplicate"),
            ('{"version": 1, "points": [{"name": "a", "person": [NaN, 0.5]}]}', r"points\[0\]\.person"),
        ],
    )
    def test_bad_input_names_node_and_field(self, text, match):
        with pytest.raises(ValueError, match=match):
            parse_edits(text, where="KF-VTON Keypoint Editor: edits")

    def test_type_error(self):
        with pytest.raises(TypeError, match="edits"):
            parse_edits(3)

    @pytest.mark.parametrize("text", ["[" * 100_000 + "]" * 100_000, '{"points": ' + "[" * 100_000])
    def test_deeply_nested_json(self, text):
        with pytest.raises(ValueError, match="KF-VTON Keypoint Editor: edits: JSON nested too deeply"):
            parse_edits(text, where="KF-VTON Keypoint Editor: edits")


class TestModel:
    def test_move_reset_toggle(self):
        edits = KeypointEdits("fp").moved("a", "garment", (0.1, 0.2)).moved("a", "person", (0.3, 0.4))
        assert edits.get("a") == PointEdit("a", (0.1, 0.2), (0.3, 0.4))
        edits = edits.toggled("b", False)
        assert [p.name for p in edits.points] == ["a", "b"]
        assert edits.reset("a").get("a") is None and edits.reset("a").get("b") is not None
        assert edits.reset().is_empty
        # toggling back on without a move leaves nothing to store
        assert edits.toggled("b", True).get("b") is None
        assert KeypointEdits("fp").to_json() == ""

    def test_move_out_of_range(self):
        with pytest.raises(ValueError, match=r"a\.person"):
            KeypointEdits("fp").moved("a", "person", (1.5, 0.0))
        with pytest.raises(ValueError, match="frame"):
            KeypointEdits("fp").moved("a", "shirt", (0.5, 0.5))


class TestApply:
    @pytest.mark.parametrize("batch", [1, 3])
    def test_move_and_exclude(self, batch):
        pairs = make_pairs(batch)
        fp = keypoint_fingerprint(pairs)
        text = edits_json(
            fp,
            [
                {"name": "hem_left", "person": [0.5, 0.25], "garment": None, "enabled": True},
                {"name": "collar_right", "enabled": False},
            ],
        )
        result = apply_edits(pairs, parse_edits(text))
        out = result.pairs
        assert result.applied == 2 and not result.stale and out.origin == "edited"
        n = NAMES.index("hem_left")
        # u * W - 0.5 with person_hw (512, 384)
        torch.testing.assert_close(
            out.person_px[:, n, :2], torch.tensor([[0.5 * 384 - 0.5, 0.25 * 512 - 0.5]] * batch).double()
        )
        torch.testing.assert_close(out.garment_px[:, n], pairs.garment_px[:, n])
        c = NAMES.index("collar_right")
        assert (out.person_px[:, c, 2] == 0).all() and (out.garment_px[:, c, 2] == 0).all()
        assert not out.valid[:, c].any()
        untouched = [i for i in range(len(NAMES)) if i not in (n, c)]
        torch.testing.assert_close(out.person_px[:, untouched], pairs.person_px[:, untouched])
        # inputs are not written to
        assert pairs.person_px[:, c, 2].eq(0.8).all()

    def test_same_edits_fit_any_batch_size(self):
        edits = None
        for batch in (1, 4):
            pairs = make_pairs(batch)
            edits = edits or KeypointEdits(keypoint_fingerprint(pairs)).moved("collar_left", "garment", (0.0, 1.0))
            out = apply_edits(pairs, edits).pairs
            torch.testing.assert_close(out.garment_px[:, 0, :2], torch.tensor([[-0.5, 255.5]] * batch).double())

    def test_missing_point_placed_by_user_becomes_present(self):
        pairs = make_pairs()
        pairs.garment_px[0, 1, 2] = 0.0
        edits = KeypointEdits(keypoint_fingerprint(pairs)).moved("collar_center", "garment", (0.5, 0.5))
        out = apply_edits(pairs, edits).pairs
        assert out.garment_px[0, 1, 2] == 1.0
        assert out.person_px[0, 1, 2] == pytest.approx(0.8)

    def test_stale_dropped_with_notice(self):
        classical = make_pairs()
        edits = KeypointEdits(keypoint_fingerprint(classical)).moved("hem_left", "person", (0.5, 0.5))
        learned = make_pairs(names=tuple(f"g0_k{i:02d}" for i in range(5)), origin="learned")
        result = apply_edits(learned, edits, where="KF-VTON Keypoint Editor: edits")
        assert result.stale and result.applied == 0
        assert result.pairs is learned
        assert "stale" in result.notice and "KF-VTON Keypoint Editor" in result.notice
        assert keypoint_fingerprint(learned) in result.notice

    def test_fingerprint_changes_with_names_count_origin(self):
        base = keypoint_fingerprint(make_pairs())
        assert keypoint_fingerprint(make_pairs(batch=3)) == base
        assert keypoint_fingerprint(make_pairs(origin="learned")) != base
        assert keypoint_fingerprint(make_pairs(names=NAMES[:4])) != base
        assert keypoint_fingerprint(make_pairs(names=NAMES[::-1])) != base

    def test_unknown_name_with_matching_fingerprint(self):
        pairs = make_pairs()
        edits = KeypointEdits(keypoint_fingerprint(pairs), (PointEdit("elbow", person=(0.5, 0.5)),))
        with pytest.raises(ValueError, match=r"edits\.points\[0\]\.name: no point 'elbow'"):
            apply_edits(pairs, edits)

    def test_no_edits_passes_through(self):
        pairs = make_pairs()
        result = apply_edits(pairs, KeypointEdits())
        assert result.pairs is pairs and result.notice == ""


class TestPayload:
    def test_payload_matches_pixels(self):
        pairs = make_pairs(batch=2)
        payload = editor_payload(pairs, item=1)
        json.dumps(payload)  # JSON-ready
        assert payload["names"] == list(NAMES) and payload["fingerprint"] == keypoint_fingerprint(pairs)
        uv = torch.tensor(payload["person"]["points"], dtype=torch.float64)[:, :2]
        torch.testing.assert_close(unit_to_px(uv, pairs.person_hw), pairs.person_px[1, :, :2], atol=1e-3, rtol=0)
        assert payload["garment"]["hw"] == [256, 192]

    def test_bad_item(self):
        with pytest.raises(ValueError, match="item"):
            editor_payload(make_pairs(), item=1)


class TestLearnedGroups:
    def test_groups_payload_and_edit(self):
        names = tuple(f"g{k}_k{n:02d}" for k in range(2) for n in range(3))
        base = make_pairs(batch=2, origin="learned", names=names)
        pairs = KeypointPairs(
            base.garment_px, base.person_px, names, base.garment_hw, base.person_hw, groups=2, origin="learned"
        )
        payload = editor_payload(pairs)
        assert payload["groups"] == 2 and payload["origin"] == "learned" and len(payload["names"]) == 6
        edits = KeypointEdits(payload["fingerprint"]).moved("g1_k02", "garment", (0.5, 0.5))
        out = apply_edits(pairs, edits).pairs
        assert out.groups == 2 and out.origin == "edited"
        torch.testing.assert_close(out.garment_px[:, 5, :2], torch.tensor([[95.5, 127.5]] * 2).double())
