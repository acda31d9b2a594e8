from __future__ import annotations

from pathlib import Path

import pytest
import torch
import torch.nn.functional as F

from kfvton.geometry.tps import tps_transform_points
from kfvton.models.discriminator import DiscriminatorConfig, MultiScaleDiscriminator
from kfvton.train.losses import (
    VGG_LAYERS,
    PerceptualUnavailableError,
    Vgg19Features,
    VggLoss,
    equivariance_loss,
    feature_matching_loss,
    gram_matrix,
    hinge_d_loss,
    hinge_g_loss,
    multiscale_l1,
    random_tps,
    segmentation_ce,
    tps_dropout_probability,
    warp_for_equivariance,
)


class TestVgg:
    def test_refuses_without_weights(self) -> None:
        with pytest.raises(PerceptualUnavailableError, match="loss.perceptual = 0"):
            Vgg19Features()
        with pytest.raises(FileNotFoundError, match="vgg_weights"):
            Vgg19Features("/nonexistent/vgg19.pth")

    def test_loads_a_torchvision_layout_file(self, tmp_path: Path) -> None:
        src = Vgg19Features(allow_random=True)
        sd = {f"features.{k}": v for k, v in src.features.state_dict().items()}
        sd["classifier.0.weight"] = torch.zeros(2, 2)  # torchvision files carry the classifier too: ignored
        torch.save(sd, tmp_path / "vgg19.pth")
        vgg = Vgg19Features(tmp_path / "vgg19.pth")
        x = torch.rand(1, 3, 32, 32)
        for a, b in zip(vgg(x), src(x), strict=True):
            assert torch.equal(a, b)
        assert len(vgg(x)) == len(VGG_LAYERS) and not any(p.requires_grad for p in vgg.parameters())
        torch.save({"weight": torch.zeros(1)}, tmp_path / "other.pth")
        with pytest.raises(ValueError, match="features"):
            Vgg19Features(tmp_path / "other.pth")

    def test_perceptual_and_style_on_known_inputs(self) -> None:
        torch.manual_seed(0)
        loss = VggLoss(Vgg19Features(allow_random=True))
        x = torch.rand(2, 3, 32, 32)
        per, sty = loss(x, x)
        assert float(per) == 0 and float(sty) == 0
        per2, sty2 = loss(x, (x + 0.3).clamp(0, 1))
        assert float(per2) > 0 and float(sty2) > 0
        y = x.clone().requires_grad_(True)
        loss(y, torch.rand(2, 3, 32, 32))[0].backward()
        assert y.grad is not None and y.grad.abs().sum() > 0

    def test_gram_matrix_known_value(self) -> None:
        f = torch.tensor([[[[1.0, 2.0]], [[3.0, 4.0]]]])  # (1, 2, 1, 2)
        expected = torch.tensor([[[5.0, 11.0], [11.0, 25.0]]]) / 4
        assert torch.allclose(gram_matrix(f), expected)


class TestMultiscaleL1:
    def test_known_values(self) -> None:
        a = torch.zeros(1, 3, 8, 8)
        assert float(multiscale_l1(a + 0.5, a, scales=3)) == pytest.approx(0.5)
        # a checkerboard averages away at the coarser scales
        board = (torch.arange(8)[:, None] + torch.arange(8)[None]) % 2
        b = board.float().expand(1, 3, 8, 8)
        assert float(multiscale_l1(b, a + 0.5, scales=1)) == pytest.approx(0.5)
        assert float(multiscale_l1(b, a + 0.5, scales=2)) == pytest.approx(0.25)

    def test_mask(self) -> None:
        a, b = torch.zeros(1, 1, 4, 4), torch.zeros(1, 1, 4, 4)
        b[..., :2, :] = 1
        mask = torch.zeros(1, 1, 4, 4)
        mask[..., 2:, :] = 1
        assert float(multiscale_l1(a, b, scales=1, mask=mask)) == 0
        assert float(multiscale_l1(a, b, scales=1, mask=1 - mask)) == pytest.approx(1.0)

    def test_shape_mismatch(self) -> None:
        with pytest.raises(ValueError, match="target"):
            multiscale_l1(torch.zeros(1, 3, 4, 4), torch.zeros(1, 3, 4, 5))


class TestEquivariance:
    def test_zero_for_an_equivariant_detector(self) -> None:
        g = torch.Generator().manual_seed(1)
        tps = random_tps(3, sigma_affine=0.1, sigma_tps=0.02, generator=g)
        kp_t = torch.rand(3, 10, 2, generator=g) * 1.6 - 0.8
        kp = tps_transform_points(kp_t, tps)
        assert float(equivariance_loss(kp, kp_t, tps)) == pytest.approx(0, abs=1e-6)
        assert float(equivariance_loss(kp + 0.1, kp_t, tps)) == pytest.approx(0.1, abs=1e-5)

    def test_a_point_follows_the_warp(self) -> None:
        # an image with one bright pixel: its position in the warped copy maps back onto the original
        g = torch.Generator().manual_seed(2)
        tps = random_tps(1, sigma_affine=0.08, sigma_tps=0.0, generator=g)
        h = w = 65
        img = torch.zeros(1, 1, h, w)
        img[0, 0, 32, 40] = 1.0
        img = F.avg_pool2d(F.pad(img, (1, 1, 1, 1)), 3, stride=1)  # a small blob
        warped = warp_for_equivariance(img, tps)
        yy, xx = divmod(int(warped.flatten().argmax()), w)
        kp_t = torch.tensor([[[2 * xx / (w - 1) - 1, 2 * yy / (h - 1) - 1]]])
        kp = torch.tensor([[[2 * 40 / (w - 1) - 1, 2 * 32 / (h - 1) - 1]]])
        assert float(equivariance_loss(kp, kp_t, tps)) < 2.5 / (w - 1)  # within about a pixel

    def test_random_tps_is_reproducible_and_near_identity(self) -> None:
        a = random_tps(2, generator=torch.Generator().manual_seed(5))
        b = random_tps(2, generator=torch.Generator().manual_seed(5))
        assert torch.equal(a.kernel, b.kernel) and torch.equal(a.affine, b.affine)
        pts = torch.rand(2, 7, 2) * 2 - 1
        assert (tps_transform_points(pts, a) - pts).abs().max() < 0.5


class TestSegmentationCe:
    def test_known_value(self) -> None:
        logits = torch.zeros(1, 3, 2, 2)
        target = torch.zeros(1, 2, 2, dtype=torch.long)
        assert float(segmentation_ce(logits, target)) == pytest.approx(torch.log(torch.tensor(3.0)).item())
        logits[:, 0] = 100
        assert float(segmentation_ce(logits, target)) == pytest.approx(0, abs=1e-6)

    def test_bad_labels(self) -> None:
        with pytest.raises(ValueError, match="target"):
            segmentation_ce(torch.zeros(1, 3, 2, 2), torch.full((1, 2, 2), 3))
        with pytest.raises(TypeError, match="int64"):
            segmentation_ce(torch.zeros(1, 3, 2, 2), torch.zeros(1, 2, 2))


class TestGan:
    def test_hinge_known_values(self) -> None:
        real, fake = [torch.full((1, 1, 2, 2), 2.0)], [torch.full((1, 1, 2, 2), -2.0)]
        assert float(hinge_d_loss(real, fake)) == 0  # both beyond the margin
        assert float(hinge_d_loss([torch.zeros(1, 1, 2, 2)], [torch.zeros(1, 1, 2, 2)])) == pytest.approx(2.0)
        assert float(hinge_g_loss([torch.full((1, 1, 2, 2), 0.5), torch.full((1, 1, 1, 1), 1.5)])) == -1.0

    def test_discriminator_and_feature_matching(self) -> None:
        torch.manual_seed(0)
        d = MultiScaleDiscriminator(DiscriminatorConfig(in_channels=10, base_channels=8, n_layers=2, n_scales=3))
        x = torch.randn(2, 10, 64, 48)
        d.requires_grad_(False)
        feats = d(x)
        assert len(feats) == 3 and all(f[-1].shape[:2] == (2, 1) for f in feats)
        assert feats[1][-1].shape[-1] < feats[0][-1].shape[-1]
        assert float(feature_matching_loss(feats, feats)) == 0
        other = d(torch.randn(2, 10, 64, 48))
        assert float(feature_matching_loss(feats, other)) > 0
        with pytest.raises(ValueError, match="discriminator input"):
            d(torch.randn(2, 3, 64, 48))


class TestTpsDropout:
    def test_schedule(self) -> None:
        assert tps_dropout_probability(0) == pytest.approx(0.1)
        assert tps_dropout_probability(5) == pytest.approx(0.25)
        assert tps_dropout_probability(20) == pytest.approx(0.3)
        assert tps_dropout_probability(35) == 0.0
        with pytest.raises(ValueError, match="start_p"):
            tps_dropout_probability(0, start_p=0.5, max_p=0.2)
