//! The real `dhana` binary: what it prints, what it keeps, and what it never logs.

use std::io::{BufRead, BufReader};
use std::os::unix::fs::PermissionsExt;
use std::path::Path;
use std::process::{Child, Command, Stdio};
use std::sync::{Arc, Mutex};
use std::thread::JoinHandle;

use reqwest::{Client, StatusCode};
use serde_json::{json, Value};

const PASSWORD: &str = "a secret nobody logs";

pub fn dhana() -> Command {
    let mut cmd = Command::new(env!("CARGO_BIN_EXE_dhana"));
    for var in [
        "DATABASE_URL",
        "DHANA_JWT_SECRET",
        "DHANA_SESSION_KEY",
        "DHANA_WORKERS",
    ] {
        cmd.env_remove(var);
    }
    cmd
}

#[test]
fn openapi_prints_the_committed_document() {
    let out = dhana().arg("openapi").output().unwrap();
    assert!(out.status.success());
    assert!(
        String::from_utf8(out.stdout).unwrap() == include_str!("../../../openapi.yaml"),
        "`dhana openapi` differs from openapi.yaml: regenerate it"
    );
}

#[test]
fn migrate_creates_the_embedded_database() {
    let dir = tempfile::tempdir().unwrap();
    let status = dhana()
        .arg("migrate")
        .env("DHANA_DATA_DIR", dir.path())
        .status()
        .unwrap();
    assert!(status.success());
    assert!(dir.path().join("dhana.db").exists());

    let refused = dhana()
        .arg("migrate")
        .env("DHANA_DATA_DIR", dir.path())
        .env("DATABASE_URL", "mysql://nope")
        .output()
        .unwrap();
    assert!(!refused.status.success());
    assert!(String::from_utf8_lossy(&refused.stderr).contains("DATABASE_URL"));
}

/// A running `dhana serve`, its log collected as it is written.
pub struct Server {
    child: Child,
    pub base: String,
    log: Arc<Mutex<String>>,
    reader: Option<JoinHandle<()>>,
}

impl Server {
    fn start(data_dir: &Path) -> Self {
        Self::start_with(data_dir, &[])
    }

    /// With more settings (`env` overrides the defaults here).
    pub fn start_with(data_dir: &Path, env: &[(&str, &str)]) -> Self {
        let mut child = dhana()
            .arg("serve")
            .env("DHANA_DATA_DIR", data_dir)
            .env("DHANA_BIND", "127.0.0.1:0")
            .env("DHANA_WORKERS", "1")
            .env("RUST_LOG", "trace")
            .envs(env.iter().copied())
            .stderr(Stdio::piped())
            .stdout(Stdio::null())
            .spawn()
            .unwrap();
        let mut lines = BufReader::new(child.stderr.take().unwrap()).lines();
        let log = Arc::new(Mutex::new(String::new()));
        let mut address = None;
        for line in lines.by_ref() {
            let line = line.unwrap();
            log.lock().unwrap().push_str(&line);
            if line.contains("Dhana is listening") {
                address = line
                    .split("address=")
                    .nth(1)
                    .and_then(|rest| rest.split_whitespace().next())
                    .map(str::to_owned);
                break;
            }
        }
        let base = format!(
            "http://{}",
            address.expect("the server says where it listens")
        );
        let sink = log.clone();
        let reader = std::thread::spawn(move || {
            for line in lines.map_while(Result::ok) {
                let mut log = sink.lock().unwrap();
                log.push_str(&line);
                log.push('\n');
            }
        });
        Server {
            child,
            base,
            log,
            reader: Some(reader),
        }
    }

    /// Kills the process (SIGKILL: no shutdown of any kind) and returns its log.
    pub fn stop(mut self) -> String {
        self.child.kill().unwrap();
        self.child.wait().unwrap();
        self.reader.take().unwrap().join().unwrap();
        let log = self.log.lock().unwrap().clone();
        log
    }
}

#[actix_web::test]
async fn serve_keeps_its_secrets_and_never_logs_credentials() {
    let dir = tempfile::tempdir().unwrap();
    let server = Server::start(dir.path());
    let client = Client::new();
    let url = |path: &str| format!("{}{path}", server.base);

    let res = client
        .post(url("/api/v1/auth/register"))
        .json(&json!({"email": "asha@example.com", "password": PASSWORD, "display_name": "Asha"}))
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), StatusCode::CREATED);
    let pair: Value = client
        .post(url("/api/v1/auth/token"))
        .json(&json!({"email": "asha@example.com", "password": PASSWORD}))
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    let access = pair["access_token"].as_str().unwrap().to_owned();
    let refresh = pair["refresh_token"].as_str().unwrap().to_owned();
    let me = client
        .get(url("/api/v1/me"))
        .bearer_auth(&access)
        .send()
        .await
        .unwrap();
    let request_id = me.headers()["x-request-id"].to_str().unwrap().to_owned();
    let wrong = client
        .post(url("/api/v1/auth/token"))
        .json(&json!({"email": "asha@example.com", "password": "a guess that is wrong"}))
        .send()
        .await
        .unwrap();
    assert_eq!(wrong.status(), StatusCode::UNAUTHORIZED);
    let log = server.stop();

    assert!(log.contains(&request_id), "the log carries the request id");
    for secret in [PASSWORD, "a guess that is wrong", &access, &refresh] {
        assert!(!log.contains(secret), "the log leaks {secret}");
    }
    for file in ["jwt_secret", "session_key"] {
        let mode = std::fs::metadata(dir.path().join(file))
            .unwrap()
            .permissions()
            .mode();
        assert_eq!(mode & 0o777, 0o600, "{file}");
        let secret = std::fs::read_to_string(dir.path().join(file)).unwrap();
        assert!(!log.contains(secret.trim()), "the log leaks {file}");
    }

    // A restart keeps the secrets, so tokens issued before it still work.
    let again = Server::start(dir.path());
    let me = client
        .get(format!("{}/api/v1/me", again.base))
        .bearer_auth(&access)
        .send()
        .await
        .unwrap();
    assert_eq!(me.status(), StatusCode::OK);
    again.stop();
}
