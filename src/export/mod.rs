//! Exports: the same layout and drawing as the live presenter, into a buffer per slide step,
//! then written as an asciicast recording or an HTML page. Files are written to a temporary
//! name beside the target and renamed, so a failed export never leaves half a file, and the
//! deck itself is never the target.

pub mod cast;
pub mod html;
pub mod notebook;
pub mod pdf;

use std::io::Write;
use std::path::Path;

use ratatui::Terminal;
use ratatui::backend::TestBackend;
use ratatui::buffer::Buffer;
use ratatui::layout::Rect;
use ratatui::style::{Color, Modifier};

use crate::exec::output::OutputStore;
use crate::render::ImageCache;
use crate::render::layout::{ImageSource, Op, Resources};
use crate::render::live::StatusColors;
use crate::theme::Theme;

/// Every (slide, step) of the deck, in presenting order.
pub fn positions(deck: &crate::model::Deck) -> Vec<(usize, usize)> {
    deck.slides.iter().enumerate().flat_map(|(i, s)| (0..s.steps.max(1)).map(move |step| (i, step))).collect()
}

/// One slide step as drawn: the cells, and where the pictures among them are.
pub struct Screen {
    pub slide: usize,
    pub step: usize,
    pub buffer: Buffer,
    pub pictures: Vec<(Rect, ImageSource)>,
}

/// Draw one position into a buffer of `size`, as the presenter would (no warning banner).
pub fn draw_position(
    deck: &crate::model::Deck,
    theme: &Theme,
    resources: &dyn Resources,
    images: &mut ImageCache,
    (slide, step): (usize, usize),
    (w, h): (u16, u16),
) -> Screen {
    let mut terminal = Terminal::new(TestBackend::new(w, h)).expect("a test backend never fails");
    let mut pictures = Vec::new();
    terminal
        .draw(|f| {
            let area = f.area();
            let frame = crate::render::layout_screen(deck, theme, resources, slide, step, area);
            crate::render::draw_ops(f, area, theme, &frame.ops, images);
            for op in &frame.ops {
                if let Op::Image { rect, source } = op
                    && !rect.intersection(area).is_empty()
                {
                    pictures.push((rect.intersection(area), source.clone()));
                }
            }
        })
        .expect("a test backend never fails");
    Screen { slide, step, buffer: terminal.backend().buffer().clone(), pictures }
}

/// Run every snippet of the deck (for `export -x`), keeping outputs and pictures.
pub fn run_snippets(
    deck: &crate::model::Deck,
    settings: &crate::exec::Settings,
    images: &mut ImageCache,
) -> OutputStore {
    let timeout = settings.timeout;
    let mut store = OutputStore::default();
    let mut runner = crate::headless::Runner::new(settings);
    runner.warm_up(deck, timeout);
    for p in crate::exec::plan::runnable(deck, false) {
        if crate::headless::interrupted() {
            break;
        }
        eprintln!("running slide {} ({})", p.slide + 1, p.code.language);
        runner.run_reports(crate::exec::plan::job(deck, p.id, p.code, timeout), |report| {
            if let Some((id, image)) = store.apply(report) {
                images.insert_pixels(id.image_key(), image::DynamicImage::ImageRgba8(image));
            }
        });
    }
    store
}

pub fn status_colors(theme: &Theme) -> StatusColors {
    StatusColors {
        muted: theme.muted.fg.unwrap_or_default(),
        error: theme.error,
        success: theme.success,
        accent: theme.accent,
    }
}

/// A whole screen as ANSI: home, then every row with its colours. Replaying it on any
/// terminal of the same size shows exactly the buffer.
pub fn buffer_to_ansi(buf: &Buffer) -> String {
    let mut out = String::from("\x1b[0m\x1b[H");
    for y in 0..buf.area.height {
        out.push_str(&format!("\x1b[{};1H", y + 1));
        let mut last = None;
        for x in 0..buf.area.width {
            let cell = &buf[(x, y)];
            let style = (cell.fg, cell.bg, cell.modifier);
            if last != Some(style) {
                out.push_str(&sgr(cell.fg, cell.bg, cell.modifier));
                last = Some(style);
            }
            out.push_str(cell.symbol());
        }
    }
    out.push_str("\x1b[0m");
    out
}

fn sgr(fg: Color, bg: Color, m: Modifier) -> String {
    let mut codes = vec!["0".to_string()];
    for (flag, code) in [
        (Modifier::BOLD, "1"),
        (Modifier::DIM, "2"),
        (Modifier::ITALIC, "3"),
        (Modifier::UNDERLINED, "4"),
        (Modifier::REVERSED, "7"),
        (Modifier::CROSSED_OUT, "9"),
    ] {
        if m.contains(flag) {
            codes.push(code.into());
        }
    }
    codes.extend(color_code(fg, false));
    codes.extend(color_code(bg, true));
    format!("\x1b[{}m", codes.join(";"))
}

fn color_code(c: Color, bg: bool) -> Option<String> {
    let base = if bg { 40 } else { 30 };
    Some(match c {
        Color::Reset => return None,
        Color::Rgb(r, g, b) => format!("{};2;{r};{g};{b}", base + 8),
        Color::Indexed(i) => format!("{};5;{i}", base + 8),
        named => {
            let n = match named {
                Color::Black => 0,
                Color::Red => 1,
                Color::Green => 2,
                Color::Yellow => 3,
                Color::Blue => 4,
                Color::Magenta => 5,
                Color::Cyan => 6,
                Color::Gray => 7,
                Color::DarkGray => 60,
                Color::LightRed => 61,
                Color::LightGreen => 62,
                Color::LightYellow => 63,
                Color::LightBlue => 64,
                Color::LightMagenta => 65,
                Color::LightCyan => 66,
                _ => 67,
            };
            (base + n).to_string()
        }
    })
}

/// An error when writing `target` would replace the deck itself.
pub fn refuse_the_deck(target: &Path, deck: &Path) -> std::io::Result<()> {
    match (target.canonicalize(), deck.canonicalize()) {
        (Ok(a), Ok(b)) if a == b => {
            Err(std::io::Error::other(format!("refusing to write over the deck itself ({})", deck.display())))
        }
        _ => Ok(()),
    }
}

/// Write `contents` to `target` through a temporary file in the same folder, then rename.
pub fn write_atomically(
    target: &Path,
    deck: &Path,
    contents: impl FnOnce(&mut dyn Write) -> std::io::Result<()>,
) -> std::io::Result<()> {
    refuse_the_deck(target, deck)?;
    crate::files::replace_atomically(target, contents)
}
