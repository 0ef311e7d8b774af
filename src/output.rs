//! The one writer commands print through: buffering, the color decision, terminal width, and
//! atomic file output (temp file + rename).

use std::io::{self, BufWriter, IsTerminal, Write};
use std::path::Path;

use anyhow::Context;

use crate::http::redact::Masked;

/// When escape codes may be written.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub(crate) enum ColorChoice {
    /// Only on a terminal, and only when `NO_COLOR` is unset or empty.
    #[default]
    Auto,
    Always,
    Never,
}

/// Standard output, buffered, with the terminal facts decided once at start-up. Every byte
/// passes [`Masked`]: the secrets loaded in this run never reach the terminal or a pipe.
pub(crate) struct Output {
    writer: BufWriter<Masked<Box<dyn Write>>>,
    /// Whether escape codes may be written.
    pub(crate) color: bool,
    /// Whether standard output is a terminal (or `XCONN_FORCE_TTY=1` says to act as if it were).
    pub(crate) is_terminal: bool,
}

impl Output {
    /// Standard output; color from `--color`, then `NO_COLOR`, then whether stdout is a terminal.
    pub(crate) fn stdout(choice: ColorChoice) -> Output {
        let is_terminal = forced_tty() || io::stdout().is_terminal();
        Output {
            writer: BufWriter::with_capacity(64 * 1024, Masked::new(Box::new(io::stdout()))),
            color: decide_color(choice, is_terminal),
            is_terminal,
        }
    }

    /// The width to fit: `--width`, else on a terminal `COLUMNS` or the terminal's own width;
    /// `None` (no wrapping or cutting) when output is not a terminal and no width was given.
    pub(crate) fn width(&self, requested: Option<usize>) -> Option<usize> {
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

impl Output {
    /// The end of the output: everything written, including bytes held back as the possible
    /// start of a secret.
    pub(crate) fn finish(&mut self) -> io::Result<()> {
        self.writer.flush()?;
        self.writer.get_mut().finish()
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
pub(crate) fn decide_color(choice: ColorChoice, is_terminal: bool) -> bool {
    match choice {
        ColorChoice::Always => true,
        ColorChoice::Never => false,
        ColorChoice::Auto => {
            let no_color = std::env::var_os("NO_COLOR").is_some_and(|v| !v.is_empty());
            is_terminal && !no_color
        }
    }
}

/// What a file written by [`write_file_atomically`] is.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum FileKind {
    /// Output (`-o`): through the masking sink, symbolic links followed and special files
    /// written in place (see [`write_atomically`]), the mode of the file it replaces (else 0644).
    Output,
    /// A private file of xconn's own that must hold a secret (the token cache): not masked,
    /// 0600, and the path itself replaced whatever is there (a link, a FIFO): never followed,
    /// never opened.
    Private,
}

/// Write a file whole or not at all: `produce` writes into a temp file in the directory of the
/// file that will hold the result, which is renamed over it only when `produce` succeeds. On
/// failure no file is left behind. Every `-o` (convert, call, check) goes through here
/// ([`FileKind::Output`]).
///
/// Where the bytes go is decided by [`Destination::of`], once:
/// - a symbolic link is followed (chains and relative targets too) and its target is replaced
///   atomically; the link stays a link (a dangling link gets its target created);
/// - anything that is not a regular file — a device, a FIFO, a socket, and every path that goes
///   through `/proc` or `/dev` (`/dev/stdout`, `/dev/fd/N`, `/proc/self/fd/N`, which name open
///   files rather than places to rename into) — is written directly, never renamed over; a
///   descriptor of this process (`/dev/stdout`, `/proc/self/fd/1`) is written through that
///   descriptor itself, so `>>` appends and `>` truncates as the shell set it up.
pub(crate) fn write_atomically<T>(
    path: &Path,
    produce: impl FnOnce(&mut dyn Write) -> anyhow::Result<T>,
) -> anyhow::Result<T> {
    write_file_atomically(path, FileKind::Output, produce)
}

/// [`write_atomically`] for a file of `kind`: the one temp file + rename.
pub(crate) fn write_file_atomically<T>(
    path: &Path,
    kind: FileKind,
    produce: impl FnOnce(&mut dyn Write) -> anyhow::Result<T>,
) -> anyhow::Result<T> {
    let target = match kind {
        FileKind::Private => path.to_path_buf(),
        FileKind::Output => match Destination::of(path)? {
            Destination::Direct(file) => return write_directly(file, path, produce),
            Destination::Replace(target) => target,
        },
    };
    let dir = match target.parent() {
        Some(parent) if !parent.as_os_str().is_empty() => parent,
        _ => Path::new("."),
    };
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
    // A private file keeps the temp file's own mode, 0600.
    if kind == FileKind::Output {
        set_final_permissions(temp.as_file(), &target);
    }
    let masking = kind == FileKind::Output;
    let mut writer = BufWriter::with_capacity(64 * 1024, Masked::with(Watched::new(temp), masking));
    let value = produce(&mut writer)
        .map_err(|e| name_write_failure(e, writer.get_ref().get_ref(), path))?;
    let temp = writer
        .into_inner()
        .map_err(|e| e.into_error())
        .and_then(Masked::into_inner)
        .with_context(|| format!("cannot write {}", path.display()))?
        .inner;
    temp.persist(&target)
        .map_err(|e| e.error)
        .with_context(|| format!("cannot write {}", path.display()))?;
    Ok(value)
}

/// Where an output path's bytes go.
#[derive(Debug)]
pub(crate) enum Destination {
    /// A regular file (or none yet) at this path, symbolic links resolved: written to a temp file
    /// beside it and renamed over it.
    Replace(std::path::PathBuf),
    /// Not a place to rename into (device, FIFO, socket, `/proc`, `/dev`): written in place.
    Direct(std::fs::File),
}

/// Links followed at most (as the kernel's ELOOP limit).
const MAX_LINKS: usize = 40;

impl Destination {
    /// Resolve `path` one link at a time: the first hop into `/proc` or `/dev`, or onto anything
    /// that is not a regular file, is opened for writing in place; otherwise the last path of the
    /// chain is the file to replace.
    pub(crate) fn of(path: &Path) -> anyhow::Result<Destination> {
        let mut current = path.to_path_buf();
        for _ in 0..=MAX_LINKS {
            if is_special_tree(&current) {
                return open_direct(&current, path).map(Destination::Direct);
            }
            match std::fs::symlink_metadata(&current) {
                Ok(meta) if meta.file_type().is_symlink() => {
                    let link = std::fs::read_link(&current)
                        .with_context(|| format!("cannot write {}", path.display()))?;
                    current = match current.parent() {
                        Some(parent) if link.is_relative() => parent.join(link),
                        _ => link,
                    };
                }
                Ok(meta) if meta.is_dir() => {
                    anyhow::bail!("cannot write {}: is a directory", path.display())
                }
                Ok(meta) if meta.is_file() => return Ok(Destination::Replace(current)),
                Ok(_) => return open_direct(&current, path).map(Destination::Direct),
                Err(e) if e.kind() == io::ErrorKind::NotFound => {
                    return Ok(Destination::Replace(current))
                }
                Err(e) => {
                    return Err(e).with_context(|| format!("cannot write {}", path.display()))
                }
            }
        }
        anyhow::bail!(
            "cannot write {}: more than {MAX_LINKS} symbolic links in a chain",
            path.display()
        )
    }
}

/// `/proc/…` and `/dev/…` (but `/dev/shm`) name kernel objects and open files, never a directory
/// to put a temp file in (a relative path is judged by where it points from the working
/// directory).
fn is_special_tree(path: &Path) -> bool {
    let absolute = if path.is_absolute() {
        path.to_path_buf()
    } else {
        match std::env::current_dir() {
            Ok(dir) => dir.join(path),
            Err(_) => return false,
        }
    };
    let mut parts = absolute.components().filter(|c| {
        !matches!(
            c,
            std::path::Component::RootDir | std::path::Component::CurDir
        )
    });
    match (parts.next(), parts.next()) {
        (Some(std::path::Component::Normal(top)), _) if top == "proc" => true,
        // /dev/shm is an ordinary (memory) file system for files.
        (Some(std::path::Component::Normal(top)), next) if top == "dev" => {
            !matches!(next, Some(std::path::Component::Normal(dir)) if dir == "shm")
        }
        _ => false,
    }
}

/// Open a special destination for writing in place. A descriptor of this very process
/// (`/dev/stdout`, `/dev/fd/N`, `/proc/self/fd/N`, `/proc/<our pid>/fd/N`) is duplicated, so the
/// bytes go where that descriptor already points, at its offset and with its append mode.
fn open_direct(special: &Path, asked: &Path) -> anyhow::Result<std::fs::File> {
    #[cfg(unix)]
    if let Some(fd) = own_descriptor(special) {
        // SAFETY: dup(2) on a descriptor number; a closed one fails with EBADF.
        let copy = unsafe { libc::dup(fd) };
        if copy < 0 {
            return Err(io::Error::last_os_error())
                .with_context(|| format!("cannot write {}", asked.display()));
        }
        use std::os::fd::FromRawFd;
        // SAFETY: `copy` is a fresh descriptor that nothing else owns.
        return Ok(unsafe { std::fs::File::from_raw_fd(copy) });
    }
    std::fs::OpenOptions::new()
        .write(true)
        .open(special)
        .with_context(|| format!("cannot write {}", asked.display()))
}

/// The descriptor number when `path` names one of this process's own descriptors.
#[cfg(unix)]
fn own_descriptor(path: &Path) -> Option<i32> {
    let text = path.to_str()?;
    match text {
        "/dev/stdin" => return Some(0),
        "/dev/stdout" => return Some(1),
        "/dev/stderr" => return Some(2),
        _ => {}
    }
    let pid = std::process::id().to_string();
    let number = text
        .strip_prefix("/dev/fd/")
        .or_else(|| text.strip_prefix("/proc/self/fd/"))
        .or_else(|| text.strip_prefix("/proc/thread-self/fd/"))
        .or_else(|| {
            text.strip_prefix("/proc/")
                .and_then(|rest| rest.strip_prefix(pid.as_str()))
                .and_then(|rest| rest.strip_prefix("/fd/"))
        })?;
    number.parse().ok()
}

/// Write into a destination opened in place (device, FIFO, descriptor) without a temp file.
fn write_directly<T>(
    file: std::fs::File,
    path: &Path,
    produce: impl FnOnce(&mut dyn Write) -> anyhow::Result<T>,
) -> anyhow::Result<T> {
    let mut writer = BufWriter::with_capacity(64 * 1024, Masked::new(Watched::new(file)));
    let value = produce(&mut writer)
        .map_err(|e| name_write_failure(e, writer.get_ref().get_ref(), path))?;
    writer
        .into_inner()
        .map_err(|e| e.into_error())
        .and_then(Masked::into_inner)
        .and_then(|mut file| file.flush())
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

/// Standard error through the masking sink: lines are collected and each complete line is
/// masked and written whole (a secret never spans lines), the rest when dropped. Every message
/// xconn prints on standard error goes through here ([`say!`](crate::say), `error::report`, the
/// diagnostics of `show`, `validate` and `call`, serve's log).
pub(crate) struct Stderr {
    line: Vec<u8>,
}

/// [`Stderr`]: xconn's one way to standard error.
pub(crate) fn stderr() -> Stderr {
    Stderr { line: Vec::new() }
}

impl Stderr {
    fn emit(&mut self, upto: usize) -> io::Result<()> {
        let text = String::from_utf8_lossy(&self.line[..upto]).into_owned();
        let masked = crate::http::redact::mask_text(&text);
        io::stderr().lock().write_all(masked.as_bytes())?;
        self.line.drain(..upto);
        Ok(())
    }
}

impl Write for Stderr {
    fn write(&mut self, buf: &[u8]) -> io::Result<usize> {
        self.line.extend_from_slice(buf);
        if let Some(last) = memchr::memrchr(b'\n', &self.line) {
            self.emit(last + 1)?;
        }
        Ok(buf.len())
    }
    fn flush(&mut self) -> io::Result<()> {
        if !self.line.is_empty() {
            let all = self.line.len();
            self.emit(all)?;
        }
        io::stderr().flush()
    }
}

impl Drop for Stderr {
    fn drop(&mut self) {
        let _ = self.flush();
    }
}

/// One line on standard error, masked (see [`Stderr`]).
pub(crate) fn stderr_line(text: &str) {
    let mut err = stderr();
    let _ = err.write_all(text.as_bytes());
    let _ = err.write_all(b"\n");
}

/// `eprintln!` through the masking sink: xconn's only way to print a line on standard error.
#[macro_export]
macro_rules! say {
    ($($arg:tt)*) => {
        $crate::output::stderr_line(&format!($($arg)*))
    };
}
