//! The FORMAT.md variants, written as fixture articles in our own words, are built
//! end to end and every typed value in services.json is compared with an
//! independently written oracle (tests/fixtures/variants/expected.json).

use crate::common;

use serde_json::Value;

#[test]
fn every_format_variant_is_typed_as_the_oracle_says() {
    let built = common::build_fixture("variants/content");
    let services = common::services_by_slug(&built.out);
    let expected: Value = serde_json::from_str(
        &std::fs::read_to_string(common::fixture("variants/expected.json")).unwrap(),
    )
    .unwrap();
    let expected = expected.as_object().unwrap();
    let mut mismatches = Vec::new();
    for (slug, want) in expected {
        let Some(got) = services.get(slug) else {
            mismatches.push(format!("{slug}: missing from services.json"));
            continue;
        };
        for (key, want_value) in want.as_object().unwrap() {
            let got_value = match key.as_str() {
                "depends" | "supports" => strip_ref_extras(&got[key]),
                _ => strip_item_extras(&got[key]),
            };
            if &got_value != want_value {
                mismatches.push(format!(
                    "{slug}.{key}:\n  want {}\n  got  {}",
                    serde_json::to_string(want_value).unwrap(),
                    serde_json::to_string(&got_value).unwrap()
                ));
            }
        }
    }
    assert!(
        mismatches.is_empty(),
        "{} mismatches:\n{}",
        mismatches.len(),
        mismatches.join("\n")
    );
    assert_eq!(
        services.len(),
        expected.len(),
        "one service per service fixture"
    );
}

/// services.json carries more than the oracle states (exists, missing); compare the common part.
fn strip_ref_extras(v: &Value) -> Value {
    let mut v = v.clone();
    if let Some(items) = v.get_mut("items").and_then(Value::as_array_mut) {
        for item in items {
            let item = item.as_object_mut().unwrap();
            item.remove("exists");
            item.remove("missing");
        }
    }
    v
}

fn strip_item_extras(v: &Value) -> Value {
    v.clone()
}

#[test]
fn the_seed_shaped_fixture_renders_its_fact_panel() {
    let built = common::build_fixture("variants/content");
    let html = std::fs::read_to_string(built.out.join("article/fx-seedlike.html")).unwrap();
    assert!(html.contains("class=\"facts\""));
    assert!(html.contains("<h1>"), "{html}");
    // The two Depends links resolve to the other fixtures.
    assert!(html.contains("href=\"fx-eventlog.html\""), "{html}");
    assert!(html.contains("href=\"fx-rpcss.html\""), "{html}");
}
