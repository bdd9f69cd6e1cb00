//! The wheel of 30. Only numbers coprime to 30 can be prime past 5, and there are 8 of them
//! in every 30 (1, 7, 11, 13, 17, 19, 23, 29), so one byte holds 30 numbers, a bit each.
//! A prime p ≡ R (mod 30) has the same 8 byte offsets and bit masks in every turn of p
//! bytes, so clearing its multiples is an unrolled loop of eight, specialised per residue
//! class so that the masks are constants.

/// The residues mod 30 that a byte's bits stand for, bit 0 first.
pub(super) const WHEEL: [u64; 8] = [1, 7, 11, 13, 17, 19, 23, 29];

/// The bit standing for residue r mod 30 (r coprime to 30).
pub(super) const fn bit_of(r: u64) -> u32 {
    match r {
        1 => 0,
        7 => 1,
        11 => 2,
        13 => 3,
        17 => 4,
        19 => 5,
        23 => 6,
        _ => 7, // 29
    }
}

/// Where a sieving prime p stands: its next multiple to clear is p·(30c + WHEEL[j]), which
/// lies in byte `cycle + offset_j` with cycle = p·c.
#[derive(Clone, Copy)]
pub(super) struct Prime {
    pub p: u64,
    pub cycle: u64,
    pub j: usize,
}

impl Prime {
    /// Ready to clear the multiples of p from byte `b0` on, starting no lower than p².
    pub(super) fn at(p: u64, b0: u64) -> Self {
        let m = p.max((30 * b0).div_ceil(p));
        let (mut c, rem) = (m / 30, m % 30);
        let j = if let Some(j) = WHEEL.iter().position(|&w| w >= rem) {
            j
        } else {
            c += 1;
            0
        };
        Self { p, cycle: p * c, j }
    }

    /// The byte of the next multiple.
    pub(super) fn byte(&self) -> u64 {
        let (a, r) = (self.p / 30, self.p % 30);
        self.cycle + a * WHEEL[self.j] + r * WHEEL[self.j] / 30
    }
}

/// Clears the multiples of one prime ≡ R (mod 30) within `seg`, which starts at byte `b0`.
/// Every prime of a residue class shares the masks, so they are constants here.
#[allow(clippy::inline_always, reason = "the innermost loop: measured faster inlined")]
#[inline(always)]
fn clear_multiples<const R: u64>(seg: &mut [u8], b0: u64, prime: &mut Prime) {
    let p = prime.p as isize;
    let a = prime.p / 30;
    let off = |j: usize| (a * WHEEL[j] + R * WHEEL[j] / 30) as isize;
    let mask = |j: usize| !(1u8 << bit_of(R * WHEEL[j] % 30));
    let (o0, o1, o2, o3, o4, o5, o6, o7) = (off(0), off(1), off(2), off(3), off(4), off(5), off(6), off(7));
    let (m0, m1, m2, m3, m4, m5, m6, m7) = (mask(0), mask(1), mask(2), mask(3), mask(4), mask(5), mask(6), mask(7));
    let offsets = [o0, o1, o2, o3, o4, o5, o6, o7];
    let masks = [m0, m1, m2, m3, m4, m5, m6, m7];
    let len = seg.len() as isize;
    // Relative to the segment; may be below 0 while the turn's first multiples lie behind.
    let mut cycle = prime.cycle as isize - b0 as isize;
    let mut j = prime.j;
    let base = seg.as_mut_ptr();
    // Finish the turn the prime stopped in, then whole turns, then the start of the last.
    loop {
        while j < 8 {
            let i = cycle + offsets[j];
            if i >= len {
                prime.cycle = (cycle + b0 as isize) as u64;
                prime.j = j;
                return;
            }
            // SAFETY: 0 <= i (the prime's next multiple is never behind b0) and i < len.
            unsafe { *base.offset(i) &= masks[j] };
            j += 1;
        }
        cycle += p;
        j = 0;
        while cycle + o7 < len {
            // SAFETY: 0 <= cycle + o0 (cycle >= 0 after a whole turn) and every offset <= o7.
            unsafe {
                let at = base.offset(cycle);
                *at.offset(o0) &= m0;
                *at.offset(o1) &= m1;
                *at.offset(o2) &= m2;
                *at.offset(o3) &= m3;
                *at.offset(o4) &= m4;
                *at.offset(o5) &= m5;
                *at.offset(o6) &= m6;
                *at.offset(o7) &= m7;
            }
            cycle += p;
        }
    }
}

/// Sieving primes grouped by residue mod 30, so each group runs one specialised loop.
pub(super) struct Primes([Vec<Prime>; 8]);

impl Primes {
    pub(super) fn at(primes: &[u64], b0: u64) -> Self {
        let mut groups: [Vec<Prime>; 8] = Default::default();
        for &p in primes {
            groups[bit_of(p % 30) as usize].push(Prime::at(p, b0));
        }
        Self(groups)
    }

    /// Every multiple, p itself included: for a pattern of small primes.
    pub(super) fn from_one(primes: &[u64]) -> Self {
        let mut groups: [Vec<Prime>; 8] = Default::default();
        for &p in primes {
            groups[bit_of(p % 30) as usize].push(Prime { p, cycle: 0, j: 0 });
        }
        Self(groups)
    }

    /// Clears the multiples in `seg`, which starts at byte `b0`; segments come in order.
    pub(super) fn clear(&mut self, seg: &mut [u8], b0: u64) {
        fn each<const R: u64>(group: &mut [Prime], seg: &mut [u8], b0: u64) {
            for prime in group {
                clear_multiples::<R>(seg, b0, prime);
            }
        }
        let [g1, g7, g11, g13, g17, g19, g23, g29] = &mut self.0;
        each::<1>(g1, seg, b0);
        each::<7>(g7, seg, b0);
        each::<11>(g11, seg, b0);
        each::<13>(g13, seg, b0);
        each::<17>(g17, seg, b0);
        each::<19>(g19, seg, b0);
        each::<23>(g23, seg, b0);
        each::<29>(g29, seg, b0);
    }
}
