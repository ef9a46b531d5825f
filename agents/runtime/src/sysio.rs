//! Raw stdio that survives non-blocking descriptors, and sleeping.
//!
//! A WASI host hands the module its own process's stdin/stdout/stderr.  If
//! the host made those descriptors non-blocking — Node does as soon as the
//! embedding program touches `process.stdin` or `process.stdout`, which most
//! Node programs do — then `fd_read` on a pipe that has no data yet answers
//! EAGAIN, and `fd_write` to a pipe whose reader is slow writes part of the
//! buffer or answers EAGAIN.  Rust's std takes the first for an error (our
//! old `read_line` then saw end of file) and `write_all` gives up on the
//! second (output was cut at a 64 KiB boundary).  So the runtime talks to
//! the three descriptors itself: every short write continues where it
//! stopped, and every would-block read or write waits for the descriptor
//! with `poll_oneoff` (an fd subscription plus a 50 ms clock subscription,
//! so a host whose poll cannot watch that kind of descriptor still makes
//! progress) and tries again.  Only a real error or end of file ends a
//! transfer.
//!
//! stdin is read through one buffer here (lines for `input()`, everything
//! for `sys.stdin.read()`, bytes for `sys.stdin.buffer`), so text and binary
//! reads can be mixed as in CPython.
//!
//! `sleep` is one `poll_oneoff` with a relative monotonic clock
//! subscription: the host blocks (Node's uvwasi runs a timer, the browser
//! worker waits) instead of the module spinning.
//!
//! Off wasm (the runtime's host unit tests) the same functions run on std's
//! I/O with the same retry rules.

use std::cell::RefCell;

const EAGAIN: i32 = 6;
const EINTR: i32 = 27;

#[cfg(target_os = "wasi")]
mod sys {
    #[repr(C)]
    pub struct Iovec {
        pub buf: *const u8,
        pub len: usize,
    }

    #[link(wasm_import_module = "wasi_snapshot_preview1")]
    extern "C" {
        pub fn fd_write(fd: i32, iovs: i32, iovs_len: i32, nwritten: i32) -> i32;
        pub fn fd_read(fd: i32, iovs: i32, iovs_len: i32, nread: i32) -> i32;
        pub fn poll_oneoff(subs: i32, events: i32, nsubs: i32, nevents: i32) -> i32;
    }

    /// One write: Ok(bytes written) or Err(errno).
    pub fn write(fd: u32, buf: &[u8]) -> Result<usize, i32> {
        let iov = Iovec { buf: buf.as_ptr(), len: buf.len() };
        let mut n: usize = 0;
        let rc = unsafe { fd_write(fd as i32, &iov as *const Iovec as i32, 1, &mut n as *mut usize as i32) };
        if rc == 0 {
            Ok(n)
        } else {
            Err(rc)
        }
    }

    pub fn read(fd: u32, buf: &mut [u8]) -> Result<usize, i32> {
        let iov = Iovec { buf: buf.as_mut_ptr(), len: buf.len() };
        let mut n: usize = 0;
        let rc = unsafe { fd_read(fd as i32, &iov as *const Iovec as i32, 1, &mut n as *mut usize as i32) };
        if rc == 0 {
            Ok(n)
        } else {
            Err(rc)
        }
    }

    /// A preview1 subscription (48 bytes): userdata, tag, then the clock
    /// or fd_readwrite union at offset 16.
    fn clock_sub(buf: &mut [u8], ns: u64) {
        buf[8] = 0; // eventtype clock
        buf[16..20].copy_from_slice(&1u32.to_le_bytes()); // monotonic
        buf[24..32].copy_from_slice(&ns.to_le_bytes()); // relative timeout
        buf[32..40].copy_from_slice(&0u64.to_le_bytes()); // precision
        buf[40..42].copy_from_slice(&0u16.to_le_bytes()); // flags: relative
    }

    fn poll(subs: &[u8], n: usize) -> i32 {
        let mut events = [0u8; 64];
        let mut got: usize = 0;
        unsafe { poll_oneoff(subs.as_ptr() as i32, events.as_mut_ptr() as i32, n as i32, &mut got as *mut usize as i32) }
    }

    /// Waits until `fd` is readable (`write` false) or writable, at most
    /// `ns` nanoseconds.  Err when the host cannot poll at all.
    pub fn wait_fd(fd: u32, write: bool, ns: u64) -> Result<(), i32> {
        let mut subs = [0u8; 96];
        subs[8] = if write { 2 } else { 1 };
        subs[16..20].copy_from_slice(&fd.to_le_bytes());
        clock_sub(&mut subs[48..96], ns);
        match poll(&subs, 2) {
            0 => Ok(()),
            _ => {
                // the host may refuse fd subscriptions: wait on the clock alone
                let mut one = [0u8; 48];
                clock_sub(&mut one, ns);
                match poll(&one, 1) {
                    0 => Ok(()),
                    e => Err(e),
                }
            }
        }
    }

    pub fn sleep_ns(ns: u64) {
        let mut sub = [0u8; 48];
        clock_sub(&mut sub, ns);
        if poll(&sub, 1) != 0 {
            std::thread::sleep(std::time::Duration::from_nanos(ns));
        }
    }
}

#[cfg(not(target_os = "wasi"))]
mod sys {
    use std::io::{Read, Write};

    fn errno(e: std::io::Error) -> i32 {
        match e.kind() {
            std::io::ErrorKind::WouldBlock => super::EAGAIN,
            std::io::ErrorKind::Interrupted => super::EINTR,
            _ => 29, // EIO
        }
    }

    pub fn write(fd: u32, buf: &[u8]) -> Result<usize, i32> {
        let r = if fd == 2 { std::io::stderr().write(buf) } else { std::io::stdout().write(buf) };
        let r = r.and_then(|n| {
            if fd == 2 {
                std::io::stderr().flush()?
            } else {
                std::io::stdout().flush()?
            }
            Ok(n)
        });
        r.map_err(errno)
    }

    pub fn read(_fd: u32, buf: &mut [u8]) -> Result<usize, i32> {
        std::io::stdin().read(buf).map_err(errno)
    }

    pub fn wait_fd(_fd: u32, _write: bool, ns: u64) -> Result<(), i32> {
        std::thread::sleep(std::time::Duration::from_nanos(ns.min(1_000_000)));
        Ok(())
    }

    pub fn sleep_ns(ns: u64) {
        std::thread::sleep(std::time::Duration::from_nanos(ns));
    }
}

const WAIT_NS: u64 = 50_000_000;

/// Writes all of `buf` to `fd`, continuing after short writes and waiting
/// out EAGAIN.  False on a real error (a closed pipe, a bad descriptor).
pub fn write_all(fd: u32, mut buf: &[u8]) -> bool {
    while !buf.is_empty() {
        match sys::write(fd, buf) {
            Ok(0) => {
                if sys::wait_fd(fd, true, WAIT_NS).is_err() {
                    return false;
                }
            }
            Ok(n) => buf = &buf[n.min(buf.len())..],
            Err(EAGAIN) => {
                if sys::wait_fd(fd, true, WAIT_NS).is_err() {
                    return false;
                }
            }
            Err(EINTR) => {}
            Err(_) => return false,
        }
    }
    true
}

/// One read of up to `buf.len()` bytes, waiting while the descriptor would
/// block: Some(0) is end of file, None a real error.
pub fn read_some(fd: u32, buf: &mut [u8]) -> Option<usize> {
    loop {
        match sys::read(fd, buf) {
            Ok(n) => return Some(n),
            Err(EAGAIN) => {
                if sys::wait_fd(fd, false, WAIT_NS).is_err() {
                    return None;
                }
            }
            Err(EINTR) => {}
            Err(_) => return None,
        }
    }
}

/// Sleeps `secs` seconds (non-negative, finite) through the host's clock.
pub fn sleep(secs: f64) {
    if secs > 0.0 {
        let ns = (secs * 1e9).min(u64::MAX as f64) as u64;
        sys::sleep_ns(ns);
    }
}

// ---------------------------------------------------------------- stdin

struct Stdin {
    buf: Vec<u8>,
    pos: usize,
    eof: bool,
}

thread_local! {
    static STDIN: RefCell<Stdin> = RefCell::new(Stdin { buf: Vec::new(), pos: 0, eof: false });
}

impl Stdin {
    /// Reads more into the buffer; false at end of file.
    fn fill(&mut self) -> bool {
        if self.eof {
            return false;
        }
        if self.pos > 0 {
            self.buf.drain(..self.pos);
            self.pos = 0;
        }
        let old = self.buf.len();
        self.buf.resize(old + 65536, 0);
        let got = read_some(0, &mut self.buf[old..]).unwrap_or(0);
        self.buf.truncate(old + got);
        if got == 0 {
            self.eof = true;
        }
        got > 0
    }

    fn take(&mut self, n: usize) -> Vec<u8> {
        let out = self.buf[self.pos..self.pos + n].to_vec();
        self.pos += n;
        out
    }
}

/// One line including its `\n` (without one at end of file); empty at EOF.
pub fn stdin_line() -> Vec<u8> {
    STDIN.with(|s| {
        let mut s = s.borrow_mut();
        let mut scanned = 0; // bytes after pos known to hold no newline
        loop {
            let from = s.pos + scanned;
            if let Some(i) = s.buf[from..].iter().position(|&b| b == b'\n') {
                let n = scanned + i + 1;
                return s.take(n);
            }
            scanned = s.buf.len() - s.pos;
            if !s.fill() {
                let n = s.buf.len() - s.pos;
                return s.take(n);
            }
        }
    })
}

/// Up to `n` bytes (all that remain when `n` is None), blocking until
/// that many arrived or end of file.
pub fn stdin_read(n: Option<usize>) -> Vec<u8> {
    STDIN.with(|s| {
        let mut s = s.borrow_mut();
        loop {
            let have = s.buf.len() - s.pos;
            if let Some(n) = n {
                if have >= n {
                    return s.take(n);
                }
            }
            if !s.fill() {
                let have = s.buf.len() - s.pos;
                return s.take(have);
            }
        }
    })
}

/// What one read gives (`read1`): buffered bytes, or one fill's worth.
pub fn stdin_read1(n: usize) -> Vec<u8> {
    STDIN.with(|s| {
        let mut s = s.borrow_mut();
        if s.buf.len() == s.pos {
            s.fill();
        }
        let have = (s.buf.len() - s.pos).min(n);
        s.take(have)
    })
}

// ---------------------------------------------------------------- stack

// Rust's wasm32 modules put the stack first in linear memory: it grows down
// from its size (agents/build.c links with -z stack-size) towards address 0,
// and running past 0 traps ("memory access out of bounds") and loses the
// buffered output.  Python calls check the address of a local instead and
// raise RecursionError while a reserve (1/8 of the stack, at most 1 MiB) is
// left for the error path.
static STACK_TOP: std::sync::atomic::AtomicUsize = std::sync::atomic::AtomicUsize::new(0);

/// Records the top of the stack (run_main calls it first thing).
#[inline(never)]
pub fn mark_stack_top() {
    let probe = 0u8;
    let a = &probe as *const u8 as usize;
    STACK_TOP.store(a, std::sync::atomic::Ordering::Relaxed);
}

/// True when the stack is nearly used up (wasm only; always false on hosts
/// whose stacks std already guards).
#[inline(always)]
pub fn stack_low() -> bool {
    #[cfg(target_arch = "wasm32")]
    {
        let probe = 0u8;
        let a = &probe as *const u8 as usize;
        let top = STACK_TOP.load(std::sync::atomic::Ordering::Relaxed);
        a < (top / 8).min(1 << 20)
    }
    #[cfg(not(target_arch = "wasm32"))]
    {
        false
    }
}
