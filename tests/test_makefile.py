"""`make help`, the default target, describes every target the Makefile declares."""

import re
import shutil
import subprocess
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[1]


@pytest.mark.skipif(shutil.which("make") is None, reason="needs make")
def test_make_help_names_every_phony_target():
    makefile = (REPO / "Makefile").read_text()
    phony = re.search(r"^\.PHONY:(.*?)(?<!\\)\n", makefile, re.M | re.S)
    assert phony, "no .PHONY line"
    targets = phony.group(1).replace("\\", " ").split()
    out = subprocess.run(
        ["make", "-s", "-C", str(REPO)], capture_output=True, text=True, check=True
    )
    # a described target heads a line: "name: ..." or "a / b: ..."
    described = set()
    for line in out.stdout.splitlines():
        head, sep, _ = line.partition(":")
        if sep and not line.startswith(" "):
            described.update(name.strip() for name in head.split("/"))
    missing = [t for t in targets if t not in described]
    assert not missing, f"targets without a '## name: ...' line in the Makefile: {missing}"
