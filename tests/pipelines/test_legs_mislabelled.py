"""`classical_lower._legs_mislabelled`: bare legs that estimated regions labelled as the old dress are legs again,
socks between them and the shoes are shoes, and a dress coloured as the skin stays a dress."""

from __future__ import annotations

import torch

from kfvton.pipelines.classical_lower import _legs_mislabelled

SKIN = (0.85, 0.60, 0.50)
DRESS = (0.10, 0.20, 0.70)
H, W = 256, 192
RIGHT_X, LEFT_X = 80, 112  # the right (BODY_25 9-11, LIP 17) and left (12-14, LIP 16) legs' bones


def _joints() -> torch.Tensor:
    """(1, 25, 3) BODY_25 pixels: hips at row 100, knees at 160, ankles at 220, wrists far beside the body."""
    j = torch.zeros(1, 25, 3)
    for k, (x, y) in {
        9: (RIGHT_X, 100), 10: (RIGHT_X, 160), 11: (RIGHT_X, 220),
        12: (LEFT_X, 100), 13: (LEFT_X, 160), 14: (LEFT_X, 220), 4: (20, 100), 7: (172, 100),
    }.items():  # fmt: skip
        j[0, k] = torch.tensor([x, y, 1.0])
    return j


def _scene(dress_colour: tuple[float, float, float]) -> tuple[torch.Tensor, torch.Tensor]:
    """(person (1, 3, H, W), parse (1, H, W)): a dress down to row 170 over two bare legs (skin, rows 170-222), black
    socks (222-230) and shoes (230-240); the legs are labelled as the dress down to row 200 and the socks too."""
    person = torch.ones(1, 3, H, W)
    parse = torch.zeros(1, H, W, dtype=torch.long)
    person[0, :, 60:170, 60:133] = torch.tensor(dress_colour).reshape(3, 1, 1)
    parse[0, 60:170, 60:133] = 6
    for x, label, shoe in ((RIGHT_X, 17, 19), (LEFT_X, 16, 18)):
        cols = slice(x - 8, x + 9)
        person[0, :, 170:222, cols] = torch.tensor(SKIN).reshape(3, 1, 1)
        person[0, :, 222:240, cols] = 0.05
        parse[0, 170:200, cols] = 6  # mislabelled legs
        parse[0, 200:222, cols] = label
        parse[0, 222:230, cols] = 6  # mislabelled socks
        parse[0, 230:240, cols] = shoe
    return person, parse


def test_bare_legs_labelled_as_the_dress_become_legs_and_socks_shoes() -> None:
    person, parse = _scene(DRESS)
    out = _legs_mislabelled(parse, person, _joints())
    assert int(out[0, 185, RIGHT_X]) == 17 and int(out[0, 185, LEFT_X]) == 16
    assert int(out[0, 226, RIGHT_X]) == 19 and int(out[0, 226, LEFT_X]) == 18
    assert int(out[0, 150, 96]) == 6 and int(out[0, 120, RIGHT_X]) == 6  # the dress itself stays
    assert int(out[0, 10, 10]) == 0  # the wall far from the legs stays


def test_a_dress_coloured_as_the_skin_stays_a_dress() -> None:
    person, parse = _scene(SKIN)
    out = _legs_mislabelled(parse, person, _joints())
    assert bool((out[0, :170] == parse[0, :170]).all())  # (its own rows: only a leg's thin rim may be taken)
    assert int(out[0, 185, RIGHT_X]) == 6  # the legs under it are not told apart by colour
