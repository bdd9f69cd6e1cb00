//! The talk's clock on the speaker's screen: time elapsed, or left when the talk has a
//! length (`--duration 30m`), with pause and reset. Times come in as arguments, so tests need
//! no waiting.

use std::time::{Duration, Instant};

#[derive(Debug, Clone)]
pub struct Timer {
    started: Instant,
    /// Paused since then.
    paused_at: Option<Instant>,
    /// Time spent paused before `paused_at`.
    paused: Duration,
    /// The talk's length: the timer counts down to it.
    pub duration: Option<Duration>,
}

impl Timer {
    pub fn new(now: Instant, duration: Option<Duration>) -> Self {
        Self { started: now, paused_at: None, paused: Duration::ZERO, duration }
    }

    /// Time the talk has been running, pauses left out.
    pub fn elapsed(&self, now: Instant) -> Duration {
        let until = self.paused_at.unwrap_or(now);
        until.saturating_duration_since(self.started).saturating_sub(self.paused)
    }

    pub fn is_paused(&self) -> bool {
        self.paused_at.is_some()
    }

    /// Pause, or go on from where it was paused.
    pub fn toggle_pause(&mut self, now: Instant) {
        match self.paused_at.take() {
            Some(at) => self.paused += now.saturating_duration_since(at),
            None => self.paused_at = Some(now),
        }
    }

    /// Start again from zero (paused stays paused, at zero).
    pub fn reset(&mut self, now: Instant) {
        let paused = self.is_paused();
        *self = Self::new(now, self.duration);
        if paused {
            self.paused_at = Some(now);
        }
    }

    /// What the speaker reads: `12:34 elapsed`, `17:26 left`, or `02:10 over`; `(paused)` after.
    pub fn text(&self, now: Instant) -> String {
        let elapsed = self.elapsed(now);
        let mut text = match self.duration {
            None => format!("{} elapsed", clock(elapsed)),
            Some(total) if elapsed <= total => format!("{} left", clock(total.saturating_sub(elapsed))),
            Some(total) => format!("{} over", clock(elapsed.saturating_sub(total))),
        };
        if self.is_paused() {
            text.push_str(" (paused)");
        }
        text
    }

    /// Past the talk's length.
    pub fn over(&self, now: Instant) -> bool {
        self.duration.is_some_and(|total| self.elapsed(now) > total)
    }
}

/// `MM:SS`, or `H:MM:SS` from an hour on.
fn clock(d: Duration) -> String {
    let s = d.as_secs();
    if s >= 3600 {
        format!("{}:{:02}:{:02}", s / 3600, (s / 60) % 60, s % 60)
    } else {
        format!("{:02}:{:02}", s / 60, s % 60)
    }
}

/// `30m`, `1h30m`, `90s`, `45` (minutes): a talk's length.
pub fn parse_duration(text: &str) -> Result<Duration, String> {
    let text = text.trim();
    if let Ok(minutes) = text.parse::<u64>() {
        return Ok(Duration::from_secs(minutes * 60));
    }
    let mut total = 0u64;
    let mut number = String::new();
    for c in text.chars() {
        match c {
            '0'..='9' => number.push(c),
            'h' | 'm' | 's' if !number.is_empty() => {
                let n: u64 = number.parse().map_err(|_| format!("`{text}`: number too large"))?;
                total += n * match c {
                    'h' => 3600,
                    'm' => 60,
                    _ => 1,
                };
                number.clear();
            }
            _ => return Err(format!("`{text}` is not a length: write e.g. 30m, 1h15m or 90s")),
        }
    }
    if !number.is_empty() || total == 0 {
        return Err(format!("`{text}` is not a length: write e.g. 30m, 1h15m or 90s"));
    }
    Ok(Duration::from_secs(total))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn pause_stops_the_clock_and_reset_starts_it_again() {
        let t0 = Instant::now();
        let at = |s: u64| t0 + Duration::from_secs(s);
        let mut timer = Timer::new(t0, None);
        assert_eq!(timer.text(at(65)), "01:05 elapsed");
        timer.toggle_pause(at(65));
        assert_eq!(timer.text(at(200)), "01:05 elapsed (paused)");
        timer.toggle_pause(at(200));
        assert_eq!(timer.text(at(210)), "01:15 elapsed");
        timer.reset(at(300));
        assert_eq!(timer.text(at(303)), "00:03 elapsed");
    }

    #[test]
    fn a_talk_with_a_length_counts_down_then_over() {
        let t0 = Instant::now();
        let timer = Timer::new(t0, Some(parse_duration("30m").unwrap()));
        assert_eq!(timer.text(t0 + Duration::from_secs(60)), "29:00 left");
        assert!(!timer.over(t0 + Duration::from_secs(1800)));
        assert_eq!(timer.text(t0 + Duration::from_secs(1930)), "02:10 over");
        assert!(timer.over(t0 + Duration::from_secs(1930)));
    }

    #[test]
    fn lengths_read_as_people_write_them() {
        assert_eq!(parse_duration("30m"), Ok(Duration::from_secs(1800)));
        assert_eq!(parse_duration("1h15m"), Ok(Duration::from_secs(4500)));
        assert_eq!(parse_duration("90s"), Ok(Duration::from_secs(90)));
        assert_eq!(parse_duration("45"), Ok(Duration::from_secs(2700)));
        assert!(parse_duration("half an hour").is_err());
        assert!(parse_duration("30x").is_err());
        assert!(parse_duration("0m").is_err());
    }
}
