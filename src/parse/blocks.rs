//! Markdown block events → model blocks (lists, tables, quotes, code, images).
//! Recursive descent over pulldown-cmark's event stream; every `Start` is matched by its `End`.

use std::iter::Peekable;
use std::ops::Range;
use std::path::{Path, PathBuf};

use pulldown_cmark::{BlockQuoteKind, CodeBlockKind, Event, OffsetIter, Tag, TagEnd};

use super::inline::InlineCollector;
use super::snippet;
use crate::diag::{Diagnostic, LineIndex};
use crate::model::{AlertKind, Alignment, Block, CodeBlock, ImageRef, List, ListItem, ListMarker, Table, Text};

pub(super) type Events<'a> = Peekable<OffsetIter<'a>>;

/// What block parsing needs from the file being read.
pub(super) struct Ctx<'a> {
    pub file: &'a Path,
    pub text: &'a str,
    pub lines: LineIndex,
    pub warnings: &'a mut Vec<Diagnostic>,
    pub image_prefix: &'a str,
    /// Blocks open around the current one (quotes, lists, footnotes).
    pub nesting: usize,
    /// Inside a block quote, whose source lines stay lines.
    pub in_quote: bool,
}

/// Deeper blocks are left out with a warning: no slide shows them, and recursing into
/// thousands of levels (`> > > ...`) would overflow the stack.
pub(super) const MAX_NESTING: usize = 24;

impl Ctx<'_> {
    pub(super) fn line(&self, range: &Range<usize>) -> usize {
        self.lines.line_of(range.start)
    }

    pub(super) fn warn(&mut self, line: usize, msg: impl Into<String>) -> &mut Diagnostic {
        let d = Diagnostic::warning(self.file, line, msg).with_source(self.text);
        self.warnings.push(d);
        self.warnings.last_mut().expect("just pushed")
    }

    pub(super) fn dir(&self) -> PathBuf {
        self.file.parent().map(Path::to_path_buf).unwrap_or_default()
    }
}

/// Parse the block whose `Start` was just read; returns zero or more blocks.
pub(super) fn block(ev: &mut Events, ctx: &mut Ctx, tag: Tag, range: Range<usize>) -> Vec<Block> {
    let line = ctx.line(&range);
    if ctx.nesting >= MAX_NESTING {
        ctx.warn(line, format!("blocks nested deeper than {MAX_NESTING} levels are left out")).hint =
            Some("a quote or list this deep cannot fit on a slide".into());
        skip(ev, tag.to_end());
        return vec![Block::Placeholder("[nested too deep]".into())];
    }
    ctx.nesting += 1;
    let blocks = nested_block(ev, ctx, tag, range.start, line);
    ctx.nesting -= 1;
    blocks
}

fn nested_block(ev: &mut Events, ctx: &mut Ctx, tag: Tag, offset: usize, line: usize) -> Vec<Block> {
    match tag {
        Tag::Paragraph => paragraph(ev, ctx, line),
        Tag::Heading { level, .. } => {
            let (text, _) = inlines(ev, TagEnd::Heading(level), false);
            vec![Block::Heading { level: level as u8, text }]
        }
        Tag::BlockQuote(kind) => {
            let outer = std::mem::replace(&mut ctx.in_quote, true);
            let blocks = blocks_until(ev, ctx, TagEnd::BlockQuote(kind));
            ctx.in_quote = outer;
            match kind {
                None => vec![Block::Quote(blocks)],
                Some(kind) => vec![Block::Alert { kind: alert_kind(kind), title: None, blocks }],
            }
        }
        Tag::CodeBlock(kind) => {
            let info = match kind {
                CodeBlockKind::Fenced(info) => info.to_string(),
                CodeBlockKind::Indented => String::new(),
            };
            let body = raw_text(ev, TagEnd::CodeBlock);
            vec![code_block(ctx, &info, &body, line)]
        }
        Tag::List(_) => {
            // presenterm draws a list written indented as nested: two spaces a level.
            let depth = (indent_before(ctx.text, offset) / 2).min(8) as u8;
            vec![Block::List(List { spacing: 0, items: list(ev, ctx, depth) })]
        }
        Tag::Table(aligns) => vec![Block::Table(table(ev, aligns.into_iter().map(alignment).collect()))],
        Tag::FootnoteDefinition(label) => {
            let blocks = blocks_until(ev, ctx, TagEnd::FootnoteDefinition);
            vec![Block::Footnote { label: label.to_string(), blocks }]
        }
        Tag::HtmlBlock => {
            raw_text(ev, TagEnd::HtmlBlock);
            vec![]
        }
        other => {
            skip(ev, other.to_end());
            vec![]
        }
    }
}

/// Blocks until (and including) `end`.
pub(super) fn blocks_until(ev: &mut Events, ctx: &mut Ctx, end: TagEnd) -> Vec<Block> {
    let mut out = Vec::new();
    while let Some((event, range)) = ev.next() {
        match event {
            Event::End(e) if e == end => break,
            Event::Start(tag) => out.extend(block(ev, ctx, tag, range)),
            Event::Rule => out.push(Block::Rule),
            Event::Text(t) => out.push(Block::Paragraph(Text::from_plain(&t))),
            _ => {}
        }
    }
    out
}

fn paragraph(ev: &mut Events, ctx: &mut Ctx, line: usize) -> Vec<Block> {
    let (text, images) = inlines(ev, TagEnd::Paragraph, ctx.in_quote);
    let mut out = Vec::new();
    if !text.is_empty() {
        out.push(Block::Paragraph(text));
    }
    for (url, alt) in images {
        out.push(image(ctx, &url, &alt, line));
    }
    out
}

/// Inline content until `end`, plus the images found in it.
fn inlines(ev: &mut Events, end: TagEnd, keep_line_breaks: bool) -> (Text, Vec<(String, String)>) {
    let mut c = InlineCollector::default();
    c.keep_line_breaks = keep_line_breaks;
    for (event, _) in ev.by_ref() {
        if event == Event::End(end) {
            break;
        }
        c.push(&event);
    }
    let text = c.finish();
    (text, std::mem::take(&mut c.images))
}

/// The text content until `end` (code blocks, html blocks, metadata).
pub(super) fn raw_text(ev: &mut Events, end: TagEnd) -> String {
    let mut s = String::new();
    for (event, _) in ev.by_ref() {
        match event {
            Event::End(e) if e == end => break,
            Event::Text(t) | Event::Html(t) | Event::InlineHtml(t) => s.push_str(&t),
            _ => {}
        }
    }
    s
}

fn skip(ev: &mut Events, end: TagEnd) {
    let mut depth = 0usize;
    for (event, _) in ev.by_ref() {
        match event {
            Event::Start(_) => depth += 1,
            Event::End(e) if depth == 0 && e == end => break,
            Event::End(_) => depth = depth.saturating_sub(1),
            _ => {}
        }
    }
}

/// The items of a list and of the lists nested in it, in reading order.
fn list(ev: &mut Events, ctx: &mut Ctx, depth: u8) -> Vec<ListItem> {
    let mut items = Vec::new();
    while let Some((event, range)) = ev.next() {
        match event {
            Event::End(TagEnd::List(_)) => break,
            Event::Start(Tag::Item) => item(ev, ctx, range, depth, &mut items),
            _ => {}
        }
    }
    items
}

/// One item, then the items of its nested lists. An item with nothing but a nested list
/// (`- - item`) draws nothing of its own, as in presenterm.
fn item(ev: &mut Events, ctx: &mut Ctx, range: Range<usize>, depth: u8, out: &mut Vec<ListItem>) {
    let line = ctx.line(&range);
    let marker = marker(&ctx.text[range.start..]);
    let mut c = InlineCollector::default();
    let mut task = None;
    let mut children = Vec::new();
    let mut nested = Vec::new();
    while let Some((event, range)) = ev.next() {
        match event {
            Event::End(TagEnd::Item) => break,
            Event::TaskListMarker(done) => task = Some(done),
            // Loose lists wrap item text in paragraphs: the first one is the item's text.
            Event::Start(Tag::Paragraph) if c.is_empty() && children.is_empty() && nested.is_empty() => {
                for (e, _) in ev.by_ref() {
                    if e == Event::End(TagEnd::Paragraph) {
                        break;
                    }
                    c.push(&e);
                }
            }
            Event::Start(Tag::List(_)) if ctx.nesting < MAX_NESTING => {
                ctx.nesting += 1;
                nested.extend(list(ev, ctx, depth.saturating_add(1)));
                ctx.nesting -= 1;
            }
            Event::Start(tag) if is_block(&tag) => children.extend(block(ev, ctx, tag, range)),
            other => {
                c.push(&other);
            }
        }
    }
    let text = c.finish();
    for (url, alt) in std::mem::take(&mut c.images) {
        children.push(image(ctx, &url, &alt, line));
    }
    if !text.is_empty() || !children.is_empty() || task.is_some() {
        out.push(ListItem { depth, marker, task, text, children, step: 0 });
    }
    out.append(&mut nested);
}

/// The marker at the start of an item's source: `1.` and `1)` keep their number.
fn marker(source: &str) -> ListMarker {
    let source = source.trim_start();
    let digits = source.bytes().take_while(u8::is_ascii_digit).count();
    let number = source[..digits].parse::<u64>().ok();
    match (number, source.as_bytes().get(digits)) {
        (Some(n), Some(b')')) => ListMarker::Paren(n),
        (Some(n), _) => ListMarker::Period(n),
        (None, _) => ListMarker::Bullet,
    }
}

/// The indentation of the line `offset` is on, when only spaces precede `offset` (else 0).
fn indent_before(text: &str, offset: usize) -> usize {
    let line_start = text[..offset].rfind('\n').map_or(0, |i| i + 1);
    let line = &text[line_start..];
    let spaces = line.len() - line.trim_start_matches(' ').len();
    if line_start + spaces >= offset { spaces } else { 0 }
}

/// Tags that start a block (as opposed to inline markup inside a tight list item).
fn is_block(tag: &Tag) -> bool {
    !matches!(
        tag,
        Tag::Emphasis
            | Tag::Strong
            | Tag::Strikethrough
            | Tag::Link { .. }
            | Tag::Image { .. }
            | Tag::Superscript
            | Tag::Subscript
    )
}

fn table(ev: &mut Events, aligns: Vec<Alignment>) -> Table {
    let mut header = Vec::new();
    let mut rows: Vec<Vec<Text>> = Vec::new();
    let mut in_head = false;
    while let Some((event, _)) = ev.next() {
        match event {
            Event::End(TagEnd::Table) => break,
            Event::Start(Tag::TableHead) => in_head = true,
            Event::End(TagEnd::TableHead) => in_head = false,
            Event::Start(Tag::TableRow) => rows.push(Vec::new()),
            Event::Start(Tag::TableCell) => {
                let (text, _) = inlines(ev, TagEnd::TableCell, false);
                match (in_head, rows.last_mut()) {
                    (true, _) | (false, None) => header.push(text),
                    (false, Some(row)) => row.push(text),
                }
            }
            _ => {}
        }
    }
    let row_steps = vec![0; rows.len() + 1];
    Table { aligns, header, rows, row_steps }
}

fn alignment(a: pulldown_cmark::Alignment) -> Alignment {
    match a {
        pulldown_cmark::Alignment::Center => Alignment::Center,
        pulldown_cmark::Alignment::Right => Alignment::Right,
        _ => Alignment::Left,
    }
}

fn alert_kind(k: BlockQuoteKind) -> AlertKind {
    match k {
        BlockQuoteKind::Note => AlertKind::Note,
        BlockQuoteKind::Tip => AlertKind::Tip,
        BlockQuoteKind::Important => AlertKind::Important,
        BlockQuoteKind::Warning => AlertKind::Warning,
        BlockQuoteKind::Caution => AlertKind::Caution,
    }
}

/// `![image:width:50%](path)`: the size lives in the alt text. Warnings underline this image
/// (`![alt](url)` in the source), not the whole line.
fn image(ctx: &mut Ctx, url: &str, alt: &str, line: usize) -> Block {
    let mut width_percent = None;
    let mut alt_text = alt.to_string();
    let source = format!("]({url}");
    let mark = |d: &mut Diagnostic| {
        let Some(src) = d.source_line.clone() else { return };
        let Some(end) = src.find(&source) else { return };
        let start = src[..end].rfind("![").unwrap_or(end);
        let close = src[end..].find(')').map_or(src.len(), |i| end + i + 1);
        let from = src[..start].chars().count();
        d.underline_part(&src[start..close], from);
    };
    if let Some(rest) = alt.strip_prefix(ctx.image_prefix) {
        let value = rest.strip_prefix("width:").or_else(|| rest.strip_prefix("w:"));
        match value.and_then(|v| v.trim().trim_end_matches('%').parse::<u16>().ok()) {
            Some(p) if (1..=100).contains(&p) => {
                width_percent = Some(p);
                alt_text.clear();
            }
            _ => {
                let hint = format!("write e.g. `{}width:50%`", ctx.image_prefix);
                let d = ctx.warn(line, format!("invalid image attribute `{alt}`"));
                d.hint = Some(hint);
                mark(d);
            }
        }
    }
    if url.starts_with("http://") || url.starts_with("https://") {
        let d = ctx.warn(line, format!("remote image `{url}` is not loaded"));
        d.hint = Some("download it next to the deck and use a relative path".into());
        mark(d);
        return Block::Placeholder(format!("[image: {url}]"));
    }
    let path = ctx.dir().join(url);
    if !path.is_file() {
        let dir = ctx.dir();
        let d = ctx.warn(line, format!("image not found: `{url}`"));
        d.hint = Some(format!("paths are relative to the deck's folder ({})", dir.display()));
        mark(d);
        return Block::Placeholder(format!("[missing image: {url}]"));
    }
    Block::Image(ImageRef { path, alt: alt_text, width_percent })
}

fn code_block(ctx: &mut Ctx, info: &str, body: &str, line: usize) -> Block {
    let info = snippet::parse_info(info);
    for problem in &info.problems {
        ctx.warn(line, problem.clone());
    }
    if info.attrs.render {
        ctx.warn(line, format!("`+render` is not supported: this {} block shows as source", info.language)).hint =
            Some("render it to an image (e.g. an SVG or PNG next to the deck) and show that with ![](file)".into());
    }
    let (language, body) = if info.language == "file" {
        match file_snippet(ctx, body, line) {
            Ok(pair) => pair,
            Err(placeholder) => return Block::Placeholder(placeholder),
        }
    } else {
        (info.language.clone(), body.to_string())
    };
    let (display, source) = snippet::split_hidden(&language, &body);
    Block::Code(CodeBlock {
        // A `file` block's text comes from elsewhere: it is shown, not edited in the deck.
        editable: info.language != "file",
        body,
        // Set when the whole deck is parsed (it depends on the snippets before this one).
        id: crate::model::SnippetId::default(),
        language,
        display,
        source,
        line,
        file: ctx.file.to_path_buf(),
        attrs: info.attrs,
        highlight: info.highlight,
        highlight_step: 0,
    })
}

#[derive(serde::Deserialize)]
#[serde(deny_unknown_fields)]
struct FileSpec {
    path: String,
    language: String,
    start_line: Option<usize>,
    end_line: Option<usize>,
}

/// A ```` ```file ```` block: shows lines of another file. Errors: the placeholder to show.
fn file_snippet(ctx: &mut Ctx, yaml: &str, line: usize) -> Result<(String, String), String> {
    let spec: FileSpec = serde_saphyr::from_str(yaml).map_err(|e| {
        let msg = e.to_string().lines().next().unwrap_or_default().to_string();
        ctx.warn(line, format!("invalid `file` block: {msg}")).hint =
            Some("expected YAML with `path`, `language`, optional `start_line`, `end_line`".into());
        "[invalid file block]".to_string()
    })?;
    let path = ctx.dir().join(&spec.path);
    let content = crate::files::read_regular(&path, crate::files::MAX_TEXT)
        .and_then(|b| String::from_utf8(b).map_err(|_| std::io::Error::other("not valid UTF-8")))
        .map_err(|e| {
            ctx.warn(line, format!("cannot read `{}`: {e}", spec.path)).hint =
                Some(format!("paths are relative to the deck's folder ({})", ctx.dir().display()));
            format!("[missing file: {}]", spec.path)
        })?;
    let start = spec.start_line.unwrap_or(1).max(1);
    let end = spec.end_line.unwrap_or(usize::MAX);
    let body: String = content
        .lines()
        .enumerate()
        .filter(|(i, _)| (start..=end).contains(&(i + 1)))
        .map(|(_, l)| format!("{l}\n"))
        .collect();
    Ok((spec.language.to_ascii_lowercase(), body))
}
