//! Inline markdown (emphasis, code, links, `<span>` colors) flattened into styled runs.

use pulldown_cmark::{Event, Parser, Tag, TagEnd};

use crate::model::{Run, RunStyle, Text};

/// Collects inline events into a `Text`, tracking nested styles.
#[derive(Default)]
pub struct InlineCollector {
    runs: Vec<Run>,
    bold: u8,
    italic: u8,
    strike: u8,
    /// Open links: (URL, title).
    links: Vec<(String, String)>,
    spans: Vec<SpanStyle>,
    /// Source line breaks stay breaks (block quotes, as presenterm keeps them).
    pub keep_line_breaks: bool,
    /// Images met inline: (path, alt). The block parser places them after the text.
    pub images: Vec<(String, String)>,
    image_alt: Option<(String, String)>,
}

#[derive(Default, Clone)]
struct SpanStyle {
    color: Option<String>,
    background: Option<String>,
    class: Option<String>,
}

impl InlineCollector {
    /// Feed one event; returns false when the event is not inline (the caller handles it).
    pub fn push(&mut self, event: &Event) -> bool {
        if let Some((_, alt)) = &mut self.image_alt {
            match event {
                Event::End(TagEnd::Image) => {
                    let img = self.image_alt.take().unwrap_or_default();
                    self.images.push(img);
                }
                Event::Text(t) | Event::Code(t) => alt.push_str(t),
                _ => {}
            }
            return true;
        }
        match event {
            Event::Text(t) => self.text(t, false),
            Event::Code(t) => self.text(t, true),
            Event::SoftBreak => self.text(if self.keep_line_breaks { "\n" } else { " " }, false),
            Event::HardBreak => self.text("\n", false),
            Event::FootnoteReference(label) => self.text(&format!("[{label}]"), false),
            Event::TaskListMarker(_) => return false,
            Event::InlineMath(t) | Event::DisplayMath(t) => self.text(t, true),
            Event::InlineHtml(html) | Event::Html(html) => self.html(html),
            Event::Start(Tag::Emphasis) => self.italic += 1,
            Event::End(TagEnd::Emphasis) => self.italic = self.italic.saturating_sub(1),
            Event::Start(Tag::Strong) => self.bold += 1,
            Event::End(TagEnd::Strong) => self.bold = self.bold.saturating_sub(1),
            Event::Start(Tag::Strikethrough) => self.strike += 1,
            Event::End(TagEnd::Strikethrough) => self.strike = self.strike.saturating_sub(1),
            Event::Start(Tag::Link { dest_url, title, .. }) => {
                self.links.push((dest_url.to_string(), title.to_string()));
            }
            Event::End(TagEnd::Link) => self.end_link(),
            Event::Start(Tag::Image { dest_url, .. }) => self.image_alt = Some((dest_url.to_string(), String::new())),
            _ => return false,
        }
        true
    }

    fn style(&self, code: bool) -> RunStyle {
        let span = self.spans.iter().fold(SpanStyle::default(), |mut acc, s| {
            acc.color = s.color.clone().or(acc.color);
            acc.background = s.background.clone().or(acc.background);
            acc.class = s.class.clone().or(acc.class);
            acc
        });
        RunStyle {
            bold: self.bold > 0,
            italic: self.italic > 0,
            strike: self.strike > 0,
            code,
            link: self.links.last().map(|(url, _)| url.clone()),
            color: span.color,
            background: span.background,
            class: span.class,
        }
    }

    fn text(&mut self, t: &str, code: bool) {
        let style = self.style(code);
        match self.runs.last_mut() {
            Some(last) if last.style == style && last.text != "\n" && t != "\n" => last.text.push_str(t),
            _ => self.runs.push(Run { text: t.to_string(), style }),
        }
    }

    /// A link shows its URL after its text, as presenterm does: `text (url)`, with a title
    /// `text (url "title")`. A link whose text is empty, or is the URL itself (`<https://..>`),
    /// shows the URL once.
    fn end_link(&mut self) {
        let Some((url, title)) = self.links.last().cloned() else { return };
        let label: String = self
            .runs
            .iter()
            .rev()
            .take_while(|r| r.style.link.as_deref() == Some(url.as_str()))
            .map(|r| r.text.as_str())
            .collect::<Vec<_>>()
            .into_iter()
            .rev()
            .collect();
        if label.is_empty() {
            self.text(&url, false);
        } else if label != url {
            self.links.pop();
            self.text(" (", false);
            self.links.push((url.clone(), title.clone()));
            self.text(&url, false);
            self.links.pop();
            let close = if title.is_empty() { ")".to_string() } else { format!(" \"{title}\")") };
            self.text(&close, false);
            return;
        }
        self.links.pop();
    }

    fn html(&mut self, html: &str) {
        let tag = html.trim();
        if tag.starts_with("</span") {
            self.spans.pop();
        } else if let Some(attrs) = tag.strip_prefix("<span") {
            self.spans.push(parse_span(attrs));
        } else if tag.starts_with("<br") {
            self.text("\n", false);
        }
        // Other inline HTML (comments included) shows nothing.
    }

    pub fn is_empty(&self) -> bool {
        self.runs.iter().all(|r| r.text.trim().is_empty())
    }

    pub fn finish(&mut self) -> Text {
        let mut runs = std::mem::take(&mut self.runs);
        // Trim trailing breaks and whitespace that markdown leaves at block ends.
        while runs.last().is_some_and(|r| r.text == "\n") {
            runs.pop();
        }
        Text(runs)
    }
}

/// `style="color: red; background-color: #000"` and `class="name"`.
fn parse_span(attrs: &str) -> SpanStyle {
    let mut out = SpanStyle::default();
    if let Some(style) = attr_value(attrs, "style") {
        for decl in style.split(';') {
            if let Some((k, v)) = decl.split_once(':') {
                match k.trim() {
                    "color" => out.color = Some(v.trim().to_string()),
                    "background-color" | "background" => out.background = Some(v.trim().to_string()),
                    _ => {}
                }
            }
        }
    }
    out.class = attr_value(attrs, "class").map(str::to_string);
    out
}

fn attr_value<'a>(attrs: &'a str, name: &str) -> Option<&'a str> {
    let start = attrs.find(&format!("{name}="))? + name.len() + 1;
    let rest = &attrs[start..];
    let quote = rest.chars().next().filter(|c| *c == '"' || *c == '\'')?;
    let rest = &rest[1..];
    Some(&rest[..rest.find(quote)?])
}

/// Inline markdown from a one-line string (front matter title, footer template).
pub fn parse_inline_markdown(s: &str) -> Text {
    let mut collector = InlineCollector::default();
    for event in Parser::new_ext(s, super::markdown_options()) {
        collector.push(&event);
    }
    collector.finish()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn styles_and_spans() {
        let t =
            parse_inline_markdown("**b** _i_ `c` <span style=\"color: red\">r</span> <span class=\"noice\">n</span>");
        let find = |s: &str| t.0.iter().find(|r| r.text == s).unwrap_or_else(|| panic!("{s} in {t:?}")).style.clone();
        assert!(find("b").bold);
        assert!(find("i").italic);
        assert!(find("c").code);
        assert_eq!(find("r").color.as_deref(), Some("red"));
        assert_eq!(find("n").class.as_deref(), Some("noice"));
    }

    #[test]
    fn links_show_their_url_after_their_text() {
        let t = parse_inline_markdown("Links [](https://example.com/) and [x](https://y.z)");
        assert_eq!(t.plain(), "Links https://example.com/ and x (https://y.z)");
        let t = parse_inline_markdown("A [guide](https://g.h \"The Guide\") and <https://a.b>.");
        assert_eq!(t.plain(), "A guide (https://g.h \"The Guide\") and https://a.b.");
        let url = t.0.iter().find(|r| r.text == "https://g.h").expect("the URL is a run of its own");
        assert_eq!(url.style.link.as_deref(), Some("https://g.h"), "and still a link (for OSC 8)");
    }

    #[test]
    fn single_tilde_strikes() {
        let t = parse_inline_markdown("~gone~");
        assert!(t.0[0].style.strike, "{t:?}");
    }
}
