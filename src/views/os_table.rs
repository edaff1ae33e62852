//! The body of a per-version table (`os/<id>.html`), written here rather than by
//! the template: each page has a row per service (10,000 on a big guide), and
//! tera's per-row work (turning every row into a template value, then looking up
//! each field) was a fifth of a whole `check`. The markup is what the template's
//! loop wrote before, escaped the same way (`escape::html_into`).

use super::escape::{code_list_into, html_into as esc};
use super::os::{Variant, VersionRow};
use crate::service::availability::Source;

/// After the title of a service whose presence on the version is inferred.
const INFERRED_BADGE: &str = r#" <span class="badge inferred" title="The article does not name this version: inferred from its date">inferred</span>"#;

/// After the title of a service known on the version only from another
/// article's link, whose state there is its unlabelled item's.
const ASSUMED_BADGE: &str = r#" <span class="badge inferred" title="Another article's link names this version; the default without a label is assumed to hold there">inferred</span>"#;
/// In the Default cell when no Default item holds on the version.
const NOT_STATED: &str = r#"<span class="none">Not stated</span>"#;

/// The rows of the table's `<tbody>`, as the template's loop produced them.
pub fn rows_html(rows: &[VersionRow]) -> String {
    let mut out = String::with_capacity(rows.len() * 700);
    for r in rows {
        row(&mut out, r);
    }
    out
}

// One line per row, with no labels on the cells: at 10,000 services the
// template's indentation and a `data-label` on every cell were a quarter of the
// per-version pages. The narrow-screen labels come from style.css by column,
// and tables.js finds a column by its header.
fn row(out: &mut String, r: &VersionRow) {
    out.push_str("\n<tr data-states=\"");
    esc(out, &r.states);
    out.push_str("\"><th scope=\"row\"><a href=\"");
    esc(out, r.url);
    out.push_str("\">");
    esc(out, r.title);
    out.push_str("</a>");
    if r.source == Source::Inferred {
        out.push_str(INFERRED_BADGE);
    } else if r.assumed {
        out.push_str(ASSUMED_BADGE);
    }
    out.push_str("</th><td>");
    code_list_into(out, &r.names, ", ");
    // The Default column sorts by the row's `data-states` (tables.js), so its
    // cells carry no `data-value`.
    out.push_str("</td><td>");
    if r.defaults.is_empty() {
        out.push_str(NOT_STATED);
    }
    variants(out, &r.defaults);
    out.push_str("</td><td data-value=\"");
    out.push_str(itoa::Buffer::new().format(r.recommended_rank));
    out.push_str("\">");
    variants(out, &r.recommendeds);
    out.push_str("</td><td>");
    code_list_into(out, &r.processes, "<br>");
    out.push_str("</td></tr>");
}

/// One variant inline, several as a list.
fn variants(out: &mut String, list: &[Variant]) {
    if list.len() > 1 {
        out.push_str("<ul class=\"variants\">");
        for v in list {
            out.push_str("<li>");
            variant(out, v);
            out.push_str("</li>");
        }
        out.push_str("</ul>");
    } else {
        for v in list {
            variant(out, v);
        }
    }
}

fn variant(out: &mut String, v: &Variant) {
    // Empty texts count as absent, as they did in the template's `{% if %}`.
    if let Some(note) = v.note.as_deref().filter(|n| !n.is_empty()) {
        out.push_str("<span class=\"note\">");
        esc(out, note);
        out.push_str(":</span> ");
    }
    match v.state.filter(|s| !s.is_empty()) {
        Some(state) => {
            out.push_str("<span class=\"state state-");
            esc(out, state);
            out.push_str("\">");
            esc(out, v.text);
            out.push_str("</span>");
        }
        None => esc(out, v.text),
    }
    if let Some(c) = v.condition.filter(|c| !c.is_empty()) {
        out.push_str("<span class=\"cond\">, ");
        esc(out, c);
        out.push_str("</span>");
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn row_of(defaults: Vec<Variant<'static>>) -> VersionRow<'static> {
        VersionRow {
            index: 0,
            slug: "alerter",
            title: "Alerter & <Co>",
            url: "../article/alerter.html",
            names: vec!["Alerter", "Al2"],
            default: Some("manual"),
            default_label: "Manual",
            qualifier: None,
            defaults,
            recommended: None,
            recommended_label: "",
            recommendeds: Vec::new(),
            processes: vec!["svchost.exe -k netsvcs"],
            states: "manual".into(),
            source: Source::Labelled,
            assumed: false,
            recommended_rank: 7,
        }
    }

    fn manual(note: Option<&str>) -> Variant<'static> {
        Variant {
            note: note.map(str::to_string),
            state: Some("manual"),
            text: "Manual",
            condition: Some("if \"x\""),
        }
    }

    #[test]
    fn a_row_escapes_every_value_and_lists_several_variants() {
        let html = rows_html(&[row_of(vec![manual(Some("SP2")), manual(None)])]);
        assert_eq!(
            html,
            "\n<tr data-states=\"manual\"><th scope=\"row\">\
             <a href=\"../article/alerter.html\">Alerter &amp; &lt;Co&gt;</a></th>\
             <td><code>Alerter</code>, <code>Al2</code></td>\
             <td><ul class=\"variants\">\
             <li><span class=\"note\">SP2:</span> <span class=\"state state-manual\">Manual</span>\
             <span class=\"cond\">, if &quot;x&quot;</span></li>\
             <li><span class=\"state state-manual\">Manual</span><span class=\"cond\">, if &quot;x&quot;</span></li></ul></td>\
             <td data-value=\"7\"></td>\
             <td><code>svchost.exe -k netsvcs</code></td></tr>"
        );
    }

    #[test]
    fn one_variant_is_inline_and_untyped_text_has_no_state_span() {
        let untyped = Variant {
            note: None,
            state: None,
            text: "see text",
            condition: None,
        };
        let html = rows_html(&[row_of(vec![untyped])]);
        assert!(html.contains("<td>see text</td>"), "{html}");
    }
}
