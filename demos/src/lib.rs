//! PyO3 demo modules for talks: `rust_demo` (the PyO3 workshop functions), `char_count`,
//! `sieve` (primes, naive and fast) and `jxl_demo` (JPEG XL decoding on jxl-rs and jxl-oxide).
//!
//! Two ways in: deck links this crate and calls [`register_all`] before its interpreter
//! starts, so `import rust_demo` works with nothing installed; maturin builds the same code
//! as one extension, `deck_demos._native`, with small Python packages re-exporting each
//! module under its own name.

pub mod char_count;
pub mod jxl_demo;
pub mod rust_demo;
pub mod sieve;

use pyo3::prelude::*;

/// Make the four modules importable in an interpreter that has not started yet.
pub fn register_all() {
    rust_demo::register();
    char_count::register();
    sieve::register();
    jxl_demo::register();
}

/// The wheel's one native module, holding the four as submodules.
#[pymodule]
#[pyo3(name = "_native")]
fn native(m: &Bound<'_, PyModule>) -> PyResult<()> {
    let py = m.py();
    m.add_wrapped(pyo3::wrap_pymodule!(rust_demo::rust_demo))?;
    for (name, init) in [
        ("char_count", char_count::init as fn(&Bound<'_, PyModule>) -> PyResult<()>),
        ("sieve", sieve::init),
        ("jxl_demo", jxl_demo::init),
    ] {
        let sub = PyModule::new(py, name)?;
        init(&sub)?;
        m.add_submodule(&sub)?;
    }
    Ok(())
}
