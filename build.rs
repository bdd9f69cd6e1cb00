// The embedded interpreter must be the one deck was built against: without an rpath the
// loader may pick another libpython (the system's) with another stdlib and site-packages.
// PyO3 snippets are built for that same interpreter, so its path is recorded too.
fn main() {
    pyo3_build_config::add_libpython_rpath_link_args();
    if let Some(python) = pyo3_build_config::get().executable() {
        println!("cargo:rustc-env=DECK_PYTHON={python}");
    }
}
