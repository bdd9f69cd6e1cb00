use std::path::Path;

use super::*;
use crate::model::{ExecMode, HighlightGroup};

fn parse(text: &str) -> Deck {
    parse_str(text, Path::new("/nonexistent/deck.md")).unwrap_or_else(|e| panic!("{e}"))
}

fn titles(deck: &Deck) -> Vec<String> {
    deck.slides.iter().map(Slide::title_text).collect()
}

#[test]
fn end_slide_and_setext_titles() {
    let d = parse("One\n===\n\ntext\n\n<!-- end_slide -->\n\nTwo\n---\n\nmore\n");
    assert_eq!(titles(&d), vec!["One", "Two"]);
    assert_eq!(d.slides[1].line, 8);
    assert!(d.warnings.is_empty(), "{:?}", d.warnings);
}

#[test]
fn break_options() {
    let d = parse("---\noptions:\n  end_slide_shorthand: true\n---\nA\n===\n\n---\n\nB\n===\n");
    assert_eq!(titles(&d), vec!["A", "B"]);
    let d = parse("---\noptions:\n  implicit_slide_ends: true\n---\nA\n===\n\nx\n\nB\n===\n\ny\n");
    assert_eq!(titles(&d), vec!["A", "B"]);
    let d = parse("---\noptions:\n  h1_slide_titles: true\n  implicit_slide_ends: true\n---\n# A\n\nx\n\n# B\n");
    assert_eq!(titles(&d), vec!["A", "B"]);
}

#[test]
fn pauses_make_steps() {
    let d = parse("T\n===\n\na\n\n<!-- pause -->\n\nb\n\n<!-- pause -->\n\nc\n");
    let s = &d.slides[0];
    assert_eq!(s.steps, 3);
    let steps: Vec<usize> = s.elements.iter().map(|e| e.step).collect();
    assert_eq!(steps, vec![0, 0, 1, 2]);
}

#[test]
fn incremental_lists_and_highlight_steps() {
    let d = parse("<!-- incremental_lists: true -->\n\n* a\n* b\n* c\n\n```rust {1|2|all}\nx\ny\n```\n");
    let s = &d.slides[0];
    let Block::List(list) = &s.elements[0].block else { panic!() };
    // As presenterm: a pause before the list, one between items and one after it.
    assert_eq!(list.items.iter().map(|i| i.step).collect::<Vec<_>>(), vec![1, 2, 3]);
    let Block::Code(code) = &s.elements[1].block else { panic!() };
    assert_eq!(code.highlight_step, 4);
    assert_eq!(code.highlight.len(), 3);
    assert_eq!(s.steps, 7);
}

#[test]
fn code_attributes_and_hidden_lines() {
    let d = parse("```python +exec +id:x\n/// import os\nprint(os.name)\n```\n<!-- snippet_output: x -->\n");
    let (_, code) = d.snippets().next().unwrap();
    assert_eq!(code.attrs.exec, ExecMode::Exec);
    assert_eq!(code.display, "print(os.name)\n");
    assert_eq!(code.source, "import os\nprint(os.name)\n");
    assert_eq!(code.line, 1);
    assert!(matches!(d.slides[0].elements[1].block, Block::SnippetOutput(ref id) if id == "x"));
    let d = parse("```rust {1,3-4} +line_numbers\na\n```\n");
    let (_, code) = d.snippets().next().unwrap();
    assert_eq!(code.highlight, vec![HighlightGroup::Lines(vec![(1, 1), (3, 4)])]);
}

#[test]
fn front_matter_makes_intro_slide() {
    let d = parse("---\ntitle: Hello\nauthor: Me\n---\n\nA\n===\n");
    assert_eq!(titles(&d), vec!["Hello", "A"]);
    assert!(d.slides[0].intro);
}

#[test]
fn unknown_command_warns_with_line_and_hint() {
    let d = parse("a\n\n<!-- puase -->\n\n<!-- a free text note -->\n");
    assert_eq!(d.warnings.len(), 1, "{:?}", d.warnings);
    assert_eq!(d.warnings[0].line, 3);
    assert!(d.warnings[0].hint.as_deref().unwrap().contains("pause"));
}

#[test]
fn several_comments_in_one_html_block() {
    let d = parse("a\n\n<!-- pause -->\n<!-- speaker_note: hi -->\n<!-- end_slide -->\nb\n");
    assert_eq!(d.slides.len(), 2);
    assert_eq!(d.slides[0].notes, vec!["hi"]);
    // A pause with nothing after it reveals nothing: no step of its own (as in presenterm).
    assert_eq!(d.slides[0].steps, 1);
}

#[test]
fn missing_image_and_file_are_placeholders() {
    let d = parse("![](nope.png)\n\n```file\npath: nope.rs\nlanguage: rust\n```\n");
    assert_eq!(d.warnings.len(), 2, "{:?}", d.warnings);
    let placeholders = d.slides[0].elements.iter().filter(|e| matches!(e.block, Block::Placeholder(_))).count();
    assert_eq!(placeholders, 2);
}

#[test]
fn includes_and_file_blocks_read_relative_files() {
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(dir.path().join("part.md"), "Included\n===\n\n<!-- include: part.md -->\n").unwrap();
    std::fs::write(dir.path().join("code.rs"), "l1\nl2\nl3\nl4\n").unwrap();
    let deck_path = dir.path().join("deck.md");
    let text = "<!-- include: part.md -->\n\n```file +line_numbers\npath: code.rs\nlanguage: rust\nstart_line: 2\nend_line: 3\n```\n";
    let d = parse_str(text, &deck_path).unwrap();
    assert_eq!(titles(&d), vec!["Included"]);
    assert_eq!(d.warnings.len(), 1, "self-include is reported: {:?}", d.warnings);
    let (_, code) = d.snippets().next().unwrap();
    assert_eq!(code.display, "l2\nl3\n");
    assert!(code.attrs.line_numbers);
}

#[test]
fn bad_front_matter_is_an_error() {
    let e = parse_str("---\ntitle: [x\n---\n", Path::new("d.md")).unwrap_err();
    assert!(e.to_string().starts_with("d.md:"), "{e}");
}

#[test]
fn never_panics_on_odd_input() {
    let pieces = [
        "---\n",
        "<!-- pause -->\n",
        "<!-- column: 3 -->\n",
        "<!-- column_layout: [] -->\n",
        "```\n",
        "```rust {9-1|x}\n",
        "* a\n",
        "  - b\n",
        "| a | b |\n",
        "|---|\n",
        "> [!note]\n",
        "T\n===\n",
        "<!-- end_slide -->\n",
        "![](x.png)\n",
        "<span style=\"color: red\">",
        "</span>",
        "[^1]\n\n[^1]: note\n",
        "<!--\n",
        "-->\n",
        "\u{0}\u{feff}é\n",
        "# h\n",
        "```file\npath: [\n```\n",
        "<!-- include: /dev/null -->\n",
        "<!-- newlines: 99999 -->\n",
        "1. x\n",
        "- [ ] t\n",
    ];
    let mut seed = 0x2545_F491_4F6C_DD1Du64;
    for _ in 0..3000 {
        let mut text = String::new();
        for _ in 0..(seed % 12) {
            seed ^= seed << 13;
            seed ^= seed >> 7;
            seed ^= seed << 17;
            text.push_str(pieces[(seed % pieces.len() as u64) as usize]);
        }
        let _ = parse_str(&text, Path::new("fuzz.md"));
    }
}

/// Thousands of nesting levels (quotes, lists opened on one line, indented lists) parse and
/// lay out without overflowing the stack: what is deeper than the cap is left out, with a
/// warning at its line.
#[test]
fn deep_nesting_is_capped_with_a_warning() {
    let indented: String = (0..3000).map(|i| format!("{}- item\n", "  ".repeat(i))).collect();
    for (name, text) in [
        ("quotes", format!("Deep\n===\n\n{}deep\n", "> ".repeat(5000))),
        ("one-line lists", format!("Deep\n===\n\n{}x\n", "- ".repeat(10_000))),
        ("indented list", format!("Deep\n===\n\n{indented}")),
    ] {
        // A thread with a small stack, as a worst case for recursion.
        let deck = std::thread::Builder::new()
            .stack_size(2 * 1024 * 1024)
            .spawn(move || {
                let deck = crate::parse::parse_str(&text, std::path::Path::new("deep.md")).expect("parses");
                let theme = crate::theme::Theme::named("dark").expect("theme");
                let ctx =
                    crate::render::layout::LayoutCtx { theme: &theme, resources: &crate::render::layout::NoOutputs };
                let area = ratatui::layout::Rect::new(0, 0, 120, 36);
                crate::render::layout::layout(&deck.slides[0], 0, &ctx, area);
                deck
            })
            .unwrap()
            .join()
            .unwrap_or_else(|_| panic!("{name}: the parser or the layout failed"));
        let warning = deck.warnings.iter().find(|w| w.message.contains("nested deeper than")).expect(name);
        assert!(warning.line >= 4, "{name}: {warning}");
    }
}

#[test]
fn an_image_warning_underlines_that_image() {
    let dir = env!("CARGO_MANIFEST_DIR");
    let d = parse(&format!("![a]({dir}/tests/decks/presenterm/doge.png) and ![b](gone.png)\n"));
    assert_eq!(d.warnings.len(), 1, "{:?}", d.warnings);
    let shown = d.warnings[0].to_string();
    let lines: Vec<&str> = shown.lines().collect();
    let (source, carets) = (lines[1], lines[2]);
    let start = carets.find('^').unwrap();
    let end = carets.rfind('^').unwrap() + 1;
    assert_eq!(&source[start..end], "![b](gone.png)", "{shown}");
}

#[test]
fn render_blocks_say_they_show_as_source() {
    let d = parse("```mermaid +render\ngraph TD; A-->B\n```\n");
    assert_eq!(d.warnings.len(), 1, "{:?}", d.warnings);
    assert!(d.warnings[0].message.contains("`+render` is not supported"), "{}", d.warnings[0]);
}

#[test]
fn snippets_have_stable_identities() {
    let ids = |text: &str| -> Vec<crate::model::SnippetId> { parse(text).snippets().map(|(_, c)| c.id).collect() };
    let two_same = "```python\nx\n```\n\n```python\nx\n```\n";
    let a = ids(two_same);
    assert_ne!(a[0], a[1], "identical snippets are told apart by their rank");
    // A slide inserted above changes nothing for the snippets that follow.
    let b = ids(&format!("```bash\necho new\n```\n<!-- end_slide -->\n{two_same}"));
    assert_eq!(&b[1..], &a[..]);
    // `+id` names a snippet whatever its text.
    let c = ids("```python +id:demo\nx = 1\n```\n");
    let d = ids("```python +id:demo\nx = 2\n```\n");
    assert_eq!(c, d);
}
