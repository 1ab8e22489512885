//! Sending summaries over SMTP, and one round of the scheduler: find what is due, claim it,
//! compose it, send it, record the outcome.
//!
//! SMTP is lettre's blocking transport, run on the blocking thread pool like the database work,
//! with rustls (ring, already built for jsonwebtoken) and the Mozilla roots compiled in
//! (`webpki-roots`): no OpenSSL to link and no system certificate store to find, which keeps the
//! binary the same on every machine. A relay with a private CA can be reached with STARTTLS off
//! on a trusted network (`DHANA_SMTP_TLS=none`).

use std::sync::Arc;

use chrono::{DateTime, Duration, Utc};
use lettre::message::header::{HeaderName, HeaderValue};
use lettre::message::{Mailbox, MultiPart};
use lettre::transport::smtp::authentication::Credentials;
use lettre::{Message, SmtpTransport, Transport};

use crate::config::{EmailConfig, Secret, Smtp, SmtpTls};
use crate::db::{DbConn, Pool};
use crate::error::ApiError;
use crate::forecast::bills::Ledgers;
use crate::summaries::content::{self, Email, Links};
use crate::summaries::schedule::{self, Due};
use crate::summaries::{self as settings, unsubscribe, Kind};
use crate::users::{self, User};

/// How long one SMTP conversation may take.
const SMTP_TIMEOUT: std::time::Duration = std::time::Duration::from_secs(30);

struct Mailer {
    transport: SmtpTransport,
    from: Mailbox,
}

fn transport(smtp: &Smtp) -> Result<SmtpTransport, String> {
    let builder = match smtp {
        // lettre's errors for a bad URL do not repeat it, so the password stays out of them.
        Smtp::Url(url) => SmtpTransport::from_url(&String::from_utf8_lossy(url.expose()))
            .map_err(|e| format!("DHANA_SMTP_URL is not a usable SMTP URL: {e}"))?,
        Smtp::Parts {
            host,
            port,
            tls,
            credentials,
        } => {
            let bad_host = |e| format!("DHANA_SMTP_HOST is not usable: {e}");
            let mut builder = match tls {
                SmtpTls::None => SmtpTransport::builder_dangerous(host),
                SmtpTls::Starttls => SmtpTransport::starttls_relay(host).map_err(bad_host)?,
                SmtpTls::Tls => SmtpTransport::relay(host).map_err(bad_host)?,
            };
            if let Some(port) = port {
                builder = builder.port(*port);
            }
            if let Some((user, password)) = credentials {
                builder = builder.credentials(Credentials::new(
                    user.clone(),
                    String::from_utf8_lossy(password.expose()).into_owned(),
                ));
            }
            builder
        }
    };
    Ok(builder.timeout(Some(SMTP_TIMEOUT)).build())
}

impl Mailer {
    /// The mailer, or why email is off: told to users as it is, so it names settings only.
    fn new(config: &EmailConfig) -> Result<Self, String> {
        let smtp = config
            .smtp
            .as_ref()
            .ok_or("No SMTP server is configured (DHANA_SMTP_URL or DHANA_SMTP_HOST)")?;
        let from = config
            .from
            .as_deref()
            .ok_or("No sender address is configured (DHANA_SMTP_FROM)")?
            .parse()
            .map_err(|_| "DHANA_SMTP_FROM is not an email address".to_owned())?;
        config
            .public_url
            .as_ref()
            .ok_or("The app's address for links is not configured (DHANA_PUBLIC_URL)")?;
        Ok(Mailer {
            transport: transport(smtp)?,
            from,
        })
    }

    fn send(&self, user: &User, email: &Email, unsubscribe_url: &str) -> Result<(), String> {
        let to = Mailbox::new(
            Some(user.display_name.clone()),
            user.email
                .parse()
                .map_err(|e| format!("the recipient's address is not usable: {e}"))?,
        );
        let message = Message::builder()
            .from(self.from.clone())
            .to(to)
            .subject(email.subject.clone())
            // RFC 2369 and RFC 8058: mail clients show an unsubscribe button that POSTs.
            .raw_header(HeaderValue::new(
                HeaderName::new_from_ascii_str("List-Unsubscribe"),
                format!("<{unsubscribe_url}>"),
            ))
            .raw_header(HeaderValue::new(
                HeaderName::new_from_ascii_str("List-Unsubscribe-Post"),
                "List-Unsubscribe=One-Click".into(),
            ))
            .multipart(MultiPart::alternative_plain_html(
                email.text.clone(),
                email.html.clone(),
            ))
            .map_err(|e| format!("cannot build the message: {e}"))?;
        self.transport
            .send(&message)
            .map(drop)
            .map_err(|e| format!("SMTP: {e}"))
    }
}

/// Email summaries as this server runs them: whether they can be sent, and what is needed to
/// compose and send them.
pub struct Summaries {
    mailer: Result<Mailer, String>,
    public_url: Option<String>,
    secret: Secret,
    /// The scheduler's interval, also the first retry's wait.
    pub interval: std::time::Duration,
    /// Names this process in the claims it makes.
    instance: String,
    ledgers: Arc<Ledgers>,
}

/// What one scheduler round did.
#[derive(Debug, Default, PartialEq, Eq)]
pub struct Round {
    pub sent: usize,
    pub failed: usize,
}

impl Summaries {
    /// `secret` signs the unsubscribe links; `instance` names this run in its claims
    /// (`config::run_tag`).
    pub fn new(
        config: &EmailConfig,
        secret: Secret,
        instance: String,
        ledgers: Arc<Ledgers>,
    ) -> Self {
        Summaries {
            mailer: Mailer::new(config),
            public_url: config.public_url.clone(),
            secret,
            interval: config.interval,
            instance,
            ledgers,
        }
    }

    /// Why summaries cannot be sent on this server; `None` when they can.
    pub fn unavailable(&self) -> Option<&str> {
        self.mailer.as_ref().err().map(String::as_str)
    }

    /// The user and kind an unsubscribe link's token names, if it is genuine and current.
    pub fn verify_unsubscribe(&self, token: &str, now: DateTime<Utc>) -> Option<(i64, Kind)> {
        unsubscribe::verify(self.secret.expose(), token, now)
    }

    /// The email of `due` for `user`, with links under `base` (the public URL when set).
    pub fn compose(
        &self,
        conn: &mut DbConn,
        user: &User,
        due: &Due,
        now: DateTime<Utc>,
        base: &str,
    ) -> Result<(Email, String), ApiError> {
        let base = self.public_url.as_deref().unwrap_or(base);
        let token = unsubscribe::sign(
            self.secret.expose(),
            user.id,
            due.kind,
            now + unsubscribe::VALID_FOR,
        );
        let links = Links {
            app: format!("{base}/"),
            unsubscribe: format!("{base}/api/v1/summaries/unsubscribe?token={token}"),
        };
        let email = content::compose(conn, &self.ledgers, user, due, now.date_naive(), &links)?;
        Ok((email, links.unsubscribe))
    }

    /// Sends every summary due at `now` that no instance has sent or holds. Blocking.
    pub fn run_once(&self, pool: &Pool, now: DateTime<Utc>) -> Result<Round, ApiError> {
        let Ok(mailer) = &self.mailer else {
            return Ok(Round::default());
        };
        let mut conn = pool.get()?;
        let stamp = now.naive_utc();
        let mut round = Round::default();
        for (user_id, choices) in settings::subscribed(&mut conn)? {
            for due in schedule::due_for(&choices, now.date_naive()) {
                let Some(claim) = schedule::claim(&mut conn, user_id, &due, &self.instance, stamp)?
                else {
                    continue;
                };
                let outcome = self.deliver(&mut conn, mailer, user_id, &due, now);
                match outcome {
                    Ok(()) => {
                        schedule::mark_sent(&mut conn, &claim, &self.instance, stamp)?;
                        tracing::info!(user_id, kind = due.kind.as_str(), period = %due.period.label, "summary sent");
                        round.sent += 1;
                    }
                    Err(error) => {
                        tracing::warn!(
                            user_id,
                            kind = due.kind.as_str(),
                            period = %due.period.label,
                            attempt = claim.attempts,
                            %error,
                            "summary not sent"
                        );
                        let base =
                            Duration::from_std(self.interval).unwrap_or(Duration::minutes(5));
                        schedule::mark_failed(
                            &mut conn,
                            &claim,
                            &self.instance,
                            stamp,
                            &error,
                            base,
                        )?;
                        round.failed += 1;
                    }
                }
            }
        }
        Ok(round)
    }

    fn deliver(
        &self,
        conn: &mut DbConn,
        mailer: &Mailer,
        user_id: i64,
        due: &Due,
        now: DateTime<Utc>,
    ) -> Result<(), String> {
        let user = users::find(conn, user_id)
            .map_err(|e| e.to_string())?
            .ok_or("the user is gone")?;
        let (email, unsubscribe_url) = self
            .compose(conn, &user, due, now, "")
            .map_err(|e| e.to_string())?;
        mailer.send(&user, &email, &unsubscribe_url)
    }

    /// Preview of the latest summary of `kind` for the user, as it would be sent now.
    pub fn preview(
        &self,
        conn: &mut DbConn,
        user: &User,
        kind: Kind,
        now: DateTime<Utc>,
        base: &str,
    ) -> Result<Email, ApiError> {
        let day = settings::get(conn, user.id)?.of(kind).day;
        let due = schedule::latest(kind, day, now.date_naive());
        Ok(self.compose(conn, user, &due, now, base)?.0)
    }
}
