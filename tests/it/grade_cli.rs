//! `mgrad grade` as an instructor runs it: the table, JSON, report files, `--check`
//! on every exercise, `--handout`, folders, and output that does not depend on the
//! order files are found or graded in.

use std::path::{Path, PathBuf};

use assert_cmd::Command;
use predicates::prelude::*;

fn mgrad() -> Command {
    let mut command = Command::cargo_bin("mgrad").expect("the mgrad binary is built");
    command
        .env("MGRAD_HISTORY", "")
        .env("NO_COLOR", "1")
        .current_dir(env!("CARGO_MANIFEST_DIR"));
    command
}

fn scratch(name: &str) -> PathBuf {
    let dir = std::env::temp_dir().join(format!("mgrad-grade-cli-{}-{name}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).unwrap();
    dir
}

const EXERCISES: &[&str] = &["backprop", "neuron", "derivative", "tanh_exp", "train"];

#[test]
fn check_passes_on_every_exercise_with_its_solution() {
    for exercise in EXERCISES {
        mgrad()
            .args(["grade", "--check"])
            .arg(format!("exercises/{exercise}.mg"))
            .arg(format!("exercises/{exercise}/solution.mg"))
            .assert()
            .success()
            .stdout(predicate::str::contains("the exercise is valid"));
    }
}

#[test]
fn check_fails_when_the_solution_is_not_full_marks() {
    mgrad()
        .args([
            "grade",
            "--check",
            "exercises/backprop.mg",
            "exercises/backprop/wrong_sign.mg",
        ])
        .assert()
        .code(1)
        .stdout(predicate::str::contains("2 of 9 points, not full marks"))
        .stdout(predicate::str::contains("dL/dd: got 2, expected -2"));
}

#[test]
fn check_warns_about_questions_an_empty_file_answers() {
    // neuron.mg's do/dw2 is 0, what setup leaves: it is asked together with do/dx2 so
    // that it is not free; this exercise asks it alone.
    let dir = scratch("free");
    let exercise = dir.join("free.mg");
    std::fs::write(
        &exercise,
        "setup { x2 = 0.0; w2 = 1.0; o = x2 * w2 }\nreference { backward o }\nquestion \"do/dw2\" w2.grad\nquestion \"do/dx2\" x2.grad\n",
    )
    .unwrap();
    mgrad()
        .args(["grade", "--check"])
        .arg(&exercise)
        .assert()
        .success()
        .stdout(predicate::str::contains(
            "warning: an empty submission already scores \"do/dw2\"",
        ))
        .stdout(predicate::str::contains("\"do/dx2\"").not());
}

#[test]
fn a_bad_exercise_is_shown_with_its_line_and_a_fix() {
    mgrad()
        .args(["grade", "tests/grading/bad/unknown_option.mg", "exercises/backprop"])
        .assert()
        .code(1)
        .stderr(predicate::str::contains(
            "unknown option 'pionts' — did you mean 'points'? (line 4, column 25)",
        ))
        .stderr(predicate::str::contains("help:"));
    mgrad()
        .args([
            "grade",
            "--format",
            "json",
            "tests/grading/bad/unknown_option.mg",
            "x.mg",
        ])
        .assert()
        .code(1)
        .stderr(predicate::str::contains(r#""kind":"exercise""#))
        .stderr(predicate::str::contains(r#""line":4,"column":25"#));
}

#[test]
fn the_handout_is_setup_and_a_line_per_question() {
    let output = mgrad()
        .args(["grade", "--handout", "exercises/backprop.mg"])
        .assert()
        .success()
        .get_output()
        .stdout
        .clone();
    let handout = String::from_utf8(output).unwrap();
    assert!(
        handout.starts_with("# Backprop by hand: the lecture's L\n"),
        "{handout}"
    );
    assert!(handout.contains("\na = 2.0; b = -3.0; c = 10.0; f = -2.0\ne = a*b; d = e + c; L = d*f\n"));
    assert!(handout.contains("#   dL/da (2 points): a.grad\n"));
    assert!(!handout.contains("backward L"), "the reference is never handed out");
    // The handout runs on its own, and graded as it is it scores what setup leaves.
    let dir = scratch("handout");
    let start = dir.join("start.mg");
    std::fs::write(&start, &handout).unwrap();
    mgrad().arg(&start).assert().success();
    mgrad()
        .args(["grade", "exercises/backprop.mg"])
        .arg(&start)
        .assert()
        .success()
        .stdout(predicate::str::contains("/9"));
}

#[test]
fn a_folder_is_graded_into_a_table() {
    mgrad()
        .args(["grade", "exercises/backprop.mg", "exercises/backprop"])
        .assert()
        .success()
        .stdout(predicate::str::is_match(r"(?m)^solution\.mg\s+1\s+1\s+1\s+1\s+1\s+2\s+2\s+9$").unwrap())
        .stdout(predicate::str::is_match(r"(?m)^uses_backward\.mg .*0  uses what is forbidden$").unwrap())
        .stdout(predicate::str::is_match(r"(?m)^does_not_parse\.mg\s+-\s+-.* does not parse$").unwrap());
}

#[test]
fn json_has_one_object_per_submission() {
    let output = mgrad()
        .args([
            "grade",
            "--format",
            "json",
            "exercises/derivative.mg",
            "exercises/derivative",
        ])
        .assert()
        .success()
        .get_output()
        .stdout
        .clone();
    let text = String::from_utf8(output).unwrap();
    let lines: Vec<serde_json::Value> = text.lines().map(|line| serde_json::from_str(line).unwrap()).collect();
    assert_eq!(lines.len(), 3);
    for line in &lines {
        assert_eq!(line["cmd"], "grade");
        for key in ["submission", "score", "max_score", "gradable", "questions"] {
            assert!(!line[key].is_null(), "{key} in {line}");
        }
        for question in line["questions"].as_array().unwrap() {
            for key in ["name", "score", "max_score", "status", "got", "expected", "feedback"] {
                assert!(question.get(key).is_some(), "{key} in {question}");
            }
        }
    }
    let partial = &lines[0];
    assert_eq!(partial["submission"], "finite_difference.mg");
    assert_eq!(lines[1]["questions"][0]["status"], "partial");
    assert_eq!(lines[1]["questions"][0]["got"][1], -4.0);
}

/// The bytes `mgrad grade` prints for `args`.
fn stdout_of(args: &[&str]) -> Vec<u8> {
    mgrad().args(args).assert().success().get_output().stdout.clone()
}

#[test]
fn the_same_inputs_give_the_same_bytes_whatever_the_order() {
    let files = [
        "exercises/backprop/solution.mg",
        "exercises/backprop/wrong_sign.mg",
        "tests/grading/backprop/hostile_infinite_loop.mg",
        "tests/grading/backprop/rebinds_d.mg",
        "exercises/backprop/does_not_parse.mg",
    ];
    let mut forward = vec![
        "grade",
        "--step-limit",
        "100000",
        "--format",
        "json",
        "exercises/backprop.mg",
    ];
    forward.extend(files);
    let mut backward = vec![
        "grade",
        "--step-limit",
        "100000",
        "--format",
        "json",
        "exercises/backprop.mg",
    ];
    backward.extend(files.iter().rev());
    let one_worker: Vec<&str> = forward.iter().copied().chain(["--jobs", "1"]).collect();
    let many_workers: Vec<&str> = backward.iter().copied().chain(["--jobs", "4"]).collect();
    let first = stdout_of(&one_worker);
    assert_eq!(first, stdout_of(&many_workers));
    assert_eq!(first, stdout_of(&forward));
    assert_eq!(String::from_utf8(first).unwrap().lines().count(), files.len());
}

#[test]
fn reports_are_written_where_asked() {
    let dir = scratch("reports");
    for (format, file) in [
        ("gradescope", "results.json"),
        ("prairielearn", "pl.json"),
        ("junit", "junit.xml"),
        ("tap", "out.tap"),
    ] {
        let path = dir.join(file);
        mgrad()
            .args([
                "grade",
                "exercises/backprop.mg",
                "exercises/backprop/wrong_sign.mg",
                "--report",
                format,
                "-o",
            ])
            .arg(&path)
            .assert()
            .success()
            .stdout("");
        let text = std::fs::read_to_string(&path).unwrap();
        assert!(!text.is_empty(), "{format}");
    }
    let results: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(dir.join("results.json")).unwrap()).unwrap();
    assert_eq!(results["score"], 2.0);
}

#[test]
fn folders_skip_links_hidden_files_and_the_exercise() {
    let dir = scratch("folder");
    std::fs::copy("exercises/backprop/solution.mg", dir.join("alice.mg")).unwrap();
    std::fs::create_dir_all(dir.join("bob")).unwrap();
    std::fs::copy("exercises/backprop/wrong_sign.mg", dir.join("bob/answer.mg")).unwrap();
    std::fs::create_dir_all(dir.join("__MACOSX")).unwrap();
    std::fs::write(dir.join("__MACOSX/._alice.mg"), b"\x00\x05\x16\x07").unwrap();
    std::fs::write(dir.join("._alice.mg"), b"\x00\x05\x16\x07").unwrap();
    std::fs::write(dir.join("notes.txt"), "not mg").unwrap();
    std::fs::copy("exercises/backprop.mg", dir.join("backprop.mg")).unwrap();
    #[cfg(unix)]
    std::os::unix::fs::symlink(
        Path::new(env!("CARGO_MANIFEST_DIR")).join("exercises/backprop.mg"),
        dir.join("peek.mg"),
    )
    .unwrap();
    let output = mgrad()
        .args(["grade", "--format", "json"])
        .arg(dir.join("backprop.mg"))
        .arg(&dir)
        .assert()
        .success()
        .get_output()
        .stdout
        .clone();
    let names: Vec<String> = String::from_utf8(output)
        .unwrap()
        .lines()
        .map(|line| {
            serde_json::from_str::<serde_json::Value>(line).unwrap()["submission"]
                .as_str()
                .unwrap()
                .to_string()
        })
        .collect();
    assert_eq!(names, ["alice.mg", "bob/answer.mg"]);
}

#[test]
fn no_submission_is_a_usage_error_but_a_report_is_still_written() {
    let dir = scratch("empty");
    mgrad()
        .args(["grade", "exercises/backprop.mg"])
        .arg(&dir)
        .assert()
        .code(2)
        .stderr(predicate::str::contains("no .mg file was found in"));
    // An autograder always gets a results.json, which tells the student what is wrong.
    let results = dir.join("results.json");
    mgrad()
        .args(["grade", "exercises/backprop.mg", "--report", "gradescope", "-o"])
        .arg(&results)
        .arg(&dir)
        .assert()
        .success();
    let text = std::fs::read_to_string(&results).unwrap();
    assert!(text.contains("No .mg file was found in your submission"), "{text}");
}

#[test]
fn the_gradescope_autograder_writes_results_json() {
    if cfg!(not(unix)) {
        return;
    }
    // run_autograder with its folders moved under a scratch root, and this build of mgrad.
    let root = scratch("autograder");
    let source = root.join("source");
    std::fs::create_dir_all(source.join("exercises")).unwrap();
    std::fs::create_dir_all(root.join("submission")).unwrap();
    std::fs::copy("exercises/backprop.mg", source.join("exercise.mg")).unwrap();
    std::fs::copy("exercises/backprop/leaves_only.mg", root.join("submission/mine.mg")).unwrap();
    let status = std::process::Command::new("bash")
        .arg("exercises/gradescope/run_autograder")
        .current_dir(env!("CARGO_MANIFEST_DIR"))
        .env("AUTOGRADER_ROOT", &root)
        .env("MGRAD", env!("CARGO_BIN_EXE_mgrad"))
        .status()
        .expect("running bash");
    assert!(status.success());
    let results: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(root.join("results/results.json")).unwrap()).unwrap();
    assert_eq!(results["score"], 3.0);
    assert_eq!(results["tests"].as_array().unwrap().len(), 7);
}

/// The usage errors of `mgrad grade`, as an instructor sees them on stderr.
#[test]
fn usage_errors() {
    let usage = |args: &[&str]| {
        let output = mgrad().args(args).output().expect("running mgrad");
        assert_eq!(output.status.code(), Some(2), "{args:?}");
        String::from_utf8_lossy(&output.stderr).into_owned()
    };
    insta::assert_snapshot!("grade_missing_exercise", usage(&["grade", "nope.mg", "a.mg"]));
    insta::assert_snapshot!(
        "grade_folder_without_submissions",
        usage(&["grade", "exercises/backprop.mg", "exercises/gradescope"])
    );
    insta::assert_snapshot!("grade_without_submissions", usage(&["grade", "exercises/backprop.mg"]));
    insta::assert_snapshot!(
        "grade_check_with_two_solutions",
        usage(&["grade", "--check", "exercises/backprop.mg", "a.mg", "b.mg"])
    );
    insta::assert_snapshot!("grade_exercise_is_a_folder", usage(&["grade", "exercises", "a.mg"]));
}
