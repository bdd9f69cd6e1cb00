//! The flagship talk: every slide, at every step, fits a 120x36 terminal, and it has no
//! warnings. (`deck check -x slides/talk.md` in CI runs every snippet.)

mod common;

use common::Screen;

#[test]
fn no_slide_of_the_talk_overflows_120x36() {
    let path = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("slides/talk.md");
    let mut s = Screen::open(&path, 120, 36);
    assert!(s.session.app.warnings.is_empty(), "{:#?}", s.session.app.warnings);
    let slides = s.session.app.deck.slides.clone();
    assert!((35..=50).contains(&slides.len()), "{} slides", slides.len());
    for (i, slide) in slides.iter().enumerate() {
        assert!(!slide.notes.is_empty() || slide.intro, "slide {} has speaker notes", i + 1);
        for step in 0..slide.steps {
            assert_eq!((s.session.app.slide, s.session.app.step), (i, step));
            assert_eq!(s.session.overflow, 0, "slide {} step {} overflows:\n{}", i + 1, step, s.text());
            s.keys("l");
        }
    }
}

/// The `#[pymodule]` slide shows the demo crate's real module: the names its
/// `#[pymodule_export] use` lines export are exactly what `import rust_demo` offers.
#[test]
fn the_pymodule_slide_is_the_real_module() {
    let path = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("slides/talk.md");
    let deck = deck::parse::parse_file(&path).unwrap();
    let slide = deck.slides.iter().find(|s| s.title_text().contains("#[pymodule]")).expect("the #[pymodule] slide");
    let code = slide
        .elements
        .iter()
        .find_map(|e| match &e.block {
            deck::model::Block::Code(c) if c.language == "rust" => Some(c.source.clone()),
            _ => None,
        })
        .expect("its code");
    assert!(code.starts_with("#[pymodule]") && code.trim_end().ends_with('}'), "the whole module:\n{code}");
    let mut shown: Vec<String> = code
        .lines()
        .filter_map(|l| l.trim().strip_prefix("use super::{")?.strip_suffix("};").map(str::to_string))
        .flat_map(|names| names.split(',').map(|n| n.trim().to_string()).collect::<Vec<_>>())
        .collect();
    shown.sort();
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(
        dir.path().join("names.md"),
        "```python +exec\nimport rust_demo\nprint(' '.join(sorted(n for n in dir(rust_demo) if not n.startswith('_'))))\n```\n",
    )
    .unwrap();
    let out = std::process::Command::new(env!("CARGO_BIN_EXE_deck"))
        .args(["run", "-x", "names.md"])
        .current_dir(dir.path())
        .env("NO_COLOR", "1")
        .output()
        .unwrap();
    let stdout = String::from_utf8_lossy(&out.stdout);
    let imported = stdout.lines().find(|l| l.contains("fibonacci") && !l.contains("print")).expect("the names");
    let mut imported: Vec<String> = imported.split_whitespace().map(str::to_string).collect();
    imported.sort();
    assert_eq!(shown, imported);
}

/// At 120x36 and at 100x30, no prose line of the talk starts with punctuation (a break before
/// ", #[pymodule]" or ")"), nothing is cut with "…", and no code line wraps.
#[test]
fn the_talk_wraps_like_a_typesetter_at_120x36_and_100x30() {
    let path = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("slides/talk.md");
    for (width, height) in [(120, 36), (100, 30)] {
        let mut s = Screen::open(&path, width, height);
        let app = &s.session.app;
        let wraps = deck::render::overflows(&app.deck, &app.theme, (width, height));
        assert!(wraps.is_empty(), "{width}x{height}: {wraps:#?}");
        let page = app.theme.base.bg;
        let slides = s.session.app.deck.slides.clone();
        for (i, slide) in slides.iter().enumerate() {
            for _ in 0..slide.steps {
                let buf = s.terminal.backend().buffer().clone();
                for y in 0..buf.area.height {
                    let row: String = (0..buf.area.width).map(|x| buf[(x, y)].symbol().to_string()).collect();
                    assert!(!row.contains('…'), "{width}x{height} slide {}: cut: {row:?}", i + 1);
                    let Some(x) = (0..buf.area.width).find(|x| !buf[(*x, y)].symbol().trim().is_empty()) else {
                        continue;
                    };
                    // Prose is on the page; code and outputs are on their cards.
                    let first = &buf[(x, y)];
                    if Some(first.bg) == page {
                        let c = first.symbol().chars().next().unwrap_or(' ');
                        // A title may open with "..." on purpose: that is not a broken line.
                        let dots = row.trim_start().starts_with("...");
                        assert!(dots || !",.;:!?)]}".contains(c), "{width}x{height} slide {}: {:?}", i + 1, row.trim());
                    }
                }
                s.keys("l");
            }
        }
    }
}
