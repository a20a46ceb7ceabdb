//! Loading the code sets, lookup and word search: time and memory.

mod common;

use common::*;
use dxpx::codes::{CodeSet, CodeSets, LoadOptions, System};
use std::time::{Duration, Instant};

fn main() {
    let (rss0, _) = rss_mib();
    let (sets, first_load) = time(|| CodeSets::load(&LoadOptions::default()).unwrap());
    let (rss1, _) = rss_mib();
    let loads: Vec<Duration> = (0..5)
        .map(|_| time(|| CodeSets::load(&LoadOptions::default()).unwrap()).1)
        .collect();
    println!(
        "code sets: ready (every set, read in place from the binary): first {} / median of 5 {}",
        ms(first_load),
        ms(median(loads))
    );
    println!(
        "code sets: resident memory +{:.1} MiB at start-up (table heap {:.1} MiB)",
        rss1 - rss0,
        sets.heap_bytes() as f64 / 1048576.0
    );

    let sample: Vec<String> = sets
        .set(System::Icd10Cm)
        .codes()
        .step_by(97)
        .map(str::to_string)
        .collect();
    let mut lookups = Vec::new();
    for code in &sample {
        let t = Instant::now();
        std::hint::black_box(sets.lookup(code, System::Icd10Cm));
        lookups.push(t.elapsed());
    }
    let mut status = Vec::new();
    for code in &sample {
        let t = Instant::now();
        std::hint::black_box(sets.icd10cm().status(code));
        status.push(t.elapsed());
    }
    println!(
        "lookup: full entry (notes, hierarchy, children) p50 {} p99 {}; status only p50 {} p99 {} ({} ICD-10-CM codes)",
        us(percentile(&mut lookups, 0.5)),
        us(percentile(&mut lookups, 0.99)),
        us(percentile(&mut status, 0.5)),
        us(percentile(&mut status, 0.99)),
        sample.len()
    );
    for (code, system) in [
        ("99213", System::Cpt),
        ("G0438", System::Hcpcs),
        ("250.00", System::Icd9Cm),
        ("0DTJ4ZZ", System::Icd10Pcs),
    ] {
        let mut v: Vec<Duration> = (0..200)
            .map(|_| time(|| std::hint::black_box(sets.lookup(code, system))).1)
            .collect();
        println!(
            "lookup: {code} ({}) p50 {}",
            system.name(),
            us(percentile(&mut v, 0.5))
        );
    }

    let (rss2, _) = rss_mib();
    let (_, build) = time(|| sets.search_index().heap_bytes());
    let (rss3, _) = rss_mib();
    println!(
        "search: word index built in {} (+{:.1} MiB resident, {:.1} MiB heap)",
        ms(build),
        rss3 - rss2,
        sets.search_index().heap_bytes() as f64 / 1048576.0
    );
    for q in [
        "type 2 diabetes",
        "asthma",
        "diab",
        "fracture of femur right",
        "annual wellness visit",
        // Common words: tens of thousands of phrases each.
        "fracture",
        "accident",
        // Misspelt: the typo scan over the whole vocabulary (which panicked on some before dea2578).
        "pneumonai",
        "diaetes",
        "boutonnie",
    ] {
        let mut v: Vec<Duration> = (0..50)
            .map(|_| time(|| std::hint::black_box(sets.search(q, 20))).1)
            .collect();
        println!(
            "search: {q:?} p50 {} p99 {}",
            ms(percentile(&mut v, 0.5)),
            ms(percentile(&mut v, 0.99))
        );
    }
    let (rss, peak) = rss_mib();
    println!("process: resident {rss:.1} MiB, peak {peak:.1} MiB");
}
