//! Settings, read from the environment once at start-up.

use crate::bankfile::Limits;
use crate::imports::Caps;
use std::fmt;
use std::fs;
use std::io::{self, Write};
use std::net::IpAddr;
use std::path::{Path, PathBuf};

use base64::engine::general_purpose::STANDARD;
use base64::Engine;
use ipnet::IpNet;
use rand::RngCore;

/// actix-web's cookie `Key` refuses anything shorter.
pub const SESSION_KEY_MIN_BYTES: usize = 64;
pub const JWT_SECRET_MIN_BYTES: usize = 32;

#[derive(Debug, thiserror::Error)]
pub enum ConfigError {
    #[error("{name}: {message}")]
    Invalid { name: &'static str, message: String },
    #[error("cannot use data dir {path}: {source}")]
    DataDir { path: PathBuf, source: io::Error },
}

#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Database {
    Sqlite(PathBuf),
    Postgres(String),
}

impl Database {
    /// `None` means the embedded default: SQLite in the data dir. The scheme decides the backend,
    /// so a `postgres://` URL can never be mistaken for an SQLite file name.
    pub fn from_url(url: Option<&str>, data_dir: &Path) -> Result<Self, ConfigError> {
        let Some(url) = url.filter(|u| !u.trim().is_empty()) else {
            return Ok(Database::Sqlite(data_dir.join("dhana.db")));
        };
        if url.starts_with("postgres://") || url.starts_with("postgresql://") {
            Ok(Database::Postgres(url.to_owned()))
        } else if let Some(path) = url.strip_prefix("sqlite://") {
            Ok(Database::Sqlite(PathBuf::from(path)))
        } else {
            Err(ConfigError::Invalid {
                name: "DATABASE_URL",
                message: "must start with sqlite:// or postgres://".into(),
            })
        }
    }
}

/// Key material that never shows up in `Debug` output or logs.
#[derive(Clone)]
pub struct Secret(Vec<u8>);

impl Secret {
    pub fn new(bytes: Vec<u8>) -> Self {
        Secret(bytes)
    }

    pub fn random() -> Self {
        let mut bytes = vec![0u8; SESSION_KEY_MIN_BYTES];
        rand::thread_rng().fill_bytes(&mut bytes);
        Secret(bytes)
    }

    pub fn expose(&self) -> &[u8] {
        &self.0
    }
}

impl fmt::Debug for Secret {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("Secret(<redacted>)")
    }
}

#[derive(Clone, Debug)]
pub struct Config {
    pub database: Database,
    pub bind: String,
    pub data_dir: PathBuf,
    pub jwt_secret: Secret,
    pub session_key: Secret,
    /// Mark the session cookie `Secure`; set it when Dhana is served over TLS.
    pub cookie_secure: bool,
    /// HTTP worker threads; `None` lets actix pick one per CPU core.
    pub workers: Option<usize>,
    /// The largest bank file an upload may carry.
    pub max_upload_bytes: usize,
    /// The built web app (`npm run build` output) served at `/`; without an `index.html` there,
    /// `/` shows a small page pointing at the API documentation.
    pub frontend_dir: PathBuf,
    /// The categorizer sets a category at this confidence (0–1) or above; below it, it only
    /// suggests one.
    pub categorizer_min_confidence: f32,
    /// Reverse proxies (`DHANA_TRUSTED_PROXIES`, CIDRs) whose `X-Forwarded-For` names the client;
    /// from anyone else the header is ignored, since any client can set it.
    pub trusted_proxies: Vec<IpNet>,
    /// Reports of periods with more transactions than this are made in the background.
    pub report_background_above: i64,
    /// Email summaries: SMTP, sender, links and how often the scheduler looks for due ones.
    pub email: EmailConfig,
    /// This server's name in import claims (`DHANA_INSTANCE_ID`, default the host name). Each
    /// instance sharing a database needs its own: at start-up an instance releases the claims
    /// its earlier run left behind.
    pub instance_id: String,
    /// How long a commit's claim on an import holds (`DHANA_IMPORT_CLAIM_TTL_SECONDS`); a claim
    /// older than this is taken to be from a commit that died.
    pub import_claim_ttl_seconds: u64,
    /// Shapes of bank file refused before they are split (`DHANA_IMPORT_MAX_COLUMNS`,
    /// `DHANA_IMPORT_MAX_FIELD_BYTES`, `DHANA_IMPORT_MAX_LINE_BYTES`).
    pub import_limits: Limits,
    /// Imports running at once, per user and overall (`DHANA_IMPORT_MAX_PER_USER`,
    /// `DHANA_IMPORT_MAX_RUNNING`); beyond, 429.
    pub import_caps: Caps,
}

pub const DEFAULT_CATEGORIZER_MIN_CONFIDENCE: f32 = 0.6;

pub const DEFAULT_MAX_UPLOAD_BYTES: usize = 50 * 1024 * 1024;

pub const DEFAULT_REPORT_BACKGROUND_ABOVE: i64 = 5_000;
/// Far longer than the largest commit takes, so a slow live commit is never taken for dead.
pub const DEFAULT_IMPORT_CLAIM_TTL_SECONDS: u64 = 30 * 60;
/// Two imports per user (a preview while another commits), four on the server.
pub const DEFAULT_IMPORT_CAPS: Caps = Caps {
    per_user: 2,
    overall: 4,
};

/// The host name, so that a restarted instance recognizes its own claims.
pub fn default_instance_id() -> String {
    fs::read_to_string("/proc/sys/kernel/hostname")
        .ok()
        .map(|h| h.trim().to_owned())
        .filter(|h| !h.is_empty())
        .unwrap_or_else(|| "dhana".into())
}

/// Names one run of this server in the claims it writes on work any instance may take over
/// (reports, email summaries): the instance id, the process id for the log reader, and random
/// bytes, since both repeat across restarts.
pub fn run_tag(instance_id: &str) -> String {
    format!(
        "{instance_id}-{}-{:08x}",
        std::process::id(),
        rand::random::<u32>()
    )
}

impl Config {
    pub fn from_env() -> Result<Self, ConfigError> {
        let data_dir = PathBuf::from(env("DHANA_DATA_DIR").unwrap_or_else(|| "./data".into()));
        make_private(&data_dir).map_err(|source| ConfigError::DataDir {
            path: data_dir.clone(),
            source,
        })?;
        Ok(Config {
            database: Database::from_url(env("DATABASE_URL").as_deref(), &data_dir)?,
            bind: env("DHANA_BIND").unwrap_or_else(|| "127.0.0.1:8080".into()),
            jwt_secret: secret_from_env_or_file(
                "DHANA_JWT_SECRET",
                JWT_SECRET_MIN_BYTES,
                &data_dir.join("jwt_secret"),
            )?,
            session_key: secret_from_env_or_file(
                "DHANA_SESSION_KEY",
                SESSION_KEY_MIN_BYTES,
                &data_dir.join("session_key"),
            )?,
            cookie_secure: parse_env("DHANA_COOKIE_SECURE")?.unwrap_or(false),
            workers: parse_env("DHANA_WORKERS")?,
            max_upload_bytes: parse_env("DHANA_MAX_UPLOAD_BYTES")?
                .unwrap_or(DEFAULT_MAX_UPLOAD_BYTES),
            frontend_dir: PathBuf::from(
                env("DHANA_FRONTEND_DIR").unwrap_or_else(|| "frontend/dist".into()),
            ),
            categorizer_min_confidence: confidence_from_env("DHANA_CATEGORIZER_MIN_CONFIDENCE")?
                .unwrap_or(DEFAULT_CATEGORIZER_MIN_CONFIDENCE),
            trusted_proxies: networks_from_env("DHANA_TRUSTED_PROXIES")?,
            report_background_above: parse_env("DHANA_REPORT_BACKGROUND_ABOVE")?
                .unwrap_or(DEFAULT_REPORT_BACKGROUND_ABOVE),
            email: EmailConfig::from_env()?,
            instance_id: env("DHANA_INSTANCE_ID").unwrap_or_else(default_instance_id),
            import_claim_ttl_seconds: parse_env("DHANA_IMPORT_CLAIM_TTL_SECONDS")?
                .unwrap_or(DEFAULT_IMPORT_CLAIM_TTL_SECONDS),
            import_limits: Limits {
                max_columns: parse_env("DHANA_IMPORT_MAX_COLUMNS")?
                    .unwrap_or(Limits::default().max_columns),
                max_field_bytes: parse_env("DHANA_IMPORT_MAX_FIELD_BYTES")?
                    .unwrap_or(Limits::default().max_field_bytes),
                max_line_bytes: parse_env("DHANA_IMPORT_MAX_LINE_BYTES")?
                    .unwrap_or(Limits::default().max_line_bytes),
            },
            import_caps: Caps {
                per_user: parse_env("DHANA_IMPORT_MAX_PER_USER")?
                    .unwrap_or(DEFAULT_IMPORT_CAPS.per_user),
                overall: parse_env("DHANA_IMPORT_MAX_RUNNING")?
                    .unwrap_or(DEFAULT_IMPORT_CAPS.overall),
            },
            data_dir,
        })
    }
}

/// How to reach the SMTP server. The password (also inside a URL) never shows in `Debug`.
#[derive(Clone, Debug)]
pub enum Smtp {
    /// `DHANA_SMTP_URL`, as lettre reads it: `smtp://host:25`, `smtp://user:pass@host:587?tls=required`
    /// (STARTTLS) or `smtps://user:pass@host:465` (TLS from the start).
    Url(Secret),
    Parts {
        host: String,
        port: Option<u16>,
        tls: SmtpTls,
        credentials: Option<(String, Secret)>,
    },
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum SmtpTls {
    /// Plain text: only for a relay on the same machine or a test server.
    None,
    /// STARTTLS, required (port 587 by default).
    Starttls,
    /// TLS from the first byte (port 465 by default).
    Tls,
}

#[derive(Clone, Debug)]
pub struct EmailConfig {
    /// `None`: neither `DHANA_SMTP_URL` nor `DHANA_SMTP_HOST` is set.
    pub smtp: Option<Smtp>,
    /// `DHANA_SMTP_FROM`, e.g. `Dhana <dhana@example.com>`.
    pub from: Option<String>,
    /// `DHANA_PUBLIC_URL`: where people reach the app, for the links in emails.
    pub public_url: Option<String>,
    /// `DHANA_SUMMARY_INTERVAL_SECS`: how often the scheduler looks for due summaries.
    pub interval: std::time::Duration,
}

pub const DEFAULT_SUMMARY_INTERVAL_SECS: u64 = 300;

impl EmailConfig {
    /// Email off: what a server without SMTP settings has.
    pub fn off() -> Self {
        EmailConfig {
            smtp: None,
            from: None,
            public_url: None,
            interval: std::time::Duration::from_secs(DEFAULT_SUMMARY_INTERVAL_SECS),
        }
    }

    fn from_env() -> Result<Self, ConfigError> {
        let smtp = match (env("DHANA_SMTP_URL"), env("DHANA_SMTP_HOST")) {
            (Some(_), Some(_)) => {
                return Err(ConfigError::Invalid {
                    name: "DHANA_SMTP_URL",
                    message: "set either it or DHANA_SMTP_HOST, not both".into(),
                })
            }
            (Some(url), None) => Some(Smtp::Url(Secret(url.into_bytes()))),
            (None, Some(host)) => Some(Smtp::Parts {
                host,
                port: parse_env("DHANA_SMTP_PORT")?,
                tls: match env("DHANA_SMTP_TLS").as_deref() {
                    None | Some("starttls") => SmtpTls::Starttls,
                    Some("tls") => SmtpTls::Tls,
                    Some("none") => SmtpTls::None,
                    Some(other) => {
                        return Err(ConfigError::Invalid {
                            name: "DHANA_SMTP_TLS",
                            message: format!("{other:?} is not one of starttls, tls, none"),
                        })
                    }
                },
                credentials: match (env("DHANA_SMTP_USER"), env("DHANA_SMTP_PASSWORD")) {
                    (Some(user), Some(password)) => Some((user, Secret(password.into_bytes()))),
                    (None, None) => None,
                    _ => {
                        return Err(ConfigError::Invalid {
                            name: "DHANA_SMTP_USER",
                            message: "DHANA_SMTP_USER and DHANA_SMTP_PASSWORD go together".into(),
                        })
                    }
                },
            }),
            (None, None) => None,
        };
        let public_url = env("DHANA_PUBLIC_URL").map(|u| u.trim_end_matches('/').to_owned());
        if let Some(url) = &public_url {
            if !(url.starts_with("http://") || url.starts_with("https://")) {
                return Err(ConfigError::Invalid {
                    name: "DHANA_PUBLIC_URL",
                    message: "must start with http:// or https://".into(),
                });
            }
        }
        let interval = match parse_env::<u64>("DHANA_SUMMARY_INTERVAL_SECS")? {
            Some(0) => {
                return Err(ConfigError::Invalid {
                    name: "DHANA_SUMMARY_INTERVAL_SECS",
                    message: "must be at least 1".into(),
                })
            }
            secs => secs.unwrap_or(DEFAULT_SUMMARY_INTERVAL_SECS),
        };
        Ok(EmailConfig {
            smtp,
            from: env("DHANA_SMTP_FROM"),
            public_url,
            interval: std::time::Duration::from_secs(interval),
        })
    }
}

/// The data dir holds the database, secrets and bank statements: owner only (0700), also when
/// it already existed with looser permissions.
fn make_private(dir: &Path) -> io::Result<()> {
    crate::storage::create_private_dir(dir)?;
    #[cfg(unix)]
    fs::set_permissions(dir, std::os::unix::fs::PermissionsExt::from_mode(0o700))?;
    Ok(())
}

fn env(name: &str) -> Option<String> {
    std::env::var(name).ok().filter(|v| !v.is_empty())
}

fn parse_env<T: std::str::FromStr>(name: &'static str) -> Result<Option<T>, ConfigError>
where
    T::Err: fmt::Display,
{
    env(name)
        .map(|raw| {
            raw.parse().map_err(|e: T::Err| ConfigError::Invalid {
                name,
                message: format!("{raw:?}: {e}"),
            })
        })
        .transpose()
}

fn confidence_from_env(name: &'static str) -> Result<Option<f32>, ConfigError> {
    match parse_env::<f32>(name)? {
        Some(value) if !(0.0..=1.0).contains(&value) => Err(ConfigError::Invalid {
            name,
            message: format!("{value} is not between 0 and 1"),
        }),
        value => Ok(value),
    }
}

/// Comma- or space-separated CIDRs; a bare address means just that host.
fn networks_from_env(name: &'static str) -> Result<Vec<IpNet>, ConfigError> {
    parse_networks(&env(name).unwrap_or_default())
        .map_err(|message| ConfigError::Invalid { name, message })
}

fn parse_networks(raw: &str) -> Result<Vec<IpNet>, String> {
    raw.split([',', ' '])
        .filter(|part| !part.is_empty())
        .map(|part| {
            part.parse::<IpNet>()
                .or_else(|_| part.parse::<IpAddr>().map(IpNet::from))
                .map_err(|_| format!("{part:?} is not a CIDR such as 10.0.0.0/8 or ::1/128"))
        })
        .collect()
}

/// A secret from the environment, or else one generated on first start and kept (mode 0600) in
/// the data dir, so that restarting the embedded default does not sign everybody out.
fn secret_from_env_or_file(
    name: &'static str,
    min_bytes: usize,
    file: &Path,
) -> Result<Secret, ConfigError> {
    let too_short = || ConfigError::Invalid {
        name,
        message: format!("must be at least {min_bytes} bytes"),
    };
    if let Some(value) = env(name) {
        return if value.len() < min_bytes {
            Err(too_short())
        } else {
            Ok(Secret(value.into_bytes()))
        };
    }
    let data_dir_error = |source| ConfigError::DataDir {
        path: file.to_owned(),
        source,
    };
    match fs::read_to_string(file) {
        Ok(stored) => {
            let bytes = STANDARD
                .decode(stored.trim())
                .map_err(|e| ConfigError::Invalid {
                    name,
                    message: format!("{} is not valid base64: {e}", file.display()),
                })?;
            if bytes.len() < min_bytes {
                return Err(too_short());
            }
            Ok(Secret(bytes))
        }
        Err(e) if e.kind() == io::ErrorKind::NotFound => {
            let secret = Secret::random();
            write_private(file, STANDARD.encode(secret.expose()).as_bytes())
                .map_err(data_dir_error)?;
            Ok(secret)
        }
        Err(e) => Err(data_dir_error(e)),
    }
}

fn write_private(path: &Path, contents: &[u8]) -> io::Result<()> {
    let mut options = fs::OpenOptions::new();
    options.write(true).create_new(true);
    #[cfg(unix)]
    std::os::unix::fs::OpenOptionsExt::mode(&mut options, 0o600);
    options.open(path)?.write_all(contents)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn scheme_picks_the_backend() {
        let dir = Path::new("/srv/dhana");
        assert_eq!(
            Database::from_url(None, dir).unwrap(),
            Database::Sqlite(dir.join("dhana.db"))
        );
        assert_eq!(
            Database::from_url(Some("sqlite:///tmp/x.db"), dir).unwrap(),
            Database::Sqlite("/tmp/x.db".into())
        );
        assert!(matches!(
            Database::from_url(Some("postgresql://u@h/db"), dir).unwrap(),
            Database::Postgres(_)
        ));
        assert!(Database::from_url(Some("mysql://u@h/db"), dir).is_err());
        assert!(Database::from_url(Some("/tmp/x.db"), dir).is_err());
    }

    #[test]
    fn trusted_proxies_are_cidrs_or_addresses() {
        let nets = parse_networks("10.0.0.0/8, 192.168.1.7 ::1/128").unwrap();
        let shown: Vec<String> = nets.iter().map(ToString::to_string).collect();
        assert_eq!(shown, ["10.0.0.0/8", "192.168.1.7/32", "::1/128"]);
        assert!(parse_networks("").unwrap().is_empty());
        assert!(parse_networks("10.0.0.0/33")
            .unwrap_err()
            .contains("10.0.0.0/33"));
    }

    #[test]
    fn smtp_passwords_stay_out_of_debug_output() {
        let email = EmailConfig {
            smtp: Some(Smtp::Url(Secret::new(
                b"smtps://dhana:hunter2-pass@mail.example.com".to_vec(),
            ))),
            ..EmailConfig::off()
        };
        let parts = Smtp::Parts {
            host: "mail.example.com".into(),
            port: Some(587),
            tls: SmtpTls::Starttls,
            credentials: Some(("dhana".into(), Secret::new(b"hunter2-pass".to_vec()))),
        };
        for shown in [format!("{email:?}"), format!("{parts:?}")] {
            assert!(!shown.contains("hunter2"), "{shown}");
            assert!(shown.contains("<redacted>"), "{shown}");
        }
    }

    #[test]
    fn secrets_are_generated_once_and_kept_private() {
        let dir = tempfile::tempdir().unwrap();
        let file = dir.path().join("key");
        let first = secret_from_env_or_file("DHANA_TEST_UNSET_SECRET", 64, &file).unwrap();
        let second = secret_from_env_or_file("DHANA_TEST_UNSET_SECRET", 64, &file).unwrap();
        assert_eq!(first.expose(), second.expose());
        assert_eq!(first.expose().len(), 64);
        #[cfg(unix)]
        {
            use std::os::unix::fs::PermissionsExt;
            let mode = fs::metadata(&file).unwrap().permissions().mode();
            assert_eq!(mode & 0o777, 0o600);
        }
        assert_eq!(format!("{first:?}"), "Secret(<redacted>)");
    }
}
