"""Provenance of committed outputs: the figure runner refuses to refresh the README from a source tree with
uncommitted changes (unless told to), and a figure made twice from scratch is the same file, byte for byte."""

import hashlib
import json

from figures import __main__ as runner


def test_readme_refresh_is_refused_from_a_dirty_tree_before_any_work(tmp_path, monkeypatch, capsys):
    seen = {}

    def fake(out, readme=None):
        seen["args"] = (out, readme)
        return ["landscape/train.py"]

    monkeypatch.setattr(runner, "uncommitted", fake)
    readme = tmp_path / "README.md"
    readme.write_text("x\n<!-- verdicts:start -->\n<!-- verdicts:end -->\n")
    code = runner.main(["--readme", str(readme), "--out", str(tmp_path / "out")])
    err = capsys.readouterr().err.strip().splitlines()
    assert code == 2 and len(err) == 1 and "uncommitted changes" in err[0] and "landscape/train.py" in err[0]
    assert "--allow-dirty" in err[0]
    assert seen["args"] == (str(tmp_path / "out"), str(readme))  # outputs and the README itself are not sources
    assert not (tmp_path / "out").exists()  # refused before any work


def test_uncommitted_ignores_the_output_folder_and_lists_paths():
    changed = runner.uncommitted(runner.os.path.join(runner.os.path.dirname(runner.__file__), "out"), "README.md")
    assert isinstance(changed, list)
    assert not any(p.startswith("figures/out/") or p == "README.md" for p in changed)


def _digest(path):
    return hashlib.sha256(path.read_bytes()).hexdigest()


def test_a_figure_made_twice_from_scratch_is_byte_identical(tmp_path):
    outs = []
    for i in range(2):
        out = tmp_path / f"out{i}"
        assert runner.main(["kink", "--quick", "--out", str(out)]) == 0  # each with its own empty cache
        outs.append(out)
    for name in ("kink.png", "kink.svg"):
        assert _digest(outs[0] / name) == _digest(outs[1] / name), name
    a, b = (json.loads((o / "kink.json").read_text()) for o in outs)
    assert a["shown"] == b["shown"] and a["settings"] == b["settings"]
