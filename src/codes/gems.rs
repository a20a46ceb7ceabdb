//! The General Equivalence Mappings between ICD-9-CM and ICD-10 (CM and PCS), both ways.
//! They span code sets, so the registry holds them and names each target from its own set.

use super::icd9cm::Icd9Cm;
use super::table::Table;
use super::{CodeSet, GemTarget, System};

/// All four are loaded on first use (they are most of the data).
pub struct Gems {
    icd9_to_icd10cm: Table,
    icd10cm_to_icd9: Table,
    icd9_to_icd10pcs: Table,
    icd10pcs_to_icd9: Table,
}

impl Gems {
    pub(super) fn new(
        icd9_to_icd10cm: Table,
        icd10cm_to_icd9: Table,
        icd9_to_icd10pcs: Table,
        icd10pcs_to_icd9: Table,
    ) -> Gems {
        Gems {
            icd9_to_icd10cm,
            icd10cm_to_icd9,
            icd9_to_icd10pcs,
            icd10pcs_to_icd9,
        }
    }

    pub(super) fn tables(&self) -> [&Table; 4] {
        [
            &self.icd9_to_icd10cm,
            &self.icd10cm_to_icd9,
            &self.icd9_to_icd10pcs,
            &self.icd10pcs_to_icd9,
        ]
    }

    /// The table that maps a code of `system` (an ICD-9-CM procedure when `dotted` is one),
    /// and the system of its targets.
    fn from(&self, system: System, code: &str) -> Option<(&Table, System)> {
        Some(match system {
            System::Icd10Cm => (&self.icd10cm_to_icd9, System::Icd9Cm),
            System::Icd10Pcs => (&self.icd10pcs_to_icd9, System::Icd9Cm),
            System::Icd9Cm if Icd9Cm::is_procedure(code) => {
                (&self.icd9_to_icd10pcs, System::Icd10Pcs)
            }
            System::Icd9Cm => (&self.icd9_to_icd10cm, System::Icd10Cm),
            System::Cpt | System::Hcpcs => return None,
        })
    }

    /// The GEM targets of a code, each titled by `targets` (the set they belong to).
    pub fn targets<'a>(
        &self,
        system: System,
        code: &str,
        titles: impl Fn(System) -> &'a dyn CodeSet,
    ) -> Vec<GemTarget> {
        let Some((table, target_system)) = self.from(system, code) else {
            return Vec::new();
        };
        let set = titles(target_system);
        table
            .all(code)
            .map(|r| {
                let flags = r.field(2).as_bytes();
                let digit = |i: usize| flags.get(i).map_or(0, |b| b.saturating_sub(b'0'));
                let target = r.field(1);
                GemTarget {
                    code: target.to_string(),
                    system: target_system,
                    title: set.title(target).unwrap_or_default().to_string(),
                    approximate: digit(0) == 1,
                    no_map: digit(1) == 1,
                    combination: digit(2) == 1,
                    scenario: digit(3),
                    choice_list: digit(4),
                }
            })
            .collect()
    }
}
