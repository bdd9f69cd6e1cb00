//! The deck as a Jupyter notebook (nbformat 4.5): each slide's text a markdown cell (the
//! slide's title as its heading, RISE's slide type in its metadata), each Python snippet a
//! code cell with its hidden lines and, with -x, its recorded outputs (text, pictures as
//! PNG); other snippets as markdown code blocks with their recorded output. A cell that needs
//! what a notebook lacks (a module built on stage) keeps its recorded output and the
//! `skip-execution` tag; an expected failure carries `raises-exception`.

use base64::Engine;
use serde_json::{Value, json};

use crate::exec::output::OutputStore;
use crate::model::{Block, CodeBlock, Deck, List, ListMarker, Run, Slide, Table, Text};
use crate::render::ImageCache;
use crate::render::layout::ImageSource;

/// The notebook, as JSON. Paths of pictures are made relative to `notebook_dir` (the
/// notebook sits beside the deck, so they resolve as they do for the deck).
pub fn notebook(deck: &Deck, outputs: &OutputStore, images: &ImageCache, notebook_dir: &std::path::Path) -> Value {
    let built = modules_built_on_stage(deck);
    let mut cells = Vec::new();
    for slide in &deck.slides {
        let first = cells.len();
        slide_cells(slide, outputs, images, notebook_dir, &built, &mut cells);
        // RISE / Jupyter slideshow: each slide starts a slide; the rest follow on it.
        for (i, cell) in cells.iter_mut().enumerate().skip(first) {
            let kind = if i == first { "slide" } else { "-" };
            cell["metadata"]["slideshow"] = json!({ "slide_type": kind });
        }
    }
    for (i, cell) in cells.iter_mut().enumerate() {
        cell["id"] = json!(format!("cell-{i}"));
    }
    let title = deck.meta.title.as_ref().map(Text::plain).unwrap_or_default();
    json!({
        "nbformat": 4,
        "nbformat_minor": 5,
        "metadata": {
            "kernelspec": { "display_name": "Python 3", "language": "python", "name": "python3" },
            "language_info": { "name": "python" },
            "title": title,
        },
        "cells": cells,
    })
}

/// Module names the deck's `+exec:pyo3` snippets build: a notebook has no such modules.
fn modules_built_on_stage(deck: &Deck) -> Vec<String> {
    deck.snippets()
        .filter(|(_, c)| c.attrs.runner.as_deref() == Some("pyo3"))
        .filter_map(|(_, c)| crate::exec::rust::pymodule_name(&c.source))
        .collect()
}

fn slide_cells(
    slide: &Slide,
    outputs: &OutputStore,
    images: &ImageCache,
    dir: &std::path::Path,
    built: &[String],
    cells: &mut Vec<Value>,
) {
    let mut markdown = String::new();
    if let Some(title) = &slide.title {
        markdown.push_str(&format!("## {}\n\n", inline(title)));
    }
    for element in &slide.elements {
        match &element.block {
            Block::SlideTitle(_) => {}
            Block::Code(code) if code.attrs.solution.is_some() || code.attrs.check.is_some() => {}
            Block::Code(code) if code.language == "python" => {
                flush(&mut markdown, cells);
                cells.push(python_cell(code, outputs, images, built));
            }
            Block::Code(code) => {
                markdown.push_str(&fenced(&code.language, &code.display));
                if let Some(out) = outputs.get(code.id) {
                    let text = out.text();
                    if !text.trim().is_empty() {
                        markdown.push_str(&format!("Output:\n\n{}", fenced("text", &text)));
                    }
                }
            }
            other => markdown.push_str(&block_markdown(other, dir)),
        }
    }
    flush(&mut markdown, cells);
}

fn flush(markdown: &mut String, cells: &mut Vec<Value>) {
    let text = std::mem::take(markdown);
    if !text.trim().is_empty() {
        cells.push(json!({ "cell_type": "markdown", "metadata": {}, "source": source_lines(text.trim_end()) }));
    }
}

fn python_cell(code: &CodeBlock, outputs: &OutputStore, images: &ImageCache, built: &[String]) -> Value {
    let mut tags = Vec::new();
    let mut source = code.source.trim_end().to_string();
    let needs = built.iter().find(|name| uses_module(&code.source, name));
    if let Some(name) = needs {
        tags.push("skip-execution");
        source = format!(
            "# deck: `{name}` is a module built on stage from the Rust snippet before; a notebook has\n# none, so this cell keeps the output it had in the talk.\n{source}"
        );
    }
    if code.attrs.expect_failure {
        tags.push("raises-exception");
    }
    let mut recorded = Vec::new();
    if let Some(out) = outputs.get(code.id) {
        let (mut stdout, mut stderr) = (String::new(), String::new());
        for (line, is_err) in &out.lines {
            let target = if *is_err { &mut stderr } else { &mut stdout };
            target.push_str(line);
            target.push('\n');
        }
        for (name, text) in [("stdout", stdout), ("stderr", stderr)] {
            if !text.is_empty() {
                recorded.push(json!({ "output_type": "stream", "name": name, "text": source_lines(&text) }));
            }
        }
        let picture = out.image.and_then(|_| images.encoded(&ImageSource::Output(code.id.image_key())));
        if let Some((mime, bytes)) = picture {
            let data = base64::engine::general_purpose::STANDARD.encode(bytes);
            recorded.push(json!({ "output_type": "display_data", "metadata": {}, "data": { mime: data, "text/plain": ["<picture>"] } }));
        }
    }
    json!({
        "cell_type": "code",
        "execution_count": null,
        "metadata": { "tags": tags },
        "outputs": recorded,
        "source": source_lines(&source),
    })
}

/// Whether Python `source` uses module `name` (as a word: `live.vowels`, `import live`).
fn uses_module(source: &str, name: &str) -> bool {
    source.match_indices(name).any(|(at, _)| {
        let before = source[..at].chars().next_back();
        let after = source[at + name.len()..].chars().next();
        !before.is_some_and(|c| c.is_alphanumeric() || c == '_' || c == '.')
            && !after.is_some_and(|c| c.is_alphanumeric() || c == '_')
    })
}

/// nbformat's `source`: the text as lines, each with its newline but the last.
fn source_lines(text: &str) -> Vec<String> {
    let mut lines: Vec<String> = text.split_inclusive('\n').map(str::to_string).collect();
    if lines.is_empty() {
        lines.push(String::new());
    }
    lines
}

fn fenced(language: &str, code: &str) -> String {
    let fence = if code.contains("```") { "````" } else { "```" };
    format!("{fence}{language}\n{}\n{fence}\n\n", code.trim_end())
}

/// A block of a slide as markdown.
fn block_markdown(block: &Block, dir: &std::path::Path) -> String {
    match block {
        Block::Heading { level, text } => format!("{} {}\n\n", "#".repeat(usize::from((*level).max(2))), inline(text)),
        Block::Paragraph(text) => format!("{}\n\n", inline(text)),
        Block::List(list) => list_markdown(list),
        Block::Table(table) => table_markdown(table),
        Block::Quote(blocks) => {
            let inner: String = blocks.iter().map(|b| block_markdown(b, dir)).collect();
            let quoted: Vec<String> = inner.trim_end().lines().map(|l| format!("> {l}")).collect();
            format!("{}\n\n", quoted.join("\n"))
        }
        Block::Alert { kind, blocks, .. } => {
            let inner: String = blocks.iter().map(|b| block_markdown(b, dir)).collect();
            let mut lines = vec![format!("> **{}**", kind.label())];
            lines.extend(inner.trim_end().lines().map(|l| format!("> {l}")));
            format!("{}\n\n", lines.join("\n"))
        }
        Block::Rule => "---\n\n".to_string(),
        Block::Image(img) => {
            let path = pathdiff(&img.path, dir);
            format!("![{}]({})\n\n", img.alt, path.replace(' ', "%20"))
        }
        Block::Footnote { label, blocks } => {
            let inner: String = blocks.iter().map(|b| block_markdown(b, dir)).collect();
            format!("[^{label}]: {}\n\n", inner.trim())
        }
        Block::Placeholder(text) => format!("*{text}*\n\n"),
        _ => String::new(),
    }
}

/// `path` relative to `dir` when it is inside it, else as it is.
fn pathdiff(path: &std::path::Path, dir: &std::path::Path) -> String {
    let path = std::path::absolute(path).unwrap_or_else(|_| path.to_path_buf());
    let dir = std::path::absolute(dir).unwrap_or_else(|_| dir.to_path_buf());
    path.strip_prefix(&dir).map_or_else(|_| path.display().to_string(), |p| p.display().to_string())
}

fn list_markdown(list: &List) -> String {
    let mut out = String::new();
    for item in &list.items {
        let indent = "   ".repeat(usize::from(item.depth));
        let marker = match item.marker {
            ListMarker::Bullet => "-".to_string(),
            ListMarker::Period(n) => format!("{n}."),
            ListMarker::Paren(n) => format!("{n})"),
        };
        let task = match item.task {
            Some(true) => "[x] ",
            Some(false) => "[ ] ",
            None => "",
        };
        out.push_str(&format!("{indent}{marker} {task}{}\n", inline(&item.text)));
    }
    out.push('\n');
    out
}

fn table_markdown(table: &Table) -> String {
    let row = |cells: &[Text]| format!("| {} |\n", cells.iter().map(inline).collect::<Vec<_>>().join(" | "));
    let mut out = row(&table.header);
    out.push_str(&format!("|{}\n", "---|".repeat(table.header.len().max(1))));
    for r in &table.rows {
        out.push_str(&row(r));
    }
    out.push('\n');
    out
}

/// Inline text as markdown: emphasis, code and links as written (a link's URL, which the
/// slide shows after its text, becomes the link again).
fn inline(text: &Text) -> String {
    let mut out = String::new();
    let runs = &text.0;
    let mut i = 0;
    while i < runs.len() {
        let run = &runs[i];
        if let Some(url) = &run.style.link {
            // The label's runs, then " (url)" as the slide shows it: one markdown link.
            let mut label = String::new();
            while i < runs.len() && runs[i].style.link.as_deref() == Some(url.as_str()) {
                label.push_str(&styled(&runs[i]));
                i += 1;
            }
            if label == *url {
                out.push_str(&format!("<{url}>"));
            } else {
                out.push_str(&format!("[{label}]({url})"));
            }
            // Skip the URL the slide adds after the label: " (", url, then `)` or ` "title")`
            // (which may have merged with the text after it).
            if runs.get(i).is_some_and(|r| r.text == " (") && runs.get(i + 1).is_some_and(|r| r.text == *url) {
                i += 2;
                if let Some(rest) = runs.get(i).and_then(|r| r.text.split_once(')')) {
                    out.push_str(rest.1);
                    i += 1;
                }
            }
            continue;
        }
        out.push_str(&styled(run));
        i += 1;
    }
    out.replace('\n', "  \n")
}

fn styled(run: &Run) -> String {
    let mut text = if run.style.code { format!("`{}`", run.text) } else { run.text.clone() };
    if run.text.trim().is_empty() || run.text == "\n" {
        return run.text.clone();
    }
    if run.style.bold {
        text = format!("**{text}**");
    }
    if run.style.italic {
        text = format!("*{text}*");
    }
    if run.style.strike {
        text = format!("~~{text}~~");
    }
    text
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_slide_becomes_markdown_and_python_cells() {
        let deck = crate::parse::parse_str(
            "Hello\n===\n\nSome **bold** and [a link](https://x.y).\n\n- one\n- two\n\n```python +exec\nprint(1)\n```\n\n```rust +exec:pyo3\n#[pymodule]\nfn live(m: &Bound<'_, PyModule>) -> PyResult<()> { Ok(()) }\n```\n\n```python +exec\nlive.f()\n```\n",
            std::path::Path::new("/tmp/talk.md"),
        )
        .unwrap();
        let nb = notebook(&deck, &OutputStore::default(), &ImageCache::new(), std::path::Path::new("/tmp"));
        let cells = nb["cells"].as_array().unwrap();
        let md: String = cells[0]["source"].as_array().unwrap().iter().map(|l| l.as_str().unwrap()).collect();
        assert!(md.starts_with("## Hello\n\nSome **bold** and [a link](https://x.y).\n\n- one\n- two"), "{md}");
        assert_eq!(cells[0]["metadata"]["slideshow"]["slide_type"], "slide");
        assert_eq!(cells[1]["cell_type"], "code");
        assert_eq!(cells[1]["source"][0], "print(1)");
        assert_eq!(cells[1]["metadata"]["slideshow"]["slide_type"], "-");
        let last = cells.last().unwrap();
        assert_eq!(last["metadata"]["tags"][0], "skip-execution", "{last}");
        assert!(last["source"][0].as_str().unwrap().contains("`live` is a module built on stage"));
        assert_eq!(nb["nbformat"], 4);
    }
}
