//! Article dates, read once (with jiff) from front matter such as
//! `2000-06-06T16:43:14+02:00`, and kept in the zone they were written in: the
//! feed repeats that offset, the page shows that day.

use jiff::civil::{Date, DateTime};
use jiff::fmt::temporal::{Pieces, PiecesOffset};
use jiff::Timestamp;

/// A front-matter date: the day and time as written, the writer's offset, and
/// the instant they name (for ordering).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct PostDate {
    local: DateTime,
    /// Seconds east of UTC and whether the sign was `-` (so `-00:00` stays as
    /// written); `None` for `Z` or no zone at all, both read as UTC.
    offset: Option<(i32, bool)>,
    instant: Timestamp,
}

impl PostDate {
    /// Reads an RFC 3339 date (`T`, `t` or a space between date and time;
    /// fractional seconds ignored), or a bare day (midnight UTC). A time with
    /// no zone is UTC. `None` for anything else.
    pub fn parse(text: &str) -> Option<PostDate> {
        let pieces = Pieces::parse(text.trim()).ok()?;
        // A bracketed zone name would need the time zone database to mean anything.
        if pieces.time_zone_annotation().is_some() {
            return None;
        }
        let time = pieces.time().unwrap_or_default();
        let local = pieces
            .date()
            .to_datetime(time.with().subsec_nanosecond(0).build().ok()?);
        let (offset, numeric) = match pieces.offset() {
            None | Some(PiecesOffset::Zulu) => (None, jiff::tz::Offset::UTC),
            Some(PiecesOffset::Numeric(n)) => {
                let o = n.offset();
                (Some((o.seconds(), n.is_negative())), o)
            }
            Some(_) => return None,
        };
        let instant = numeric.to_timestamp(local).ok()?;
        Some(PostDate {
            local,
            offset,
            instant,
        })
    }

    /// The day as written (in the writer's zone).
    pub fn day(&self) -> Date {
        self.local.date()
    }

    /// The instant, for ordering.
    pub fn instant(&self) -> Timestamp {
        self.instant
    }

    /// RFC 3339 to the second, in the zone as written (`Z` for UTC or none).
    pub fn rfc3339(&self) -> String {
        let mut out = self.local.strftime("%Y-%m-%dT%H:%M:%S").to_string();
        match self.offset {
            None => out.push('Z'),
            Some((seconds, negative)) => {
                let abs = seconds.unsigned_abs();
                out.push(if negative || seconds < 0 { '-' } else { '+' });
                out.push_str(&format!("{:02}:{:02}", abs / 3600, abs % 3600 / 60));
                if abs % 60 != 0 {
                    out.push_str(&format!(":{:02}", abs % 60));
                }
            }
        }
        out
    }

    /// The day for readers: `23 July 2000`.
    pub fn display(&self) -> String {
        self.local.strftime("%-d %B %Y").to_string()
    }
}

/// Now, in the machine's local zone, as the export writes dates
/// (`2000-06-06T16:43:14+02:00`).
pub fn now_local() -> String {
    jiff::ZonedDateTime::now()
        .strftime("%Y-%m-%dT%H:%M:%S%:z")
        .to_string()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn stamp(text: &str) -> Option<(String, i64)> {
        PostDate::parse(text).map(|d| (d.rfc3339(), d.instant().as_second()))
    }

    #[test]
    fn dates_become_rfc3339_instants() {
        let (t, i) = stamp("2000-06-06T16:43:14+02:00").unwrap();
        assert_eq!(t, "2000-06-06T16:43:14+02:00");
        let (_, j) = stamp("2000-06-06T14:43:14Z").unwrap();
        assert_eq!(i, j);
        assert_eq!(
            stamp("1970-01-01").unwrap(),
            ("1970-01-01T00:00:00Z".into(), 0)
        );
        assert_eq!(
            stamp("2005-03-04 10:11:12").unwrap().0,
            "2005-03-04T10:11:12Z"
        );
        assert_eq!(
            stamp("2005-03-04T10:11:12.5-05:00").unwrap().0,
            "2005-03-04T10:11:12-05:00"
        );
        assert_eq!(
            stamp(" 2005-03-04t10:11:12z ").unwrap().0,
            "2005-03-04T10:11:12Z"
        );
        assert_eq!(
            stamp("2005-03-04T10:11:12-00:00").unwrap().0,
            "2005-03-04T10:11:12-00:00"
        );
        for bad in [
            "",
            "2005",
            "2005-13-01",
            "2005-02-30",
            "yesterday",
            "2005-01-01T1",
            "2005-01-01T10:11:12+02:00[Europe/Paris]",
        ] {
            assert!(stamp(bad).is_none(), "{bad}");
        }
    }

    /// Forms jiff's RFC 3339 / RFC 9557 reader takes beyond the house format
    /// (named in the commit that moved dates to jiff).
    #[test]
    fn wider_forms_read_as_jiff_reads_them() {
        assert_eq!(
            stamp("2005-03-04T10:11+02:00").unwrap().0,
            "2005-03-04T10:11:00+02:00"
        );
        assert_eq!(
            stamp("2005-03-04T10:11:12+0200").unwrap().0,
            "2005-03-04T10:11:12+02:00"
        );
        assert_eq!(
            stamp("2005-12-31T23:59:60Z").unwrap().0,
            "2005-12-31T23:59:59Z"
        );
    }

    #[test]
    fn days_for_readers() {
        let d = PostDate::parse("2000-07-03T19:44:07+02:00").unwrap();
        assert_eq!(d.display(), "3 July 2000");
        assert_eq!(d.day().to_string(), "2000-07-03");
        // The day as written, not the day in UTC.
        let late = PostDate::parse("2000-07-03T23:30:00-05:00").unwrap();
        assert_eq!(late.display(), "3 July 2000");
    }

    #[test]
    fn now_reads_back() {
        let now = now_local();
        assert_eq!(now.len(), "2000-06-06T16:43:14+02:00".len(), "{now}");
        assert!(PostDate::parse(&now).is_some(), "{now}");
    }
}
