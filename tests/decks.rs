//! Every presenterm example deck presents with no error: walk each from the first to the last
//! step on a TestBackend and check what is on screen.

mod common;

use common::Screen;

/// presenterm's own example decks, kept in the repo under their licence.
fn deck(name: &str) -> std::path::PathBuf {
    std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/decks/presenterm").join(name)
}

/// Walk every step with `l`, checking each slide's title shows, and that the walk ends.
fn walk(name: &str) -> Screen {
    let path = deck(name);
    let mut s = Screen::open(&path, 120, 36);
    let slides = s.session.app.deck.slides.clone();
    assert!(!slides.is_empty(), "{name}: no slides");
    let total_steps: usize = slides.iter().map(|sl| sl.steps).sum();
    for _ in 0..total_steps + 2 {
        let app = &s.session.app;
        assert!(app.error.is_none(), "{name}: {:?}", app.error);
        let title = slides[app.slide].title_text();
        if !title.is_empty() {
            s.assert_shows(&title);
        }
        s.keys("l");
    }
    assert_eq!(s.session.app.slide, slides.len() - 1, "{name}: the walk reaches the last slide");
    assert_eq!(s.session.app.step, slides.last().unwrap().steps - 1);
    s
}

#[test]
fn demo_deck_presents_every_element() {
    let mut s = walk("demo.md");
    assert!(s.session.app.warnings.is_empty(), "{:?}", s.session.app.warnings);
    s.keys("gg");
    s.assert_shows("Introducing presenterm");
    s.assert_shows("Matias");
    s.keys("2G");
    s.assert_shows("Footers, including images in the footer.");
    s.assert_hides("This is an example on how to configure a footer");
    s.keys("l");
    s.assert_shows("This is an example on how to configure a footer");
    s.assert_shows("2 / 11");
    // Tables, quotes and alerts.
    s.keys("10G");
    s.assert_shows("│ Potato │ Great │");
    s.assert_shows("▍ Caution");
    s.assert_shows("▍ Lorem ipsum");
    // Text formatting: an empty link shows its URL, spans keep their text.
    s.keys("9G");
    s.assert_shows("Links https://example.com/");
    s.assert_shows("Colored text.");
    // The image is drawn with half-blocks in the middle column.
    s.keys("7G");
    s.assert_shows("▀");
    // Hidden rust lines are not drawn.
    s.keys("6G");
    s.assert_shows("fn main() {");
    s.assert_hides("use std::thread::sleep");
}

#[test]
fn code_deck_with_theme_override_presents() {
    let mut s = walk("code.md");
    s.keys("gg");
    s.assert_shows("Code styling");
    // Left-aligned code (theme override): the code starts at the left margin.
    let row = s.row_of("pub struct Greeter {").expect("code shown");
    let line = s.text().lines().nth(row).unwrap().to_string();
    assert!(line.starts_with("       pub struct"), "left aligned: {line:?}");
    s.keys("3G");
    s.assert_shows("for i in range(0, 5):");
    s.assert_hides("import time");
}

#[test]
fn columns_deck_reports_its_missing_image_and_goes_on() {
    let s = walk("columns.md");
    let warnings = &s.session.app.warnings;
    assert_eq!(warnings.len(), 1, "{warnings:?}");
    assert!(warnings[0].message.contains("image not found"), "{}", warnings[0]);
    assert_eq!(warnings[0].line, 11);
    s.assert_shows("[missing image: ../examples/doge.png]");
    s.assert_shows("•  Etcetera.");
    // Left column text after the pause sits beside the right column's content.
    let left = s.row_of("This is useful for various things").unwrap();
    let right = s.row_of("After this pause").unwrap();
    assert!(left <= right + 2, "columns side by side");
}

#[test]
fn custom_intro_deck_presents_centered_spans() {
    let mut s = walk("custom-intro-slides.md");
    s.keys("gg");
    let row = s.row_of("John Doe").expect("span text shown");
    let line = s.text().lines().nth(row).unwrap().to_string();
    let col = line.find("John Doe").unwrap();
    assert!((50..62).contains(&col), "centred: column {col}");
}

#[test]
fn footer_deck_renders_its_template() {
    let mut s = walk("footer.md");
    s.keys("gg");
    s.assert_shows("Introduction to footer styling");
    s.assert_shows("1 / 2");
}

#[test]
fn speaker_notes_deck_keeps_notes_off_screen() {
    let s = walk("speaker-notes.md");
    let slides = &s.session.app.deck.slides;
    assert_eq!(slides[0].notes.len(), 2);
    assert_eq!(slides[1].notes.len(), 3);
    s.assert_hides("Isn't that cool?");
}

/// presenterm's example decks take as many steps per slide as presenterm shows
/// (tests/decks/presenterm/steps.yaml, observed in tmux), and each slide fits 120x36 as it
/// does there.
#[test]
fn example_decks_step_as_in_presenterm_and_fit_120x36() {
    let text = std::fs::read_to_string(deck("steps.yaml")).unwrap();
    let expected: std::collections::BTreeMap<String, Vec<usize>> = serde_saphyr::from_str(&text).unwrap();
    assert!(expected.len() >= 6, "{expected:?}");
    for (name, steps) in &expected {
        let s = Screen::open(&deck(name), 120, 36);
        let app = &s.session.app;
        let got: Vec<usize> = app.deck.slides.iter().map(|slide| slide.steps).collect();
        assert_eq!(&got, steps, "{name}: steps per slide");
        let overflows = deck::render::overflows(&app.deck, &app.theme, (120, 36));
        let too_long: Vec<_> = overflows.iter().filter(|d| d.message.contains("does not fit")).collect();
        assert!(too_long.is_empty(), "{name}: {too_long:?}");
    }
}
