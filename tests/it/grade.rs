//! Grading (SPEC §8), through the library: the corpus of submissions and the score
//! each must get, every report format validated and compared with its saved
//! reference output, hidden values kept out of every format, and the errors of bad
//! exercise files (snapshots).
//!
//! Reference outputs live in tests/grading/reports/. After a deliberate change,
//! write them anew with `MGRAD_BLESS=1 cargo test --test it grade`, read the diff,
//! and commit them.

use std::path::{Path, PathBuf};

use mgrad::grade::{self, Exercise, Graded, NoWatch, Report, Status};
use mgrad::limits::Limits;

use super::on_big_stack;

fn root() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).to_path_buf()
}

/// The grader's limits, smaller than the command's defaults so that the hostile
/// submissions stop quickly in a debug build. Deterministic: no clock.
pub fn test_limits() -> Limits {
    Limits {
        time_seconds: None,
        memory_mib: Some(64),
        nodes: 300_000,
        output_bytes: Some(64 << 10),
        depth: Limits::depth_for_stack(64 << 20),
        steps: Some(100_000),
        sandbox: true,
    }
}

/// Grades `submissions` (paths from the repository's root) against `exercise`, as the
/// command does but on one thread (with a big stack), and returns the report.
pub fn grade_files(exercise: &str, submissions: &[&str]) -> Report {
    let exercise = exercise.to_string();
    let submissions: Vec<String> = submissions.iter().map(|path| path.to_string()).collect();
    on_big_stack(move || {
        let paths: Vec<&str> = submissions.iter().map(String::as_str).collect();
        grade_here(&exercise, &paths)
    })
}

/// [`grade_files`] on the calling thread.
pub fn grade_here(exercise: &str, submissions: &[&str]) -> Report {
    let exercise = root().join(exercise);
    let source = std::fs::read_to_string(&exercise).expect("reading an exercise");
    let name = exercise.file_name().unwrap().to_string_lossy().into_owned();
    let exercise = Exercise::parse(&name, &source).unwrap_or_else(|invalid| panic!("{}", invalid.render(false)));
    let key = grade::answer_key(&exercise, &test_limits(), &mut NoWatch)
        .unwrap_or_else(|invalid| panic!("{}", invalid.render(false)));
    let graded: Vec<Graded> = submissions
        .iter()
        .map(|path| {
            let bytes = std::fs::read(root().join(path)).expect("reading a submission");
            grade::grade(&exercise, &key, path, &bytes, &test_limits(), &mut NoWatch)
        })
        .collect();
    Report::new(&exercise, graded)
}

/// The corpus: every submission, the exercise it answers, the score it must get,
/// and a phrase its feedback must hold (where the reason matters).
const CORPUS: &[(&str, &str, f64, &str)] = &[
    // Backprop by hand on L = d*f (9 points; a and b hidden).
    ("backprop", "exercises/backprop/solution.mg", 9.0, ""),
    ("backprop", "exercises/backprop/wrong_sign.mg", 2.0, "off by"),
    (
        "backprop",
        "exercises/backprop/leaves_only.mg",
        3.0,
        "got 0, expected -2",
    ),
    (
        "backprop",
        "exercises/backprop/uses_backward.mg",
        0.0,
        "the command 'backward' is not allowed",
    ),
    (
        "backprop",
        "exercises/backprop/does_not_parse.mg",
        0.0,
        "does not parse",
    ),
    ("backprop", "tests/grading/backprop/partly_right.mg", 3.0, ""),
    ("backprop", "tests/grading/backprop/empty.mg", 0.0, "got 0, expected 1"),
    ("backprop", "tests/grading/backprop/handout_kept.mg", 9.0, ""),
    (
        "backprop",
        "tests/grading/backprop/rebinds_d.mg",
        9.0,
        "binds 'd' to 5 (setup made it 4), and \"dL/dd\" reads yours",
    ),
    (
        "backprop",
        "tests/grading/backprop/changes_leaf_data.mg",
        9.0,
        "changed the data of 'a', which setup made 2, to 2.01",
    ),
    (
        "backprop",
        "tests/grading/backprop/stops_midway.mg",
        3.0,
        "stopped at line 5, column 10: (-2) / 0 is not a finite number",
    ),
    (
        "backprop",
        "tests/grading/backprop/cheat_grad.mg",
        0.0,
        "the command 'grad' is not allowed",
    ),
    (
        "backprop",
        "tests/grading/backprop/cheat_check.mg",
        0.0,
        "the command 'check' is not allowed",
    ),
    (
        "backprop",
        "tests/grading/backprop/cheat_explain.mg",
        0.0,
        "the command 'explain' is not allowed",
    ),
    (
        "backprop",
        "tests/grading/backprop/cheat_in_function.mg",
        0.0,
        "Line 3, column 3: the command 'backward'",
    ),
    (
        "backprop",
        "tests/grading/backprop/cheat_after_work.mg",
        0.0,
        "Line 5, column 1: the command 'backward'",
    ),
    (
        "backprop",
        "tests/grading/backprop/unclosed_bracket.mg",
        0.0,
        "this '(' is never closed",
    ),
    (
        "backprop",
        "tests/grading/backprop/latin1_string.mg",
        0.0,
        "byte 0xE9 is not UTF-8 text",
    ),
    (
        "backprop",
        "tests/grading/backprop/hostile_infinite_loop.mg",
        2.0,
        "limit of 100000 steps",
    ),
    (
        "backprop",
        "tests/grading/backprop/hostile_memory_bomb.mg",
        1.0,
        "more memory than its limit of 64 MiB",
    ),
    (
        "backprop",
        "tests/grading/backprop/hostile_output_flood.mg",
        1.0,
        "more than its output limit of 65536 bytes",
    ),
    (
        "backprop",
        "tests/grading/backprop/hostile_file_write.mg",
        1.0,
        "cannot write 'pwned.dot'",
    ),
    (
        "backprop",
        "tests/grading/backprop/hostile_recursion.mg",
        1.0,
        "calls are nested more than 1000 deep",
    ),
    (
        "backprop",
        "tests/grading/backprop/hostile_node_bomb.mg",
        0.0,
        "limit of 300000 nodes",
    ),
    (
        "backprop",
        "tests/grading/backprop/hostile_clock.mg",
        1.0,
        "no clock here",
    ),
    (
        "backprop",
        "tests/grading/backprop/huge_range.mg",
        0.0,
        "more memory than its limit",
    ),
    // The tanh neuron (6 points).
    ("neuron", "exercises/neuron/solution.mg", 6.0, ""),
    ("neuron", "exercises/neuron/swapped_product.mg", 3.0, ""),
    ("neuron", "exercises/neuron/tanh_not_squared.mg", 0.0, ""),
    // f'(x) as a formula (4 points: 3 over six points, 1 at x = 2/3).
    ("derivative", "exercises/derivative/solution.mg", 4.0, ""),
    (
        "derivative",
        "exercises/derivative/finite_difference.mg",
        0.0,
        "off by 0.003",
    ),
    (
        "derivative",
        "exercises/derivative/forgot_the_two.mg",
        0.5,
        "1 of 6 points right",
    ),
    (
        "derivative",
        "tests/grading/derivative/cheat_alias.mg",
        0.0,
        "the builtin 'derivative' is not allowed",
    ),
    (
        "derivative",
        "tests/grading/derivative/cheat_comprehension.mg",
        0.0,
        "Line 1, column 11: the builtin 'derivative'",
    ),
    (
        "derivative",
        "tests/grading/derivative/cheat_fstring.mg",
        0.0,
        "Line 2, column 29: the builtin 'derivative'",
    ),
    (
        "derivative",
        "tests/grading/derivative/cheat_grad_in_function.mg",
        0.0,
        "the command 'grad' is not allowed",
    ),
    (
        "derivative",
        "tests/grading/derivative/hostile_slow_function.mg",
        3.5,
        "limit of 100000 steps, a limit of the grader",
    ),
    (
        "derivative",
        "tests/grading/derivative/returns_a_list.mg",
        0.0,
        "it gives a list, not a number",
    ),
    // tanh through exp (4 points).
    ("tanh_exp", "exercises/tanh_exp/solution.mg", 4.0, ""),
    ("tanh_exp", "exercises/tanh_exp/sinh_over_cosh.mg", 4.0, ""),
    (
        "tanh_exp",
        "exercises/tanh_exp/sign_slip.mg",
        0.0,
        "is not a finite number",
    ),
    (
        "tanh_exp",
        "exercises/tanh_exp/uses_tanh.mg",
        0.0,
        "the builtin 'tanh' is not allowed",
    ),
    (
        "tanh_exp",
        "tests/grading/tanh_exp/cheat_tanh_alias.mg",
        0.0,
        "Line 1, column 5: the builtin 'tanh'",
    ),
    (
        "tanh_exp",
        "tests/grading/tanh_exp/shortcut_for_negatives.mg",
        2.4,
        "3 of 5 points right",
    ),
    // Training (5 points, two requirements).
    ("train", "exercises/train/solution.mg", 5.0, ""),
    (
        "train",
        "exercises/train/too_few_steps.mg",
        0.0,
        "does not hold: loss.data < 0.01 (loss.data is 0.014",
    ),
    ("train", "exercises/train/wrong_direction.mg", 0.0, "does not hold"),
    ("train", "exercises/train/fake_loss.mg", 3.0, "does not hold"),
    (
        "train",
        "tests/grading/train/rebinds_n.mg",
        5.0,
        "binds 'n' to a model, MLP(3, [8, 1]) (setup made it a model, MLP(3, [4, 4, 1])), and \"n itself fits the data (its loss, recomputed, is below 0.01)\" reads yours",
    ),
];

#[test]
fn the_corpus_scores_as_expected() {
    let mut failures = Vec::new();
    for exercise in ["backprop", "neuron", "derivative", "tanh_exp", "train"] {
        let entries: Vec<_> = CORPUS.iter().filter(|entry| entry.0 == exercise).collect();
        let paths: Vec<&str> = entries.iter().map(|entry| entry.1).collect();
        let report = grade_files(&format!("exercises/{exercise}.mg"), &paths);
        for (_, path, score, phrase) in entries {
            let graded = report
                .submissions
                .iter()
                .find(|graded| graded.submission == *path)
                .expect("every submission is in the report");
            let all_feedback = feedback_of(graded);
            if (graded.score - score).abs() > 1e-12 {
                failures.push(format!(
                    "{path}: scored {}, expected {score}\n{all_feedback}",
                    graded.score
                ));
            }
            if !all_feedback.contains(phrase) {
                failures.push(format!("{path}: the feedback does not say '{phrase}':\n{all_feedback}"));
            }
        }
    }
    assert!(
        CORPUS.len() >= 30,
        "the issue asks for a corpus of at least 30 submissions"
    );
    assert!(failures.is_empty(), "{}", failures.join("\n\n"));
}

/// Every sentence a submission's report holds.
fn feedback_of(graded: &Graded) -> String {
    let mut text = graded.feedback.join("\n");
    for question in &graded.questions {
        text.push_str(&format!(
            "\n{} [{}]: {}",
            question.name,
            question.status.name(),
            question.feedback
        ));
    }
    text
}

#[test]
fn the_handout_with_the_solution_after_it_scores_full_marks_and_says_nothing() {
    // The handout copies setup, so a student who keeps it runs setup twice: every name
    // is bound again to an equal value (a model anew from the same seed), which is no
    // change worth a word.
    for exercise in ["backprop", "neuron", "derivative", "tanh_exp", "train"] {
        let source = std::fs::read_to_string(root().join(format!("exercises/{exercise}.mg"))).unwrap();
        let solution = std::fs::read_to_string(root().join(format!("exercises/{exercise}/solution.mg"))).unwrap();
        let graded = on_big_stack(move || {
            let exercise = Exercise::parse("exercise.mg", &source).unwrap();
            let key = grade::answer_key(&exercise, &test_limits(), &mut NoWatch).unwrap();
            let file = grade::handout(&exercise) + &solution;
            grade::grade(
                &exercise,
                &key,
                "start.mg",
                file.as_bytes(),
                &test_limits(),
                &mut NoWatch,
            )
        });
        assert_eq!(graded.score, graded.max_score, "{exercise}: {}", feedback_of(&graded));
        assert!(graded.feedback.is_empty(), "{exercise}: {:?}", graded.feedback);
    }
}

#[test]
fn forbidden_and_unparsable_submissions_score_zero_everywhere() {
    let report = grade_files(
        "exercises/backprop.mg",
        &[
            "exercises/backprop/uses_backward.mg",
            "exercises/backprop/does_not_parse.mg",
        ],
    );
    let forbidden = &report.submissions[1];
    assert!(forbidden.gradable);
    assert!(
        forbidden
            .questions
            .iter()
            .all(|q| q.score == 0.0 && q.status == Status::Forbidden)
    );
    let unparsable = &report.submissions[0];
    assert!(!unparsable.gradable);
    assert!(
        unparsable
            .questions
            .iter()
            .all(|q| q.score == 0.0 && q.status == Status::NotGraded)
    );
    assert!(
        unparsable.feedback[0].contains("line 2, column 19"),
        "{:?}",
        unparsable.feedback
    );
}

#[test]
fn what_the_analysis_misses_is_refused_as_it_runs() {
    // setup aliases derivative: the submission never writes the name, so only the
    // session's own check can catch it, when the question calls the student's df.
    let report = grade_files(
        "tests/grading/alias_in_setup.mg",
        &[
            "tests/grading/alias_in_setup/uses_the_alias.mg",
            "tests/grading/alias_in_setup/by_hand.mg",
            "tests/grading/alias_in_setup/alias_in_compiled_code.mg",
        ],
    );
    // Sorted by name: the alias in compiled code (a loop in a function body), by hand, the alias.
    let by_hand = &report.submissions[1];
    assert_eq!(by_hand.score, 2.0, "{}", feedback_of(by_hand));
    let alias = &report.submissions[2];
    assert_eq!(alias.score, 0.0);
    assert!(alias.questions.iter().all(|q| q.status == Status::Forbidden));
    assert!(
        alias.feedback[0].contains("Line 1, column 12 of your program: 'derivative' is not allowed"),
        "{:?}",
        alias.feedback
    );
    // Called from a loop of a compiled function body, the alias is refused all the same.
    let compiled = &report.submissions[0];
    assert_eq!(compiled.score, 0.0, "{}", feedback_of(compiled));
    assert!(compiled.questions.iter().all(|q| q.status == Status::Forbidden));
    assert!(
        compiled.feedback[0].contains("Line 7, column 37 of your program: 'derivative' is not allowed"),
        "{:?}",
        compiled.feedback
    );
}

#[test]
fn hostile_submissions_write_nothing() {
    let exercise = root().join("exercises/backprop.mg");
    let before = std::fs::read(&exercise).unwrap();
    let report = grade_files(
        "exercises/backprop.mg",
        &["tests/grading/backprop/hostile_file_write.mg"],
    );
    assert_eq!(report.submissions[0].score, 1.0);
    assert_eq!(
        std::fs::read(&exercise).unwrap(),
        before,
        "the exercise file is untouched"
    );
    assert!(!root().join("pwned.dot").exists(), "no file was written");
}

// ----- Reports: validated, and compared with their saved reference outputs -----

fn reports_dir() -> PathBuf {
    root().join("tests/grading/reports")
}

/// Compares `contents` with the reference output `name`, or writes it under MGRAD_BLESS=1.
#[track_caller]
fn check_reference(name: &str, contents: &str) {
    let path = reports_dir().join(name);
    if std::env::var_os("MGRAD_BLESS").is_some() {
        std::fs::create_dir_all(reports_dir()).expect("creating tests/grading/reports");
        std::fs::write(&path, contents).expect("writing a reference output");
        return;
    }
    let saved = std::fs::read_to_string(&path).unwrap_or_default();
    assert!(
        saved == contents,
        "{name} differs from its reference output {}; if the change is meant, run MGRAD_BLESS=1 cargo test --test it grade\n--- now:\n{contents}",
        path.display()
    );
}

const BACKPROP_SUBMISSIONS: &[&str] = &[
    "exercises/backprop/wrong_sign.mg",
    "exercises/backprop/solution.mg",
    "exercises/backprop/does_not_parse.mg",
    "exercises/backprop/uses_backward.mg",
    "tests/grading/backprop/stops_midway.mg",
    "tests/grading/backprop/hostile_infinite_loop.mg",
    "tests/grading/backprop/rebinds_d.mg",
    "exercises/backprop/leaves_only.mg",
];

#[test]
fn every_format_matches_its_reference_output() {
    let report = grade_files("exercises/backprop.mg", BACKPROP_SUBMISSIONS);
    check_reference("backprop.txt", &grade::write::table(&report));
    check_reference("backprop.jsonl", &grade::write::json_lines(&report));
    check_reference("backprop.junit.xml", &grade::write::junit(&report));
    check_reference("backprop.tap", &grade::write::tap(&report));
    for name in ["wrong_sign", "does_not_parse"] {
        let one = grade_files("exercises/backprop.mg", &[&format!("exercises/backprop/{name}.mg")]);
        check_reference(
            &format!("backprop_{name}.gradescope.json"),
            &grade::write::gradescope(&one),
        );
        check_reference(
            &format!("backprop_{name}.prairielearn.json"),
            &grade::write::prairielearn(&one),
        );
    }
    let derivative = grade_files(
        "exercises/derivative.mg",
        &[
            "exercises/derivative/solution.mg",
            "exercises/derivative/forgot_the_two.mg",
            "tests/grading/derivative/hostile_slow_function.mg",
        ],
    );
    check_reference("derivative.tap", &grade::write::tap(&derivative));
    check_reference("derivative.jsonl", &grade::write::json_lines(&derivative));
    let train = grade_files(
        "exercises/train.mg",
        &["exercises/train/too_few_steps.mg", "exercises/train/fake_loss.mg"],
    );
    check_reference("train.jsonl", &grade::write::json_lines(&train));
    check_reference("train.junit.xml", &grade::write::junit(&train));
}

#[test]
fn gradescope_results_have_its_fields_and_types() {
    for path in BACKPROP_SUBMISSIONS {
        let report = grade_files("exercises/backprop.mg", &[path]);
        check_gradescope(&grade::write::gradescope(&report), &report);
    }
    // No submission, or several: still a results.json, which says so and scores 0.
    for paths in [&[][..], &BACKPROP_SUBMISSIONS[..2]] {
        let report = grade_files("exercises/backprop.mg", paths);
        let text = grade::write::gradescope(&report);
        check_gradescope(&text, &report);
        let json: serde_json::Value = serde_json::from_str(&text).unwrap();
        assert_eq!(json["score"], 0.0);
        assert!(json["output"].as_str().unwrap().contains(".mg file"), "{text}");
    }
}

/// Gradescope's autograder specification: `score` (a number), `output` (text), and
/// `tests`, each with `name`, `number`, `score`, `max_score` (numbers), `status`
/// (`passed` or `failed`), `output`, and `visibility` (hidden questions after publishing).
#[track_caller]
fn check_gradescope(text: &str, report: &Report) {
    let json: serde_json::Value = serde_json::from_str(text).expect("results.json is JSON");
    let top = json.as_object().expect("an object");
    for key in top.keys() {
        assert!(
            ["score", "output", "tests"].contains(&key.as_str()),
            "unexpected key {key}"
        );
    }
    let score = top["score"].as_f64().expect("score is a number");
    assert!(top["output"].is_string());
    let tests = top["tests"].as_array().expect("tests is an array");
    assert_eq!(tests.len(), report.questions.len());
    let mut total = 0.0;
    for (test, question) in tests.iter().zip(&report.questions) {
        let test = test.as_object().expect("a test is an object");
        for key in test.keys() {
            assert!(
                ["name", "number", "score", "max_score", "status", "output", "visibility"].contains(&key.as_str()),
                "unexpected key {key} in a test"
            );
        }
        assert_eq!(test["name"].as_str(), Some(question.name.as_str()));
        assert!(test["number"].is_string());
        let test_score = test["score"].as_f64().expect("a test's score is a number");
        let max = test["max_score"].as_f64().expect("max_score is a number");
        assert!((0.0..=max).contains(&test_score));
        assert_eq!(max, question.max_score);
        total += test_score;
        let status = test["status"].as_str().expect("status is text");
        assert!(["passed", "failed"].contains(&status));
        assert_eq!(status == "passed", test_score == max);
        assert!(test["output"].is_string());
        let visibility = if question.hidden { "after_published" } else { "visible" };
        assert_eq!(test["visibility"].as_str(), Some(visibility));
    }
    assert!((total - score).abs() < 1e-9, "the tests add up to the score");
}

#[test]
fn prairielearn_results_score_from_0_to_1_and_say_what_is_gradable() {
    for path in BACKPROP_SUBMISSIONS {
        let report = grade_files("exercises/backprop.mg", &[path]);
        let text = grade::write::prairielearn(&report);
        let json: serde_json::Value = serde_json::from_str(&text).expect("results.json is JSON");
        let score = json["score"].as_f64().expect("score is a number");
        assert!((0.0..=1.0).contains(&score), "{path}: score {score}");
        let graded = &report.submissions[0];
        assert_eq!(score, graded.score / graded.max_score);
        assert_eq!(json["gradable"].as_bool(), Some(graded.gradable));
        assert_eq!(
            json["gradable"].as_bool(),
            Some(!path.ends_with("does_not_parse.mg")),
            "{path}"
        );
        assert!(json["message"].is_string() && json["output"].is_string());
        for test in json["tests"].as_array().expect("tests") {
            let points = test["points"].as_f64().unwrap();
            let max = test["max_points"].as_f64().unwrap();
            assert!((0.0..=max).contains(&points));
            assert!(test["name"].is_string() && test["output"].is_string() && test["message"].is_string());
        }
    }
    let none = grade_files("exercises/backprop.mg", &[]);
    let json: serde_json::Value = serde_json::from_str(&grade::write::prairielearn(&none)).unwrap();
    assert_eq!(json["gradable"], false);
}

#[test]
fn junit_is_xml_that_counts_its_failures() {
    let report = grade_files("exercises/backprop.mg", BACKPROP_SUBMISSIONS);
    check_junit(&grade::write::junit(&report), &report);
}

#[track_caller]
fn check_junit(text: &str, report: &Report) {
    let document = roxmltree::Document::parse(text).unwrap_or_else(|error| panic!("{error}\n{text}"));
    let root = document.root_element();
    assert_eq!(root.tag_name().name(), "testsuites");
    let count = |node: roxmltree::Node, tag: &str| node.descendants().filter(|n| n.has_tag_name(tag)).count();
    let attribute = |node: roxmltree::Node, name: &str| -> usize { node.attribute(name).unwrap().parse().unwrap() };
    assert_eq!(attribute(root, "tests"), count(root, "testcase"));
    assert_eq!(attribute(root, "failures"), count(root, "failure"));
    assert_eq!(attribute(root, "errors"), count(root, "error"));
    let suites: Vec<_> = root.children().filter(|n| n.has_tag_name("testsuite")).collect();
    assert_eq!(suites.len(), report.submissions.len());
    // Characters XML 1.0 cannot hold are replaced.
    let shown = |text: &str| -> String {
        text.chars()
            .map(|c| {
                if c.is_control() && !"\t\n\r".contains(c) {
                    '\u{fffd}'
                } else {
                    c
                }
            })
            .collect()
    };
    for (suite, graded) in suites.iter().zip(&report.submissions) {
        assert_eq!(suite.attribute("name"), Some(shown(&graded.submission).as_str()));
        assert_eq!(attribute(*suite, "tests"), count(*suite, "testcase"));
        assert_eq!(attribute(*suite, "failures"), count(*suite, "failure"));
        assert_eq!(attribute(*suite, "errors"), count(*suite, "error"));
        let score = suite
            .descendants()
            .find(|n| n.has_tag_name("property") && n.attribute("name") == Some("score"))
            .and_then(|n| n.attribute("value"))
            .expect("a score property");
        assert_eq!(score.parse::<f64>().unwrap(), graded.score);
        let names: Vec<&str> = suite
            .children()
            .filter(|n| n.has_tag_name("testcase"))
            .map(|n| n.attribute("name").unwrap())
            .collect();
        let expected: Vec<&str> = graded.questions.iter().map(|q| q.name.as_str()).collect();
        assert_eq!(names, expected);
    }
}

#[test]
fn junit_escapes_what_a_submission_controls() {
    // A file name and an error that quote characters XML gives a meaning to, or cannot hold.
    let exercise = std::fs::read_to_string(root().join("exercises/backprop.mg")).unwrap();
    let report = on_big_stack(move || {
        let exercise = Exercise::parse("backprop.mg", &exercise).unwrap();
        let key = grade::answer_key(&exercise, &test_limits(), &mut NoWatch).unwrap();
        let nasty = "L.grad = 1\nd.grad = \"<&'\\\"]]>\" + 1\n";
        let graded = vec![
            grade::grade(
                &exercise,
                &key,
                "a<b>&\"c'.mg",
                nasty.as_bytes(),
                &test_limits(),
                &mut NoWatch,
            ),
            grade::grade(
                &exercise,
                &key,
                "bell\u{7}.mg",
                b"x = \x01",
                &test_limits(),
                &mut NoWatch,
            ),
        ];
        Report::new(&exercise, graded)
    });
    check_junit(&grade::write::junit(&report), &report);
}

#[test]
fn tap_is_version_14_with_a_plan_and_yaml_diagnostics() {
    let report = grade_files("exercises/backprop.mg", BACKPROP_SUBMISSIONS);
    check_tap(&grade::write::tap(&report), &report);
    let derivative = grade_files(
        "exercises/derivative.mg",
        &[
            "exercises/derivative/forgot_the_two.mg",
            "exercises/derivative/solution.mg",
        ],
    );
    check_tap(&grade::write::tap(&derivative), &derivative);
}

/// TAP 14: the version line, a plan, a test point per submission preceded by its
/// subtest (indented four spaces: its own plan and a test point per question), and
/// under each failed question a YAML block (`---` to `...`) with `got` and, unless
/// the question is hidden, `expect`.
#[track_caller]
fn check_tap(text: &str, report: &Report) {
    let lines: Vec<&str> = text.lines().collect();
    assert_eq!(lines[0], "TAP version 14");
    assert_eq!(lines[1], format!("1..{}", report.submissions.len()));
    let mut at = 2;
    for (k, graded) in report.submissions.iter().enumerate() {
        assert_eq!(lines[at], format!("# Subtest: {}", graded.submission));
        at += 1;
        while lines[at].starts_with("    # ") {
            at += 1;
        }
        assert_eq!(lines[at], format!("    1..{}", graded.questions.len()));
        at += 1;
        for (q, question) in graded.questions.iter().enumerate() {
            let ok = if question.status == Status::Passed {
                "ok"
            } else {
                "not ok"
            };
            assert_eq!(lines[at], format!("    {ok} {} - {}", q + 1, question.name));
            at += 1;
            if question.status == Status::Passed {
                continue;
            }
            assert_eq!(lines[at], "      ---");
            at += 1;
            let mut keys = Vec::new();
            while lines[at] != "      ..." {
                let line = lines[at]
                    .strip_prefix("      ")
                    .expect("YAML indented under its test point");
                let (key, value) = line.split_once(": ").expect("key: value");
                // Each value is a number, a boolean, ~, a list, or a JSON string.
                if value.starts_with('"') {
                    serde_json::from_str::<String>(value).expect("a quoted string");
                }
                keys.push(key.to_string());
                at += 1;
            }
            at += 1;
            assert!(keys.contains(&"got".to_string()), "{keys:?}");
            assert_eq!(
                keys.contains(&"expect".to_string()),
                !question.hidden && !question.expected.is_none(),
                "{}: {keys:?}",
                question.name
            );
        }
        let ok = if graded.score == graded.max_score && graded.gradable {
            "ok"
        } else {
            "not ok"
        };
        // The score is part of the description: after a '#', only SKIP or TODO may follow.
        let point = format!("{ok} {} - {} (", k + 1, graded.submission);
        assert!(
            lines[at].starts_with(&point) && !lines[at].contains('#'),
            "{}",
            lines[at]
        );
        at += 1;
    }
    assert_eq!(at, lines.len(), "nothing after the last test point");
}

// ----- Hidden values -----

/// Every report of `exercise` on the hidden corpus, as one text per format.
fn every_format(exercise: &str) -> Vec<(String, String)> {
    let submissions: Vec<String> = ["wrong", "partly", "errors", "does_not_parse", "forbidden"]
        .iter()
        .map(|name| format!("tests/grading/hidden/{name}.mg"))
        .collect();
    let paths: Vec<&str> = submissions.iter().map(String::as_str).collect();
    let report = grade_files(exercise, &paths);
    let mut texts = vec![
        ("table".to_string(), grade::write::table(&report)),
        ("json".to_string(), grade::write::json_lines(&report)),
        ("junit".to_string(), grade::write::junit(&report)),
        ("tap".to_string(), grade::write::tap(&report)),
    ];
    for path in &paths {
        let one = grade_files(exercise, &[path]);
        texts.push((format!("gradescope {path}"), grade::write::gradescope(&one)));
        texts.push((format!("prairielearn {path}"), grade::write::prairielearn(&one)));
    }
    texts
}

#[test]
fn no_report_shows_a_hidden_expected_value() {
    for (format, text) in every_format("tests/grading/hidden.mg") {
        for secret in ["7.777", "8.8888"] {
            assert!(
                !text.contains(secret),
                "{format} shows the hidden value {secret}:\n{text}"
            );
        }
    }
    // The same exercise without `hidden` shows them: the check above can fail.
    let visible = std::fs::read_to_string(root().join("tests/grading/hidden.mg"))
        .unwrap()
        .replace(" hidden", "");
    let copy = std::env::temp_dir().join(format!("mgrad-visible-{}.mg", std::process::id()));
    std::fs::write(&copy, visible).unwrap();
    let shown = every_format(copy.to_str().unwrap());
    let _ = std::fs::remove_file(&copy);
    for secret in ["7.777", "8.8888"] {
        assert!(
            shown.iter().any(|(_, text)| text.contains(secret)),
            "{secret} is shown when not hidden"
        );
    }
}

// ----- Bad exercise files: every error has a line, a column and a fix -----

#[test]
fn bad_exercise_files() {
    insta::glob!("../grading/bad", "*.mg", |path| {
        let source = std::fs::read_to_string(path).expect("reading a bad exercise");
        let name = path.file_name().unwrap().to_string_lossy().into_owned();
        let rendered = on_big_stack(move || {
            let invalid = match Exercise::parse(&name, &source) {
                Err(invalid) => invalid,
                Ok(exercise) => match grade::answer_key(&exercise, &test_limits(), &mut NoWatch) {
                    Err(invalid) => invalid,
                    Ok(_) => return "(no error)".to_string(),
                },
            };
            invalid.render(false)
        });
        assert!(rendered.contains("(line "), "{rendered}");
        assert!(
            rendered.contains("help:") || rendered.contains("did you mean"),
            "no fix offered:\n{rendered}"
        );
        insta::assert_snapshot!(rendered);
    });
}

// ----- No input crashes the grader -----

mod no_panic {
    use proptest::prelude::*;

    use mgrad::grade::{self, Exercise, Key, NoWatch};
    use mgrad::limits::Limits;

    /// Limits for a test thread's small stack.
    fn small() -> Limits {
        Limits {
            depth: Limits::depth_for_stack(1 << 20),
            steps: Some(20_000),
            ..super::test_limits()
        }
    }

    thread_local! {
        static BACKPROP: (Exercise, Key) = {
            let source = std::fs::read_to_string(super::root().join("exercises/backprop.mg")).unwrap();
            let exercise = Exercise::parse("backprop.mg", &source).unwrap();
            let key = grade::answer_key(&exercise, &small(), &mut NoWatch).unwrap();
            (exercise, key)
        };
    }

    fn grade(bytes: &[u8]) {
        BACKPROP.with(|(exercise, key)| {
            let graded = grade::grade(exercise, key, "soup.mg", bytes, &small(), &mut NoWatch);
            assert_eq!(graded.questions.len(), exercise.items.len());
            assert!((0.0..=graded.max_score).contains(&graded.score));
            for write in [grade::write::gradescope, grade::write::junit, grade::write::tap] {
                let _ = write(&grade::Report::new(exercise, vec![graded.clone()]));
            }
        });
    }

    proptest! {
        #![proptest_config(ProptestConfig { cases: 256, ..ProptestConfig::default() })]

        #[test]
        fn any_text_is_an_exercise_or_an_error(source in "\\PC{0,200}") {
            let _ = Exercise::parse("soup.mg", &source);
        }

        #[test]
        fn exercise_soup_is_an_exercise_or_an_error(tokens in proptest::collection::vec(prop_oneof![
            Just("exercise"), Just("setup"), Just("reference"), Just("forbid"), Just("question"), Just("require"),
            Just("\"q\""), Just("\"r\""), Just("{"), Just("}"), Just("a = 1"), Just("backward a"), Just("a.grad"),
            Just("points=2"), Just("tol=1e-6"), Just("rtol=0"), Just("hidden"), Just("points"), Just("="),
            Just("for"), Just("x"), Just("in"), Just("[1, 2]"), Just("f(x)"), Just("fn f(x) = x"), Just("\n"),
            Just(","), Just("grad"), Just("none"), Just("derivative"), Just("<"), Just("0.01"), Just(";"),
        ], 0..30)) {
            let source = tokens.join(" ");
            if let Ok(exercise) = Exercise::parse("soup.mg", &source) {
                let _ = grade::answer_key(&exercise, &small(), &mut NoWatch);
                let _ = grade::handout(&exercise);
            }
        }

        #[test]
        fn any_bytes_are_graded(bytes in proptest::collection::vec(any::<u8>(), 0..200)) {
            grade(&bytes);
        }

        #[test]
        fn submission_soup_is_graded(tokens in proptest::collection::vec(prop_oneof![
            Just("a"), Just("d"), Just("L"), Just("="), Just("+"), Just("*"), Just("/"), Just("("), Just(")"),
            Just("["), Just("]"), Just("{"), Just("}"), Just("\n"), Just("1"), Just("0"), Just(".grad"),
            Just(".data"), Just("grad"), Just("backward"), Just("derivative"), Just("fn"), Just("f(a)"),
            Just("for"), Just("in"), Just("0..3"), Just("print"), Just("f\"{a}\""), Just("dot L > \"x.dot\""),
            Just("return"), Just("tanh"), Just("clock()"), Just("zero_grad"), Just("x = derivative"),
        ], 0..40)) {
            grade(tokens.join(" ").as_bytes());
        }
    }
}

#[test]
fn a_submission_leaves_no_memory_behind_for_the_next() {
    // The memory limit counts lists per thread: what one submission leaves counted
    // would shrink the next one's room, and results would depend on which worker
    // graded what.
    let (before, after, scores) = on_big_stack(|| {
        let before = mgrad::limits::memory::value_bytes();
        let backprop = grade_here(
            "exercises/backprop.mg",
            &[
                "tests/grading/backprop/hostile_memory_bomb.mg",
                "tests/grading/backprop/huge_range.mg",
            ],
        );
        let train = grade_here("exercises/train.mg", &["exercises/train/solution.mg"]);
        let scores: Vec<f64> = backprop
            .submissions
            .iter()
            .chain(&train.submissions)
            .map(|g| g.score)
            .collect();
        (before, mgrad::limits::memory::value_bytes(), scores)
    });
    assert_eq!(scores, [1.0, 0.0, 5.0]);
    assert_eq!(before, after, "every list and string a submission made is released");
}
