//! The real binary: arguments, exit codes, text and JSON output, stdin.

use assert_cmd::Command;
use predicates::prelude::*;

/// `mgrad` with history off and no colour, as a user's CI would run it.
fn mgrad() -> Command {
    let mut command = Command::cargo_bin("mgrad").expect("the mgrad binary is built");
    command.env("MGRAD_HISTORY", "").env("NO_COLOR", "1");
    command
}

#[test]
fn inline_source_prints_the_grad_table() {
    mgrad()
        .args(["-e", "a = 2; b = -3; L = (a*b + 10) * -2; grad L"])
        .assert()
        .success()
        .stdout(predicate::str::contains("node  data  grad"))
        .stdout(predicate::str::is_match(r"(?m)^L\s+-8\s+1$").unwrap())
        .stdout(predicate::str::is_match(r"(?m)^a\s+2\s+6$").unwrap())
        .stdout(predicate::str::is_match(r"(?m)^b\s+-3\s+-4$").unwrap());
}

#[test]
fn scripts_run_from_a_file_with_or_without_run() {
    let dir = tempdir();
    let path = dir.join("s.mg");
    std::fs::write(&path, "a = -6\nb = a**2 - a\nbackward b\nprint a.grad\n").unwrap();
    mgrad().arg(&path).assert().success().stdout("-13\n");
    mgrad().arg("run").arg(&path).assert().success().stdout("-13\n");
}

#[test]
fn scripts_run_from_stdin() {
    mgrad()
        .arg("-")
        .write_stdin("x = 3\nprint x * x\n")
        .assert()
        .success()
        .stdout("9\n");
    mgrad()
        .write_stdin("x = 3\nprint x * x\n")
        .assert()
        .success()
        .stdout("9\n");
}

#[test]
fn piped_stdin_is_a_repl_without_prompts() {
    // An error is reported and the session goes on; the exit status still says something failed.
    mgrad()
        .write_stdin("a = 1\nb = nope\nprint a\n:vars\nxs = [1,\n 2]\nprint len(xs)\n")
        .assert()
        .code(1)
        .stdout(predicate::str::starts_with("1\n"))
        .stdout(predicate::str::contains("a"))
        .stdout(predicate::str::ends_with("2\n"))
        .stdout(predicate::str::contains(">").not())
        .stderr(predicate::str::contains("unknown name 'nope'"));
}

#[test]
fn errors_go_to_stderr_with_line_and_column_and_exit_1() {
    mgrad()
        .args(["-e", "b = 2\nL = bb * 2"])
        .assert()
        .code(1)
        .stdout("")
        .stderr(predicate::str::contains(
            "unknown name 'bb' — did you mean 'b'? (line 2, column 5)",
        ))
        .stderr(predicate::str::contains("<-e>:2:5"));
}

#[test]
fn parse_errors_exit_1() {
    mgrad()
        .args(["-e", "a = (1 + 2"])
        .assert()
        .code(1)
        .stderr(predicate::str::contains("line 1"));
}

#[test]
fn a_failed_assertion_exits_1() {
    mgrad()
        .args(["-e", "a = 2; assert a == 3, \"a should be 3\""])
        .assert()
        .code(1)
        .stderr(predicate::str::contains("assertion failed: a should be 3"));
}

#[test]
fn a_failed_check_exits_1_after_printing() {
    mgrad()
        .args([
            "-e",
            "a = 2; b = a * a; c = b * a; b.data = 100; check c; print \"after\"",
        ])
        .assert()
        .code(1)
        .stdout(predicate::str::contains("FAILED"))
        .stdout(predicate::str::contains("after"));
}

#[test]
fn usage_errors_exit_2() {
    mgrad().arg("--no-such-flag").assert().code(2);
    mgrad()
        .arg("does-not-exist.mg")
        .assert()
        .code(2)
        .stderr(predicate::str::contains("does-not-exist.mg"));
}

#[test]
fn json_lines() {
    let output = mgrad()
        .args([
            "--format",
            "json",
            "-e",
            "a = 2; b = -3; L = a * b; grad L; check L; print L, \"s\"",
        ])
        .assert()
        .success()
        .get_output()
        .stdout
        .clone();
    let text = String::from_utf8(output).unwrap();
    let lines: Vec<serde_json::Value> = text.lines().map(|line| serde_json::from_str(line).unwrap()).collect();
    assert_eq!(lines.len(), 3);
    assert_eq!(lines[0]["cmd"], "grad");
    assert_eq!(lines[0]["target"], "L");
    assert_eq!(
        lines[0]["nodes"][0],
        serde_json::json!({"label": "L", "data": -6.0, "grad": 1.0})
    );
    assert_eq!(lines[1]["cmd"], "check");
    assert_eq!(lines[1]["ok"], true);
    assert_eq!(lines[1]["eps"], 1e-6);
    for field in ["label", "autograd", "numeric", "abs_err", "ok"] {
        assert!(lines[1]["nodes"][0].get(field).is_some(), "check rows carry {field}");
    }
    assert_eq!(lines[2], serde_json::json!({"cmd": "print", "values": [-6.0, "s"]}));
}

#[test]
fn json_errors_carry_kind_line_and_column() {
    let output = mgrad()
        .args(["--format", "json", "-e", "a = 1\nb = log(a - 1)"])
        .assert()
        .code(1)
        .get_output()
        .clone();
    assert!(output.stdout.is_empty(), "errors go to stderr");
    let stderr = String::from_utf8_lossy(&output.stderr);
    let line = stderr
        .lines()
        .find(|line| line.contains("\"cmd\":\"error\""))
        .expect("a JSON error line");
    let error: serde_json::Value = serde_json::from_str(line).unwrap();
    assert_eq!(error["kind"], "runtime");
    assert_eq!(error["line"], 2);
    assert_eq!(error["column"], 5);
    assert!(error["message"].as_str().unwrap().contains("log(0)"));
}

#[test]
fn dot_to_a_file() {
    let dir = tempdir();
    let path = dir.join("l.dot");
    mgrad()
        .current_dir(&dir)
        .args(["-e", "a = 2; b = a * 3; dot b > \"l.dot\""])
        .assert()
        .success()
        .stdout(predicate::str::contains("l.dot"));
    let dot = std::fs::read_to_string(path).unwrap();
    assert!(dot.contains("digraph") && dot.contains("data 6.0000"));
}

#[test]
fn pictures_from_the_repl_say_where_they_went() {
    let dir = tempdir();
    let full = dir.canonicalize().unwrap().join("g.svg");
    mgrad()
        .current_dir(&dir)
        .write_stdin("a = 2; b = a * 3\ndot b > \"g.svg\"\n")
        .assert()
        .success()
        .stdout(format!("wrote the graph as SVG to {}\n", full.display()));
    let svg = std::fs::read_to_string(full).unwrap();
    assert!(svg.starts_with("<svg") && svg.contains("data 6.0000"));
}

#[test]
fn plots_are_braille_in_a_utf8_locale_and_ascii_otherwise() {
    let chart = |locale: &str, ascii: bool| {
        let mut command = mgrad();
        command.env_remove("LC_ALL").env_remove("LC_CTYPE").env("LANG", locale);
        if ascii {
            command.arg("--ascii");
        }
        let output = command.args(["-e", "plot tanh"]).output().unwrap();
        assert!(output.status.success());
        String::from_utf8(output.stdout).unwrap()
    };
    let unicode = chart("en_US.UTF-8", false);
    assert!(unicode.contains('⠤') && unicode.contains('┤'), "{unicode}");
    for ascii in [chart("C", false), chart("en_US.UTF-8", true)] {
        assert!(ascii.is_ascii(), "{ascii}");
        assert!(ascii.contains("-1.0 +") && ascii.ends_with("* tanh\n"), "{ascii}");
    }
}

#[test]
fn a_plot_error_in_the_repl_names_the_entry_that_defined_the_function() {
    mgrad()
        .write_stdin("fn f(x) = 1/x\nplot f\nplot f from 1 to 2\n")
        .assert()
        .code(1)
        .stderr(predicate::str::contains(
            "cannot plot 'f' at x = 0: 1 / 0 is not a finite number (inf), at line 1, column 11 of <repl 1>",
        ))
        .stdout(predicate::str::ends_with(" f\n"));
}

#[test]
fn plots_in_json_are_their_series() {
    let output = mgrad()
        .args(["--format", "json", "-e", "plot [2, 1]"])
        .output()
        .unwrap();
    let json: serde_json::Value = serde_json::from_slice(&output.stdout).unwrap();
    assert_eq!(
        json,
        serde_json::json!({"cmd": "plot", "series": [{"label": "[2, 1]", "x": [0.0, 1.0], "y": [2.0, 1.0]}]})
    );
}

#[test]
fn no_colour_without_a_terminal() {
    mgrad()
        .env_remove("NO_COLOR")
        .args(["-e", "x = nope"])
        .assert()
        .code(1)
        .stderr(predicate::str::contains("\u{1b}[").not());
}

/// A fresh folder under the target directory (no extra crate needed).
fn tempdir() -> std::path::PathBuf {
    use std::sync::atomic::{AtomicUsize, Ordering};
    static NEXT: AtomicUsize = AtomicUsize::new(0);
    let dir = std::env::temp_dir().join(format!(
        "mgrad-cli-test-{}-{}",
        std::process::id(),
        NEXT.fetch_add(1, Ordering::SeqCst)
    ));
    std::fs::create_dir_all(&dir).unwrap();
    dir
}
