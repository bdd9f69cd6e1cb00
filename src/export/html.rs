//! Self-contained HTML: one page, a section per slide step, every cell of the presenter's
//! screen as styled text, pictures as the images themselves (each embedded once) over the
//! cells they take, arrow-key navigation.

use std::collections::HashMap;
use std::io::Write;

use base64::Engine;

use super::Screen;
use crate::render::ImageCache;
use crate::render::layout::ImageSource;

use ratatui::buffer::Buffer;
use ratatui::style::{Color, Modifier};

fn css_color(c: Color, fallback: &str) -> String {
    match c {
        Color::Rgb(r, g, b) => format!("#{r:02x}{g:02x}{b:02x}"),
        Color::Reset => fallback.to_string(),
        Color::Indexed(i) => format!("var(--c{i}, {fallback})"),
        other => match other {
            Color::Black => "#000000",
            Color::Red => "#cd3131",
            Color::Green => "#0dbc79",
            Color::Yellow => "#e5e510",
            Color::Blue => "#2472c8",
            Color::Magenta => "#bc3fbc",
            Color::Cyan => "#11a8cd",
            Color::Gray => "#e5e5e5",
            Color::DarkGray => "#666666",
            _ => "#ffffff",
        }
        .to_string(),
    }
}

fn escape(s: &str) -> String {
    s.replace('&', "&amp;").replace('<', "&lt;").replace('>', "&gt;")
}

/// One screen as rows of styled spans; half-block cells become two-colour gradients. The
/// blank cells before and after a row's text (margins, box padding) are drawn but cannot be
/// selected, so copied lines carry no padding.
fn screen_html(buf: &Buffer, fg0: &str, bg0: &str) -> String {
    let mut out = String::new();
    for y in 0..buf.area.height {
        out.push_str("<div class=\"r\">");
        let blank = |x: u16| buf[(x, y)].symbol().trim().is_empty();
        let first = (0..buf.area.width).find(|x| !blank(*x)).unwrap_or(buf.area.width);
        let last = (0..buf.area.width).rev().find(|x| !blank(*x)).map_or(0, |x| x + 1);
        let mut run = String::new();
        let mut style = String::new();
        let flush = |out: &mut String, run: &mut String, style: &str| {
            if !run.is_empty() {
                out.push_str(&format!("<span style=\"{style}\">{}</span>", escape(run)));
                run.clear();
            }
        };
        for x in 0..buf.area.width {
            let cell = &buf[(x, y)];
            let (fg, bg) = (css_color(cell.fg, fg0), css_color(cell.bg, bg0));
            let (symbol, mut css) = match cell.symbol() {
                "▀" => (" ".to_string(), format!("background:linear-gradient({fg} 50%,{bg} 50%)")),
                "▄" => (" ".to_string(), format!("background:linear-gradient({bg} 50%,{fg} 50%)")),
                s => {
                    let mut css = format!("color:{fg};background:{bg}");
                    if cell.modifier.contains(Modifier::BOLD) {
                        css.push_str(";font-weight:bold");
                    }
                    if cell.modifier.contains(Modifier::ITALIC) {
                        css.push_str(";font-style:italic");
                    }
                    if cell.modifier.contains(Modifier::UNDERLINED) {
                        css.push_str(";text-decoration:underline");
                    }
                    if cell.modifier.contains(Modifier::CROSSED_OUT) {
                        css.push_str(";text-decoration:line-through");
                    }
                    (s.to_string(), css)
                }
            };
            if x < first || x >= last {
                css.push_str(";user-select:none");
            }
            if css != style {
                flush(&mut out, &mut run, &style);
                style = css;
            }
            run.push_str(&symbol);
        }
        flush(&mut out, &mut run, &style);
        out.push_str("</div>");
    }
    out
}

/// Every distinct picture of the screens, as a CSS class with the image as a data URL. The
/// same pixels shown by two sources (a snippet run on two slides, a file also drawn by a
/// snippet) are embedded once.
fn picture_classes(screens: &[Screen], images: &ImageCache) -> (String, HashMap<ImageSource, String>) {
    let (mut css, mut classes) = (String::new(), HashMap::new());
    let mut by_content: HashMap<blake3::Hash, String> = HashMap::new();
    for (_, source) in screens.iter().flat_map(|s| &s.pictures) {
        if classes.contains_key(source) {
            continue;
        }
        if let Some((mime, bytes)) = images.encoded(source) {
            let hash = blake3::hash(&bytes);
            let class = by_content.entry(hash).or_insert_with(|| {
                let class = format!("p{}", by_content_len(&classes));
                let data = base64::engine::general_purpose::STANDARD.encode(&bytes);
                css.push_str(&format!(".{class}{{background-image:url(data:{mime};base64,{data});}}\n"));
                class
            });
            classes.insert(source.clone(), class.clone());
        }
    }
    (css, classes)
}

/// The next class number: how many distinct classes there are so far.
fn by_content_len(classes: &HashMap<ImageSource, String>) -> usize {
    classes.values().collect::<std::collections::HashSet<_>>().len()
}

pub fn write(
    out: &mut dyn Write,
    screens: &[Screen],
    images: &ImageCache,
    title: &str,
    fg: &str,
    bg: &str,
) -> std::io::Result<()> {
    let (picture_css, classes) = picture_classes(screens, images);
    write!(
        out,
        r#"<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>{title}</title>
<style>
html,body{{margin:0;height:100%;background:{bg};}}
body{{display:flex;align-items:center;justify-content:center;}}
section{{display:none;font-family:"DejaVu Sans Mono",Menlo,Consolas,monospace;line-height:1.2;
  font-size:min(calc(100vw / {cols}), calc(100vh / {rows}));}}
section.on{{display:block;position:relative;}}
.pic{{position:absolute;background:{bg} no-repeat left top/contain;}}
{picture_css}
.r{{white-space:pre;height:1.2em;}}
.r span{{display:inline-block;height:1.2em;vertical-align:top;}}
</style></head><body>
"#,
        title = escape(title),
        // A monospace cell is about 0.6em wide; leave a little margin around the screen.
        cols = screens.first().map_or(120.0, |f| f64::from(f.buffer.area.width) * 0.62),
        rows = screens.first().map_or(36.0, |f| f64::from(f.buffer.area.height) * 1.22),
    )?;
    for (i, screen) in screens.iter().enumerate() {
        let on = if i == 0 { " class=\"on\"" } else { "" };
        writeln!(out, "<section{on} data-slide=\"{}\" data-step=\"{}\">", screen.slide + 1, screen.step + 1)?;
        out.write_all(screen_html(&screen.buffer, fg, bg).as_bytes())?;
        for (rect, source) in &screen.pictures {
            // Cells are 1ch wide and 1.2em high: the picture covers its cells exactly.
            if let Some(class) = classes.get(source) {
                let (x, y, w, h) = (rect.x, rect.y, rect.width, rect.height);
                writeln!(
                    out,
                    "<div class=\"pic {class}\" style=\"left:{x}ch;top:{:.1}em;width:{w}ch;height:{:.1}em\"></div>",
                    f64::from(y) * 1.2,
                    f64::from(h) * 1.2
                )?;
            }
        }
        writeln!(out, "</section>")?;
    }
    write!(
        out,
        r#"<script>
const s=[...document.querySelectorAll("section")];let i=0;
function show(n){{i=Math.max(0,Math.min(s.length-1,n));s.forEach((e,k)=>e.classList.toggle("on",k===i));
document.title={js_title}+" ("+s[i].dataset.slide+" / {total})";location.hash=i;}}
document.addEventListener("keydown",e=>{{const k=e.key;
if(["ArrowRight","ArrowDown","PageDown"," ","l","j"].includes(k))show(i+1);
else if(["ArrowLeft","ArrowUp","PageUp","h","k"].includes(k))show(i-1);
else if(k==="Home")show(0);else if(k==="End")show(s.length-1);else return;e.preventDefault();}});
// A click advances, unless it ended a text selection (copying code from a slide).
document.addEventListener("click",()=>{{if(window.getSelection().isCollapsed)show(i+1);}});
show(parseInt(location.hash.slice(1))||0);
</script></body></html>
"#,
        total = screens.last().map_or(0, |f| f.slide + 1),
        // A JSON string is a JS string; `</` would end the script.
        js_title = serde_json::to_string(title).unwrap_or_default().replace("</", "<\\/"),
    )
}
