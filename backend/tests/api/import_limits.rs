//! Bounded imports (issue 14, part 4): shapes of file that would cost gigabytes to split are
//! refused with the line named, and a user (or the server) runs only so many imports at once.

use std::io::{Read, Write};
use std::net::TcpStream;
use std::sync::mpsc;
use std::time::Duration;

use reqwest::StatusCode;
use serde_json::{json, Value};

use crate::both_backends;
use crate::helpers::{problem, TestApp};
use crate::imports::{rows, upload};

both_backends!(
    lines_columns_and_fields_past_the_limits_are_refused_by_line,
    fields_up_to_the_limit_are_kept_whole,
    imports_beyond_the_per_user_cap_wait_with_429,
);

async fn refused(app: &TestApp, token: &str, account: i64, csv: String) -> String {
    let res = upload(app, token, account, "big.csv", csv.into_bytes(), "").await;
    let body = problem(res, StatusCode::UNPROCESSABLE_ENTITY).await;
    assert_eq!(body["errors"][0]["field"], "file");
    body["errors"][0]["message"].as_str().unwrap().to_owned()
}

async fn lines_columns_and_fields_past_the_limits_are_refused_by_line(app: TestApp) {
    let token = app.user("limits@example.com").await;
    let account = app.account(&token, "Giro", "EUR").await;
    let ok = "Date,Description,Amount\n2024-01-02,Shop,-1.00\n";
    // 201 cells on line 3 (at most 200 columns)
    let wide = format!("{ok}2024-01-03{}\n", ",x".repeat(200));
    let message = refused(&app, &token, account, wide).await;
    assert!(
        message.starts_with("line 3: the line has 201 cells; at most 200 columns"),
        "{message}"
    );
    // one field of 20,000 bytes (at most 16 KiB), quoted so that it is one cell
    let field = format!("{ok}2024-01-03,\"{}\",-2.00\n", "a".repeat(20_000));
    let message = refused(&app, &token, account, field).await;
    assert!(
        message.starts_with("line 3: a field is 20000 bytes long; at most 16384"),
        "{message}"
    );
    // a quote left open swallows the rest of the file, line by line, into one field
    let open = format!(
        "{ok}2024-01-03,\"never closed,-2.00\n{}",
        "2024-01-04,Shop,-1.00\n".repeat(1000)
    );
    let message = refused(&app, &token, account, open).await;
    assert!(message.contains("a field is"), "{message}");
    // one line of 70,000 bytes (at most 64 KiB), named before anything is split
    let long = format!("{ok}{}\n", "b".repeat(70_000));
    let message = refused(&app, &token, account, long).await;
    assert!(
        message.starts_with("line 3: the line is 70001 bytes long")
            || message.starts_with("line 3: the line is 70000 bytes long"),
        "{message}"
    );
    // nothing was kept of any of them
    let list: Value = app
        .get_as(&token, "/api/v1/imports")
        .await
        .json()
        .await
        .unwrap();
    assert_eq!(list["items"].as_array().unwrap().len(), 0);
}

/// Fields just under the limit are stored, whatever their text indexes and sums can hold: a
/// description and a payee that are each one word of 16,000 bytes (the limit is 16,384), money out (so the
/// merchant sums count it) and money in (so refund evidence is looked up at its merchant).
async fn fields_up_to_the_limit_are_kept_whole(app: TestApp) {
    let token = app.user("limits@example.com").await;
    let account = app.account(&token, "Giro", "EUR").await;
    // Letters in no pattern, which PostgreSQL cannot compress into an index entry.
    let mut state = 7u32;
    let word: String = (0..16_000)
        .map(|_| {
            state = state.wrapping_mul(1_103_515_245).wrapping_add(12_345);
            char::from(b'a' + ((state >> 16) % 26) as u8)
        })
        .collect();
    let csv = format!(
        "Date,Description,Payee,Amount\n\
         2024-01-02,{word},,-1.00\n\
         2024-01-03,Shop,{word},-2.00\n\
         2024-01-04,Shop,{word},3.00\n"
    );
    let res = upload(
        &app,
        &token,
        account,
        "long.csv",
        csv.clone().into_bytes(),
        "",
    )
    .await;
    assert_eq!(res.status(), StatusCode::CREATED, "a preview");
    let preview: Value = res.json().await.unwrap();
    assert_eq!(
        preview["cleaned"],
        json!([
            {"line": 3, "field": "payee", "removed": 15_800, "reason": "longer_than_a_merchant_name"},
            {"line": 4, "field": "payee", "removed": 15_800, "reason": "longer_than_a_merchant_name"},
        ]),
        "the preview says where text was cut"
    );
    let res = upload(
        &app,
        &token,
        account,
        "long.csv",
        csv.into_bytes(),
        "?commit=true",
    )
    .await;
    assert_eq!(
        res.status(),
        StatusCode::CREATED,
        "{}",
        res.text().await.unwrap()
    );
    let rows = rows(&app, &token, "").await;
    assert_eq!(rows.len(), 3);
    assert_eq!(rows[0]["description"], word);
    // A payee is a merchant name, at most 200 characters (as the API takes them).
    assert_eq!(rows[1]["merchant"], word[..200]);
    for row in &rows {
        // A merchant key is cut to 100 characters (`ledger::merchants::KEY_CHARS`).
        assert_eq!(row["merchant_key"], word[..100], "{row}");
    }
}

/// An upload whose file is not sent yet: its request holds a place in the gate until `go`.
/// If the server answers before `go` (refused: the place was taken), that early answer comes.
fn held_upload(
    base: &str,
    token: &str,
    account: i64,
) -> (mpsc::Sender<()>, mpsc::Receiver<String>) {
    let addr = base.trim_start_matches("http://").to_owned();
    let token = token.to_owned();
    let (go, wait) = mpsc::channel::<()>();
    let (done, answer) = mpsc::channel::<String>();
    std::thread::spawn(move || {
        let b = "dhanaTestBoundary";
        let head = format!(
            "--{b}\r\nContent-Disposition: form-data; name=\"account_id\"\r\n\r\n{account}\r\n--{b}\r\nContent-Disposition: form-data; name=\"file\"; filename=\"held.csv\"\r\nContent-Type: text/csv\r\n\r\n"
        );
        let tail = format!("Date,Description,Amount\r\n2024-01-02,Held,-1.00\r\n\r\n--{b}--\r\n");
        let mut s = TcpStream::connect(addr).unwrap();
        write!(
            s,
            "POST /api/v1/imports HTTP/1.1\r\nHost: test\r\nAuthorization: Bearer {token}\r\nContent-Type: multipart/form-data; boundary={b}\r\nContent-Length: {}\r\nConnection: close\r\n\r\n{head}",
            head.len() + tail.len()
        )
        .unwrap();
        s.flush().unwrap();
        let mut response = String::new();
        loop {
            match wait.recv_timeout(Duration::from_millis(10)) {
                Ok(()) => break,
                Err(mpsc::RecvTimeoutError::Disconnected) => return,
                Err(mpsc::RecvTimeoutError::Timeout) => {
                    s.set_nonblocking(true).unwrap();
                    let answered = s.peek(&mut [0u8; 1]).is_ok_and(|n| n > 0);
                    s.set_nonblocking(false).unwrap();
                    if answered {
                        s.read_to_string(&mut response).unwrap();
                        let _ = done.send(response);
                        return;
                    }
                }
            }
        }
        s.write_all(tail.as_bytes()).unwrap();
        s.read_to_string(&mut response).unwrap();
        let _ = done.send(response);
    });
    (go, answer)
}

async fn imports_beyond_the_per_user_cap_wait_with_429(app: TestApp) {
    let base = app.another_instance(|c| {
        c.import_caps = dhana::imports::Caps {
            per_user: 1,
            overall: 8,
        }
    });
    let on = TestApp::attached(
        base.clone(),
        app.config.database.clone(),
        &app.config.data_dir,
    );
    let token = on.user("busy@example.com").await;
    let other = on.user("calm@example.com").await;
    let account = on.account(&token, "Giro", "EUR").await;
    let theirs = on.account(&other, "Giro", "EUR").await;
    let (mut go, mut answer) = held_upload(&base, &token, account);
    let csv = || b"Date,Description,Amount\n2024-01-03,Second,-2.00\n".to_vec();
    // Wait until the held upload has taken its place (its handler runs before its file comes).
    let mut busy = None;
    for _ in 0..500 {
        if let Ok(early) = answer.try_recv() {
            // A probe below held the place when the held upload came, so it was refused: the
            // cap at work, and the held upload is sent again.
            assert!(early.starts_with("HTTP/1.1 429"), "{early}");
            (go, answer) = held_upload(&base, &token, account);
        }
        let res = upload(&on, &token, account, "second.csv", csv(), "").await;
        if res.status() == StatusCode::TOO_MANY_REQUESTS {
            busy = Some(res);
            break;
        }
        actix_web::rt::time::sleep(Duration::from_millis(20)).await;
    }
    let res = busy.expect("a second upload of the same user is refused while one runs");
    assert_eq!(res.headers()["retry-after"], "5");
    let body = problem(res, StatusCode::TOO_MANY_REQUESTS).await;
    assert!(
        body["detail"]
            .as_str()
            .unwrap()
            .contains("at most 1 at once"),
        "{body}"
    );
    // Another user is not held up by it.
    let res = upload(&on, &other, theirs, "theirs.csv", csv(), "").await;
    assert_eq!(res.status(), StatusCode::CREATED);
    // The held upload finishes, and gives its place back.
    go.send(()).unwrap();
    let response = actix_web::rt::task::spawn_blocking(move || answer.recv().unwrap())
        .await
        .unwrap();
    assert!(response.starts_with("HTTP/1.1 201"), "{response}");
    let res = upload(&on, &token, account, "third.csv", csv(), "").await;
    assert_eq!(res.status(), StatusCode::CREATED);
}
