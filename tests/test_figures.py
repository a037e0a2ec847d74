"""Every figure in quick mode: valid, non-blank images with sidecars naming their settings."""
import json
import os

import numpy as np
import pytest
from PIL import Image

from figures.__main__ import main as figures_main, registry


@pytest.fixture(scope="module")
def out(tmp_path_factory):
    d = tmp_path_factory.mktemp("figs")
    assert figures_main(["--quick", "--no-verify", "--out", str(d)]) == 0
    return d


def _images(out):
    return sorted(p for p in os.listdir(out) if p.endswith((".png", ".gif")))


def test_every_figure_is_a_valid_non_blank_image(out):
    imgs = _images(out)
    assert len(imgs) == len(registry()) - 1 + 3  # animations make three GIFs
    for name in imgs:
        with Image.open(out / name) as im:
            im.verify()
        with Image.open(out / name) as im:
            arr = np.asarray(im.convert("RGB"), dtype=np.float64)
            assert arr.shape[0] > 100 and arr.shape[1] > 100
            assert arr.std() > 10, name  # not a blank canvas


def test_sidecars_name_their_settings(out):
    for name in _images(out):
        side = json.loads((out / (os.path.splitext(name)[0] + ".json")).read_text())
        assert side["settings"]["quick"] is True and "seed" in side["settings"]
        assert side["provenance"]["versions"]["jax"]


def test_same_seed_same_data(out, tmp_path):
    # the cache is keyed by settings and code; a fresh folder recomputes and must give the same numbers
    assert figures_main(["kink", "--quick", "--out", str(tmp_path)]) == 0
    a = [np.load(out / ".cache" / f) for f in os.listdir(out / ".cache") if f.startswith("kink-")][0]
    b = [np.load(tmp_path / ".cache" / f) for f in os.listdir(tmp_path / ".cache") if f.startswith("kink-")][0]
    for k in a.files:
        np.testing.assert_array_equal(a[k], b[k])


def test_bad_input(tmp_path, capsys):
    assert figures_main(["nope", "--out", str(tmp_path)]) == 2
    assert "known: good_start" in capsys.readouterr().err
    f = tmp_path / "file"
    f.write_text("x")
    assert figures_main(["kink", "--out", str(f / "sub")]) == 2
    assert not any(p.startswith(".") and p != ".cache" for p in os.listdir(tmp_path))


def test_born_dead_table_lists_every_depth(out):
    text = (out / "born_dead.md").read_text()
    rows = [line for line in text.splitlines() if line.startswith("| 4 |")]
    assert len(rows) == 2 and rows[0].count("all:") == 5  # both tables, every width


def test_cache_key_follows_the_figure_module(tmp_path):
    from figures import _common

    a, b = tmp_path / "a.py", tmp_path / "b.py"
    a.write_text("x = 1\n")
    b.write_text("x = 2\n")
    assert _common.code_hash(str(a)) != _common.code_hash(str(b))
    assert _common.code_hash(str(a)) == _common.code_hash(str(a))
