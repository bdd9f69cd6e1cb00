//! Markdown + the deck dialect → `Deck`. Pure apart from reading the deck and its includes;
//! never panics: anything odd becomes a warning, only unreadable files and bad front matter
//! are errors.

mod blocks;
pub mod commands;
mod front_matter;
pub mod inline;
pub mod snippet;

use std::path::{Path, PathBuf};

use pulldown_cmark::{Event, HeadingLevel, MetadataBlockKind, Options as MdOptions, Parser, Tag, TagEnd};

use crate::diag::{Diagnostic, LineIndex};
use crate::model::{Block, Deck, Element, Slide, Text};
use blocks::Ctx;
use commands::{Command, CommentKind};

const MAX_INCLUDE_DEPTH: usize = 8;

pub fn markdown_options() -> MdOptions {
    MdOptions::ENABLE_TABLES
        | MdOptions::ENABLE_STRIKETHROUGH
        | MdOptions::ENABLE_TASKLISTS
        | MdOptions::ENABLE_FOOTNOTES
        | MdOptions::ENABLE_GFM
        | MdOptions::ENABLE_YAML_STYLE_METADATA_BLOCKS
}

/// Read and parse a deck file. Errors: unreadable, not UTF-8, invalid front matter.
pub fn parse_file(path: &Path) -> Result<Deck, Diagnostic> {
    let text = read_text(path, path, 0)?;
    parse_str(&text, path)
}

fn read_text(path: &Path, from: &Path, line: usize) -> Result<String, Diagnostic> {
    let bytes = crate::files::read_regular(path, crate::files::MAX_TEXT).map_err(|e| {
        let what = if from == path { path.to_path_buf() } else { from.to_path_buf() };
        Diagnostic::error(&what, line, format!("cannot read `{}`: {}", path.display(), io_reason(&e)))
            .with_hint("check the path; it is relative to the current folder (includes: to the deck)")
    })?;
    String::from_utf8(bytes).map_err(|e| {
        let good = &e.as_bytes()[..e.utf8_error().valid_up_to()];
        let bad_line = good.iter().filter(|b| **b == b'\n').count() + 1;
        Diagnostic::error(path, bad_line, "the file is not valid UTF-8").with_hint("save the deck as UTF-8")
    })
}

fn io_reason(e: &std::io::Error) -> String {
    match e.kind() {
        std::io::ErrorKind::NotFound => "no such file".into(),
        std::io::ErrorKind::PermissionDenied => "permission denied".into(),
        std::io::ErrorKind::InvalidInput => format!("it is {e}"),
        _ => e.to_string(),
    }
}

/// Parse deck text; `path` names it in diagnostics and anchors relative paths.
pub fn parse_str(text: &str, path: &Path) -> Result<Deck, Diagnostic> {
    let mut b = Builder::new(path);
    b.process(text, path, 0)?;
    b.end_slide();
    Ok(b.finish())
}

struct Builder {
    deck: Deck,
    slide: Slide,
    /// The step new elements appear at: where the current chunk (the text since the last
    /// pause) is revealed.
    step: usize,
    /// Steps the code walks of the current chunk take: the next pause comes after them.
    walks: usize,
    /// The last step that reveals something (a trailing pause reveals nothing).
    last_step: usize,
    /// The last element is a list and only pauses came after it: a list that follows
    /// continues it, with no blank line between (presenterm does the same).
    list_then_pause: bool,
    /// The last element pushed is a list.
    list_is_last: bool,
    incremental_lists: bool,
    incremental_tables: bool,
    list_item_newlines: u16,
    include_stack: Vec<PathBuf>,
}

impl Builder {
    fn new(path: &Path) -> Self {
        let deck = Deck { path: path.to_path_buf(), ..Deck::default() };
        let mut b = Self {
            deck,
            slide: Slide::default(),
            step: 0,
            walks: 0,
            last_step: 0,
            list_then_pause: false,
            list_is_last: false,
            incremental_lists: false,
            incremental_tables: false,
            list_item_newlines: 0,
            include_stack: vec![path.to_path_buf()],
        };
        b.reset_slide(path, 1);
        b
    }

    fn reset_slide(&mut self, file: &Path, line: usize) {
        self.slide = Slide { file: file.to_path_buf(), line, ..Slide::default() };
        self.step = 0;
        self.walks = 0;
        self.last_step = 0;
        self.list_then_pause = false;
        self.list_is_last = false;
        self.incremental_lists = self.deck.options.incremental_lists;
        self.incremental_tables = false;
        self.list_item_newlines = self.deck.options.list_item_newlines.unwrap_or(0);
    }

    fn has_content(&self) -> bool {
        self.slide.title.is_some() || !self.slide.elements.is_empty()
    }

    /// Content other than command blocks: what makes a setext title start a new slide under
    /// `implicit_slide_ends` (a `jump_to_middle` after `end_slide` belongs to the next title).
    fn has_content_blocks(&self) -> bool {
        self.slide.title.is_some() || self.slide.elements.iter().any(|e| !e.block.is_command())
    }

    /// `<!-- pause -->`: the next chunk shows after this one's code walks have finished.
    fn pause(&mut self) {
        self.step += self.walks + 1;
        self.walks = 0;
    }

    fn end_slide(&mut self) {
        if self.has_content() {
            self.slide.steps = self.last_step + 1;
            let next_file = self.slide.file.clone();
            let done = std::mem::take(&mut self.slide);
            self.deck.slides.push(done);
            self.reset_slide(&next_file, 0);
        } else {
            // Carry notes and flags of an empty slide into the next one.
            self.slide.line = 0;
        }
    }

    fn push(&mut self, line: usize, mut block: Block) {
        if self.slide.line == 0 {
            self.slide.line = line;
        }
        let continues_list = std::mem::take(&mut self.list_then_pause);
        self.list_is_last = false;
        let mut last_reveal = self.step;
        match &mut block {
            Block::List(list) => {
                list.spacing = self.list_item_newlines;
                if self.incremental_lists {
                    // presenterm pauses before the list, between its items and after it.
                    self.pause();
                    for (i, item) in list.items.iter_mut().enumerate() {
                        if i > 0 {
                            self.pause();
                        }
                        item.step = self.step;
                    }
                } else {
                    list.items.iter_mut().for_each(|item| item.step = self.step);
                }
                last_reveal = list.items.last().map_or(self.step, |i| i.step);
                if continues_list && let Some(Block::List(above)) = self.slide.elements.last_mut().map(|e| &mut e.block)
                {
                    above.items.append(&mut list.items);
                    self.after_list(last_reveal);
                    return;
                }
            }
            Block::Table(table) if self.incremental_tables => {
                table.row_steps = (0..table.row_steps.len()).map(|i| self.step + i).collect();
                self.step += table.row_steps.len().saturating_sub(1);
                last_reveal = self.step;
            }
            Block::Table(table) => table.row_steps.fill(self.step),
            Block::Code(code) => {
                // A walk ({1|2|3}) takes a step per group after the first, before the next pause.
                code.highlight_step = self.step + self.walks;
                self.walks += code.highlight.len().saturating_sub(1);
                last_reveal = code.highlight_step + code.highlight.len().saturating_sub(1);
            }
            _ => {}
        }
        let step = match &block {
            Block::List(list) => list.items.first().map_or(self.step, |i| i.step),
            _ => self.step,
        };
        let is_list = matches!(block, Block::List(_));
        if !block.is_command() {
            self.last_step = self.last_step.max(last_reveal);
        }
        self.slide.elements.push(Element { step, line, block });
        if is_list {
            self.after_list(last_reveal);
        }
    }

    fn after_list(&mut self, last: usize) {
        self.last_step = self.last_step.max(last);
        if self.incremental_lists {
            self.pause();
        }
        self.list_then_pause = self.incremental_lists;
        self.list_is_last = true;
    }

    fn process(&mut self, text: &str, file: &Path, depth: usize) -> Result<(), Diagnostic> {
        let mut warnings = std::mem::take(&mut self.deck.warnings);
        let prefix = self.deck.options.image_attributes_prefix.clone().unwrap_or_else(|| "image:".into());
        let mut ctx = Ctx {
            file,
            text,
            lines: LineIndex::new(text),
            warnings: &mut warnings,
            image_prefix: &prefix,
            nesting: 0,
            in_quote: false,
        };
        let result = self.events(&mut ctx, depth);
        self.deck.warnings.append(&mut warnings);
        result
    }

    fn events(&mut self, ctx: &mut Ctx, depth: usize) -> Result<(), Diagnostic> {
        let mut ev = Parser::new_ext(ctx.text, markdown_options()).into_offset_iter().peekable();
        while let Some((event, range)) = ev.next() {
            let line = ctx.line(&range);
            match event {
                Event::Start(Tag::MetadataBlock(kind)) => {
                    let yaml = blocks::raw_text(&mut ev, TagEnd::MetadataBlock(kind));
                    if kind == MetadataBlockKind::YamlStyle && depth == 0 && line == 1 {
                        self.front_matter(&yaml, ctx)?;
                    }
                }
                Event::Start(tag @ Tag::Heading { level, .. }) => {
                    let setext = !ctx.text[range.clone()].trim_start().starts_with('#');
                    let title_h1 = level == HeadingLevel::H1 && self.deck.options.h1_slide_titles;
                    let mut blocks = blocks::block(&mut ev, ctx, tag, range);
                    match blocks.pop() {
                        Some(Block::Heading { text, .. }) if setext || title_h1 => self.title(text, line),
                        Some(b) => self.push(line, b),
                        None => {}
                    }
                }
                Event::Start(Tag::HtmlBlock) => {
                    let html = blocks::raw_text(&mut ev, TagEnd::HtmlBlock);
                    self.comments(&html, line, ctx, depth)?;
                }
                Event::Html(html) | Event::InlineHtml(html) => self.comments(&html, line, ctx, depth)?,
                Event::Rule if self.deck.options.end_slide_shorthand => self.end_slide(),
                Event::Rule => self.push(line, Block::Rule),
                Event::Start(tag) => {
                    for block in blocks::block(&mut ev, ctx, tag, range) {
                        self.push(line, block);
                    }
                }
                _ => {}
            }
        }
        Ok(())
    }

    fn title(&mut self, text: Text, line: usize) {
        if self.deck.options.implicit_slide_ends && self.has_content_blocks() {
            self.end_slide();
        }
        if self.slide.title.is_none() {
            self.slide.title = Some(text.clone());
        }
        self.push(line, Block::SlideTitle(text));
    }

    fn front_matter(&mut self, yaml: &str, ctx: &Ctx) -> Result<(), Diagnostic> {
        let parsed = front_matter::parse(yaml, ctx.file, 2, ctx.text)?;
        self.deck.meta = parsed.meta;
        self.deck.theme = parsed.theme;
        self.deck.options = parsed.options;
        self.reset_slide(ctx.file, 0);
        Ok(())
    }

    /// An HTML block may hold several comments, one per line or run together.
    fn comments(&mut self, html: &str, line: usize, ctx: &mut Ctx, depth: usize) -> Result<(), Diagnostic> {
        let mut rest = html;
        let mut offset = 0;
        while let Some(start) = rest.find("<!--") {
            let Some(len) = rest[start..].find("-->") else { break };
            let comment = &rest[start..start + len + 3];
            let comment_line = line + html[..offset + start].matches('\n').count();
            self.comment(comment, comment_line, ctx, depth)?;
            offset += start + len + 3;
            rest = &html[offset..];
        }
        Ok(())
    }

    fn comment(&mut self, comment: &str, line: usize, ctx: &mut Ctx, depth: usize) -> Result<(), Diagnostic> {
        let prefix = self.deck.options.command_prefix.clone();
        match commands::classify(comment, prefix.as_deref()) {
            CommentKind::Command(cmd) => self.command(cmd, line, ctx, depth)?,
            CommentKind::Ignored => {}
            CommentKind::Unknown { name, hint } => {
                ctx.warn(line, format!("unknown command `{name}`")).hint = Some(hint.unwrap_or_else(|| {
                    "a comment shaped like `<!-- word -->` is read as a command; write prose with spaces or `<!-- // note -->`".into()
                }));
            }
            CommentKind::Invalid { name, message } => {
                ctx.warn(line, format!("invalid value for `{name}`: {message}"));
            }
        }
        Ok(())
    }

    fn command(&mut self, cmd: Command, line: usize, ctx: &mut Ctx, depth: usize) -> Result<(), Diagnostic> {
        match cmd {
            Command::Pause => {
                self.pause();
                self.list_then_pause = self.list_is_last;
            }
            Command::EndSlide => self.end_slide(),
            Command::NewLine => self.push(line, Block::NewLines(1)),
            Command::NewLines(n) => self.push(line, Block::NewLines(n.min(200))),
            Command::JumpToMiddle => self.push(line, Block::JumpToMiddle),
            Command::ColumnLayout(widths) => {
                if widths.is_empty() || widths.iter().all(|w| *w == 0) {
                    ctx.warn(line, "column_layout needs at least one non-zero width, e.g. [1, 1]");
                } else {
                    self.push(line, Block::ColumnLayout(widths));
                }
            }
            Command::Column(i) => {
                let layout = self.slide.elements.iter().rev().find_map(|e| match &e.block {
                    Block::ColumnLayout(w) => Some(w.len()),
                    Block::ResetLayout => Some(0),
                    _ => None,
                });
                match layout {
                    Some(n) if i < n => self.push(line, Block::Column(i)),
                    Some(n) if n > 0 => {
                        ctx.warn(
                            line,
                            format!("column {i} does not exist: the layout has {n} columns (0 to {})", n - 1),
                        );
                    }
                    _ => {
                        ctx.warn(line, format!("`column: {i}` without a column layout")).hint =
                            Some("start one with `<!-- column_layout: [1, 1] -->`".into());
                    }
                }
            }
            Command::ResetLayout => self.push(line, Block::ResetLayout),
            Command::Alignment(a) => self.push(line, Block::Alignment(a.into())),
            Command::IncrementalLists(on) => self.incremental_lists = on,
            Command::IncrementalTables(on) => self.incremental_tables = on,
            Command::ListItemNewlines(n) => self.list_item_newlines = n.min(20),
            Command::NoFooter => self.slide.hide_footer = true,
            Command::SkipSlide => self.slide.skip = true,
            Command::FontSize(_) | Command::Comment(_) => {}
            Command::SpeakerNote(note) => self.slide.notes.push(note.trim_end().to_string()),
            Command::SnippetOutput(id) => self.push(line, Block::SnippetOutput(id)),
            Command::Include(rel) => self.include(&rel, line, ctx, depth)?,
        }
        Ok(())
    }

    fn include(&mut self, rel: &str, line: usize, ctx: &mut Ctx, depth: usize) -> Result<(), Diagnostic> {
        let path = ctx.dir().join(rel);
        if depth + 1 > MAX_INCLUDE_DEPTH || self.include_stack.contains(&path) {
            ctx.warn(line, format!("`include: {rel}` would include itself (or nests deeper than {MAX_INCLUDE_DEPTH})"));
            return Ok(());
        }
        let text = match read_text(&path, ctx.file, line) {
            Ok(t) => t,
            Err(e) => {
                ctx.warn(line, format!("cannot include `{rel}`: {}", e.message.split(": ").last().unwrap_or("")))
                    .hint =
                    Some(format!("paths are relative to the including file's folder ({})", ctx.dir().display()));
                self.push(line, Block::Placeholder(format!("[missing include: {rel}]")));
                return Ok(());
            }
        };
        self.include_stack.push(path.clone());
        let result = self.process(&text, &path, depth + 1);
        ctx.warnings.append(&mut self.deck.warnings);
        self.include_stack.pop();
        result
    }

    fn finish(mut self) -> Deck {
        self.deck.slides.retain(|s| !s.skip);
        assign_snippet_ids(&mut self.deck);
        let problems = crate::workshop::problems(&self.deck);
        self.deck.warnings.extend(problems);
        if let Some(intro) = intro_slide(&self.deck) {
            self.deck.slides.insert(0, intro);
        }
        self.deck
    }
}

/// Each snippet's stable identity: its `+id`, else its language and text with its rank among
/// snippets of the same text, hashed (blake3, so it is the same in every run and build).
fn assign_snippet_ids(deck: &mut Deck) {
    let mut seen: std::collections::HashMap<blake3::Hash, u64> = std::collections::HashMap::new();
    for element in deck.slides.iter_mut().flat_map(|s| s.elements.iter_mut()) {
        let Block::Code(code) = &mut element.block else { continue };
        let mut hasher = blake3::Hasher::new();
        match &code.attrs.id {
            Some(id) => hasher.update(b"id\0").update(id.as_bytes()),
            None => {
                hasher.update(b"text\0").update(code.language.as_bytes()).update(b"\0").update(code.source.as_bytes())
            }
        };
        let text = hasher.finalize();
        let rank = seen.entry(text).or_default();
        let mut ranked = blake3::Hasher::new();
        ranked.update(text.as_bytes()).update(&rank.to_le_bytes());
        *rank += 1;
        let bytes: [u8; 8] = ranked.finalize().as_bytes()[..8].try_into().expect("8 bytes");
        code.id = crate::model::SnippetId(u64::from_le_bytes(bytes));
    }
}

/// The title slide presenterm builds from front matter.
fn intro_slide(deck: &Deck) -> Option<Slide> {
    let meta = &deck.meta;
    let title = meta.title.clone()?;
    let mut elements = vec![Block::JumpToMiddle, Block::Alignment(crate::model::Alignment::Center)];
    elements.push(Block::SlideTitle(title.clone()));
    if let Some(sub) = &meta.sub_title {
        elements.push(Block::Paragraph(sub.clone()));
    }
    let details: Vec<&str> =
        [&meta.event, &meta.location, &meta.date].into_iter().flatten().map(String::as_str).collect();
    if !details.is_empty() {
        elements.push(Block::NewLines(1));
        elements.push(Block::Paragraph(Text::from_plain(&details.join(" · "))));
    }
    if !meta.authors.is_empty() {
        elements.push(Block::NewLines(1));
        elements.push(Block::Paragraph(Text::from_plain(&meta.authors.join(", "))));
    }
    let elements = elements.into_iter().map(|block| Element { step: 0, line: 1, block }).collect();
    Some(Slide {
        line: 1,
        file: deck.path.clone(),
        title: Some(title),
        elements,
        hide_footer: true,
        intro: true,
        steps: 1,
        ..Slide::default()
    })
}

#[cfg(test)]
mod tests;
