//! Escaping for the contexts the views write by hand: XML (SVG, and the `xml`
//! filter of the feed and sitemap templates), CSV, and the HTML rows of the big
//! per-service lists. HTML from templates is escaped by tera's autoescape, which
//! `views::article::load_templates` points at [`html_to`] (the escaper of
//! `text`), so a list written here reads the same as one a template wrote.

pub use crate::text::{escape_html_into as html_into, escape_html_to as html_to};

/// Appends each item escaped in `<code>`, `sep` between them (the short names,
/// processes and arguments of the per-service lists).
pub fn code_list_into<S: AsRef<str>>(out: &mut String, items: &[S], sep: &str) {
    for (i, item) in items.iter().enumerate() {
        if i > 0 {
            out.push_str(sep);
        }
        out.push_str("<code>");
        html_into(out, item.as_ref());
        out.push_str("</code>");
    }
}

/// Escapes text for XML element content and attribute values, and drops the
/// characters XML 1.0 does not allow at all (C0 controls other than tab, LF, CR).
pub fn xml(s: &str) -> String {
    let mut out = String::with_capacity(s.len() + 8);
    for c in s.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&apos;"),
            '\t' | '\n' | '\r' => out.push(c),
            c if (c as u32) < 0x20 || c == '\u{fffe}' || c == '\u{ffff}' => {}
            c => out.push(c),
        }
    }
    out
}

/// One CSV cell (RFC 4180) appended to `out`: quoted when it holds a comma,
/// quote or line break, and prefixed with `'` when a spreadsheet would read it
/// as a formula (`=`, `+`, `-`, `@`, or a leading tab / carriage return).
pub fn csv_cell_into(out: &mut String, s: &str) {
    let quoted = s.contains([',', '"', '\n', '\r']);
    if quoted {
        out.push('"');
    }
    if s.starts_with(['=', '+', '-', '@', '\t', '\r']) {
        out.push('\'');
    }
    if quoted {
        for (i, part) in s.split('"').enumerate() {
            if i > 0 {
                out.push_str("\"\"");
            }
            out.push_str(part);
        }
        out.push('"');
    } else {
        out.push_str(s);
    }
}

/// One CSV record appended to `out`, cells escaped, ended by CRLF.
pub fn csv_row_into<S: AsRef<str>>(out: &mut String, cells: &[S]) {
    for (i, cell) in cells.iter().enumerate() {
        if i > 0 {
            out.push(',');
        }
        csv_cell_into(out, cell.as_ref());
    }
    out.push_str("\r\n");
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn html_escapes_markup_and_both_quotes_and_keeps_the_rest() {
        let input = "a/b 'c' \"d\" <e> & é";
        let mut out = String::from("kept ");
        html_into(&mut out, input);
        assert_eq!(out, "kept a/b &#39;c&#39; &quot;d&quot; &lt;e&gt; &amp; é");
        let mut bytes = Vec::new();
        html_to(input, &mut bytes).unwrap();
        assert_eq!(String::from_utf8(bytes).unwrap(), &out["kept ".len()..]);
        let mut edge = String::new();
        html_into(&mut edge, "&");
        html_into(&mut edge, "");
        html_into(&mut edge, "x<");
        assert_eq!(edge, "&amp;x&lt;");
    }

    #[test]
    fn xml_escapes_markup_quotes_and_cdata_ends() {
        assert_eq!(
            xml("<script>alert(\"x\" & 'y')</script>"),
            "&lt;script&gt;alert(&quot;x&quot; &amp; &apos;y&apos;)&lt;/script&gt;"
        );
        assert_eq!(xml("a]]>b"), "a]]&gt;b");
        assert_eq!(xml("bell\u{7}tab\t"), "belltab\t");
    }

    #[test]
    fn csv_quotes_and_defuses_formulas() {
        let cell = |s: &str| {
            let mut out = String::from("kept");
            csv_cell_into(&mut out, s);
            out.strip_prefix("kept").unwrap().to_string()
        };
        assert_eq!(cell("plain"), "plain");
        assert_eq!(cell("a,b"), "\"a,b\"");
        assert_eq!(cell("say \"hi\""), "\"say \"\"hi\"\"\"");
        assert_eq!(cell("\"\""), "\"\"\"\"\"\"");
        assert_eq!(cell("=cmd|' /C calc'!A0"), "'=cmd|' /C calc'!A0");
        assert_eq!(cell("+1"), "'+1");
        assert_eq!(cell("-1"), "'-1");
        assert_eq!(cell("@SUM(A1)"), "'@SUM(A1)");
        assert_eq!(cell("=a,b"), "\"'=a,b\"");
        assert_eq!(cell("\rx"), "\"'\rx\"");
        assert_eq!(cell(""), "");
        let mut row = String::new();
        csv_row_into(&mut row, &["a", "b\nc"]);
        csv_row_into(&mut row, &[""; 0]);
        assert_eq!(row, "a,\"b\nc\"\r\n\r\n");
    }
}
