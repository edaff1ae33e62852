//! How the process asks the system for memory, to stay under 300 MB at 10,000
//! articles: transparent huge pages off (a lower peak), and freed memory
//! returned to the system after 1 s (sooner costs CPU time re-faulting pages
//! for the next stage), except where a stage makes buffers of megabytes while
//! the last one's die: there it goes back at once. The measurements are in
//! docs/benchmarks.md.

use std::ffi::{c_int, c_long};

/// mimalloc returns memory freed this many milliseconds ago to the system.
pub const PURGE_DELAY_MS: c_long = 1000;

/// `mi_option_purge_delay`: 15 in mimalloc 2.x and 3.x alike.
const MI_OPTION_PURGE_DELAY: c_int = 15;

// Links the allocator's symbols into every binary, also those whose global
// allocator is another (the tests): the build calls them.
extern crate mimalloc as _;

extern "C" {
    // The Rust binding does not name these (without its "extended" feature).
    fn mi_option_set(option: c_int, value: c_long);
    fn mi_collect(force: bool);
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
    set_purge_delay(PURGE_DELAY_MS);
}

/// While held, freed memory goes back to the system at once (see
/// [`purge_at_once`]).
#[must_use]
pub struct PurgeAtOnce(());

/// Freed memory goes back to the system at once until the guard is dropped:
/// for stages that make buffers of megabytes while others die, where a delay
/// would hold both. Stages that free and remake pages of the same sizes (the
/// article pages) are better off keeping them: each purged page is faulted in
/// again.
pub fn purge_at_once() -> PurgeAtOnce {
    set_purge_delay(0);
    PurgeAtOnce(())
}

impl Drop for PurgeAtOnce {
    fn drop(&mut self) {
        set_purge_delay(PURGE_DELAY_MS);
    }
}

/// Returns the memory freed so far to the system now, rather than after the
/// purge delay: after a job that made and dropped buffers of megabytes.
pub fn release() {
    // SAFETY: mi_collect only returns memory that no allocation uses.
    unsafe { mi_collect(true) };
}

/// Sets the purge delay, unless the environment sets it (an explicit setting
/// there wins; mimalloc reads it itself).
fn set_purge_delay(ms: c_long) {
    if std::env::var_os("MIMALLOC_PURGE_DELAY").is_none() {
        // SAFETY: sets one option of the linked allocator; any value is valid.
        unsafe { mi_option_set(MI_OPTION_PURGE_DELAY, ms) };
    }
}
