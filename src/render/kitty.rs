//! Pictures for kitty before 0.28 (Debian 12 ships 0.26.5): ratatui-image places kitty
//! pictures with unicode placeholders, which those versions draw as a grid of boxes, so
//! deck places them itself, as presenterm does: each picture is sent with its cell size
//! (`c=`, `r=`) at its position, after the frame's text, and all are deleted when what is on
//! screen changes. They sit under the text (`z=-1`), so a modal drawn over one stays readable.

use std::collections::HashMap;
use std::io::{self, Write};

use base64::Engine;
use image::DynamicImage;
use ratatui::layout::Rect;

use super::layout::ImageSource;

/// kitty takes a picture's data in chunks of at most 4096 base64 bytes.
const CHUNK: usize = 4096;

#[derive(Default)]
pub struct KittyDirect {
    /// Placements drawn in the frame being built.
    wanted: Vec<(ImageSource, Rect)>,
    /// Placements on screen now.
    shown: Vec<(ImageSource, Rect)>,
    /// The escape sequence that places a picture in a rect, kept while it is used.
    encoded: HashMap<(ImageSource, Rect), Vec<u8>>,
}

impl KittyDirect {
    /// A picture is drawn in `rect` in this frame.
    pub fn place(&mut self, source: &ImageSource, rect: Rect) {
        self.wanted.push((source.clone(), rect));
    }

    /// After the frame's text is out: when the pictures differ from those on screen, delete
    /// them all and place the new ones. `decode` gives a picture's pixels; `cell` is a cell's
    /// size in pixels (the picture is scaled to its rect once, here, not by the terminal).
    pub fn flush(
        &mut self,
        out: &mut impl Write,
        cell: (u16, u16),
        decode: impl Fn(&ImageSource) -> Option<DynamicImage>,
    ) -> io::Result<()> {
        let wanted = std::mem::take(&mut self.wanted);
        if wanted == self.shown {
            return Ok(());
        }
        // Delete every placement and free its data.
        out.write_all(b"\x1b_Ga=d,d=A,q=2\x1b\\")?;
        self.encoded.retain(|key, _| wanted.contains(key));
        for (source, rect) in &wanted {
            let key = (source.clone(), *rect);
            if !self.encoded.contains_key(&key) {
                let Some(image) = decode(source) else { continue };
                self.encoded.insert(key.clone(), placement(&image, *rect, cell)?);
            }
            write!(out, "\x1b[{};{}H", rect.y + 1, rect.x + 1)?;
            out.write_all(&self.encoded[&key])?;
        }
        out.flush()?;
        self.shown = wanted;
        Ok(())
    }
}

/// The APC sequence that transmits `image` as PNG and shows it over `rect`'s cells, the
/// cursor left where it was (`C=1`), with no answer from the terminal (`q=2`).
fn placement(image: &DynamicImage, rect: Rect, (cell_w, cell_h): (u16, u16)) -> io::Result<Vec<u8>> {
    let (w, h) = (u32::from(rect.width) * u32::from(cell_w), u32::from(rect.height) * u32::from(cell_h));
    let scaled = image.resize_exact(w.max(1), h.max(1), image::imageops::FilterType::Triangle);
    let mut png = Vec::new();
    scaled.write_to(&mut io::Cursor::new(&mut png), image::ImageFormat::Png).map_err(io::Error::other)?;
    let data = base64::engine::general_purpose::STANDARD.encode(png);
    let chunks: Vec<&[u8]> = data.as_bytes().chunks(CHUNK).collect();
    let mut out = Vec::with_capacity(data.len() + chunks.len() * 16 + 64);
    for (i, chunk) in chunks.iter().enumerate() {
        let more = u8::from(i + 1 < chunks.len());
        if i == 0 {
            write!(out, "\x1b_Ga=T,f=100,q=2,C=1,z=-1,c={},r={},m={more};", rect.width, rect.height)?;
        } else {
            write!(out, "\x1b_Gm={more};")?;
        }
        out.extend_from_slice(chunk);
        out.extend_from_slice(b"\x1b\\");
    }
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn picture() -> DynamicImage {
        DynamicImage::ImageRgba8(image::RgbaImage::from_pixel(40, 20, image::Rgba([200, 10, 10, 255])))
    }

    #[test]
    fn pictures_are_placed_once_and_replaced_when_the_screen_changes() {
        let mut kitty = KittyDirect::default();
        let source = ImageSource::Output(7);
        let rect = Rect::new(10, 4, 8, 3);
        let mut out = Vec::new();
        kitty.place(&source, rect);
        kitty.flush(&mut out, (10, 20), |_| Some(picture())).unwrap();
        let sent = String::from_utf8_lossy(&out).to_string();
        assert!(
            sent.starts_with("\x1b_Ga=d,d=A,q=2\x1b\\\x1b[5;11H\x1b_Ga=T,f=100,q=2,C=1,z=-1,c=8,r=3,m="),
            "{sent:?}"
        );
        // The same frame again: nothing to send.
        out.clear();
        kitty.place(&source, rect);
        kitty.flush(&mut out, (10, 20), |_| Some(picture())).unwrap();
        assert!(out.is_empty());
        // A frame without the picture deletes it.
        kitty.flush(&mut out, (10, 20), |_| Some(picture())).unwrap();
        assert_eq!(out, b"\x1b_Ga=d,d=A,q=2\x1b\\");
    }
}
