//! The `deck` command line: wiring only.

use std::path::{Path, PathBuf};
use std::process::ExitCode;
use std::sync::mpsc;

use clap::{Parser, Subcommand};

use deck::app::run::{Session, run};
use deck::app::state::App;
use deck::app::terminal::{self, Guard};
use deck::diag::Diagnostic;
use deck::exec::Settings;
use deck::model::Deck;

/// Present markdown slide decks in the terminal, with live code.
///
/// Slides are markdown in the presenterm dialect: `<!-- end_slide -->` between slides,
/// `<!-- pause -->`, columns, themes, speaker notes. Code blocks marked `+exec` run on
/// ctrl+e: Python inside deck (one namespace per deck), Rust through a cached compiler,
/// shell as a subprocess. Nothing runs without -x or your confirmation.
///
/// Keys: → / l / space next, ← / h previous, n / p next/previous slide, gg / G first/last,
/// N G go to slide N, ctrl+e run, ctrl+p slide index, ? all keys, q quit.
#[derive(Parser, Debug)]
#[command(name = "deck", version, args_conflicts_with_subcommands = true, after_help = EXAMPLES)]
struct Cli {
    /// The deck to present (a markdown file).
    file: Option<PathBuf>,
    /// Allow the deck's snippets to run without asking (-X, presenterm's flag for
    /// `+exec_replace`, does the same).
    #[arg(short = 'x', long = "exec", short_alias = 'X')]
    exec: bool,
    /// Record the presentation as it is given, with real timings, to an asciicast v2 file.
    #[arg(long, value_name = "FILE.cast")]
    record: Option<PathBuf>,
    /// Show the speaker's view (notes, next slide, timer, clock) and follow the presenter of
    /// the same deck, running in another terminal; navigating here moves both.
    #[arg(long)]
    notes: bool,
    /// Start without the snippet edits kept from an earlier session of this deck.
    #[arg(long)]
    fresh: bool,
    /// The talk's length (30m, 1h15m, 90s): the speaker's timer counts down to it, then over.
    #[arg(long, value_name = "LENGTH", value_parser = deck::app::timer::parse_duration)]
    duration: Option<std::time::Duration>,
    /// Use this built-in theme instead of the deck's (dark, light, catppuccin-mocha, ...).
    #[arg(long, value_name = "NAME")]
    theme: Option<String>,
    /// Stop a snippet after this many seconds (a snippet's `+timeout:N` wins).
    #[arg(long, value_name = "SECS", default_value_t = 30, global = true)]
    timeout: u64,
    /// A virtualenv whose packages Python snippets can import (default: $VIRTUAL_ENV).
    #[arg(long, value_name = "DIR", global = true)]
    python_env: Option<PathBuf>,
    #[command(subcommand)]
    command: Option<Command>,
}

const EXAMPLES: &str = "Examples:
  deck slides/talk.md          present (snippets run after you confirm)
  deck -x slides/talk.md       present, snippets allowed up front
  deck --notes slides/talk.md  in a second terminal: speaker notes, next slide, timer
  deck check slides/talk.md    lint the deck: unknown commands, missing files, overflow";

#[derive(Subcommand, Debug)]
enum Command {
    /// Replay a deck's demos without the presenter: each slide's title, each snippet's code
    /// and its output as it streams. Exits non-zero when a snippet fails (unless it is marked
    /// `+expect:failure`). Needs -x, as presenting does.
    Run {
        file: PathBuf,
        /// Allow the snippets to run.
        #[arg(short = 'x', long = "exec", short_alias = 'X')]
        exec: bool,
        /// Only this slide (1-based).
        #[arg(long, value_name = "N")]
        slide: Option<usize>,
        /// Start at this slide (1-based); the snippets before it do not run.
        #[arg(long, value_name = "N", default_value_t = 1)]
        from: usize,
    },
    /// Export the deck: `--to talk.html` (one self-contained page, arrow keys to navigate),
    /// `--to talk.cast` (an asciicast v2 recording stepping through every slide and pause),
    /// `--to talk.ipynb` (a Jupyter notebook: slides as markdown cells, Python snippets as
    /// code cells) or `--to talk.pdf` (a page per slide as finally revealed, real text,
    /// pictures at full resolution). With -x the snippets run first and their outputs are
    /// included.
    Export {
        file: PathBuf,
        /// The file to write: .html, .cast, .ipynb or .pdf (written atomically; never the deck).
        #[arg(long, value_name = "OUT")]
        to: PathBuf,
        /// Run the snippets and include their outputs.
        #[arg(short = 'x', long = "exec", short_alias = 'X')]
        exec: bool,
        /// Screen size, as COLSxROWS.
        #[arg(long, default_value = "120x36", value_parser = parse_size)]
        size: (u16, u16),
        /// PDF: a page for every step, not only for each slide as finally revealed.
        #[arg(long)]
        steps: bool,
    },
    /// Lint a deck: unknown commands, missing images and files, slides that overflow. With
    /// -x, also run every executable and `+validate` snippet. Exit 0 only when all passed.
    Check {
        file: PathBuf,
        /// Also run every snippet.
        #[arg(short = 'x', long = "exec", short_alias = 'X')]
        exec: bool,
        /// Terminal size to check overflow against, as COLSxROWS.
        #[arg(long, default_value = "120x36", value_parser = parse_size)]
        size: (u16, u16),
    },
}

fn parse_size(s: &str) -> Result<(u16, u16), String> {
    let (w, h) = s.split_once('x').ok_or("expected COLSxROWS, e.g. 120x36")?;
    let n = |v: &str| {
        v.trim().parse::<u16>().ok().filter(|n| *n >= 10).ok_or(format!("`{v}` is not a size of at least 10"))
    };
    Ok((n(w)?, n(h)?))
}

fn main() -> ExitCode {
    // deck started again as a deck's Python worker (exec/python/worker.rs).
    let args: Vec<String> = std::env::args().collect();
    if args.get(1).map(String::as_str) == Some(deck::exec::python::worker::FLAG) {
        return deck::exec::python::worker::main(args.get(2).map(String::as_str));
    }
    let cli = Cli::parse();
    if let Ok(cwd) = std::env::current_dir() {
        deck::diag::set_base_dir(cwd);
    }
    // The environment is read here, once; the engines get it as settings.
    let from_env = Settings::from_env();
    let settings = Settings {
        timeout: std::time::Duration::from_secs(cli.timeout.max(1)),
        python_env: cli.python_env.or(from_env.python_env.clone()),
        ..from_env
    };
    let code = match (cli.command, cli.file) {
        (Some(Command::Check { file, exec, size }), _) => check(&file, size, exec.then_some(settings)),
        (Some(Command::Run { file, exec, slide, from }), _) => replay(&file, exec, slide, from, settings),
        (Some(Command::Export { file, to, exec, size, steps }), _) => {
            export(&file, &to, exec.then_some(settings), size, steps)
        }
        (None, Some(file)) => {
            // Snippets may change the working directory: fix where the recording goes first.
            let record = cli.record.map(|r| std::path::absolute(&r).unwrap_or(r));
            let options = Presenting {
                theme: cli.theme,
                exec: cli.exec && !cli.notes,
                notes: cli.notes,
                record,
                duration: cli.duration,
                fresh: cli.fresh,
            };
            present(&file, options, settings)
        }
        (None, None) => {
            eprintln!("error: no deck given\n\nUsage: deck <FILE>   (deck --help for more)");
            ExitCode::from(2)
        }
    };
    // `deck run | head`: the reader left; end as a writer killed by SIGPIPE would.
    if deck::headless::stdout_closed() { ExitCode::from(141) } else { code }
}

/// Parse the deck by its absolute path (snippets may change the working directory).
fn load(file: &Path) -> Result<Deck, ExitCode> {
    let file = std::path::absolute(file).unwrap_or_else(|_| file.to_path_buf());
    deck::parse::parse_file(&file).map_err(|e| {
        eprintln!("{e}");
        ExitCode::from(2)
    })
}

/// How to present, from the command line.
struct Presenting {
    theme: Option<String>,
    exec: bool,
    notes: bool,
    record: Option<PathBuf>,
    duration: Option<std::time::Duration>,
    fresh: bool,
}

fn present(file: &Path, options: Presenting, settings: Settings) -> ExitCode {
    let Presenting { theme, exec, notes, record, duration, fresh } = options;
    let deck = match load(file) {
        Ok(d) => d,
        Err(code) => return code,
    };
    if let Some(target) = &record
        && let Err(e) = deck::export::refuse_the_deck(target, &deck.path)
    {
        eprintln!("deck: --record {}: {e}", target.display());
        return ExitCode::from(2);
    }
    if !std::io::IsTerminal::is_terminal(&std::io::stdout()) {
        eprintln!(
            "deck: the presenter draws on a terminal, and stdout is not one\n  = hint: `deck run` replays the demos as text, `deck export` writes a file"
        );
        return ExitCode::from(2);
    }
    let (tx, rx) = mpsc::channel();
    let watch_path = deck.path.clone();
    let socket = deck::app::remote::socket_path(&deck.path);
    let mut session = Session::with_settings(App::new(deck, theme, exec), tx.clone(), settings);
    session.app.timer.duration = duration;
    session.app.hyperlinks = deck::app::graphics::hyperlinks();
    // Edits made on stage are kept per deck; the notes screen gets them from the presenter.
    if !notes {
        let state = deck::app::edits::state_file(&session.app.deck.path);
        session.app.restore_edits(state, fresh);
        let progress = deck::app::edits::state_file_in(&session.app.deck.path, "progress");
        session.app.restore_progress(progress);
    }
    let linked = match &socket {
        Ok(socket) if notes => {
            session.follow(socket);
            Ok(())
        }
        Ok(socket) => session.listen(socket),
        Err(e) => Err(std::io::Error::new(e.kind(), e.to_string())),
    };
    if let Err(e) = linked {
        session.app.remote_status = format!("speaker notes unavailable: {e}");
        if !notes {
            session.app.no_notes_link(&e.to_string());
        }
    }
    let result = (|| -> std::io::Result<()> {
        let mut guard = Guard::enter()?;
        // Signals are caught from here on: a SIGTERM while the first frame is drawn, or while
        // the terminal is asked about pictures, still restores the terminal.
        terminal::spawn_signals(tx.clone())?;
        if let Some(target) = &record {
            let size = guard.terminal.size()?;
            let title = session.app.deck.meta.title.as_ref().map(deck::model::Text::plain).unwrap_or_default();
            session.recorder = Some(deck::export::cast::Recorder::create(target, (size.width, size.height), &title)?);
        }
        session.draw(&mut guard.terminal)?;
        // Right after the first frame, before anything reads keys: what the terminal draws
        // pictures with (markdown images, snippet pictures, footer images alike), and its
        // cell size. A terminal that printed any of the question is repainted.
        session.cell_size_from_tty = true;
        if let Some(graphics) = deck::app::graphics::query() {
            session.images.set_picker(graphics.picker);
            if graphics.kitty_direct {
                session.images.set_kitty_direct();
            }
            guard.terminal.clear()?;
            session.draw(&mut guard.terminal)?;
        } else if let Some(cell) = deck::app::graphics::cell_pixels() {
            session.images.set_cell_pixels(cell);
        }
        terminal::spawn_input(tx.clone());
        let _watcher = terminal::watch(&watch_path, tx.clone()).ok();
        if !notes {
            session.started();
        }
        run(&mut guard.terminal, &mut session, &rx)?;
        if let Some(recorder) = session.recorder.take() {
            recorder.finish()?;
        }
        Ok(())
    })();
    drop(tx);
    match result {
        // Ended by a signal: 128 + its number, as a shell reports it.
        Ok(()) if session.ended_by.is_some() => ExitCode::from(128 + session.ended_by.unwrap_or(0) as u8),
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => {
            eprintln!("deck: {e}");
            ExitCode::from(1)
        }
    }
}

/// Run every snippet of the deck, with progress on stderr; failures as diagnostics.
fn run_all(deck: &Deck, settings: Settings) -> Vec<Diagnostic> {
    use deck::exec::plan::{job, runnable};
    use deck::headless::Runner;
    let planned = runnable(deck, true);
    let mut runner = Runner::new(&settings);
    runner.warm_up(deck, settings.timeout);
    let mut failures = Vec::new();
    let total = planned.len();
    let tty = std::io::IsTerminal::is_terminal(&std::io::stderr());
    for (n, p) in planned.iter().enumerate() {
        let progress = format!("[{}/{total}] slide {} ({})", n + 1, p.slide + 1, p.code.language);
        if tty {
            eprint!("\r\x1b[2K{progress}");
        } else {
            eprintln!("{progress}");
        }
        let result = runner.run(job(deck, p.id, p.code, settings.timeout), |_| {});
        if deck::headless::interrupted() {
            eprintln!("\ninterrupted at snippet {} of {total}", n + 1);
            return failures;
        }
        if let Some(name) = &p.code.attrs.exercise {
            if tty {
                eprint!("\r\x1b[2K");
            }
            failures.extend(prove_exercise(deck, &mut runner, p, name, &result, &settings));
            continue;
        }
        if !result.passed(p.code) {
            let status = deck::headless::status(&result, false, false);
            let output: String = result
                .output
                .lines()
                .rev()
                .take(30)
                .collect::<Vec<_>>()
                .into_iter()
                .rev()
                .map(|l| format!("\n    {l}"))
                .collect();
            let d = Diagnostic::error(
                &p.code.file,
                p.code.line,
                format!("snippet on slide {} failed: {status}{output}", p.slide + 1),
            );
            if tty {
                eprint!("\r\x1b[2K");
            }
            deck::sayln!("{d}");
            failures.push(d);
        }
    }
    if tty {
        eprint!("\r\x1b[2K");
    }
    eprintln!("{total} snippets run, {} failed", failures.len());
    failures
}

/// `deck check -x` on an exercise: its solution passes every check, and its starter (already
/// run) fails at least one, so the checks check something. One line per exercise.
fn prove_exercise(
    deck: &Deck,
    runner: &mut deck::headless::Runner,
    p: &deck::exec::plan::Planned<'_>,
    name: &str,
    starter: &deck::headless::RunResult,
    settings: &Settings,
) -> Option<Diagnostic> {
    let Some(solution) = deck.solution(name) else {
        deck::sayln!("exercise {name}: no solution to prove its checks with");
        return Some(
            Diagnostic::error(&p.code.file, p.code.line, format!("exercise `{name}` has no solution")).with_hint(
                format!("add a ```rust +solution:{name} block: its lines replace the exercise's visible lines"),
            ),
        );
    };
    let solved = deck::workshop::solved(p.code, solution);
    let result = runner.run(deck::exec::plan::job(deck, p.id, &solved, settings.timeout), |_| {});
    let solution_checks = result.checks();
    let starter_checks = starter.checks();
    let (passed, total) = solution_checks.map_or((0, 0), |c| (c.passed, c.total));
    let starter_fails = starter_checks.map_or(0, |c| c.total - c.passed);
    deck::sayln!("exercise {name}: solution passes {passed}/{total} checks, starter fails {starter_fails}");
    let problem = if !solution_checks.is_some_and(deck::workshop::Checks::all_passed) {
        let tail: String = result
            .output
            .lines()
            .rev()
            .take(12)
            .collect::<Vec<_>>()
            .into_iter()
            .rev()
            .map(|l| format!("\n    {l}"))
            .collect();
        Some(format!("the solution of exercise `{name}` does not pass its checks{tail}"))
    } else if starter_fails == 0 {
        Some(format!("the starter of exercise `{name}` passes every check: the checks check nothing it leaves undone"))
    } else {
        None
    };
    let d = problem.map(|message| Diagnostic::error(&p.code.file, p.code.line, message));
    if let Some(d) = &d {
        deck::sayln!("{d}");
    }
    d
}

/// `deck export`: every slide step drawn as presented, to HTML or asciicast.
fn export(file: &Path, to: &Path, exec: Option<Settings>, size: (u16, u16), steps: bool) -> ExitCode {
    // Snippets may change the working directory: fix where the file goes first.
    let to = &std::path::absolute(to).unwrap_or_else(|_| to.to_path_buf());
    let deck = match load(file) {
        Ok(d) => d,
        Err(code) => return code,
    };
    let kind = to.extension().and_then(|e| e.to_str()).unwrap_or("");
    if !matches!(kind, "html" | "cast" | "ipynb" | "pdf") {
        eprintln!("error: cannot export to `{}`: use a .html, .cast, .ipynb or .pdf file name", to.display());
        return ExitCode::from(2);
    }
    let app = App::new(deck, None, false);
    let mut images = deck::render::ImageCache::new();
    let exec_allowed = exec.is_some();
    let outputs = match exec {
        Some(s) => deck::export::run_snippets(&app.deck, &s, &mut images),
        None => deck::exec::output::OutputStore::default(),
    };
    if deck::headless::interrupted() {
        eprintln!("interrupted: nothing written");
        return ExitCode::from(130);
    }
    let sizes = deck::render::live::ImageSizes::default();
    let live = deck::render::live::Live {
        outputs: &outputs,
        sizes: &sizes,
        colors: deck::export::status_colors(&app.theme),
        exec_allowed,
        // Exports have no terminal: cells of the usual 1:2 shape.
        cell: (10, 20),
        editing: None,
        edited: Vec::new(),
        focus: None,
    };
    // A PDF has a page per slide as finally revealed (every step with --steps).
    let last_steps = kind == "pdf" && !steps;
    let positions: Vec<(usize, usize)> = deck::export::positions(&app.deck)
        .into_iter()
        .filter(|(slide, step)| !last_steps || *step + 1 == app.deck.slides[*slide].steps.max(1))
        .collect();
    let frames: Vec<_> = positions
        .into_iter()
        .map(|p| deck::export::draw_position(&app.deck, &app.theme, &live, &mut images, p, size))
        .collect();
    let title = app.deck.meta.title.as_ref().map_or_else(|| file.display().to_string(), deck::model::Text::plain);
    let written = deck::export::write_atomically(to, &app.deck.path, |out| {
        if kind == "pdf" {
            let rgb = |c: Option<ratatui::style::Color>, d: (u8, u8, u8)| match c {
                Some(ratatui::style::Color::Rgb(r, g, b)) => (r, g, b),
                _ => d,
            };
            let colours = (rgb(app.theme.base.fg, (0xe6, 0xe6, 0xe6)), rgb(app.theme.base.bg, (0x1c, 0x1c, 0x1c)));
            let pdf = deck::export::pdf::write(&frames, &images, &title, colours).map_err(std::io::Error::other)?;
            return out.write_all(&pdf);
        }
        if kind == "ipynb" {
            let dir = to.parent().unwrap_or(Path::new("."));
            let notebook = deck::export::notebook::notebook(&app.deck, &outputs, &images, dir);
            serde_json::to_writer_pretty(&mut *out, &notebook).map_err(std::io::Error::other)?;
            return out.write_all(b"\n");
        }
        if kind == "cast" {
            deck::export::cast::write(
                out,
                &frames.iter().map(|f| f.buffer.clone()).collect::<Vec<_>>(),
                size,
                &title,
                2.0,
            )
        } else {
            let color = |c: Option<ratatui::style::Color>, d: &str| match c {
                Some(ratatui::style::Color::Rgb(r, g, b)) => format!("#{r:02x}{g:02x}{b:02x}"),
                _ => d.to_string(),
            };
            let (fg, bg) = (color(app.theme.base.fg, "#e6e6e6"), color(app.theme.base.bg, "#1c1c1c"));
            deck::export::html::write(out, &frames, &images, &title, &fg, &bg)
        }
    });
    match written {
        Ok(()) => {
            eprintln!("wrote {} ({} slides, {} steps)", to.display(), app.deck.slides.len(), frames.len());
            ExitCode::SUCCESS
        }
        Err(e) => {
            eprintln!("error: cannot write {}: {e}", to.display());
            ExitCode::from(1)
        }
    }
}

fn replay(file: &Path, exec: bool, slide: Option<usize>, from: usize, settings: Settings) -> ExitCode {
    if !exec {
        eprintln!("error: `deck run` runs the deck's code on your machine; pass -x to allow it");
        return ExitCode::from(2);
    }
    let deck = match load(file) {
        Ok(d) => d,
        Err(code) => return code,
    };
    for w in &deck.warnings {
        eprintln!("{}", w.headline());
    }
    let passed = deck::headless::replay(&deck, from, slide, &settings);
    if deck::headless::interrupted() {
        ExitCode::from(130)
    } else if passed {
        ExitCode::SUCCESS
    } else {
        ExitCode::from(1)
    }
}

/// Lint: every warning, plus slides that do not fit `size`, as `file:line: message` lines.
/// With execution settings, every snippet runs too.
fn check(file: &Path, size: (u16, u16), exec: Option<Settings>) -> ExitCode {
    let deck = match load(file) {
        Ok(d) => d,
        Err(code) => return code,
    };
    let app = App::new(deck, None, false);
    let mut problems: Vec<Diagnostic> = app.warnings.clone();
    problems.extend(deck::render::overflows(&app.deck, &app.theme, size));
    for p in &problems {
        deck::sayln!("{p}");
    }
    if let Some(settings) = exec {
        problems.extend(run_all(&app.deck, settings));
        if deck::headless::interrupted() {
            return ExitCode::from(130);
        }
    }
    let slides = app.deck.slides.len();
    if problems.is_empty() {
        deck::sayln!("{}: {slides} slides, no problems", file.display());
        ExitCode::SUCCESS
    } else {
        deck::sayln!("{}: {slides} slides, {} problems", file.display(), problems.len());
        ExitCode::from(1)
    }
}
