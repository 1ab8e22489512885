//! Short-lived access tokens: HS256 JWTs naming the user and the sign-in (refresh family) they
//! came from.

use chrono::{Duration, Utc};
use jsonwebtoken::errors::ErrorKind;
use jsonwebtoken::{Algorithm, DecodingKey, EncodingKey, Header, Validation};
use serde::{Deserialize, Serialize};

use crate::error::ApiError;

pub const ACCESS_TOKEN_TTL: Duration = Duration::minutes(15);

#[derive(Debug, Serialize, Deserialize)]
pub struct Claims {
    /// The user id.
    pub sub: String,
    /// The refresh-token family this token was minted with.
    pub fam: String,
    pub iat: i64,
    pub exp: i64,
}

#[derive(Clone)]
pub struct JwtKeys {
    encoding: EncodingKey,
    decoding: DecodingKey,
    validation: Validation,
}

impl JwtKeys {
    pub fn new(secret: &[u8]) -> Self {
        let mut validation = Validation::new(Algorithm::HS256);
        validation.leeway = 5;
        validation.set_required_spec_claims(&["exp", "sub"]);
        JwtKeys {
            encoding: EncodingKey::from_secret(secret),
            decoding: DecodingKey::from_secret(secret),
            validation,
        }
    }

    pub fn issue(&self, user_id: i64, family: &str) -> Result<String, ApiError> {
        let now = Utc::now();
        let claims = Claims {
            sub: user_id.to_string(),
            fam: family.to_owned(),
            iat: now.timestamp(),
            exp: (now + ACCESS_TOKEN_TTL).timestamp(),
        };
        self.sign(&claims)
    }

    pub fn sign(&self, claims: &Claims) -> Result<String, ApiError> {
        jsonwebtoken::encode(&Header::new(Algorithm::HS256), claims, &self.encoding)
            .map_err(|e| ApiError::Internal(format!("signing a token: {e}")))
    }

    /// The user id and family of a valid token.
    pub fn verify(&self, token: &str) -> Result<(i64, String), ApiError> {
        let data = jsonwebtoken::decode::<Claims>(token, &self.decoding, &self.validation)
            .map_err(|e| match e.kind() {
                ErrorKind::ExpiredSignature => ApiError::TokenExpired,
                _ => ApiError::Unauthorized("the access token is not valid".into()),
            })?;
        let id = data
            .claims
            .sub
            .parse()
            .map_err(|_| ApiError::Unauthorized("the access token is not valid".into()))?;
        Ok((id, data.claims.fam))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn round_trips_and_rejects_foreign_or_stale_tokens() {
        let keys = JwtKeys::new(b"0123456789abcdef0123456789abcdef");
        let token = keys.issue(42, "fam").unwrap();
        assert_eq!(keys.verify(&token).unwrap(), (42, "fam".to_owned()));

        let other = JwtKeys::new(b"another secret of thirty-two bytes");
        assert!(matches!(
            other.verify(&token),
            Err(ApiError::Unauthorized(_))
        ));

        let stale = keys
            .sign(&Claims {
                sub: "42".into(),
                fam: "fam".into(),
                iat: 0,
                exp: Utc::now().timestamp() - 60,
            })
            .unwrap();
        assert!(matches!(keys.verify(&stale), Err(ApiError::TokenExpired)));
    }
}
