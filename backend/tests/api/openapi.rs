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

/// utoipa files every `ToSchema` type under its name alone, and a second type of the same name
/// silently replaces the first in the document (a recurring series' `Status` once replaced the
/// import's). Read the sources for the names the document will use and find any twice.
#[test]
fn schema_names_are_unique() {
    fn rust_files(dir: &std::path::Path, out: &mut Vec<std::path::PathBuf>) {
        for entry in std::fs::read_dir(dir).unwrap() {
            let path = entry.unwrap().path();
            if path.is_dir() {
                rust_files(&path, out);
            } else if path.extension().is_some_and(|e| e == "rs") {
                out.push(path);
            }
        }
    }
    let mut files = Vec::new();
    rust_files(
        &std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("src"),
        &mut files,
    );
    let mut seen: std::collections::HashMap<String, String> = Default::default();
    for file in files {
        let text = std::fs::read_to_string(&file).unwrap();
        let lines: Vec<&str> = text.lines().map(str::trim).collect();
        for (i, line) in lines.iter().enumerate() {
            if !(line.starts_with("#[derive(") && line.contains("ToSchema")) {
                continue;
            }
            let mut name = None;
            for next in &lines[i + 1..] {
                if let Some(alias) = next.strip_prefix("#[schema(as = ") {
                    let path = alias.trim_end_matches(")]");
                    name = Some(path.rsplit("::").next().unwrap().to_owned());
                } else if let Some(item) = ["pub struct ", "pub enum ", "struct ", "enum "]
                    .iter()
                    .find_map(|k| next.strip_prefix(k))
                {
                    let ident: String = item
                        .chars()
                        .take_while(|c| c.is_alphanumeric() || *c == '_')
                        .collect();
                    name.get_or_insert(ident);
                    break;
                }
            }
            let name = name.unwrap_or_else(|| panic!("no type after {line} in {file:?}"));
            let place = format!("{}:{}", file.display(), i + 1);
            if let Some(first) = seen.insert(name.clone(), place.clone()) {
                panic!("two schemas named {name}: {first} and {place}; give one #[schema(as = …)]");
            }
        }
    }
    assert!(seen.len() > 50, "found only {} schemas", seen.len());
}
