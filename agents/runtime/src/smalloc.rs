//! The allocator of the WASM module: size classes for small blocks in front
//! of the system allocator.
//!
//! Python programs allocate small blocks all the time: every str, list,
//! dict, tuple, instance and bound value is an `Rc` of a few dozen bytes,
//! and most die young. Measured under Node, wasi-libc's dlmalloc and free
//! took a fifth of the run time of a class-heavy program. This is the
//! pymalloc idea in its simplest form: a block of up to 256 bytes comes
//! from one of 32 classes (multiples of 8 bytes), each a singly linked list
//! of freed blocks threaded through the blocks themselves; an empty list is
//! refilled by bumping through 64 KiB chunks taken from the system
//! allocator. Freeing pushes the block on its class's list, so allocation
//! and release are a handful of instructions with no header per block (the
//! `Layout` passed to dealloc names the class).
//!
//! Larger blocks, alignments above 8 and zero-sized requests go to the
//! system allocator unchanged. Small blocks are never given back to the
//! system; a program's peak of small objects stays reserved for reuse, as
//! with pymalloc's pools.
//!
//! Only for wasm32 without threads: the lists are plain cells, which is
//! sound because such a module runs on one thread. Native builds (the host
//! tests) keep the system allocator.

#[cfg(all(target_arch = "wasm32", not(target_feature = "atomics")))]
mod imp {
    use std::alloc::{GlobalAlloc, Layout, System};
    use std::cell::Cell;
    use std::ptr::null_mut;

    const MAX_SMALL: usize = 256;
    const CLASSES: usize = MAX_SMALL / 8;
    const CHUNK: usize = 64 * 1024;

    pub struct Small {
        free: [Cell<*mut u8>; CLASSES],
        bump: Cell<*mut u8>,
        end: Cell<*mut u8>,
    }

    // One thread only (see the cfg above).
    unsafe impl Sync for Small {}

    #[inline]
    fn class_of(l: &Layout) -> Option<usize> {
        let n = l.size();
        if n == 0 || n > MAX_SMALL || l.align() > 8 {
            None
        } else {
            Some((n + 7) / 8 - 1)
        }
    }

    impl Small {
        pub const fn new() -> Small {
            const EMPTY: Cell<*mut u8> = Cell::new(null_mut());
            Small { free: [EMPTY; CLASSES], bump: Cell::new(null_mut()), end: Cell::new(null_mut()) }
        }

        #[inline(never)]
        unsafe fn refill(&self, size: usize) -> *mut u8 {
            let chunk = System.alloc(Layout::from_size_align_unchecked(CHUNK, 8));
            if chunk.is_null() {
                return null_mut();
            }
            self.bump.set(chunk.add(size));
            self.end.set(chunk.add(CHUNK));
            chunk
        }
    }

    unsafe impl GlobalAlloc for Small {
        #[inline]
        unsafe fn alloc(&self, l: Layout) -> *mut u8 {
            let c = match class_of(&l) {
                Some(c) => c,
                None => return System.alloc(l),
            };
            let head = self.free[c].get();
            if !head.is_null() {
                self.free[c].set(*(head as *mut *mut u8));
                return head;
            }
            let size = (c + 1) * 8;
            let p = self.bump.get();
            if !p.is_null() && (self.end.get() as usize) - (p as usize) >= size {
                self.bump.set(p.add(size));
                return p;
            }
            self.refill(size)
        }

        #[inline]
        unsafe fn dealloc(&self, p: *mut u8, l: Layout) {
            match class_of(&l) {
                Some(c) => {
                    *(p as *mut *mut u8) = self.free[c].get();
                    self.free[c].set(p);
                }
                None => System.dealloc(p, l),
            }
        }

        unsafe fn realloc(&self, p: *mut u8, l: Layout, new_size: usize) -> *mut u8 {
            let new_l = Layout::from_size_align_unchecked(new_size, l.align());
            match (class_of(&l), class_of(&new_l)) {
                (None, None) => System.realloc(p, l, new_size),
                (Some(a), Some(b)) if a == b => p,
                _ => {
                    let q = self.alloc(new_l);
                    if !q.is_null() {
                        std::ptr::copy_nonoverlapping(p, q, l.size().min(new_size));
                        self.dealloc(p, l);
                    }
                    q
                }
            }
        }
    }

    #[global_allocator]
    static ALLOC: Small = Small::new();
}
