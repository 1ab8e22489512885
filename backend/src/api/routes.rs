use actix_web::dev::ResourceDef;
use actix_web::http::Method;
use utoipa::openapi::OpenApi;

/// The methods each documented path answers, taken from the OpenAPI document: the document is
/// built from the registered handlers, so it is the route table.
pub struct RouteTable(Vec<(ResourceDef, Vec<Method>)>);

impl RouteTable {
    pub fn from_openapi(doc: &OpenApi) -> Self {
        RouteTable(
            doc.paths
                .paths
                .iter()
                .map(|(path, item)| {
                    let methods = [
                        (Method::GET, item.get.is_some()),
                        (Method::PUT, item.put.is_some()),
                        (Method::POST, item.post.is_some()),
                        (Method::DELETE, item.delete.is_some()),
                        (Method::PATCH, item.patch.is_some()),
                    ]
                    .into_iter()
                    .filter_map(|(method, present)| present.then_some(method))
                    .collect();
                    (ResourceDef::new(path.as_str()), methods)
                })
                .collect(),
        )
    }

    /// The methods of the path a request names: a fixed path (`/rules/apply`) stands for itself
    /// alone, not also for the `{id}` pattern it happens to match (`/rules/{id}`).
    pub fn methods_for(&self, path: &str) -> Vec<Method> {
        let literal = self.literal_methods_for(path);
        if !literal.is_empty() {
            return literal;
        }
        let mut methods: Vec<Method> = Vec::new();
        for (_, found) in self.0.iter().filter(|(def, _)| def.is_match(path)) {
            for method in found {
                if !methods.contains(method) {
                    methods.push(method.clone());
                }
            }
        }
        methods
    }

    /// The methods of the fixed paths (no `{id}`) that are exactly this one: `/rules/apply` when
    /// `PUT /rules/apply` was routed to `PUT /rules/{id}` and its id did not parse.
    pub fn literal_methods_for(&self, path: &str) -> Vec<Method> {
        self.0
            .iter()
            .filter(|(def, _)| {
                !def.pattern().unwrap_or_default().contains('{') && def.is_match(path)
            })
            .flat_map(|(_, methods)| methods.iter().cloned())
            .collect()
    }
}
