//! Facts about the embedded code sets, checked against the official files where present.

mod common;

use dxpx::codes::history::{Day, Validity};
use dxpx::codes::normalize::compact;
use dxpx::codes::{CodeSet, CodeSets, Status, System, build};

/// The Medicare Code Editor's rows: (code, first day, last day or open).
fn mce_windows(text: &str) -> Vec<(String, Day, Option<Day>)> {
    text.lines()
        .skip(1)
        .map(|l| {
            let f: Vec<&str> = l.split('\t').collect();
            (
                f[0].to_string(),
                Day::parse(f[1]).unwrap(),
                Day::parse(f[2]),
            )
        })
        .collect()
}

fn day(s: &str) -> Day {
    Day::parse(s).unwrap()
}

#[test]
fn fy2027_billable_codes_are_the_medicare_code_editor_v44_list() {
    let sets = CodeSets::embedded();
    let billable = sets.icd10cm().billable_count();
    assert_eq!(billable, 74_879, "FY2027 has 74,879 billable codes");
    let Some(shared) = common::shared() else {
        return;
    };
    let mce =
        common::read_xz(&shared.join("sources/coverage/mce/mce-v44-icd10cm-dx-attributes.tsv.xz"));
    let start = day("2026-10-01");
    let valid: Vec<String> = mce_windows(&mce)
        .into_iter()
        .filter(|(_, from, to)| *from <= start && to.is_none_or(|t| t >= start))
        .map(|(code, ..)| code)
        .collect();
    assert_eq!(valid.len(), billable);
    for code in valid {
        let dotted = dxpx::codes::normalize::dot_icd10cm(&code);
        assert_eq!(
            sets.icd10cm().status(&dotted),
            Some(Status::Valid),
            "{dotted} is valid in MCE v44"
        );
    }
}

#[test]
fn every_validity_window_of_the_code_editor_is_answered_by_date() {
    let Some(shared) = common::shared() else {
        return;
    };
    let sets = CodeSets::embedded();
    for (file, system) in [
        ("mce-v44-icd10cm-dx-attributes.tsv.xz", System::Icd10Cm),
        ("mce-v44-icd10pcs-proc-attributes.tsv.xz", System::Icd10Pcs),
    ] {
        let rows = mce_windows(&common::read_xz(
            &shared.join("sources/coverage/mce").join(file),
        ));
        let covered = |code: &str, d: Day| {
            rows.iter()
                .any(|(c, f, t)| c == code && *f <= d && t.is_none_or(|t| t >= d))
        };
        let mut checked = 0;
        for (code, from, to) in &rows {
            let code = match system {
                System::Icd10Cm => dxpx::codes::normalize::dot_icd10cm(code),
                _ => code.clone(),
            };
            assert_eq!(
                sets.on(system, &code, *from),
                Validity::Billable,
                "{code} on {from}"
            );
            if let Some(to) = to {
                assert_eq!(
                    sets.on(system, &code, *to),
                    Validity::Billable,
                    "{code} on {to}"
                );
                let after = to.succ();
                // Only the codes whose row ends with no other row taking over: far fewer.
                if !covered(&compact(&code), after) && checked < 2_000 {
                    checked += 1;
                    assert_ne!(
                        sets.on(system, &code, after),
                        Validity::Billable,
                        "{code} on {after}"
                    );
                }
            }
        }
    }
    let pcs_valid = sets.icd10pcs().len();
    assert_eq!(pcs_valid, 79_256, "FY2027 has 79,256 ICD-10-PCS codes");
}

#[test]
fn fy2027_changes_are_judged_by_the_date_of_service() {
    let sets = CodeSets::embedded();
    let cm = System::Icd10Cm;
    let c78 = sets.lookup("C78.31", cm).unwrap();
    assert_eq!(c78.status(), Status::Valid);
    assert_eq!(c78.title, "Secondary malignant neoplasm of larynx");
    assert_eq!(
        sets.on(cm, "C78.31", day("2026-08-01")),
        Validity::NotYet(day("2026-10-01"))
    );
    assert_eq!(sets.on(cm, "D69.1", day("2026-11-01")), Validity::Header);
    assert_eq!(sets.on(cm, "D69.1", day("2026-08-01")), Validity::Billable);
    assert_eq!(sets.icd10cm().status("D69.1"), Some(Status::Header));
    assert_eq!(
        sets.on(cm, "S23.420A", day("2026-05-01")),
        Validity::Billable
    );
    assert_eq!(
        sets.on(cm, "S23.420A", day("2026-11-01")),
        Validity::Ended(day("2026-09-30"))
    );
    assert_eq!(sets.icd10cm().status("S23.420A"), Some(Status::Retired));
    assert_eq!(
        sets.icd10cm().title("L02.232"),
        Some("Carbuncle of back [any part, except buttock and flank]"),
        "revised in FY2027"
    );
    for new in ["J4B", "F64.A", "K31.B", "K74.0A", "M67.A01", "K6A01"] {
        let found = sets.lookup_any(new);
        assert!(
            found
                .iter()
                .any(|e| e.system() == cm && e.status() == Status::Valid),
            "{new}: {found:?}"
        );
    }
    assert_eq!(sets.release_on(cm, day("2026-11-01")), "FY2027");
    assert_eq!(
        sets.release_on(cm, day("2026-08-01")),
        "FY2026 (April 1, 2026 update)"
    );
    assert_eq!(sets.release_on(cm, day("2019-03-01")), "FY2019");
}

#[test]
fn e11_9_and_its_header() {
    let sets = CodeSets::embedded();
    let e = sets.lookup("e119", System::Icd10Cm).unwrap();
    assert_eq!(e.code, "E11.9");
    assert_eq!(e.title, "Type 2 diabetes mellitus without complications");
    assert_eq!(e.status(), Status::Valid);
    assert!(e.release.contains("FY2027"), "{}", e.release);
    let header = sets.lookup("E11", System::Icd10Cm).unwrap();
    assert_eq!(header.status(), Status::Header);
    assert!(header.children.iter().any(|(c, _)| c == "E11.9"));
    assert!(
        header
            .notes
            .iter()
            .any(|n| n.kind == "excludes1" && n.text.contains("E10")),
        "an Excludes1 note of E11 names E10"
    );
    assert_eq!(
        header.hierarchy.first().map(|h| h.0.as_str()),
        Some("Chapter 4"),
        "the breadcrumb starts at the chapter"
    );
}

#[test]
fn seventh_character_codes_are_expanded_with_their_meaning() {
    let sets = CodeSets::embedded();
    let e = sets.lookup("S72.001A", System::Icd10Cm).unwrap();
    assert_eq!(e.status(), Status::Valid);
    assert!(
        e.title.ends_with("initial encounter for closed fracture"),
        "{}",
        e.title
    );
    assert!(
        e.seventh
            .iter()
            .any(|(c, m)| c == "A" && m == "initial encounter for closed fracture")
    );
    assert_eq!(
        sets.lookup("S72.001", System::Icd10Cm).unwrap().status(),
        Status::Header
    );
    // X placeholders pad short codes to six characters.
    assert_eq!(
        sets.lookup("T07.XXXA", System::Icd10Cm).unwrap().status(),
        Status::Valid
    );
}

#[test]
fn the_other_sets_resolve() {
    let sets = CodeSets::embedded();
    let g = sets.lookup("G0438", System::Hcpcs).unwrap();
    assert_eq!(g.status(), Status::Valid);
    assert!(g.title.to_lowercase().contains("annual wellness visit"));
    assert_eq!(sets.modifier("25").map(|m| m.0), Some(System::Cpt));
    assert_eq!(sets.modifier("LT").map(|m| m.0), Some(System::Hcpcs));
    let icd9 = sets.lookup("250.00", System::Icd9Cm).unwrap();
    assert_eq!(icd9.status(), Status::Retired);
    assert!(icd9.gems.iter().any(|g| g.code == "E11.9"));
    let pcs = sets.lookup("0DTJ4ZZ", System::Icd10Pcs).unwrap();
    assert_eq!(pcs.status(), Status::Valid);
    assert_eq!(
        pcs.title,
        "Resection of Appendix, Percutaneous Endoscopic Approach"
    );
    let cpt = sets.lookup("99213", System::Cpt).unwrap();
    assert_eq!(cpt.status(), Status::Valid);
    assert!(
        cpt.hierarchy
            .iter()
            .any(|(_, name)| name.contains("office")),
        "{:?}",
        cpt.hierarchy
    );
    assert!(
        cpt.title_note.contains("licensed"),
        "no AMA text without a licence"
    );
}

#[test]
fn a_written_dot_decides_which_sets_can_read_a_code() {
    let sets = CodeSets::embedded();
    // A dotted ICD-10-CM code is not also HCPCS A0100.
    let readings: Vec<System> = sets
        .lookup_any("A01.00")
        .iter()
        .map(|e| e.system())
        .collect();
    assert_eq!(readings, [System::Icd10Cm], "{readings:?}");
    let undotted: Vec<System> = sets
        .lookup_any("A0100")
        .iter()
        .map(|e| e.system())
        .collect();
    assert!(undotted.contains(&System::Hcpcs), "{undotted:?}");
    // Three digits before the dot is a diagnosis, never the procedure 49.39 or 82.32.
    for written in ["493.9", "823.2"] {
        let e = sets.lookup(written, System::Icd9Cm).unwrap();
        assert_eq!(e.code, written);
        assert!(sets.lookup_any(written).iter().all(|e| e.code == written));
    }
    assert_eq!(sets.lookup("45.13", System::Icd9Cm).unwrap().code, "45.13");
    assert_eq!(sets.lookup("4513", System::Icd9Cm).unwrap().code, "45.13");
}

#[test]
fn word_search_ranks_the_common_codes_high() {
    let sets = CodeSets::embedded();
    let top = |q: &str, n: usize| {
        sets.search(q, n)
            .into_iter()
            .map(|h| h.code)
            .collect::<Vec<_>>()
    };
    assert!(
        top("type 2 diabetes", 5).contains(&"E11.9".to_string()),
        "{:?}",
        top("type 2 diabetes", 5)
    );
    assert!(
        top("asthma", 10).contains(&"J45.909".to_string()),
        "{:?}",
        top("asthma", 10)
    );
    assert!(
        top("diab", 20).iter().any(|c| c.starts_with("E1")),
        "a prefix finds diabetes"
    );
    assert!(
        top("diabetis mellitus type 2", 10)
            .iter()
            .any(|c| c.starts_with("E11")),
        "one typo is forgiven"
    );
}

#[test]
fn a_licensed_cpt_file_adds_descriptors_and_a_bad_one_is_a_warning() {
    let dir = std::env::temp_dir().join(format!("dxpx-cpt-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let good = dir.join("cpt.tsv");
    std::fs::write(
        &good,
        "code\tdescriptor\n99213\tA descriptor the licensee supplied\n",
    )
    .unwrap();
    let sets = CodeSets::load(&dxpx::codes::LoadOptions {
        cpt_file: Some(good),
        ..Default::default()
    })
    .unwrap();
    assert_eq!(
        sets.lookup("99213", System::Cpt).unwrap().title,
        "A descriptor the licensee supplied"
    );
    let bad = dir.join("bad.csv");
    std::fs::write(&bad, "code,descriptor\n99213,ok\nnot-a-code,broken\n").unwrap();
    let sets = CodeSets::load(&dxpx::codes::LoadOptions {
        cpt_file: Some(bad),
        ..Default::default()
    })
    .unwrap();
    assert!(
        sets.warnings[0].contains("bad.csv:3"),
        "{:?}",
        sets.warnings
    );
    assert_eq!(
        sets.lookup("E11.9", System::Icd10Cm).unwrap().status(),
        Status::Valid
    );
    std::fs::remove_dir_all(&dir).ok();
}

#[test]
fn a_malformed_data_folder_names_the_file_and_line_and_keeps_the_embedded_sets() {
    let dir = std::env::temp_dir().join(format!("dxpx-data-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    std::fs::write(
        dir.join("icd10cm_tabular_2027.xml"),
        "<ICD10CM.tabular>\n<chapter>\n</ICD10CM.tabular>\n",
    )
    .unwrap();
    let sets = CodeSets::load(&dxpx::codes::LoadOptions {
        data_dir: Some(dir.clone()),
        ..Default::default()
    })
    .unwrap();
    assert!(
        sets.warnings[0].contains("icd10cm_tabular_2027.xml:3"),
        "{:?}",
        sets.warnings
    );
    assert_eq!(
        sets.lookup("E11.9", System::Icd10Cm).unwrap().status(),
        Status::Valid
    );
    std::fs::remove_dir_all(&dir).ok();
}

/// The committed tables are exactly what the regeneration tool makes from the sources.
#[test]
fn data_is_reproducible_from_the_official_files() {
    let Some(shared) = common::shared() else {
        return;
    };
    let built = build::build_from(&shared.join("sources")).unwrap();
    let data = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("data");
    for (name, text) in &built.tables {
        let bytes = std::fs::read(data.join(format!("{name}.tsv.zst"))).unwrap();
        let committed = String::from_utf8(zstd::stream::decode_all(&bytes[..]).unwrap()).unwrap();
        assert!(
            committed == *text,
            "data/{name}.tsv.zst is stale: run `dxpx data build --from ../shared/sources`"
        );
    }
    let manifest = std::fs::read_to_string(data.join("manifest.tsv")).unwrap();
    assert_eq!(manifest, built.manifest());
    // The indexes derived from the tables, as `dxpx data build` writes them.
    let sets = dxpx::codes::CodeSets::from_built(&built).unwrap();
    for (stem, bytes) in dxpx::prebuilt::build(&sets) {
        let name = dxpx::prebuilt::file_name(stem);
        let committed = zstd::stream::decode_all(&std::fs::read(data.join(&name)).unwrap()[..]);
        assert!(
            committed.unwrap() == bytes,
            "data/{name} is stale: run `dxpx data build --from ../shared/sources`"
        );
    }
}

/// The embedded tables are indexed without a sortedness check at start-up; this is it.
#[test]
fn embedded_tables_are_sorted() {
    for (name, text) in dxpx::codes::embedded_tables() {
        if name == "cpt-structure" {
            continue; // ordered by meaning, parsed as a list
        }
        assert!(
            dxpx::codes::table::Table::new(text.to_string()).is_ok(),
            "{name} is sorted"
        );
    }
}
