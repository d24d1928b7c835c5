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
            // log at 1e-7, nudged by -1e-6, is undefined: a real failure (a stale graph is not one).
            "a = 1e-7; L = log(a); check L; print \"after\"",
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
fn a_plot_error_in_the_repl_names_the_line_where_the_function_failed() {
    mgrad()
        .write_stdin("fn f(x) = 1/x\nplot f\nplot f from 1 to 2\n")
        .assert()
        .code(1)
        .stderr(predicate::str::contains(
            "cannot plot 'f' at x = 0: 1 / 0 is not a finite number (inf), at line 1, column 11 (line 2, column 6)",
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

#[test]
fn options_may_come_before_run_and_one_script_runs_at_a_time() {
    let dir = tempdir();
    let path = dir.join("s.mg");
    std::fs::write(&path, "print 1\n").unwrap();
    mgrad()
        .args(["--format", "json", "run"])
        .arg(&path)
        .assert()
        .success()
        .stdout("{\"cmd\":\"print\",\"values\":[1.0]}\n");
    mgrad()
        .arg(&path)
        .arg(&path)
        .assert()
        .code(2)
        .stdout("")
        .stderr(predicate::str::contains(
            "only one script runs at a time, but 2 were given",
        ));
}

#[test]
fn scripts_are_read_as_bytes() {
    let dir = tempdir();
    let path = dir.join("latin1.mg");
    // A Latin-1 'é' in a comment is let through; in a string it is an error with its place.
    std::fs::write(&path, b"\xef\xbb\xbfx = 2 # caf\xe9\nprint x\n").unwrap();
    mgrad().arg(&path).assert().success().stdout("2\n");
    std::fs::write(&path, b"print \"caf\xe9\"\n").unwrap();
    mgrad().arg(&path).assert().code(1).stderr(predicate::str::contains(
        "byte 0xE9 is not UTF-8 text (in Latin-1, 'é') (line 1, column 11)",
    ));
}

#[test]
fn the_command_line_has_a_clock() {
    mgrad()
        .args([
            "-e",
            "t0 = clock(); t = clock() - t0; assert t >= 0 and t < 60; print \"ok\"",
        ])
        .assert()
        .success()
        .stdout("ok\n");
}

/// Every line `output` wrote, parsed as JSON; fails on a line that is not JSON.
#[track_caller]
fn json_lines_of(bytes: &[u8]) -> Vec<serde_json::Value> {
    let text = String::from_utf8_lossy(bytes);
    text.lines()
        .map(|line| serde_json::from_str(line).unwrap_or_else(|error| panic!("not JSON ({error}): {line}")))
        .collect()
}

/// Runs mgrad with `args` (and `stdin`), expecting exit status `code`; returns
/// stdout's and stderr's lines, each of which must be JSON.
#[track_caller]
fn json_run(args: &[&str], stdin: &str, code: i32) -> (Vec<serde_json::Value>, Vec<serde_json::Value>) {
    let output = mgrad()
        .args(args)
        .write_stdin(stdin)
        .assert()
        .code(code)
        .get_output()
        .clone();
    (json_lines_of(&output.stdout), json_lines_of(&output.stderr))
}

#[test]
fn usage_errors_in_json_mode_are_json() {
    let dir = tempdir();
    let not_utf8 = dir.join("latin1.mg");
    std::fs::write(&not_utf8, b"x = 1\nprint \"caf\xe9\"\n").unwrap();
    let not_utf8 = not_utf8.display().to_string();
    let folder = dir.display().to_string();
    let cases: &[(&[&str], &str)] = &[
        (
            &["--format", "json", "does-not-exist.mg"],
            "cannot read 'does-not-exist.mg': No such file or directory",
        ),
        (&["--format", "json", &folder], "is a directory, not a script"),
        (
            &["--format", "json", "--no-such-flag"],
            "unexpected argument '--no-such-flag' found",
        ),
        (&["--format=json", "-e", "1", "x.mg"], "cannot be used with"),
        (&["run", "--format", "json"], "required arguments were not provided"),
    ];
    for (args, message) in cases {
        let (stdout, stderr) = json_run(args, "", 2);
        assert!(stdout.is_empty(), "{args:?}: {stdout:?}");
        assert_eq!(stderr.len(), 1, "{args:?}: {stderr:?}");
        assert_eq!(
            (&stderr[0]["cmd"], &stderr[0]["kind"]),
            (&"error".into(), &"usage".into()),
            "{args:?}"
        );
        let text = stderr[0]["message"].as_str().unwrap();
        assert!(text.contains(message), "{args:?}: {text}");
        // Every field of an error is there; a usage error has no position.
        assert!(
            ["source", "line", "column"]
                .iter()
                .all(|field| stderr[0].get(field) == Some(&serde_json::Value::Null)),
            "{args:?}"
        );
    }
    // A byte that is not UTF-8 is not a usage error: the library places it (a parse error).
    let (stdout, stderr) = json_run(&["--format", "json", &not_utf8], "", 1);
    assert!(stdout.is_empty(), "{stdout:?}");
    assert_eq!(
        (&stderr[0]["kind"], &stderr[0]["line"], &stderr[0]["column"]),
        (&"parse".into(), &2.into(), &11.into()),
        "{stderr:?}"
    );
    // Without --format json, usage mistakes are sentences.
    mgrad()
        .arg(&folder)
        .assert()
        .code(2)
        .stderr(predicate::str::contains("is a directory").and(predicate::str::starts_with("mgrad: ")));
    // --help and --version are JSON too, on stdout, exit 0.
    let (stdout, _) = json_run(&["--format", "json", "--version"], "", 0);
    assert_eq!(stdout[0]["cmd"], "version");
    let (stdout, _) = json_run(&["--format", "json", "--help"], "", 0);
    assert!(stdout[0]["text"].as_str().unwrap().contains("Usage: mgrad"));
}

#[test]
fn the_piped_repl_in_json_mode_writes_only_json() {
    let dir = tempdir();
    let saved = dir.join("session.mg").display().to_string();
    let printed = dir.join("printed.json").display().to_string();
    let input = format!(
        "x = 1\nfor k in 0..3 {{\n  x = x + k\n  y = zz\n}}\n:vars\n:help check\n:hlep\n:save {saved}\n\
         :save /no/such/dir/s.mg\n:load {}\nprint x > \"{printed}\"\n:reset\n:vars\n",
        dir.display()
    );
    let (stdout, stderr) = json_run(&["--format", "json"], &input, 1);
    let cmds: Vec<&str> = stdout.iter().map(|line| line["cmd"].as_str().unwrap()).collect();
    assert_eq!(cmds, ["vars", "help", "wrote", "wrote", "reset", "vars"]);
    assert_eq!(
        stdout[0]["vars"][0],
        serde_json::json!({"name": "x", "kind": "scalar", "summary": "data 1  grad 0"})
    );
    assert_eq!(stdout[2]["statements"], 1);
    assert_eq!(stdout[5]["vars"], serde_json::json!([]));
    // The error in the loop is on line 4 of the input, in <stdin>.
    assert_eq!(
        (&stderr[0]["source"], &stderr[0]["line"], &stderr[0]["column"]),
        (&"<stdin>".into(), &4.into(), &7.into())
    );
    let kinds: Vec<&str> = stderr.iter().map(|line| line["kind"].as_str().unwrap()).collect();
    assert_eq!(kinds, ["runtime", "usage", "usage", "usage"]);
    assert_eq!(
        stderr[2]["message"],
        "cannot write '/no/such/dir/s.mg': No such file or directory"
    );
    // `> "file"` in JSON mode writes the command's JSON object.
    let written = std::fs::read_to_string(&printed).unwrap();
    assert_eq!(
        json_lines_of(written.as_bytes()),
        [serde_json::json!({"cmd": "print", "values": [1.0]})]
    );
}

#[test]
fn piped_input_reports_the_line_of_the_input() {
    // The error is on line 4; the REPL saw it as line 3 of the entry that began on line 2.
    mgrad()
        .write_stdin("x = 1\nfor k in 0..3 {\n  x = x + k\n  y = zz\n}\n")
        .assert()
        .code(1)
        .stderr(predicate::str::contains("unknown name 'zz' (line 4, column 7)"))
        .stderr(predicate::str::contains("<stdin>:4:7"));
}

#[test]
fn json_errors_name_their_source() {
    let dir = tempdir();
    let script = dir.join("s.mg");
    std::fs::write(&script, "x = 1\nprint nope\n").unwrap();
    let script = script.display().to_string();
    for (args, stdin, source) in [
        (vec!["--format", "json", "-e", "print nope"], "", "<-e>"),
        (vec!["--format", "json", script.as_str()], "", script.as_str()),
        (vec!["--format", "json", "-"], "print nope", "<stdin>"),
    ] {
        let (_, stderr) = json_run(&args, stdin, 1);
        assert_eq!(stderr[0]["source"], source, "{args:?}");
    }
}

#[test]
fn check_json_gives_every_row_a_status_and_counts() {
    let (stdout, _) = json_run(
        &[
            "--format",
            "json",
            "-e",
            "a = 0; b = 2; L = relu(a) * b + b * b; check L",
        ],
        "",
        0,
    );
    let check = &stdout[0];
    assert_eq!(
        (&check["ok"], &check["matched"], &check["mismatched"], &check["kinks"]),
        (&true.into(), &1.into(), &0.into(), &1.into())
    );
    let rows = check["nodes"].as_array().unwrap();
    assert_eq!(
        (&rows[0]["label"], &rows[0]["status"], &rows[0]["ok"]),
        (&"a".into(), &"kink".into(), &serde_json::Value::Null)
    );
    assert_eq!((&rows[1]["status"], &rows[1]["ok"]), (&"ok".into(), &true.into()));
    for field in ["label", "autograd", "numeric", "abs_err", "ok", "status"] {
        assert!(
            rows.iter().all(|row| row.get(field).is_some()),
            "every row carries {field}"
        );
    }
}

#[test]
fn json_writes_numbers_that_are_not_finite_as_strings() {
    // The constant exponent's gradient is NaN (a negative base has none): show lists it.
    let (stdout, _) = json_run(&["--format", "json", "-e", "x = -3; y = x ** 2; grad y; show y"], "", 0);
    let show = serde_json::to_string(&stdout[1]).unwrap();
    assert!(show.contains(r#""grad":"NaN""#), "{show}");
    for row in stdout[1]["rows"].as_array().unwrap() {
        assert!(
            !row["node"]["data"].is_null() && !row["node"]["grad"].is_null(),
            "{show}"
        );
    }
}

#[test]
fn the_issue_examples_of_false_answers() {
    // A stale graph: check passes at the current data and says L was stale.
    mgrad()
        .args(["-e", "a = 2; L = tanh(a); a.data = 0.5; check L"])
        .assert()
        .success()
        .stdout(predicate::str::contains("note: L is stale"))
        .stdout(predicate::str::contains("check passed: 1 of 1 gradient matches"));
    // % on nodes is differentiable: the gradient is 3, not 0.5.
    mgrad()
        .args(["-e", "a = 2.5; L = a * (a % 1); grad L"])
        .assert()
        .success()
        .stdout(predicate::str::is_match(r"(?m)^a\s+2.5\s+3$").unwrap());
    // Rounding swamps a difference of x + 1e10 at eps=1e-6: not a mismatch of a correct
    // graph (it was, exit 1), but a row the difference cannot tell, with a better eps.
    mgrad()
        .args(["-e", "x = 1; L = x + 1e10; check L"])
        .assert()
        .success()
        .stdout(predicate::str::contains("imprecise at eps=1e-6 (try eps=0.01)"));
    // A gradient that is not finite is an error naming the op, not a nan in the table.
    mgrad()
        .args(["-e", "x = 0; y = sqrt(x) * 0; grad y"])
        .assert()
        .code(1)
        .stdout("")
        .stderr(predicate::str::contains("backward through sqrt(0) gives inf"));
}

#[test]
fn errors_are_short_and_say_each_cause_once() {
    // A 200,000-character line: the snippet is a window around the column (it was 400 KB).
    let line = format!("xs = [{}2]; print zz\n", "1, ".repeat(66_000));
    let output = mgrad().arg("-").write_stdin(line.clone()).output().unwrap();
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert!(stderr.len() < 1_000, "{} bytes of error", stderr.len());
    assert!(
        stderr.contains(&format!("unknown name 'zz' (line 1, column {})", line.len() - 2)),
        "{stderr}"
    );
    assert!(stderr.contains("<stdin>:1:") && stderr.contains("…1, 1, 1"), "{stderr}");
    // The reason a file cannot be written is given once.
    mgrad()
        .args(["-e", "x = 1; dot x > \"/no/such/dir/x.dot\""])
        .assert()
        .code(1)
        .stderr(predicate::str::contains(
            "cannot write '/no/such/dir/x.dot': No such file or directory (line 1",
        ));
}
