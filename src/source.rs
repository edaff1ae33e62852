//! Reading content files: normalised text plus a line index, so that any byte
//! offset maps back to the line and column an author sees in an editor.

use std::path::{Path, PathBuf};

/// One content file, normalised once (BOM stripped, CRLF turned into LF).
#[derive(Debug, Clone)]
pub struct Source {
    /// Path relative to the content folder, with `/` separators (what diagnostics print).
    pub rel: String,
    /// Where the file lives on disk.
    pub path: PathBuf,
    pub text: String,
    line_starts: Vec<usize>,
}

/// Why a file could not become a `Source`; the offset locates the problem.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum LoadProblem {
    Binary {
        offset: usize,
    },
    /// UTF-16 with its byte order mark (Notepad's "Unicode").
    Utf16,
    InvalidUtf8 {
        line: usize,
        col: usize,
    },
}

impl Source {
    /// Builds a source from text that is already valid UTF-8 (tests, `service:` forms).
    pub fn from_text(rel: &str, path: &Path, text: &str) -> Source {
        let text = normalise(text);
        let line_starts = line_starts(&text);
        Source {
            rel: rel.to_string(),
            path: path.to_path_buf(),
            text,
            line_starts,
        }
    }

    /// Decodes raw file bytes, refusing binaries and invalid UTF-8 with a location.
    pub fn from_bytes(rel: &str, path: &Path, bytes: &[u8]) -> Result<Source, LoadProblem> {
        if bytes.starts_with(&[0xff, 0xfe]) || bytes.starts_with(&[0xfe, 0xff]) {
            return Err(LoadProblem::Utf16);
        }
        if let Some(offset) = memchr::memchr(0, &bytes[..bytes.len().min(8192)]) {
            return Err(LoadProblem::Binary { offset });
        }
        match std::str::from_utf8(bytes) {
            Ok(text) => Ok(Source::from_text(rel, path, text)),
            Err(e) => {
                let good = &bytes[..e.valid_up_to()];
                let line = good.iter().filter(|&&b| b == b'\n').count() + 1;
                let line_start = good.iter().rposition(|&b| b == b'\n').map_or(0, |p| p + 1);
                // The prefix is valid UTF-8, so counting chars gives the column.
                let col = String::from_utf8_lossy(&good[line_start..]).chars().count() + 1;
                Err(LoadProblem::InvalidUtf8 { line, col })
            }
        }
    }

    /// 1-based line and column (in characters) of a byte offset into `text`.
    pub fn line_col(&self, offset: usize) -> (usize, usize) {
        let offset = offset.min(self.text.len());
        let line = match self.line_starts.binary_search(&offset) {
            Ok(i) => i,
            Err(i) => i - 1,
        };
        let start = self.line_starts[line];
        let mut end = offset;
        while !self.text.is_char_boundary(end) {
            end -= 1;
        }
        (line + 1, self.text[start..end].chars().count() + 1)
    }

    /// The text of a 1-based line, without its newline (for code frames).
    pub fn line_text(&self, line: usize) -> &str {
        let Some(&start) = self.line_starts.get(line.wrapping_sub(1)) else {
            return "";
        };
        let end = self
            .line_starts
            .get(line)
            .map_or(self.text.len(), |&e| e.saturating_sub(1));
        &self.text[start..end.max(start)]
    }

    /// The text of a 1-based line, or `None` past the last line (as `str::lines`
    /// counts them: text after a final newline is no line).
    pub fn line(&self, line: usize) -> Option<&str> {
        let start = *self.line_starts.get(line.checked_sub(1)?)?;
        (start < self.text.len()).then(|| self.line_text(line))
    }

    /// Byte offset where a 1-based line starts.
    pub fn line_offset(&self, line: usize) -> usize {
        self.line_starts
            .get(line.saturating_sub(1))
            .copied()
            .unwrap_or(self.text.len())
    }
}

/// Strips a BOM and turns CRLF (and lone CR) into LF, keeping line numbers intact.
fn normalise(text: &str) -> String {
    let text = text.strip_prefix('\u{feff}').unwrap_or(text);
    if !text.contains('\r') {
        return text.to_string();
    }
    text.replace("\r\n", "\n").replace('\r', "\n")
}

fn line_starts(text: &str) -> Vec<usize> {
    std::iter::once(0)
        .chain(memchr::memchr_iter(b'\n', text.as_bytes()).map(|i| i + 1))
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn crlf_and_bom_are_normalised_without_moving_lines() {
        let s =
            Source::from_bytes("a.md", Path::new("a.md"), b"\xEF\xBB\xBFone\r\ntwo\r\n").unwrap();
        assert_eq!(s.text, "one\ntwo\n");
        assert_eq!(s.line_col(4), (2, 1));
        assert_eq!(s.line_text(2), "two");
        assert_eq!(s.line(2), Some("two"));
        assert_eq!(s.line(3), None);
        assert_eq!(s.line(0), None);
    }

    /// A lone CR ends a line, for the line index and for the code frames alike.
    #[test]
    fn lone_carriage_returns_end_lines() {
        let s = Source::from_text("a.md", Path::new("a.md"), "one\rtwo\r\nthree");
        assert_eq!(s.line_col(s.text.find("three").unwrap()), (3, 1));
        assert_eq!(s.line(3), Some("three"));
    }

    #[test]
    fn invalid_utf8_is_located() {
        let err = Source::from_bytes("a.md", Path::new("a.md"), b"ok\nab\xFFc").unwrap_err();
        assert_eq!(err, LoadProblem::InvalidUtf8 { line: 2, col: 3 });
        // UTF-16 (either byte order), by its byte order mark: not binary.
        for bom in [[0xff, 0xfe], [0xfe, 0xff]] {
            let bytes = [&bom[..], b"-\0-\0"].concat();
            let err = Source::from_bytes("x.md", Path::new("x.md"), &bytes).unwrap_err();
            assert_eq!(err, LoadProblem::Utf16);
        }
    }

    #[test]
    fn nul_bytes_mean_binary() {
        let err = Source::from_bytes("a.md", Path::new("a.md"), b"\x89PNG\0\0").unwrap_err();
        assert_eq!(err, LoadProblem::Binary { offset: 4 });
    }

    #[test]
    fn columns_count_characters() {
        let s = Source::from_text("a.md", Path::new("a.md"), "x\n\u{2013}ab");
        assert_eq!(s.line_col(2 + 3 + 1), (2, 3));
    }
}
