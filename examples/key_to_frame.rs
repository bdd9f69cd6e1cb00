//! Benchmark (not a test): key to frame in the presenter, in process, on a 120x36 screen.
//! Typing into a 60-line Python snippet in edit mode, side by side with navigation's keys;
//! then a PyO3 snippet edited and run again, edit to output, after its first build.
//!
//! cargo run --release --example key_to_frame [-- keys]

use std::time::{Duration, Instant};

use crossterm::event::{KeyCode, KeyEvent};
use deck::app::run::{Event, Session};
use deck::app::state::App;
use ratatui::Terminal;
use ratatui::backend::TestBackend;

fn session(text: &str, dir: &std::path::Path) -> (Session, Terminal<TestBackend>, std::sync::mpsc::Receiver<Event>) {
    let path = dir.join("bench.md");
    std::fs::write(&path, text).expect("write the deck");
    let deck = deck::parse::parse_file(&path).expect("parse");
    let (tx, rx) = std::sync::mpsc::channel();
    let mut settings = deck::exec::Settings::from_env();
    // The worker is this deck binary, next to the example in the target directory.
    settings.python_worker =
        std::env::current_exe().ok().and_then(|e| Some(e.parent()?.parent()?.join("deck"))).expect("target dir");
    let mut session = Session::with_settings(App::new(deck, None, true), tx, settings);
    let mut terminal = Terminal::new(TestBackend::new(120, 36)).expect("terminal");
    session.started();
    session.draw(&mut terminal).expect("draw");
    (session, terminal, rx)
}

/// Milliseconds from each key to its frame drawn.
fn time_keys(session: &mut Session, terminal: &mut Terminal<TestBackend>, keys: &[KeyCode]) -> Vec<f64> {
    keys.iter()
        .map(|code| {
            let start = Instant::now();
            session.handle(Event::Key(KeyEvent::from(*code)));
            session.draw(terminal).expect("draw");
            start.elapsed().as_secs_f64() * 1000.0
        })
        .collect()
}

fn report(what: &str, mut ms: Vec<f64>) {
    ms.sort_by(f64::total_cmp);
    let at = |q: f64| ms[((ms.len() as f64 - 1.0) * q).round() as usize];
    println!("{what:<44} median {:>6.2} ms   p99 {:>6.2} ms   ({} keys)", at(0.5), at(0.99), ms.len());
}

fn main() {
    let n: usize = std::env::args().nth(1).and_then(|a| a.parse().ok()).unwrap_or(1000);
    let dir = tempfile_dir();
    let body: String = (0..60).map(|i| format!("total_{i} = sum(x * {i} for x in range(10))  # line {i}\n")).collect();
    let text = format!("Edit\n===\n\n```python +exec\n{body}```\n\n<!-- end_slide -->\n\nNext\n===\n\nsome text\n");
    let (mut s, mut t, _rx) = session(&text, &dir);

    // Navigation: next and previous, each redrawing a slide.
    let nav: Vec<KeyCode> = (0..n).map(|i| if i % 2 == 0 { KeyCode::Char('l') } else { KeyCode::Char('h') }).collect();
    report("navigation (l / h)", time_keys(&mut s, &mut t, &nav));

    // Edit mode on the 60-line snippet: typing in its middle, then Enter and Backspace.
    s.handle(Event::Key(KeyEvent::from(KeyCode::Char('e'))));
    for _ in 0..30 {
        s.handle(Event::Key(KeyEvent::from(KeyCode::Up)));
    }
    let typing: Vec<KeyCode> = "x = compute(42)  # typed live ".chars().cycle().take(n).map(KeyCode::Char).collect();
    report("edit mode: typing in a 60-line snippet", time_keys(&mut s, &mut t, &typing));
    let lines: Vec<KeyCode> = (0..n).map(|i| if i % 2 == 0 { KeyCode::Enter } else { KeyCode::Backspace }).collect();
    report("edit mode: Enter / Backspace (lines move)", time_keys(&mut s, &mut t, &lines));

    pyo3_edit_to_output(&dir);
    exercise_to_checks(&dir);
}

/// A workshop exercise: its first run (a build: cold when DECK_CACHE_DIR is empty), then its
/// solution typed in (an edit) and run: ctrl+e to the checks' result.
fn exercise_to_checks(dir: &std::path::Path) {
    let mini = include_str!("../tests/decks/workshop/mini.md");
    // A comment new to the build cache, so each run here really builds.
    let nonce = format!("// bench {:?}\n", Instant::now());
    let mini = mini.replace(
        "#[pyfunction]\nfn factorial(n: u64) -> u64 {\n    todo!()",
        &format!("{nonce}#[pyfunction]\nfn factorial(n: u64) -> u64 {{\n    todo!()"),
    );
    let (mut s, mut t, rx) = session(&mini, dir);
    let (slide, id) =
        s.app.deck.snippets().find(|(_, c)| c.attrs.exercise.is_some()).map(|(i, c)| (i, c.id)).expect("exercise");
    s.app.set_position(slide, 0);
    let run = |s: &mut Session, t: &mut Terminal<TestBackend>| {
        s.app.focus = Some(id);
        let start = Instant::now();
        s.handle(Event::Key(KeyEvent::new(KeyCode::Char('e'), crossterm::event::KeyModifiers::CONTROL)));
        loop {
            if let Ok(e) = rx.recv_timeout(Duration::from_millis(5)) {
                s.handle(e);
            }
            let out = s.snippets.outputs.get(id);
            if out.is_some_and(|o| o.finished.is_some() && o.started.is_some_and(|at| at >= start)) {
                let text = out.map(deck::exec::output::SnippetOutput::text).unwrap_or_default();
                s.draw(t).expect("draw");
                return (start.elapsed(), deck::workshop::Checks::read(&text));
            }
            assert!(start.elapsed() < Duration::from_secs(900), "the exercise did not finish");
        }
    };
    let (first, checks) = run(&mut s, &mut t);
    println!("exercise as given: built and checked in {:.2} s: {checks:?}", first.as_secs_f64());
    let code = s.app.code(id).expect("exercise").clone();
    let solution = s.app.deck.solution("factorial").expect("solution").clone();
    s.app.set_body(id, deck::workshop::solved(&code, &solution).body);
    let (edited, checks) = run(&mut s, &mut t);
    println!("exercise edited: ctrl+e to the checks' result {:.2} s: {checks:?}", edited.as_secs_f64());
}

/// A PyO3 snippet built once, then edited (a number changed) and run: edit to output.
fn pyo3_edit_to_output(dir: &std::path::Path) {
    let snippet = "```rust +exec:pyo3\nuse pyo3::prelude::*;\n\n#[pyfunction]\nfn answer() -> i64 {\n    41\n}\n\n#[pymodule]\nfn live(m: &Bound<'_, PyModule>) -> PyResult<()> {\n    m.add_function(wrap_pyfunction!(answer, m)?)\n}\n```\n\n```python +exec\nprint('answer', live.answer())\n```\n";
    let snippet = snippet.replace("    41\n", &format!("    41 // bench {:?}\n", Instant::now()));
    let (mut s, mut t, rx) = session(&snippet, dir);
    let ids: Vec<_> = s.app.deck.snippets().map(|(_, c)| c.id).collect();
    let (module, call) = (ids[0], ids[1]);
    // Run snippet `id` (ctrl+e on it) and wait for its run to finish; the time it took.
    let run = |s: &mut Session, t: &mut Terminal<TestBackend>, id| {
        s.app.focus = Some(id);
        let start = Instant::now();
        s.handle(Event::Key(KeyEvent::new(KeyCode::Char('e'), crossterm::event::KeyModifiers::CONTROL)));
        loop {
            if let Ok(e) = rx.recv_timeout(Duration::from_millis(5)) {
                s.handle(e);
            }
            let done = s
                .snippets
                .outputs
                .get(id)
                .is_some_and(|o| o.finished.is_some() && o.started.is_some_and(|at| at >= start));
            if done {
                s.draw(t).expect("draw");
                return start.elapsed();
            }
            assert!(start.elapsed() < Duration::from_secs(600), "the snippet did not finish");
        }
    };
    let first = run(&mut s, &mut t, module);
    run(&mut s, &mut t, call);
    let output =
        |s: &Session| s.snippets.outputs.get(call).map(deck::exec::output::SnippetOutput::text).unwrap_or_default();
    assert_eq!(output(&s).trim(), "answer 41");
    // The number edited on the slide, the module rebuilt and imported again, then called.
    let start = Instant::now();
    let nonce = format!("// bench {:?}", Instant::now());
    let body = s.app.code(module).expect("the module").body.replace("41", &format!("42 {nonce}"));
    s.app.set_body(module, body);
    let rebuilt = run(&mut s, &mut t, module);
    run(&mut s, &mut t, call);
    let total = start.elapsed();
    assert_eq!(output(&s).trim(), "answer 42", "the new module answered");
    println!(
        "PyO3 snippet: first build {:.2} s; after an edit: rebuilt and imported {:.2} s, the call's output {:.2} s",
        first.as_secs_f64(),
        rebuilt.as_secs_f64(),
        total.as_secs_f64()
    );
}

fn tempfile_dir() -> std::path::PathBuf {
    let dir = std::env::temp_dir().join(format!("deck-bench-{}", std::process::id()));
    std::fs::create_dir_all(&dir).expect("temp dir");
    dir
}
