//! The records' columns, as records.csv and records.parquet name them: the
//! rollup writes them, and a run reads them back as last year's records.

pub mod columns {
    pub const YEAR: &str = "year";
    pub const CITY: &str = "city";
    pub const DISTRICT: &str = "district";
    pub const TOWNSHIP: &str = "township";
    /// The offices from the top down to the unit's own, ` / ` between them.
    pub const OFFICE_PATH: &str = "office_path";
    /// township, department, government or lower (a district's return).
    pub const UNIT_KIND: &str = "unit_kind";
    pub const TEMPLATE: &str = "template";
    pub const CODE: &str = "code";
    pub const TABLE: &str = "table";
    pub const ROW: &str = "row";
    /// The row's label under its groups, ` / ` between them.
    pub const ROW_PATH: &str = "row_path";
    pub const COLUMN: &str = "column";
    pub const UNIT: &str = "unit";
    pub const KIND: &str = "kind";
    pub const VALUE: &str = "value";
    pub const ROLLUP_VALUE: &str = "rollup_value";
    pub const RAW: &str = "raw";
    pub const READ_AS: &str = "read_as";
    pub const FILE: &str = "file";
    pub const SHEET: &str = "sheet";
    pub const CELL: &str = "cell";
}
