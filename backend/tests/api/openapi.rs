use reqwest::StatusCode;
use serde_json::Value;

use crate::both_backends;
use crate::helpers::TestApp;

#[test]
fn openapi_yaml_is_current() {
    let committed = include_str!("../../../openapi.yaml");
    assert!(
        committed == dhana::openapi::yaml(),
        "openapi.yaml is stale: run `cargo run -p dhana -- openapi > openapi.yaml`"
    );
}

#[test]
fn every_operation_documents_its_errors() {
    let doc: Value = serde_json::to_value(dhana::openapi::document()).unwrap();
    let paths = doc["paths"].as_object().unwrap();
    assert!(paths.len() >= 8);
    for (path, item) in paths {
        for (method, op) in item.as_object().unwrap() {
            let responses = op["responses"].as_object().unwrap();
            assert!(
                responses.keys().any(|s| s.starts_with('2')),
                "{method} {path} has no success response"
            );
            let secured = op.get("security").is_some();
            let takes_body = op.get("requestBody").is_some();
            if secured {
                assert!(responses.contains_key("401"), "{method} {path} lacks 401");
            }
            if takes_body {
                for status in ["400", "413", "415", "422"] {
                    assert!(
                        responses.contains_key(status),
                        "{method} {path} lacks {status}"
                    );
                }
            }
        }
    }
}

both_backends!(the_app_serves_the_document_and_swagger_ui);

async fn the_app_serves_the_document_and_swagger_ui(app: TestApp) {
    let served: Value = app.get("/api/openapi.json").await.json().await.unwrap();
    assert_eq!(
        served,
        serde_json::to_value(dhana::openapi::document()).unwrap()
    );
    let docs = app.get("/docs/").await;
    assert_eq!(docs.status(), StatusCode::OK);
    assert!(docs.text().await.unwrap().contains("swagger"));
    let home = app.get("/").await.text().await.unwrap();
    assert!(home.contains("href=\"/docs/\""));
}
