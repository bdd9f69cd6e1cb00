//! Large sieving primes, those past a segment's length, cross off at most a few numbers per
//! segment and none in most. Visiting every one of them in every segment would cost more than
//! the crossing off, so each waits in the bucket of the segment holding its next multiple and
//! is seen only there (the bucket sieve of Tomás Oliveira e Silva, as primesieve does it).

use super::wheel::{Prime, WHEEL, bit_of};

/// Gaps between the wheel's residues, the last one into the next turn (29 -> 31).
const GAP: [u64; 8] = [6, 4, 2, 4, 2, 4, 6, 2];

/// For a prime ≡ R (mod 30), row bit_of(R): the carry of R·gap into the next byte, per step.
const CARRY: [[u64; 8]; 8] = {
    let mut t = [[0; 8]; 8];
    let mut i = 0;
    while i < 8 {
        let r = WHEEL[i];
        let mut j = 0;
        while j < 8 {
            let next = if j == 7 { 31 } else { WHEEL[j + 1] };
            t[i][j] = r * next / 30 - r * WHEEL[j] / 30;
            j += 1;
        }
        i += 1;
    }
    t
};

/// For a prime ≡ R (mod 30), row bit_of(R): the mask clearing the multiple at step j.
const MASK: [[u8; 8]; 8] = {
    let mut t = [[0; 8]; 8];
    let mut i = 0;
    while i < 8 {
        let mut j = 0;
        while j < 8 {
            t[i][j] = !(1 << bit_of(WHEEL[i] * WHEEL[j] % 30));
            j += 1;
        }
        i += 1;
    }
    t
};

/// A large prime waiting for its next multiple: byte `at`, wheel step `j`.
#[derive(Clone, Copy)]
struct Waiting {
    at: u64,
    p: u32,
    class: u8,
    j: u8,
}

/// The large primes of one chunk of consecutive segments.
pub(super) struct Buckets {
    /// First multiples not yet reached, in order: a prime joins the ring at its first segment.
    starting: Vec<Waiting>,
    next_start: usize,
    /// Bucket i % len holds the primes whose next multiple is in segment i of the chunk; the
    /// ring is long enough that no prime jumps past it.
    ring: Vec<Vec<Waiting>>,
    chunk_start: u64,
    chunk_end: u64,
    segment_bytes: u64,
}

impl Buckets {
    /// For the chunk of bytes [chunk_start, chunk_end) in segments of `segment_bytes`.
    pub(super) fn new(primes: &[u64], chunk_start: u64, chunk_end: u64, segment_bytes: u64) -> Self {
        let mut starting: Vec<Waiting> = primes
            .iter()
            .take_while(|&&p| p * p / 30 < chunk_end)
            .map(|&p| {
                let first = Prime::at(p, chunk_start);
                let class = bit_of(p % 30) as u8;
                Waiting { at: first.byte(), p: p as u32, class, j: first.j as u8 }
            })
            .filter(|w| w.at < chunk_end)
            .collect();
        starting.sort_unstable_by_key(|w| w.at);
        // The longest jump between multiples is p·6/30 bytes.
        let largest = primes.last().copied().unwrap_or(0);
        let ring_len = (largest / 5 + 1) / segment_bytes + 2;
        Self {
            starting,
            next_start: 0,
            ring: vec![Vec::new(); ring_len as usize],
            chunk_start,
            chunk_end,
            segment_bytes,
        }
    }

    /// Clears the large primes' multiples in `seg`, which starts at byte `b0` (segments come
    /// in order), and files each prime under the segment of its next multiple.
    pub(super) fn clear(&mut self, seg: &mut [u8], b0: u64) {
        let ring_len = self.ring.len() as u64;
        let slot = ((b0 - self.chunk_start) / self.segment_bytes % ring_len) as usize;
        let seg_end = b0 + seg.len() as u64;
        let mut due = std::mem::take(&mut self.ring[slot]);
        while let Some(w) = self.starting.get(self.next_start).filter(|w| w.at < seg_end) {
            due.push(*w);
            self.next_start += 1;
        }
        for w in due.drain(..) {
            let (a, class) = (u64::from(w.p) / 30, w.class as usize);
            let (mut at, mut j) = (w.at, w.j as usize);
            while at < seg_end {
                seg[(at - b0) as usize] &= MASK[class][j];
                at += a * GAP[j] + CARRY[class][j];
                j = (j + 1) & 7;
            }
            if at < self.chunk_end {
                let later = ((at - self.chunk_start) / self.segment_bytes % ring_len) as usize;
                self.ring[later].push(Waiting { at, j: j as u8, ..w });
            }
        }
        // Nothing lands in this slot while it is processed (no jump spans the ring): keep the
        // allocation for the segment that comes round to it next.
        debug_assert!(self.ring[slot].is_empty());
        self.ring[slot] = due;
    }
}
