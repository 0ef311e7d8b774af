//! The cache of tokens obtained by client credentials: one file per (issuer or token URL, client,
//! scope) under `$XDG_CACHE_HOME/xconn/` (else `~/.cache/xconn/`), the folder 0700 and each file
//! 0600, written atomically and unmasked (`output::write_file_atomically` with
//! `FileKind::Private`: a reader sees the old file or the new one, so concurrent `call`s never
//! leave half a file, and the file holds the token itself, never the redactor's `***`). A token
//! is reused until [`token::EXPIRY_MARGIN`](super::token::EXPIRY_MARGIN) before it expires. A
//! cache file is read only when it is a regular file (never through a link, never a FIFO or a
//! device) of at most [`MAX_FILE`] bytes holding a token68 token and a plausible expiry; anything
//! else is as good as no entry (and replaced by the next fetch). One that cannot be written costs
//! a warning, never the call.

use std::io::Read;
use std::path::{Path, PathBuf};

use super::token::{self, EXPIRY_MARGIN, MAX_NUMERIC_DATE};
use crate::output::{self, FileKind};

/// A cache file longer than this is not an entry (one is a few KiB).
pub(crate) const MAX_FILE: u64 = 64 * 1024;

/// What a cache file is for; its name is the SHA-256 of these three.
#[derive(Debug, Clone, Copy)]
pub(crate) struct Key<'a> {
    /// `issuer URL` or `token-url URL`, as given.
    pub(crate) endpoint: &'a str,
    pub(crate) client_id: &'a str,
    pub(crate) scope: &'a str,
}

/// One cached token.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct Entry {
    pub(crate) access_token: String,
    /// Seconds since the epoch.
    pub(crate) expires_at: i64,
}

impl Entry {
    /// Still good to send at `now`: more than the expiry margin is left.
    pub(crate) fn fresh(&self, now: i64) -> bool {
        self.expires_at
            .saturating_sub(EXPIRY_MARGIN.as_secs() as i64)
            > now
    }
}

/// The cache folder: `$XDG_CACHE_HOME/xconn` when that is an absolute path, else
/// `$HOME/.cache/xconn`; `None` when neither is set (nothing is cached then).
pub(crate) fn folder(env: impl Fn(&str) -> Option<String>) -> Option<PathBuf> {
    let absolute = |name: &str| env(name).map(PathBuf::from).filter(|p| p.is_absolute());
    absolute("XDG_CACHE_HOME")
        .or_else(|| absolute("HOME").map(|home| home.join(".cache")))
        .map(|base| base.join("xconn"))
}

/// The file of `key` in `folder`.
pub(crate) fn file(folder: &Path, key: Key<'_>) -> PathBuf {
    let mut named = Vec::new();
    for part in [key.endpoint, key.client_id, key.scope] {
        named.extend_from_slice(part.as_bytes());
        named.push(0);
    }
    let digest = aws_lc_rs::digest::digest(&aws_lc_rs::digest::SHA256, &named);
    let hex: String = digest.as_ref()[..16]
        .iter()
        .map(|b| format!("{b:02x}"))
        .collect();
    folder.join(format!("token-{hex}.json"))
}

/// The entry in `path`: `Ok(None)` when there is no file, `Err` saying why (never the token)
/// when there is one that is not a usable entry.
pub(crate) fn read(path: &Path) -> Result<Option<Entry>, String> {
    let text = match read_private(path) {
        Ok(text) => text,
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Ok(None),
        Err(e) => return Err(e.to_string()),
    };
    let doc: serde_json::Value =
        serde_json::from_slice(&text).map_err(|_| "not a JSON object".to_string())?;
    let access_token = doc
        .get("access_token")
        .and_then(|v| v.as_str())
        .filter(|t| token::is_token68(t))
        .ok_or("no `access_token` that is a bearer token (RFC 6750 token68)")?;
    let expires_at = doc
        .get("expires_at")
        .and_then(serde_json::Value::as_i64)
        .filter(|at| (1..=MAX_NUMERIC_DATE).contains(at))
        .ok_or("no `expires_at` that is a whole number of seconds up to the year 9999")?;
    Ok(Some(Entry {
        access_token: access_token.to_string(),
        expires_at,
    }))
}

/// The bytes of the regular file at `path`, at most [`MAX_FILE`]. Opened without following a
/// symbolic link and without blocking (a FIFO), then judged by the opened file itself.
fn read_private(path: &Path) -> std::io::Result<Vec<u8>> {
    let mut options = std::fs::OpenOptions::new();
    options.read(true);
    #[cfg(unix)]
    {
        use std::os::unix::fs::OpenOptionsExt;
        options.custom_flags(libc::O_NOFOLLOW | libc::O_NONBLOCK);
    }
    let file = options.open(path).map_err(|e| {
        #[cfg(unix)]
        if e.raw_os_error() == Some(libc::ELOOP) {
            return std::io::Error::other("a symbolic link, not a file");
        }
        e
    })?;
    let meta = file.metadata()?;
    if !meta.is_file() {
        return Err(std::io::Error::other("not a regular file"));
    }
    if meta.len() > MAX_FILE {
        return Err(std::io::Error::other(format!(
            "larger than {MAX_FILE} bytes"
        )));
    }
    let mut bytes = Vec::new();
    file.take(MAX_FILE + 1).read_to_end(&mut bytes)?;
    if bytes.len() as u64 > MAX_FILE {
        return Err(std::io::Error::other(format!(
            "larger than {MAX_FILE} bytes"
        )));
    }
    Ok(bytes)
}

/// Write `entry` for `key` to `path` (its folder made 0700, the file 0600), unmasked: the file
/// must hold the token itself, whatever the redactor knows.
pub(crate) fn write(path: &Path, key: Key<'_>, entry: &Entry) -> anyhow::Result<()> {
    let folder = path.parent().unwrap_or(Path::new("."));
    make_private_folder(folder)
        .map_err(|e| anyhow::anyhow!("cannot create {}: {e}", folder.display()))?;
    let doc = serde_json::json!({
        "endpoint": key.endpoint,
        "client_id": key.client_id,
        "scope": key.scope,
        "expires_at": entry.expires_at,
        "access_token": entry.access_token,
    });
    output::write_file_atomically(path, FileKind::Private, |w| {
        serde_json::to_writer_pretty(&mut *w, &doc)?;
        writeln!(w)?;
        Ok(())
    })
}

/// Remove the file at `path`: `Ok(true)` when there was one.
pub(crate) fn forget(path: &Path) -> std::io::Result<bool> {
    match std::fs::remove_file(path) {
        Ok(()) => Ok(true),
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => Ok(false),
        Err(e) => Err(e),
    }
}

fn make_private_folder(folder: &Path) -> std::io::Result<()> {
    #[cfg(unix)]
    {
        use std::os::unix::fs::DirBuilderExt;
        std::fs::DirBuilder::new()
            .recursive(true)
            .mode(0o700)
            .create(folder)?;
    }
    #[cfg(not(unix))]
    std::fs::create_dir_all(folder)?;
    set_mode(folder, 0o700)
}

fn set_mode(path: &Path, mode: u32) -> std::io::Result<()> {
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        std::fs::set_permissions(path, std::fs::Permissions::from_mode(mode))
    }
    #[cfg(not(unix))]
    {
        let _ = (path, mode);
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_folder_follows_xdg_then_home() {
        let env = |vars: &'static [(&'static str, &'static str)]| {
            move |name: &str| {
                vars.iter()
                    .find(|(k, _)| *k == name)
                    .map(|(_, v)| v.to_string())
            }
        };
        assert_eq!(
            folder(env(&[("XDG_CACHE_HOME", "/c"), ("HOME", "/h")])),
            Some(PathBuf::from("/c/xconn"))
        );
        assert_eq!(
            folder(env(&[("XDG_CACHE_HOME", "rel"), ("HOME", "/h")])),
            Some(PathBuf::from("/h/.cache/xconn"))
        );
        assert_eq!(folder(env(&[])), None);
    }

    #[test]
    fn files_differ_by_endpoint_client_and_scope() {
        let key = |endpoint, client_id, scope| Key {
            endpoint,
            client_id,
            scope,
        };
        let dir = Path::new("/c");
        let a = file(dir, key("issuer https://a", "c", ""));
        assert_eq!(a, file(dir, key("issuer https://a", "c", "")));
        assert_ne!(a, file(dir, key("issuer https://a", "d", "")));
        assert_ne!(a, file(dir, key("issuer https://a", "c", "s")));
        // The separator keeps `ab`+`c` apart from `a`+`bc`.
        assert_ne!(
            file(dir, key("x", "ab", "c")),
            file(dir, key("x", "a", "bc"))
        );
    }

    fn key() -> Key<'static> {
        Key {
            endpoint: "issuer https://a",
            client_id: "c",
            scope: "",
        }
    }

    #[cfg(unix)]
    #[test]
    fn written_private_read_back_and_garbage_is_no_entry() {
        use std::os::unix::fs::PermissionsExt;
        let dir = tempfile::tempdir().unwrap();
        let folder = dir.path().join("cache/xconn");
        let path = file(&folder, key());
        let entry = Entry {
            access_token: "header.payload.signature".into(),
            expires_at: 1_800_000_000,
        };
        write(&path, key(), &entry).unwrap();
        assert_eq!(read(&path), Ok(Some(entry)));
        let mode = |p: &Path| std::fs::metadata(p).unwrap().permissions().mode() & 0o777;
        assert_eq!((mode(&folder), mode(&path)), (0o700, 0o600));
        std::fs::write(&path, "{\"access_token\": \"t\", \"expi").unwrap();
        assert!(read(&path).is_err());
        assert!(forget(&path).unwrap());
        assert!(!forget(&path).unwrap());
        assert_eq!(read(&path), Ok(None));
    }

    #[test]
    fn a_registered_token_is_written_as_itself_not_masked() {
        let dir = tempfile::tempdir().unwrap();
        let path = file(dir.path(), key());
        let token = "eyJhbGciOiJSUzI1NiJ9.eyJzdWIiOiJyZWdpc3RlcmVkIn0.c2lnbmF0dXJlLXJlZw";
        crate::http::redact::register(token);
        let entry = Entry {
            access_token: token.into(),
            expires_at: 1_800_000_000,
        };
        write(&path, key(), &entry).unwrap();
        let text = std::fs::read_to_string(&path).unwrap();
        assert!(text.contains(token) && !text.contains("***"), "{text}");
        assert_eq!(read(&path), Ok(Some(entry)));
    }

    #[test]
    fn entries_with_a_bad_token_or_expiry_are_refused() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("token.json");
        let entry = |token: &str, at: &str| {
            std::fs::write(
                &path,
                format!(r#"{{"access_token": {token}, "expires_at": {at}}}"#),
            )
            .unwrap();
            read(&path)
        };
        assert!(entry(r#""a.b.c""#, "1800000000").unwrap().is_some());
        for at in [
            "-9223372036854775808",
            "9223372036854775807",
            "1.8e9",
            "1800000000.5",
            r#""1800000000""#,
            "0",
            "null",
            "253402300800",
        ] {
            assert!(entry(r#""a.b.c""#, at).is_err(), "expires_at {at}");
        }
        for token in [
            r#""***""#,
            r#""a.***.c""#,
            r#""a b""#,
            r#""""#,
            "7",
            r#""é""#,
        ] {
            assert!(entry(token, "1800000000").is_err(), "access_token {token}");
        }
    }

    #[test]
    fn a_huge_file_is_not_read() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("token.json");
        std::fs::write(&path, vec![b' '; 10 << 20]).unwrap();
        assert!(read(&path).unwrap_err().contains("larger than"));
    }

    #[cfg(unix)]
    #[test]
    fn a_fifo_or_a_link_is_not_read_and_is_replaced_by_a_write() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("token.json");
        let c = std::ffi::CString::new(path.to_str().unwrap()).unwrap();
        // SAFETY: mkfifo(3) on a NUL-terminated path.
        assert_eq!(unsafe { libc::mkfifo(c.as_ptr(), 0o600) }, 0);
        assert!(read(&path).unwrap_err().contains("not a regular file"));
        let entry = Entry {
            access_token: "a.b.c".into(),
            expires_at: 1_800_000_000,
        };
        write(&path, key(), &entry).unwrap();
        assert_eq!(read(&path), Ok(Some(entry.clone())));
        std::fs::remove_file(&path).unwrap();
        std::os::unix::fs::symlink("/dev/zero", &path).unwrap();
        assert!(read(&path).unwrap_err().contains("symbolic link"));
        write(&path, key(), &entry).unwrap();
        assert!(!std::fs::symlink_metadata(&path).unwrap().is_symlink());
        assert_eq!(read(&path), Ok(Some(entry)));
    }

    #[test]
    fn an_entry_is_fresh_until_the_margin() {
        let entry = Entry {
            access_token: "t".into(),
            expires_at: 1000,
        };
        assert!(entry.fresh(939));
        assert!(!entry.fresh(940));
        let far = |expires_at| Entry {
            access_token: "t".into(),
            expires_at,
        };
        assert!(!far(i64::MIN).fresh(0));
        assert!(far(i64::MAX).fresh(0));
    }
}
