//! Build script: link the interpreter deck was built against, and tell the tests which tools
//! this machine has.

use std::path::Path;

fn main() {
    // The embedded interpreter must be the one deck was built against: without an rpath the
    // loader may pick another libpython (the system's) with another stdlib and site-packages.
    // PyO3 snippets are built for that same interpreter, so its path is recorded too.
    pyo3_build_config::add_libpython_rpath_link_args();
    if let Some(python) = pyo3_build_config::get().executable() {
        println!("cargo:rustc-env=DECK_PYTHON={python}");
    }
    mark_available_tools();
}

/// Tests that drive an outside tool are `#[cfg_attr(not(deck_has_TOOL), ignore = "needs TOOL")]`,
/// so a machine without it reports them as ignored, never as passed. Under `CI=true` every
/// tool counts as present: a missing one fails its tests instead of hiding them.
fn mark_available_tools() {
    println!("cargo:rerun-if-env-changed=PATH");
    println!("cargo:rerun-if-env-changed=CI");
    println!("cargo:rerun-if-env-changed=DECK_TEST_PYTHON_ENV");
    let ci = std::env::var("CI").as_deref() == Ok("true");
    let tools = [("deck_has_tmux", "tmux"), ("deck_has_chromedriver", "chromedriver"), ("deck_has_poppler", "pdfinfo")];
    for (cfg, program) in tools {
        println!("cargo::rustc-check-cfg=cfg({cfg})");
        if ci || on_path(program) {
            println!("cargo:rustc-cfg={cfg}");
        }
    }
    // The virtualenv with numpy, Pillow and pytest that scripts/test.sh makes.
    println!("cargo::rustc-check-cfg=cfg(deck_has_test_python)");
    let env = std::env::var_os("DECK_TEST_PYTHON_ENV");
    if ci || env.is_some_and(|p| Path::new(&p).join("bin/python").exists()) {
        println!("cargo:rustc-cfg=deck_has_test_python");
    }
}

fn on_path(program: &str) -> bool {
    std::env::var_os("PATH").is_some_and(|paths| std::env::split_paths(&paths).any(|dir| dir.join(program).is_file()))
}
