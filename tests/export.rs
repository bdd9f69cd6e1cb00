//! Exports: the .cast parses and its last frame, replayed through a terminal emulator, is the
//! presenter's screen; HTML is one self-contained file; exports never touch the deck.

mod common;

use std::process::Command;

use common::Screen;

const DECK: &str = "---\ntitle: Export test\n---\n\nFirst\n===\n\nalpha\n\n<!-- pause -->\n\nbeta\n\n<!-- end_slide -->\n\nLast slide\n===\n\n| a | b |\n|---|---|\n| 1 | 2 |\n\n```python +exec\nprint('from' + ' python')\n```\n";

/// DECK with a picture on the second slide (two steps): left half red, right half blue.
fn deck_with_picture(dir: &std::path::Path) {
    std::fs::write(dir.join("talk.md"), DECK.replace("alpha\n", "alpha\n\n![halves](pic.png)\n")).unwrap();
    let pic =
        image::RgbImage::from_fn(64, 32, |x, _| if x < 32 { image::Rgb([255, 0, 0]) } else { image::Rgb([0, 0, 255]) });
    pic.save(dir.join("pic.png")).unwrap();
}

fn export(dir: &std::path::Path, to: &str, exec: bool) -> std::process::Output {
    let mut cmd = Command::new(env!("CARGO_BIN_EXE_deck"));
    cmd.args(["export", "talk.md", "--to", to]).current_dir(dir);
    if exec {
        cmd.arg("-x");
    }
    cmd.output().unwrap()
}

#[test]
fn cast_replays_to_the_presenters_screen() {
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(dir.path().join("talk.md"), DECK).unwrap();
    let out = export(dir.path(), "talk.cast", true);
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
    let cast = std::fs::read_to_string(dir.path().join("talk.cast")).unwrap();
    let mut lines = cast.lines();
    let header: serde_json::Value = serde_json::from_str(lines.next().unwrap()).unwrap();
    assert_eq!(header["version"], 2);
    assert_eq!((header["width"].as_u64(), header["height"].as_u64()), (Some(120), Some(36)));
    let events: Vec<serde_json::Value> = lines.map(|l| serde_json::from_str(l).unwrap()).collect();
    // The opening clear, one frame per step (intro, First (2 steps), Last slide), the cursor back.
    assert_eq!(events.len(), 1 + 4 + 1);
    let times: Vec<f64> = events.iter().map(|e| e[0].as_f64().unwrap()).collect();
    assert!(times.windows(2).all(|w| w[0] < w[1]), "{times:?}");
    let nz = |n: u16| std::num::NonZeroU16::new(n).unwrap();
    let mut vt = vt100::Parser::new(nz(36), nz(120), 0);
    for e in &events {
        assert_eq!(e[1], "o");
        vt.process(e[2].as_str().unwrap().as_bytes());
    }
    let replayed: Vec<String> = vt.screen().contents().lines().map(|l| l.trim_end().to_string()).collect();
    assert!(
        replayed.iter().any(|l| l.contains("from python")),
        "the snippet's output is in the export:\n{}",
        replayed.join("\n")
    );

    // The presenter's screen on the same slide, with the snippet run.
    let settings =
        deck::exec::Settings { timeout: std::time::Duration::from_secs(30), python_env: None, ..common::settings() };
    let mut s = Screen::exec(&dir.path().join("talk.md"), 120, 36, settings);
    s.keys("G");
    s.ctrl('e');
    s.settle(std::time::Duration::from_secs(30));
    let tui: Vec<String> = s.text().lines().map(|l| l.trim_end().to_string()).collect();
    // Timings differ run to run; everything else is the same screen.
    let strip = |v: &[String]| {
        v.iter().map(|l| if l.contains('✓') { "✓ <time>".to_string() } else { l.clone() }).collect::<Vec<_>>()
    };
    assert_eq!(strip(&replayed), strip(&tui));
}

#[test]
fn html_is_one_file_with_every_step() {
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(dir.path().join("talk.md"), DECK).unwrap();
    let out = export(dir.path(), "talk.html", false);
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
    let html = std::fs::read_to_string(dir.path().join("talk.html")).unwrap();
    assert_eq!(html.matches("<section").count(), 4);
    assert!(html.contains("ArrowRight"));
    assert!(!html.contains("src=\"http"), "nothing loaded from elsewhere");
    // Only the target was written: no temporary files left, the deck untouched.
    let names: Vec<String> =
        std::fs::read_dir(dir.path()).unwrap().map(|e| e.unwrap().file_name().to_string_lossy().into_owned()).collect();
    assert_eq!(names.len(), 2, "{names:?}");
    assert_eq!(std::fs::read_to_string(dir.path().join("talk.md")).unwrap(), DECK);
    let out = export(dir.path(), "talk.txt", false);
    assert_eq!(out.status.code(), Some(2));
}

#[test]
fn html_embeds_each_picture_once_as_the_image_itself() {
    let dir = tempfile::tempdir().unwrap();
    deck_with_picture(dir.path());
    let out = export(dir.path(), "talk.html", false);
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
    let html = std::fs::read_to_string(dir.path().join("talk.html")).unwrap();
    assert_eq!(html.matches("data:image/png;base64,").count(), 1, "the file's bytes, embedded once");
    assert_eq!(html.matches("class=\"pic p0\"").count(), 2, "shown on both steps of the slide");
    // The same picture under another path is still embedded once.
    let text = std::fs::read_to_string(dir.path().join("talk.md")).unwrap();
    std::fs::write(dir.path().join("talk.md"), text.replace("alpha\n", "alpha\n\n![again](./pic.png)\n")).unwrap();
    assert!(export(dir.path(), "talk.html", false).status.success());
    let html = std::fs::read_to_string(dir.path().join("talk.html")).unwrap();
    assert_eq!(html.matches("data:image/png;base64,").count(), 1, "one copy of the same pixels");
    // One slide counter: the footer's (none drawn over it by the page).
    assert!(!html.contains("id=\"pos\""));
}

#[test]
fn cast_gives_the_cursor_back_at_the_end() {
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(dir.path().join("talk.md"), DECK).unwrap();
    assert!(export(dir.path(), "talk.cast", false).status.success());
    let cast = std::fs::read_to_string(dir.path().join("talk.cast")).unwrap();
    let last: serde_json::Value = serde_json::from_str(cast.lines().last().unwrap()).unwrap();
    assert_eq!(last[2], "\x1b[?25h", "{last}");
}

/// The HTML export in headless Chromium (Debian's chromium + chromium-driver): a screenshot
/// after the right arrow moved to the next step shows the picture there, in its colours.
#[test]
#[cfg_attr(not(deck_has_chromedriver), ignore = "needs chromium and chromedriver")]
fn html_opens_in_chromium_and_arrow_keys_navigate() {
    let dir = tempfile::tempdir().unwrap();
    deck_with_picture(dir.path());
    assert!(export(dir.path(), "talk.html", false).status.success());
    let page = dir.path().join("talk.html");
    let shot = dir.path().join("second.png");
    let script = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/html_chromium.py");
    let out = Command::new("python3").arg(script).arg(&page).arg(&shot).output().unwrap();
    let stdout = String::from_utf8_lossy(&out.stdout);
    assert!(out.status.success(), "{stdout}\n{}", String::from_utf8_lossy(&out.stderr));
    let result: serde_json::Value = serde_json::from_str(stdout.trim()).unwrap();
    assert_eq!(result["before"], "1/1", "{result}");
    assert_eq!(result["after"], "2/1", "{result}");
    // Copying a slide's text copies the text, not the screen's padding; the click that ended
    // the selection did not advance.
    let copied = result["copied"].as_str().unwrap();
    assert!(copied.contains("alpha"), "{copied:?}");
    assert!(copied.lines().all(|l| !l.ends_with(' ') && !l.starts_with("  ")), "{copied:?}");
    assert_eq!(result["after_click"], "2/1", "{result}");
    // A real picture of the slide: a PNG, not empty, with more than one colour.
    let png = image::open(&shot).unwrap().to_rgb8();
    assert!(png.width() >= 800 && png.height() >= 600);
    let first = png.get_pixel(0, 0);
    assert!(png.pixels().any(|p| p != first), "the screenshot is not blank");
    // The picture, drawn by the browser where its cells are: red on the left, blue on the right
    // (the image fits its box by height or width, so look a little inside each half).
    let rects = result["pictures"].as_array().unwrap();
    assert_eq!(rects.len(), 1, "{result}");
    let r: Vec<f64> = rects[0].as_array().unwrap().iter().map(|v| v.as_f64().unwrap()).collect();
    let (w, h) = (r[2].min(2.0 * r[3]), r[3].min(r[2] / 2.0));
    assert!(w > 20.0 && h > 10.0, "{r:?}");
    let at = |fx: f64| *png.get_pixel((r[0] + fx * w) as u32, (r[1] + h / 2.0) as u32);
    let (left, right) = (at(0.25), at(0.75));
    assert!(left[0] > 200 && left[2] < 60, "left half is red: {left:?}");
    assert!(right[2] > 200 && right[0] < 60, "right half is blue: {right:?}");
}

#[test]
fn relative_output_paths_survive_snippets_changing_directory() {
    let dir = tempfile::tempdir().unwrap();
    std::fs::create_dir(dir.path().join("slides")).unwrap();
    std::fs::write(dir.path().join("slides/talk.md"), "```python +exec\nimport os\nprint(os.getcwd())\n```\n").unwrap();
    let out = Command::new(env!("CARGO_BIN_EXE_deck"))
        .args(["export", "-x", "slides/talk.md", "--to", "out.html"])
        .current_dir(dir.path())
        .output()
        .unwrap();
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
    assert!(dir.path().join("out.html").is_file());
    assert!(!dir.path().join("slides/out.html").exists());
}

/// The talk as a PDF, read back by poppler's tools: a page per slide, real text (titles and a
/// live output found by pdftotext), and the decoded JPEG XL picture at its own resolution.
#[test]
#[cfg_attr(not(deck_has_poppler), ignore = "needs poppler-utils (pdfinfo, pdftotext, pdfimages)")]
fn the_talk_as_a_pdf_has_a_page_per_slide_real_text_and_the_picture() {
    let dir = tempfile::tempdir().unwrap();
    let pdf = dir.path().join("talk.pdf");
    let talk = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("slides/talk.md");
    let mut cmd = Command::new(env!("CARGO_BIN_EXE_deck"));
    cmd.args(["export", "-x"]).arg(&talk).arg("--to").arg(&pdf);
    if let Some(env) = common::test_python_env() {
        cmd.arg("--python-env").arg(env);
    }
    let out = cmd.output().unwrap();
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
    let run = |tool: &str, args: &[&str]| {
        let stdout: &[&str] = if tool == "pdftotext" { &["-"] } else { &[] };
        let out = Command::new(tool).args(args).arg(&pdf).args(stdout).output().unwrap();
        assert!(out.status.success(), "{tool}: {}", String::from_utf8_lossy(&out.stderr));
        String::from_utf8_lossy(&out.stdout).into_owned()
    };
    let info = run("pdfinfo", &[]);
    let slides = deck::parse::parse_file(&talk).unwrap().slides.len();
    let pages = info.lines().find_map(|l| l.strip_prefix("Pages:")).map(str::trim);
    assert_eq!(pages, Some(slides.to_string().as_str()), "{info}");
    assert!(info.contains("Title:           Extending Python with Rust"), "{info}");
    let text = run("pdftotext", &[]);
    for title in ["What this talk is", "Errors become exceptions", "Look at it"] {
        assert!(text.contains(title), "{title} is searchable text");
    }
    assert!(text.contains("ValueError: factorial(21) is too large"), "a live output is in the PDF");
    let images = run("pdfimages", &["-list"]);
    let full_size = images.lines().any(|l| {
        let fields: Vec<&str> = l.split_whitespace().collect();
        fields.get(3) == Some(&"1024") && fields.get(4) == Some(&"631")
    });
    assert!(full_size, "the JPEG XL picture at its own 1024x631:\n{images}");
}
