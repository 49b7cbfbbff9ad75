//! A recording HTTP proxy on 127.0.0.1: `CONNECT host:port` tunnels (HTTPS) and absolute-form
//! requests (plain HTTP) are forwarded to the upstream, and the first request line of each
//! connection is recorded.

use std::sync::{Arc, Mutex};

use tokio::io::{AsyncBufReadExt as _, AsyncWriteExt as _, BufReader};
use tokio::net::{TcpListener, TcpStream};

/// A running proxy.
pub struct RecordingProxy {
    /// `http://127.0.0.1:PORT`
    pub url: String,
    lines: Arc<Mutex<Vec<String>>>,
    _runtime: tokio::runtime::Runtime,
}

impl RecordingProxy {
    /// Start a proxy.
    pub fn start() -> RecordingProxy {
        let runtime = tokio::runtime::Builder::new_multi_thread()
            .worker_threads(1)
            .enable_all()
            .build()
            .unwrap();
        let listener = runtime.block_on(TcpListener::bind("127.0.0.1:0")).unwrap();
        let url = format!("http://{}", listener.local_addr().unwrap());
        let lines = Arc::new(Mutex::new(Vec::new()));
        let recorded = lines.clone();
        runtime.spawn(async move {
            while let Ok((client, _)) = listener.accept().await {
                tokio::spawn(relay(client, recorded.clone()));
            }
        });
        RecordingProxy {
            url,
            lines,
            _runtime: runtime,
        }
    }

    /// The first request line of every connection so far, e.g. `CONNECT 127.0.0.1:4431 HTTP/1.1`.
    pub fn request_lines(&self) -> Vec<String> {
        self.lines.lock().unwrap().clone()
    }
}

async fn relay(client: TcpStream, lines: Arc<Mutex<Vec<String>>>) {
    let mut client = BufReader::new(client);
    let mut head = Vec::new();
    loop {
        let mut line = String::new();
        if client.read_line(&mut line).await.unwrap_or(0) == 0 {
            return;
        }
        let end = line == "\r\n";
        head.push(line);
        if end {
            break;
        }
    }
    let request_line = head[0].trim_end().to_owned();
    lines.lock().unwrap().push(request_line.clone());
    let mut parts = request_line.split(' ');
    let (method, target) = (parts.next().unwrap_or(""), parts.next().unwrap_or(""));
    let authority = if method == "CONNECT" {
        target.to_owned()
    } else {
        match url::Url::parse(target) {
            Ok(u) => format!(
                "{}:{}",
                u.host_str().unwrap_or(""),
                u.port_or_known_default().unwrap_or(80)
            ),
            Err(_) => return,
        }
    };
    let Ok(mut upstream) = TcpStream::connect(&authority).await else {
        let _ = client
            .get_mut()
            .write_all(b"HTTP/1.1 502 Bad Gateway\r\ncontent-length: 0\r\n\r\n")
            .await;
        return;
    };
    if method == "CONNECT" {
        if client
            .get_mut()
            .write_all(b"HTTP/1.1 200 Connection established\r\n\r\n")
            .await
            .is_err()
        {
            return;
        }
    } else if upstream.write_all(head.concat().as_bytes()).await.is_err() {
        return;
    }
    // Whatever the reader buffered past the head goes first.
    let buffered = client.buffer().to_vec();
    if !buffered.is_empty() && upstream.write_all(&buffered).await.is_err() {
        return;
    }
    let mut client = client.into_inner();
    let _ = tokio::io::copy_bidirectional(&mut client, &mut upstream).await;
}
