//! The one-click unsubscribe link: a token that names a user and a kind of summary until it
//! expires, signed with HMAC-SHA256 under the server secret, so it works without signing in and
//! cannot be made for anyone else.
//!
//! Token: `<user id>.<kind>.<expiry, Unix seconds>.<signature, base64url>`.

use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use base64::Engine;
use chrono::{DateTime, Duration, Utc};
use hmac::{Hmac, Mac};
use sha2::Sha256;

use crate::summaries::Kind;

/// How long a link in an email keeps working.
pub const VALID_FOR: Duration = Duration::days(180);

/// Keeps these signatures apart from anything else signed with the same secret.
const CONTEXT: &[u8] = b"dhana summary unsubscribe\0";

fn mac(secret: &[u8], payload: &str) -> Hmac<Sha256> {
    let mut mac = Hmac::<Sha256>::new_from_slice(secret).expect("HMAC takes a key of any length");
    mac.update(CONTEXT);
    mac.update(payload.as_bytes());
    mac
}

pub fn sign(secret: &[u8], user_id: i64, kind: Kind, expires: DateTime<Utc>) -> String {
    let payload = format!("{user_id}.{}.{}", kind.as_str(), expires.timestamp());
    let signature = URL_SAFE_NO_PAD.encode(mac(secret, &payload).finalize().into_bytes());
    format!("{payload}.{signature}")
}

/// The user and kind a token names, if its signature holds and it has not expired.
pub fn verify(secret: &[u8], token: &str, now: DateTime<Utc>) -> Option<(i64, Kind)> {
    let (payload, signature) = token.rsplit_once('.')?;
    let signature = URL_SAFE_NO_PAD.decode(signature).ok()?;
    mac(secret, payload).verify_slice(&signature).ok()?;
    let mut parts = payload.split('.');
    let user_id = parts.next()?.parse().ok()?;
    let kind = Kind::parse(parts.next()?)?;
    let expires: i64 = parts.next()?.parse().ok()?;
    (parts.next().is_none() && now.timestamp() <= expires).then_some((user_id, kind))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_signed_token_names_its_user_and_kind_until_it_expires() {
        let secret = b"a server secret of some length, 32+";
        let now = Utc::now();
        let token = sign(secret, 42, Kind::Monthly, now + VALID_FOR);
        assert_eq!(verify(secret, &token, now), Some((42, Kind::Monthly)));
        assert_eq!(
            verify(secret, &token, now + VALID_FOR + Duration::seconds(1)),
            None
        );
        assert_eq!(verify(b"another server's secret", &token, now), None);
    }

    #[test]
    fn a_changed_token_is_refused() {
        let secret = b"a server secret of some length, 32+";
        let now = Utc::now();
        let token = sign(secret, 42, Kind::Weekly, now + VALID_FOR);
        for forged in [
            token.replacen("42.", "43.", 1),
            token.replace("weekly", "monthly"),
            format!("{token}A"),
            token[..token.len() - 1].to_owned(),
            String::new(),
            "42.weekly.99999999999".into(),
        ] {
            assert_eq!(verify(secret, &forged, now), None, "{forged}");
        }
    }
}
