//! Files the server keeps (original uploads, later reports), behind one small interface rooted
//! at the data dir, so that it can later point at shared or object storage. Bank statements are
//! private: folders are created 0700 and files 0600, whatever the umask.

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
            create_private_dir(dir)?;
        }
        // Written aside and renamed, so a crash never leaves half a file under the key.
        let partial = path.with_extension("partial");
        let mut file = private_file_options().open(&partial)?;
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

    /// Deletes the files of records that are gone (an undone import, an expired preview, a
    /// deleted report, account or user). The records are already deleted, so a file that cannot
    /// be removed is logged rather than failing the request.
    pub fn delete_all<K: AsRef<str>>(&self, keys: impl IntoIterator<Item = K>) {
        for key in keys {
            let key = key.as_ref();
            if let Err(error) = self.delete(key) {
                tracing::warn!(%key, %error, "a stored file could not be deleted");
            }
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

/// Creates `dir` and any missing parents with mode 0700 (owner only).
pub fn create_private_dir(dir: &Path) -> io::Result<()> {
    let mut builder = fs::DirBuilder::new();
    builder.recursive(true);
    #[cfg(unix)]
    std::os::unix::fs::DirBuilderExt::mode(&mut builder, 0o700);
    builder.create(dir)
}

/// Options that create a new file with mode 0600 (owner only).
pub fn private_file_options() -> fs::OpenOptions {
    let mut options = fs::OpenOptions::new();
    options.write(true).create(true).truncate(true);
    #[cfg(unix)]
    std::os::unix::fs::OpenOptionsExt::mode(&mut options, 0o600);
    options
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
        #[cfg(unix)]
        {
            use std::os::unix::fs::PermissionsExt;
            let mode = |p: &Path| fs::metadata(p).unwrap().permissions().mode() & 0o777;
            let file = dir.path().join(&key);
            assert_eq!(mode(&file), 0o600);
            assert_eq!(mode(file.parent().unwrap()), 0o700);
            assert_eq!(mode(&dir.path().join("imports")), 0o700);
        }
        storage.delete(&key).unwrap();
        storage.delete(&key).unwrap();
        assert!(storage.get(&key).is_err());
        assert!(storage.get("../etc/passwd").is_err());
        assert!(storage.get("/etc/passwd").is_err());
    }
}
