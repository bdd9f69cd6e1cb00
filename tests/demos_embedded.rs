//! The demo modules' Python tests (demos/tests), run by pytest inside deck's embedded
//! interpreter, where the modules are built in (no wheel installed).

mod common;

use std::process::Command;

#[test]
#[cfg_attr(not(deck_has_test_python), ignore = "needs DECK_TEST_PYTHON_ENV (pytest): scripts/test.sh")]
fn demo_module_tests_pass_in_the_embedded_interpreter() {
    let env = common::test_python_env().expect("DECK_TEST_PYTHON_ENV with pytest");
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
