//! `--save-failures DIR`: each shrunk failing body as `DIR/NAME.json` (and, for a metamorphic
//! property, the bodies it compares), and one `DIR/replay.sh` with the `xconn call` line for
//! each. The token is never written: the script's `xconn call` finds it in the environment as
//! `check` did; a sensitive `-H` header is left out and said so. Every file goes through
//! [`output::write_atomically`](crate::output::write_atomically).

use std::path::Path;

use super::{Probe, Settings};
use crate::http::redact;
use crate::output::write_atomically;
use crate::text::shell_word;

/// Write every found case's bodies and the replay script into `dir` (created when missing);
/// each probe's `found.saved` names its main body's path.
pub(crate) fn save(dir: &Path, settings: &Settings, probes: &mut [Probe]) -> anyhow::Result<()> {
    std::fs::create_dir_all(dir).map_err(|e| {
        crate::error::input_error(format!(
            "--save-failures {}: cannot create: {e}",
            dir.display()
        ))
    })?;
    let mut script = header(settings);
    for probe in probes.iter_mut() {
        let Some(found) = probe.found.as_mut() else {
            continue;
        };
        let name = format!("{}-case{}", probe.name, found.case);
        script.push_str(&format!(
            "\n# {}/{}: case {} broke `{}`; shrunk to {}{}\n",
            probe.group.name(),
            probe.name,
            found.case,
            found.rule,
            found.shrunk,
            found
                .stopped
                .as_ref()
                .map_or(String::new(), |s| format!(" ({s})"))
        ));
        script.push_str(&comment(&probe.name));
        for (suffix, body) in &found.bodies {
            let file = if suffix.is_empty() {
                format!("{name}.json")
            } else {
                format!("{name}-{suffix}.json")
            };
            let path = dir.join(&file);
            write_atomically(&path, |w| Ok(w.write_all(body)?))?;
            script.push_str(&call_line(settings, &file));
        }
        found.saved = Some(dir.join(format!("{name}.json")).display().to_string());
    }
    let path = dir.join("replay.sh");
    write_atomically(&path, |w| Ok(w.write_all(script.as_bytes())?))?;
    make_executable(&path);
    Ok(())
}

fn header(settings: &Settings) -> String {
    let mut text = format!(
        "#!/bin/sh\n# Replays what `xconn check` found (seed {}): each saved body sent with \
         `xconn call`.\n# The token comes from the environment as for `xconn call` \
         (XCONN_TOKEN, CSPARK_BEARER_TOKEN,\n# or the variable named below); it is never \
         written here.\nset -u\ncd \"$(dirname \"$0\")\" || exit 2\n",
        settings.seed
    );
    for (name, _) in settings
        .headers
        .iter()
        .filter(|(n, _)| redact::is_sensitive(n))
    {
        text.push_str(&format!(
            "# -H {name}: … is sensitive and left out: add it to each line.\n"
        ));
    }
    if redact::url(&settings.url) != settings.url.as_str() {
        text.push_str(
            "# The URL held a secret (a password or a sensitive query parameter), written here \
             as ***: put it back in each line.\n",
        );
    }
    for note in &settings.replay_notes {
        text.push_str(&format!("# {note}\n"));
    }
    text
}

/// What to look at in the answers of a property's bodies.
fn comment(property: &str) -> String {
    match property {
        "determinism" => "# Send it twice: the answers differ.\n".to_string(),
        "order-independence" => {
            "# The answers of the body and of its records reversed are not each other's reverse.\n"
                .to_string()
        }
        "batch-independence" => {
            "# A record answers differently in the batch than alone.\n".to_string()
        }
        _ => String::new(),
    }
}

/// `xconn call URL FILE …`, each word quoted for the shell; the URL as check was given it minus
/// any password in it.
fn call_line(settings: &Settings, file: &str) -> String {
    let mut words = vec![
        "xconn".to_string(),
        "call".to_string(),
        shell_word(&redact::url(&settings.url)),
        shell_word(file),
        "--retries".to_string(),
        "0".to_string(),
        "--format".to_string(),
        "raw".to_string(),
    ];
    if settings.method != crate::http::Method::POST {
        words.push("-X".to_string());
        words.push(shell_word(settings.method.as_str()));
    }
    for (name, value) in &settings.headers {
        if !redact::is_sensitive(name) {
            words.push("-H".to_string());
            words.push(shell_word(&format!("{name}: {value}")));
        }
    }
    words.extend(settings.replay_token_args.iter().map(|w| shell_word(w)));
    format!("{}\n", words.join(" "))
}

#[cfg(unix)]
fn make_executable(path: &Path) {
    use std::os::unix::fs::PermissionsExt;
    let _ = std::fs::set_permissions(path, std::fs::Permissions::from_mode(0o755));
}

#[cfg(not(unix))]
fn make_executable(_: &Path) {}
