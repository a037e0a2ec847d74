"""Every Python code block of the README runs (the README's sizes are small enough to run as they are)."""

import os
import re

import pytest

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))


def _blocks():
    with open(os.path.join(ROOT, "README.md")) as fh:
        text = fh.read()
    return re.findall(r"```python\n(.*?)```", text, flags=re.S)


def test_the_readme_has_python_blocks():
    assert len(_blocks()) >= 3


@pytest.mark.parametrize("i", range(len(_blocks())))
def test_readme_block_runs(i, capsys):
    code = _blocks()[i]
    namespace = {"__name__": "__readme__"}
    exec(compile(code, f"README.md block {i}", "exec"), namespace)
