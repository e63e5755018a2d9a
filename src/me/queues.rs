//! Partial queues: many short FIFO queues sharing one item file, indexed by a compact head
//! table (MENSAJES.NTX over MENSAJES.DAT, one queue per (publication, buyer); VENTAS.CON over
//! VENTAS.DAT, one queue per buyer).
//!
//! ```text
//!   head table (MENSAJES.NTX)                      items (MENSAJES.DAT)
//!   +----------------------------------+  first   +-------+ next  +-------+ next
//!   | key (pub 12, buyer 5) last no. 2 |--------->| no. 1 |------>| no. 2 |--> NIL
//!   |                                  |--+       +-------+<------+-------+
//!   +----------------------------------+  | last              prev    ^
//!                                         +---------------------------+
//!   control file (MENSAJES.CON) fields: [0] heads ("Ultimo")  [1] items
//!   [2,3] deleted heads (head, length)  [4,5] deleted items (head, length)
//! ```
//!
//! Head slot (56 bytes): `0 u64 key a | 8 u64 key b | 16 u64 last number | 24 u64 first |
//! 32 u64 last | 40 u64 items | 48 i64 time of the last item (Unix ms)`.
//! Item slot: `0 u64 number | 8 u64 next | 16 u64 prev | 24 u64 head slot | 32.. payload`.

use std::collections::HashSet;

use crate::storage::codec::{Dec, Enc};
use crate::storage::record::{FreeHome, NIL, Slot};
use crate::storage::{Result, StorageError, Tx, WriteTx};

use super::Problems;

pub const HEAD_SIZE: u32 = 56;
pub const ITEM_PREFIX: usize = 32;
pub const CON_HEADS: usize = 0;
pub const CON_ITEMS: usize = 1;
pub const CON_FREE_HEADS: u16 = 2;
pub const CON_FREE_ITEMS: u16 = 4;

#[derive(Debug, Clone)]
pub struct PartialQueues {
    pub heads: &'static str,
    pub items: &'static str,
    /// The control file; may be the head file itself (VENTAS.CON).
    pub control: &'static str,
    pub payload_len: usize,
}

/// One queue's head entry.
#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize)]
pub struct Head {
    pub slot: u64,
    pub a: u64,
    pub b: u64,
    pub last_number: u64,
    pub first: u64,
    pub last: u64,
    pub count: u64,
    pub last_time_ms: i64,
}

/// One item of a queue.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Item {
    pub pos: u64,
    pub number: u64,
    pub next: u64,
    pub prev: u64,
    pub head: u64,
    pub payload: Vec<u8>,
}

impl Head {
    fn encode(&self) -> Vec<u8> {
        let mut b = vec![0u8; HEAD_SIZE as usize];
        let mut e = Enc::new(&mut b);
        e.u64(self.a)
            .u64(self.b)
            .u64(self.last_number)
            .u64(self.first)
            .u64(self.last)
            .u64(self.count);
        e.i64(self.last_time_ms);
        b
    }
    fn decode(slot: u64, b: &[u8]) -> Head {
        let mut d = Dec::new(b);
        Head {
            slot,
            a: d.u64(),
            b: d.u64(),
            last_number: d.u64(),
            first: d.u64(),
            last: d.u64(),
            count: d.u64(),
            last_time_ms: d.i64(),
        }
    }
}

impl PartialQueues {
    /// The record files of this structure and their slot payload sizes.
    pub fn files(&self) -> Vec<(&'static str, u32)> {
        let mut v = vec![(self.heads, HEAD_SIZE), (self.items, self.item_size())];
        if self.control != self.heads {
            v.insert(0, (self.control, 8));
        }
        v
    }

    fn item_size(&self) -> u32 {
        (ITEM_PREFIX + self.payload_len) as u32
    }

    fn encode_item(&self, it: &Item) -> Vec<u8> {
        let mut b = Vec::with_capacity(self.item_size() as usize);
        for v in [it.number, it.next, it.prev, it.head] {
            b.extend_from_slice(&v.to_le_bytes());
        }
        b.extend_from_slice(&it.payload);
        b
    }

    pub fn create(&self, tx: &mut WriteTx) -> Result<()> {
        if tx.exists(self.items)? {
            return Ok(());
        }
        let own = FreeHome::Control {
            file: self.control.into(),
            field: CON_FREE_HEADS,
        };
        if self.control != self.heads {
            tx.create_file(self.control, 8, FreeHome::Own)?;
        }
        tx.create_file(self.heads, HEAD_SIZE, own)?;
        tx.create_file(
            self.items,
            self.item_size(),
            FreeHome::Control {
                file: self.control.into(),
                field: CON_FREE_ITEMS,
            },
        )?;
        for f in [CON_FREE_HEADS, CON_FREE_ITEMS] {
            tx.set_control(self.control, f as usize, NIL)?;
        }
        Ok(())
    }

    pub fn head(&self, tx: &mut impl Tx, slot: u64) -> Result<Head> {
        Ok(Head::decode(slot, &tx.read(self.heads, slot)?))
    }

    /// Every queue head, in head-table order.
    pub fn all_heads(&self, tx: &mut impl Tx) -> Result<Vec<Head>> {
        tx.prefetch(self.heads)?;
        let n = tx.slot_count(self.heads)?;
        let mut out = Vec::new();
        for s in 0..n {
            if let Slot::Live(b) = tx.slot(self.heads, s)? {
                out.push(Head::decode(s, &b));
            }
        }
        Ok(out)
    }

    /// The head of queue (a, b), if it exists.
    pub fn find(&self, tx: &mut impl Tx, a: u64, b: u64) -> Result<Option<Head>> {
        Ok(self
            .all_heads(tx)?
            .into_iter()
            .find(|h| h.a == a && h.b == b))
    }

    pub fn item(&self, tx: &mut impl Tx, pos: u64) -> Result<Item> {
        let p = tx.read(self.items, pos)?;
        let mut d = Dec::new(&p);
        Ok(Item {
            pos,
            number: d.u64(),
            next: d.u64(),
            prev: d.u64(),
            head: d.u64(),
            payload: p[ITEM_PREFIX..ITEM_PREFIX + self.payload_len].to_vec(),
        })
    }

    /// The items of the queue at head slot `head`, first to last.
    pub fn items_of(&self, tx: &mut impl Tx, head: &Head) -> Result<Vec<Item>> {
        let slots = tx.slot_count(self.items)?;
        let mut out = Vec::with_capacity(head.count.min(slots) as usize);
        let mut pos = head.first;
        while pos != NIL {
            if out.len() as u64 > head.count {
                return Err(StorageError::corrupt(self.items, "una cola tiene un ciclo"));
            }
            let it = self.item(tx, pos)?;
            pos = it.next;
            out.push(it);
        }
        Ok(out)
    }

    /// Appends an item to queue (a, b), creating the queue if needed. Returns (head, item).
    pub fn push(
        &self,
        tx: &mut WriteTx,
        a: u64,
        b: u64,
        payload: &[u8],
        time_ms: i64,
    ) -> Result<(Head, Item)> {
        if payload.len() != self.payload_len {
            return Err(StorageError::Misuse(format!(
                "elemento de {} bytes, se esperaban {}",
                payload.len(),
                self.payload_len
            )));
        }
        let mut head = match self.find(tx, a, b)? {
            Some(h) => h,
            None => {
                let h = Head {
                    slot: 0,
                    a,
                    b,
                    last_number: 0,
                    first: NIL,
                    last: NIL,
                    count: 0,
                    last_time_ms: time_ms,
                };
                let slot = tx.alloc(self.heads, &h.encode())?;
                let n = tx.control(self.control, CON_HEADS)?;
                tx.set_control(self.control, CON_HEADS, n + 1)?;
                Head { slot, ..h }
            }
        };
        let mut item = Item {
            pos: 0,
            number: head.last_number + 1,
            next: NIL,
            prev: head.last,
            head: head.slot,
            payload: payload.to_vec(),
        };
        item.pos = tx.alloc(self.items, &self.encode_item(&item))?;
        if head.last != NIL {
            let mut prev = self.item(tx, head.last)?;
            prev.next = item.pos;
            tx.write(self.items, prev.pos, &self.encode_item(&prev))?;
        } else {
            head.first = item.pos;
        }
        head.last = item.pos;
        head.last_number = item.number;
        head.count += 1;
        head.last_time_ms = time_ms;
        tx.write(self.heads, head.slot, &head.encode())?;
        let n = tx.control(self.control, CON_ITEMS)?;
        tx.set_control(self.control, CON_ITEMS, n + 1)?;
        Ok((head, item))
    }

    /// Replaces an item's payload (an answer added to a question); `time_ms` updates the
    /// queue's last activity.
    pub fn update_item(
        &self,
        tx: &mut WriteTx,
        pos: u64,
        payload: &[u8],
        time_ms: i64,
    ) -> Result<()> {
        let mut it = self.item(tx, pos)?;
        if payload.len() != self.payload_len {
            return Err(StorageError::Misuse("tamaño de elemento incorrecto".into()));
        }
        it.payload = payload.to_vec();
        tx.write(self.items, pos, &self.encode_item(&it))?;
        let mut h = self.head(tx, it.head)?;
        h.last_time_ms = h.last_time_ms.max(time_ms);
        tx.write(self.heads, h.slot, &h.encode())
    }

    /// Unlinks one item from its queue (O(1)) and frees its slot; the head keeps its last
    /// number, so numbers are never given twice. A queue left empty loses its head too.
    pub fn remove_item(&self, tx: &mut WriteTx, pos: u64) -> Result<()> {
        let it = self.item(tx, pos)?;
        let mut head = self.head(tx, it.head)?;
        if it.prev != NIL {
            let mut prev = self.item(tx, it.prev)?;
            prev.next = it.next;
            tx.write(self.items, prev.pos, &self.encode_item(&prev))?;
        } else if head.first == pos {
            head.first = it.next;
        } else {
            return Err(StorageError::corrupt(
                self.items,
                "elemento sin anterior que no es el primero",
            ));
        }
        if it.next != NIL {
            let mut next = self.item(tx, it.next)?;
            next.prev = it.prev;
            tx.write(self.items, next.pos, &self.encode_item(&next))?;
        } else if head.last == pos {
            head.last = it.prev;
        } else {
            return Err(StorageError::corrupt(
                self.items,
                "elemento sin siguiente que no es el último",
            ));
        }
        tx.release(self.items, pos)?;
        let n = tx.control(self.control, CON_ITEMS)?;
        tx.set_control(self.control, CON_ITEMS, n.saturating_sub(1))?;
        head.count = head.count.saturating_sub(1);
        if head.count == 0 {
            tx.release(self.heads, head.slot)?;
            let h = tx.control(self.control, CON_HEADS)?;
            tx.set_control(self.control, CON_HEADS, h.saturating_sub(1))?;
        } else {
            tx.write(self.heads, head.slot, &head.encode())?;
        }
        Ok(())
    }

    /// Deletes a whole queue: its items and head go to the deleted lists.
    pub fn remove_queue(&self, tx: &mut WriteTx, head: &Head) -> Result<()> {
        let items = self.items_of(tx, head)?;
        for it in &items {
            tx.release(self.items, it.pos)?;
        }
        tx.release(self.heads, head.slot)?;
        let under = || StorageError::corrupt(self.control, "los contadores de colas no alcanzan");
        let n = tx.control(self.control, CON_ITEMS)?;
        let n = n.checked_sub(items.len() as u64).ok_or_else(under)?;
        tx.set_control(self.control, CON_ITEMS, n)?;
        let h = tx.control(self.control, CON_HEADS)?;
        tx.set_control(self.control, CON_HEADS, h.checked_sub(1).ok_or_else(under)?)?;
        Ok(())
    }

    pub fn check(&self, tx: &mut impl Tx) -> Result<Problems> {
        let mut p = Problems::new(self.heads);
        tx.prefetch(self.items)?;
        let n_items = tx.slot_count(self.items)?;
        let mut reached = HashSet::new();
        let mut keys = HashSet::new();
        let heads = self.all_heads(tx)?;
        let mut total = 0;
        for h in &heads {
            if !keys.insert((h.a, h.b)) {
                p.push(format!("cola ({}, {}) repetida", h.a, h.b));
            }
            let mut pos = h.first;
            let mut prev = NIL;
            let mut count = 0;
            let mut last_no = 0;
            while pos != NIL {
                if pos >= n_items || !reached.insert(pos) {
                    p.push(format!(
                        "cola ({}, {}): enlace inválido, ciclo o elemento compartido en {pos}",
                        h.a, h.b
                    ));
                    break;
                }
                let it = match tx.slot(self.items, pos)? {
                    Slot::Live(_) => self.item(tx, pos)?,
                    Slot::Free { .. } => {
                        p.push(format!(
                            "cola ({}, {}): enlaza el elemento borrado {pos}",
                            h.a, h.b
                        ));
                        break;
                    }
                };
                if it.prev != prev {
                    p.push(format!(
                        "elemento {pos}: anterior {} y debería ser {prev}",
                        it.prev
                    ));
                }
                if it.head != h.slot {
                    p.push(format!(
                        "elemento {pos}: dice pertenecer a la cola {} y está en la {}",
                        it.head, h.slot
                    ));
                }
                if it.number <= last_no {
                    p.push(format!(
                        "elemento {pos}: número {} fuera de secuencia",
                        it.number
                    ));
                }
                last_no = it.number;
                count += 1;
                prev = pos;
                pos = it.next;
            }
            if prev != h.last {
                p.push(format!(
                    "cola ({}, {}): el último registrado es {} y la cola termina en {prev}",
                    h.a, h.b, h.last
                ));
            }
            if count != h.count {
                p.push(format!(
                    "cola ({}, {}): dice tener {} elementos y tiene {count}",
                    h.a, h.b, h.count
                ));
            }
            if last_no > h.last_number {
                p.push(format!(
                    "cola ({}, {}): último número {} menor que el de sus elementos",
                    h.a, h.b, h.last_number
                ));
            }
            total += count;
        }
        for s in 0..n_items {
            if !reached.contains(&s) && matches!(tx.slot(self.items, s)?, Slot::Live(_)) {
                p.push(format!("elemento {s} ocupado pero fuera de toda cola"));
            }
        }
        if tx.control(self.control, CON_HEADS)? != heads.len() as u64 {
            p.push("el control no coincide con la cantidad de colas");
        }
        if tx.control(self.control, CON_ITEMS)? != total {
            p.push("el control no coincide con la cantidad de elementos");
        }
        Ok(p)
    }

    /// Repair: rebuilds every queue from its items. `owner` names an item's queue (a, b) from
    /// its payload when the payload tells (a sale names its buyer); otherwise the item's own
    /// head link decides, if that head is readable. Items of one queue are linked in number
    /// order (renumbered 1.. if their numbers repeat); heads get first, last, count and last
    /// number; unused and repeated heads are freed; both free lists and both counters are
    /// rebuilt. Returns the items no queue can claim (freed: they cannot be rebuilt).
    pub fn rebuild(
        &self,
        tx: &mut WriteTx,
        owner: impl Fn(&Item) -> Option<(u64, u64)>,
    ) -> Result<Vec<Item>> {
        use std::collections::BTreeMap;
        let n_heads = tx.slot_count(self.heads)?;
        let mut heads: BTreeMap<u64, Head> = BTreeMap::new();
        for s in 0..n_heads {
            if let Ok(Slot::Live(b)) = tx.slot(self.heads, s) {
                heads.insert(s, Head::decode(s, &b));
            }
        }
        let n_items = tx.slot_count(self.items)?;
        let mut queues: BTreeMap<(u64, u64), Vec<Item>> = BTreeMap::new();
        let mut orphans = Vec::new();
        for pos in 0..n_items {
            if let Ok(Slot::Live(_)) = tx.slot(self.items, pos) {
                let it = self.item(tx, pos)?;
                match owner(&it).or_else(|| heads.get(&it.head).map(|h| (h.a, h.b))) {
                    Some(k) => queues.entry(k).or_default().push(it),
                    None => orphans.push(it),
                }
            }
        }
        // One head per queue: the first readable head with that key, else a new one.
        let mut slot_of: BTreeMap<(u64, u64), Head> = BTreeMap::new();
        for h in heads.values() {
            if queues.contains_key(&(h.a, h.b)) {
                slot_of.entry((h.a, h.b)).or_insert(*h);
            }
        }
        let kept_heads: HashSet<u64> = slot_of.values().map(|h| h.slot).collect();
        tx.reset_slots(self.heads, |s, sl| sl.is_some() && kept_heads.contains(&s))?;
        let kept_items: HashSet<u64> = queues.values().flatten().map(|it| it.pos).collect();
        tx.reset_slots(self.items, |p, sl| sl.is_some() && kept_items.contains(&p))?;
        let mut total = 0u64;
        for (key, mut items) in queues {
            items.sort_by_key(|it| (it.number, it.pos));
            if items.windows(2).any(|w| w[0].number >= w[1].number) || items[0].number == 0 {
                for (i, it) in items.iter_mut().enumerate() {
                    it.number = i as u64 + 1;
                }
            }
            let mut head = match slot_of.get(&key) {
                Some(h) => *h,
                None => {
                    let h = Head {
                        slot: 0,
                        a: key.0,
                        b: key.1,
                        last_number: 0,
                        first: NIL,
                        last: NIL,
                        count: 0,
                        last_time_ms: 0,
                    };
                    Head {
                        slot: tx.alloc(self.heads, &h.encode())?,
                        ..h
                    }
                }
            };
            for i in 0..items.len() {
                let prev = if i == 0 { NIL } else { items[i - 1].pos };
                let next = items.get(i + 1).map_or(NIL, |it| it.pos);
                let it = &mut items[i];
                it.prev = prev;
                it.next = next;
                it.head = head.slot;
                tx.write(self.items, it.pos, &self.encode_item(it))?;
            }
            head.first = items[0].pos;
            head.last = items[items.len() - 1].pos;
            head.count = items.len() as u64;
            head.last_number = head.last_number.max(items[items.len() - 1].number);
            tx.write(self.heads, head.slot, &head.encode())?;
            total += head.count;
            slot_of.insert(key, head);
        }
        tx.set_control(self.control, CON_HEADS, slot_of.len() as u64)?;
        tx.set_control(self.control, CON_ITEMS, total)?;
        Ok(orphans)
    }
}
