//! The one writer commands print through: buffering, the color decision, terminal width, and
//! atomic file output (temp file + rename).

use std::io::{self, BufWriter, IsTerminal, Write};
use std::path::Path;

use anyhow::Context;

/// When escape codes may be written.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum ColorChoice {
    /// Only on a terminal, and only when `NO_COLOR` is unset or empty.
    #[default]
    Auto,
    Always,
    Never,
}

/// Standard output, buffered, with the terminal facts decided once at start-up.
pub struct Output {
    writer: BufWriter<Box<dyn Write>>,
    /// Whether escape codes may be written.
    pub color: bool,
    /// Whether standard output is a terminal (or `XCONN_FORCE_TTY=1` says to act as if it were).
    pub is_terminal: bool,
}

impl Output {
    /// Standard output; color from `--color`, then `NO_COLOR`, then whether stdout is a terminal.
    pub fn stdout(choice: ColorChoice) -> Output {
        let is_terminal = forced_tty() || io::stdout().is_terminal();
        Output {
            writer: BufWriter::with_capacity(64 * 1024, Box::new(io::stdout())),
            color: decide_color(choice, is_terminal),
            is_terminal,
        }
    }

    /// The width to fit: `--width`, else on a terminal `COLUMNS` or the terminal's own width;
    /// `None` (no wrapping or cutting) when output is not a terminal and no width was given.
    pub fn width(&self, requested: Option<usize>) -> Option<usize> {
        if requested.is_some() {
            return requested;
        }
        if !self.is_terminal {
            return None;
        }
        if let Some(columns) = std::env::var("COLUMNS")
            .ok()
            .and_then(|c| c.trim().parse::<usize>().ok())
            .filter(|&c| c > 0)
        {
            return Some(columns);
        }
        terminal_size::terminal_size()
            .map(|(w, _)| w.0 as usize)
            .or(Some(80))
    }
}

impl Write for Output {
    fn write(&mut self, buf: &[u8]) -> io::Result<usize> {
        self.writer.write(buf)
    }
    fn write_all(&mut self, buf: &[u8]) -> io::Result<()> {
        self.writer.write_all(buf)
    }
    fn flush(&mut self) -> io::Result<()> {
        self.writer.flush()
    }
}

fn forced_tty() -> bool {
    std::env::var_os("XCONN_FORCE_TTY").is_some_and(|v| v == "1")
}

/// `--color always|never` win; `auto` means color only on a terminal and only when `NO_COLOR` is
/// unset or empty (<https://no-color.org>).
pub fn decide_color(choice: ColorChoice, is_terminal: bool) -> bool {
    match choice {
        ColorChoice::Always => true,
        ColorChoice::Never => false,
        ColorChoice::Auto => {
            let no_color = std::env::var_os("NO_COLOR").is_some_and(|v| !v.is_empty());
            is_terminal && !no_color
        }
    }
}

/// Write a file whole or not at all: `produce` writes into a temp file in the same directory,
/// which is renamed over `path` only when `produce` succeeds. On failure no file is left behind.
///
/// A path that exists but is not a regular file (`/dev/stdout`, `/dev/null`, a FIFO) is written
/// to directly: renaming over it would replace the device or pipe with a plain file.
pub fn write_atomically<T>(
    path: &Path,
    produce: impl FnOnce(&mut dyn Write) -> anyhow::Result<T>,
) -> anyhow::Result<T> {
    let dir = match path.parent() {
        Some(parent) if !parent.as_os_str().is_empty() => parent,
        _ => Path::new("."),
    };
    match std::fs::metadata(path) {
        Ok(meta) if meta.is_dir() => {
            anyhow::bail!("cannot write {}: is a directory", path.display())
        }
        Ok(meta) if !meta.is_file() => return write_directly(path, produce),
        _ => {}
    }
    if !dir.is_dir() {
        anyhow::bail!(
            "cannot write {}: directory {} does not exist",
            path.display(),
            dir.display()
        );
    }
    let temp = tempfile::Builder::new()
        .prefix(".xconn-")
        .suffix(".tmp")
        .tempfile_in(dir)
        .with_context(|| format!("cannot create a temporary file in {}", dir.display()))?;
    set_final_permissions(temp.as_file(), path);
    let mut writer = BufWriter::with_capacity(64 * 1024, Watched::new(temp));
    let value = produce(&mut writer).map_err(|e| name_write_failure(e, writer.get_ref(), path))?;
    let temp = writer
        .into_inner()
        .map_err(|e| e.into_error())
        .with_context(|| format!("cannot write {}", path.display()))?
        .inner;
    temp.persist(path)
        .map_err(|e| e.error)
        .with_context(|| format!("cannot write {}", path.display()))?;
    Ok(value)
}

/// Write into an existing special file (device, FIFO) without a temp file.
fn write_directly<T>(
    path: &Path,
    produce: impl FnOnce(&mut dyn Write) -> anyhow::Result<T>,
) -> anyhow::Result<T> {
    let file = std::fs::OpenOptions::new()
        .write(true)
        .open(path)
        .with_context(|| format!("cannot write {}", path.display()))?;
    let mut writer = BufWriter::with_capacity(64 * 1024, Watched::new(file));
    let value = produce(&mut writer).map_err(|e| name_write_failure(e, writer.get_ref(), path))?;
    writer
        .flush()
        .with_context(|| format!("cannot write {}", path.display()))?;
    Ok(value)
}

/// A writer that remembers whether writing into it failed, so that an error coming back from the
/// producer can be told to be about the output file (and named after it) rather than about what
/// was being read.
struct Watched<W> {
    inner: W,
    failed: bool,
}

impl<W> Watched<W> {
    fn new(inner: W) -> Watched<W> {
        Watched {
            inner,
            failed: false,
        }
    }
}

impl<W: Write> Write for Watched<W> {
    fn write(&mut self, buf: &[u8]) -> io::Result<usize> {
        let result = self.inner.write(buf);
        self.failed |= result.is_err();
        result
    }
    fn flush(&mut self) -> io::Result<()> {
        let result = self.inner.flush();
        self.failed |= result.is_err();
        result
    }
}

/// The producer failed: when a write into the file failed, say which file (a full disk or
/// `-o /dev/full` otherwise reads as a bare "No space left on device", which `run` would blame on
/// standard output).
fn name_write_failure<W>(err: anyhow::Error, writer: &Watched<W>, path: &Path) -> anyhow::Error {
    if writer.failed {
        err.context(format!("cannot write {}", path.display()))
    } else {
        err
    }
}

/// Temp files are created private (0600); give the result the mode of the file it replaces, or
/// the usual 0644 for a new file.
#[cfg(unix)]
fn set_final_permissions(file: &std::fs::File, path: &Path) {
    use std::os::unix::fs::PermissionsExt;
    let mode = std::fs::metadata(path)
        .map(|m| m.permissions().mode() & 0o7777)
        .unwrap_or(0o644);
    // Best effort: a failure leaves the private mode, which is safe.
    let _ = file.set_permissions(std::fs::Permissions::from_mode(mode));
}

#[cfg(not(unix))]
fn set_final_permissions(_file: &std::fs::File, _path: &Path) {}
