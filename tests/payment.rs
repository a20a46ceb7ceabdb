//! What payers weigh a diagnosis by: MS-DRG severity and CMS-HCC V28 categories, checked
//! against the official tables they were built from.

mod common;

use dxpx::codes::CodeSets;
use dxpx::codes::history::Day;
use dxpx::codes::payment::{Grouper, Level};
use std::collections::BTreeSet;

fn day(text: &str) -> Day {
    Day::parse(text).unwrap()
}

fn count(levels: &[(String, Level)], level: Level) -> usize {
    levels.iter().filter(|(_, l)| *l == level).count()
}

#[test]
fn grouper_versions_follow_the_fiscal_year_and_its_april_update() {
    assert_eq!(Grouper::on(day("2026-10-01")), Grouper(440));
    assert_eq!(Grouper::on(day("2026-09-30")), Grouper(431));
    assert_eq!(Grouper::on(day("2026-04-01")), Grouper(431));
    assert_eq!(Grouper::on(day("2026-03-31")), Grouper(430));
    assert_eq!(Grouper(431).to_string(), "MS-DRG v43.1 (FY2026)");
    assert_eq!(Grouper(440).to_string(), "MS-DRG v44 (FY2027)");
}

#[test]
fn severity_counts_are_cmss() {
    let sets = CodeSets::embedded();
    let v44 = sets.payment().severities(Grouper(440));
    assert_eq!(count(&v44, Level::Cc), 15_113);
    assert_eq!(count(&v44, Level::Mcc), 3_357);
    // Every FY2027 billable code has a severity, and nothing else has one.
    let billable: BTreeSet<&str> = sets
        .icd10cm()
        .billable_under("")
        .map(|(code, _)| code)
        .collect();
    let graded: BTreeSet<&str> = v44.iter().map(|(c, _)| c.as_str()).collect();
    assert_eq!(graded, billable);
}

/// At v43 (FY2026) the CC and MCC lists equal the IPPS final rule's Tables 6J and 6I.
#[test]
fn v43_equals_the_fy2026_tables_6i_and_6j() {
    let Some(shared) = common::shared() else {
        return;
    };
    let dir = shared.join("sources/coverage/msdrg");
    let table = |name: &str| -> BTreeSet<String> {
        std::fs::read_to_string(dir.join(name))
            .unwrap()
            .lines()
            .skip(2)
            .filter_map(|l| l.split('\t').next())
            .map(|c| c.trim().to_string())
            .filter(|c| !c.is_empty())
            .collect()
    };
    let mcc = table("FY2026-IPPS-Table6I-complete-MCC-list.txt");
    let cc = table("FY2026-IPPS-Table6J-complete-CC-list.txt");
    assert_eq!((mcc.len(), cc.len()), (3_354, 15_078));
    let v43 = CodeSets::embedded().payment().severities(Grouper(430));
    let of = |level: Level| -> BTreeSet<String> {
        v43.iter()
            .filter(|(_, l)| *l == level)
            .map(|(c, _)| c.clone())
            .collect()
    };
    assert_eq!(of(Level::Mcc), mcc);
    assert_eq!(of(Level::Cc), cc);
}

#[test]
fn the_v28_payment_year_2026_map_covers_8037_codes_in_115_categories() {
    let sets = CodeSets::embedded();
    let map = sets.payment().hcc_map(2026);
    let codes: BTreeSet<&str> = map.iter().map(|(c, _)| c.as_str()).collect();
    let categories: BTreeSet<&str> = map.iter().map(|(_, h)| h.as_str()).collect();
    assert_eq!(codes.len(), 8_037);
    assert_eq!(categories.len(), 115);
    // Some codes map to two categories (a row each).
    assert_eq!(map.len(), 8_317);
}

#[test]
fn a_diagnosis_says_its_severity_and_category_for_the_day() {
    let sets = CodeSets::embedded();
    let p = sets.payment();
    let fy2027 = day("2026-11-15");
    let facts = |code: &str| {
        let s = p.severity(code, fy2027).unwrap();
        let h = p.hccs(code, fy2027);
        let hccs: Vec<(String, String)> = h
            .categories
            .into_iter()
            .map(|c| (c.number, c.label))
            .collect();
        (s.level, s.mdc, h.payment_year, hccs)
    };
    let one = |n: &str, l: &str| vec![(n.to_string(), l.to_string())];
    assert_eq!(
        facts("I50.23"),
        (
            Level::Mcc,
            "05".to_string(),
            2027,
            one("224", "Acute on Chronic Heart Failure")
        )
    );
    assert_eq!(
        facts("E11.9"),
        (
            Level::NonCc,
            "10".to_string(),
            2027,
            one(
                "38",
                "Diabetes with Glycemic, Unspecified, or No Complications"
            )
        )
    );
    assert_eq!(
        facts("N18.4"),
        (
            Level::Cc,
            "11".to_string(),
            2027,
            one("327", "Chronic Kidney Disease, Severe (Stage 4)")
        )
    );
    // A category has no severity; a day past the newest grouper takes the newest, and says so.
    assert!(p.severity("E11", fy2027).is_none());
    let later = p.severity("I50.23", day("2029-01-01")).unwrap();
    assert_eq!((later.grouper, later.nearest), (Grouper(440), true));
    // FY2027's new codes are in no payment year 2027 map: that is said, not "no HCC".
    let lookup = sets.lookup("J4B", dxpx::codes::System::Icd10Cm).unwrap();
    assert!(lookup.hccs.unwrap().code_is_newer);
    // HCC 224 (acute on chronic heart failure) drops HCC 226 (heart failure, unspecified).
    assert!(p.drops("224").contains(&"226".to_string()));
}

/// `dxpx lookup` shows both, in text and JSON, judged by `--as-of`.
#[test]
fn lookup_shows_severity_and_hcc() {
    let out = std::process::Command::new(common::dxpx())
        .args(["lookup", "I50.23"])
        .output()
        .unwrap();
    let text = String::from_utf8(out.stdout).unwrap();
    assert!(
        text.contains("MS-DRG v44 (FY2027): MCC · MDC 05")
            && text
                .contains("CMS-HCC V28, payment year 2027: HCC 224 Acute on Chronic Heart Failure"),
        "{text}"
    );
    let json = common::run_json_lines(&["lookup", "--json", "--as-of", "2025-06-01", "N18.4"]);
    assert_eq!(json[0]["ms_drg"]["version"], 421);
    assert_eq!(json[0]["ms_drg"]["severity"], "CC");
    assert_eq!(json[0]["cms_hcc"]["payment_year"], 2026);
    assert_eq!(json[0]["cms_hcc"]["categories"][0]["hcc"], "327");
}

/// Issue 19's claim: an 837I whose principal I50.23 excludes the secondary MCC J81.0, and
/// whose I50.9 (HCC 226) the higher HCC 224 drops; the CC N18.4 still counts.
#[test]
fn an_inpatient_claim_says_what_does_not_count() {
    let args = common::check_json_args("tests/fixtures/claims/institutional-cc.x12");
    let findings = common::run_json_lines(&args);
    let of = |rule: &str| -> Vec<String> {
        findings
            .iter()
            .filter(|f| f["rule"] == rule)
            .map(|f| f["code"].as_str().unwrap_or_default().to_string())
            .collect()
    };
    assert_eq!(of("dxpx/cc-excluded"), ["J81.0"], "{findings:#?}");
    assert_eq!(of("dxpx/hcc-dropped"), ["I50.9"], "{findings:#?}");
    // Its numbers: J81.0 and the principal's own MCC do not count, N18.4's CC does; HCC 226
    // is dropped.
    let visits = common::run_json_visits(&args);
    assert_eq!(visits.len(), 1, "{visits:#?}");
    let visit = &visits[0]["visit"];
    assert_eq!(visit["summary"], "4 Dx · 1 CC · HCC 213, 224, 327 · 1 Px");
    assert_eq!(
        (visit["mcc"].as_u64(), visit["cc"].as_u64()),
        (Some(0), Some(1))
    );
}
