//! Print the OpenAPI document derived from a CSDL file: `to_openapi FILE VERSION`.
fn main() {
    let args: Vec<String> = std::env::args().collect();
    let (Some(file), Some(version)) = (args.get(1), args.get(2)) else {
        eprintln!("usage: to_openapi FILE VERSION");
        std::process::exit(2);
    };
    let text = std::fs::read_to_string(file).unwrap_or_else(|e| {
        eprintln!("{file}: {e}");
        std::process::exit(1)
    });
    let result = graph_csdl::parse(&text).and_then(|doc| {
        graph_csdl::openapi::convert(&doc, &graph_csdl::openapi::Options::new(version))
    });
    match result {
        Ok(c) => println!("{}", serde_json::to_string_pretty(&c.json).expect("JSON")),
        Err(e) => {
            eprintln!("{file}: {e}");
            std::process::exit(1)
        }
    }
}
