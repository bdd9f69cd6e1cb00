//! The command line: `deck run`, `deck check`, `--help`, errors and exit codes.

mod common;

use std::path::Path;
use std::process::{Command, Output};

fn deck(args: &[&str], dir: &Path) -> Output {
    let mut cmd = Command::new(env!("CARGO_BIN_EXE_deck"));
    cmd.args(args).current_dir(dir).env("NO_COLOR", "1");
    if let Some(env) = common::test_python_env() {
        cmd.arg("--python-env").arg(env);
    }
    cmd.output().expect("deck runs")
}

fn text(o: &Output) -> (String, String) {
    (String::from_utf8_lossy(&o.stdout).into_owned(), String::from_utf8_lossy(&o.stderr).into_owned())
}

const MIXED: &str = "First\n===\n\n```python +exec\nstate = 'kept'\nprint('python says hi')\n```\n\n<!-- end_slide -->\n\nSecond\n===\n\n```bash +exec\necho shell says $((6*7))\n```\n\n```python +exec\nprint('state', state)\nraise RuntimeError('boom')\n```\n\n```bash +exec +expect:failure\nexit 3\n```\n";

#[test]
fn run_replays_outputs_in_order_and_fails_on_a_failure() {
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(dir.path().join("talk.md"), MIXED).unwrap();
    let o = deck(&["run", "-x", "talk.md"], dir.path());
    let (out, err) = text(&o);
    assert_eq!(o.status.code(), Some(1), "{out}\n{err}");
    let order = ["── slide 1: First ──", "python says hi", "── slide 2: Second ──", "shell says 42", "state kept", "✗ failed", "(expected)"];
    let mut at = 0;
    for needle in order {
        let pos = out[at..].find(needle).unwrap_or_else(|| panic!("`{needle}` after byte {at} in:\n{out}"));
        at += pos + needle.len();
    }
    assert!(err.contains("RuntimeError: boom"), "{err}");
    assert!(err.contains("talk.md\", line 20"), "{err}");
}

#[test]
fn run_needs_consent_and_passes_when_all_pass() {
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(dir.path().join("ok.md"), "```bash +exec\necho fine\n```\n").unwrap();
    let o = deck(&["run", "ok.md"], dir.path());
    assert_eq!(o.status.code(), Some(2));
    assert!(text(&o).1.contains("pass -x"));
    let o = deck(&["run", "-x", "ok.md"], dir.path());
    assert_eq!(o.status.code(), Some(0), "{:?}", text(&o));
    let o = deck(&["run", "-x", "--slide", "2", "ok.md"], dir.path());
    assert!(!text(&o).0.contains("fine"));
}

#[test]
fn check_flags_each_lint_with_its_line() {
    let dir = tempfile::tempdir().unwrap();
    let lines = [
        "Title",                           // 1
        "===",                             // 2
        "",                                // 3
        "<!-- puase -->",                  // 4
        "",                                // 5
        "![](missing.png)",                // 6
        "",                                // 7
        "<!-- include: nowhere.md -->",    // 8
        "",                                // 9
        "```file",                         // 10
        "path: absent.rs",                 // 11
        "language: rust",                  // 12
        "```",                             // 13
        "<!-- end_slide -->",              // 14
        "Tall",                            // 15
        "===",                             // 16
    ];
    let mut text_ = lines.join("\n");
    text_.push_str(&"\n\nrow\n".repeat(30));
    std::fs::write(dir.path().join("lint.md"), text_).unwrap();
    let o = deck(&["check", "lint.md"], dir.path());
    let (out, _) = text(&o);
    assert_eq!(o.status.code(), Some(1), "{out}");
    for expected in [
        "lint.md:4: warning: unknown command `puase`",
        "lint.md:6: warning: image not found: `missing.png`",
        "lint.md:8: warning: cannot include `nowhere.md`",
        "lint.md:10: warning: cannot read `absent.rs`",
        "lint.md:15: warning: slide 2 does not fit 120x36",
    ] {
        assert!(out.contains(expected), "missing `{expected}` in:\n{out}");
    }
    let o = deck(&["check", "--size", "120x200", "lint.md"], dir.path());
    assert!(!text(&o).0.contains("does not fit"));
}

#[test]
fn check_with_exec_runs_every_snippet() {
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(dir.path().join("c.md"), "```python +exec\nprint(1)\n```\n\n```bash +validate\nexit 1\n```\n").unwrap();
    let o = deck(&["check", "-x", "c.md"], dir.path());
    let (out, err) = text(&o);
    assert_eq!(o.status.code(), Some(1), "{out}{err}");
    assert!(err.contains("2 snippets run, 1 failed"), "{err}");
    assert!(out.contains("c.md:5: error: snippet on slide 1 failed: ✗ exit status 1"), "{out}");
    std::fs::write(dir.path().join("c.md"), "```python +exec\nprint(1)\n```\n").unwrap();
    let o = deck(&["check", "-x", "c.md"], dir.path());
    assert_eq!(o.status.code(), Some(0), "{:?}", text(&o));
}

#[test]
fn help_and_missing_files() {
    let dir = tempfile::tempdir().unwrap();
    let o = deck(&["--help"], dir.path());
    let (out, _) = text(&o);
    assert!(out.contains("Present markdown slide decks") && out.contains("ctrl+e"), "{out}");
    let o = deck(&["nope.md"], dir.path());
    assert_eq!(o.status.code(), Some(2));
    assert!(text(&o).1.contains("nope.md: error: cannot read"), "{:?}", text(&o));
    std::fs::write(dir.path().join("latin1.md"), b"ok\n\xe9t\xe9\n").unwrap();
    let o = deck(&["latin1.md"], dir.path());
    assert_eq!(o.status.code(), Some(2));
    assert!(text(&o).1.contains("latin1.md:2: error: the file is not valid UTF-8"), "{:?}", text(&o));
}
