"""The Python examples of docs/analysis.md, run in order in one namespace, in a directory whose
results/vanishing-gradients/ holds the tiny study (conftest.py): the page's examples stay true."""

import importlib.util
import re
from pathlib import Path

import pytest

DOC = Path(__file__).resolve().parents[2] / "docs" / "analysis.md"


def python_blocks():
    return re.findall(r"```python\n(.*?)```", DOC.read_text(), flags=re.S)


def test_the_page_has_examples():
    assert len(python_blocks()) >= 4


def test_the_examples_run(study, monkeypatch):
    monkeypatch.chdir(study.parent.parent)
    namespace = {}
    for number, block in enumerate(python_blocks()):
        if "import torch" in block and importlib.util.find_spec("torch") is None:
            continue
        exec(compile(block, f"{DOC.name}, example {number + 1}", "exec"), namespace)
    assert (study.parent.parent / "gradient-flow.png").stat().st_size > 10_000
