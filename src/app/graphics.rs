//! What the terminal can draw, asked once at start: the graphics protocol (kitty, sixel,
//! iTerm2, else half-blocks), the size of a cell in pixels, whether a kitty is too old for the
//! picture placement ratatui-image uses, and whether links may be made clickable.

use std::io::{IsTerminal, Write};
use std::time::{Duration, Instant};

use ratatui_image::picker::cap_parser::QueryStdioOptions;
use ratatui_image::picker::{Picker, ProtocolType};

/// A terminal that answers at all answers in a few milliseconds, even over SSH.
const QUERY_TIMEOUT: Duration = Duration::from_millis(500);

/// What the terminal told us.
pub struct Graphics {
    pub picker: Picker,
    /// kitty older than 0.28: no unicode placeholders, so pictures are placed directly.
    pub kitty_direct: bool,
}

/// Ask the terminal. Raw mode and the alternate screen must be on, and nothing else may read
/// stdin yet (the input thread starts after). `None`: half-blocks (not a terminal, inside
/// tmux, which passes no pictures through by default, or `DECK_GRAPHICS=halfblocks`).
pub fn query() -> Option<Graphics> {
    let forced = std::env::var("DECK_GRAPHICS").ok();
    if forced.as_deref() == Some("halfblocks")
        || !std::io::stdin().is_terminal()
        || std::env::var_os("TMUX").is_some()
        || matches!(std::env::var("TERM").as_deref(), Ok("dumb" | "linux"))
    {
        return None;
    }
    let started = Instant::now();
    let options = QueryStdioOptions { timeout: QUERY_TIMEOUT, ..QueryStdioOptions::default() };
    let mut picker = Picker::from_query_stdio_with_options(options).ok()?;
    if started.elapsed() >= QUERY_TIMEOUT {
        // Nothing answered: ratatui-image's reader is still waiting on stdin. A status request
        // makes any terminal answer, which ends it, rather than it eating the first key.
        let mut out = std::io::stdout();
        let _ = out.write_all(b"\x1b[5n").and_then(|()| out.flush());
        return None;
    }
    // iTerm2 answers the kitty probe without drawing kitty placeholders.
    let iterm = ["TERM_PROGRAM", "LC_TERMINAL"].iter().any(|v| std::env::var(v).is_ok_and(|t| t.contains("iTerm")));
    if iterm {
        picker.set_protocol_type(ProtocolType::Iterm2);
    }
    let kitty_direct = picker.protocol_type() == ProtocolType::Kitty && !kitty_has_placeholders();
    Some(Graphics { picker, kitty_direct })
}

/// Whether to make links clickable (OSC 8). Terminals that do not know the sequence ignore
/// it; the Linux console and `dumb` ones print it, and `DECK_HYPERLINKS=0` turns it off.
pub fn hyperlinks() -> bool {
    std::env::var("DECK_HYPERLINKS").as_deref() != Ok("0")
        && !matches!(std::env::var("TERM").as_deref(), Ok("dumb" | "linux"))
}

/// The terminal's pixels per cell from the window size (`TIOCGWINSZ`), when it reports them.
pub fn cell_pixels() -> Option<(u16, u16)> {
    let size = crossterm::terminal::window_size().ok()?;
    (size.width > 0 && size.height > 0 && size.columns > 0 && size.rows > 0)
        .then(|| (size.width / size.columns, size.height / size.rows))
        .filter(|(w, h)| *w > 0 && *h > 0)
}

/// kitty draws the unicode placeholders ratatui-image places pictures with from 0.28 on. Its
/// version comes from XTVERSION (`kitty(0.26.5)`, kitty 0.21.2 and later); no answer from a
/// kitty at all means one older still.
fn kitty_has_placeholders() -> bool {
    match xtversion() {
        Some(name) => match kitty_version(&name) {
            Some(version) => version >= (0, 28),
            None => true, // another terminal speaking kitty's protocol (ghostty, ...)
        },
        None => std::env::var("TERM").as_deref() != Ok("xterm-kitty"),
    }
}

/// `kitty(0.26.5)` → (0, 26).
fn kitty_version(name: &str) -> Option<(u32, u32)> {
    let inner = name.strip_prefix("kitty(")?.split(')').next()?;
    let mut parts = inner.split('.').map(|p| p.parse::<u32>().ok());
    Some((parts.next()??, parts.next()??))
}

/// The terminal's XTVERSION answer (`ESC P >| name ESC \`), read straight from the tty.
fn xtversion() -> Option<String> {
    use rustix::event::{PollFd, PollFlags, Timespec, poll};
    let mut out = std::io::stdout();
    // The status request last: every terminal answers it, so its answer ends the wait.
    out.write_all(b"\x1b[>0q\x1b[5n").ok()?;
    out.flush().ok()?;
    let stdin = std::io::stdin();
    let mut answer = Vec::new();
    let deadline = Instant::now() + QUERY_TIMEOUT;
    while !answer.ends_with(b"\x1b[0n") {
        let left = deadline.checked_duration_since(Instant::now())?;
        let timeout = Timespec { tv_sec: left.as_secs() as i64, tv_nsec: i64::from(left.subsec_nanos()) };
        let mut fds = [PollFd::new(&stdin, PollFlags::IN)];
        if poll(&mut fds, Some(&timeout)).ok()? == 0 {
            return None;
        }
        let mut buf = [0u8; 256];
        let n = rustix::io::read(&stdin, &mut buf).ok()?;
        if n == 0 {
            return None;
        }
        answer.extend_from_slice(&buf[..n]);
    }
    let text = String::from_utf8_lossy(&answer);
    let start = text.find("\x1bP>|")? + 4;
    let end = text[start..].find('\x1b')? + start;
    Some(text[start..end].to_string())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn kitty_versions_are_read_from_xtversion() {
        assert_eq!(kitty_version("kitty(0.26.5)"), Some((0, 26)));
        assert_eq!(kitty_version("kitty(0.31.0)"), Some((0, 31)));
        assert_eq!(kitty_version("XTerm(379)"), None);
    }
}
