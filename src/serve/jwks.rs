//! `serve --issuer URL` without `--jwks`: the issuer's published key set, as a gateway keeps it.
//! Found by OpenID Connect discovery (`jwks_uri`), fetched at start-up (no keys, no start), kept
//! for the `Cache-Control: max-age` of its answer within [`MIN_AGE`]..[`MAX_AGE`], and fetched
//! again when that has passed or when a token names a `kid` the set does not have — at most once
//! per [`REFETCH_EVERY`] either way, so forged `kid`s cannot make serve hammer the provider. A
//! provider that cannot be reached leaves the cached keys serving; that is logged once, and
//! once more when it answers again.

use std::collections::HashSet;
use std::sync::{Mutex, PoisonError};
use std::time::{Duration, Instant};

use reqwest::Url;

use super::auth::{no_signing_key, parse_remote_keys, Key, Skipped};
use crate::http::{self, oidc};

/// The shortest time keys are kept, whatever `Cache-Control` says (also the time when it says
/// nothing usable: `no-store`, no header).
pub(crate) const MIN_AGE: Duration = Duration::from_secs(60);

/// The longest time keys are kept without asking again.
pub(crate) const MAX_AGE: Duration = Duration::from_secs(24 * 3600);

/// At most one fetch per this long for an unknown `kid`, and after a failed fetch.
pub(crate) const REFETCH_EVERY: Duration = Duration::from_secs(30);

/// Where the keys come from, and when they were fetched.
pub(crate) struct Remote {
    pub(crate) uri: Url,
    http: http::Settings,
    state: Mutex<State>,
}

struct State {
    /// The last successful fetch, and how long its keys are good for.
    fetched: Instant,
    max_age: Duration,
    /// The last fetch tried, whatever its end.
    tried: Instant,
    /// The last fetch for an unknown `kid`.
    for_kid: Option<Instant>,
    /// The last fetch failed (said once in the log).
    down: bool,
    /// The last fetch brought no usable key (said once in the log).
    unusable: bool,
    /// The skipped keys already logged (each said once).
    logged: HashSet<String>,
}

/// The issuer's exact `iss`, its keys, and where they came from.
pub(crate) struct Discovered {
    pub(crate) issuer: String,
    pub(crate) keys: Vec<Key>,
    pub(crate) remote: Remote,
}

/// Discover `issuer`'s `jwks_uri` and fetch its keys. Unreachable: exit 3; no `jwks_uri`, or no
/// usable key in the set: exit 2; an issuer or `jwks_uri` that is plain http to a host other than
/// this machine is refused before it is asked (exit 2: anyone in between could swap the keys).
pub(crate) async fn discover(issuer: &Url) -> anyhow::Result<Discovered> {
    let http = http::Settings {
        timeout: Duration::from_secs(10),
        retries: 1,
        max_response_size: oidc::MAX_ANSWER,
        // TLS roots loaded whatever the issuer's scheme: discovery may name an https key set.
        tls: true,
        ..http::Settings::default()
    };
    let named = format!("--issuer {}", http::redact::url(issuer));
    http::request::refuse_plain_http(issuer, &named, false, None)?;
    let found = oidc::discover(issuer, &http).await?;
    let uri = found.jwks_uri.ok_or_else(|| {
        crate::error::usage_error(format!(
            "{named}: the discovery document names no `jwks_uri`"
        ))
    })?;
    let what = format!(
        "{named}: the discovery document's `jwks_uri` {}",
        http::redact::url(&uri)
    );
    http::request::refuse_plain_http(&uri, &what, false, None)?;
    let name = key_set_name(&uri);
    let fetched = fetch(&uri, &http).await?;
    if fetched.keys.is_empty() {
        let skipped: Vec<String> = fetched.skipped.iter().map(Skipped::to_string).collect();
        let err = no_signing_key(&name);
        return Err(if skipped.is_empty() {
            err
        } else {
            err.context(skipped.join("; "))
        });
    }
    let mut logged = HashSet::new();
    log_skipped(&name, &fetched.skipped, &mut logged);
    let now = Instant::now();
    Ok(Discovered {
        issuer: found.issuer,
        keys: fetched.keys,
        remote: Remote {
            uri,
            http,
            state: Mutex::new(State {
                fetched: now,
                max_age: fetched.max_age,
                tried: now,
                for_kid: None,
                down: false,
                unusable: false,
                logged,
            }),
        },
    })
}

/// A key set as fetched.
struct Fetched {
    /// Its usable signing keys (perhaps none).
    keys: Vec<Key>,
    /// The keys left out as unusable.
    skipped: Vec<Skipped>,
    /// How long to keep them.
    max_age: Duration,
}

fn key_set_name(uri: &Url) -> String {
    format!("the key set {}", http::redact::url(uri))
}

/// GET the key set: its usable signing keys, those skipped, and how long to keep them. `Err`:
/// it could not be fetched, or is not a JWKS.
async fn fetch(uri: &Url, http: &http::Settings) -> anyhow::Result<Fetched> {
    let name = key_set_name(uri);
    let (doc, headers) = oidc::get_json(uri, http, &name).await?;
    let (keys, skipped) = parse_remote_keys(&doc.to_string(), &name)?;
    let cache_control = headers
        .iter()
        .find(|(n, _)| n.eq_ignore_ascii_case("cache-control"))
        .map(|(_, v)| v.as_str());
    Ok(Fetched {
        keys,
        skipped,
        max_age: max_age(cache_control),
    })
}

/// Log each skipped key once (by what is said of it: its place, `kid` and why).
fn log_skipped(name: &str, skipped: &[Skipped], logged: &mut HashSet<String>) {
    for key in skipped {
        let line = format!("{name}: {key}; the other keys are used");
        if logged.insert(line.clone()) {
            super::log_line(&line);
        }
    }
}

/// `Cache-Control: max-age=N` within [`MIN_AGE`]..[`MAX_AGE`]; [`MIN_AGE`] without one (or with
/// `no-store` / `no-cache`).
pub(crate) fn max_age(cache_control: Option<&str>) -> Duration {
    let directives = || cache_control.into_iter().flat_map(|v| v.split(','));
    if directives().any(|d| {
        let d = d.trim();
        d.eq_ignore_ascii_case("no-store") || d.eq_ignore_ascii_case("no-cache")
    }) {
        return MIN_AGE;
    }
    directives()
        .find_map(|d| {
            let (name, value) = d.trim().split_once('=')?;
            name.trim()
                .eq_ignore_ascii_case("max-age")
                .then(|| value.trim().trim_matches('"').parse::<u64>().ok())
                .flatten()
        })
        .map_or(MIN_AGE, |secs| {
            Duration::from_secs(secs).clamp(MIN_AGE, MAX_AGE)
        })
}

impl Remote {
    /// Fetch the keys again if they are due: kept past their max-age, or a token's `kid` is not
    /// among them (`kid_known` false). `Some` with the new keys when fetched; `None` when not
    /// due, held back by [`REFETCH_EVERY`], or the fetch failed (the cached keys keep serving).
    pub(crate) async fn refresh(&self, kid_known: bool) -> Option<Vec<Key>> {
        {
            let mut state = self.state.lock().unwrap_or_else(PoisonError::into_inner);
            let now = Instant::now();
            let waited = |since: Instant| now.duration_since(since) >= REFETCH_EVERY;
            let expired = now.duration_since(state.fetched) >= state.max_age && waited(state.tried);
            let for_kid = !kid_known && state.for_kid.is_none_or(waited);
            if !expired && !for_kid {
                return None;
            }
            if for_kid {
                state.for_kid = Some(now);
            }
            state.tried = now;
        }
        let fetched = fetch(&self.uri, &self.http).await;
        let mut state = self.state.lock().unwrap_or_else(PoisonError::into_inner);
        match fetched {
            Ok(fetched) if !fetched.keys.is_empty() => {
                state.fetched = Instant::now();
                state.max_age = fetched.max_age;
                state.unusable = false;
                let was_down = std::mem::replace(&mut state.down, false);
                let name = key_set_name(&self.uri);
                log_skipped(&name, &fetched.skipped, &mut state.logged);
                drop(state);
                let n = fetched.keys.len();
                super::log_line(&format!(
                    "{}: {n} key{} fetched{}",
                    http::redact::url(&self.uri),
                    if n == 1 { "" } else { "s" },
                    if was_down { " (reachable again)" } else { "" }
                ));
                Some(fetched.keys)
            }
            Ok(fetched) => {
                state.down = false;
                if !std::mem::replace(&mut state.unusable, true) {
                    drop(state);
                    let skipped: Vec<String> =
                        fetched.skipped.iter().map(Skipped::to_string).collect();
                    super::log_line(&format!(
                        "{}: no usable key in it now, the cached keys keep serving (said once): \
                         {}",
                        key_set_name(&self.uri),
                        skipped.join("; ")
                    ));
                }
                None
            }
            Err(e) => {
                if !std::mem::replace(&mut state.down, true) {
                    drop(state);
                    super::log_line(&format!(
                        "the keys cannot be fetched again, the cached keys keep serving \
                         (said once): {e:#}"
                    ));
                }
                None
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn max_age_is_read_within_bounds() {
        let secs = |v: Option<&str>| max_age(v).as_secs();
        assert_eq!(secs(Some("public, max-age=600")), 600);
        assert_eq!(secs(Some("max-age=\"900\"")), 900);
        assert_eq!(secs(Some("max-age=5")), MIN_AGE.as_secs());
        assert_eq!(secs(Some("max-age=99999999")), MAX_AGE.as_secs());
        assert_eq!(secs(Some("no-store, max-age=600")), MIN_AGE.as_secs());
        assert_eq!(secs(Some("max-age=x")), MIN_AGE.as_secs());
        assert_eq!(secs(None), MIN_AGE.as_secs());
    }
}
