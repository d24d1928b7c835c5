//! `mgrad grade`: the command line around `mgrad::grade` (SPEC §8). It reads the
//! exercise and the submissions, grades them on worker threads, and prints the
//! table, JSON Lines, or a report file; `--check` validates an exercise and
//! `--handout` prints the student's starting file.
//!
//! The library does the grading and no I/O; here are the files, the threads and
//! the clock (each submission's time limit, a backstop behind the deterministic
//! step, memory, node and output limits).

use std::io::Read;
use std::path::{Path, PathBuf};
use std::sync::Mutex;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::time::{Duration, Instant};

use clap::{Args, ValueEnum};
use mgrad::grade::{self, Exercise, Graded, Invalid, Key, Report, Status, Watch};
use mgrad::limits::{Halt, Limits};
use mgrad::number::format_number;

use crate::{Format, json_line, os_reason, report_error, report_usage_error, write_stdout};

/// The stack of each grading thread; the depth limit is sized for it.
const WORKER_STACK: usize = 64 << 20;

/// How deep a folder of submissions is searched.
const MAX_FOLDER_DEPTH: usize = 16;

/// What `mgrad grade --help` says after the options.
pub(crate) const AFTER_HELP: &str = "\
Under grade, every submission runs in the sandbox, and the limits default to
10 s (--time-limit), 256 MiB (--memory-limit), 5000000 nodes (--node-limit),
1048576 bytes of output (--output-limit) and 1000000 steps (--step-limit).

Examples:
  mgrad grade --check exercises/backprop.mg exercises/backprop/solution.mg
  mgrad grade --handout exercises/backprop.mg > start.mg
  mgrad grade exercises/backprop.mg submissions/
  mgrad grade exercises/backprop.mg submissions/ --report junit -o grades.xml";

#[derive(Args, Debug)]
pub(crate) struct GradeArgs {
    /// The exercise file: exercise, setup, reference, forbid, question and require
    /// statements (in the REPL, :help grading tells how to write one).
    #[arg(value_name = "EXERCISE.mg")]
    exercise: String,

    /// Submissions to grade: .mg files, or folders searched for .mg files.
    #[arg(value_name = "SUBMISSION")]
    submissions: Vec<String>,

    /// Check the exercise: its setup and reference run, every question has an answer,
    /// and a solution given after it scores full marks.
    #[arg(long, conflicts_with_all = ["handout", "report"])]
    check: bool,

    /// Print the file a student starts from: setup, then a comment per question.
    #[arg(long, conflicts_with = "report")]
    handout: bool,

    /// Write a report for a grading platform or CI instead of the table.
    #[arg(long, value_enum, value_name = "FORMAT")]
    report: Option<ReportFormat>,

    /// Where to write the table, the JSON or the report (default: standard output).
    #[arg(short = 'o', long = "output", value_name = "FILE")]
    output: Option<String>,

    /// How many submissions to grade at once (default: one per core).
    #[arg(long, value_name = "N", value_parser = clap::value_parser!(u64).range(1..=256))]
    jobs: Option<u64>,

    /// Stop a submission (or one question's evaluation) after N steps: loop passes,
    /// comprehension items, calls (default: 1000000).
    #[arg(long, value_name = "N", value_parser = clap::value_parser!(u64).range(1..))]
    step_limit: Option<u64>,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, ValueEnum)]
pub(crate) enum ReportFormat {
    /// Gradescope's results.json (one submission).
    Gradescope,
    /// PrairieLearn's results.json (one submission).
    Prairielearn,
    /// JUnit XML: a test suite per submission.
    Junit,
    /// TAP version 14: a subtest per submission.
    Tap,
}

/// The limits every submission runs under unless the command line says otherwise.
pub(crate) fn default_limits() -> Limits {
    grade::default_limits(WORKER_STACK)
}

/// Runs `mgrad grade`; returns the exit status.
/// `limits` are mgrad grade's defaults under what the command line sets.
pub(crate) fn run(args: GradeArgs, format: Format, mut limits: Limits) -> u8 {
    if let Some(steps) = args.step_limit {
        limits.steps = Some(steps);
    }
    let source = match read_text(&args.exercise) {
        Ok(source) => source,
        Err(message) => {
            report_usage_error(&message, None, format);
            return 2;
        }
    };
    let exercise = match Exercise::parse(&args.exercise, &source) {
        Ok(exercise) => exercise,
        Err(invalid) => return invalid_exercise(&invalid, format),
    };
    if args.handout {
        let text = grade::handout(&exercise);
        match format {
            Format::Text => emit(&args, &text),
            Format::Json => emit(
                &args,
                &json_line(&serde_json::json!({"cmd": "handout", "exercise": exercise.title, "text": text})),
            ),
        }
        return 0;
    }
    let key = match on_worker(|| key_of(&args.exercise, &source, &limits)) {
        Ok(Ok(key)) => key,
        Ok(Err(invalid)) => return invalid_exercise(&invalid, format),
        Err(message) => {
            report_usage_error(&message, None, format);
            return 1;
        }
    };
    if args.check {
        return check(&args, &source, &key, &limits, format);
    }
    let files = match find_submissions(&args.submissions, &args.exercise) {
        Ok(files) => files,
        Err(message) => {
            report_usage_error(&message, None, format);
            return 2;
        }
    };
    if files.is_empty() && args.report.is_none() {
        let message = if args.submissions.is_empty() {
            "no submission to grade: give .mg files or a folder after the exercise".to_string()
        } else {
            format!("no .mg file was found in {}", args.submissions.join(", "))
        };
        report_usage_error(
            &message,
            Some("mgrad grade EXERCISE.mg SUBMISSION.mg… or mgrad grade EXERCISE.mg FOLDER"),
            format,
        );
        return 2;
    }
    let jobs = args.jobs.map_or_else(
        || std::thread::available_parallelism().map_or(1, usize::from),
        |jobs| jobs as usize,
    );
    let graded = match grade_all(&args.exercise, &source, &key, &files, &limits, jobs) {
        Ok(graded) => graded,
        Err(None) => {
            report_usage_error("interrupted", None, format);
            return crate::host::INTERRUPTED_STATUS;
        }
        Err(Some(message)) => {
            report_usage_error(&message, None, format);
            return 1;
        }
    };
    let report = Report::new(&exercise, graded);
    let text = match (args.report, format) {
        (Some(ReportFormat::Gradescope), _) => grade::write::gradescope(&report),
        (Some(ReportFormat::Prairielearn), _) => grade::write::prairielearn(&report),
        (Some(ReportFormat::Junit), _) => grade::write::junit(&report),
        (Some(ReportFormat::Tap), _) => grade::write::tap(&report),
        (None, Format::Json) => grade::write::json_lines(&report),
        (None, Format::Text) => grade::write::table(&report),
    };
    match &args.output {
        Some(path) => match crate::host::write_regular_file(path, &text) {
            Ok(()) => 0,
            Err(reason) => {
                report_usage_error(&format!("cannot write '{path}': {reason}"), None, format);
                1
            }
        },
        None => {
            write_stdout(&text);
            0
        }
    }
}

/// Prints `text` (the handout) to `-o FILE` or standard output.
fn emit(args: &GradeArgs, text: &str) {
    match &args.output {
        Some(path) => {
            if let Err(reason) = crate::host::write_regular_file(path, text) {
                report_usage_error(&format!("cannot write '{path}': {reason}"), None, Format::Text);
            }
        }
        None => write_stdout(text),
    }
}

fn invalid_exercise(invalid: &Invalid, format: Format) -> u8 {
    report_error(&invalid.sources, &invalid.diagnostic, format);
    1
}

/// The answer key, computed on this thread (which must have [`WORKER_STACK`]).
fn key_of(name: &str, source: &str, limits: &Limits) -> Result<Key, Invalid> {
    let exercise = Exercise::parse(name, source)?;
    grade::answer_key(&exercise, limits, &mut Deadline::new(limits))
}

/// Runs `work` on a thread with the stack the depth limit is sized for.
fn on_worker<T: Send>(work: impl FnOnce() -> T + Send) -> Result<T, String> {
    std::thread::scope(|scope| {
        std::thread::Builder::new()
            .name("mg-grade".to_string())
            .stack_size(WORKER_STACK)
            .spawn_scoped(scope, work)
            .map_err(|error| format!("cannot start a grading thread: {error}"))?
            .join()
            .map_err(|_| "a grading thread stopped unexpectedly".to_string())
    })
}

/// A submission to grade: its name in reports, and where to read it.
#[derive(Clone, Debug)]
struct Submission {
    name: String,
    path: PathBuf,
}

/// Every submission named on the command line: files as given, folders searched
/// (in any order: the report is sorted by name). The exercise itself, hidden files
/// and folders (`.git`, macOS's `._x.mg`) and `__MACOSX` are left out; so are
/// symbolic links inside folders, which could point at files the student may not read.
fn find_submissions(args: &[String], exercise: &str) -> Result<Vec<Submission>, String> {
    let exercise = std::fs::canonicalize(exercise).ok();
    let mut found = Vec::new();
    let one_folder = args.len() == 1 && Path::new(&args[0]).is_dir();
    for arg in args {
        let path = Path::new(arg);
        let meta = std::fs::metadata(path).map_err(|error| format!("cannot read '{arg}': {}", os_reason(&error)))?;
        if meta.is_dir() {
            let prefix = if one_folder {
                None
            } else {
                Some(arg.trim_end_matches('/'))
            };
            search(path, path, prefix, 0, &mut found)?;
        } else {
            found.push(Submission {
                name: arg.clone(),
                path: path.to_path_buf(),
            });
        }
    }
    let mut seen = std::collections::HashSet::new();
    found.retain(|submission| {
        let canonical = std::fs::canonicalize(&submission.path).unwrap_or_else(|_| submission.path.clone());
        Some(&canonical) != exercise.as_ref() && seen.insert(canonical)
    });
    Ok(found)
}

fn search(
    root: &Path,
    folder: &Path,
    prefix: Option<&str>,
    depth: usize,
    found: &mut Vec<Submission>,
) -> Result<(), String> {
    if depth > MAX_FOLDER_DEPTH {
        return Ok(());
    }
    let entries = std::fs::read_dir(folder)
        .map_err(|error| format!("cannot read the folder '{}': {}", folder.display(), os_reason(&error)))?;
    for entry in entries.flatten() {
        let name = entry.file_name().to_string_lossy().into_owned();
        if name.starts_with('.') || name == "__MACOSX" {
            continue;
        }
        let Ok(kind) = entry.file_type() else { continue };
        let path = entry.path();
        if kind.is_dir() {
            search(root, &path, prefix, depth + 1, found)?;
        } else if kind.is_file() && name.ends_with(".mg") {
            let relative = path.strip_prefix(root).unwrap_or(&path);
            let relative: Vec<String> = relative
                .components()
                .map(|part| part.as_os_str().to_string_lossy().into_owned())
                .collect();
            let relative = relative.join("/");
            let name = match prefix {
                Some(prefix) => format!("{prefix}/{relative}"),
                None => relative,
            };
            found.push(Submission { name, path });
        }
    }
    Ok(())
}

/// Grades every file on `jobs` threads: every file's result, or why not (`None`:
/// Ctrl-C stopped it).
fn grade_all(
    exercise_name: &str,
    source: &str,
    key: &Key,
    files: &[Submission],
    limits: &Limits,
    jobs: usize,
) -> Result<Vec<Graded>, Option<String>> {
    let next = AtomicUsize::new(0);
    let results: Mutex<Vec<Graded>> = Mutex::new(Vec::with_capacity(files.len()));
    let workers = jobs.clamp(1, files.len().max(1));
    let finished = std::thread::scope(|scope| {
        let handles: Vec<_> = (0..workers)
            .map(|_| {
                std::thread::Builder::new()
                    .name("mg-grade".to_string())
                    .stack_size(WORKER_STACK)
                    .spawn_scoped(scope, || {
                        worker(exercise_name, source, key, files, limits, &next, &results)
                    })
            })
            .collect();
        // Every handle is joined, even after one failed.
        let joined: Vec<bool> = handles
            .into_iter()
            .map(|handle| handle.is_ok_and(|handle| handle.join().is_ok()))
            .collect();
        joined.into_iter().all(|ok| ok)
    });
    if crate::host::interrupted() {
        return Err(None);
    }
    let results = results.into_inner().unwrap_or_default();
    if !finished || results.len() != files.len() {
        return Err(Some(format!(
            "only {} of {} submissions were graded: a grading thread could not start or stopped unexpectedly",
            results.len(),
            files.len()
        )));
    }
    Ok(results)
}

fn worker(
    exercise_name: &str,
    source: &str,
    key: &Key,
    files: &[Submission],
    limits: &Limits,
    next: &AtomicUsize,
    results: &Mutex<Vec<Graded>>,
) {
    // The exercise's trees belong to one thread: each worker parses its own.
    let Ok(exercise) = Exercise::parse(exercise_name, source) else {
        return;
    };
    let mut watch = Deadline::new(limits);
    loop {
        let index = next.fetch_add(1, Ordering::Relaxed);
        let Some(file) = files.get(index) else { break };
        if crate::host::interrupted() {
            break;
        }
        let graded = match read_submission(&file.path) {
            // A bug in mgrad that panics on one submission must not cost the class its
            // grades: that submission is reported as not graded, and the rest go on.
            Ok(bytes) => std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| {
                grade::grade(&exercise, key, &file.name, &bytes, limits, &mut watch)
            }))
            .unwrap_or_else(|_| {
                let reason = "mgrad failed while grading it (a bug in mgrad: please tell your instructor)";
                grade::unreadable(&exercise, &file.name, reason)
            }),
            Err(reason) => grade::unreadable(&exercise, &file.name, &reason),
        };
        if let Ok(mut results) = results.lock() {
            results.push(graded);
        }
    }
}

/// A submission's bytes, at most one more than a submission may have (so that a
/// larger one is reported as such without reading it all).
fn read_submission(path: &Path) -> Result<Vec<u8>, String> {
    let file = std::fs::File::open(path).map_err(|error| os_reason(&error))?;
    if !file.metadata().is_ok_and(|meta| meta.is_file()) {
        return Err("it is not a regular file".to_string());
    }
    let mut bytes = Vec::new();
    file.take(grade::MAX_SUBMISSION_BYTES as u64 + 1)
        .read_to_end(&mut bytes)
        .map_err(|error| os_reason(&error))?;
    Ok(bytes)
}

/// A submission's time limit, from the moment each phase starts; and Ctrl-C.
struct Deadline {
    seconds: Option<f64>,
    deadline: Option<Instant>,
}

impl Deadline {
    fn new(limits: &Limits) -> Deadline {
        Deadline {
            seconds: limits.time_seconds,
            deadline: None,
        }
    }
}

impl Watch for Deadline {
    fn start(&mut self) {
        self.deadline = self
            .seconds
            .and_then(|seconds| Instant::now().checked_add(Duration::try_from_secs_f64(seconds).ok()?));
    }

    fn poll(&mut self) -> Result<(), Halt> {
        if crate::host::interrupted() {
            return Err(Halt::Interrupted);
        }
        match (self.deadline, self.seconds) {
            (Some(deadline), Some(seconds)) if Instant::now() >= deadline => Err(Halt::Time { seconds }),
            _ => Ok(()),
        }
    }
}

/// `--check`: the exercise's answers, a warning for each question an empty
/// submission already scores, and the solution's grade, which must be full marks.
fn check(args: &GradeArgs, source: &str, key: &Key, limits: &Limits, format: Format) -> u8 {
    let name = &args.exercise;
    let solution = match args.submissions.as_slice() {
        [] => None,
        [one] => match read_submission(Path::new(one)) {
            Ok(bytes) => Some((one.clone(), bytes)),
            Err(reason) => {
                report_usage_error(&format!("cannot read '{one}': {reason}"), None, format);
                return 2;
            }
        },
        more => {
            report_usage_error(
                &format!("--check takes one solution, but {} were given", more.len()),
                Some("mgrad grade --check EXERCISE.mg SOLUTION.mg"),
                format,
            );
            return 2;
        }
    };
    let outcome = on_worker(|| -> Result<CheckOutcome, Invalid> {
        let exercise = Exercise::parse(name, source)?;
        let mut watch = Deadline::new(limits);
        let empty = grade::grade(&exercise, key, "(an empty submission)", b"", limits, &mut watch);
        let solution = solution.map(|(name, bytes)| grade::grade(&exercise, key, &name, &bytes, limits, &mut watch));
        Ok(CheckOutcome {
            text: describe_check(&exercise, key, &empty, solution.as_ref()),
            json: serde_json::json!({
                "cmd": "check_exercise",
                "exercise": exercise.title,
                "max_score": exercise.max_score(),
                "free": empty.questions.iter().filter(|q| q.status == Status::Passed).map(|q| q.name.clone()).collect::<Vec<_>>(),
                "solution": solution.as_ref().map(|graded| serde_json::from_str::<serde_json::Value>(&grade::write::json_line(graded)).unwrap_or_default()),
                "ok": solution.as_ref().is_none_or(|graded| graded.score == graded.max_score),
            }),
            ok: solution.as_ref().is_none_or(|graded| graded.score == graded.max_score),
        })
    });
    match outcome {
        Ok(Ok(outcome)) => {
            match format {
                Format::Text => write_stdout(&outcome.text),
                Format::Json => write_stdout(&json_line(&outcome.json)),
            }
            if outcome.ok { 0 } else { 1 }
        }
        Ok(Err(invalid)) => invalid_exercise(&invalid, format),
        Err(message) => {
            report_usage_error(&message, None, format);
            1
        }
    }
}

struct CheckOutcome {
    text: String,
    json: serde_json::Value,
    ok: bool,
}

fn describe_check(exercise: &Exercise, key: &Key, empty: &Graded, solution: Option<&Graded>) -> String {
    let mut text = format!(
        "{} ({}): {} question{}, {} points\n",
        exercise.title,
        exercise.name,
        exercise.items.len(),
        if exercise.items.len() == 1 { "" } else { "s" },
        format_number(exercise.max_score())
    );
    let width = exercise
        .items
        .iter()
        .map(|item| item.name.chars().count())
        .max()
        .unwrap_or(0);
    let points: Vec<String> = exercise
        .items
        .iter()
        .map(|item| {
            let hidden = if item.hidden { ", hidden" } else { "" };
            format!("{} pt{hidden}", format_number(item.points))
        })
        .collect();
    let points_width = points.iter().map(|p| p.chars().count()).max().unwrap_or(0);
    for ((item, answers), points) in exercise.items.iter().zip(&key.answers).zip(&points) {
        let what = match answers {
            None => "a requirement, checked in each submission".to_string(),
            Some(answers) if answers.at.is_empty() => {
                let expected = answers.expected.first().map_or("?".to_string(), |x| format_number(*x));
                format!("expected {expected}")
            }
            Some(answers) => {
                let name = item.over.as_ref().map_or("x", |over| over.name.name.as_str());
                let pairs: Vec<String> = answers
                    .at
                    .iter()
                    .zip(&answers.expected)
                    .map(|(point, expected)| format!("{} at {name} = {}", format_number(*expected), point.describe()))
                    .collect();
                format!("expected {}", pairs.join(", "))
            }
        };
        let pad = " ".repeat(width - item.name.chars().count());
        let points_pad = " ".repeat(points_width - points.chars().count());
        text.push_str(&format!("  {}{pad}  {points}{points_pad}  {what}\n", item.name));
    }
    if exercise.forbidden.is_empty() {
        text.push_str("forbids nothing\n");
    } else {
        text.push_str(&format!("forbids {}\n", exercise.forbidden.names().join(", ")));
    }
    for question in empty.questions.iter().filter(|q| q.status == Status::Passed) {
        text.push_str(&format!(
            "warning: an empty submission already scores \"{}\" ({} points for nothing): its answer is what setup leaves\n",
            question.name,
            format_number(question.score)
        ));
    }
    match solution {
        None => text.push_str("the exercise is valid (give a solution after it to check that it scores full marks)\n"),
        Some(graded) if graded.score == graded.max_score => text.push_str(&format!(
            "{}: {} of {} points\nthe exercise is valid\n",
            graded.submission,
            format_number(graded.score),
            format_number(graded.max_score)
        )),
        Some(graded) => {
            text.push_str(&format!(
                "{}: {} of {} points, not full marks:\n",
                graded.submission,
                format_number(graded.score),
                format_number(graded.max_score)
            ));
            for line in &graded.feedback {
                text.push_str(&format!("  {line}\n"));
            }
            for question in graded.questions.iter().filter(|q| q.status != Status::Passed) {
                text.push_str(&format!("  {}: {}\n", question.name, question.feedback));
            }
        }
    }
    text
}

/// A text file's contents, or a usage error's sentence.
fn read_text(path: &str) -> Result<String, String> {
    if Path::new(path).is_dir() {
        return Err(format!("'{path}' is a folder, not an exercise file; give a .mg file"));
    }
    let bytes = std::fs::read(path).map_err(|error| format!("cannot read '{path}': {}", os_reason(&error)))?;
    crate::utf8_source(bytes).map_err(|reason| format!("'{path}' {reason}"))
}
