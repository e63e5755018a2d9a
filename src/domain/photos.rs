//! Photos live as files in the share's `FOTOS/` folder, named by the SHA-256 of their content
//! (spec note 8), with a PNG thumbnail beside each. A record holds the 32-byte hash. A photo is
//! written (temp file + rename) before the transaction that references it commits, so a crash
//! can leave at most an unreferenced photo, never a record pointing at nothing.

use std::path::{Path, PathBuf};

use super::records::PhotoId;
use super::{DResult, DomainError, invalid};

pub const PHOTOS_DIR: &str = "FOTOS";
pub const MAX_PHOTO_BYTES: usize = 8 << 20;
pub const THUMB_SIDE: u32 = 160;

pub fn hex(id: &PhotoId) -> String {
    id.iter().map(|b| format!("{b:02x}")).collect()
}

pub fn photo_path(share_dir: &Path, id: &PhotoId) -> PathBuf {
    share_dir.join(PHOTOS_DIR).join(hex(id))
}

pub fn thumb_path(share_dir: &Path, id: &PhotoId) -> PathBuf {
    share_dir
        .join(PHOTOS_DIR)
        .join(format!("{}.miniatura.png", hex(id)))
}

/// Reads a photo the user picked: refuses what is not an image or is too large.
pub fn read_photo_file(path: &Path) -> DResult<Vec<u8>> {
    let meta = std::fs::metadata(path).map_err(|e| {
        DomainError::Invalid(format!("no se puede leer la foto {}: {e}", path.display()))
    })?;
    if meta.len() as usize > MAX_PHOTO_BYTES {
        return invalid(format!(
            "la foto {} pesa {} KiB; el máximo es {} KiB",
            path.display(),
            meta.len() / 1024,
            MAX_PHOTO_BYTES / 1024
        ));
    }
    std::fs::read(path).map_err(|e| {
        DomainError::Invalid(format!("no se puede leer la foto {}: {e}", path.display()))
    })
}

/// Validates `bytes` as an image, stores it and its thumbnail in the share, returns its id.
pub fn store_photo(share_dir: &Path, bytes: &[u8]) -> DResult<PhotoId> {
    if bytes.len() > MAX_PHOTO_BYTES {
        return invalid(format!(
            "la foto pesa {} KiB; el máximo es {} KiB",
            bytes.len() / 1024,
            MAX_PHOTO_BYTES / 1024
        ));
    }
    let img = image::load_from_memory(bytes).map_err(|_| {
        DomainError::Invalid(
            "el archivo elegido no es una imagen (se aceptan JPG, PNG, WEBP, GIF y BMP)".into(),
        )
    })?;
    let id = super::password::sha256(bytes);
    let dir = share_dir.join(PHOTOS_DIR);
    let io = |e: std::io::Error| {
        DomainError::Storage(crate::storage::StorageError::io(
            PHOTOS_DIR,
            "guardar la foto",
            e,
        ))
    };
    std::fs::create_dir_all(&dir).map_err(io)?;
    let path = photo_path(share_dir, &id);
    if !path.exists() {
        write_atomically(&path, bytes).map_err(io)?;
    }
    let thumb = thumb_path(share_dir, &id);
    if !thumb.exists() {
        let small = img.thumbnail(THUMB_SIDE, THUMB_SIDE);
        let mut png = Vec::new();
        small
            .write_to(&mut std::io::Cursor::new(&mut png), image::ImageFormat::Png)
            .map_err(|e| DomainError::Invalid(format!("no se pudo hacer la miniatura: {e}")))?;
        write_atomically(&thumb, &png).map_err(io)?;
    }
    Ok(id)
}

fn write_atomically(path: &Path, bytes: &[u8]) -> std::io::Result<()> {
    let tmp = path.with_extension(format!("tmp{}", std::process::id()));
    {
        let f = std::fs::File::create(&tmp)?;
        use std::io::Write;
        (&f).write_all(bytes)?;
        f.sync_all()?;
    }
    std::fs::rename(&tmp, path)
}

/// The thumbnail's PNG bytes, if the photo exists.
pub fn load_thumb(share_dir: &Path, id: &PhotoId) -> Option<Vec<u8>> {
    std::fs::read(thumb_path(share_dir, id)).ok()
}

/// The photo's bytes (as stored), if the photo exists.
pub fn load_photo(share_dir: &Path, id: &PhotoId) -> Option<Vec<u8>> {
    std::fs::read(photo_path(share_dir, id)).ok()
}
