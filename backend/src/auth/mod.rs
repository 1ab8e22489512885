//! Who is asking: passwords, access and refresh tokens, cookie sessions with CSRF, failed-login
//! throttling, and the `CurrentUser` extractor that ties them together.

pub mod client_address;
pub mod current_user;
pub mod jwt;
pub mod login;
pub mod password;
pub mod rate_limit;
pub mod session;
pub mod sign_ins;
pub mod tokens;

pub use current_user::{AuthMethod, CurrentUser};
