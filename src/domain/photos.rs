//! Photos live in the share's `FOTOS/` folder, named by the SHA-256 of their content (spec
//! note 8), with a PNG thumbnail beside each (`<hex>.miniatura.png`). A record holds the
//! 32-byte hash. They are blobs of the storage layer's blob store (`storage::blobs`): every
//! byte goes through the share's backend, under the share's locks.
//!
//! A photo is part of the transaction that references it. It is checked and its thumbnail
//! made before the transaction, outside the lock ([`prepare`]); inside the write transaction,
//! once every rule of the operation has passed, the thumbnail and the photo are stored (each
//! written to a temporary name, fsynced and renamed); if the transaction is refused or fails to
//! commit, what it stored is removed. A crash between storing and committing can leave a photo
//! that no record names, never a record naming a missing photo: `check` reports such photos
//! and `repair` collects them.

use std::collections::HashSet;
use std::io::Cursor;
use std::path::Path;

use super::market::users_by_id;
use super::records::{PUBS_DAT, PhotoId, Publication};
use super::{DResult, DomainError, Market, invalid};
use crate::storage::blobs::BlobStore;
use crate::storage::check::SCAN_RUN;
use crate::storage::record::Slot;
use crate::storage::{Tx, WriteTx};

pub const PHOTOS_DIR: &str = "FOTOS";
pub const MAX_PHOTO_BYTES: usize = 8 << 20;
pub const THUMB_SIDE: u32 = 160;
pub const THUMB_SUFFIX: &str = ".miniatura.png";
/// The largest image accepted, checked from its header before anything is decoded: a small
/// file can declare a huge image (a "decompression bomb").
pub const MAX_SIDE: u32 = 12_000;
pub const MAX_PIXELS: u64 = 40_000_000;

const FORMATS: &str = "se aceptan JPG, PNG, WEBP, GIF y BMP";

pub fn hex(id: &PhotoId) -> String {
    id.iter().map(|b| format!("{b:02x}")).collect()
}

/// The id of a photo from its 64 hex digits.
pub fn parse_hex(s: &str) -> Option<PhotoId> {
    if s.len() != 64 || !s.bytes().all(|b| b.is_ascii_hexdigit()) {
        return None;
    }
    let mut id = [0u8; 32];
    for (i, b) in id.iter_mut().enumerate() {
        *b = u8::from_str_radix(&s[2 * i..2 * i + 2], 16).ok()?;
    }
    Some(id)
}

pub fn thumb_name(id: &PhotoId) -> String {
    format!("{}{THUMB_SUFFIX}", hex(id))
}

/// Reads a photo the user picked from their own disk (not the share): refuses what is too large
/// to be a photo before reading it.
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

/// A photo checked and ready to store: its id, its bytes and its thumbnail.
#[derive(Debug, Clone)]
pub struct PreparedPhoto {
    pub id: PhotoId,
    bytes: Vec<u8>,
    thumb: Vec<u8>,
}

fn too_large(w: u32, h: u32) -> DomainError {
    DomainError::Invalid(format!(
        "la imagen es demasiado grande ({w}×{h}; máximo {} megapíxeles y {MAX_SIDE} píxeles de lado)",
        MAX_PIXELS / 1_000_000
    ))
}

/// Decodes `bytes` as an image, refusing from the header alone an image larger than the limits.
pub fn decode(bytes: &[u8]) -> DResult<image::DynamicImage> {
    let reader = || {
        image::ImageReader::new(Cursor::new(bytes))
            .with_guessed_format()
            .map_err(|_| DomainError::Invalid(format!("el archivo no es una imagen ({FORMATS})")))
    };
    let r = reader()?;
    if r.format().is_none() {
        return invalid(format!("el archivo elegido no es una imagen ({FORMATS})"));
    }
    let (w, h) = r.into_dimensions().map_err(|_| {
        DomainError::Invalid(format!(
            "la imagen está dañada o en un formato que no se puede leer ({FORMATS})"
        ))
    })?;
    if w > MAX_SIDE || h > MAX_SIDE || w as u64 * h as u64 > MAX_PIXELS {
        return Err(too_large(w, h));
    }
    if w == 0 || h == 0 {
        return invalid("la imagen no tiene píxeles");
    }
    let mut r = reader()?;
    let mut limits = image::Limits::default();
    limits.max_image_width = Some(MAX_SIDE);
    limits.max_image_height = Some(MAX_SIDE);
    // Room for the largest accepted image with four 16-bit channels.
    limits.max_alloc = Some(MAX_PIXELS * 8 + (16 << 20));
    r.limits(limits);
    r.decode().map_err(|e| match e {
        image::ImageError::Limits(_) => too_large(w, h),
        _ => DomainError::Invalid(format!(
            "la imagen está dañada o en un formato que no se puede leer ({FORMATS})"
        )),
    })
}

/// Checks `bytes` as a photo (size, dimensions, decodable) and makes its thumbnail. Runs
/// outside any transaction: decoding is the slow part.
pub fn prepare(bytes: &[u8]) -> DResult<PreparedPhoto> {
    if bytes.len() > MAX_PHOTO_BYTES {
        return invalid(format!(
            "la foto pesa {} KiB; el máximo es {} KiB",
            bytes.len() / 1024,
            MAX_PHOTO_BYTES / 1024
        ));
    }
    let img = decode(bytes)?;
    Ok(PreparedPhoto {
        id: super::password::sha256(bytes),
        bytes: bytes.to_vec(),
        thumb: thumbnail_png(&img)?,
    })
}

/// The thumbnail of a stored photo (repair makes a missing one again).
pub fn thumbnail_of(bytes: &[u8]) -> DResult<Vec<u8>> {
    thumbnail_png(&decode(bytes)?)
}

fn thumbnail_png(img: &image::DynamicImage) -> DResult<Vec<u8>> {
    let small = img.thumbnail(THUMB_SIDE, THUMB_SIDE);
    let mut png = Vec::new();
    small
        .write_to(&mut Cursor::new(&mut png), image::ImageFormat::Png)
        .map_err(|e| DomainError::Invalid(format!("no se pudo hacer la miniatura: {e}")))?;
    Ok(png)
}

/// Every photo some record names (users' and publications').
pub(crate) fn referenced(tx: &mut impl Tx) -> DResult<HashSet<PhotoId>> {
    let mut out: HashSet<PhotoId> = users_by_id(tx)?
        .into_values()
        .map(|u| u.photo)
        .filter(|p| p != &[0; 32])
        .collect();
    for pos in 0..tx.slot_count(PUBS_DAT)? {
        if pos % SCAN_RUN == 0 {
            // In runs, each forgotten after it: the data file does not stay in memory.
            tx.forget(PUBS_DAT);
            tx.prefetch_range(PUBS_DAT, pos, pos + SCAN_RUN)?;
        }
        if let Slot::Live(b) = tx.slot(PUBS_DAT, pos)? {
            let p = Publication::decode(&b)?;
            if p.photo != [0; 32] {
                out.insert(p.photo);
            }
        }
    }
    tx.forget(PUBS_DAT);
    out.extend(super::gallery::referenced(tx)?);
    Ok(out)
}

/// Like [`referenced`], on files that may hold unreadable records (repair): those are
/// skipped, and the answer says whether any was (then the set may be incomplete).
pub(crate) fn referenced_readable(tx: &mut impl Tx) -> DResult<(HashSet<PhotoId>, bool)> {
    let mut out = HashSet::new();
    let mut complete = true;
    let (users, bad) = super::records::USERS.salvage(tx)?;
    complete &= bad.is_empty();
    for (k, v) in users {
        let u = super::records::User::decode(&k, &v);
        if u.photo != [0; 32] {
            out.insert(u.photo);
        }
    }
    for pos in 0..tx.slot_count(PUBS_DAT)? {
        match tx.slot(PUBS_DAT, pos) {
            Ok(Slot::Live(b)) => match Publication::decode(&b) {
                Ok(p) if p.photo != [0; 32] => {
                    out.insert(p.photo);
                }
                Ok(_) => {}
                Err(_) => complete = false,
            },
            Ok(Slot::Free { .. }) => {}
            Err(e) if e.is_damaged() => complete = false,
            Err(e) => return Err(e.into()),
        }
    }
    match super::gallery::referenced(tx) {
        Ok(g) => out.extend(g),
        Err(_) => complete = false,
    }
    Ok((out, complete))
}

/// What a photo folder holds, sorted out.
#[derive(Debug, Default, Clone)]
pub(crate) struct PhotoFolder {
    pub photos: Vec<PhotoId>,
    pub thumbs: Vec<PhotoId>,
    /// Temporary files a crash left, and names that are no photo of ours.
    pub strays: Vec<String>,
}

pub(crate) fn scan(tx: &impl Tx, blobs: &BlobStore) -> DResult<PhotoFolder> {
    let mut f = PhotoFolder::default();
    for name in blobs.list(tx)? {
        if let Some(id) = parse_hex(&name) {
            f.photos.push(id);
        } else if let Some(id) = name.strip_suffix(THUMB_SUFFIX).and_then(parse_hex) {
            f.thumbs.push(id);
        } else {
            f.strays.push(name);
        }
    }
    Ok(f)
}

impl Market {
    pub(crate) fn photo_store(&self) -> BlobStore {
        self.share().blobs(PHOTOS_DIR, MAX_PHOTO_BYTES as u64)
    }

    /// The thumbnail (PNG bytes) of photo `id`; `None` if the share does not have it.
    pub fn thumbnail(&self, id: &PhotoId) -> DResult<Option<Vec<u8>>> {
        let blobs = self.photo_store();
        self.read(|tx| Ok(blobs.get(tx, &thumb_name(id))?))
    }

    /// The photo `id` as it was stored; `None` if the share does not have it (or holds other
    /// bytes under its name: damage that `check` reports).
    pub fn photo(&self, id: &PhotoId) -> DResult<Option<Vec<u8>>> {
        let blobs = self.photo_store();
        let b = self.read(|tx| Ok(blobs.get(tx, &hex(id))?))?;
        Ok(b.filter(|b| &super::password::sha256(b) == id))
    }

    /// Runs `f` as a write transaction and, once `f` has passed every check and made its
    /// changes, stores `photo` in the same transaction. If the transaction is refused or does
    /// not commit, the photo files it created are removed (see the module comment).
    pub(crate) fn write_with_photo<T>(
        &self,
        photo: Option<&PreparedPhoto>,
        f: impl FnOnce(&mut WriteTx<'_>) -> DResult<T>,
    ) -> DResult<T> {
        match photo {
            None => self.write(f),
            Some(p) => self.write_with_photos(std::slice::from_ref(p), f),
        }
    }

    /// [`Self::write_with_photo`] for several photos at once (a listing's gallery, the demo's
    /// pictures in batches): all are stored in the one transaction, or none stays.
    pub(crate) fn write_with_photos<T>(
        &self,
        photos: &[PreparedPhoto],
        f: impl FnOnce(&mut WriteTx<'_>) -> DResult<T>,
    ) -> DResult<T> {
        if photos.is_empty() {
            return self.write(f);
        }
        let blobs = self.photo_store();
        let mut created: Vec<String> = Vec::new();
        let r = self.write(|tx| {
            let out = f(tx)?;
            for photo in photos {
                let thumb = thumb_name(&photo.id);
                let name = hex(&photo.id);
                let stored = blobs.put(tx, &thumb, &photo.thumb).and_then(|t| {
                    if t {
                        created.push(thumb);
                    }
                    blobs.put(tx, &name, &photo.bytes)
                });
                match stored {
                    Ok(true) => created.push(name),
                    Ok(false) => {}
                    Err(e) => {
                        for c in created.drain(..) {
                            let _ = blobs.remove(tx, &c);
                        }
                        return Err(e.into());
                    }
                }
            }
            Ok(out)
        });
        if r.is_err() && !created.is_empty() {
            // The commit failed after the photos were stored. Another terminal may have stored
            // and referenced the same photo since: remove one only if nothing names it.
            let _ = self.write(|tx| -> DResult<()> {
                let refs = referenced(tx)?;
                for photo in photos {
                    if !refs.contains(&photo.id) {
                        for c in [thumb_name(&photo.id), hex(&photo.id)] {
                            if created.contains(&c) {
                                blobs.remove(tx, &c)?;
                            }
                        }
                    }
                }
                Ok(())
            });
        }
        r
    }
}
