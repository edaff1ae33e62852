//! How the process asks the system for memory, to stay under 400 MB at 10,000
//! articles: transparent huge pages off (a lower peak), and freed memory
//! returned to the system after 1 s (sooner costs CPU time re-faulting pages
//! for the next stage). The measurements are in docs/benchmarks.md.

use std::ffi::{c_int, c_long};

/// mimalloc returns memory freed this many milliseconds ago to the system.
pub const PURGE_DELAY_MS: c_long = 1000;

/// `mi_option_purge_delay`: 15 in mimalloc 2.x and 3.x alike.
const MI_OPTION_PURGE_DELAY: c_int = 15;

extern "C" {
    // The allocator is linked in (it is the global allocator of `main`), so its
    // symbols are there; the Rust binding does not name this option.
    fn mi_option_set(option: c_int, value: c_long);
}

/// Call once, first thing in `main`.
pub fn tune() {
    // Transparent huge pages: mimalloc asks for them, and then every fault
    // zeroes 2 MB (and may wait for the kernel to compact memory to find one),
    // mostly for memory a stage touches once.
    #[cfg(target_os = "linux")]
    // SAFETY: prctl with these arguments only sets a flag of this process.
    unsafe {
        libc::prctl(libc::PR_SET_THP_DISABLE, 1, 0, 0, 0);
    }
    // An explicit setting in the environment wins (mimalloc reads it itself).
    if std::env::var_os("MIMALLOC_PURGE_DELAY").is_none() {
        // SAFETY: sets one option of the linked allocator; any value is valid.
        unsafe { mi_option_set(MI_OPTION_PURGE_DELAY, PURGE_DELAY_MS) };
    }
}
