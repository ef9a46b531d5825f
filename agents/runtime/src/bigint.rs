//! Arbitrary-precision integers for Python's `int`.
//!
//! Python ints are unbounded.  The runtime keeps small ints inline in
//! `Value::Int(i64)` and promotes to this type on overflow; every result is
//! demoted again when it fits (see `ops::int_from_big`).  The representation
//! is sign + magnitude with little-endian u32 limbs, normalised so that zero
//! is an empty magnitude with `neg == false`.  Schoolbook multiplication and
//! Knuth's algorithm D are plenty for the sizes real programs print.

use std::cmp::Ordering;

#[derive(Clone, Debug, PartialEq, Eq)]
pub struct BigInt {
    pub neg: bool,
    pub mag: Vec<u32>,
}

fn trim(v: &mut Vec<u32>) {
    while let Some(&0) = v.last() {
        v.pop();
    }
}

pub fn cmp_mag(a: &[u32], b: &[u32]) -> Ordering {
    if a.len() != b.len() {
        return a.len().cmp(&b.len());
    }
    for i in (0..a.len()).rev() {
        if a[i] != b[i] {
            return a[i].cmp(&b[i]);
        }
    }
    Ordering::Equal
}

fn add_mag(a: &[u32], b: &[u32]) -> Vec<u32> {
    let (a, b) = if a.len() >= b.len() { (a, b) } else { (b, a) };
    let mut r = Vec::with_capacity(a.len() + 1);
    let mut carry = 0u64;
    for i in 0..a.len() {
        let s = a[i] as u64 + if i < b.len() { b[i] as u64 } else { 0 } + carry;
        r.push(s as u32);
        carry = s >> 32;
    }
    if carry != 0 {
        r.push(carry as u32);
    }
    r
}

/// a - b, requires |a| >= |b|
fn sub_mag(a: &[u32], b: &[u32]) -> Vec<u32> {
    let mut r = Vec::with_capacity(a.len());
    let mut borrow = 0i64;
    for i in 0..a.len() {
        let mut t = a[i] as i64 - borrow - if i < b.len() { b[i] as i64 } else { 0 };
        if t < 0 {
            t += 1 << 32;
            borrow = 1;
        } else {
            borrow = 0;
        }
        r.push(t as u32);
    }
    trim(&mut r);
    r
}

fn mul_mag(a: &[u32], b: &[u32]) -> Vec<u32> {
    if a.is_empty() || b.is_empty() {
        return Vec::new();
    }
    let mut r = vec![0u32; a.len() + b.len()];
    for i in 0..a.len() {
        let mut carry = 0u64;
        let ai = a[i] as u64;
        if ai == 0 {
            continue;
        }
        for j in 0..b.len() {
            let t = ai * b[j] as u64 + r[i + j] as u64 + carry;
            r[i + j] = t as u32;
            carry = t >> 32;
        }
        let mut k = i + b.len();
        while carry != 0 {
            let t = r[k] as u64 + carry;
            r[k] = t as u32;
            carry = t >> 32;
            k += 1;
        }
    }
    trim(&mut r);
    r
}

fn divmod_small(a: &[u32], d: u32) -> (Vec<u32>, u32) {
    let mut q = vec![0u32; a.len()];
    let mut rem = 0u64;
    for i in (0..a.len()).rev() {
        let cur = (rem << 32) | a[i] as u64;
        q[i] = (cur / d as u64) as u32;
        rem = cur % d as u64;
    }
    trim(&mut q);
    (q, rem as u32)
}

fn shl_mag(a: &[u32], n: usize) -> Vec<u32> {
    if a.is_empty() {
        return Vec::new();
    }
    let limbs = n / 32;
    let bits = n % 32;
    let mut r = vec![0u32; limbs];
    if bits == 0 {
        r.extend_from_slice(a);
    } else {
        let mut carry = 0u32;
        for &x in a {
            r.push((x << bits) | carry);
            carry = x >> (32 - bits);
        }
        if carry != 0 {
            r.push(carry);
        }
    }
    trim(&mut r);
    r
}

fn shr_mag(a: &[u32], n: usize) -> Vec<u32> {
    let limbs = n / 32;
    if limbs >= a.len() {
        return Vec::new();
    }
    let bits = n % 32;
    let mut r = Vec::with_capacity(a.len() - limbs);
    for i in limbs..a.len() {
        let lo = a[i] >> bits;
        let hi = if bits != 0 && i + 1 < a.len() { a[i + 1] << (32 - bits) } else { 0 };
        r.push(lo | hi);
    }
    trim(&mut r);
    r
}

/// Knuth algorithm D: (quotient, remainder) of magnitudes.
pub fn divmod_mag(a: &[u32], b: &[u32]) -> (Vec<u32>, Vec<u32>) {
    assert!(!b.is_empty(), "bigint: division by zero magnitude");
    if cmp_mag(a, b) == Ordering::Less {
        return (Vec::new(), a.to_vec());
    }
    if b.len() == 1 {
        let (q, r) = divmod_small(a, b[0]);
        let mut rv = vec![r];
        trim(&mut rv);
        return (q, rv);
    }
    let s = b[b.len() - 1].leading_zeros() as usize;
    let v = shl_mag(b, s);
    let mut u = shl_mag(a, s);
    let n = v.len();
    if u.len() == a.len() {
        u.push(0);
    }
    while u.len() < a.len() + 1 {
        u.push(0);
    }
    let m = u.len() - n - 1;
    let mut q = vec![0u32; m + 1];
    let b32: u64 = 1 << 32;
    for j in (0..=m).rev() {
        let num = ((u[j + n] as u64) << 32) | u[j + n - 1] as u64;
        let mut qhat = num / v[n - 1] as u64;
        let mut rhat = num % v[n - 1] as u64;
        while qhat >= b32 || qhat * v[n - 2] as u64 > ((rhat << 32) | u[j + n - 2] as u64) {
            qhat -= 1;
            rhat += v[n - 1] as u64;
            if rhat >= b32 {
                break;
            }
        }
        let mut borrow = 0i64;
        let mut carry = 0u64;
        for i in 0..n {
            let p = qhat * v[i] as u64 + carry;
            carry = p >> 32;
            let t = u[i + j] as i64 - borrow - (p & 0xffff_ffff) as i64;
            u[i + j] = t as u32;
            borrow = if t < 0 { 1 } else { 0 };
        }
        let t = u[j + n] as i64 - borrow - carry as i64;
        u[j + n] = t as u32;
        if t < 0 {
            qhat -= 1;
            let mut c = 0u64;
            for i in 0..n {
                let s2 = u[i + j] as u64 + v[i] as u64 + c;
                u[i + j] = s2 as u32;
                c = s2 >> 32;
            }
            u[j + n] = u[j + n].wrapping_add(c as u32);
        }
        q[j] = qhat as u32;
    }
    trim(&mut q);
    u.truncate(n);
    trim(&mut u);
    let r = shr_mag(&u, s);
    (q, r)
}

impl BigInt {
    pub fn zero() -> BigInt {
        BigInt { neg: false, mag: Vec::new() }
    }
    pub fn from_mag(neg: bool, mut mag: Vec<u32>) -> BigInt {
        trim(&mut mag);
        let neg = neg && !mag.is_empty();
        BigInt { neg, mag }
    }
    pub fn from_i64(v: i64) -> BigInt {
        let neg = v < 0;
        let m = v.unsigned_abs();
        BigInt::from_mag(neg, vec![m as u32, (m >> 32) as u32])
    }
    pub fn from_u64(m: u64) -> BigInt {
        BigInt::from_mag(false, vec![m as u32, (m >> 32) as u32])
    }
    pub fn is_zero(&self) -> bool {
        self.mag.is_empty()
    }
    pub fn to_i64(&self) -> Option<i64> {
        if self.mag.len() > 2 {
            return None;
        }
        let mut m = 0u64;
        for (i, &x) in self.mag.iter().enumerate() {
            m |= (x as u64) << (32 * i);
        }
        if self.neg {
            if m <= 1u64 << 63 {
                Some((m as i64).wrapping_neg())
            } else {
                None
            }
        } else if m < 1u64 << 63 {
            Some(m as i64)
        } else {
            None
        }
    }
    pub fn neg(&self) -> BigInt {
        BigInt::from_mag(!self.neg, self.mag.clone())
    }
    pub fn abs(&self) -> BigInt {
        BigInt::from_mag(false, self.mag.clone())
    }
    pub fn add(&self, o: &BigInt) -> BigInt {
        if self.neg == o.neg {
            return BigInt::from_mag(self.neg, add_mag(&self.mag, &o.mag));
        }
        match cmp_mag(&self.mag, &o.mag) {
            Ordering::Equal => BigInt::zero(),
            Ordering::Greater => BigInt::from_mag(self.neg, sub_mag(&self.mag, &o.mag)),
            Ordering::Less => BigInt::from_mag(o.neg, sub_mag(&o.mag, &self.mag)),
        }
    }
    pub fn sub(&self, o: &BigInt) -> BigInt {
        self.add(&o.neg())
    }
    pub fn mul(&self, o: &BigInt) -> BigInt {
        BigInt::from_mag(self.neg != o.neg, mul_mag(&self.mag, &o.mag))
    }
    /// Floor division and modulo (Python semantics). `o` must be non-zero.
    pub fn divmod(&self, o: &BigInt) -> (BigInt, BigInt) {
        let (q, r) = divmod_mag(&self.mag, &o.mag);
        let mut q = BigInt::from_mag(self.neg != o.neg, q);
        let mut r = BigInt::from_mag(self.neg, r);
        if !r.is_zero() && (r.neg != o.neg) {
            q = q.sub(&BigInt::from_i64(1));
            r = r.add(o);
        }
        (q, r)
    }
    /// Truncating division (for C-like uses).
    pub fn divmod_trunc(&self, o: &BigInt) -> (BigInt, BigInt) {
        let (q, r) = divmod_mag(&self.mag, &o.mag);
        (BigInt::from_mag(self.neg != o.neg, q), BigInt::from_mag(self.neg, r))
    }
    pub fn cmp(&self, o: &BigInt) -> Ordering {
        match (self.neg, o.neg) {
            (false, true) => Ordering::Greater,
            (true, false) => Ordering::Less,
            (false, false) => cmp_mag(&self.mag, &o.mag),
            (true, true) => cmp_mag(&o.mag, &self.mag),
        }
    }
    pub fn pow(&self, mut e: u64) -> BigInt {
        let mut base = self.clone();
        let mut r = BigInt::from_i64(1);
        while e > 0 {
            if e & 1 == 1 {
                r = r.mul(&base);
            }
            e >>= 1;
            if e > 0 {
                base = base.mul(&base);
            }
        }
        r
    }
    pub fn shl(&self, n: usize) -> BigInt {
        BigInt::from_mag(self.neg, shl_mag(&self.mag, n))
    }
    /// Arithmetic (floor) right shift.
    pub fn shr(&self, n: usize) -> BigInt {
        if !self.neg {
            return BigInt::from_mag(false, shr_mag(&self.mag, n));
        }
        let one = BigInt::from_i64(1);
        let m = self.abs().sub(&one);
        let s = BigInt::from_mag(false, shr_mag(&m.mag, n));
        s.add(&one).neg()
    }
    pub fn bit_length(&self) -> u64 {
        match self.mag.last() {
            None => 0,
            Some(&top) => (self.mag.len() as u64 - 1) * 32 + (32 - top.leading_zeros() as u64),
        }
    }
    fn twos(&self, len: usize) -> Vec<u32> {
        let mut v = self.mag.clone();
        v.resize(len, 0);
        if self.neg {
            for x in v.iter_mut() {
                *x = !*x;
            }
            for x in v.iter_mut() {
                let (s, o) = x.overflowing_add(1);
                *x = s;
                if !o {
                    break;
                }
            }
        }
        v
    }
    fn from_twos(mut v: Vec<u32>) -> BigInt {
        let neg = v.last().map(|&x| x & 0x8000_0000 != 0).unwrap_or(false);
        if neg {
            for x in v.iter_mut() {
                *x = !*x;
            }
            for x in v.iter_mut() {
                let (s, o) = x.overflowing_add(1);
                *x = s;
                if !o {
                    break;
                }
            }
        }
        BigInt::from_mag(neg, v)
    }
    pub fn bitop(&self, o: &BigInt, op: char) -> BigInt {
        let len = self.mag.len().max(o.mag.len()) + 1;
        let a = self.twos(len);
        let b = o.twos(len);
        let r: Vec<u32> = a
            .iter()
            .zip(b.iter())
            .map(|(x, y)| match op {
                '&' => x & y,
                '|' => x | y,
                _ => x ^ y,
            })
            .collect();
        BigInt::from_twos(r)
    }
    pub fn to_string_radix(&self, radix: u32) -> String {
        if self.mag.is_empty() {
            return "0".to_string();
        }
        let mut out: Vec<u8> = Vec::new();
        let digits = b"0123456789abcdefghijklmnopqrstuvwxyz";
        if radix == 10 {
            let mut cur = self.mag.clone();
            let mut chunks = Vec::new();
            while !cur.is_empty() {
                let (q, r) = divmod_small(&cur, 1_000_000_000);
                chunks.push(r);
                cur = q;
            }
            let mut s = String::new();
            if self.neg {
                s.push('-');
            }
            s.push_str(&chunks.last().unwrap().to_string());
            for c in chunks.iter().rev().skip(1) {
                s.push_str(&format!("{:09}", c));
            }
            return s;
        }
        let mut cur = self.mag.clone();
        while !cur.is_empty() {
            let (q, r) = divmod_small(&cur, radix);
            out.push(digits[r as usize]);
            cur = q;
        }
        if self.neg {
            out.push(b'-');
        }
        out.reverse();
        String::from_utf8(out).unwrap()
    }
    /// Parse digits (no sign, no prefix, no underscores) in `radix`.
    pub fn parse_digits(s: &str, radix: u32) -> Option<BigInt> {
        if s.is_empty() {
            return None;
        }
        let mut mag: Vec<u32> = Vec::new();
        for c in s.chars() {
            let d = c.to_digit(radix)?;
            // mag = mag * radix + d
            let mut carry = d as u64;
            for x in mag.iter_mut() {
                let t = *x as u64 * radix as u64 + carry;
                *x = t as u32;
                carry = t >> 32;
            }
            if carry != 0 {
                mag.push(carry as u32);
            }
        }
        Some(BigInt::from_mag(false, mag))
    }
    /// Correctly rounded conversion (round-half-even); None on overflow.
    pub fn to_f64(&self) -> Option<f64> {
        let bl = self.bit_length();
        if bl <= 64 {
            let mut m = 0u64;
            for (i, &x) in self.mag.iter().enumerate() {
                m |= (x as u64) << (32 * i);
            }
            let f = m as f64; // rust's u64->f64 rounds to nearest even
            return Some(if self.neg { -f } else { f });
        }
        // keep 64 top bits plus a sticky bit
        let shift = bl - 64;
        let top = shr_mag(&self.mag, shift as usize);
        let mut m = 0u64;
        for (i, &x) in top.iter().enumerate() {
            m |= (x as u64) << (32 * i);
        }
        let sticky = {
            let back = shl_mag(&top, shift as usize);
            cmp_mag(&back, &self.mag) != Ordering::Equal
        };
        // m has 64 significant bits; round to 53
        let low = m & 0x7ff;
        let mut hi = m >> 11;
        let half = 0x400;
        if low > half || (low == half && (sticky || hi & 1 == 1)) || (low == half && sticky) {
            hi += 1;
        }
        let f = (hi as f64) * 2f64.powi((shift + 11) as i32);
        if f.is_infinite() {
            return None;
        }
        Some(if self.neg { -f } else { f })
    }
    /// Exact conversion from a finite integral float.
    pub fn from_f64(f: f64) -> BigInt {
        let bits = f.to_bits();
        let neg = bits >> 63 == 1;
        let exp = ((bits >> 52) & 0x7ff) as i64;
        let frac = bits & ((1u64 << 52) - 1);
        if exp == 0 {
            return BigInt::zero();
        }
        let m = frac | (1u64 << 52);
        let e = exp - 1075;
        let b = BigInt::from_u64(m);
        let r = if e >= 0 { b.shl(e as usize) } else { b.shr((-e) as usize) };
        if neg {
            r.neg()
        } else {
            r
        }
    }
    /// Python hash (modulus 2**61 - 1).
    pub fn py_hash(&self) -> i64 {
        const M: u128 = (1u128 << 61) - 1;
        let mut h: u128 = 0;
        for &x in self.mag.iter().rev() {
            h = ((h << 32) | x as u128) % M;
        }
        let mut r = h as i64;
        if self.neg {
            r = -r;
        }
        if r == -1 {
            -2
        } else {
            r
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    fn b(s: &str) -> BigInt {
        let (neg, d) = if let Some(r) = s.strip_prefix('-') { (true, r) } else { (false, s) };
        let x = BigInt::parse_digits(d, 10).unwrap();
        if neg {
            x.neg()
        } else {
            x
        }
    }
    #[test]
    fn arith() {
        let f30 = b("265252859812191058636308480000000");
        assert_eq!(f30.divmod(&b("282475249")).0.to_string_radix(10), "939030448689651597178726");
        assert_eq!(f30.neg().divmod(&b("1000")).0.to_string_radix(10), "-265252859812191058636308480000");
        let (q, r) = f30.neg().divmod(&b("79792266297612001"));
        assert_eq!(q.to_string_radix(10), "-3324292843404668");
        assert_eq!(r.to_string_radix(10), "1097022416220668");
        assert_eq!(BigInt::from_i64(2).pow(100).to_string_radix(10), "1267650600228229401496703205376");
        assert_eq!(b("-12345678901234567890123456789").shr(40).to_string_radix(10), "-11228329550462666");
        assert_eq!(b("12345678901234567890123456789").to_string_radix(16), "27e41b3246bec9b16e398115");
        assert_eq!(BigInt::from_i64(2).pow(70).to_f64(), Some(1180591620717411303424.0));
        assert_eq!(b("-5").bitop(&b("3"), '&').to_i64(), Some(3));
        assert_eq!(b("99999999999999999999").py_hash(), 848750603811160106);
    }
}
