//! Throughput and peak memory of the slicer on the real v1.0 metadata and on synthetic metadata three times
//! its size.
//!
//! `cargo bench -p graph-csdl --bench slice` prints MB/s (best of several runs) for each input, then runs
//! itself once per input as a child process (`--child <file>`) that reads the file, slices it once and reports
//! its peak resident set size (`VmHWM` from `/proc/self/status`, Linux only).

use std::time::Instant;

use graph_csdl::slice::{Roots, provenance, slice};

#[path = "../tests/support/synth.rs"]
mod synth;

const FULL_V1: &str = include_str!("../tests/data/v1.0-cleanMetadata.xml");
const SPEC_V1: &str = include_str!("../../../spec/v1.0/identity.csdl.xml");
const ROOTS_V1: &str = include_str!("../../../spec/v1.0/slice.json");

fn roots() -> Roots {
    Roots::from_json(ROOTS_V1).expect("spec/v1.0/slice.json")
}

fn vm_hwm_kib() -> Option<u64> {
    let status = std::fs::read_to_string("/proc/self/status").ok()?;
    let line = status.lines().find(|l| l.starts_with("VmHWM:"))?;
    line.split_whitespace().nth(1)?.parse().ok()
}

fn child(path: &str) {
    let before = vm_hwm_kib();
    let text = std::fs::read_to_string(path).expect("read input");
    let loaded = vm_hwm_kib();
    let out = slice(&text, &roots(), "bench").expect("slice");
    let peak = vm_hwm_kib();
    println!(
        "{} {} {} {} {}",
        text.len(),
        out.len(),
        before.unwrap_or(0),
        loaded.unwrap_or(0),
        peak.unwrap_or(0)
    );
}

fn throughput(name: &str, text: &str) {
    let prov = provenance(SPEC_V1).expect("provenance");
    let roots = roots();
    let runs = 15;
    let mut best = f64::MAX;
    let mut total = 0.0;
    for _ in 0..runs {
        let t = Instant::now();
        let out = slice(text, &roots, prov).expect("slice");
        let s = t.elapsed().as_secs_f64();
        assert_eq!(out, SPEC_V1);
        best = best.min(s);
        total += s;
    }
    let mb = text.len() as f64 / 1e6;
    println!(
        "{name}: {:.2} MB, best {:.1} ms = {:.0} MB/s, mean {:.1} ms = {:.0} MB/s",
        mb,
        best * 1e3,
        mb / best,
        total / runs as f64 * 1e3,
        mb / (total / runs as f64)
    );
}

fn memory(name: &str, path: &std::path::Path) {
    let exe = std::env::current_exe().expect("current exe");
    let out = std::process::Command::new(exe)
        .arg("--child")
        .arg(path)
        .output()
        .expect("run child");
    let line = String::from_utf8_lossy(&out.stdout);
    let v: Vec<u64> = line
        .split_whitespace()
        .filter_map(|x| x.parse().ok())
        .collect();
    if v.len() != 5 || v[4] == 0 {
        println!("{name}: peak memory not available ({line:?})");
        return;
    }
    let input_kib = v[0] as f64 / 1024.0;
    println!(
        "{name}: input {:.0} KiB; peak RSS {} KiB at start, {} KiB after reading, {} KiB after slicing; \
         slicing added {} KiB = {:.2}x input; whole process peak = {:.2}x input",
        input_kib,
        v[2],
        v[3],
        v[4],
        v[4] - v[3],
        (v[4] - v[3]) as f64 / input_kib,
        v[4] as f64 / input_kib
    );
}

fn main() {
    let args: Vec<String> = std::env::args().collect();
    if let Some(i) = args.iter().position(|a| a == "--child") {
        child(&args[i + 1]);
        return;
    }
    let synthetic = synth::synthetic(SPEC_V1, 3 * FULL_V1.len(), 42);
    throughput("real v1.0", FULL_V1);
    throughput("synthetic 3x", &synthetic);
    let dir = std::env::temp_dir().join(format!("graph-csdl-bench-{}", std::process::id()));
    std::fs::create_dir_all(&dir).expect("temp dir");
    let real = dir.join("v1.0.xml");
    let synth_path = dir.join("synthetic.xml");
    std::fs::write(&real, FULL_V1).expect("write");
    std::fs::write(&synth_path, &synthetic).expect("write");
    memory("real v1.0", &real);
    memory("synthetic 3x", &synth_path);
    let _ = std::fs::remove_dir_all(&dir);
}
