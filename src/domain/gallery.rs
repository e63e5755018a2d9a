//! Up to six photos per listing. The first is the cover and is also the publication's own
//! photo field (what browse thumbnails and every older screen show); the whole ordered list
//! lives in `GALERIA.DAT`, a record file whose slot `p` belongs to the publication at
//! position `p` of `PUBLICADOS.DAT` (publications are never deleted, so positions are
//! stable). A publication without a gallery slot has just its cover, if any.
//!
//! Photos themselves are content-addressed files (spec note 8, `photos.rs`): storing one
//! twice stores it once.

use serde::Serialize;

use super::market::*;
use super::records::*;
use super::{DResult, Market, conflict, invalid};
use crate::storage::codec::{Dec, Enc};
use crate::storage::ident::now_ms;
use crate::storage::record::{FreeHome, Slot};
use crate::storage::{Tx, WriteTx};

pub const GALLERY: &str = "GALERIA.DAT";
pub const MAX_PHOTOS: usize = 6;
/// `0 u8 count | 1..8 zero | 8 + 32 k: photo k (k < 6) | 200..208 zero`.
pub const GALLERY_LEN: u32 = 208;

/// One photo of the list the editor sends: one the listing already has, or a new one.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum GalleryPhoto {
    /// A photo of the listing's current gallery, by its hex name.
    Existing(String),
    /// The bytes of a new photo (validated as an image and stored).
    New(Vec<u8>),
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct GalleryView {
    /// Photo names (hex SHA-256), the cover first.
    pub photos: Vec<String>,
}

fn encode(photos: &[PhotoId]) -> Vec<u8> {
    let mut b = vec![0u8; GALLERY_LEN as usize];
    let mut e = Enc::new(&mut b);
    e.u8(photos.len() as u8).zeros(7);
    for p in photos {
        e.bytes(p);
    }
    b
}

fn decode(b: &[u8]) -> Vec<PhotoId> {
    let mut d = Dec::new(b);
    let n = (d.u8() as usize).min(MAX_PHOTOS);
    d.skip(7);
    (0..n)
        .map(|_| d.bytes(32).try_into().expect("32"))
        .filter(|p: &PhotoId| p != &[0u8; 32])
        .collect()
}

/// The list stored in the gallery slot of the publication at position `pos`, if any.
pub(crate) fn stored(tx: &mut impl Tx, pos: u64) -> DResult<Option<Vec<PhotoId>>> {
    if !tx.exists(GALLERY)? || pos >= tx.slot_count(GALLERY)? {
        return Ok(None);
    }
    Ok(match tx.slot(GALLERY, pos)? {
        Slot::Live(b) => Some(decode(&b)).filter(|v| !v.is_empty()),
        Slot::Free { .. } => None,
    })
}

/// Every photo some gallery names (the photo store keeps them; `check` and `repair` ask).
pub(crate) fn referenced(tx: &mut impl Tx) -> DResult<Vec<PhotoId>> {
    let mut out = Vec::new();
    if !tx.exists(GALLERY)? {
        return Ok(out);
    }
    for pos in 0..tx.slot_count(GALLERY)? {
        if let Slot::Live(b) = tx.slot(GALLERY, pos)? {
            out.extend(decode(&b));
        }
    }
    Ok(out)
}

/// The photos of `p`, the cover first.
pub(crate) fn photos_of(tx: &mut impl Tx, p: &Publication) -> DResult<Vec<PhotoId>> {
    if let Some(v) = stored(tx, p.id - 1)?
        && v[0] == p.photo
    {
        return Ok(v);
    }
    Ok(if p.photo == [0; 32] {
        Vec::new()
    } else {
        vec![p.photo]
    })
}

/// Writes the gallery of `p` (and its cover into the publication) in the caller's
/// transaction. `photos` is already validated: at most six, stored, no repeats.
pub(crate) fn set_in_tx(tx: &mut WriteTx, p: &mut Publication, photos: &[PhotoId]) -> DResult<()> {
    if !tx.exists(GALLERY)? {
        tx.create_file(GALLERY, GALLERY_LEN, FreeHome::Own)?;
    }
    let pos = p.id - 1;
    let mut n = tx.slot_count(GALLERY)?;
    let empty = encode(&[]);
    while n < pos {
        tx.alloc(GALLERY, &empty)?;
        n += 1;
    }
    let bytes = encode(photos);
    if n == pos {
        tx.alloc(GALLERY, &bytes)?;
    } else {
        tx.write(GALLERY, pos, &bytes)?;
    }
    p.photo = photos.first().copied().unwrap_or([0; 32]);
    store_pub(tx, p)?;
    Ok(())
}

/// Checks `list` (at most six, no repeats) and prepares its new photos (outside any
/// transaction: decoding is the slow part). Returns the ids in order, each with whether it
/// was already stored, and the prepared new ones.
pub(crate) fn resolve(
    list: &[GalleryPhoto],
) -> DResult<(Vec<(PhotoId, bool)>, Vec<super::photos::PreparedPhoto>)> {
    if list.len() > MAX_PHOTOS {
        return invalid(format!(
            "una publicación admite hasta {MAX_PHOTOS} fotos y eligió {}",
            list.len()
        ));
    }
    let mut out: Vec<(PhotoId, bool)> = Vec::new();
    let mut new = Vec::new();
    for ph in list {
        let (id, existing) = match ph {
            GalleryPhoto::New(bytes) => {
                let p = super::photos::prepare(bytes)?;
                let id = p.id;
                new.push(p);
                (id, false)
            }
            GalleryPhoto::Existing(hex) => (parse_hex(hex)?, true),
        };
        if out.iter().any(|(o, _)| *o == id) {
            return invalid("la misma foto está dos veces");
        }
        out.push((id, existing));
    }
    Ok((out, new))
}

fn parse_hex(h: &str) -> DResult<PhotoId> {
    let h = h.trim();
    if h.len() != 64 || !h.bytes().all(|b| b.is_ascii_hexdigit()) {
        return invalid(format!("«{h}» no es el nombre de una foto"));
    }
    let mut id = [0u8; 32];
    for (i, b) in id.iter_mut().enumerate() {
        *b = u8::from_str_radix(&h[2 * i..2 * i + 2], 16).expect("hex");
    }
    Ok(id)
}

impl Market {
    /// The photos of publication `id`, the cover first (anyone may look).
    pub fn gallery(&self, id: u64) -> DResult<GalleryView> {
        self.read(|tx| {
            let p = load_pub(tx, id)?;
            Ok(GalleryView {
                photos: photos_of(tx, &p)?.iter().map(super::photos::hex).collect(),
            })
        })
    }

    /// Replaces the photos of the seller's publication `id` with `list` (in order, the cover
    /// first): new photos are stored, existing ones kept, the rest removed from the listing.
    /// Like any change to a listing, only while it is *publicado*.
    pub fn set_gallery(
        &self,
        s: &Session,
        id: u64,
        list: Vec<GalleryPhoto>,
    ) -> DResult<GalleryView> {
        let (resolved, new) = resolve(&list)?;
        let done = self.write_with_photos(&new, |tx| {
            let u = current(tx, s)?;
            let mut p = load_pub(tx, id)?;
            if p.seller != u.id {
                return super::denied(format!("la publicación {id} no es suya"));
            }
            if p.state != PubState::Published {
                return conflict(format!(
                    "la publicación {id} está en estado «{}»: no se puede modificar",
                    p.state.label()
                ));
            }
            let current_photos = photos_of(tx, &p)?;
            for (ph, existing) in &resolved {
                if *existing && !current_photos.contains(ph) {
                    return invalid("una de las fotos elegidas no es de esta publicación");
                }
            }
            let ids: Vec<PhotoId> = resolved.iter().map(|(p, _)| *p).collect();
            set_in_tx(tx, &mut p, &ids)?;
            p.updated_ms = now_ms();
            store_pub(tx, &p)?;
            tx.log_event(
                &u.email,
                "fotos-publicación",
                &format!("{id}: {} fotos", ids.len()),
            )?;
            let dropped: Vec<PhotoId> = current_photos
                .into_iter()
                .filter(|c| !ids.contains(c))
                .collect();
            Ok((
                GalleryView {
                    photos: ids.iter().map(super::photos::hex).collect(),
                },
                dropped,
            ))
        })?;
        // Photos taken off the listing go from the store once committed, if no record names
        // them any more (another listing or user may use the same picture). A crash before
        // this leaves a photo no record names: `check` reports it and `repair` deletes it.
        let (view, dropped) = done;
        if !dropped.is_empty() {
            let blobs = self.photo_store();
            self.write(|tx| -> DResult<()> {
                let refs = super::photos::referenced(tx)?;
                for ph in dropped.iter().filter(|ph| !refs.contains(*ph)) {
                    blobs.remove(tx, &super::photos::thumb_name(ph))?;
                    blobs.remove(tx, &super::photos::hex(ph))?;
                }
                Ok(())
            })?;
        }
        Ok(view)
    }
}
