//! Real Python through the real engine, in the presenter: state, streaming, cancel, timeout,
//! errors, pictures, bounded output.

mod common;

use std::time::Duration;

use common::Screen;
use deck::app::run::Event;
use deck::exec::Outcome;
use deck::exec::Settings;

const WAIT: Duration = Duration::from_secs(30);

/// The tests share one interpreter thread; one at a time keeps their timings honest.
static ONE_AT_A_TIME: std::sync::Mutex<()> = std::sync::Mutex::new(());

fn screen(text: &str, settings: Settings) -> (tempfile::TempDir, Screen, std::sync::MutexGuard<'static, ()>) {
    let guard = ONE_AT_A_TIME.lock().unwrap_or_else(std::sync::PoisonError::into_inner);
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("deck.md");
    std::fs::write(&path, text).unwrap();
    let s = Screen::exec(&path, 100, 40, settings);
    (dir, s, guard)
}

fn settings() -> Settings {
    Settings { timeout: Duration::from_secs(30), python_env: common::test_python_env(), ..common::settings() }
}

#[test]
fn state_is_shared_across_snippets_and_slides() {
    let deck = "```python +exec\nanswer = 6 * 7\n```\n<!-- end_slide -->\n```python +exec\nprint(f'the answer is {answer}')\n```\n";
    let (_d, mut s, _g) = screen(deck, settings());
    s.ctrl('e');
    s.settle(WAIT);
    s.keys("n");
    s.ctrl('e');
    s.settle(WAIT);
    assert_eq!(s.output(0), "the answer is 42\n");
    s.assert_shows("the answer is 42");
    s.assert_shows("✓");
}

#[test]
fn final_expression_value_is_shown() {
    let (_d, mut s, _g) =
        screen("---\ntheme:\n  name: catppuccin-latte\n---\n```python +exec\nx = [1, 2]\nx + [3]\n```\n", settings());
    s.ctrl('e');
    s.settle(WAIT);
    assert_eq!(s.output(0), "[1, 2, 3]\n");
    // Plain output is drawn in the theme's text colour (readable on a light theme too).
    let row = s.row_of("[1, 2, 3]").unwrap() as u16;
    let col = s.text().lines().nth(row as usize).unwrap().find("[1, 2, 3]").unwrap() as u16;
    assert_eq!(s.terminal.backend().buffer()[(col, row)].fg, s.session.app.theme.base.fg.unwrap());
}

#[test]
fn output_streams_before_the_snippet_ends() {
    let deck = "```python +exec\nimport time\nprint('early' + ' line', flush=True)\ntime.sleep(3)\nprint('late' + ' line')\n```\n";
    let (_d, mut s, _g) = screen(deck, settings());
    s.ctrl('e');
    s.pump_until(WAIT, |s| s.text().contains("early line"));
    assert!(s.session.running(), "the snippet is still running when its first line shows");
    s.assert_hides("late line");
    s.settle(WAIT);
    s.assert_shows("late line");
}

#[test]
fn cancel_stops_an_infinite_loop_and_the_next_snippet_runs() {
    let deck = "```python +exec\nprint('loop' + 'ing', flush=True)\nwhile True:\n    pass\n```\n\n```python +exec\nprint('still alive')\n```\n";
    let (_d, mut s, _g) = screen(deck, settings());
    s.ctrl('e');
    s.pump_until(WAIT, |s| s.output(0).contains("looping"));
    s.ctrl('k');
    s.settle(WAIT);
    assert_eq!(s.outcome(0), Some(Outcome::Cancelled));
    s.assert_shows("■ stopped");
    s.ctrl('e');
    s.settle(WAIT);
    assert_eq!(s.output(1), "still alive\n");
}

#[test]
fn timeout_stops_a_sleeping_loop() {
    let deck = "```python +exec +timeout:1\nimport time\nwhile True:\n    time.sleep(0.5)\n```\n\n```python +exec\nprint('after timeout')\n```\n";
    let (_d, mut s, _g) = screen(deck, settings());
    s.ctrl('e');
    s.pump_until(WAIT, |s| s.outcome(0).is_some());
    assert_eq!(s.outcome(0), Some(Outcome::TimedOut(Duration::from_secs(1))));
    s.assert_shows("⏱ timed out after 1.00 s");
    s.ctrl('e');
    s.settle(WAIT);
    assert_eq!(s.output(1), "after timeout\n");
}

#[test]
fn exceptions_exit_and_input_never_take_the_presenter_down() {
    let deck = "```python +exec\nraise ValueError('bad value')\n```\n\n```python +exec\nimport sys\nsys.exit(3)\n```\n\n```python +exec\ninput('name? ')\n```\n\n```python +exec\nprint('fine')\n```\n";
    let (_d, mut s, _g) = screen(deck, settings());
    for _ in 0..4 {
        s.ctrl('e');
        s.settle(WAIT);
    }
    let out0 = s.output(0);
    assert!(out0.contains("File \"deck.md\", line 2"), "traceback uses the deck's line numbers: {out0}");
    assert!(out0.contains("ValueError: bad value"), "{out0}");
    assert_eq!(s.outcome(0), Some(Outcome::Failed));
    assert_eq!(s.outcome(1), Some(Outcome::Exit(3)));
    assert!(s.output(2).contains("input() is not available"), "{}", s.output(2));
    assert_eq!(s.output(3), "fine\n");
    assert!(!s.session.app.quit);
    s.assert_shows("✗ exit status 3");
}

#[test]
fn syntax_errors_point_at_the_deck_line() {
    let (_d, mut s, _g) = screen("Title\n===\n\n```python +exec\nx = (\n```\n", settings());
    s.ctrl('e');
    s.settle(WAIT);
    let out = s.output(1);
    assert!(out.contains("line 5"), "{out}");
    assert!(out.contains("SyntaxError"), "{out}");
}

#[test]
fn a_million_lines_stay_bounded() {
    let (_d, mut s, _g) = screen("```python +exec\nfor i in range(1_000_000):\n    print(i)\n```\n", settings());
    s.ctrl('e');
    s.settle(Duration::from_secs(120));
    let id = s.snippet_id(0, 0);
    let out = s.session.snippets.outputs.get(id).unwrap();
    assert_eq!(out.lines.len(), deck::exec::output::MAX_LINES);
    assert_eq!(out.dropped, 1_000_000 - deck::exec::output::MAX_LINES);
    assert_eq!(out.lines.back().unwrap().0, "999999");
    s.assert_shows("999999");
    s.assert_shows("more lines above");
    // Scrolling shows older lines, and back.
    s.keys("[[");
    s.assert_hides("999999");
    s.assert_shows("999989");
    s.keys("]]");
    s.assert_shows("999999");
}

#[test]
fn auto_exec_runs_when_shown_and_exec_replace_hides_the_code() {
    let deck = "one\n<!-- end_slide -->\n```python +exec_replace\nprint('replaced ' + 'output')\n```\n";
    let (_d, mut s, _g) = screen(deck, settings());
    s.keys("n");
    s.settle(WAIT);
    s.assert_shows("replaced output");
    s.assert_hides("print(");
}

#[test]
fn fresh_namespace_on_reset() {
    let deck = "```python +exec\nforget_me = 1\n```\n\n```python +exec\nprint('forget_me' in globals())\n```\n";
    let (_d, mut s, _g) = screen(deck, settings());
    s.ctrl('e');
    s.settle(WAIT);
    s.keys("R");
    s.ctrl('e');
    s.settle(WAIT);
    assert_eq!(s.output(1), "False\n");
}

#[test]
fn shell_snippets_stream_and_fail_visibly() {
    let deck = "```bash +exec\necho out; echo err >&2; exit 4\n```\n\n```bash +exec +timeout:1\nsleep 600 &\necho child $!\nsleep 600\n```\n";
    let (_d, mut s, _g) = screen(deck, settings());
    s.ctrl('e');
    s.settle(WAIT);
    assert_eq!(s.outcome(0), Some(Outcome::Exit(4)));
    let out = s.output(0);
    assert!(out.contains("out\n") && out.contains("err\n"), "{out}");
    s.ctrl('e');
    s.settle(WAIT);
    assert_eq!(s.outcome(1), Some(Outcome::TimedOut(Duration::from_secs(1))));
    // The timeout killed the snippet's whole process group, its background child too.
    let child: u32 = s.output(1).trim().strip_prefix("child ").unwrap().parse().unwrap();
    common::wait_until("the background `sleep` to be killed", || common::process_gone(child));
}

#[test]
fn subprocess_python_has_no_shared_state() {
    let deck = "```python +exec\nshared = 1\n```\n\n```python +exec:subprocess\nprint('shared' in globals())\n```\n";
    let (_d, mut s, _g) = screen(deck, settings());
    s.ctrl('e');
    s.settle(WAIT);
    s.ctrl('e');
    s.settle(WAIT);
    assert_eq!(s.output(1), "False\n");
}

/// numpy arrays and PIL images as final values are drawn as pictures.
#[test]
#[cfg_attr(not(deck_has_test_python), ignore = "needs DECK_TEST_PYTHON_ENV (numpy, Pillow): scripts/test.sh")]
fn numpy_and_pil_values_are_pictures() {
    let env = common::test_python_env().expect("DECK_TEST_PYTHON_ENV with numpy and Pillow");
    let deck = "```python +exec\nimport numpy as np\na = np.zeros((40, 80, 3), dtype=np.uint8)\na[:, :40] = (255, 0, 0)\na\n```\n<!-- end_slide -->\n```python +exec\nfrom PIL import Image\nImage.new('RGB', (60, 30), (0, 0, 255))\n```\n";
    let (_d, mut s, _g) = screen(deck, Settings { timeout: WAIT, python_env: Some(env), ..common::settings() });
    s.ctrl('e');
    s.settle(WAIT);
    let id = s.snippet_id(0, 0);
    assert_eq!(s.session.snippets.outputs.get(id).unwrap().image, Some((80, 40)), "{}", s.output(0));
    let red = ratatui::style::Color::Rgb(255, 0, 0);
    let buf = s.terminal.backend().buffer();
    assert!(buf.content().iter().any(|c| c.fg == red || c.bg == red), "red half-blocks drawn:\n{}", s.text());
    s.keys("n");
    s.ctrl('e');
    s.settle(WAIT);
    let id = s.snippet_id(1, 0);
    assert_eq!(s.session.snippets.outputs.get(id).unwrap().image, Some((60, 30)), "{}", s.output(0));
}

/// Quitting while a snippet runs: the loop ends at once, and the keys and engine reports that
/// still arrive afterwards are handled without harm.
#[test]
fn events_after_quit_are_harmless() {
    let deck = "```python +exec\nprint('first', flush=True)\nimport time\ntime.sleep(0.2)\nprint('last')\n```\n";
    let (_d, mut s, _g) = screen(deck, settings());
    s.ctrl('e');
    s.event(Event::Terminate);
    assert!(s.session.app.quit);
    s.keys("lnq");
    s.ctrl('e');
    deck::app::run::run(&mut s.terminal, &mut s.session, &s.rx).unwrap();
    s.settle(WAIT);
    assert_eq!(s.output(0), "first\nlast\n");
    assert_eq!(s.session.app.slide, 0);
}

/// sys.stdout is a real file (`.buffer`, `.fileno()`), and what C code and subprocesses
/// write to fd 1 lands in the snippet's output too.
#[test]
fn stdout_is_a_real_file_and_subprocess_output_is_captured() {
    let deck = "```python +exec\nimport sys, os\nsys.stdout.buffer.write(b'bytes ok\\n')\nsys.stdout.flush()\nprint('fileno', sys.stdout.fileno())\nos.system('echo from a sub' + 'process')\nprint('after')\n```\n";
    let (_d, mut s, _g) = screen(deck, settings());
    s.ctrl('e');
    s.settle(WAIT);
    assert_eq!(s.outcome(0), Some(Outcome::Success), "{}", s.output(0));
    assert_eq!(s.output(0), "bytes ok\nfileno 1\nfrom a subprocess\nafter\n");
}

/// A C call that ignores the stop (the sieve in Rust) past its timeout: Python is
/// restarted, the snippet ends as timed out, and the next one runs in a fresh namespace.
#[test]
fn a_c_call_past_its_timeout_is_ended_by_restarting_python() {
    let deck = "```python +exec\nkept = 1\n```\n\n```python +exec +timeout:1\nimport sieve\nsieve.count(10**11)\n```\n\n```python +exec\nprint('next', 'kept' in globals())\n```\n";
    let (_d, mut s, _g) = screen(deck, settings());
    for _ in 0..3 {
        s.ctrl('e');
        s.settle(WAIT);
    }
    assert_eq!(s.outcome(1), Some(Outcome::TimedOut(Duration::from_secs(1))));
    assert!(
        s.output(1).contains("Python did not stop, so it was restarted: the namespace is fresh"),
        "{}",
        s.output(1)
    );
    assert_eq!(s.output(2), "next False\n");
}
