//! asciicast v2: a header line, then `[time, "o", data]` events. `export` steps through every
//! slide and pause; `Recorder` records the live presentation with its real timings.

use std::io::Write;
use std::path::{Path, PathBuf};
use std::time::Instant;

use ratatui::buffer::Buffer;

use super::buffer_to_ansi;

pub fn header(width: u16, height: u16, title: &str) -> String {
    let ts = std::time::SystemTime::now().duration_since(std::time::UNIX_EPOCH).map_or(0, |d| d.as_secs());
    serde_json::json!({"version": 2, "width": width, "height": height, "timestamp": ts, "title": title, "env": {"TERM": "xterm-256color"}}).to_string()
}

pub fn event(t: f64, data: &str) -> String {
    serde_json::json!([(t * 1000.0).round() / 1000.0, "o", data]).to_string()
}

/// Frames `seconds_per_step` apart, one per slide step.
pub fn write(
    out: &mut dyn Write,
    frames: &[Buffer],
    size: (u16, u16),
    title: &str,
    seconds_per_step: f64,
) -> std::io::Result<()> {
    writeln!(out, "{}", header(size.0, size.1, title))?;
    writeln!(out, "{}", event(0.0, "\x1b[?25l\x1b[2J"))?;
    for (i, frame) in frames.iter().enumerate() {
        writeln!(out, "{}", event(i as f64 * seconds_per_step + 0.001, &buffer_to_ansi(frame)))?;
    }
    // The player's terminal gets its cursor back when the recording ends.
    writeln!(out, "{}", event(frames.len() as f64 * seconds_per_step, "\x1b[?25h"))?;
    Ok(())
}

/// Records what the presenter draws, frame by frame, with real timings; the recording is
/// written to a temporary file and renamed into place when the presentation ends.
pub struct Recorder {
    target: PathBuf,
    tmp: PathBuf,
    file: std::io::BufWriter<std::fs::File>,
    start: Instant,
    last: Option<Buffer>,
}

impl Recorder {
    pub fn create(target: &Path, size: (u16, u16), title: &str) -> std::io::Result<Self> {
        let dir = target.parent().filter(|p| !p.as_os_str().is_empty()).unwrap_or(Path::new("."));
        let tmp = dir.join(format!(
            ".{}.partial-{}",
            target.file_name().map(|f| f.to_string_lossy()).unwrap_or_default(),
            std::process::id()
        ));
        let mut file = std::io::BufWriter::new(std::fs::File::create(&tmp)?);
        writeln!(file, "{}", header(size.0, size.1, title))?;
        Ok(Self { target: target.to_path_buf(), tmp, file, start: Instant::now(), last: None })
    }

    /// A drawn frame: recorded when it differs from the previous one.
    pub fn frame(&mut self, buf: &Buffer) {
        if self.last.as_ref() == Some(buf) {
            return;
        }
        let _ = writeln!(self.file, "{}", event(self.start.elapsed().as_secs_f64(), &buffer_to_ansi(buf)));
        self.last = Some(buf.clone());
    }

    pub fn finish(mut self) -> std::io::Result<()> {
        self.file.flush()?;
        std::fs::rename(&self.tmp, &self.target)
    }
}
