"""`python -m kfvton tryon` with odd inputs (issue 15): a correct image, or one error line naming the option,
given before any work; warnings on stderr. Small synthetic files, no samples needed."""

from __future__ import annotations

import json

import numpy as np
import pytest
import torch
from PIL import Image

import kfvton._checks as checks
import kfvton.pipelines.tryon_cli as tryon_cli
from kfvton.cli import main
from kfvton.keypoints.formats import pose_to_openpose_json
from kfvton.keypoints.pose import Pose, joint_index

P_HW = (256, 192)
_JOINTS = {
    "nose": (96, 40), "neck": (96, 72), "right_shoulder": (66, 76), "left_shoulder": (126, 76),
    "right_elbow": (62, 125), "left_elbow": (130, 125), "right_wrist": (60, 168), "left_wrist": (132, 168),
    "mid_hip": (96, 170), "right_hip": (78, 170), "left_hip": (114, 170),
}  # fmt: skip


def _person() -> np.ndarray:
    img = np.full((*P_HW, 3), 230, np.uint8)
    img[70:190, 60:132] = (50, 128, 50)  # the old green top
    return img


def _garment(h: int = 200, w: int = 150) -> np.ndarray:
    mask = np.zeros((200, 150), bool)
    mask[20:185, 40:110] = mask[25:70, 10:40] = mask[25:70, 110:140] = True
    mask[20:32, 62:88] = False
    img = np.full((200, 150, 3), 255, np.uint8)
    img[mask] = (200, 30, 30)
    return np.asarray(Image.fromarray(img).resize((w, h), Image.BILINEAR)) if (h, w) != (200, 150) else img


def _pose_frame(scale: float = 1.0, canvas: bool = True) -> dict:
    joints = torch.zeros(1, 25, 3)
    for name, (x, y) in _JOINTS.items():
        joints[0, joint_index(name)] = torch.tensor([x * scale, y * scale, 0.9])
    frame = pose_to_openpose_json(Pose(joints, P_HW))[0]
    if not canvas:
        del frame["canvas_width"], frame["canvas_height"]
    return frame


@pytest.fixture
def files(tmp_path):
    Image.fromarray(_person()).save(tmp_path / "person.png")
    Image.fromarray(_garment()).save(tmp_path / "garment.png")
    (tmp_path / "pose.json").write_text(json.dumps(_pose_frame()))
    return tmp_path


def _run(files, capsys, **options) -> tuple[int, str, str]:
    args = {"--person": "person.png", "--garment": "garment.png", "--pose": "pose.json", "--out": "out/tryon.png"}
    args.update(options)
    argv = ["tryon"]
    for key, value in args.items():
        if value is not None:
            argv += [key, value if value.startswith("/") or key == "--device" else str(files / value)]
    rc = main(argv)
    out, err = capsys.readouterr()
    return rc, out, err


def _one_error_line(err: str, starts: str) -> None:
    lines = err.strip().splitlines()
    assert len(lines) == 1 and lines[0].startswith(f"kfvton tryon: error: {starts}"), err


@pytest.fixture
def no_work(monkeypatch):
    """Fail the test if any image is read or the try-on starts: the checks must come first."""

    def forbidden(*_args, **_kwargs):
        raise AssertionError("work started before the option checks")

    monkeypatch.setattr(tryon_cli, "load_image_rgba", forbidden)
    monkeypatch.setattr(tryon_cli, "quick_tryon", forbidden)


class TestOutputChecksBeforeWork:
    def test_out_in_folder_without_permission(self, files, capsys, no_work, monkeypatch):
        monkeypatch.setattr(checks.os, "access", lambda *_: False)  # tests run as root, which may write anywhere
        rc, _, err = _run(files, capsys)
        assert rc == 1
        _one_error_line(err, "--out: no permission to write in")

    def test_out_parent_is_a_file(self, files, capsys, no_work):
        (files / "afile").write_text("x")
        rc, _, err = _run(files, capsys, **{"--out": "afile/tryon.png"})
        assert rc == 1
        _one_error_line(err, "--out: cannot write")
        assert "afile is a file, not a folder" in err

    def test_out_is_a_folder(self, files, capsys, no_work):
        (files / "outdir").mkdir()
        rc, _, err = _run(files, capsys, **{"--out": "outdir"})
        assert rc == 1
        _one_error_line(err, "--out:")
        assert "is a folder" in err

    def test_out_unknown_extension(self, files, capsys, no_work):
        rc, _, err = _run(files, capsys, **{"--out": "out/tryon.xyz"})
        assert rc == 1
        _one_error_line(err, "--out: expected a file ending in")

    def test_save_intermediates_is_a_file(self, files, capsys, no_work):
        (files / "steps").write_text("x")
        rc, _, err = _run(files, capsys, **{"--save-intermediates": "steps"})
        assert rc == 1
        _one_error_line(err, "--save-intermediates:")

    def test_unknown_device(self, files, capsys, no_work):
        rc, _, err = _run(files, capsys, **{"--device": "gpu7"})
        assert rc == 1
        _one_error_line(err, "--device: unknown device 'gpu7'")

    @pytest.mark.skipif(torch.cuda.is_available(), reason="this torch sees a GPU")
    def test_cuda_on_cpu_torch(self, files, capsys, no_work):
        rc, _, err = _run(files, capsys, **{"--device": "cuda"})
        assert rc == 1
        _one_error_line(err, "--device: 'cuda' asks for CUDA")


class TestInputErrors:
    def test_huge_png(self, files, capsys, monkeypatch):
        monkeypatch.setattr(Image, "MAX_IMAGE_PIXELS", 10_000)  # the 256x192 person is then over twice the limit
        rc, _, err = _run(files, capsys)
        assert rc == 1
        _one_error_line(err, "--person:")
        assert "too large to decode safely" in err

    def test_string_inside_the_pose_array(self, files, capsys):
        frame = _pose_frame()
        frame["people"][0]["pose_keypoints_2d"][7] = "left"
        (files / "pose.json").write_text(json.dumps(frame))
        rc, _, err = _run(files, capsys)
        assert rc == 1
        _one_error_line(err, "--pose (pose.json): people[0].pose_keypoints_2d: expected numbers, got 'left'")

    @pytest.mark.parametrize("canvas", [True, False])
    def test_joints_outside_the_image(self, files, capsys, canvas):
        (files / "pose.json").write_text(json.dumps(_pose_frame(scale=5.0, canvas=canvas)))
        rc, _, err = _run(files, capsys)
        assert rc == 1
        _one_error_line(err, "--pose (pose.json):")
        assert "lie outside the 192x256 (W x H) image" in err

    def test_cropped_photo_with_full_canvas_pose(self, files, capsys):
        Image.fromarray(_person()[:128]).save(files / "person.png")  # the top half
        rc, _, err = _run(files, capsys)
        assert rc == 1
        _one_error_line(err, "--pose (pose.json): its canvas is 192x256 (W x H) but the image is 192x128")

    def test_half_size_photo_without_canvas(self, files, capsys):
        Image.fromarray(_person()).resize((96, 128)).save(files / "person.png")
        (files / "pose.json").write_text(json.dumps(_pose_frame(canvas=False)))
        rc, _, err = _run(files, capsys)
        assert rc == 1
        _one_error_line(err, "--pose (pose.json):")
        assert "lie outside the 96x128" in err

    def test_parse_labels_out_of_range(self, files, capsys):
        parse = np.zeros(P_HW, np.uint8)
        parse[70:190, 60:132] = 5
        parse[:4, :4] = 255
        parse[4, :2] = 200
        Image.fromarray(parse).save(files / "parse.png")
        rc, _, err = _run(files, capsys, **{"--parse": "parse.png"})
        assert rc == 1
        _one_error_line(err, r"--parse (parse.png): expected labels in [0, 19], found 200, 255 in 18 pixels")


class TestHandled:
    def test_pose_without_canvas_is_checked_and_said(self, files, capsys):
        (files / "pose.json").write_text(json.dumps(_pose_frame(canvas=False)))
        rc, out, _ = _run(files, capsys)
        assert rc == 0 and "no canvas size in the JSON" in out

    def test_grey16_person_is_not_white(self, files, capsys):
        grey = (_person().mean(axis=-1) * 257).astype(np.uint16)  # the same tones at 16 bits
        Image.fromarray(grey).save(files / "person16.png")
        rc, _, err = _run(files, capsys, **{"--person": "person16.png"})
        assert rc == 0, err
        out = np.asarray(Image.open(files / "out" / "tryon.png")).astype(float)
        assert abs(out[5:60, :40].mean() - _person()[5:60, :40].mean()) < 3  # background as in the photo
        assert out[110:150, 80:112, 0].mean() > 150  # the red garment on the chest

    def test_grey16_garment_is_a_garment(self, files, capsys):
        grey = (_garment().mean(axis=-1) * 257).astype(np.uint16)
        Image.fromarray(grey).save(files / "garment16.png")
        rc, _, err = _run(files, capsys, **{"--garment": "garment16.png"})
        assert rc == 0, err

    def test_phone_photo_with_orientation_and_its_parse_map(self, files, capsys):
        person = Image.fromarray(np.ascontiguousarray(np.rot90(_person(), k=1)))  # stored turned, EXIF 6 to view
        exif = person.getexif()
        exif[0x0112] = 6
        person.save(files / "phone.jpg", exif=exif.tobytes(), quality=95)
        parse = np.zeros(P_HW, np.uint8)  # made on the upright photo
        parse[70:190, 60:132] = 5
        Image.fromarray(parse).save(files / "parse.png")
        rc, _, err = _run(files, capsys, **{"--person": "phone.jpg", "--parse": "parse.png"})
        assert rc == 0, err
        out = np.asarray(Image.open(files / "out" / "tryon.png"))
        assert out.shape == (*P_HW, 3) and out[110:150, 80:112, 0].mean() > 150  # upright, garment on the chest

    def test_warnings_on_stderr(self, files, capsys):
        Image.fromarray(_garment(50, 38)).save(files / "small.png")
        rc, _, err = _run(files, capsys, **{"--garment": "small.png"})
        assert rc == 0
        assert "kfvton tryon: warning: garment: the garment is only" in err

    def test_same_input_same_bytes(self, files, capsys):
        assert _run(files, capsys)[0] == 0
        first = (files / "out" / "tryon.png").read_bytes()
        assert _run(files, capsys)[0] == 0
        assert (files / "out" / "tryon.png").read_bytes() == first

    def test_killed_while_saving_leaves_no_file(self, files, capsys, monkeypatch):
        def killed(self, fp, *args, **kwargs):
            with open(fp, "wb") as f:
                f.write(b"\x89PNG")
            raise KeyboardInterrupt

        monkeypatch.setattr(Image.Image, "save", killed)
        with pytest.raises(KeyboardInterrupt):
            _run(files, capsys)
        assert not (files / "out" / "tryon.png").exists()
        assert list((files / "out").iterdir()) == []


def test_huge_garment_photo_is_downscaled_and_said(files, capsys):
    Image.fromarray(_garment(800, 600)).save(files / "big.png")
    rc, out, err = _run(files, capsys, **{"--garment": "big.png", "--save-intermediates": "steps"})
    assert rc == 0, err
    assert "--garment: downscaled from 600x800 to 192x256 (W x H)" in out
    record = json.loads((files / "steps" / "keypoints.json").read_text())
    assert record["garment_hw"] == [256, 192]  # landmarks in the frame of the garment that was used
    result = np.asarray(Image.open(files / "out" / "tryon.png"))
    assert result[110:150, 80:112, 0].mean() > 150


def test_garment_photo_checked_once(files, capsys, monkeypatch):
    """The CLI checks the garment photo for a person wearing it before the pose (`check_garment_photo`) and tells
    `quick_tryon` so (`garment_checked`): its two MediaPipe models do not run over the photo a second time."""
    import kfvton.pipelines.quick as quick

    calls = []

    def counted(garment, *, name="garment"):
        calls.append(name)
        return ()

    monkeypatch.setattr(tryon_cli, "check_garment_photo", counted)
    monkeypatch.setattr(quick, "check_garment_photo", counted)
    rc, _, err = _run(files, capsys)
    assert rc == 0, err
    assert calls == ["--garment"]
