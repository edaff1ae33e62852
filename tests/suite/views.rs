//! Readers' views (src/views/): per-version tables, impact with a cycle, the graph,
//! processes, tags, feed, robots, and the escaping of what is written by hand.
//! The fixture guide is tests/fixtures/views/content (our own articles).

use crate::common;

use std::collections::BTreeMap;
use std::path::Path;

const VERSIONS: [&str; 7] = ["nt4", "2000", "xp", "2003", "vista", "7", "8"];

/// A file of the built site.
fn read(out: &Path, rel: &str) -> String {
    std::fs::read_to_string(out.join(rel)).unwrap_or_else(|e| panic!("{rel}: {e}"))
}

/// Text of an HTML fragment: list items and line breaks become ` | `, tags go,
/// entities are decoded, whitespace collapses.
fn text(html: &str) -> String {
    let html = html.replace("</li><li>", " | ").replace("<br>", " | ");
    let mut out = String::new();
    let mut in_tag = false;
    for c in html.chars() {
        match c {
            '<' => in_tag = true,
            '>' if in_tag => in_tag = false,
            c if !in_tag => out.push(c),
            _ => {}
        }
    }
    let out = out
        .replace("&lt;", "<")
        .replace("&gt;", ">")
        .replace("&quot;", "\"")
        .replace("&#39;", "'")
        .replace("&amp;", "&");
    out.split_whitespace().collect::<Vec<_>>().join(" ")
}

/// The cells (th and td) of every body row of the first table with `class` in `html`.
fn table_rows(html: &str, class: &str) -> Vec<Vec<String>> {
    let start = html
        .find(&format!("class=\"{class}"))
        .unwrap_or_else(|| panic!("no table .{class}"));
    let body_start = start + html[start..].find("<tbody>").expect("tbody");
    let body_end = body_start + html[body_start..].find("</tbody>").expect("/tbody");
    let body = &html[body_start..body_end];
    let mut rows = Vec::new();
    for row in body.split("<tr").skip(1) {
        let mut cells = Vec::new();
        let mut rest = row;
        loop {
            let th = rest.find("<th");
            let td = rest.find("<td");
            let (at, close) = match (th, td) {
                (Some(a), Some(b)) if a < b => (a, "</th>"),
                (Some(a), None) => (a, "</th>"),
                (_, Some(b)) => (b, "</td>"),
                (None, None) => break,
            };
            let open_end = at + rest[at..].find('>').unwrap() + 1;
            let end = open_end + rest[open_end..].find(close).unwrap();
            cells.push(text(&rest[open_end..end]));
            rest = &rest[end + close.len()..];
        }
        rows.push(cells);
    }
    rows
}

/// A small RFC 4180 reader (quotes, doubled quotes, CRLF) for the tests.
fn parse_csv(s: &str) -> Vec<Vec<String>> {
    let mut rows = Vec::new();
    let mut row = Vec::new();
    let mut cell = String::new();
    let mut quoted = false;
    let mut chars = s.chars().peekable();
    while let Some(c) = chars.next() {
        match c {
            '"' if quoted && chars.peek() == Some(&'"') => {
                cell.push('"');
                chars.next();
            }
            '"' if quoted => quoted = false,
            '"' if cell.is_empty() => quoted = true,
            ',' if !quoted => row.push(std::mem::take(&mut cell)),
            '\r' if !quoted && chars.peek() == Some(&'\n') => {}
            '\n' if !quoted => {
                row.push(std::mem::take(&mut cell));
                rows.push(std::mem::take(&mut row));
            }
            c => cell.push(c),
        }
    }
    if !cell.is_empty() || !row.is_empty() {
        row.push(cell);
        rows.push(row);
    }
    rows
}

type Row = [&'static str; 5];

/// (Service, Short name, Default, Recommended, Process) per version, as the
/// fixture articles say; written by hand from the articles.
fn expected_tables() -> BTreeMap<&'static str, Vec<Row>> {
    const EVENTLOG_OLD: Row = [
        "Event Log",
        "Eventlog",
        "Automatic",
        "Automatic",
        "services.exe",
    ];
    const EVENTLOG_NEW: Row = [
        "Event Log",
        "EventLog",
        "Automatic",
        "Automatic",
        "svchost.exe -k LocalServiceNetworkRestricted",
    ];
    const FAX_REC: &str =
        "Manual, if sending faxes from this computer | Disabled, if there is no fax modem";
    // Unlabeled items only, written when XP was current: XP and later,
    // inferred (the badge's text ends the title cell).
    const NTFRS: Row = [
        "File Replication inferred",
        "NtFrs",
        "Manual",
        "Manual",
        "ntfrs.exe",
    ];
    const NETLOGON: Row = [
        "Net Logon inferred",
        "Netlogon",
        "Manual, if in a Workgroup (If started it will stop automatically) | Automatic, if in a Domain",
        "Manual, unless the computer is a domain member",
        "lsass.exe",
    ];
    const SPOOLER_REC: &str = "Disabled, if no printer or fax is ever used";
    const PSTORE_REC: &str = "Automatic, if saved passwords should keep working";
    const RPC_REC: &str = "Automatic, nothing works without it";
    const RPC_NEW: Row = [
        "Remote Procedure Call (RPC)",
        "RpcSs",
        "Automatic",
        RPC_REC,
        "svchost -k RPCSS",
    ];
    const WKS_REC: &str = "Automatic, needed to reach shared folders and printers";
    const WKS_XP: Row = [
        "Workstation",
        "lanmanworkstation",
        "Automatic",
        WKS_REC,
        "svchost.exe -k netsvcs",
    ];
    const WKS_NEW: Row = [
        "Workstation",
        "LanmanWorkstation",
        "Automatic",
        WKS_REC,
        "svchost.exe -k NetworkService",
    ];
    const WSC_REC: &str = "Manual, if a firewall and a virus scanner are known to be running";
    const WSC_NEW: Row = [
        "Security Center",
        "wscsvc",
        "Automatic (Delayed Start)",
        WSC_REC,
        "svchost.exe -k LocalServiceNetworkRestricted",
    ];
    const DFS_REC: &str = "Disabled, when no shared namespace is served";
    const DFSR_NEW: Row = ["DFS Replication", "DFSR", "Manual", "Manual", "DFSR.exe"];
    const BTH_REC: &str = "Disabled, if the computer has no Bluetooth radio";
    let mut t = BTreeMap::new();
    t.insert(
        "nt4",
        vec![
            EVENTLOG_OLD,
            // Fax: `WinNT4: Not available` says it is not there. File
            // Replication and Net Logon: unlabeled items, written in the
            // XP years, say nothing of NT4 or 2000.
            [
                "Print Spooler",
                "Spooler",
                "Manual",
                SPOOLER_REC,
                "spoolss.exe",
            ],
            [
                "Protected Storage",
                "ProtectedStorage",
                "Automatic",
                PSTORE_REC,
                "pstores.exe",
            ],
            // `WinNT4: Rpcss.exe` names no service: the article's short name is shown.
            [
                "Remote Procedure Call (RPC)",
                "RpcSs",
                "Automatic",
                RPC_REC,
                "Rpcss.exe",
            ],
            [
                "Workstation",
                "LanmanWorkstation",
                "Automatic",
                WKS_REC,
                "services.exe",
            ],
        ],
    );
    t.insert(
        "2000",
        vec![
            // `Win2k Srv.` / `Win2k Pro`: both editions, each with its state.
            [
                "Distributed File System",
                "Dfs",
                "Srv.: Automatic | Pro: Not available",
                DFS_REC,
                "Dfssvc.exe",
            ],
            EVENTLOG_OLD,
            // `Win2k/XP`: the short form XP inherits the Win.
            [
                "Fax",
                "Fax",
                "Manual (Default not installed)",
                FAX_REC,
                "fxssvc.exe",
            ],
            [
                "Print Spooler",
                "Spooler",
                "Manual",
                SPOOLER_REC,
                "spoolss.exe",
            ],
            [
                "Protected Storage",
                "ProtectedStorage",
                "Automatic",
                PSTORE_REC,
                "lsass.exe",
            ],
            [
                "Remote Procedure Call (RPC)",
                "RpcSs",
                "Automatic",
                RPC_REC,
                "svchost.exe -k rpcss",
            ],
            [
                "Workstation",
                "LanmanWorkstation",
                "Automatic",
                WKS_REC,
                "services.exe",
            ],
        ],
    );
    t.insert(
        "xp",
        vec![
            EVENTLOG_OLD,
            [
                "Fax",
                "Fax",
                "Manual (Default not installed)",
                FAX_REC,
                "fxssvc.exe",
            ],
            NTFRS,
            NETLOGON,
            // `Win7\\Vista\\WinXP` and `WinXP+`.
            [
                "Print Spooler",
                "Spooler",
                "Automatic",
                SPOOLER_REC,
                "spoolsv.exe",
            ],
            // `WinNT4/2k/XP`.
            [
                "Protected Storage",
                "ProtectedStorage",
                "Automatic",
                PSTORE_REC,
                "lsass.exe",
            ],
            RPC_NEW,
            // `WinXP SP2+` holds for XP, with its service pack shown.
            [
                "Security Center",
                "wscsvc",
                "SP2+: Automatic",
                WSC_REC,
                "svchost.exe -k netsvcs",
            ],
            WKS_XP,
        ],
    );
    t.insert(
        "2003",
        vec![
            [
                "DFS Replication",
                "DFSR",
                "R2: Manual",
                "Manual",
                "DFSR.exe",
            ],
            [
                "Distributed File System",
                "Dfs",
                "Automatic",
                DFS_REC,
                "Dfssvc.exe",
            ],
            EVENTLOG_OLD,
            ["Fax", "Fax", "Not installed", FAX_REC, "fxssvc.exe"],
            NTFRS,
            NETLOGON,
            // Print Spooler: the process label `WinXP+` places it on 2003, where
            // no Default State item holds.
            [
                "Print Spooler",
                "Spooler",
                "Not stated",
                SPOOLER_REC,
                "spoolsv.exe",
            ],
            [
                "Protected Storage",
                "ProtectedStorage",
                "Automatic",
                PSTORE_REC,
                "lsass.exe",
            ],
            RPC_NEW,
            WKS_XP,
        ],
    );
    t.insert(
        "vista",
        vec![
            DFSR_NEW,
            EVENTLOG_NEW,
            // `Vista Home Basic` and `Vista Business/Ultimate`.
            [
                "Fax",
                "Fax",
                "Home Basic: Not available | Business/Ultimate: Manual",
                FAX_REC,
                "fxssvc.exe",
            ],
            NTFRS,
            NETLOGON,
            [
                "Print Spooler",
                "Spooler",
                "Automatic",
                SPOOLER_REC,
                "spoolsv.exe",
            ],
            [
                "Protected Storage",
                "ProtectedStorage",
                "Manual",
                PSTORE_REC,
                "lsass.exe",
            ],
            RPC_NEW,
            WSC_NEW,
            WKS_NEW,
        ],
    );
    t.insert(
        "7",
        vec![
            [
                "Bluetooth Support Service",
                "bthserv",
                "Manual",
                BTH_REC,
                "svchost.exe -k LocalService",
            ],
            DFSR_NEW,
            EVENTLOG_NEW,
            ["Fax", "Fax", "Pro: Manual", FAX_REC, "fxssvc.exe"],
            NTFRS,
            NETLOGON,
            [
                "Print Spooler",
                "Spooler",
                "Automatic",
                SPOOLER_REC,
                "spoolsv.exe",
            ],
            [
                "Protected Storage",
                "ProtectedStorage",
                "Manual",
                PSTORE_REC,
                "lsass.exe",
            ],
            RPC_NEW,
            WSC_NEW,
            WKS_NEW,
        ],
    );
    t.insert(
        "8",
        vec![
            [
                "Bluetooth Support Service",
                "bthserv",
                "Manual (Trigger Start)",
                BTH_REC,
                "svchost.exe -k LocalService",
            ],
            DFSR_NEW,
            EVENTLOG_NEW,
            // Fax and Protected Storage: no label names Windows 8.
            NTFRS,
            NETLOGON,
            [
                "Print Spooler",
                "Spooler",
                "Automatic",
                SPOOLER_REC,
                "spoolsv.exe",
            ],
            RPC_NEW,
            WSC_NEW,
            WKS_NEW,
        ],
    );
    t
}

#[test]
fn version_pages_list_exactly_what_the_labels_say() {
    let built = common::build_fixture("views/content");
    let expected = expected_tables();
    let mut mismatches = Vec::new();
    for os in VERSIONS {
        let html = read(&built.out, &format!("os/{os}.html"));
        let got = table_rows(&html, "os-table");
        let want: Vec<Vec<String>> = expected[os]
            .iter()
            .map(|r| r.iter().map(|c| c.to_string()).collect())
            .collect();
        if got != want {
            mismatches.push(format!("os/{os}.html:\n  want {want:#?}\n  got  {got:#?}"));
        }
    }
    assert!(mismatches.is_empty(), "{}", mismatches.join("\n"));
}

#[test]
fn csv_and_services_json_agree_with_the_pages() {
    let built = common::build_fixture("views/content");
    let json = common::services_json(&built.out);
    let state_id = |label: &str| label.to_ascii_lowercase().replace(' ', "_");
    for os in VERSIONS {
        let html = read(&built.out, &format!("os/{os}.html"));
        let page = table_rows(&html, "os-table");
        let csv = parse_csv(&read(&built.out, &format!("os/{os}.csv")));
        assert_eq!(
            csv[0],
            [
                "slug",
                "title",
                "names",
                "default",
                "qualifier",
                "recommended",
                "process",
                "default_all",
                "recommended_all",
                "source"
            ]
        );
        let records = &csv[1..];
        assert_eq!(records.len(), page.len(), "os/{os}.csv rows");
        let by_os = json["by_os"][os].as_array().cloned().unwrap_or_default();
        assert_eq!(by_os.len(), records.len(), "by_os.{os} rows");
        for ((rec, cells), row) in records.iter().zip(&page).zip(&by_os) {
            assert_eq!(rec.len(), 10, "{rec:?}");
            // The title cell ends with the badge of an inferred version.
            let inferred = cells[0].ends_with(" inferred");
            assert_eq!(rec[1], cells[0].trim_end_matches(" inferred"), "title");
            assert_eq!(rec[9] == "inferred", inferred, "source");
            assert_eq!(rec[2], cells[1].replace(", ", "; "), "names");
            let default_all = cells[2].replace(" | ", "; ");
            assert_eq!(
                rec[7],
                default_all.trim_start_matches("Not stated"),
                "default_all"
            );
            assert_eq!(rec[8], cells[3].replace(" | ", "; "), "recommended_all");
            assert_eq!(rec[6], cells[4].replace(" | ", "; "), "process");
            // The first default state is services.json's by_os state.
            assert_eq!(row["slug"], rec[0].as_str(), "{os}");
            // No Default item holds on the version: null in JSON, empty in CSV.
            assert_eq!(
                row["default"].as_str().unwrap_or(""),
                state_id(&rec[3]).as_str(),
                "{os} {}",
                rec[0]
            );
            assert_eq!(
                row["qualifier"].as_str().unwrap_or(""),
                rec[4],
                "{os} {}",
                rec[0]
            );
            assert_eq!(
                row["recommended"].as_str().unwrap_or(""),
                state_id(&rec[5]),
                "{os} {}",
                rec[0]
            );
        }
    }
    // Spot checks of typed columns.
    let vista = parse_csv(&read(&built.out, "os/vista.csv"));
    let fax = vista.iter().find(|r| r[0] == "vw-fax").unwrap();
    // `Vista Home Basic: Not available`, `Vista Business/Ultimate: Manual`: the
    // version's state is that of the editions it exists on.
    assert_eq!((fax[3].as_str(), fax[4].as_str()), ("Manual", ""));
    let wsc = vista.iter().find(|r| r[0] == "vw-wscsvc").unwrap();
    assert_eq!(
        (wsc[3].as_str(), wsc[4].as_str()),
        ("Automatic", "Delayed Start")
    );
}

/// Link texts of the `<li>`s of `block`, without the grey depth notes.
fn items(block: &str) -> Vec<String> {
    block
        .split("<li>")
        .skip(1)
        .map(|li| {
            let li = &li[..li.find("</li>").unwrap()];
            let li = match li.strip_prefix("<span class=\"depth\">") {
                Some(rest) => &rest[rest.find("</span> ").unwrap() + 8..],
                None => li,
            };
            // The name only: a link's qualifier (`<small>(Vista+)</small>`) is apart.
            let li = li.find(" <small>").map_or(li, |at| &li[..at]);
            text(li)
        })
        .collect()
}

/// The `<div class="fact">` that `marker` starts, up to its `</div>`.
/// The "Required by" list of its fact block, without the article's one-sided
/// Supports items after it.
fn required_by_only(block: &str) -> &str {
    block.find("supports-more").map_or(block, |at| &block[..at])
}

fn fact<'a>(html: &'a str, marker: &str) -> Option<&'a str> {
    let start = html.find(marker)?;
    Some(&html[start..start + html[start..].find("</div>").unwrap()])
}

/// Everything "Disabling this service also stops" stands for on an article: the
/// "Required by" list (which it does not repeat) but for its Unofficial links,
/// which stop nothing, and its own nearest ones, by title. Checks that the
/// count agrees and that nothing was left unlisted (the fixture is small).
fn impact(out: &Path, slug: &str) -> Vec<String> {
    let html = read(out, &format!("article/{slug}.html"));
    let Some(block) = fact(&html, "<div class=\"fact impact\"") else {
        return vec![];
    };
    assert!(block.contains("Disabling this service also stops"));
    assert!(!block.contains("impact-more"), "{block}");
    let official = |block: &str| -> String {
        block
            .split("<li>")
            .filter(|li| !li.contains("(Unofficial)"))
            .collect::<Vec<_>>()
            .join("<li>")
    };
    let required_by = fact(&html, "<h3>Required by</h3>")
        .map_or(vec![], |b| items(&official(required_by_only(b))));
    let nearest = items(block);
    for n in &nearest {
        assert!(!required_by.contains(n), "{n} is shown twice");
    }
    let mut all: Vec<String> = required_by.into_iter().chain(nearest).collect();
    all.sort_by_key(|t| t.to_lowercase());
    let count = format!("<p class=\"impact-count\">{} service", all.len());
    assert!(block.contains(&count), "{block}");
    all
}

#[test]
fn impact_follows_required_by_through_a_cycle() {
    // vw-dfs depends on vw-ntfrs, vw-ntfrs on vw-dfs (Unofficial), vw-dfsr on vw-dfs.
    let built = common::build_fixture("views/content");
    let out = &built.out;
    // An Unofficial link stops nothing: File Replication is required by, not
    // stopped, and the page says so.
    assert_eq!(impact(out, "vw-dfs"), ["DFS Replication"]);
    assert!(read(out, "article/vw-dfs.html")
        .contains("Not counted: the service under Required by whose link is marked Unofficial"));
    // "Required by" says what the depending article says of its link.
    let dfs = read(out, "article/vw-dfs.html");
    let required_by = fact(&dfs, "<h3>Required by</h3>").unwrap();
    assert!(
        required_by.contains("File Replication</a> <small>(Unofficial)</small>"),
        "{required_by}"
    );
    assert_eq!(
        impact(out, "vw-ntfrs"),
        ["DFS Replication", "Distributed File System"]
    );
    assert!(impact(out, "vw-dfsr").is_empty());
    // File Replication needs Distributed File System only unofficially.
    assert_eq!(
        impact(out, "vw-workstation"),
        ["DFS Replication", "Distributed File System", "Net Logon"]
    );
    assert_eq!(
        impact(out, "vw-eventlog"),
        [
            "DFS Replication",
            "Distributed File System",
            "File Replication"
        ]
    );
    assert_eq!(
        impact(out, "vw-rpcss"),
        [
            "Bluetooth Support Service",
            "DFS Replication",
            "Distributed File System",
            "Event Log",
            "Fax",
            "File Replication",
            "Print Spooler",
            "Protected Storage",
            "Security Center"
        ]
    );
}

/// `(WinNT4 name)` says what the link's text calls the service on NT4, not
/// that the link holds there only: the dependent stops with it on every
/// version both exist on (`graph-data.js`, which the page's full list reads).
#[test]
fn a_name_qualifier_does_not_limit_the_link_to_its_versions() {
    let dir = tempfile::tempdir().unwrap();
    let content = dir.path().join("content");
    std::fs::create_dir_all(&content).unwrap();
    let article = |slug: &str, title: &str, supports: &str, depends: &str| {
        std::fs::write(
            content.join(format!("{slug}.html.md")),
            format!(
                "---\ntitle: '{title}'\nstatus: publish\npermalink: /article/{slug}.html\ncategory:\n    - 'Services Guide'\n---\n##### Description:\n\n{title} does a thing.\n\n##### Recommended State:\n\n- Manual\n\n##### Default State:\n\n- Win7/Vista/WinXP/Win2k/WinNT4: Manual\n\n##### Process Name:\n\n- {slug}.exe ({title})\n\n##### Supports:\n\n{supports}\n\n##### Depends:\n\n{depends}"
            ),
        )
        .unwrap();
    };
    article(
        "nq-queue",
        "Queue",
        "- [Sender](/article/nq-sender.html)",
        "- None",
    );
    article(
        "nq-sender",
        "Sender",
        "- None",
        "- [Print Queue](/article/nq-queue.html) (Win2k/WinXP/Vista name)\n- [Queue](/article/nq-queue.html) (WinNT4 name)",
    );
    let built = common::build_dir(&content, &[]);
    let data = read(&built.out, "graph-data.js");
    // Queue is required by Sender (position 1 by title: 1 * 128) on NT4,
    // 2000, XP, Vista and 7 (bits 1 + 2 + 4 + 16 + 32 = 55), not only on the
    // four the qualifiers name (23).
    assert!(data.contains("\"requiredBy\": [[183],[]]"), "{data}");
}

#[test]
fn graph_page_builds_with_a_cycle_and_pages_list_their_neighbours_once() {
    let built = common::build_fixture("views/content");
    let graph = read(&built.out, "graph.html");
    assert!(
        graph.contains("<svg class=\"graph-svg graph-all\""),
        "{graph}"
    );
    // Every service with an edge is a link node in the SVG.
    for slug in ["vw-dfs", "vw-ntfrs", "vw-dfsr", "vw-rpcss", "vw-netlogon"] {
        assert!(
            graph.contains(&format!("<a href=\"article/{slug}.html\" class=\"g-node")),
            "{slug}"
        );
    }
    // The cycle shares a layer: in the list, both are under the same depth heading.
    let depth_of = |title: &str| -> usize {
        let at = graph.find(&format!(">{title}</a>")).unwrap();
        let head = graph[..at].rfind("<h3 id=\"depth-").unwrap();
        graph[head + 14..]
            .split('"')
            .next()
            .unwrap()
            .parse()
            .unwrap()
    };
    assert_eq!(
        depth_of("Distributed File System"),
        depth_of("File Replication")
    );
    assert_eq!(depth_of("Remote Procedure Call (RPC)"), 0);
    assert!(depth_of("DFS Replication") > depth_of("Distributed File System"));
    // The article page lists its neighbours (Depends on, Required by), with no
    // second drawing of the same lists.
    let dfs = read(&built.out, "article/vw-dfs.html");
    assert!(!dfs.contains("graph-near"), "{dfs}");
    for link in ["vw-ntfrs.html", "vw-workstation.html", "vw-dfsr.html"] {
        assert!(dfs.contains(&format!("<a href=\"{link}\"")), "{link}");
    }
}

#[test]
fn processes_group_images_and_svchost_groups_case_insensitively() {
    let built = common::build_fixture("views/content");
    let html = read(&built.out, "processes.html");
    // `svchost` (no .exe) and `svchost.exe` are one program.
    assert!(html.contains("<h3 id=\"image-svchost-exe\"><code>svchost.exe</code></h3>"));
    assert!(!html.contains("id=\"image-svchost\""));
    let section = |id: &str| -> Vec<Vec<String>> {
        let at = html
            .find(&format!("<h3 id=\"{id}\">"))
            .unwrap_or_else(|| panic!("{id}"));
        table_rows(&html[at..], "host-table")
    };
    let svchost = section("image-svchost-exe");
    let titles: Vec<&str> = svchost.iter().map(|r| r[0].as_str()).collect();
    assert_eq!(
        titles,
        [
            "Bluetooth Support Service",
            "Event Log",
            "Remote Procedure Call (RPC)",
            "Security Center",
            "Workstation"
        ]
    );
    let rpc = &svchost[2];
    assert_eq!(rpc[2], "-k rpcss | -k RPCSS");
    assert_eq!(rpc[3], "2000, XP, 2003, Vista, 7, 8");
    // `rpcss` and `RPCSS` are one group.
    let group = section("group-rpcss");
    assert_eq!(group.len(), 1);
    assert_eq!(group[0][2], "2000, XP, 2003, Vista, 7, 8");
    assert!(
        html.contains("Also written <code>rpcss</code>")
            || html.contains("Also written <code>RPCSS</code>")
    );
    let netsvcs = section("group-netsvcs");
    assert_eq!(
        netsvcs,
        [
            vec!["Security Center".to_string(), "wscsvc".into(), "XP".into()],
            vec![
                "Workstation".to_string(),
                "lanmanworkstation".into(),
                "XP, 2003".into()
            ],
        ]
    );
    // `WinNT4: Rpcss.exe` has no service name but is still RPC's program on NT4.
    let rpcss_exe = section("image-rpcss-exe");
    assert_eq!(rpcss_exe[0][0], "Remote Procedure Call (RPC)");
    assert_eq!(rpcss_exe[0][3], "NT4");
}

#[test]
fn tag_pages_have_safe_names_and_merge_spellings() {
    let built = common::build_fixture("views/content");
    let out = &built.out;
    let printing = read(out, "tags/printing.html");
    assert!(printing.contains(">Fax</a>") && printing.contains(">Print Spooler</a>"));
    // A tag called `index` does not replace the tag index; `../../etc` stays inside.
    assert!(out.join("tags/tag-index.html").is_file());
    assert!(out.join("tags/etc.html").is_file());
    assert!(!out.join("etc.html").exists());
    let index = read(out, "tags/index.html");
    assert!(index.contains("<h1>Tags</h1>"));
    assert!(index.contains("href=\"printing.html\""));
    for entry in std::fs::read_dir(out.join("tags")).unwrap() {
        let name = entry.unwrap().file_name().into_string().unwrap();
        let stem = name.strip_suffix(".html").expect("html");
        assert!(
            stem.chars()
                .all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '-'),
            "{name}"
        );
    }
    // Article footers link to their tag pages.
    let fax = read(out, "article/vw-fax.html");
    assert!(fax.contains("href=\"../tags/printing.html\""), "fax tags");
}

#[test]
fn feed_robots_and_sitemap_use_absolute_urls() {
    let content = common::fixture("views/content");
    let built = common::build_dir(&content, &["--base-url", "https://example.org/guide/"]);
    assert!(built.out.join("index.html").exists(), "{}", built.stderr());
    let feed = read(&built.out, "feed.xml");
    assert!(feed.starts_with(
        "<?xml version=\"1.0\" encoding=\"utf-8\"?>\n<feed xmlns=\"http://www.w3.org/2005/Atom\">"
    ));
    assert!(feed.contains("<link rel=\"self\" type=\"application/atom+xml\" href=\"https://example.org/guide/feed.xml\"/>"));
    assert!(feed.contains("<updated>2012-10-26T20:00:00+02:00</updated>"));
    let titles: Vec<&str> = feed
        .split("<entry>")
        .skip(1)
        .map(|e| {
            let s = e.find("<title>").unwrap() + 7;
            &e[s..s + e[s..].find("</title>").unwrap()]
        })
        .collect();
    assert_eq!(
        titles,
        [
            "Bluetooth Support Service",
            "DFS Replication",
            "Security Center",
            "Where services live",
            "Fax",
            "File Replication",
            "Distributed File System",
            "Net Logon",
            "Protected Storage",
            "Print Spooler",
            "Workstation",
            "Event Log",
            "Remote Procedure Call (RPC)"
        ]
    );
    assert!(feed.contains("<id>https://example.org/guide/article/vw-dfs.html</id>"));
    assert!(feed.contains("<link rel=\"alternate\" type=\"text/html\" href=\"https://example.org/guide/article/vw-dfs.html\"/>"));
    // A date without a time is midnight UTC.
    assert!(feed.contains("<updated>2004-02-03T00:00:00Z</updated>"));
    // The excerpt with markup, quotes and a CDATA end is escaped, never raw.
    assert!(feed.contains("<summary type=\"text\">Host processes explained: &lt;script&gt;alert(&quot;x&quot;)&lt;/script&gt; &amp; the ]]&gt; marker, =cmd included.</summary>"), "{feed}");
    assert!(!feed.contains("<script>"));
    assert_eq!(
        feed.matches("<entry>").count(),
        feed.matches("</entry>").count()
    );

    let robots = read(&built.out, "robots.txt");
    assert!(robots.contains("User-agent: *"));
    assert!(robots.contains("Sitemap: https://example.org/guide/sitemap.xml\n"));
    // Without a base URL there is no full URL to give: no Sitemap line.
    let local = common::build_dir(&content, &[]);
    let robots = read(&local.out, "robots.txt");
    assert_eq!(robots, "User-agent: *\nAllow: /\n");

    let sitemap = read(&built.out, "sitemap.xml");
    for path in [
        "os/index.html",
        "os/xp.html",
        "os/8.html",
        "processes.html",
        "graph.html",
        "tags/index.html",
        "tags/printing.html",
    ] {
        assert!(
            sitemap.contains(&format!("<loc>https://example.org/guide/{path}</loc>")),
            "{path}"
        );
    }
    // Every page announces the feed.
    let page = read(&built.out, "os/xp.html");
    assert!(page.contains("<link rel=\"alternate\" type=\"application/atom+xml\""));
}

#[test]
fn csv_and_xml_escaping() {
    use svcguide::views::escape::{csv_cell_into, csv_row_into, xml};
    let csv_cell = |s: &str| {
        let mut out = String::new();
        csv_cell_into(&mut out, s);
        out
    };
    let csv_row = |cells: &[&str]| {
        let mut out = String::new();
        csv_row_into(&mut out, cells);
        out
    };
    // XML: markup, quotes, apostrophes, CDATA ends, and characters XML forbids.
    assert_eq!(
        xml("<script>alert(\"x\")</script>"),
        "&lt;script&gt;alert(&quot;x&quot;)&lt;/script&gt;"
    );
    assert_eq!(xml("it's a ]]> b & c"), "it&apos;s a ]]&gt; b &amp; c");
    assert_eq!(xml("nul\u{0}bell\u{7}"), "nulbell");
    // CSV: quoting, doubled quotes, line breaks, formula prefixes.
    assert_eq!(csv_cell("=cmd|' /C calc'!A0"), "'=cmd|' /C calc'!A0");
    assert_eq!(csv_cell("+SUM(1)"), "'+SUM(1)");
    assert_eq!(csv_cell("-2+3"), "'-2+3");
    assert_eq!(csv_cell("@A1"), "'@A1");
    assert_eq!(csv_cell("\t=x"), "'\t=x");
    assert_eq!(
        csv_cell("=HYPERLINK(\"http://x\",\"y\")"),
        "\"'=HYPERLINK(\"\"http://x\"\",\"\"y\"\")\""
    );
    assert_eq!(csv_cell("<script>"), "<script>");
    assert_eq!(csv_cell("a \"b\", c"), "\"a \"\"b\"\", c\"");
    assert_eq!(csv_cell("Manual (Trigger Start)"), "Manual (Trigger Start)");
    let line = csv_row(&["vw-x", "Line\nbreak", "=1+1", "]]>"]);
    assert_eq!(line, "vw-x,\"Line\nbreak\",'=1+1,]]>\r\n");
    assert_eq!(
        parse_csv(&line),
        vec![vec!["vw-x", "Line\nbreak", "'=1+1", "]]>"]]
    );
}

#[test]
fn view_pages_link_with_relative_urls_and_semantic_tables() {
    let built = common::build_fixture("views/content");
    let out = &built.out;
    let xp = read(out, "os/xp.html");
    assert!(xp.contains("href=\"../theme/style.css\""));
    assert!(xp.contains("<script src=\"../theme/tables.js\" defer></script>"));
    assert!(out.join("theme/tables.js").is_file());
    assert!(xp.contains("<caption>"));
    assert!(xp.contains("<th scope=\"col\" data-sort=\"text\">Service</th>"));
    assert!(xp.contains("<th scope=\"row\"><a href=\"../article/vw-rpcss.html\">"));
    assert!(xp.contains("<label for=\"filter-text\">"));
    assert!(xp.contains("<form class=\"table-tools\" data-table=\"os-table\" hidden>"));
    assert!(xp.contains("href=\"xp.csv\""));
    let index = read(out, "os/index.html");
    for os in VERSIONS {
        assert!(index.contains(&format!("href=\"{os}.html\"")), "{os}");
    }
    let home = read(out, "index.html");
    for link in [
        "os/xp.html",
        "processes.html",
        "graph.html",
        "tags/index.html",
    ] {
        assert!(home.contains(&format!("href=\"{link}\"")), "{link}");
    }
    // A conditional recommendation keeps its condition on the A–Z list.
    assert!(
        home.contains("<span class=\"state state-disabled\">Disabled</span><span class=\"cond\">, if the computer has no Bluetooth radio</span>"),
        "{home}"
    );
    // Nav from a page one folder down.
    let tag = read(out, "tags/printing.html");
    assert!(tag.contains("href=\"../os/index.html\"") && tag.contains("href=\"../graph.html\""));
}

/// A service article with the given Default State, Supports and Depends
/// items (the other sections fixed).
fn service_article(
    slug: &str,
    title: &str,
    default: &str,
    supports: &str,
    depends: &str,
) -> String {
    format!(
        "---\ntitle: '{title}'\nstatus: publish\npermalink: /article/{slug}.html\ncategory:\n    - 'Services Guide'\n---\n##### Description:\n\nText.\n\n##### Recommended State:\n\n- Manual\n\n##### Default State:\n\n{default}\n\n##### Process Name:\n\n- x.exe ({title})\n\n##### Supports:\n\n{supports}\n\n##### Depends:\n\n{depends}\n"
    )
}

/// An article that links to another twice (the service's name on NT4, and
/// on later versions) shows both qualifiers in the other's "Required by",
/// a name qualifier as the name the link gives, and the page's own Supports
/// qualifier of it after them.
#[test]
fn required_by_shows_every_qualifier_of_one_article() {
    let spooler = service_article(
        "rq-spool",
        "Print Spooler",
        "- WinXP: Manual",
        "- [Fax](/article/rq-fax.html) (WinNT4/WinXP only)",
        "- None",
    );
    let fax = service_article(
        "rq-fax",
        "Fax",
        "- WinXP: Manual",
        "- None",
        "- [Print Spooler](/article/rq-spool.html) (Win2k/WinXP name)\n- [Spooler](/article/rq-spool.html) (WinNT4 name)",
    );
    let dir = common::write_tree(&[
        ("rq-spool.html.md", spooler.as_str()),
        ("rq-fax.html.md", fax.as_str()),
    ]);
    let built = common::build_dir(dir.path(), &[]);
    let page = read(&built.out, "article/rq-spool.html");
    let required_by = fact(&page, "<h3>Required by</h3>").unwrap();
    assert!(
        required_by.contains(
            "Fax</a> <small>(as “Print Spooler” on Win2k/WinXP; as “Spooler” on WinNT4; WinNT4/WinXP only)</small>"
        ),
        "{required_by}"
    );
}

/// A version known only from another article's link, whose state is this
/// article's default without a label, is marked as an inference, on the page
/// and on the version's table; a labelled version is not.
#[test]
fn a_default_assumed_on_a_related_version_is_marked_inferred() {
    let updates = service_article(
        "as-up",
        "Updates",
        "- Automatic\n- Vista/Win7: Automatic (Delayed Start)",
        "- None",
        "- None",
    );
    let later = service_article(
        "as-later",
        "Later",
        "- Win8: Manual",
        "- None",
        "- [Updates](/article/as-up.html) (Win8 only)",
    );
    let dir = common::write_tree(&[
        ("as-up.html.md", updates.as_str()),
        ("as-later.html.md", later.as_str()),
    ]);
    let built = common::build_dir(dir.path(), &[]);
    let page = read(&built.out, "article/as-up.html");
    let row = |os: &str| {
        let at = page.find(&format!("os/{os}.html")).unwrap();
        page[at..at + page[at..].find("</tr>").unwrap()].to_string()
    };
    assert!(row("8").contains("badge inferred"), "{}", row("8"));
    assert!(row("8").contains(">Automatic</span>"), "{}", row("8"));
    assert!(!row("7").contains("badge"), "{}", row("7"));
    // Said on the page, not only in a tooltip.
    assert!(
        page.contains("known only from a link's version qualifier"),
        "{page}"
    );
    let table = read(&built.out, "os/8.html");
    let at = table.find("article/as-up.html").unwrap();
    let line = &table[at..at + table[at..].find("</tr>").unwrap()];
    assert!(line.contains("badge inferred"), "{line}");
    // The process written without a label is assumed there too.
    let processes = read(&built.out, "processes.html");
    let at = processes.find("as-up.html").unwrap();
    let row = &processes[at..at + processes[at..].find("</tr>").unwrap()];
    assert!(row.contains("Vista, 7, 8 (inferred)"), "{row}");
}

/// What an article says of its relations stays on its page: its Supports items
/// that no Depends list mirrors, and the conditions that tell two variants of
/// one version apart in the Default table.
#[test]
fn one_sided_supports_and_conditions_stay_on_the_page() {
    let a = service_article(
        "os-a",
        "Alpha",
        "- WinXP: Manual, if in a Workgroup\n- WinXP: Automatic, if in a Domain",
        "- [Beta](/article/os-b.html) (Vista+)\n- [Gamma](/article/os-c.html) (WinXP only)\n- Never Written",
        "- None",
    );
    let b = service_article(
        "os-b",
        "Beta",
        "- WinXP: Manual",
        "- None",
        "- [Alpha](/article/os-a.html) (Vista+)",
    );
    let c = service_article("os-c", "Gamma", "- WinXP: Manual", "- None", "- None");
    let dir = common::write_tree(&[
        ("os-a.html.md", a.as_str()),
        ("os-b.html.md", b.as_str()),
        ("os-c.html.md", c.as_str()),
    ]);
    let built = common::build_dir(dir.path(), &[]);
    let page = read(&built.out, "article/os-a.html");
    let required_by = fact(&page, "<h3>Required by</h3>").unwrap();
    // Beta depends on Alpha: listed once, under "Required by", with its qualifier.
    assert_eq!(items(required_by_only(required_by)), ["Beta"]);
    assert!(
        required_by.contains("Beta</a> <small>(Vista+)</small>"),
        "{required_by}"
    );
    // Gamma does not list Alpha back, and "Never Written" has no article: both stay.
    let more = &required_by[required_by.find("supports-more").expect(required_by)..];
    assert_eq!(items(more), ["Gamma", "Never Written"]);
    assert!(more.contains("<small>(WinXP only)</small>"), "{more}");
    // The XP row shows both variants with what tells them apart.
    let row = &page[page.find("os/xp.html").unwrap()..];
    let row = &row[..row.find("</tr>").unwrap()];
    assert!(
        row.contains("Manual</span><span class=\"cond\">, if in a Workgroup</span>"),
        "{row}"
    );
    assert!(
        row.contains("Automatic</span><span class=\"cond\">, if in a Domain</span>"),
        "{row}"
    );
    // The XP table's state filter finds Alpha as Manual and as Automatic.
    let xp = read(&built.out, "os/xp.html");
    assert!(xp.contains("<tr data-states=\"manual automatic\"><th scope=\"row\"><a href=\"../article/os-a.html\">"), "{xp}");
}
