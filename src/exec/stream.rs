//! Output on its way from a snippet's pipe to the screen, bounded and batched at the source: a
//! reader pushes what it reads, a sender delivers it at most every `INTERVAL`, and when a
//! snippet prints faster than that (`yes`), only the last `CAP` bytes wait, the rest counted as
//! dropped lines. Memory stays bounded and the event loop never drains a backlog.

use std::collections::VecDeque;
use std::sync::{Arc, Condvar, Mutex};
use std::thread::JoinHandle;
use std::time::Duration;

/// At most one delivery per stream this often.
const INTERVAL: Duration = Duration::from_millis(40);
/// What may wait for the next delivery.
const CAP: usize = 64 * 1024;

/// What a delivery carries, in the order it was read.
#[derive(Debug, PartialEq)]
pub enum Item<M> {
    Text(String),
    /// Lines printed but never delivered (too many too fast).
    Dropped(usize),
    /// A marker the reader passes along in order (the Python worker's job ends).
    Mark(M),
}

struct State<M> {
    items: VecDeque<Item<M>>,
    bytes: usize,
    closed: bool,
}

/// The reader's end; the sender thread runs until `finish`.
pub struct Batcher<M: Send + 'static> {
    shared: Arc<(Mutex<State<M>>, Condvar)>,
    sender: Option<JoinHandle<()>>,
}

impl<M: Send + 'static> Batcher<M> {
    /// `deliver` gets each batch on the sender thread.
    pub fn new(mut deliver: impl FnMut(Vec<Item<M>>) + Send + 'static) -> Self {
        let shared = Arc::new((Mutex::new(State { items: VecDeque::new(), bytes: 0, closed: false }), Condvar::new()));
        let theirs = shared.clone();
        let sender = std::thread::spawn(move || {
            let (lock, wake) = &*theirs;
            loop {
                let (batch, closed) = {
                    let mut state = lock.lock().expect("lock");
                    while state.items.is_empty() && !state.closed {
                        state = wake.wait(state).expect("lock");
                    }
                    state.bytes = 0;
                    (state.items.drain(..).collect::<Vec<_>>(), state.closed)
                };
                if !batch.is_empty() {
                    deliver(batch);
                }
                if closed {
                    return;
                }
                std::thread::sleep(INTERVAL);
            }
        });
        Self { shared, sender: Some(sender) }
    }

    pub fn text(&self, text: String) {
        if text.is_empty() {
            return;
        }
        let (lock, wake) = &*self.shared;
        let mut state = lock.lock().expect("lock");
        state.bytes += text.len();
        state.items.push_back(Item::Text(text));
        if state.bytes > CAP {
            drop_oldest(&mut state);
        }
        wake.notify_one();
    }

    pub fn mark(&self, mark: M) {
        let (lock, wake) = &*self.shared;
        lock.lock().expect("lock").items.push_back(Item::Mark(mark));
        wake.notify_one();
    }

    /// Deliver what is left and stop the sender; returns once all is delivered.
    pub fn finish(mut self) {
        self.close();
    }

    fn close(&mut self) {
        let (lock, wake) = &*self.shared;
        lock.lock().expect("lock").closed = true;
        wake.notify_one();
        if let Some(sender) = self.sender.take() {
            let _ = sender.join();
        }
    }
}

impl<M: Send + 'static> Drop for Batcher<M> {
    fn drop(&mut self) {
        self.close();
    }
}

/// Drop the oldest text until what waits fits, whole lines where possible; marks stay.
fn drop_oldest<M>(state: &mut State<M>) {
    let mut dropped_lines = 0;
    let mut cut_mid_line = false;
    let mut i = 0;
    while state.bytes > CAP / 2 && i < state.items.len() {
        if let Item::Text(t) = &state.items[i] {
            dropped_lines += t.bytes().filter(|&b| b == b'\n').count();
            cut_mid_line = !t.ends_with('\n');
            state.bytes -= t.len();
            state.items.remove(i);
        } else {
            i += 1;
        }
    }
    // Start at a line's beginning: the rest of a cut line goes too.
    if cut_mid_line
        && let Some(Item::Text(t)) = state.items.iter_mut().find(|item| matches!(item, Item::Text(_)))
        && let Some(nl) = t.find('\n')
    {
        state.bytes -= nl + 1;
        t.drain(..=nl);
        dropped_lines += 1;
    }
    if dropped_lines > 0 {
        // Merge with a drop count already at the front.
        if let Some(Item::Dropped(n)) = state.items.front_mut() {
            *n += dropped_lines;
        } else {
            state.items.push_front(Item::Dropped(dropped_lines));
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn collect(feed: impl FnOnce(&Batcher<u8>)) -> Vec<Item<u8>> {
        let got = Arc::new(Mutex::new(Vec::new()));
        let sink = got.clone();
        let b = Batcher::new(move |batch| sink.lock().unwrap().extend(batch));
        feed(&b);
        b.finish();
        std::mem::take(&mut *got.lock().unwrap())
    }

    #[test]
    fn small_output_arrives_whole_and_in_order() {
        let items = collect(|b| {
            b.text("one\n".into());
            b.mark(1);
            b.text("two\n".into());
        });
        let text: Vec<String> = items
            .iter()
            .map(|i| match i {
                Item::Text(t) => t.clone(),
                Item::Mark(m) => format!("<{m}>"),
                Item::Dropped(n) => format!("[{n}]"),
            })
            .collect();
        assert_eq!(text.concat(), "one\n<1>two\n");
    }

    #[test]
    fn a_flood_keeps_a_bounded_tail_and_counts_the_rest() {
        let lines = 1_000_000;
        let items = collect(|b| {
            for i in 0..lines {
                b.text(format!("{i}\n"));
            }
            b.mark(9);
        });
        let dropped: usize = items.iter().map(|i| if let Item::Dropped(n) = i { *n } else { 0 }).sum();
        let kept: String =
            items.iter().filter_map(|i| if let Item::Text(t) = i { Some(t.as_str()) } else { None }).collect();
        assert!(dropped > 0, "a flood drops lines");
        assert_eq!(dropped + kept.lines().count(), lines, "every line is either delivered or counted");
        assert!(kept.ends_with(&format!("{}\n", lines - 1)), "the last line arrives");
        assert_eq!(items.last(), Some(&Item::Mark(9)), "marks are never dropped");
    }
}
