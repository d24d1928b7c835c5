//! `mgrad kernel install | uninstall | status`: the kernelspec that tells Jupyter how to
//! start mg, written by mgrad itself (no Python needed).
//!
//! A kernelspec is a folder `<data dir>/kernels/<name>/` with a `kernel.json` (the
//! command line, with the absolute path of this `mgrad`, and `interrupt_mode:
//! "message"`, so an interrupt is a message on the control channel, on every platform)
//! and a logo. Where the data dirs are follows `jupyter_core.paths`.

use std::ffi::OsString;
use std::path::{Path, PathBuf};

use mgrad::limits::Limits;
use mgrad::number::format_number;
use serde_json::{Value, json};

/// Where to install: the user's Jupyter data dir, the active Python environment's, or a prefix.
#[derive(Clone, Debug, PartialEq)]
pub(crate) enum Place {
    User,
    SysPrefix,
    Prefix(PathBuf),
}

/// The name Jupyter knows the kernel by, unless `--name` says otherwise.
pub(crate) const DEFAULT_NAME: &str = "mg";
/// The name a notebook shows, unless `--display-name` says otherwise.
pub(crate) const DEFAULT_DISPLAY_NAME: &str = "mg (mgrad)";

/// The kernel's logo, for JupyterLab's launcher: a node of micrograd's graph.
const LOGO_SVG: &str = r##"<svg xmlns="http://www.w3.org/2000/svg" width="64" height="64" viewBox="0 0 64 64">
<rect x="2" y="14" width="60" height="36" rx="6" fill="#ffffff" stroke="#1f4e79" stroke-width="3"/>
<text x="32" y="40" font-family="sans-serif" font-size="22" font-weight="bold" text-anchor="middle" fill="#1f4e79">mg</text>
</svg>
"##;

/// The environment, as the functions below read it (tests give their own).
pub(crate) struct Env {
    pub var: fn(&str) -> Option<OsString>,
    pub home: Option<PathBuf>,
}

impl Env {
    pub(crate) fn real() -> Env {
        Env {
            var: |name| std::env::var_os(name).filter(|value| !value.is_empty()),
            home: dirs::home_dir(),
        }
    }
}

/// The user's Jupyter data dir: `$JUPYTER_DATA_DIR`, else `~/Library/Jupyter` on macOS,
/// `%APPDATA%\jupyter` on Windows, `${XDG_DATA_HOME:-~/.local/share}/jupyter` elsewhere.
pub(crate) fn user_data_dir(env: &Env) -> Option<PathBuf> {
    if let Some(dir) = (env.var)("JUPYTER_DATA_DIR") {
        return Some(PathBuf::from(dir));
    }
    if cfg!(target_os = "macos") {
        return env.home.as_ref().map(|home| home.join("Library").join("Jupyter"));
    }
    if cfg!(windows) {
        return (env.var)("APPDATA").map(|dir| PathBuf::from(dir).join("jupyter"));
    }
    let data = (env.var)("XDG_DATA_HOME")
        .map(PathBuf::from)
        .or_else(|| env.home.as_ref().map(|home| home.join(".local").join("share")))?;
    Some(data.join("jupyter"))
}

/// The prefix of the active Python environment (a virtualenv's, or conda's).
fn environment_prefix(env: &Env) -> Option<PathBuf> {
    (env.var)("VIRTUAL_ENV")
        .or_else(|| (env.var)("CONDA_PREFIX"))
        .map(PathBuf::from)
}

/// The `kernels` folder of a place.
pub(crate) fn kernels_dir(place: &Place, env: &Env) -> Result<PathBuf, String> {
    let data = match place {
        Place::User => user_data_dir(env).ok_or(
            "cannot tell where your Jupyter data dir is (no home directory); set JUPYTER_DATA_DIR, or use --prefix",
        )?,
        Place::SysPrefix => environment_prefix(env)
            .ok_or(
                "--sys-prefix installs into the active Python environment, and none is active \
                 (neither VIRTUAL_ENV nor CONDA_PREFIX is set); activate it, or use --prefix",
            )?
            .join("share")
            .join("jupyter"),
        Place::Prefix(prefix) => prefix.join("share").join("jupyter"),
    };
    Ok(data.join("kernels"))
}

/// Every data dir Jupyter searches for kernels, in its order: `$JUPYTER_PATH`, the
/// user's, the Python environment's, the system's.
fn search_path(env: &Env) -> Vec<PathBuf> {
    let mut dirs: Vec<PathBuf> = (env.var)("JUPYTER_PATH")
        .map(|path| std::env::split_paths(&path).collect())
        .unwrap_or_default();
    dirs.extend(user_data_dir(env));
    dirs.extend(environment_prefix(env).map(|prefix| prefix.join("share").join("jupyter")));
    if cfg!(windows) {
        dirs.extend((env.var)("PROGRAMDATA").map(|dir| PathBuf::from(dir).join("jupyter")));
    } else {
        dirs.push(PathBuf::from("/usr/local/share/jupyter"));
        dirs.push(PathBuf::from("/usr/share/jupyter"));
    }
    let mut unique = Vec::new();
    for dir in dirs {
        if !unique.contains(&dir) {
            unique.push(dir);
        }
    }
    unique
}

/// A kernel name Jupyter accepts: letters, digits, `.`, `_`, `-` (it lowercases names).
pub(crate) fn check_name(name: &str) -> Result<(), String> {
    if !name.is_empty()
        && name
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || matches!(c, '.' | '_' | '-'))
    {
        Ok(())
    } else {
        Err(format!(
            "'{name}' cannot name a Jupyter kernel: use letters, digits, '.', '_' and '-' (e.g. --name mg)"
        ))
    }
}

/// The options of `mgrad kernel run` that give it `limits` (those that differ from the
/// defaults), so `mgrad kernel install --sandbox --time-limit 60` makes a kernel whose
/// every cell runs so.
pub(crate) fn limit_options(limits: &Limits) -> Vec<String> {
    let defaults = Limits::default();
    let mut options = Vec::new();
    let mut option = |name: &str, value: String| options.extend([format!("--{name}"), value]);
    if let Some(seconds) = limits.time_seconds {
        option("time-limit", format_number(seconds));
    }
    if let Some(mib) = limits.memory_mib.filter(|mib| Some(*mib) != defaults.memory_mib) {
        option("memory-limit", mib.to_string());
    }
    if limits.nodes != defaults.nodes {
        option("node-limit", limits.nodes.to_string());
    }
    if let Some(bytes) = limits.output_bytes {
        option("output-limit", bytes.to_string());
    }
    if limits.sandbox {
        options.push("--sandbox".to_string());
    }
    options
}

/// The `kernel.json` of an mgrad at `exe`, run with `options`.
pub(crate) fn kernel_json(exe: &Path, display_name: &str, options: &[String]) -> Value {
    let mut argv = vec![
        exe.to_string_lossy().into_owned(),
        "kernel".to_string(),
        "run".to_string(),
        "--connection-file".to_string(),
        "{connection_file}".to_string(),
    ];
    argv.extend(options.iter().cloned());
    json!({
        "argv": argv,
        "display_name": display_name,
        "language": "mg",
        "interrupt_mode": "message",
        "metadata": {"mgrad": {"version": env!("CARGO_PKG_VERSION")}},
    })
}

/// This program's absolute path, for the kernelspec (a relative one would break as soon
/// as Jupyter starts in another folder; VS Code hides a kernel whose program it cannot find).
fn this_program() -> Result<PathBuf, String> {
    let exe = std::env::current_exe().map_err(|error| format!("cannot tell where mgrad itself is: {error}"))?;
    Ok(exe.canonicalize().unwrap_or(exe))
}

/// Writes the kernelspec of a kernel run under `limits`; returns what to tell the user.
pub(crate) fn install(
    place: &Place,
    name: &str,
    display_name: &str,
    limits: &Limits,
    env: &Env,
) -> Result<String, String> {
    check_name(name)?;
    let exe = this_program()?;
    let dir = kernels_dir(place, env)?.join(name.to_lowercase());
    let replaced = dir.join("kernel.json").exists();
    std::fs::create_dir_all(&dir).map_err(|error| cannot("create", &dir, &error))?;
    let options = limit_options(limits);
    let spec = serde_json::to_string_pretty(&kernel_json(&exe, display_name, &options)).unwrap_or_default() + "\n";
    let json_path = dir.join("kernel.json");
    std::fs::write(&json_path, spec).map_err(|error| cannot("write", &json_path, &error))?;
    let logo_path = dir.join("logo-svg.svg");
    std::fs::write(&logo_path, LOGO_SVG).map_err(|error| cannot("write", &logo_path, &error))?;
    let verb = if replaced { "updated" } else { "installed" };
    let mut message = format!(
        "{verb} the Jupyter kernel '{}' ({display_name}) in {}\nit runs {}{}\n",
        name.to_lowercase(),
        dir.display(),
        exe.display(),
        if options.is_empty() {
            String::new()
        } else {
            format!(" with {}", options.join(" "))
        }
    );
    let data_dir = dir.parent().and_then(Path::parent);
    if !search_path(env).iter().any(|data| Some(data.as_path()) == data_dir) {
        message.push_str(&format!(
            "Jupyter does not look there by itself: add {} to JUPYTER_PATH\n",
            data_dir.unwrap_or(&dir).display()
        ));
    }
    Ok(message)
}

/// Removes the kernelspec `name` from a place.
pub(crate) fn uninstall(place: &Place, name: &str, env: &Env) -> Result<String, String> {
    check_name(name)?;
    let dir = kernels_dir(place, env)?.join(name.to_lowercase());
    let json_path = dir.join("kernel.json");
    let Some(spec) = read_spec(&json_path) else {
        return Err(format!("there is no Jupyter kernel '{name}' in {}", dir.display()));
    };
    if spec["language"] != "mg" {
        return Err(format!(
            "the Jupyter kernel '{name}' in {} is not mg's (its language is {}); remove it with 'jupyter kernelspec remove {name}'",
            dir.display(),
            spec["language"]
        ));
    }
    for file in ["kernel.json", "logo-svg.svg"] {
        let path = dir.join(file);
        if path.exists() {
            std::fs::remove_file(&path).map_err(|error| cannot("remove", &path, &error))?;
        }
    }
    // Only an empty folder is removed: anything else in it is not mgrad's to delete.
    let _ = std::fs::remove_dir(&dir);
    Ok(format!("removed the Jupyter kernel '{name}' from {}\n", dir.display()))
}

fn read_spec(path: &Path) -> Option<Value> {
    let text = std::fs::read_to_string(path).ok()?;
    serde_json::from_str(&text).ok()
}

/// Where Jupyter finds kernels named `name`, the one it uses first, and whether each
/// runs a program that exists. The flag says whether any was found.
pub(crate) fn status(name: &str, env: &Env) -> Result<(String, bool), String> {
    check_name(name)?;
    let exe = this_program().ok();
    let mut found = Vec::new();
    for data in search_path(env) {
        let dir = data.join("kernels").join(name.to_lowercase());
        if let Some(spec) = read_spec(&dir.join("kernel.json")) {
            found.push((dir, spec));
        }
    }
    if found.is_empty() {
        let searched: Vec<String> = search_path(env)
            .iter()
            .map(|dir| dir.join("kernels").display().to_string())
            .collect();
        return Ok((
            format!(
                "no Jupyter kernel '{name}' is installed (searched {}); install it with: mgrad kernel install\n",
                searched.join(", ")
            ),
            false,
        ));
    }
    let mut text = String::new();
    for (index, (dir, spec)) in found.iter().enumerate() {
        let program = spec["argv"][0].as_str().unwrap_or("");
        let state = if !Path::new(program).exists() {
            "its program is missing: reinstall with mgrad kernel install"
        } else if exe.as_deref().is_some_and(|exe| Path::new(program) == exe) {
            "this mgrad"
        } else {
            "another mgrad"
        };
        let role = if index == 0 { "used" } else { "hidden by the one above" };
        text.push_str(&format!(
            "{}: {} ({role})\n  runs {program} ({state})\n",
            dir.display(),
            spec["display_name"].as_str().unwrap_or(name)
        ));
    }
    Ok((text, true))
}

fn cannot(verb: &str, path: &Path, error: &std::io::Error) -> String {
    format!("cannot {verb} '{}': {}", path.display(), crate::os_reason(error))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn env(var: fn(&str) -> Option<OsString>) -> Env {
        Env {
            var,
            home: Some(PathBuf::from("/home/ada")),
        }
    }

    #[test]
    fn the_user_data_dir_follows_jupyter() {
        let overridden = env(|name| (name == "JUPYTER_DATA_DIR").then(|| "/tmp/jd".into()));
        assert_eq!(user_data_dir(&overridden), Some(PathBuf::from("/tmp/jd")));
        if cfg!(all(unix, not(target_os = "macos"))) {
            assert_eq!(
                user_data_dir(&env(|_| None)),
                Some(PathBuf::from("/home/ada/.local/share/jupyter"))
            );
            let xdg = env(|name| (name == "XDG_DATA_HOME").then(|| "/xdg".into()));
            assert_eq!(user_data_dir(&xdg), Some(PathBuf::from("/xdg/jupyter")));
        }
    }

    #[test]
    fn each_place_has_its_kernels_dir() {
        let plain = env(|_| None);
        assert_eq!(
            kernels_dir(&Place::Prefix(PathBuf::from("/opt/py")), &plain),
            Ok(PathBuf::from("/opt/py/share/jupyter/kernels"))
        );
        let venv = env(|name| (name == "VIRTUAL_ENV").then(|| "/work/.venv".into()));
        assert_eq!(
            kernels_dir(&Place::SysPrefix, &venv),
            Ok(PathBuf::from("/work/.venv/share/jupyter/kernels"))
        );
        assert!(kernels_dir(&Place::SysPrefix, &plain).is_err_and(|error| error.contains("VIRTUAL_ENV")));
    }

    #[test]
    fn jupyter_path_comes_first_in_the_search() {
        let env = env(|name| match name {
            "JUPYTER_PATH" => Some("/a:/b".into()),
            "JUPYTER_DATA_DIR" => Some("/user".into()),
            _ => None,
        });
        if cfg!(unix) {
            let path = search_path(&env);
            assert_eq!(
                path[..3],
                [PathBuf::from("/a"), PathBuf::from("/b"), PathBuf::from("/user")]
            );
            assert_eq!(path.last(), Some(&PathBuf::from("/usr/share/jupyter")));
        }
    }

    #[test]
    fn the_kernelspec_runs_this_program_by_message_interrupts() {
        let spec = kernel_json(Path::new("/opt/bin/mgrad"), "mg (mgrad)", &[]);
        assert_eq!(
            spec["argv"],
            json!([
                "/opt/bin/mgrad",
                "kernel",
                "run",
                "--connection-file",
                "{connection_file}"
            ])
        );
        assert_eq!(spec["interrupt_mode"], "message");
        assert_eq!(spec["language"], "mg");
        assert_eq!(spec["display_name"], "mg (mgrad)");
    }

    #[test]
    fn limits_become_options_of_the_kernels_command() {
        assert_eq!(limit_options(&Limits::default()), Vec::<String>::new());
        let limits = Limits {
            time_seconds: Some(60.0),
            memory_mib: Some(512),
            output_bytes: Some(100_000),
            sandbox: true,
            ..Limits::default()
        };
        let options = limit_options(&limits);
        assert_eq!(
            options,
            [
                "--time-limit",
                "60",
                "--memory-limit",
                "512",
                "--output-limit",
                "100000",
                "--sandbox"
            ]
        );
        let spec = kernel_json(Path::new("/opt/bin/mgrad"), "mg", &options);
        assert_eq!(spec["argv"][5], "--time-limit");
        assert_eq!(spec["argv"][11], "--sandbox");
    }

    #[test]
    fn names_are_checked() {
        assert_eq!(check_name("mg"), Ok(()));
        assert_eq!(check_name("mg-0.1_dev"), Ok(()));
        assert!(check_name("").is_err());
        assert!(check_name("m g").is_err_and(|error| error.starts_with("'m g' cannot name a Jupyter kernel")));
        assert!(check_name("../evil").is_err());
    }
}
