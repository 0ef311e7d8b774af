//! When to try a request again and how long to wait: which statuses and failures are worth a
//! retry, capped exponential backoff with full jitter, and `Retry-After` (seconds or HTTP date).

use std::time::{Duration, SystemTime};

/// The backoff settings.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) struct Backoff {
    /// The first retry waits up to this long; each further retry doubles it.
    pub(crate) base: Duration,
    /// No backoff wait is longer than this.
    pub(crate) cap: Duration,
    /// A `Retry-After` asking for longer than this is cut to it.
    pub(crate) retry_after_cap: Duration,
}

impl Default for Backoff {
    fn default() -> Backoff {
        Backoff {
            base: Duration::from_millis(500),
            cap: Duration::from_secs(8),
            retry_after_cap: Duration::from_secs(60),
        }
    }
}

/// The test-only variable that shortens every backoff wait (`XCONN_RETRY_BASE_MS=1`): the base in
/// milliseconds, the cap becoming 20 × base. `Retry-After` is still honoured.
pub(crate) const BASE_ENV: &str = "XCONN_RETRY_BASE_MS";

impl Backoff {
    /// The defaults, with the base from [`BASE_ENV`] when it is set (test suites only).
    pub(crate) fn from_env() -> Backoff {
        let mut backoff = Backoff::default();
        if let Some(ms) = std::env::var(BASE_ENV)
            .ok()
            .and_then(|v| v.trim().parse::<u64>().ok())
        {
            backoff.base = Duration::from_millis(ms);
            backoff.cap = Duration::from_millis(ms.saturating_mul(20));
        }
        backoff
    }

    /// The wait before retry number `retry` (1 for the first): a random duration between zero
    /// and `min(cap, base × 2^(retry-1))` ("full jitter").
    pub(crate) fn delay(&self, retry: u32) -> Duration {
        let ceiling = self
            .base
            .saturating_mul(1u32 << (retry.saturating_sub(1)).min(20))
            .min(self.cap);
        let nanos = ceiling.as_nanos() as u64;
        if nanos == 0 {
            return Duration::ZERO;
        }
        Duration::from_nanos(random_u64() % (nanos + 1))
    }

    /// The wait a `Retry-After` value asks for, capped; `None` when it is not a number of
    /// seconds or an HTTP date.
    pub(crate) fn retry_after(&self, value: &str, now: SystemTime) -> Option<Duration> {
        parse_retry_after(value, now).map(|d| d.min(self.retry_after_cap))
    }
}

/// Statuses worth another try: 408, 429, 502, 503, 504. Never any other 4xx.
pub(crate) fn retryable_status(status: u16) -> bool {
    matches!(status, 408 | 429 | 502 | 503 | 504)
}

/// `Retry-After: 120` or `Retry-After: Wed, 21 Oct 2015 07:28:00 GMT` as a wait from `now`
/// (a date in the past is no wait). A number of seconds too large for an integer is the longest
/// wait there is (then capped like any long one), not ignored.
pub(crate) fn parse_retry_after(value: &str, now: SystemTime) -> Option<Duration> {
    let value = value.trim();
    if !value.is_empty() && value.bytes().all(|b| b.is_ascii_digit()) {
        return Some(
            value
                .parse::<u64>()
                .map_or(Duration::MAX, Duration::from_secs),
        );
    }
    let date = httpdate::parse_http_date(value).ok()?;
    Some(date.duration_since(now).unwrap_or(Duration::ZERO))
}

/// 64 random bits from the operating system (a fixed value if it fails: jitter is not security).
pub(crate) fn random_u64() -> u64 {
    getrandom::u64().unwrap_or(0x9e37_79b9_7f4a_7c15)
}

/// A fresh random (version 4) UUID, lower-case hyphenated: the `x-request-id` of one request.
pub(crate) fn uuid_v4() -> String {
    let mut b = [0u8; 16];
    if getrandom::fill(&mut b).is_err() {
        b = (u128::from(random_u64()) << 64 | u128::from(random_u64())).to_be_bytes();
    }
    b[6] = (b[6] & 0x0f) | 0x40;
    b[8] = (b[8] & 0x3f) | 0x80;
    const HEX: &[u8; 16] = b"0123456789abcdef";
    let mut id = String::with_capacity(36);
    for (i, byte) in b.iter().enumerate() {
        if matches!(i, 4 | 6 | 8 | 10) {
            id.push('-');
        }
        id.push(char::from(HEX[usize::from(byte >> 4)]));
        id.push(char::from(HEX[usize::from(byte & 0x0f)]));
    }
    id
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn which_statuses_are_retried() {
        let retried: Vec<u16> = (400..600).filter(|&s| retryable_status(s)).collect();
        assert_eq!(retried, [408, 429, 502, 503, 504]);
    }

    #[test]
    fn delays_stay_under_the_ceiling() {
        let b = Backoff {
            base: Duration::from_millis(100),
            cap: Duration::from_millis(300),
            ..Backoff::default()
        };
        for retry in 1..40 {
            let ceiling = Duration::from_millis([100, 200, 300][(retry as usize - 1).min(2)]);
            assert!(b.delay(retry) <= ceiling);
        }
        let zero = Backoff {
            base: Duration::ZERO,
            ..b
        };
        assert_eq!(zero.delay(3), Duration::ZERO);
    }

    #[test]
    fn retry_after_seconds_dates_and_cap() {
        let now = httpdate::parse_http_date("Wed, 21 Oct 2015 07:28:00 GMT").unwrap();
        assert_eq!(parse_retry_after("3", now), Some(Duration::from_secs(3)));
        assert_eq!(
            parse_retry_after("Wed, 21 Oct 2015 07:28:10 GMT", now),
            Some(Duration::from_secs(10))
        );
        assert_eq!(
            parse_retry_after("Wed, 21 Oct 2015 07:27:00 GMT", now),
            Some(Duration::ZERO)
        );
        assert_eq!(parse_retry_after("soon", now), None);
        assert_eq!(
            Backoff::default().retry_after("3600", now),
            Some(Duration::from_secs(60))
        );
        assert_eq!(
            Backoff::default().retry_after("99999999999999999999999999", now),
            Some(Duration::from_secs(60))
        );
    }

    #[test]
    fn uuids_are_version_4() {
        let id = uuid_v4();
        assert_eq!(id.len(), 36);
        assert_eq!(&id[14..15], "4");
        assert!(matches!(&id[19..20], "8" | "9" | "a" | "b"));
        assert_ne!(id, uuid_v4());
    }
}
