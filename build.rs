// Rebuild when a migration changes: they are embedded in the binary (diesel_migrations).
fn main() {
    println!("cargo:rerun-if-changed=migrations");
}
