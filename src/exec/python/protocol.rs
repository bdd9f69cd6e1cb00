//! What the presenter and its Python worker say to each other over their socket: one JSON
//! object per line, a picture's pixels as raw bytes right after its line. What snippets print
//! does not travel here: it goes through the worker's stdout and stderr, each ended for a job
//! by a sync mark so that nothing printed is reported after the job's end.

use std::io::{self, BufRead, Write};

use serde::{Deserialize, Serialize};

use crate::exec::{Job, SnippetId};

/// Presenter → worker.
#[derive(Debug, Serialize, Deserialize)]
pub enum ToWorker {
    Run(Job),
}

/// How a snippet ended, as the worker sees it (timeouts and stops are the presenter's).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub enum Ended {
    Ok,
    Failed,
    Exit(i32),
    Interrupted,
}

/// Worker → presenter.
#[derive(Debug, Serialize, Deserialize)]
pub enum FromWorker {
    /// The interpreter is up; jobs may come.
    Ready,
    /// Text the worker reports itself (a final value, a traceback), after what the job printed.
    Text { id: SnippetId, text: String, stderr: bool },
    /// A picture: `len` bytes of pixels in `mode` (L, LA, RGB, RGBA) follow the line.
    Image { id: SnippetId, width: u32, height: u32, mode: String, len: usize },
    /// The job is over; its output up to `sync` on stdout and stderr belongs to it.
    Finished { id: SnippetId, ended: Ended, sync: u64 },
}

/// The mark the worker writes on stdout and stderr after job number `n`.
pub fn sync_mark(n: u64) -> String {
    format!("{SYNC_PREFIX}{n}\u{0}")
}

pub const SYNC_PREFIX: &str = "\u{0}\u{1}deck-sync:";

pub fn send(out: &mut impl Write, msg: &impl Serialize, payload: Option<&[u8]>) -> io::Result<()> {
    let mut line = serde_json::to_vec(msg).map_err(io::Error::other)?;
    line.push(b'\n');
    out.write_all(&line)?;
    if let Some(bytes) = payload {
        out.write_all(bytes)?;
    }
    out.flush()
}

/// The next message (a picture's pixels, `len` bytes, are the caller's to read); `None` at
/// the end of the stream.
pub fn receive<T: for<'de> Deserialize<'de>>(input: &mut impl BufRead) -> io::Result<Option<T>> {
    let mut line = String::new();
    if input.read_line(&mut line)? == 0 {
        return Ok(None);
    }
    serde_json::from_str(&line).map(Some).map_err(io::Error::other)
}

/// Splits a stream of text at sync marks: what comes before a mark, then the mark's number.
#[derive(Default)]
pub struct SyncSplitter {
    carry: String,
}

pub enum Piece {
    Text(String),
    Sync(u64),
    /// Lines printed too fast to show (counted where the output is batched).
    Dropped(usize),
}

impl SyncSplitter {
    pub fn feed(&mut self, text: &str) -> Vec<Piece> {
        self.carry.push_str(text);
        let mut pieces = Vec::new();
        while let Some(at) = self.carry.find(SYNC_PREFIX) {
            let rest = &self.carry[at + SYNC_PREFIX.len()..];
            let Some(end) = rest.find('\u{0}') else { break };
            let n = rest[..end].parse().unwrap_or(0);
            if at > 0 {
                pieces.push(Piece::Text(self.carry[..at].to_string()));
            }
            pieces.push(Piece::Sync(n));
            self.carry.drain(..=at + SYNC_PREFIX.len() + end);
        }
        // Hold back only what could be the start of a mark.
        let keep = longest_prefix_suffix(&self.carry, SYNC_PREFIX);
        let keep = if let Some(at) = self.carry.find(SYNC_PREFIX) { self.carry.len() - at } else { keep };
        let cut = self.carry.len() - keep;
        if cut > 0 {
            pieces.push(Piece::Text(self.carry[..cut].to_string()));
            self.carry.drain(..cut);
        }
        pieces
    }
}

/// The length of the longest end of `text` that is a beginning of `mark`.
fn longest_prefix_suffix(text: &str, mark: &str) -> usize {
    (1..mark.len().min(text.len() + 1))
        .rev()
        .find(|&n| text.is_char_boundary(text.len() - n) && mark.starts_with(&text[text.len() - n..]))
        .unwrap_or(0)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn texts(pieces: &[Piece]) -> String {
        pieces
            .iter()
            .map(|p| match p {
                Piece::Text(t) => t.clone(),
                Piece::Sync(n) => format!("<{n}>"),
                Piece::Dropped(n) => format!("[{n}]"),
            })
            .collect()
    }

    #[test]
    fn marks_split_across_reads_are_found() {
        let mut s = SyncSplitter::default();
        let all = format!("hello\n{}world", sync_mark(7));
        let (a, b) = all.split_at(9);
        let mut out = s.feed(a);
        out.extend(s.feed(b));
        assert_eq!(texts(&out), "hello\n<7>world");
    }

    #[test]
    fn text_without_marks_passes_at_once() {
        let mut s = SyncSplitter::default();
        assert_eq!(texts(&s.feed("plain\n")), "plain\n");
    }
}
