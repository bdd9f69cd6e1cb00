//! Drawing: a deck position → ops (layout) → a ratatui buffer. Images go through
//! ratatui-image, which picks kitty, iTerm2, sixel or half-block cells.

pub mod code;
pub mod footer;
pub mod hyperlink;
pub mod kitty;
pub mod layout;
pub mod live;
pub mod table;
pub mod text;
pub mod wrap;

use std::collections::HashMap;

use image::DynamicImage;
use ratatui::Frame;
use ratatui::layout::Rect;
use ratatui::style::Style;
use ratatui::widgets::{Block as Fill, Paragraph};
use ratatui_image::picker::Picker;
use ratatui_image::protocol::StatefulProtocol;
use ratatui_image::{Resize, StatefulImage};

use crate::model::Deck;
use crate::theme::Theme;
use layout::{ImageSource, LayoutCtx, Op, Resources, SlideFrame};

/// Decoded images and their terminal encodings, kept across frames.
pub struct ImageCache {
    picker: Picker,
    protocols: HashMap<ImageSource, Option<StatefulProtocol>>,
    pixels: HashMap<u64, DynamicImage>,
    /// kitty before 0.28: pictures placed directly, not through ratatui-image.
    kitty: Option<kitty::KittyDirect>,
}

impl ImageCache {
    /// Half-block cells until the terminal has been asked what it can do.
    pub fn new() -> Self {
        Self::with_picker(Picker::halfblocks())
    }

    pub fn with_picker(picker: Picker) -> Self {
        Self { picker, protocols: HashMap::new(), pixels: HashMap::new(), kitty: None }
    }

    pub fn set_picker(&mut self, picker: Picker) {
        self.picker = picker;
        self.protocols.clear();
    }

    /// Place pictures directly (kitty before 0.28), through `flush_kitty` after each frame.
    pub fn set_kitty_direct(&mut self) {
        self.kitty = Some(kitty::KittyDirect::default());
    }

    /// A cell's size in pixels, as the terminal reported it (10x20 until it is asked).
    pub fn cell_pixels(&self) -> (u16, u16) {
        let size = self.picker.font_size();
        (size.width.max(1), size.height.max(1))
    }

    /// A new cell size (the terminal's font changed): pictures are encoded again at it.
    pub fn set_cell_pixels(&mut self, (width, height): (u16, u16)) {
        if (width, height) == self.cell_pixels() {
            return;
        }
        let protocol = self.picker.protocol_type();
        #[allow(deprecated, reason = "the one way to give a Picker a known cell size")]
        let mut picker = Picker::from_fontsize(ratatui_image::FontSize { width, height });
        picker.set_protocol_type(protocol);
        self.set_picker(picker);
    }

    /// After a frame is drawn: send the pictures kitty places directly, if this is such a kitty.
    pub fn flush_kitty(&mut self, out: &mut impl std::io::Write) -> std::io::Result<()> {
        let cell = self.cell_pixels();
        let Some(mut kitty) = self.kitty.take() else { return Ok(()) };
        let result = kitty.flush(out, cell, |source| self.decode(source));
        self.kitty = Some(kitty);
        result
    }

    fn decode(&self, source: &ImageSource) -> Option<DynamicImage> {
        match source {
            ImageSource::File(path) => crate::files::read_regular(path, crate::files::MAX_PICTURE)
                .ok()
                .and_then(|b| image::ImageReader::new(std::io::Cursor::new(b)).with_guessed_format().ok())
                .and_then(|r| r.decode().ok()),
            ImageSource::Output(id) => self.pixels.get(id).cloned(),
        }
    }

    /// Register a picture a snippet produced.
    pub fn insert_pixels(&mut self, id: u64, image: DynamicImage) {
        self.protocols.remove(&ImageSource::Output(id));
        self.pixels.insert(id, image);
    }

    /// The picture as a file a browser shows: (MIME type, bytes). Files in a format browsers
    /// read go as they are; anything else, and snippet pictures, as PNG.
    pub fn encoded(&self, source: &ImageSource) -> Option<(&'static str, Vec<u8>)> {
        let image = match source {
            ImageSource::File(path) => {
                let bytes = crate::files::read_regular(path, crate::files::MAX_PICTURE).ok()?;
                let reader = image::ImageReader::new(std::io::Cursor::new(&bytes)).with_guessed_format().ok()?;
                let mime = match reader.format() {
                    Some(image::ImageFormat::Png) => Some("image/png"),
                    Some(image::ImageFormat::Jpeg) => Some("image/jpeg"),
                    Some(image::ImageFormat::Gif) => Some("image/gif"),
                    _ => None,
                };
                if let Some(mime) = mime {
                    return Some((mime, bytes));
                }
                reader.decode().ok()?
            }
            ImageSource::Output(id) => self.pixels.get(id)?.clone(),
        };
        let mut png = Vec::new();
        image.write_to(&mut std::io::Cursor::new(&mut png), image::ImageFormat::Png).ok()?;
        Some(("image/png", png))
    }

    fn protocol(&mut self, source: &ImageSource) -> Option<&mut StatefulProtocol> {
        if !self.protocols.contains_key(source) {
            let image = self.decode(source);
            let proto = image.map(|img| self.picker.new_resize_protocol(img));
            self.protocols.insert(source.clone(), proto);
        }
        self.protocols.get_mut(source).and_then(Option::as_mut)
    }
}

impl Default for ImageCache {
    fn default() -> Self {
        Self::new()
    }
}

/// Where the slide goes and where the footer goes.
pub fn split(theme: &Theme, area: Rect, show_footer: bool) -> (Rect, Rect) {
    let fh = if show_footer { footer::height(theme).min(area.height / 3) } else { 0 };
    let slide = Rect::new(area.x, area.y, area.width, area.height.saturating_sub(fh + u16::from(fh > 0)));
    let foot = Rect::new(area.x, area.y + area.height.saturating_sub(fh), area.width, fh);
    (slide, foot)
}

/// Lay out slide `index` at `step` into `area`: slide content plus footer.
pub fn layout_screen(
    deck: &Deck,
    theme: &Theme,
    resources: &dyn Resources,
    index: usize,
    step: usize,
    area: Rect,
) -> SlideFrame {
    let Some(slide) = deck.slides.get(index) else { return SlideFrame::default() };
    let (slide_area, foot) = split(theme, area, !slide.hide_footer);
    let ctx = LayoutCtx { theme, resources };
    let mut frame = layout::layout(slide, step, &ctx, slide_area);
    // What does not fit stops above the footer rather than being drawn over it.
    let bottom = slide_area.y + slide_area.height;
    frame.links.retain(|(rect, _)| rect.y < bottom);
    frame.ops.retain_mut(|op| match op {
        Op::Text { y, .. } => *y < bottom,
        Op::Image { rect, .. } => {
            *rect = rect.intersection(slide_area);
            !rect.is_empty()
        }
    });
    if foot.height > 0 {
        frame.ops.extend(footer::footer_ops(theme, deck, index, foot));
    }
    frame
}

/// Paint ops into the frame on the theme's background, clipped to `area`.
pub fn draw_ops(f: &mut Frame, area: Rect, theme: &Theme, ops: &[Op], images: &mut ImageCache) {
    f.render_widget(Fill::default().style(theme.base), area);
    draw_ops_over(f, area, ops, images);
}

/// Paint ops over what is already there, clipped to `area`.
pub fn draw_ops_over(f: &mut Frame, area: Rect, ops: &[Op], images: &mut ImageCache) {
    let bottom = area.y + area.height;
    for op in ops {
        match op {
            Op::Text { x, y, line } => {
                if *y < area.y || *y >= bottom || *x >= area.x + area.width {
                    continue;
                }
                let rect = Rect::new(*x, *y, (area.x + area.width).saturating_sub(*x), 1);
                f.render_widget(Paragraph::new(line.clone()).style(Style::new()), rect);
            }
            Op::Image { rect, source } => {
                let rect = rect.intersection(area);
                if rect.is_empty() {
                    continue;
                }
                if let Some(kitty) = &mut images.kitty {
                    kitty.place(source, rect);
                } else if let Some(proto) = images.protocol(source) {
                    f.render_stateful_widget(StatefulImage::default().resize(Resize::Scale(None)), rect, proto);
                } else {
                    let msg = Paragraph::new("[image could not be decoded]");
                    f.render_widget(msg, Rect::new(rect.x, rect.y, rect.width, 1));
                }
            }
        }
    }
}

/// Slides that do not fit a `cols x rows` terminal at their last step, and code lines that
/// would wrap there, as warnings.
pub fn overflows(deck: &Deck, theme: &Theme, (cols, rows): (u16, u16)) -> Vec<crate::diag::Diagnostic> {
    let area = Rect::new(0, 0, cols, rows);
    let resources = layout::NoOutputs;
    let mut problems = Vec::new();
    for (i, slide) in deck.slides.iter().enumerate() {
        let frame = layout_screen(deck, theme, &resources, i, slide.steps.saturating_sub(1), area);
        if frame.overflow > 0 {
            problems.push(
                crate::diag::Diagnostic::warning(
                    &slide.file,
                    slide.line,
                    format!("slide {} does not fit {cols}x{rows}: {} more rows needed", i + 1, frame.overflow),
                )
                .with_hint("split the slide, or use columns"),
            );
        }
        if frame.wrapped_code > 0 {
            let lines = if frame.wrapped_code == 1 { "line wraps" } else { "lines wrap" };
            problems.push(
                crate::diag::Diagnostic::warning(
                    &slide.file,
                    slide.line,
                    format!("slide {}: {} code {lines} at {cols}x{rows}", i + 1, frame.wrapped_code),
                )
                .with_hint("shorten the lines, or give the code a wider column"),
            );
        }
    }
    problems
}
