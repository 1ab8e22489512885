//! Files the server keeps (original uploads, later reports), behind one small interface rooted
//! at the data dir, so that it can later point at shared or object storage.

use std::fs;
use std::io::{self, Write};
use std::path::{Path, PathBuf};

use rand::RngCore;

#[derive(Clone, Debug)]
pub struct Storage {
    root: PathBuf,
}

impl Storage {
    pub fn new(root: impl Into<PathBuf>) -> Self {
        Storage { root: root.into() }
    }

    /// Stores `bytes` under a fresh key in `folder` and returns the key.
    pub fn put(&self, folder: &str, bytes: &[u8]) -> io::Result<String> {
        let mut id = [0u8; 16];
        rand::thread_rng().fill_bytes(&mut id);
        let name: String = id.iter().map(|b| format!("{b:02x}")).collect();
        let key = format!("{folder}/{name}");
        let path = self.path(&key)?;
        if let Some(dir) = path.parent() {
            fs::create_dir_all(dir)?;
        }
        // Written aside and renamed, so a crash never leaves half a file under the key.
        let partial = path.with_extension("partial");
        let mut file = fs::File::create(&partial)?;
        file.write_all(bytes)?;
        file.sync_all()?;
        fs::rename(&partial, &path)?;
        Ok(key)
    }

    pub fn get(&self, key: &str) -> io::Result<Vec<u8>> {
        fs::read(self.path(key)?)
    }

    pub fn delete(&self, key: &str) -> io::Result<()> {
        match fs::remove_file(self.path(key)?) {
            Err(e) if e.kind() == io::ErrorKind::NotFound => Ok(()),
            other => other,
        }
    }

    /// Keys are ours, but refuse anything that could step outside the root all the same.
    fn path(&self, key: &str) -> io::Result<PathBuf> {
        let relative = Path::new(key);
        if relative
            .components()
            .all(|c| matches!(c, std::path::Component::Normal(_)))
        {
            Ok(self.root.join(relative))
        } else {
            Err(io::Error::new(
                io::ErrorKind::InvalidInput,
                "bad storage key",
            ))
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn stores_reads_and_deletes() {
        let dir = tempfile::tempdir().unwrap();
        let storage = Storage::new(dir.path());
        let key = storage.put("imports/1", b"hello").unwrap();
        assert!(key.starts_with("imports/1/"));
        assert_eq!(storage.get(&key).unwrap(), b"hello");
        storage.delete(&key).unwrap();
        storage.delete(&key).unwrap();
        assert!(storage.get(&key).is_err());
        assert!(storage.get("../etc/passwd").is_err());
        assert!(storage.get("/etc/passwd").is_err());
    }
}
