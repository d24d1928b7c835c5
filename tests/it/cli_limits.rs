//! SPEC §10 through the real binary: the limit flags on every way to run mg, the
//! sandbox, safe file writes, `:load`, and Ctrl-C through a real pseudo-terminal.

use assert_cmd::Command;
use predicates::prelude::*;

/// `mgrad` with history off and no colour.
fn mgrad() -> Command {
    let mut command = Command::cargo_bin("mgrad").expect("the mgrad binary is built");
    command.env("MGRAD_HISTORY", "").env("NO_COLOR", "1");
    command
}

/// A fresh folder for files the test writes.
fn scratch(name: &str) -> std::path::PathBuf {
    let dir = std::env::temp_dir().join(format!("mgrad-limits-{}-{name}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).unwrap();
    dir
}

/// The JSON error line of a run's stderr.
fn json_error(stderr: &[u8]) -> serde_json::Value {
    let text = String::from_utf8_lossy(stderr);
    let line = text
        .lines()
        .find(|line| line.contains("\"cmd\":\"error\""))
        .unwrap_or_else(|| panic!("no JSON error in {text}"));
    serde_json::from_str(line).unwrap()
}

#[test]
fn the_time_limit_stops_endless_loops_and_exponential_recursion() {
    for source in [
        "for k in 0..1e15 {}",
        "fn f(n) { if n < 1 { return 1 }; return f(n-1) + f(n-1) }\nprint f(60)",
    ] {
        mgrad()
            .args(["--time-limit", "0.5", "-e", source])
            .assert()
            .code(1)
            .stderr(predicate::str::contains(
                "the program ran longer than its time limit of 0.5 s",
            ))
            .stderr(predicate::str::contains("raise it with --time-limit 60"));
    }
    // JSON, a script from stdin, and `run`.
    let output = mgrad()
        .args(["--format", "json", "--time-limit", "0.3", "-"])
        .write_stdin("for k in 0..1e15 {}\n")
        .assert()
        .code(1)
        .get_output()
        .clone();
    let error = json_error(&output.stderr);
    assert_eq!(error["kind"], "limit");
    assert_eq!(error["line"], 1);
    let dir = scratch("time");
    std::fs::write(dir.join("loop.mg"), "x = 1\nfor k in 0..1e15 {}\n").unwrap();
    mgrad()
        .args(["run", "--time-limit", "0.3"])
        .arg(dir.join("loop.mg"))
        .assert()
        .code(1)
        .stderr(predicate::str::contains("time limit of 0.3 s (line 2"));
}

#[test]
fn the_output_limit_stops_a_printing_loop_with_valid_json() {
    let output = mgrad()
        .args([
            "--format",
            "json",
            "--output-limit",
            "1000",
            "-e",
            "for k in 0..1e9 { print k }",
        ])
        .assert()
        .code(1)
        .get_output()
        .clone();
    assert!(output.stdout.len() <= 1000, "{} bytes printed", output.stdout.len());
    for line in String::from_utf8(output.stdout).unwrap().lines() {
        serde_json::from_str::<serde_json::Value>(line).expect("every line is JSON");
    }
    let error = json_error(&output.stderr);
    assert_eq!(error["kind"], "limit");
    assert_eq!(
        error["message"],
        "the program printed more than its output limit of 1000 bytes"
    );
}

#[test]
fn memory_and_node_limits_end_with_an_error_not_an_abort() {
    for (flags, source, message) in [
        (
            ["--memory-limit", "32"],
            "xs=[1]; for k in 0..40 { xs = xs + xs }",
            "the program needs more memory than its limit of 32 MiB",
        ),
        (
            ["--memory-limit", "32"],
            "ys = [k for k in range(1e8)]",
            "the program needs more memory than its limit of 32 MiB",
        ),
        (
            ["--memory-limit", "32"],
            "m = MLP(1, [7000, 7000])",
            "the program needs more memory than its limit of 32 MiB",
        ),
        (
            ["--node-limit", "100000"],
            "x = 1; for k in 0..60000000 { x = x + 1 }",
            "the graph has reached its limit of 100000 nodes",
        ),
    ] {
        let output = mgrad()
            .args(flags)
            .args(["--format", "json", "-e", source])
            .assert()
            .code(1)
            .get_output()
            .clone();
        let error = json_error(&output.stderr);
        assert_eq!(error["kind"], "limit", "{source}");
        assert_eq!(error["message"], message, "{source}");
    }
}

/// A script is read up to a bound: an endless file or pipe is a usage error, not
/// memory exhaustion (`mgrad /dev/zero` read until the process was killed).
#[cfg(unix)]
#[test]
fn an_endless_script_is_refused_once_past_the_bound() {
    let refused = predicate::str::contains("is larger than 64 MiB, which is more than a script can be");
    mgrad().arg("/dev/zero").assert().code(2).stderr(refused.clone());
    // A file handle as stdin, not assert_cmd's pipe_stdin (which reads the file first).
    let zero = std::fs::File::open("/dev/zero").unwrap();
    let output = std::process::Command::new(assert_cmd::cargo::cargo_bin("mgrad"))
        .arg("-")
        .stdin(zero)
        .output()
        .unwrap();
    assert_eq!(output.status.code(), Some(2));
    assert!(refused.eval(&String::from_utf8_lossy(&output.stderr)));
}

#[test]
fn bad_limit_values_are_usage_errors() {
    for args in [
        ["--time-limit", "0"],
        ["--time-limit", "-1"],
        ["--time-limit", "inf"],
        ["--memory-limit", "0"],
        ["--output-limit", "lots"],
    ] {
        mgrad().args(args).args(["-e", "print 1"]).assert().code(2);
    }
}

#[test]
fn deep_postfix_recursion_is_a_clean_error() {
    let source = format!("fn f(n) = f(n-1){}\nf(1)\n", ".data".repeat(400));
    mgrad()
        .arg("-")
        .write_stdin(source)
        .assert()
        .code(1)
        .stderr(predicate::str::contains(
            "evaluation is nested more than 16384 levels deep",
        ));
}

#[test]
fn deeply_nested_lists_are_shown_zeroed_and_dropped() {
    mgrad()
        .write_stdin(
            "xs = []\nfor k in 0..3000000 { xs = [xs] }\nzero_grad xs\n:vars\nprint xs\nxs = 1\nprint \"done\"\n",
        )
        .assert()
        .success()
        .stdout(predicate::str::contains("xs  list    [[[["))
        .stdout(predicate::str::contains("[…]"))
        .stdout(predicate::str::ends_with("done\n"));
}

#[test]
fn a_limit_in_the_piped_repl_undoes_the_statement_and_goes_on() {
    mgrad()
        .args(["--time-limit", "0.5"])
        .write_stdin("a = 1\nfor k in 0..1e15 { a = 2 }\nprint a\n")
        .assert()
        .code(1)
        .stdout("1\n")
        .stderr(predicate::str::contains("time limit of 0.5 s"));
}

#[test]
fn the_sandbox_reads_and_writes_no_file() {
    let dir = scratch("sandbox");
    std::fs::write(dir.join("lib.mg"), "b = 3\n").unwrap();
    mgrad()
        .current_dir(&dir)
        .args(["--sandbox", "-e", "a = 2; print a > \"out.txt\""])
        .assert()
        .code(1)
        .stderr(predicate::str::contains(
            "cannot write 'out.txt': the sandbox (--sandbox) allows no file to be read or written",
        ));
    mgrad()
        .current_dir(&dir)
        .arg("--sandbox")
        .write_stdin("a = 2\n:load lib.mg\n:save session.mg\nprint a\n")
        .assert()
        .code(1)
        .stdout("2\n")
        .stderr(predicate::str::contains("cannot load 'lib.mg': the sandbox"))
        .stderr(predicate::str::contains("cannot write 'session.mg': the sandbox"));
    assert!(!dir.join("out.txt").exists());
    assert!(!dir.join("session.mg").exists());
}

#[cfg(unix)]
#[test]
fn writes_never_follow_links_or_reach_devices_or_own_output() {
    let dir = scratch("writes");
    let target = dir.join("target.txt");
    std::fs::write(&target, "keep\n").unwrap();
    std::os::unix::fs::symlink(&target, dir.join("link.txt")).unwrap();
    mgrad()
        .current_dir(&dir)
        .args(["-e", "a = 2; print a > \"link.txt\""])
        .assert()
        .code(1)
        .stderr(predicate::str::contains("symbolic link"));
    assert_eq!(std::fs::read_to_string(&target).unwrap(), "keep\n");
    // /dev/stdout is a link to the terminal or pipe: earlier JSON output is not erased.
    let output = mgrad()
        .args(["--format", "json", "-e", "print 1; print 3 > \"/dev/stdout\"; print 2"])
        .assert()
        .code(1)
        .get_output()
        .clone();
    assert_eq!(
        String::from_utf8(output.stdout).unwrap(),
        "{\"cmd\":\"print\",\"values\":[1.0]}\n"
    );
    mgrad()
        .args(["-e", "print 3 > \"/dev/null\""])
        .assert()
        .code(1)
        .stderr(predicate::str::contains("not a regular file"));
    // stdout sent to a file: writing over that file is refused.
    let out = dir.join("out.txt");
    let file = std::fs::File::create(&out).unwrap();
    let output = std::process::Command::new(assert_cmd::cargo::cargo_bin("mgrad"))
        .current_dir(&dir)
        .env("NO_COLOR", "1")
        .args(["-e", "print 1; print 2 > \"out.txt\""])
        .stdout(file)
        .output()
        .unwrap();
    assert_eq!(output.status.code(), Some(1));
    assert!(String::from_utf8_lossy(&output.stderr).contains("where mgrad's own output goes"));
    assert_eq!(std::fs::read_to_string(&out).unwrap(), "1\n");
}

#[test]
fn a_newline_in_a_path_cannot_forge_output() {
    let output = mgrad()
        .args([
            "--format",
            "json",
            "-e",
            "print 1 > \"x\\n{\\\"cmd\\\":\\\"print\\\",\\\"values\\\":[666]}\"",
        ])
        .assert()
        .code(1)
        .get_output()
        .clone();
    assert!(output.stdout.is_empty());
    let stderr = String::from_utf8(output.stderr).unwrap();
    assert_eq!(stderr.lines().count(), 1, "{stderr}");
    assert!(
        json_error(stderr.as_bytes())["message"]
            .as_str()
            .unwrap()
            .contains("cannot contain a newline")
    );
}

#[test]
fn load_runs_only_mg_text_and_never_quotes_other_files() {
    let dir = scratch("load");
    std::fs::write(dir.join("secret.txt"), "password = hunter2 !\n").unwrap();
    std::fs::write(dir.join("binary.mg"), [0xff, 0xfe, b'\n']).unwrap();
    std::fs::write(dir.join("ok.mg"), "b = 3\n").unwrap();
    mgrad()
        .current_dir(&dir)
        .write_stdin(":load secret.txt\n:load binary.mg\n:load .\n:load ok.mg\nprint b\n")
        .assert()
        .code(1)
        .stdout("3\n")
        .stderr(predicate::str::contains("hunter2").not())
        .stderr(predicate::str::contains(
            "cannot load 'secret.txt': :load runs mg scripts, whose names end in .mg",
        ))
        .stderr(predicate::str::contains(
            "cannot load 'binary.mg': it is not UTF-8 text",
        ));
}

/// Ctrl-C through a real pseudo-terminal: in the REPL the running statement stops, is
/// undone, and the session goes on; a script exits 130 with a message.
#[cfg(unix)]
#[test]
fn ctrl_c_stops_the_statement_and_the_repl_goes_on() {
    use rexpect::session::spawn_command;

    let binary = assert_cmd::cargo::cargo_bin("mgrad");
    let mut command = std::process::Command::new(&binary);
    command
        .env("MGRAD_HISTORY", "")
        .env("NO_COLOR", "1")
        .env("TERM", "dumb");
    let mut repl = spawn_command(command, Some(20_000)).expect("mgrad in a pty");
    repl.exp_string("type :help").unwrap();
    repl.send_line("a = 1").unwrap();
    repl.send_line("for k in 0..1e15 { a = a + 1 }").unwrap();
    std::thread::sleep(std::time::Duration::from_millis(500));
    repl.send_control('c').unwrap();
    repl.exp_string("interrupted (Ctrl-C)").unwrap();
    repl.exp_string("the statement was stopped and undone").unwrap();
    repl.send_line("print a * 7").unwrap();
    repl.exp_string("7").unwrap();
    repl.send_line(":quit").unwrap();
    repl.exp_eof().unwrap();

    let mut command = std::process::Command::new(&binary);
    command.env("NO_COLOR", "1").args(["-e", "for k in 0..1e15 {}"]);
    let mut script = spawn_command(command, Some(20_000)).expect("mgrad in a pty");
    std::thread::sleep(std::time::Duration::from_millis(500));
    script.send_control('c').unwrap();
    script.exp_string("interrupted (Ctrl-C)").unwrap();
    script.exp_eof().unwrap();
    match script.process().wait().unwrap() {
        rexpect::process::WaitStatus::Exited(_, code) => assert_eq!(code, 130),
        other => panic!("mgrad did not exit by itself: {other:?}"),
    }
}
