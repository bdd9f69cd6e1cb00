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
