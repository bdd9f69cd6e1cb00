//! The demo modules' Python tests (demos/tests), run by pytest inside deck's embedded
//! interpreter, where the modules are built in (no wheel installed).

mod common;

use std::process::Command;

#[test]
fn demo_module_tests_pass_in_the_embedded_interpreter() {
    let Some(env) = common::test_python_env() else {
        assert!(
            std::env::var("CI").as_deref() != Ok("true"),
            "DECK_TEST_PYTHON_ENV (with pytest) is required under CI"
        );
        eprintln!("skipping: no DECK_TEST_PYTHON_ENV with pytest");
        return;
    };
    common::shared(); // under CI, the conformance images must be there
    let dir = tempfile::tempdir().unwrap();
    let tests = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("demos/tests");
    let deck = format!(
        "```python +exec +timeout:900\nimport sys, pytest\nsys.exit(pytest.main(['-q', '-p', 'no:cacheprovider', {:?}]))\n```\n",
        tests.display().to_string()
    );
    std::fs::write(dir.path().join("pytest.md"), deck).unwrap();
    let out = Command::new(env!("CARGO_BIN_EXE_deck"))
        .args(["run", "-x", "--python-env"])
        .arg(&env)
        .arg("pytest.md")
        .current_dir(dir.path())
        .env("NO_COLOR", "1")
        .output()
        .unwrap();
    let stdout = String::from_utf8_lossy(&out.stdout);
    assert!(out.status.success(), "pytest failed inside deck:\n{stdout}\n{}", String::from_utf8_lossy(&out.stderr));
    assert!(stdout.contains(" passed"), "{stdout}");
    assert!(!stdout.contains("skipped"), "nothing skipped: {stdout}");
}
