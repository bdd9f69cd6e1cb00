//! The fidelity harness: every deck in tests/decks/fidelity is stepped through in the real
//! presenter (on a 120x36 TestBackend, pressing `l` as a presenter would), and each slide's
//! number of steps and each step's text are compared with tests/decks/fidelity/expected.yaml,
//! which was written by hand from presenterm 0.16.1's behaviour. Where deck deliberately
//! differs, the file says so next to presenterm's expectation (`deck_lines`, `deck_drops`), and
//! the README's compatibility notes say why.

mod common;

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

use common::Screen;
use ratatui::style::Color;
use serde::Deserialize;

const WIDTH: u16 = 120;
const HEIGHT: u16 = 36;

#[derive(Deserialize)]
struct Expected {
    decks: BTreeMap<String, DeckSpec>,
}

#[derive(Deserialize)]
struct DeckSpec {
    slides: Vec<SlideSpec>,
}

#[derive(Deserialize)]
struct SlideSpec {
    steps: usize,
    #[serde(default)]
    footer: BTreeMap<String, String>,
    jump_to_middle: Option<bool>,
    /// deck leaves this slide out, for the reason given.
    deck_drops: Option<String>,
    step: Vec<StepSpec>,
}

#[derive(Deserialize, Default)]
struct StepSpec {
    #[serde(default)]
    lines: Vec<String>,
    /// What deck shows instead, where presenterm is plainly broken (`deck_why` says how).
    deck_lines: Option<Vec<String>>,
    #[allow(dead_code, reason = "documentation for the reader of expected.yaml")]
    deck_why: Option<String>,
    /// The rows deck uses with `deck_lines` (presenterm's `rows` do not apply then).
    deck_rows: Option<Vec<usize>>,
    highlighted: Option<Vec<String>>,
    rows: Option<Vec<usize>>,
    #[allow(dead_code, reason = "the same text as `lines`, one column at a time")]
    columns: Option<Vec<Vec<String>>>,
}

fn dir() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/decks/fidelity")
}

/// One screen row cut into the pieces the expectations name: a row of two columns is
/// "left | right" when the expectation is written so.
fn pieces(row: &str, columns: bool) -> Vec<String> {
    let row = row.trim();
    if !columns {
        return vec![row.to_string()];
    }
    row.split("   ").map(str::trim).filter(|p| !p.is_empty()).map(str::to_string).collect()
}

struct Step {
    /// (row, text) of every non-blank row above the footer.
    rows: Vec<(usize, String)>,
    /// Code lines drawn in full colour (not dimmed by a walk).
    lit: Vec<String>,
    footer: String,
}

fn capture(s: &Screen, columns: bool, code_bg: Color, dim: Color) -> Step {
    let buf = s.terminal.backend().buffer();
    let text = s.text();
    let lines: Vec<&str> = text.lines().collect();
    // The footer is the last row, with a blank row above it.
    let body = lines.len().saturating_sub(2);
    let mut rows = Vec::new();
    let mut lit = Vec::new();
    for (y, line) in lines.iter().enumerate().take(body) {
        if line.trim().is_empty() {
            continue;
        }
        let joined = pieces(line, columns).join(" | ");
        rows.push((y, joined));
        for piece in pieces(line, true) {
            let Some(x) = line.find(piece.as_str()).map(|b| line[..b].chars().count()) else { continue };
            let cell = &buf[(x as u16, y as u16)];
            if cell.bg == code_bg && cell.fg != dim {
                lit.push(piece);
            }
        }
    }
    Step { rows, lit, footer: lines.last().copied().unwrap_or_default().to_string() }
}

fn check_deck(name: &str, spec: &DeckSpec, failures: &mut Vec<String>) {
    let path = dir().join(name);
    let mut s = Screen::open(&path, WIDTH, HEIGHT);
    let theme = deck::theme::resolve(&s.session.app.deck, None).0;
    let dim = theme.dim;
    let shown: Vec<&SlideSpec> = spec.slides.iter().filter(|slide| slide.deck_drops.is_none()).collect();
    let slides = s.session.app.deck.slides.len();
    if slides != shown.len() {
        failures.push(format!("{name}: {slides} slides, expected {}", shown.len()));
        return;
    }
    for (index, slide) in shown.iter().enumerate() {
        let at = format!("{name} slide {}", index + 1);
        let columns = slide.step.iter().any(|st| st.lines.iter().any(|l| l.contains(" | ")));
        let mut steps = Vec::new();
        loop {
            steps.push(capture(&s, columns, theme.code_bg, dim));
            let before = s.session.app.step;
            s.keys("l");
            // The next slide, or nothing more (the last slide's last step).
            if s.session.app.slide != index || s.session.app.step == before {
                break;
            }
            if steps.len() > 50 {
                failures.push(format!("{at}: `l` does not leave the slide"));
                return;
            }
        }
        if steps.len() != slide.steps {
            failures.push(format!("{at}: {} steps, presenterm has {}", steps.len(), slide.steps));
        }
        for (n, (got, want)) in steps.iter().zip(&slide.step).enumerate() {
            let at = format!("{at} step {}", n + 1);
            let lines: Vec<&str> = got.rows.iter().map(|(_, t)| t.as_str()).collect();
            let expected = want.deck_lines.as_ref().unwrap_or(&want.lines);
            if lines != *expected {
                failures.push(format!("{at}: shows {lines:?}\n    expected {expected:?}"));
                continue;
            }
            let rows = if want.deck_lines.is_some() { &want.deck_rows } else { &want.rows };
            if let Some(rows) = rows {
                let got_rows: Vec<usize> = got.rows.iter().map(|(y, _)| *y).collect();
                if got_rows != *rows {
                    failures.push(format!("{at}: on rows {got_rows:?}, expected {rows:?}"));
                }
            }
            let sorted = |v: &[String]| {
                let mut v = v.to_vec();
                v.sort();
                v
            };
            if let Some(lit) = &want.highlighted
                && sorted(&got.lit) != sorted(lit)
            {
                failures.push(format!("{at}: highlighted {:?}, expected {lit:?}", got.lit));
            }
            if let Some(middle) = slide.jump_to_middle {
                let first = got.rows.first().map_or(0, |(y, _)| *y);
                let centred = first >= usize::from(HEIGHT) / 2 - 4;
                if centred != middle {
                    failures.push(format!("{at}: first row {first}, expected centred: {middle}"));
                }
            }
            // What fits presenterm at 120x36 fits here: no overflow mark in the footer.
            if got.footer.contains('⚠') {
                failures.push(format!("{at}: the slide does not fit {WIDTH}x{HEIGHT}: {:?}", got.footer));
            }
            for (side, text) in &slide.footer {
                // A slide deck leaves out is not counted in its "n / total".
                let text = text.replace(&format!("/ {}", spec.slides.len()), &format!("/ {}", shown.len()));
                if !got.footer.contains(text.as_str()) {
                    failures.push(format!("{at}: footer {:?} lacks {side} {text:?}", got.footer));
                }
            }
        }
    }
}

#[test]
fn decks_step_through_as_in_presenterm() {
    let text = std::fs::read_to_string(dir().join("expected.yaml")).unwrap();
    let expected: Expected = serde_saphyr::from_str(&text).unwrap();
    let mut failures = Vec::new();
    for (name, spec) in &expected.decks {
        check_deck(name, spec, &mut failures);
    }
    assert!(failures.is_empty(), "{} differences from presenterm:\n{}", failures.len(), failures.join("\n"));
}

#[test]
fn every_fidelity_deck_has_expectations() {
    let text = std::fs::read_to_string(dir().join("expected.yaml")).unwrap();
    let expected: Expected = serde_saphyr::from_str(&text).unwrap();
    for entry in std::fs::read_dir(dir()).unwrap() {
        let name = entry.unwrap().file_name().to_string_lossy().into_owned();
        if Path::new(&name).extension().is_some_and(|e| e.eq_ignore_ascii_case("md")) {
            assert!(expected.decks.contains_key(&name), "{name} has no entry in expected.yaml");
        }
    }
}
