//! The cache of tokens obtained by client credentials: one file per (issuer or token URL, client,
//! scope) under `$XDG_CACHE_HOME/xconn/` (else `~/.cache/xconn/`), the folder 0700 and each file
//! 0600, written atomically (`output::write_atomically`: a reader sees the old file or the new
//! one, so concurrent `call`s never leave half a file). A token is reused until
//! [`token::EXPIRY_MARGIN`](super::token::EXPIRY_MARGIN) before it expires. A cache that cannot be
//! read is as good as empty; one that cannot be written costs a warning, never the call.

use std::path::{Path, PathBuf};

use super::token::EXPIRY_MARGIN;

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
        self.expires_at - EXPIRY_MARGIN.as_secs() as i64 > now
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

/// The entry in `path`, when there is a readable one.
pub(crate) fn read(path: &Path) -> Option<Entry> {
    let text = std::fs::read_to_string(path).ok()?;
    let doc: serde_json::Value = serde_json::from_str(&text).ok()?;
    Some(Entry {
        access_token: doc.get("access_token")?.as_str()?.to_string(),
        expires_at: doc.get("expires_at")?.as_i64()?,
    })
}

/// Write `entry` for `key` to `path` (its folder made 0700, the file 0600). Call it before the
/// token is registered with the redactor: the file goes through the masking sink.
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
    crate::output::write_atomically(path, |w| {
        serde_json::to_writer_pretty(&mut *w, &doc)?;
        writeln!(w)?;
        Ok(())
    })?;
    set_mode(path, 0o600).map_err(|e| anyhow::anyhow!("cannot chmod 600 {}: {e}", path.display()))
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

    #[cfg(unix)]
    #[test]
    fn written_private_read_back_and_garbage_is_no_entry() {
        use std::os::unix::fs::PermissionsExt;
        let dir = tempfile::tempdir().unwrap();
        let folder = dir.path().join("cache/xconn");
        let key = Key {
            endpoint: "issuer https://a",
            client_id: "c",
            scope: "",
        };
        let path = file(&folder, key);
        let entry = Entry {
            access_token: "header.payload.signature".into(),
            expires_at: 1_800_000_000,
        };
        write(&path, key, &entry).unwrap();
        assert_eq!(read(&path), Some(entry));
        let mode = |p: &Path| std::fs::metadata(p).unwrap().permissions().mode() & 0o777;
        assert_eq!((mode(&folder), mode(&path)), (0o700, 0o600));
        std::fs::write(&path, "{\"access_token\": \"t\", \"expi").unwrap();
        assert_eq!(read(&path), None);
        assert!(forget(&path).unwrap());
        assert!(!forget(&path).unwrap());
    }

    #[test]
    fn an_entry_is_fresh_until_the_margin() {
        let entry = Entry {
            access_token: "t".into(),
            expires_at: 1000,
        };
        assert!(entry.fresh(939));
        assert!(!entry.fresh(940));
    }
}
