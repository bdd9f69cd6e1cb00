"""The `jxl_demo` demo module (Rust, PyO3), the same code deck links into its interpreter."""
import sys

from deck_demos import _native

sys.modules[__name__] = _native.jxl_demo
