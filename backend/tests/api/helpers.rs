use std::path::PathBuf;
use std::sync::atomic::{AtomicU32, Ordering};

use dhana::app::Application;
use dhana::config::{Config, Database, EmailConfig, Secret};
use diesel::{Connection, PgConnection, RunQueryDsl};
use reqwest::{Client, Response, StatusCode};
use serde_json::{json, Value};
use tempfile::TempDir;

pub const PASSWORD: &str = "correct horse battery";

/// Generates `mod name { sqlite(), postgres() }` running `async fn name(app: TestApp)` on each.
#[macro_export]
macro_rules! both_backends {
    ($($name:ident),* $(,)?) => {$(
        mod $name {
            #[actix_web::test]
            async fn sqlite() {
                super::$name($crate::helpers::TestApp::sqlite().await).await
            }

            #[actix_web::test]
            async fn postgres() {
                if let Some(app) = $crate::helpers::TestApp::postgres().await {
                    super::$name(app).await
                }
            }
        }
    )*};
}

pub struct TestApp {
    pub base: String,
    pub client: Client,
    pub config: Config,
    _dir: Option<TempDir>,
}

/// The admin URL of a PostgreSQL server the tests may create databases on. Locally a missing
/// server skips the PostgreSQL half; in CI (`CI=true`) it fails the run.
pub fn postgres_admin_url() -> Option<String> {
    match std::env::var("DHANA_TEST_DATABASE_URL") {
        Ok(url) if !url.is_empty() => Some(url),
        _ if std::env::var("CI").is_ok_and(|v| v == "true") => {
            panic!("CI=true but DHANA_TEST_DATABASE_URL is not set: PostgreSQL tests cannot be skipped in CI")
        }
        _ => {
            eprintln!("DHANA_TEST_DATABASE_URL is not set: skipping a PostgreSQL test");
            None
        }
    }
}

/// A new, empty database on the test server.
pub fn fresh_postgres_database() -> Option<String> {
    static COUNTER: AtomicU32 = AtomicU32::new(0);
    let admin = postgres_admin_url()?;
    let name = format!(
        "dhana_test_{}_{}_{}",
        std::process::id(),
        COUNTER.fetch_add(1, Ordering::SeqCst),
        rand::random::<u32>()
    );
    let mut conn = PgConnection::establish(&admin).expect("connect to the test PostgreSQL");
    diesel::sql_query(format!("CREATE DATABASE {name}"))
        .execute(&mut conn)
        .expect("create a test database");
    let (base, _) = admin
        .rsplit_once('/')
        .expect("the admin URL names a database");
    Some(format!("{base}/{name}"))
}

impl TestApp {
    pub async fn sqlite() -> Self {
        let dir = tempfile::tempdir().unwrap();
        let db = Database::Sqlite(dir.path().join("dhana.db"));
        Self::start(db, dir, None).await
    }

    /// On SQLite, serving the web app built into `frontend_dir`.
    pub async fn sqlite_serving(frontend_dir: PathBuf) -> Self {
        let dir = tempfile::tempdir().unwrap();
        let db = Database::Sqlite(dir.path().join("dhana.db"));
        Self::start(db, dir, Some(frontend_dir)).await
    }

    pub async fn postgres() -> Option<Self> {
        Some(Self::start_on(Database::Postgres(fresh_postgres_database()?)).await)
    }

    pub async fn start_on(database: Database) -> Self {
        Self::start(database, tempfile::tempdir().unwrap(), None).await
    }

    /// Talks to a server started elsewhere (the real binary) on `database` and `data_dir`.
    pub fn attached(base: String, database: Database, data_dir: &std::path::Path) -> Self {
        TestApp {
            base,
            client: Self::new_client(),
            config: Self::config(database, data_dir, None),
            _dir: None,
        }
    }

    fn config(database: Database, dir: &std::path::Path, frontend_dir: Option<PathBuf>) -> Config {
        Config {
            database,
            bind: "127.0.0.1:0".into(),
            data_dir: dir.to_owned(),
            jwt_secret: Secret::random(),
            session_key: Secret::random(),
            cookie_secure: false,
            workers: Some(1),
            max_upload_bytes: 1024 * 1024,
            frontend_dir: frontend_dir.unwrap_or_else(|| dir.join("no-frontend")),
            categorizer_min_confidence: 0.6,
            trusted_proxies: Vec::new(),
            report_background_above: dhana::config::DEFAULT_REPORT_BACKGROUND_ABOVE,
            email: EmailConfig::off(),
            instance_id: format!("test-{}", rand::random::<u32>()),
            import_claim_ttl_seconds: dhana::config::DEFAULT_IMPORT_CLAIM_TTL_SECONDS,
            import_limits: dhana::bankfile::Limits::default(),
            import_caps: dhana::config::DEFAULT_IMPORT_CAPS,
        }
    }

    async fn start(database: Database, dir: TempDir, frontend_dir: Option<PathBuf>) -> Self {
        let config = Self::config(database, dir.path(), frontend_dir);
        let app = Application::build(config.clone()).expect("the app starts");
        let base = format!("http://{}", app.addr());
        actix_web::rt::spawn(app.run_until_stopped());
        TestApp {
            base,
            client: Self::new_client(),
            config,
            _dir: Some(dir),
        }
    }

    /// Starts a second instance of the app on the same database and data dir, with `change`
    /// applied to its settings; returns its base URL.
    pub fn another_instance(&self, change: impl FnOnce(&mut Config)) -> String {
        let mut config = self.config.clone();
        change(&mut config);
        let app = Application::build(config).expect("the second instance starts");
        let base = format!("http://{}", app.addr());
        actix_web::rt::spawn(app.run_until_stopped());
        base
    }

    /// A client with its own cookie jar, as a second browser would have.
    pub fn new_client() -> Client {
        Client::builder().cookie_store(true).build().unwrap()
    }

    pub fn url(&self, path: &str) -> String {
        format!("{}{path}", self.base)
    }

    pub async fn post(&self, path: &str, body: &Value) -> Response {
        self.client
            .post(self.url(path))
            .json(body)
            .send()
            .await
            .unwrap()
    }

    pub async fn get(&self, path: &str) -> Response {
        self.client.get(self.url(path)).send().await.unwrap()
    }

    pub async fn register(&self, email: &str) -> Value {
        let res = self
            .post(
                "/api/v1/auth/register",
                &json!({"email": email, "password": PASSWORD, "display_name": "Test User"}),
            )
            .await;
        assert_eq!(res.status(), StatusCode::CREATED);
        res.json().await.unwrap()
    }

    /// Signs in for a token pair: `(access_token, refresh_token)`.
    pub async fn tokens(&self, email: &str, password: &str) -> (String, String) {
        let res = self
            .post(
                "/api/v1/auth/token",
                &json!({"email": email, "password": password}),
            )
            .await;
        assert_eq!(res.status(), StatusCode::OK);
        let body: Value = res.json().await.unwrap();
        (
            body["access_token"].as_str().unwrap().to_owned(),
            body["refresh_token"].as_str().unwrap().to_owned(),
        )
    }

    /// A registered user's access token.
    pub async fn user(&self, email: &str) -> String {
        self.register(email).await;
        self.tokens(email, PASSWORD).await.0
    }

    /// A request with the bearer token.
    pub fn with(
        &self,
        token: &str,
        method: reqwest::Method,
        path: &str,
    ) -> reqwest::RequestBuilder {
        self.client
            .request(method, self.url(path))
            .bearer_auth(token)
    }

    pub async fn get_as(&self, token: &str, path: &str) -> Response {
        self.with(token, reqwest::Method::GET, path)
            .send()
            .await
            .unwrap()
    }

    pub async fn post_as(&self, token: &str, path: &str, body: &Value) -> Response {
        self.with(token, reqwest::Method::POST, path)
            .json(body)
            .send()
            .await
            .unwrap()
    }

    pub async fn patch_as(&self, token: &str, path: &str, body: &Value) -> Response {
        self.with(token, reqwest::Method::PATCH, path)
            .json(body)
            .send()
            .await
            .unwrap()
    }

    pub async fn put_as(&self, token: &str, path: &str, body: &Value) -> Response {
        self.with(token, reqwest::Method::PUT, path)
            .json(body)
            .send()
            .await
            .unwrap()
    }

    pub async fn delete_as(&self, token: &str, path: &str) -> Response {
        self.with(token, reqwest::Method::DELETE, path)
            .send()
            .await
            .unwrap()
    }

    /// Creates an account and returns its id.
    pub async fn account(&self, token: &str, name: &str, currency: &str) -> i64 {
        let res = self
            .post_as(
                token,
                "/api/v1/accounts",
                &json!({"name": name, "kind": "checking", "currency": currency}),
            )
            .await;
        assert_eq!(res.status(), StatusCode::CREATED);
        res.json::<Value>().await.unwrap()["id"].as_i64().unwrap()
    }

    /// The id of one of the user's categories by name.
    pub async fn category(&self, token: &str, name: &str) -> i64 {
        let list: Value = self
            .get_as(token, "/api/v1/categories")
            .await
            .json()
            .await
            .unwrap();
        list["items"]
            .as_array()
            .unwrap()
            .iter()
            .find(|c| c["name"] == name)
            .unwrap_or_else(|| panic!("no category {name}"))["id"]
            .as_i64()
            .unwrap()
    }

    /// Makes a rule filing what contains `pattern` under `category_id`, applies it to every
    /// transaction it matches and returns how many it filed.
    pub async fn apply_rule(&self, token: &str, pattern: &str, category_id: &Value) -> i64 {
        let res = self
            .post_as(
                token,
                "/api/v1/rules",
                &json!({"name": pattern, "match_kind": "contains", "pattern": pattern, "category_id": category_id}),
            )
            .await;
        assert_eq!(res.status(), StatusCode::CREATED);
        let res = self
            .post_as(
                token,
                "/api/v1/rules/apply",
                &json!({"only_uncategorized": false}),
            )
            .await;
        assert_eq!(res.status(), StatusCode::OK);
        res.json::<Value>().await.unwrap()["updated"]
            .as_i64()
            .unwrap()
    }

    /// Records a transaction and returns it.
    pub async fn transaction(&self, token: &str, body: Value) -> Value {
        let res = self.post_as(token, "/api/v1/transactions", &body).await;
        assert_eq!(res.status(), StatusCode::CREATED, "{body}");
        res.json().await.unwrap()
    }

    /// Records a payment (negative) or income on `date` and returns its id.
    pub async fn pay(
        &self,
        token: &str,
        account: i64,
        date: chrono::NaiveDate,
        amount: i64,
        what: &str,
    ) -> i64 {
        self.transaction(
            token,
            json!({"account_id": account, "date": date, "amount": amount, "description": what}),
        )
        .await["id"]
            .as_i64()
            .unwrap()
    }

    pub async fn me(&self, access_token: &str) -> Response {
        self.client
            .get(self.url("/api/v1/me"))
            .bearer_auth(access_token)
            .send()
            .await
            .unwrap()
    }
}

/// The body of a problem+json response, after checking its status and content type.
pub async fn problem(res: Response, status: StatusCode) -> Value {
    assert_eq!(res.status(), status);
    assert_eq!(
        res.headers()["content-type"].to_str().unwrap(),
        "application/problem+json"
    );
    let body: Value = res.json().await.unwrap();
    assert_eq!(body["status"], status.as_u16());
    assert!(body["title"].is_string() && body["detail"].is_string());
    body
}

/// The items of a list answer whose `kind` is `kind`.
pub fn of_kind<'a>(list: &'a Value, kind: &str) -> Vec<&'a Value> {
    list["items"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|i| i["kind"] == kind)
        .collect()
}

/// The fields named by a 422 problem.
pub async fn invalid_fields(res: Response) -> Vec<String> {
    let body = problem(res, StatusCode::UNPROCESSABLE_ENTITY).await;
    body["errors"]
        .as_array()
        .unwrap()
        .iter()
        .map(|e| e["field"].as_str().unwrap().to_owned())
        .collect()
}
