//! Synthetic Microsoft Graph `$metadata` of realistic shape, for slicer tests and benchmarks.
//!
//! [`synthetic`] takes a fragment written by the slicer and hides its elements, verbatim, among generated
//! ones until the document reaches the requested size: thousands of enum, complex and entity types with deep
//! inheritance chains, navigation properties, bound actions (including an `uploadClientCertificate` overload
//! bound to a generated type, which the slicer must not pick up), functions, an entity container with entity sets,
//! singletons and navigation property bindings, and out-of-line annotations. No generated type derives from or
//! is referenced by a fragment type (except that generated entity types derive from `graph.entity`, which the
//! fragment only reaches as a base type), so slicing the result gives the fragment back.

#![allow(dead_code)]

/// A deterministic pseudo-random sequence (splitmix64).
struct Rng(u64);

impl Rng {
    fn next(&mut self) -> u64 {
        self.0 = self.0.wrapping_add(0x9E37_79B9_7F4A_7C15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
        z ^ (z >> 31)
    }

    fn below(&mut self, n: usize) -> usize {
        (self.next() % n as u64) as usize
    }

    fn chance(&mut self, percent: usize) -> bool {
        self.below(100) < percent
    }
}

/// The `<Schema>` blocks of a fragment: (start tag line, child elements as text with their lines).
fn schemas(fragment: &str) -> Vec<(String, Vec<String>)> {
    let mut out: Vec<(String, Vec<String>)> = Vec::new();
    let mut in_schema = false;
    for line in fragment.lines() {
        let trimmed = line.trim_start();
        let indent = line.len() - trimmed.len();
        if trimmed.starts_with("<Schema ") {
            out.push((line.to_string(), Vec::new()));
            in_schema = true;
        } else if trimmed.starts_with("</Schema>") {
            in_schema = false;
        } else if in_schema {
            let children = &mut out.last_mut().expect("schema").1;
            if indent == 6 && !trimmed.starts_with("</") {
                children.push(String::new());
            }
            let child = children
                .last_mut()
                .expect("a child element at indentation 6");
            child.push_str(line);
            child.push('\n');
        }
    }
    out
}

fn group(element: &str) -> usize {
    let t = element.trim_start();
    [
        "<EnumType",
        "<ComplexType",
        "<EntityType",
        "<Action",
        "<Function",
        "<EntityContainer",
        "<Annotations",
    ]
    .iter()
    .position(|p| t.starts_with(p))
    .map_or(2, |g| if g == 1 { 2 } else { g })
}

const EDM: &[&str] = &[
    "Edm.String",
    "Edm.Boolean",
    "Edm.Int32",
    "Edm.Int64",
    "Edm.DateTimeOffset",
    "Edm.Guid",
    "Edm.Binary",
    "Edm.Double",
];

struct Gen {
    rng: Rng,
    enums: usize,
    complex: usize,
    entities: usize,
}

impl Gen {
    fn enum_type(&mut self, n: usize) -> String {
        let mut s = format!("      <EnumType Name=\"synEnum{n}\">\n");
        for m in 0..2 + self.rng.below(12) {
            s += &format!("        <Member Name=\"value{m}\" Value=\"{m}\" />\n");
        }
        s += "        <Member Name=\"unknownFutureValue\" Value=\"99\" />\n      </EnumType>\n";
        s
    }

    fn prop_type(&mut self, n: usize, complex_only: bool) -> String {
        let t = match self.rng.below(10) {
            0..=5 => EDM[self.rng.below(EDM.len())].to_string(),
            6 | 7 if self.enums > 0 => format!("graph.synEnum{}", self.rng.below(self.enums)),
            _ if self.complex > 0 && !complex_only => format!(
                "graph.synComplex{}",
                self.rng.below(self.complex.min(n + 1))
            ),
            _ => "Edm.String".to_string(),
        };
        if self.rng.chance(20) {
            format!("Collection({t})")
        } else {
            t
        }
    }

    fn properties(&mut self, n: usize, s: &mut String, count: usize) {
        for p in 0..count {
            let t = self.prop_type(n, false);
            let nullable = if self.rng.chance(30) {
                " Nullable=\"false\""
            } else {
                ""
            };
            s.push_str(&format!(
                "        <Property Name=\"prop{p}\" Type=\"{t}\"{nullable} />\n"
            ));
            if self.rng.chance(5) {
                s.pop();
                s.truncate(s.len() - 3);
                s.push_str(">\n          <Annotation Term=\"Org.OData.Core.V1.Computed\" Bool=\"true\" />\n        </Property>\n");
            }
        }
    }

    fn complex_type(&mut self, n: usize) -> String {
        let base = if n > 0 && self.rng.chance(25) {
            format!(" BaseType=\"graph.synComplex{}\"", self.rng.below(n))
        } else {
            String::new()
        };
        let abs = if self.rng.chance(10) {
            " Abstract=\"true\""
        } else {
            ""
        };
        let mut s = format!("      <ComplexType Name=\"synComplex{n}\"{base}{abs}>\n");
        let count = 1 + self.rng.below(8);
        self.properties(n, &mut s, count);
        s += "      </ComplexType>\n";
        s
    }

    fn entity_type(&mut self, n: usize) -> String {
        // Deep chains: mostly derive from the previous few types.
        let base = if n > 0 && self.rng.chance(60) {
            format!("graph.synEntity{}", n - 1 - self.rng.below(n.min(4)))
        } else {
            "graph.entity".to_string()
        };
        let mut s = format!("      <EntityType Name=\"synEntity{n}\" BaseType=\"{base}\"");
        if self.rng.chance(5) {
            s += " Abstract=\"true\"";
        }
        if self.rng.chance(3) {
            s += " HasStream=\"true\"";
        }
        s += ">\n";
        let count = 1 + self.rng.below(12);
        self.properties(n, &mut s, count);
        for k in 0..self.rng.below(5) {
            let target = self.rng.below(self.entities.max(1));
            let coll = if self.rng.chance(60) {
                format!("Collection(graph.synEntity{target})")
            } else {
                format!("graph.synEntity{target}")
            };
            let contains = if self.rng.chance(50) {
                " ContainsTarget=\"true\""
            } else {
                ""
            };
            if self.rng.chance(20) {
                s += &format!(
                    "        <NavigationProperty Name=\"nav{k}\" Type=\"{coll}\"{contains}>\n          <Annotation Term=\"Org.OData.Capabilities.V1.NavigationRestrictions\">\n            <Record>\n              <PropertyValue Property=\"Referenceable\" Bool=\"true\" />\n            </Record>\n          </Annotation>\n        </NavigationProperty>\n"
                );
            } else {
                s += &format!(
                    "        <NavigationProperty Name=\"nav{k}\" Type=\"{coll}\"{contains} />\n"
                );
            }
        }
        s += "      </EntityType>\n";
        s
    }

    fn action(&mut self, n: usize) -> String {
        let kind = if self.rng.chance(25) {
            "Function"
        } else {
            "Action"
        };
        // One overload of the fragment's root action, bound to a generated type.
        let name = if n == 7 {
            "uploadClientCertificate".to_string()
        } else {
            format!("synOperation{n}")
        };
        let binding = self.rng.below(self.entities.max(1));
        let mut s = format!("      <{kind} Name=\"{name}\" IsBound=\"true\">\n");
        s += &format!(
            "        <Parameter Name=\"bindingParameter\" Type=\"graph.synEntity{binding}\" />\n"
        );
        for p in 0..self.rng.below(4) {
            let t = self.prop_type(self.complex, false);
            s += &format!("        <Parameter Name=\"arg{p}\" Type=\"{t}\" />\n");
        }
        if kind == "Function" || self.rng.chance(50) {
            s += &format!(
                "        <ReturnType Type=\"graph.synEntity{}\" />\n",
                self.rng.below(self.entities.max(1))
            );
        }
        s += &format!("      </{kind}>\n");
        s
    }

    fn annotations(&mut self, n: usize) -> String {
        let t = self.rng.below(self.entities.max(1));
        let target = if self.rng.chance(50) {
            format!("microsoft.graph.synEntity{t}")
        } else {
            format!("microsoft.graph.synEntity{t}/prop0")
        };
        format!(
            "      <Annotations Target=\"{target}\">\n        <Annotation Term=\"Org.OData.Core.V1.Revisions\">\n          <Collection>\n            <Record>\n              <PropertyValue Property=\"Date\" Date=\"2021-08-24\" />\n              <PropertyValue Property=\"Description\" String=\"Synthetic note {n}: this element is deprecated &amp; will be removed.\" />\n              <PropertyValue Property=\"Kind\">\n                <EnumMember>Org.OData.Core.V1.RevisionKind/Deprecated</EnumMember>\n              </PropertyValue>\n            </Record>\n          </Collection>\n        </Annotation>\n      </Annotations>\n"
        )
    }

    fn set(&mut self, n: usize) -> String {
        let t = self.rng.below(self.entities.max(1));
        if self.rng.chance(30) {
            format!(
                "        <Singleton Name=\"synSingleton{n}\" Type=\"microsoft.graph.synEntity{t}\" />\n"
            )
        } else {
            let mut s = format!(
                "        <EntitySet Name=\"synSet{n}\" EntityType=\"microsoft.graph.synEntity{t}\">\n"
            );
            for b in 0..1 + self.rng.below(3) {
                s += &format!(
                    "          <NavigationPropertyBinding Path=\"nav{b}\" Target=\"synSet{}\" />\n",
                    self.rng.below(n + 1)
                );
            }
            s += "        </EntitySet>\n";
            s
        }
    }
}

/// A synthetic metadata document of at least `target_len` bytes that contains every element of `fragment`.
pub fn synthetic(fragment: &str, target_len: usize, seed: u64) -> String {
    let schemas = schemas(fragment);
    // Generated element counts scale with the size; the real v1.0 file has ~860 enums, ~1800 complex and
    // ~1200 entity types, ~850 actions, ~320 functions and ~4900 annotation blocks in 3.5 MB.
    let scale = target_len / 1_000_000 + 1;
    let mut g = Gen {
        rng: Rng(seed),
        enums: 250 * scale,
        complex: 520 * scale,
        entities: 350 * scale,
    };
    let mut groups: Vec<Vec<String>> = vec![Vec::new(); 7];
    for n in 0..g.enums {
        let e = g.enum_type(n);
        groups[0].push(e);
    }
    for n in 0..g.complex.max(g.entities) {
        if n < g.complex {
            let c = g.complex_type(n);
            groups[2].push(c);
        }
        if n < g.entities {
            let e = g.entity_type(n);
            groups[2].push(e);
        }
    }
    for n in 0..330 * scale {
        let a = g.action(n);
        groups[3].push(a);
    }
    let mut container_body = Vec::new();
    for n in 0..80 * scale {
        container_body.push(g.set(n));
    }
    let mut out = String::with_capacity(target_len + target_len / 8);
    out.push_str("\u{feff}<edmx:Edmx Version=\"4.0\" xmlns:edmx=\"http://docs.oasis-open.org/odata/ns/edmx\">\n  <edmx:DataServices>\n");
    for (s, (start, children)) in schemas.iter().enumerate() {
        out.push_str(start);
        out.push('\n');
        // Merge the fragment's elements into the generated groups at pseudo-random places, keeping their order.
        let mut frag: Vec<Vec<&String>> = vec![Vec::new(); 7];
        for c in children {
            frag[group(c)].push(c);
        }
        for (gi, generated) in groups.iter().enumerate() {
            if gi == 5 {
                if s == 0 || !frag[5].is_empty() {
                    write_container(&mut out, &frag[5], &container_body, &mut g.rng);
                }
                continue;
            }
            let gen_here: &[String] = if s == 0 {
                generated
            } else {
                &generated[..generated.len().min(40)]
            };
            let mut positions: Vec<usize> = frag[gi]
                .iter()
                .map(|_| g.rng.below(gen_here.len() + 1))
                .collect();
            positions.sort_unstable();
            let mut f = frag[gi].iter().zip(positions).peekable();
            for (k, e) in gen_here.iter().enumerate() {
                while let Some((el, _)) = f.next_if(|(_, p)| *p == k) {
                    out.push_str(el);
                }
                out.push_str(e);
            }
            for (el, _) in f {
                out.push_str(el);
            }
            if gi == 6 && s == 0 {
                // Fill up to the requested size with more annotation blocks.
                let mut n = 0;
                while out.len() < target_len {
                    out.push_str(&g.annotations(n));
                    n += 1;
                }
            }
        }
        out.push_str("    </Schema>\n");
    }
    out.push_str("  </edmx:DataServices>\n</edmx:Edmx>");
    out
}

fn write_container(out: &mut String, fragment: &[&String], generated: &[String], rng: &mut Rng) {
    // The fragment's container: its first line, body, last line.
    let (head, body) = match fragment.first() {
        Some(c) => {
            let lines: Vec<&str> = c.lines().collect();
            (
                lines[0].to_string(),
                lines[1..lines.len() - 1].join("\n") + "\n",
            )
        }
        None => (
            "      <EntityContainer Name=\"GraphService\">".to_string(),
            String::new(),
        ),
    };
    out.push_str(&head);
    out.push('\n');
    let at = rng.below(generated.len() + 1);
    for (k, e) in generated.iter().enumerate() {
        if k == at {
            out.push_str(&body);
        }
        out.push_str(e);
    }
    if at == generated.len() {
        out.push_str(&body);
    }
    out.push_str("      </EntityContainer>\n");
}
