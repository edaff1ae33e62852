//! Stage timings for profiling: `SVCGUIDE_TIMINGS=1 svcguide build` prints how
//! long each stage took to stderr: wall time, and the CPU time of the whole
//! process in it (user + system, every thread), so that a stage that keeps only
//! one of the cores busy shows.

use std::time::Instant;

pub struct Stopwatch {
    last: Instant,
    last_cpu: f64,
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
            last_cpu: cpu_ms(),
            // `SVCGUIDE_TIMINGS=0` (or empty) turns them off, as one would expect.
            enabled: std::env::var_os("SVCGUIDE_TIMINGS")
                .is_some_and(|v| !v.is_empty() && v != "0"),
        }
    }

    /// Prints the time since the previous lap under `stage`.
    pub fn lap(&mut self, stage: &str) {
        if self.enabled {
            let (now, cpu) = (Instant::now(), cpu_ms());
            eprintln!(
                "timing {stage:<16} {:>8.1} ms {:>8.1} ms cpu {:>6} MB resident {:>6} MB peak so far",
                (now - self.last).as_secs_f64() * 1000.0,
                cpu - self.last_cpu,
                resident_mb(),
                peak_mb()
            );
            (self.last, self.last_cpu) = (now, cpu);
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

/// The most this process has been resident so far (`VmHWM`; Linux, 0 elsewhere):
/// the stage in which it grows is the one that makes the peak.
fn peak_mb() -> u64 {
    std::fs::read_to_string("/proc/self/status")
        .ok()
        .and_then(|s| {
            let line = s.lines().find(|l| l.starts_with("VmHWM:"))?;
            line.split_whitespace().nth(1)?.parse::<u64>().ok()
        })
        .map_or(0, |kb| kb / 1024)
}

/// User and system time of this process so far, every thread, in ms (0
/// where there is no `getrusage`).
fn cpu_ms() -> f64 {
    #[cfg(unix)]
    {
        // SAFETY: getrusage writes only the struct it is given.
        let usage = unsafe {
            let mut usage: libc::rusage = std::mem::zeroed();
            libc::getrusage(libc::RUSAGE_SELF, &mut usage);
            usage
        };
        let ms = |t: libc::timeval| t.tv_sec as f64 * 1000.0 + t.tv_usec as f64 / 1000.0;
        ms(usage.ru_utime) + ms(usage.ru_stime)
    }
    #[cfg(not(unix))]
    {
        0.0
    }
}
