import os
import pathlib

import pytest

SHARED = pathlib.Path(__file__).resolve().parents[2].parent / "shared"


@pytest.fixture
def jxl_dir():
    path = SHARED / "jxl"
    if not path.is_dir():
        if os.environ.get("CI") == "true":
            pytest.fail(f"{path} is missing under CI")
        pytest.skip(f"{path} is not there")
    return path
