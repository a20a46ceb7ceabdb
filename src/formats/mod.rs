//! Documents other than free-text notes: charge sheets and claims. Each format is read
//! into mentions (every code at its exact place in the file), scopes (each procedure line
//! with the diagnoses it points to) and problems (where the file breaks).

pub mod csv;
pub mod fhir;
mod fields;
pub mod hl7;
mod json;
pub mod x12;

use crate::rules::{Finding, Scope};
use crate::scan::Mention;

/// A charge sheet or claim, read.
#[derive(Debug, Default)]
pub struct Parsed {
    pub mentions: Vec<Mention>,
    pub scopes: Vec<Scope>,
    pub problems: Vec<Finding>,
}
