//! PDF export: one page per slide (or per step), drawn from the same cell buffers as the
//! terminal and the other exports. Text is real text in an embedded monospace font (DejaVu
//! Sans Mono, a subset with ToUnicode, through krilla), so it can be selected and searched;
//! pictures are embedded at their own resolution over the cells they take.

use krilla::color::rgb;
use krilla::geom::{PathBuilder, Point, Rect as PdfRect, Size, Transform};
use krilla::image::Image;
use krilla::metadata::Metadata;
use krilla::num::NormalizedF32;
use krilla::page::PageSettings;
use krilla::paint::{Fill, FillRule, LineJoin, Stroke};
use krilla::surface::Surface;
use krilla::text::{Font, GlyphId, KrillaGlyph};
use krilla::{Data, Document};
use ratatui::buffer::{Buffer, Cell};
use ratatui::layout::Rect;
use ratatui::style::{Color, Modifier};
use skrifa::instance::{LocationRef, Size as FontSize};
use skrifa::{FontRef, MetadataProvider};
use unicode_width::UnicodeWidthStr;

/// The font, and its licence beside it in assets/fonts.
const FONT: &[u8] = include_bytes!("../../assets/fonts/DejaVuSansMono.ttf");
/// A cell in points: a 120x36 slide is a 864 x 518 pt page (16:9 give or take).
pub const CELL: (f32, f32) = (7.2, 14.4);
/// Shear of the synthetic oblique (tan ≈ 11°).
const SKEW: f32 = 0.2;
/// Stroke width of the synthetic bold, as a fraction of the font size.
const BOLD_STROKE: f32 = 0.035;

/// The pages as a PDF: each screen's cells, then its pictures (as files browsers read, from
/// `images`). `colours`: the theme's text and page colours, for cells that use the default.
pub fn write(
    screens: &[super::Screen],
    images: &crate::render::ImageCache,
    title: &str,
    colours: ((u8, u8, u8), (u8, u8, u8)),
) -> Result<Vec<u8>, String> {
    let (cell_w, cell_h) = CELL;
    let font = FONT;
    let pages: Vec<Page<'_>> = screens
        .iter()
        .map(|s| {
            let pictures = s
                .pictures
                .iter()
                .filter_map(|(rect, source)| images.encoded(source).map(|(_, bytes)| (*rect, bytes)))
                .collect();
            (&s.buffer, pictures)
        })
        .collect();
    let defaults = Defaults { fg: colours.0, bg: colours.1 };
    if !(cell_w > 0.0 && cell_h > 0.0) {
        return Err("cell size must be positive".into());
    }
    let grid = Grid::new(font, cell_w, cell_h, defaults)?;
    // `font` is usually include_bytes!(..): with a `&'static [u8]` parameter, `Data::from(font)`
    // avoids this copy.
    let pdf_font = Font::new(Data::from(font), 0).ok_or("the font cannot be read")?;

    let mut doc = Document::new();
    doc.set_metadata(Metadata::new().title(title.to_owned()).creator("deck".to_owned()));

    for (buf, pictures) in &pages {
        // Fallible work before the page borrows the document (and never between push and pop).
        let images =
            pictures.iter().map(|(rect, bytes)| Ok((*rect, load_image(bytes)?))).collect::<Result<Vec<_>, String>>()?;
        let area = buf.area;
        let settings = PageSettings::from_wh(f32::from(area.width) * cell_w, f32::from(area.height) * cell_h)
            .ok_or("a slide has an empty buffer")?;
        let mut page = doc.start_page_with(settings);
        let mut surface = page.surface();
        draw_cells(&mut surface, buf, &grid, &pdf_font);
        for (rect, image) in images {
            draw_picture(&mut surface, area, rect, image, cell_w, cell_h);
        }
        surface.finish();
        page.finish();
    }
    doc.finish().map_err(|e| format!("writing the PDF: {e}"))
}

/// PNG or JPEG bytes, by magic number. JPEG is embedded as is (DCTDecode); PNG is re-deflated
/// at its own resolution, alpha as an SMask. For an `image::DynamicImage` use
/// `Image::from_rgba8(img.to_rgba8().into_raw(), img.width(), img.height())`.
fn load_image(bytes: &[u8]) -> Result<Image, String> {
    let data = Data::from(bytes.to_vec());
    if bytes.starts_with(&[0xFF, 0xD8, 0xFF]) { Image::from_jpeg(data, false) } else { Image::from_png(data, false) }
}

/// A page to draw: its cells, and its pictures' bytes over their cells.
type Page<'a> = (&'a Buffer, Vec<(Rect, Vec<u8>)>);

/// The theme's colours for cells drawn in the default colours.
#[derive(Clone, Copy)]
struct Defaults {
    fg: (u8, u8, u8),
    bg: (u8, u8, u8),
}

/// Font metrics mapped onto the cell grid.
struct Grid<'f> {
    defaults: Defaults,
    charmap: skrifa::charmap::Charmap<'f>,
    cell_w: f32,
    cell_h: f32,
    /// Font size in points.
    size: f32,
    /// Baseline, from the top of the cell.
    baseline: f32,
    /// Top of the underline / strike-through, from the baseline (positive = below), and thickness.
    underline: (f32, f32),
    strike: (f32, f32),
}

impl<'f> Grid<'f> {
    fn new(font: &'f [u8], cell_w: f32, cell_h: f32, defaults: Defaults) -> Result<Self, String> {
        let f = FontRef::new(font).map_err(|e| format!("reading the font: {e}"))?;
        let m = f.metrics(FontSize::unscaled(), LocationRef::default());
        let upem = f32::from(m.units_per_em);
        let charmap = f.charmap();
        let adv = charmap
            .map('M')
            .and_then(|g| f.glyph_metrics(FontSize::unscaled(), LocationRef::default()).advance_width(g))
            .unwrap_or(0.6 * upem)
            / upem;
        let (ascent, descent) = (m.ascent / upem, -m.descent / upem); // descent is negative in fonts
        // Largest size whose advance fits the cell width and whose line fits the cell height.
        let size = (cell_w / adv).min(cell_h / (ascent + descent));
        let baseline = (cell_h - (ascent + descent) * size) / 2.0 + ascent * size;
        let deco = |d: Option<skrifa::metrics::Decoration>, offset: f32| {
            let (o, t) = d.map_or((offset, 0.05), |d| (d.offset / upem, d.thickness / upem));
            (-o * size, t.max(0.03) * size) // y-up offset to the line's top -> y-down
        };
        Ok(Self {
            defaults,
            charmap,
            cell_w,
            cell_h,
            size,
            baseline,
            underline: deco(m.underline, -0.1),
            strike: deco(m.strikeout, 0.3),
        })
    }

    fn glyph(&self, symbol: &str) -> GlyphId {
        let c = symbol.chars().next().unwrap_or(' ');
        GlyphId::new(self.charmap.map(c).map_or(0, skrifa::GlyphId::to_u32))
    }
}

fn solid(c: rgb::Color) -> Fill {
    Fill { paint: c.into(), opacity: NormalizedF32::ONE, rule: FillRule::NonZero }
}

fn to_rgb(c: Color, default: (u8, u8, u8)) -> rgb::Color {
    let (r, g, b) = match c {
        Color::Reset => default,
        Color::Rgb(r, g, b) => (r, g, b),
        Color::Indexed(i) => ansi(i),
        Color::Black => ansi(0),
        Color::Red => ansi(1),
        Color::Green => ansi(2),
        Color::Yellow => ansi(3),
        Color::Blue => ansi(4),
        Color::Magenta => ansi(5),
        Color::Cyan => ansi(6),
        Color::Gray => ansi(7),
        Color::DarkGray => ansi(8),
        Color::LightRed => ansi(9),
        Color::LightGreen => ansi(10),
        Color::LightYellow => ansi(11),
        Color::LightBlue => ansi(12),
        Color::LightMagenta => ansi(13),
        Color::LightCyan => ansi(14),
        Color::White => ansi(15),
    };
    rgb::Color::new(r, g, b)
}

/// xterm-256 palette; the first 16 as in export/html.rs.
fn ansi(i: u8) -> (u8, u8, u8) {
    const BASE: [(u8, u8, u8); 16] = [
        (0x00, 0x00, 0x00),
        (0xcd, 0x31, 0x31),
        (0x0d, 0xbc, 0x79),
        (0xe5, 0xe5, 0x10),
        (0x24, 0x72, 0xc8),
        (0xbc, 0x3f, 0xbc),
        (0x11, 0xa8, 0xcd),
        (0xe5, 0xe5, 0xe5),
        (0x66, 0x66, 0x66),
        (0xf1, 0x4c, 0x4c),
        (0x23, 0xd1, 0x8b),
        (0xf5, 0xf5, 0x43),
        (0x3b, 0x8e, 0xea),
        (0xd6, 0x70, 0xd6),
        (0x29, 0xb8, 0xdb),
        (0xff, 0xff, 0xff),
    ];
    match i {
        0..=15 => BASE[usize::from(i)],
        16..=231 => {
            let i = i - 16;
            let level = |v: u8| if v == 0 { 0 } else { 55 + v * 40 };
            (level(i / 36), level(i / 6 % 6), level(i % 6))
        }
        _ => {
            let v = 8 + (i - 232) * 10;
            (v, v, v)
        }
    }
}

/// Resolved (fg, bg) of a cell, with REVERSED and DIM applied.
fn colours(cell: &Cell, d: Defaults) -> (rgb::Color, rgb::Color) {
    let (mut fg, mut bg) = (to_rgb(cell.fg, d.fg), to_rgb(cell.bg, d.bg));
    if cell.modifier.contains(Modifier::REVERSED) {
        std::mem::swap(&mut fg, &mut bg);
    }
    if cell.modifier.contains(Modifier::DIM) {
        let mix = |a: u8, b: u8| u16::midpoint(u16::from(a), u16::from(b)) as u8;
        fg = rgb::Color::new(mix(fg.red(), bg.red()), mix(fg.green(), bg.green()), mix(fg.blue(), bg.blue()));
    }
    (fg, bg)
}

/// Rectangles grouped by colour, merged when horizontally adjacent; one filled path per colour.
#[derive(Default)]
struct Rects(Vec<(rgb::Color, Vec<[f32; 4]>)>);

impl Rects {
    fn add(&mut self, colour: rgb::Color, left: f32, top: f32, width: f32, height: f32) {
        let index = self.0.iter().position(|(known, _)| *known == colour).unwrap_or_else(|| {
            self.0.push((colour, Vec::new()));
            self.0.len() - 1
        });
        let list = &mut self.0[index].1;
        let near = |a: f32, b: f32| (a - b).abs() < 1e-3;
        if let Some(last) = list.last_mut()
            && near(last[1], top)
            && near(last[3], height)
            && near(last[0] + last[2], left)
        {
            last[2] += width;
        } else {
            list.push([left, top, width, height]);
        }
    }

    fn paint(self, s: &mut Surface<'_>) {
        s.set_stroke(None);
        for (c, list) in self.0 {
            let mut pb = PathBuilder::new();
            for [x, y, w, h] in list {
                if let Some(r) = PdfRect::from_xywh(x, y, w, h) {
                    pb.push_rect(r);
                }
            }
            if let Some(path) = pb.finish() {
                s.set_fill(Some(solid(c)));
                s.draw_path(&path);
            }
        }
    }
}

#[derive(Clone, Copy, PartialEq)]
struct Ink {
    fg: rgb::Color,
    bold: bool,
    italic: bool,
    underline: bool,
    strike: bool,
}

/// A horizontal run of cells drawn with one `draw_glyphs` call.
struct Run {
    col: u16,
    ink: Ink,
    text: String,
    glyphs: Vec<KrillaGlyph>,
    cells: u16,
    /// (glyphs, text bytes, cells) up to the last non-blank cell: trailing blanks are trimmed.
    inked: (usize, usize, u16),
}

impl Run {
    fn push(&mut self, g: &Grid<'_>, symbol: &str, width: u16, inked: bool) {
        let start = self.text.len();
        self.text.push_str(symbol);
        // Normalised advance (krilla multiplies by the font size): exactly `width` cells.
        let advance = f32::from(width) * g.cell_w / g.size;
        self.glyphs.push(KrillaGlyph::new(g.glyph(symbol), advance, 0.0, 0.0, 0.0, start..self.text.len(), None));
        self.cells += width;
        if inked {
            self.inked = (self.glyphs.len(), self.text.len(), self.cells);
        }
    }

    fn draw(mut self, s: &mut Surface<'_>, g: &Grid<'_>, font: &Font, top: f32) {
        let (n, len, cells) = self.inked;
        self.glyphs.truncate(n);
        self.text.truncate(len);
        if self.glyphs.is_empty() {
            return;
        }
        let x = f32::from(self.col) * g.cell_w;
        let base = top + g.baseline;
        s.set_fill(Some(solid(self.ink.fg)));
        s.set_stroke(self.ink.bold.then(|| Stroke {
            paint: self.ink.fg.into(),
            width: g.size * BOLD_STROKE,
            line_join: LineJoin::Round,
            ..Stroke::default()
        }));
        if self.ink.italic {
            // x' = x - SKEW*y + SKEW*base: tops lean right, the baseline stays.
            s.push_transform(&Transform::from_row(1.0, 0.0, -SKEW, 1.0, SKEW * base, 0.0));
        }
        s.draw_glyphs(Point::from_xy(x, base), &self.glyphs, font.clone(), &self.text, g.size, false);
        if self.ink.italic {
            s.pop();
        }
        s.set_stroke(None);
        let width = f32::from(cells) * g.cell_w;
        for (on, (offset, thickness)) in [(self.ink.underline, g.underline), (self.ink.strike, g.strike)] {
            if on && let Some(r) = PdfRect::from_xywh(x, base + offset, width, thickness) {
                let mut pb = PathBuilder::new();
                pb.push_rect(r);
                if let Some(path) = pb.finish() {
                    s.set_fill(Some(solid(self.ink.fg)));
                    s.draw_path(&path);
                }
            }
        }
    }
}

/// The leading cell of each column group of a row: (column, cell, width in cells).
fn row_cells(buf: &Buffer, row: u16) -> Vec<(u16, &Cell, u16)> {
    let area = buf.area;
    let mut out = Vec::with_capacity(usize::from(area.width));
    let mut col = 0;
    while col < area.width {
        let cell = &buf[(area.x + col, area.y + row)];
        let width = (cell.symbol().width() as u16).clamp(1, area.width - col);
        out.push((col, cell, width));
        col += width;
    }
    out
}

fn draw_cells(s: &mut Surface<'_>, buf: &Buffer, g: &Grid<'_>, font: &Font) {
    let area = buf.area;
    let page_bg = to_rgb(Color::Reset, g.defaults.bg);
    let (pw, ph) = (f32::from(area.width) * g.cell_w, f32::from(area.height) * g.cell_h);

    // 1. Page background, then every cell background and half-block as non-overlapping rects.
    let mut rects = Rects::default();
    rects.add(page_bg, 0.0, 0.0, pw, ph);
    for row in 0..area.height {
        let top = f32::from(row) * g.cell_h;
        for (col, cell, width) in row_cells(buf, row) {
            let (fg, bg) = colours(cell, g.defaults);
            let (x, w, h2) = (f32::from(col) * g.cell_w, f32::from(width) * g.cell_w, g.cell_h / 2.0);
            match cell.symbol() {
                "▀" => {
                    rects.add(fg, x, top, w, h2);
                    rects.add(bg, x, top + h2, w, h2);
                }
                "▄" => {
                    rects.add(bg, x, top, w, h2);
                    rects.add(fg, x, top + h2, w, h2);
                }
                "█" => rects.add(fg, x, top, w, g.cell_h),
                _ if bg != page_bg => rects.add(bg, x, top, w, g.cell_h),
                _ => {}
            }
        }
    }
    rects.paint(s);

    // 2. Text: one run per maximal stretch of equal ink; blanks join a run but never start one.
    for row in 0..area.height {
        let top = f32::from(row) * g.cell_h;
        let mut run: Option<Run> = None;
        for (col, cell, width) in row_cells(buf, row) {
            let (fg, _) = colours(cell, g.defaults);
            let m = cell.modifier;
            let symbol = cell.symbol();
            let ink = Ink {
                fg,
                bold: m.contains(Modifier::BOLD),
                italic: m.contains(Modifier::ITALIC),
                underline: m.contains(Modifier::UNDERLINED),
                strike: m.contains(Modifier::CROSSED_OUT),
            };
            let blank = symbol.trim().is_empty() || m.contains(Modifier::HIDDEN) || matches!(symbol, "▀" | "▄" | "█");
            if blank && !ink.underline && !ink.strike {
                if let Some(r) = run.as_mut()
                    && !r.ink.underline
                    && !r.ink.strike
                {
                    r.push(g, " ", width, false);
                } else if let Some(r) = run.take() {
                    r.draw(s, g, font, top);
                }
                continue;
            }
            if run.as_ref().is_some_and(|r| r.ink != ink)
                && let Some(r) = run.take()
            {
                r.draw(s, g, font, top);
            }
            let r = run.get_or_insert_with(|| Run {
                col,
                ink,
                text: String::new(),
                glyphs: Vec::new(),
                cells: 0,
                inked: (0, 0, 0),
            });
            let shown = if blank { " " } else { symbol };
            r.push(g, shown, width, true);
        }
        if let Some(r) = run.take() {
            r.draw(s, g, font, top);
        }
    }
}

/// Fit the picture in its cell rectangle, aspect kept, anchored top-left (as the screen and the
/// HTML export do). The image keeps its own pixel size; only the placement is scaled.
fn draw_picture(s: &mut Surface<'_>, area: Rect, rect: Rect, image: Image, cell_w: f32, cell_h: f32) {
    let r = rect.intersection(area);
    if r.is_empty() {
        return;
    }
    let (bx, by) = (f32::from(r.x - area.x) * cell_w, f32::from(r.y - area.y) * cell_h);
    let (bw, bh) = (f32::from(r.width) * cell_w, f32::from(r.height) * cell_h);
    let (iw, ih) = image.size();
    let scale = (bw / iw as f32).min(bh / ih as f32);
    let Some(size) = Size::from_wh(iw as f32 * scale, ih as f32 * scale) else { return };
    s.push_transform(&Transform::from_translate(bx, by));
    s.draw_image(image, size);
    s.pop();
}
