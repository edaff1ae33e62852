//! Diagnostics are data: a stable code, a severity, a location and advice.
//! Every stage appends to a list; printers live in `report.rs`.

use serde::Serialize;

use crate::source::Source;

#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Severity {
    Error,
    Warning,
    Info,
}

impl Severity {
    pub fn as_str(self) -> &'static str {
        match self {
            Severity::Error => "error",
            Severity::Warning => "warning",
            Severity::Info => "info",
        }
    }
}

macro_rules! codes {
    ($( $variant:ident = $name:literal, $sev:ident, $page_fatal:literal, $doc:literal; )*) => {
        /// Every check has a stable code (its kebab-case name is public API:
        /// it appears in JSON output and in `svcguide.toml`).
        #[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
        pub enum Code { $( #[doc = $doc] $variant, )* }

        impl Code {
            pub const ALL: &'static [Code] = &[$(Code::$variant),*];

            pub fn as_str(self) -> &'static str {
                match self { $(Code::$variant => $name,)* }
            }

            /// The severity used unless `svcguide.toml` says otherwise.
            pub fn default_severity(self) -> Severity {
                match self { $(Code::$variant => Severity::$sev,)* }
            }

            /// True when the problem keeps a page (or the file) out of the site:
            /// such problems make `svcguide build` exit non-zero.
            pub fn stops_page(self) -> bool {
                match self { $(Code::$variant => $page_fatal,)* }
            }

            pub fn describe(self) -> &'static str {
                match self { $(Code::$variant => $doc,)* }
            }

            pub fn from_name(name: &str) -> Option<Code> {
                Code::ALL.iter().copied().find(|c| c.as_str() == name)
            }
        }
    };
}

codes! {
    IoError = "io-error", Error, true, "A file or folder could not be read.";
    BinaryFile = "binary-file", Error, true, "A `.md` file holds binary data.";
    InvalidUtf8 = "invalid-utf8", Error, true, "A file is not valid UTF-8.";
    FrontMatterMissing = "frontmatter-missing", Error, true, "The file does not start with a `---` front matter block.";
    FrontMatterSyntax = "frontmatter-syntax", Error, true, "The front matter is not valid YAML.";
    KeyMissing = "frontmatter-key-missing", Error, true, "A key the site needs (title, permalink) is missing.";
    KeyType = "frontmatter-key-type", Warning, false, "A front matter key has a value of an unexpected type.";
    PermalinkUnsafe = "permalink-unsafe", Error, true, "A permalink would escape the output folder or is not a plain path.";
    PermalinkDuplicate = "permalink-duplicate", Error, true, "Two articles claim the same permalink.";
    PermalinkCase = "permalink-case-clash", Warning, false, "Two permalinks differ only in letter case (they collide on Windows and macOS).";
    IdDuplicate = "id-duplicate", Warning, false, "Two articles have the same `id`.";
    StatusUnknown = "status-unknown", Warning, false, "`status` is neither `publish` nor a WordPress draft state.";
    HtmlCommentUnclosed = "html-comment-unclosed", Warning, false, "An HTML comment (`<!--`) is never closed; browsers would hide the rest of the text.";
    HtmlUnclosed = "html-unclosed", Warning, false, "Raw HTML opens an element (`<a>`, `<table>`, `<div>`, …) it never closes; browsers would keep it open over the rest of the page.";
    DateInvalid = "date-invalid", Warning, false, "`date` or `updated` does not read as a date (the page shows none).";
    SectionMissing = "section-missing", Warning, false, "A service article lacks one of the six sections.";
    SectionDuplicate = "section-duplicate", Warning, false, "A section heading appears twice.";
    SectionUnknown = "section-unknown", Warning, false, "A `#####` heading in a service article is not one of the six sections.";
    SectionOrder = "section-order", Warning, false, "The sections are not in the house order.";
    SectionEmpty = "section-empty", Warning, false, "A list section has no items.";
    ListStrayText = "list-stray-text", Warning, false, "A list section holds text that is not a `- ` item.";
    StateUnknown = "state-unknown", Warning, false, "A state item does not start with a known state word.";
    OsLabelUnknown = "os-label-unknown", Warning, false, "An item starts with something like an OS label that is not one, or its label names a misspelt edition (`Ultmate`) or a service pack the version never had (`WinXP SP4`).";
    ProcessNoName = "process-no-name", Info, false, "A process item names no service (the `(ShortName)` part): a form the guide uses (`WinNT4: Rpcss.exe`), but the name makes the service findable by it.";
    RefEmpty = "ref-empty", Warning, false, "A Supports/Depends item names nothing.";
    RefSeveral = "ref-several", Warning, false, "A Supports/Depends item links several services (each link is read as its own item).";
    RefUnlinked = "ref-unlinked", Info, false, "A Supports/Depends item names a service without linking it.";
    RefUnwritten = "ref-unwritten", Error, false, "A Supports/Depends item links to a permalink no page has, and none near it: the page shows the name without a link. The guide links services nobody wrote yet; `ref-unwritten = \"warn\"` under `[checks]` accepts them and keeps broken links in the text errors.";
    ServiceForm = "service-form", Warning, false, "The `service:` front matter map has a value svcguide cannot read.";
    ServiceFormMismatch = "service-form-mismatch", Warning, false, "The `service:` front matter and the article body disagree.";
    LinkBroken = "link-broken", Error, false, "An internal link points to no page of the guide.";
    LinkFragment = "link-fragment", Error, false, "A link's `#fragment` names no heading on the target page.";
    OutputLinkBroken = "output-link-broken", Error, false, "An `href`/`src` in the rendered site (templates included) resolves to no file.";
    CopiedShadows = "copied-file-shadows", Error, true, "A static file or non-Markdown content file would replace a generated file, or another copied file.";
    CopiedActive = "copied-file-active", Error, true, "With `sanitize = true`, an HTML, SVG or XML file would be copied unsanitized.";
    LiquidUnknown = "liquid-unknown", Warning, false, "A Liquid tag other than `relative_url` appears in a body.";
    GraphDependsUnmirrored = "graph-depends-unmirrored", Warning, false, "A Depends edge is not listed in the target's Supports.";
    GraphSupportsUnmirrored = "graph-supports-unmirrored", Warning, false, "A Supports edge is not listed in the target's Depends.";
    GraphCycle = "graph-cycle", Warning, false, "Services depend on each other in a cycle.";
    GraphDisabledDependency = "graph-disabled-dependency", Warning, false, "A service recommended Disabled is needed by one recommended Automatic.";
    ExternalBroken = "external-broken", Warning, false, "An external link answered with an error or not at all.";
    ExternalRedirect = "external-redirect", Info, false, "An external link redirects elsewhere.";
    ExternalRateLimited = "external-rate-limited", Warning, false, "An external host answered 429 Too Many Requests.";
    SearchSize = "search-size", Warning, false, "The search index and doc store exceed the configured budget.";
    WindowsValue = "windows-value", Warning, false, "`windows:` names something that is not a Windows version or range.";
    AvailabilityInferred = "availability-inferred", Info, false, "A service's Windows versions rest only on inference from the article's date.";
    AvailabilityContradiction = "availability-contradiction", Warning, false, "An article says a service exists on a Windows version and also that it does not.";
    ScaffoldTodo = "scaffold-todo", Warning, false, "Guidance text from `svcguide new` (a `TODO:`) that the author has not replaced yet.";
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Diagnostic {
    #[serde(serialize_with = "code_name")]
    pub code: Code,
    pub severity: Severity,
    /// Relative to the content folder, `/`-separated.
    pub file: String,
    pub line: usize,
    pub col: usize,
    pub message: String,
    pub help: Option<String>,
    /// For link diagnostics: the target exactly as written.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub target: Option<String>,
    /// The other article of a clash (permalink, id) or of a dependency
    /// warning (an unmirrored link, a Disabled dependency): its file.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub related: Option<String>,
}

fn code_name<S: serde::Serializer>(code: &Code, s: S) -> Result<S::Ok, S::Error> {
    s.serialize_str(code.as_str())
}

impl Diagnostic {
    pub fn new(
        code: Code,
        file: &str,
        line: usize,
        col: usize,
        message: impl Into<String>,
    ) -> Self {
        Diagnostic {
            code,
            severity: code.default_severity(),
            file: file.to_string(),
            line,
            col,
            message: message.into(),
            help: None,
            target: None,
            related: None,
        }
    }

    /// A diagnostic at a byte offset of a source.
    pub fn at(code: Code, src: &Source, offset: usize, message: impl Into<String>) -> Self {
        let (line, col) = src.line_col(offset);
        Diagnostic::new(code, &src.rel, line, col, message)
    }

    pub fn help(mut self, help: impl Into<String>) -> Self {
        self.help = Some(help.into());
        self
    }

    pub fn target(mut self, target: impl Into<String>) -> Self {
        self.target = Some(target.into());
        self
    }

    pub fn related(mut self, file: impl Into<String>) -> Self {
        self.related = Some(file.into());
        self
    }

    /// Stable order for printing and snapshots: by file, position, then code.
    pub fn sort_key(&self) -> (&str, usize, usize, Code, &str) {
        (&self.file, self.line, self.col, self.code, &self.message)
    }
}

/// Sorts and removes exact duplicates (a link seen twice by two passes is one problem).
pub fn normalise(diags: &mut Vec<Diagnostic>) {
    diags.sort_by(|a, b| a.sort_key().cmp(&b.sort_key()));
    diags.dedup();
}

/// The nearest candidate by edit distance, if it is close enough to be a useful hint.
pub fn nearest<'a>(word: &str, candidates: impl IntoIterator<Item = &'a str>) -> Option<&'a str> {
    let lower = word.to_lowercase();
    let limit = (lower.chars().count() / 3).clamp(1, 4);
    candidates
        .into_iter()
        .map(|c| (edit_distance(&lower, &c.to_lowercase()), c))
        .filter(|(d, _)| *d <= limit)
        .min_by_key(|(d, c)| (*d, *c))
        .map(|(_, c)| c)
}

pub fn edit_distance(a: &str, b: &str) -> usize {
    let b: Vec<char> = b.chars().collect();
    let mut prev: Vec<usize> = (0..=b.len()).collect();
    for (i, ca) in a.chars().enumerate() {
        let mut cur = vec![i + 1; b.len() + 1];
        for (j, cb) in b.iter().enumerate() {
            let cost = usize::from(ca != *cb);
            cur[j + 1] = (prev[j] + cost).min(prev[j + 1] + 1).min(cur[j] + 1);
        }
        prev = cur;
    }
    prev[b.len()]
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn code_names_are_unique_and_round_trip() {
        for code in Code::ALL {
            assert_eq!(Code::from_name(code.as_str()), Some(*code));
        }
        let mut names: Vec<_> = Code::ALL.iter().map(|c| c.as_str()).collect();
        names.sort();
        names.dedup();
        assert_eq!(names.len(), Code::ALL.len());
    }

    #[test]
    fn nearest_suggests_close_words_only() {
        let words = ["Automatic", "Manual", "Disabled"];
        assert_eq!(nearest("Automatc", words), Some("Automatic"));
        assert_eq!(nearest("Manaul", words), Some("Manual"));
        assert_eq!(nearest("Sometimes", words), None);
    }
}

#[cfg(test)]
mod doc_tests {
    use super::Code;

    /// docs/check.md lists every code, so the documentation cannot drift.
    #[test]
    fn every_code_is_documented() {
        let doc = include_str!("../docs/check.md");
        for code in Code::ALL {
            assert!(
                doc.contains(&format!("| `{}` |", code.as_str())),
                "docs/check.md lacks {}",
                code.as_str()
            );
        }
    }
}
