//! Password guessing and registrations are throttled atomically, with real parallel requests:
//! no more attempts are checked than the limit, one address cannot lock out other accounts, and
//! forwarded addresses count only behind a trusted proxy.

use futures_util::future::join_all;
use reqwest::StatusCode;
use serde_json::json;

use crate::both_backends;
use crate::helpers::{problem, TestApp, PASSWORD};

both_backends!(
    parallel_wrong_passwords_are_checked_no_more_than_the_limit,
    the_right_password_waits_once_the_account_is_throttled,
    one_address_cannot_lock_out_other_accounts,
    behind_a_trusted_proxy_each_client_address_has_its_own_bucket,
    forwarded_addresses_are_ignored_from_untrusted_peers,
    registrations_are_throttled_per_address,
);

const ASHA: &str = "asha@example.com";

async fn sign_in_at(
    base: &str,
    email: &str,
    password: &str,
    forwarded: Option<String>,
) -> StatusCode {
    let mut req = reqwest::Client::new()
        .post(format!("{base}/api/v1/auth/token"))
        .json(&json!({"email": email, "password": password}));
    if let Some(address) = forwarded {
        req = req.header("X-Forwarded-For", address);
    }
    req.send().await.unwrap().status()
}

/// Sends all attempts at once and counts the answers: (checked and wrong, throttled).
async fn in_parallel(
    attempts: Vec<impl std::future::Future<Output = StatusCode>>,
) -> (usize, usize) {
    let statuses = join_all(attempts).await;
    let count = |s| statuses.iter().filter(|&&x| x == s).count();
    let (wrong, throttled) = (
        count(StatusCode::UNAUTHORIZED),
        count(StatusCode::TOO_MANY_REQUESTS),
    );
    assert_eq!(wrong + throttled, statuses.len(), "{statuses:?}");
    (wrong, throttled)
}

async fn parallel_wrong_passwords_are_checked_no_more_than_the_limit(app: TestApp) {
    app.register(ASHA).await;
    let attempts = (0..16)
        .map(|_| sign_in_at(&app.base, ASHA, "wrong password!", None))
        .collect();
    assert_eq!(in_parallel(attempts).await, (5, 11));
}

async fn the_right_password_waits_once_the_account_is_throttled(app: TestApp) {
    app.register(ASHA).await;
    for _ in 0..5 {
        assert_eq!(
            sign_in_at(&app.base, ASHA, "wrong password!", None).await,
            StatusCode::UNAUTHORIZED
        );
    }
    for path in ["/api/v1/auth/token", "/api/v1/auth/session"] {
        let res = app
            .post(
                path,
                &json!({"email": "ASHA@example.com", "password": PASSWORD}),
            )
            .await;
        let retry: u64 = res.headers()["retry-after"]
            .to_str()
            .unwrap()
            .parse()
            .unwrap();
        assert!((1..=900).contains(&retry), "{retry}");
        let body = problem(res, StatusCode::TOO_MANY_REQUESTS).await;
        assert_eq!(body["type"], "/problems/rate-limited");
    }
}

async fn one_address_cannot_lock_out_other_accounts(app: TestApp) {
    app.register(ASHA).await;
    app.register("ravi@example.com").await;
    // 32 guesses from this address at once, spread over made-up accounts and Ravi's.
    let mut attempts: Vec<_> = (0..24)
        .map(|i| format!("guess{i}@example.com"))
        .chain(std::iter::repeat_n("ravi@example.com".to_owned(), 8))
        .collect();
    attempts.sort();
    let guesses = attempts
        .iter()
        .map(|email| sign_in_at(&app.base, email, "wrong password!", None))
        .collect();
    // Each made-up account takes its one guess; Ravi's five, then his account waits.
    assert_eq!(in_parallel(guesses).await, (29, 3));
    assert_eq!(
        sign_in_at(&app.base, ASHA, PASSWORD, None).await,
        StatusCode::OK
    );
}

async fn behind_a_trusted_proxy_each_client_address_has_its_own_bucket(app: TestApp) {
    app.register(ASHA).await;
    let proxy = app.another_instance(|c| c.trusted_proxies = vec!["127.0.0.0/8".parse().unwrap()]);
    // One client behind the proxy: five guesses, then it waits.
    let guesses = (0..8)
        .map(|_| sign_in_at(&proxy, ASHA, "wrong password!", Some("198.51.100.7".into())))
        .collect();
    assert_eq!(in_parallel(guesses).await, (5, 3));
    // Asha, behind the same proxy at her own address, still gets in.
    assert_eq!(
        sign_in_at(&proxy, ASHA, PASSWORD, Some("spoofed, 203.0.113.5".into())).await,
        StatusCode::OK
    );
    // Guesses spread over many addresses meet the account's own limit of 20.
    let spread = (0..48)
        .map(|i| {
            sign_in_at(
                &proxy,
                ASHA,
                "wrong password!",
                Some(format!("198.51.{}.{}", 101 + i / 4, i % 4 + 1)),
            )
        })
        .collect();
    assert_eq!(in_parallel(spread).await, (20, 28));
}

async fn forwarded_addresses_are_ignored_from_untrusted_peers(app: TestApp) {
    app.register(ASHA).await;
    let guesses = (0..8)
        .map(|i| {
            sign_in_at(
                &app.base,
                ASHA,
                "wrong password!",
                Some(format!("198.51.100.{i}")),
            )
        })
        .collect();
    assert_eq!(in_parallel(guesses).await, (5, 3));
}

async fn registrations_are_throttled_per_address(app: TestApp) {
    let register = |i: usize| {
        let client = app.client.clone();
        let url = app.url("/api/v1/auth/register");
        async move {
            client
                .post(url)
                .json(&json!({
                    "email": format!("user{}@example.com", i % 8),
                    "password": PASSWORD,
                    "display_name": "Someone"
                }))
                .send()
                .await
                .unwrap()
                .status()
        }
    };
    let statuses = join_all((0..16).map(register)).await;
    let count = |s| statuses.iter().filter(|&&x| x == s).count();
    // Ten are looked at (eight new accounts and two taken emails, in whatever order), six wait.
    assert_eq!(count(StatusCode::TOO_MANY_REQUESTS), 6, "{statuses:?}");
    assert_eq!(count(StatusCode::CREATED) + count(StatusCode::CONFLICT), 10);
    let res = app
        .post(
            "/api/v1/auth/register",
            &json!({"email": "late@example.com", "password": PASSWORD, "display_name": "Late"}),
        )
        .await;
    assert!(res.headers().contains_key("retry-after"));
    problem(res, StatusCode::TOO_MANY_REQUESTS).await;
}
