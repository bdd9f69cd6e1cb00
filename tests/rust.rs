//! Live Rust through the real compiler and the build cache; PyO3 written in a snippet and
//! called from the next Python snippet.

mod common;

use std::path::PathBuf;
use std::sync::Once;
use std::time::Duration;

use common::Screen;
use deck::exec::Outcome;
use deck::exec::Settings;

const WAIT: Duration = Duration::from_secs(300);

/// One cache for this test binary, and a rustc wrapper that logs every compile.
fn setup() -> PathBuf {
    static ONCE: Once = Once::new();
    let root = PathBuf::from(env!("CARGO_TARGET_TMPDIR")).join("deck-rust-tests");
    ONCE.call_once(|| {
        use std::os::unix::fs::PermissionsExt;
        let _ = std::fs::remove_dir_all(root.join("cache/rust"));
        std::fs::create_dir_all(&root).unwrap();
        let wrapper = root.join("rustc-logged");
        let log = root.join("rustc.log");
        std::fs::write(&wrapper, format!("#!/bin/sh\necho \"$@\" >> {}\nexec rustc \"$@\"\n", log.display())).unwrap();
        std::fs::set_permissions(&wrapper, std::fs::Permissions::from_mode(0o755)).unwrap();
    });
    root
}

fn compiles(root: &std::path::Path) -> usize {
    std::fs::read_to_string(root.join("rustc.log")).unwrap_or_default().lines().filter(|l| !l.contains("-vV")).count()
}

/// Whether the cache holds a finished binary for the snippet whose source contains `tag`.
fn built_binary(root: &std::path::Path, tag: &str) -> bool {
    let Ok(entries) = std::fs::read_dir(root.join("cache/rust")) else { return false };
    entries.filter_map(Result::ok).any(|e| {
        let files: Vec<_> = std::fs::read_dir(e.path()).into_iter().flatten().filter_map(Result::ok).collect();
        files.iter().any(|f| f.file_name() == "snippet")
            && files.iter().any(|f| std::fs::read_to_string(f.path()).is_ok_and(|t| t.contains(tag)))
    })
}

fn screen(text: &str) -> (tempfile::TempDir, Screen) {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("talk.md");
    std::fs::write(&path, text).unwrap();
    let root = setup();
    let settings = Settings {
        timeout: Duration::from_secs(60),
        python_env: None,
        cache_dir: root.join("cache"),
        rustc: root.join("rustc-logged"),
        ..common::settings()
    };
    (dir, Screen::exec(&path, 100, 40, settings))
}

fn nonce() -> u128 {
    std::time::SystemTime::now().duration_since(std::time::UNIX_EPOCH).unwrap().as_nanos()
}

#[test]
fn snippet_without_main_runs_and_hidden_lines_compile_unseen() {
    let deck = format!(
        "```rust +exec\n# fn hidden_helper() -> u32 {{ 41 }}\nlet answer = hidden_helper() + 1; // {}\nprintln!(\"answer = {{answer}}\");\n```\n",
        nonce()
    );
    let (_d, mut s) = screen(&deck);
    s.assert_hides("hidden_helper() -> u32");
    s.ctrl('e');
    s.settle(WAIT);
    assert_eq!(s.output(0), "answer = 42\n", "{}", s.text());
    assert_eq!(s.outcome(0), Some(Outcome::Success));
    s.assert_shows("answer = 42");
}

#[test]
fn compile_errors_point_at_the_deck_line() {
    let deck = format!("Title\n===\n\n```rust +exec\nlet n: u32 = \"not a number\"; // {}\n```\n", nonce());
    let (_d, mut s) = screen(&deck);
    s.ctrl('e');
    s.settle(WAIT);
    let out = s.output(1);
    assert!(out.contains("--> talk.md:5:"), "{out}");
    assert!(out.contains("error[E0308]"), "{out}");
    assert_eq!(s.outcome(1), Some(Outcome::Failed));
}

#[test]
fn second_run_does_not_invoke_the_compiler() {
    let root = setup();
    let deck = format!("```rust +exec\nfn main() {{ println!(\"cached {}\"); }}\n```\n", nonce());
    let (_d, mut s) = screen(&deck);
    s.ctrl('e');
    s.settle(WAIT);
    assert!(s.output(0).starts_with("cached "), "{}", s.output(0));
    let after_first = compiles(&root);
    let entries = std::fs::read_dir(root.join("cache/rust")).unwrap().count();
    s.ctrl('e');
    s.settle(WAIT);
    assert!(s.output(0).starts_with("cached "));
    assert_eq!(compiles(&root), after_first, "no compiler call on the re-run");
    assert_eq!(std::fs::read_dir(root.join("cache/rust")).unwrap().count(), entries, "no new cache entry");
    // A new presenter on the same deck finds the binary in the cache: still no compile.
    let (_d2, mut s2) = screen(&deck);
    s2.ctrl('e');
    s2.settle(WAIT);
    assert_eq!(compiles(&root), after_first);
}

#[test]
fn warm_up_builds_before_the_run_key() {
    let root = setup();
    let tag = format!("warm {}", nonce());
    let deck = format!("```rust +exec\nprintln!(\"{tag}\");\n```\n");
    let (_d, mut s) = screen(&deck);
    // Opening the deck (with -x) queued the build: wait for its binary in the cache.
    common::wait_until("the warm-up's binary in the cache", || built_binary(&root, &tag));
    let built = compiles(&root);
    s.ctrl('e');
    s.settle(WAIT);
    assert!(s.output(0).starts_with("warm "), "{}", s.output(0));
    assert_eq!(compiles(&root), built, "the run key only ran the binary");
}

#[test]
fn pyo3_function_written_in_a_snippet_is_called_from_python() {
    let deck = format!(
        "```rust +exec:pyo3\nuse pyo3::prelude::*;\n\n#[pyfunction]\nfn double(x: i64) -> i64 {{\n    x * 2 // {}\n}}\n\n#[pymodule]\nfn doubler(m: &Bound<'_, PyModule>) -> PyResult<()> {{\n    m.add_function(wrap_pyfunction!(double, m)?)\n}}\n```\n<!-- end_slide -->\n```python +exec\nprint(doubler.double(21))\n```\n",
        nonce()
    );
    let (_d, mut s) = screen(&deck);
    s.ctrl('e');
    s.settle(WAIT);
    assert!(s.output(0).contains("imported doubler: double"), "{}", s.output(0));
    s.keys("n");
    s.ctrl('e');
    s.settle(WAIT);
    assert_eq!(s.output(0), "42\n");
}
