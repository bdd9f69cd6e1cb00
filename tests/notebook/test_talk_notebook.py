"""The talk as a Jupyter notebook: `deck export -x slides/talk.md --to talk.ipynb` beside a
copy of the deck, validated with nbformat and run top to bottom in this environment (the
demos wheel, numpy, Pillow, ipykernel): every cell that runs passes."""
import os
import pathlib
import shutil
import subprocess
import sys

import pytest

nbformat = pytest.importorskip("nbformat")
nbclient = pytest.importorskip("nbclient")

REPO = pathlib.Path(__file__).resolve().parents[2]
DECK = pathlib.Path(os.environ.get("DECK_BIN", REPO / "target" / "debug" / "deck"))


def test_the_talk_exports_to_a_notebook_that_runs(tmp_path):
    if not DECK.exists():
        pytest.fail(f"no deck binary at {DECK}: build it first (cargo build)")
    slides = tmp_path / "slides"
    shutil.copytree(REPO / "slides", slides)
    notebook = slides / "talk.ipynb"
    subprocess.run(
        [str(DECK), "export", "-x", "--python-env", sys.prefix, str(slides / "talk.md"), "--to", str(notebook)],
        check=True,
        cwd=tmp_path,
    )
    nb = nbformat.read(notebook, as_version=4)
    nbformat.validate(nb)
    titles = [c.source.splitlines()[0] for c in nb.cells if c.cell_type == "markdown" and c.source.startswith("## ")]
    assert "## Look at it" in titles
    assert all(c.metadata["slideshow"]["slide_type"] in ("slide", "-") for c in nb.cells)
    # Run it as an attendee would, next to the deck (relative asset paths resolve there).
    nbclient.NotebookClient(nb, timeout=600, kernel_name="python3", resources={"metadata": {"path": str(slides)}}).execute()
    code = [c for c in nb.cells if c.cell_type == "code"]
    ran = [c for c in code if "skip-execution" not in c.metadata.get("tags", [])]
    assert len(ran) >= 15, len(ran)
    for cell in ran:
        assert cell.execution_count is not None, cell.source
        errors = [o for o in cell.outputs if o.output_type == "error"]
        if "raises-exception" not in cell.metadata.get("tags", []):
            assert not errors, f"{cell.source}\n{errors}"
    # The decoded JPEG XL picture is drawn by the notebook too.
    pictures = [o for c in ran for o in c.outputs if "image/png" in o.get("data", {})]
    assert pictures, "no picture output"
