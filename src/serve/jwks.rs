//! `serve --issuer URL` without `--jwks`: the issuer's published key set, as a gateway keeps it.
//! Found by OpenID Connect discovery (`jwks_uri`), fetched at start-up (no keys, no start), kept
//! for the `Cache-Control: max-age` of its answer within [`MIN_AGE`]..[`MAX_AGE`], and fetched
//! again when that has passed or when a token names a `kid` the set does not have — at most once
//! per [`REFETCH_EVERY`] either way, so forged `kid`s cannot make serve hammer the provider. A
//! provider that cannot be reached leaves the cached keys serving; that is logged once, and
//! once more when it answers again.

use std::sync::{Mutex, PoisonError};
use std::time::{Duration, Instant};

use reqwest::Url;

use super::auth::{parse_keys, Key};
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
    let (keys, max_age) = fetch(&uri, &http).await?;
    let now = Instant::now();
    Ok(Discovered {
        issuer: found.issuer,
        keys,
        remote: Remote {
            uri,
            http,
            state: Mutex::new(State {
                fetched: now,
                max_age,
                tried: now,
                for_kid: None,
                down: false,
            }),
        },
    })
}

/// GET the key set: its signing keys and how long to keep them.
async fn fetch(uri: &Url, http: &http::Settings) -> anyhow::Result<(Vec<Key>, Duration)> {
    let name = format!("the key set {}", http::redact::url(uri));
    let (doc, headers) = oidc::get_json(uri, http, &name).await?;
    let keys = parse_keys(&doc.to_string(), &name)?;
    let cache_control = headers
        .iter()
        .find(|(n, _)| n.eq_ignore_ascii_case("cache-control"))
        .map(|(_, v)| v.as_str());
    Ok((keys, max_age(cache_control)))
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
            Ok((keys, max_age)) => {
                state.fetched = Instant::now();
                state.max_age = max_age;
                let was_down = std::mem::replace(&mut state.down, false);
                drop(state);
                super::log_line(&format!(
                    "{}: {} key{} fetched{}",
                    http::redact::url(&self.uri),
                    keys.len(),
                    if keys.len() == 1 { "" } else { "s" },
                    if was_down { " (reachable again)" } else { "" }
                ));
                Some(keys)
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
