"""Where the demo modules' test data lives: in the repository, under tests/data.

DECK_JXL_SUITE may name a fuller copy of the JPEG XL conformance data (same layout) to run the
same tests over every case it holds.
"""
import os
import pathlib

import pytest

DATA = pathlib.Path(__file__).resolve().parents[2] / "tests" / "data"
JXL_DIR = pathlib.Path(os.environ.get("DECK_JXL_SUITE") or DATA / "jxl")


@pytest.fixture
def jxl_dir():
    return JXL_DIR
