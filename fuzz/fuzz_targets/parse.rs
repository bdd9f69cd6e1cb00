//! Any text as a deck: parsing never panics, and every slide lays out at every step, at a
//! normal and a tiny terminal size. Seeds: fuzz/corpus/parse (real decks and what the fuzzer
//! found worth keeping).
#![no_main]

use libfuzzer_sys::fuzz_target;

fuzz_target!(|text: &str| {
    let Ok(deck) = deck::parse::parse_str(text, std::path::Path::new("/nonexistent/fuzz/deck.md")) else {
        return;
    };
    let theme = deck::theme::Theme::named("dark").expect("a built-in theme");
    let ctx = deck::render::layout::LayoutCtx { theme: &theme, resources: &deck::render::layout::NoOutputs };
    for area in [ratatui::layout::Rect::new(0, 0, 120, 36), ratatui::layout::Rect::new(0, 0, 7, 3)] {
        for (index, slide) in deck.slides.iter().enumerate().take(50) {
            for step in 0..slide.steps.min(20) {
                deck::render::layout::layout(slide, index, step, &ctx, area);
            }
        }
    }
});
