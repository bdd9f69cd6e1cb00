// The embedded interpreter must be the one deck was built against: without an rpath the
// loader may pick another libpython (the system's) with another stdlib and site-packages.
fn main() {
    pyo3_build_config::add_libpython_rpath_link_args();
}
