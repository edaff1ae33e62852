//! How the process asks the system for memory. Both settings were measured on
//! a 10,000-article build (interleaved runs, README "Benchmarks"): huge pages
//! off took the peak from about 415 to 385 MB; a 100 ms purge delay takes it
//! to about 325 MB, for about 5% more time than mimalloc's own 1 s delay
//! (368 MB). The limit we hold to is 400 MB at 10,000 articles.

use std::ffi::{c_int, c_long};

/// mimalloc returns memory freed this many milliseconds ago to the system.
/// Its own default (1 s) keeps a stage's garbage resident through the next
/// stage; shorter delays cost page faults (10 ms: 280 MB but 10% slower).
pub const BUILD_PURGE_DELAY_MS: c_long = 100;

/// `check` keeps no page it renders, so its peak stays far below a build's
/// (10,000 articles: about 260 MB at 1 s against 225 MB at 100 ms), and reusing
/// freed memory instead of faulting in fresh pages took about 6% off its time.
pub const CHECK_PURGE_DELAY_MS: c_long = 1000;

/// `mi_option_purge_delay`: 15 in mimalloc 2.x and 3.x alike.
const MI_OPTION_PURGE_DELAY: c_int = 15;

extern "C" {
    // The allocator is linked in (it is the global allocator of `main`), so its
    // symbols are there; the Rust binding does not name this option.
    fn mi_option_set(option: c_int, value: c_long);
}

/// Call at the start of `main` (once the command line is read), with the purge
/// delay of the command.
pub fn tune(purge_delay_ms: c_long) {
    // Transparent huge pages: mimalloc asks for them, and then every fault
    // zeroes 2 MB (and may wait for the kernel to compact memory to find one),
    // mostly for memory a stage touches once. Off, the build used less system
    // time and ~30 MB less at the peak.
    #[cfg(target_os = "linux")]
    // SAFETY: prctl with these arguments only sets a flag of this process.
    unsafe {
        libc::prctl(libc::PR_SET_THP_DISABLE, 1, 0, 0, 0);
    }
    // An explicit setting in the environment wins (mimalloc reads it itself).
    if std::env::var_os("MIMALLOC_PURGE_DELAY").is_none() {
        // SAFETY: sets one option of the linked allocator; any value is valid.
        unsafe { mi_option_set(MI_OPTION_PURGE_DELAY, purge_delay_ms) };
    }
}
