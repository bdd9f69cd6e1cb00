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
    let order = [
        "── slide 1: First ──",
        "python says hi",
        "── slide 2: Second ──",
        "shell says 42",
        "state kept",
        "✗ failed",
        "(expected)",
    ];
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
        "Title",                        // 1
        "===",                          // 2
        "",                             // 3
        "<!-- puase -->",               // 4
        "",                             // 5
        "![](missing.png)",             // 6
        "",                             // 7
        "<!-- include: nowhere.md -->", // 8
        "",                             // 9
        "```file",                      // 10
        "path: absent.rs",              // 11
        "language: rust",               // 12
        "```",                          // 13
        "<!-- end_slide -->",           // 14
        "Tall",                         // 15
        "===",                          // 16
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
    std::fs::write(dir.path().join("c.md"), "```python +exec\nprint(1)\n```\n\n```bash +validate\nexit 1\n```\n")
        .unwrap();
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
    // A talk's length is read as people write it, and a wrong one says how to write it.
    assert!(out.contains("--duration <LENGTH>"), "{out}");
    let o = deck(&["--notes", "--duration", "half an hour", "talk.md"], dir.path());
    assert_eq!(o.status.code(), Some(2));
    assert!(text(&o).1.contains("write e.g. 30m, 1h15m or 90s"), "{:?}", text(&o));
}

/// Starts `deck <args>`, waits for `marker` on stdout, sends SIGINT as ctrl+c in a terminal
/// would, and returns (exit code, all stdout).
fn ctrl_c_after(args: &[&str], dir: &Path, marker: &str) -> (Option<i32>, String) {
    use std::io::Read;
    let mut child = Command::new(env!("CARGO_BIN_EXE_deck"))
        .args(args)
        .current_dir(dir)
        .env("NO_COLOR", "1")
        .stdout(std::process::Stdio::piped())
        .stderr(std::process::Stdio::null())
        .spawn()
        .unwrap();
    let mut stdout = child.stdout.take().unwrap();
    let mut seen = Vec::new();
    let mut buf = [0u8; 256];
    while !String::from_utf8_lossy(&seen).contains(marker) {
        let n = stdout.read(&mut buf).unwrap();
        assert!(n > 0, "deck ended before `{marker}`: {}", String::from_utf8_lossy(&seen));
        seen.extend_from_slice(&buf[..n]);
    }
    common::signal(child.id(), "INT");
    stdout.read_to_end(&mut seen).unwrap();
    let status = child.wait().unwrap();
    (status.code(), String::from_utf8_lossy(&seen).into_owned())
}

#[test]
fn ctrl_c_stops_a_replay_in_a_shell_snippet_even_with_python_running() {
    let dir = tempfile::tempdir().unwrap();
    // The shell prints the pid of its `sleep` before it waits on it.
    let deck_text = "```python +exec\nprint('python is up')\n```\n\n```bash +exec\nsleep 600 &\necho sleep''ing $!\nwait\n```\n\n```python +exec\nprint('never' + ' reached')\n```\n";
    std::fs::write(dir.path().join("talk.md"), deck_text).unwrap();
    let (code, out) = ctrl_c_after(&["run", "-x", "talk.md"], dir.path(), "sleeping");
    assert_eq!(code, Some(130), "{out}");
    assert!(out.contains("python is up") && out.contains("■ stopped") && !out.contains("never reached"), "{out}");
    // The replay shows the code too: the pid is on the output line.
    let sleep: u32 = out
        .split("sleeping ")
        .find_map(|s| s.split_whitespace().next()?.parse().ok())
        .unwrap_or_else(|| panic!("no pid in {out}"));
    common::wait_until("the shell snippet's `sleep` to be killed", || common::process_gone(sleep));
}

#[test]
fn ctrl_c_stops_a_replay_in_a_sleeping_python_snippet() {
    let dir = tempfile::tempdir().unwrap();
    let deck_text = "```python +exec\nimport time\nprint('sleeping', flush=True)\ntime.sleep(20)\n```\n\n```bash +exec\necho never reached\n```\n";
    std::fs::write(dir.path().join("talk.md"), deck_text).unwrap();
    let (code, out) = ctrl_c_after(&["run", "-x", "talk.md"], dir.path(), "sleeping");
    assert_eq!(code, Some(130), "{out}");
    assert!(out.contains("■ stopped") && !out.contains("never reached"), "{out}");
}

#[test]
fn theme_problems_point_at_the_theme_key() {
    let dir = tempfile::tempdir().unwrap();
    let deck_text =
        "---\ntitle: T\ntheme:\n  name: catpuccin-latte\n  override:\n    footer:\n      style: nope\n---\n\nHello\n";
    std::fs::write(dir.path().join("th.md"), deck_text).unwrap();
    let (out, _) = text(&deck(&["check", "th.md"], dir.path()));
    assert!(out.contains("th.md:3: warning: unknown theme `catpuccin-latte`, using `dark`"), "{out}");
    assert!(out.contains("did you mean `catppuccin-latte`?"), "{out}");
    assert!(out.contains("th.md:3: warning: theme override: footer: unknown style `nope`"), "{out}");
}

/// A FIFO or a device as the deck, an include or a `file` block: a clear error, no hang.
#[test]
fn pipes_and_devices_are_refused_not_read() {
    let dir = tempfile::tempdir().unwrap();
    let fifo = dir.path().join("fifo.md");
    assert!(Command::new("mkfifo").arg(&fifo).status().unwrap().success());
    let o = deck(&["check", "fifo.md"], dir.path());
    assert_eq!(o.status.code(), Some(2), "{:?}", text(&o));
    assert!(
        text(&o).1.contains("fifo.md: error: cannot read") && text(&o).1.contains("not a regular file"),
        "{:?}",
        text(&o)
    );
    std::fs::write(
        dir.path().join("talk.md"),
        "Includes\n===\n\n<!-- include: /dev/zero -->\n\n```file\npath: fifo.md\nlanguage: text\n```\n",
    )
    .unwrap();
    let o = deck(&["check", "talk.md"], dir.path());
    let (out, err) = text(&o);
    assert!(out.contains("talk.md:4") && out.contains("cannot include `/dev/zero`"), "{out}\n{err}");
    assert!(out.contains("cannot read `fifo.md`") && out.contains("not a regular file"), "{out}\n{err}");
}

/// `--record` never writes over the deck, and the presenter refuses a stdout that is not a
/// terminal instead of drawing into it.
#[test]
fn record_refuses_the_deck_and_the_presenter_needs_a_terminal() {
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(dir.path().join("talk.md"), "Hello\n===\n").unwrap();
    let o = deck(&["talk.md"], dir.path());
    assert_eq!(o.status.code(), Some(2));
    assert!(text(&o).1.contains("stdout is not one"), "{:?}", text(&o));
    let o = Command::new("script")
        .args(["-qec", &format!("{} --record talk.md talk.md", env!("CARGO_BIN_EXE_deck")), "/dev/null"])
        .current_dir(dir.path())
        .output()
        .unwrap();
    assert_eq!(o.status.code(), Some(2), "{}", String::from_utf8_lossy(&o.stdout));
    assert!(String::from_utf8_lossy(&o.stdout).contains("refusing to write over the deck"));
    assert_eq!(std::fs::read_to_string(dir.path().join("talk.md")).unwrap(), "Hello\n===\n");
}

/// `deck run | head`: the reader leaves, deck stops quietly with 141 (no panic, no 101).
#[test]
fn a_closed_stdout_ends_the_replay_quietly() {
    let dir = tempfile::tempdir().unwrap();
    let snippets: String = (0..20).map(|i| format!("```bash +exec\necho line {i}\n```\n\n")).collect();
    std::fs::write(dir.path().join("talk.md"), snippets).unwrap();
    let o = Command::new("bash")
        .args([
            "-c",
            &format!("{} run -x talk.md | head -3; echo \"status=${{PIPESTATUS[0]}}\"", env!("CARGO_BIN_EXE_deck")),
        ])
        .current_dir(dir.path())
        .output()
        .unwrap();
    let (out, err) = text(&o);
    assert!(out.contains("status=141"), "{out}\n{err}");
    assert!(!err.contains("panicked"), "{err}");
}

/// `deck check -x` keeps the tail of what a snippet prints, not every byte: 120 MB of output
/// leave the checker's memory where it was.
#[test]
fn check_keeps_a_bounded_tail_of_huge_output() {
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(dir.path().join("talk.md"), "```bash +exec\nyes | head -n 60000000\necho last line\n```\n").unwrap();
    let mut child = Command::new(env!("CARGO_BIN_EXE_deck"))
        .args(["check", "-x", "talk.md"])
        .current_dir(dir.path())
        .stdout(std::process::Stdio::null())
        .stderr(std::process::Stdio::null())
        .spawn()
        .unwrap();
    let mut peak_kb = 0u64;
    let status = loop {
        if let Some(status) = child.try_wait().unwrap() {
            break status;
        }
        peak_kb = peak_kb.max(common::peak_rss_kb(child.id()));
        std::thread::sleep(std::time::Duration::from_millis(20));
    };
    assert!(status.success(), "{status}");
    assert!(peak_kb > 0 && peak_kb < 100 * 1024, "peak memory {} MB", peak_kb / 1024);
}
