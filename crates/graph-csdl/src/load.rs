//! Reading a version's spec folder: every `*.xml` CSDL file in it, in name order, merged into one
//! [`Document`]. The build script and `apiconn spec check` read the spec the same way.

use std::path::{Path, PathBuf};

use crate::error::CsdlError;
use crate::model::Document;

/// The parsed spec of one folder.
#[derive(Debug, Clone)]
pub struct SpecFiles {
    /// All schemas of all files, in file order.
    pub document: Document,
    /// The files read, sorted.
    pub files: Vec<PathBuf>,
}

/// Why a spec folder could not be read. `Display` starts with the path.
#[derive(Debug, thiserror::Error)]
pub enum LoadError {
    /// The folder or a file could not be read.
    #[error("{}: {source}", path.display())]
    Io {
        /// The folder or file.
        path: PathBuf,
        /// The I/O error.
        source: std::io::Error,
    },
    /// The folder holds no `*.xml` file.
    #[error("{}: no CSDL (*.xml) spec file", path.display())]
    Empty {
        /// The folder.
        path: PathBuf,
    },
    /// A file is not valid CSDL.
    #[error("{}: {source}", path.display())]
    Csdl {
        /// The file.
        path: PathBuf,
        /// What is wrong, with line and column.
        source: CsdlError,
    },
}

/// The `*.xml` files of `dir`, sorted by name.
pub fn spec_files(dir: &Path) -> Result<Vec<PathBuf>, LoadError> {
    let io = |source| LoadError::Io {
        path: dir.to_path_buf(),
        source,
    };
    let mut files: Vec<PathBuf> = std::fs::read_dir(dir)
        .map_err(io)?
        .filter_map(|entry| entry.ok().map(|e| e.path()))
        .filter(|p| p.extension().is_some_and(|x| x == "xml"))
        .collect();
    files.sort();
    if files.is_empty() {
        return Err(LoadError::Empty {
            path: dir.to_path_buf(),
        });
    }
    Ok(files)
}

/// Parse every `*.xml` file of `dir` and merge their schemas.
pub fn load_dir(dir: &Path) -> Result<SpecFiles, LoadError> {
    let files = spec_files(dir)?;
    let mut document = Document::default();
    for file in &files {
        let text = std::fs::read_to_string(file).map_err(|source| LoadError::Io {
            path: file.clone(),
            source,
        })?;
        let part = crate::parse(&text).map_err(|source| LoadError::Csdl {
            path: file.clone(),
            source,
        })?;
        document.schemas.extend(part.schemas);
    }
    Ok(SpecFiles { document, files })
}
