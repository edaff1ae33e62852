//! Stage timings for profiling: `SVCGUIDE_TIMINGS=1 svcguide build` prints how
//! long each stage took (wall time) to stderr.

use std::time::Instant;

pub struct Stopwatch {
    last: Instant,
    enabled: bool,
}

impl Default for Stopwatch {
    fn default() -> Self {
        Stopwatch::new()
    }
}

impl Stopwatch {
    pub fn new() -> Stopwatch {
        Stopwatch {
            last: Instant::now(),
            enabled: std::env::var_os("SVCGUIDE_TIMINGS").is_some(),
        }
    }

    /// Prints the time since the previous lap under `stage`.
    pub fn lap(&mut self, stage: &str) {
        if self.enabled {
            let now = Instant::now();
            eprintln!(
                "timing {stage:<16} {:>8.1} ms {:>6} MB resident",
                (now - self.last).as_secs_f64() * 1000.0,
                resident_mb()
            );
            self.last = now;
        }
    }
}

/// Resident memory of this process now (Linux; 0 elsewhere).
fn resident_mb() -> u64 {
    let pages = std::fs::read_to_string("/proc/self/statm")
        .ok()
        .and_then(|s| s.split_whitespace().nth(1)?.parse::<u64>().ok())
        .unwrap_or(0);
    pages * 4096 / (1024 * 1024)
}
