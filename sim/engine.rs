//! The event queue: a priority queue of events ordered by `(time, sequence number)`, with
//! cancellation by id.
//!
//! **Ordering contract.** Every scheduled event is stamped with a sequence number that increases by
//! one per `schedule` call. Events pop in increasing `(time, seq)`: equal-time events run in the
//! order they were scheduled. Nothing else (payload, hash, address) influences the order, which is
//! what makes a run reproducible.
//!
//! **Cancellation.** `schedule` returns an `EventId` (slot, generation). `cancel` empties the slot
//! and bumps its generation; the heap entry stays behind as a tombstone and is skipped when it
//! reaches the top. Cancelling is O(1) and never searches the heap.
//!
//! **Invariant:** the engine knows nothing about agents, tasks or schedulers; it is generic over the
//! payload `E`. **Invariant:** in steady state it does not allocate: slots are recycled through a
//! free list and the heap keeps its capacity.

use crate::time::SimTime;
use std::cmp::Reverse;
use std::collections::BinaryHeap;

/// Identifies one scheduled event, for cancellation. Stale ids (the event ran or was cancelled)
/// are harmless: cancelling them does nothing.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct EventId {
    slot: u32,
    generation: u32,
}

#[derive(Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
struct Entry {
    time: SimTime,
    seq: u64,
    slot: u32,
    generation: u32,
}

struct Slot<E> {
    generation: u32,
    event: Option<E>,
}

/// A min-queue of events of type `E`.
pub struct EventQueue<E> {
    heap: BinaryHeap<Reverse<Entry>>,
    slots: Vec<Slot<E>>,
    free: Vec<u32>,
    next_seq: u64,
    /// Number of live (scheduled, not cancelled, not yet popped) events.
    live: usize,
}

impl<E> Default for EventQueue<E> {
    fn default() -> Self {
        Self::new()
    }
}

impl<E> EventQueue<E> {
    pub fn new() -> Self {
        EventQueue { heap: BinaryHeap::new(), slots: Vec::new(), free: Vec::new(), next_seq: 0, live: 0 }
    }

    /// Schedules `event` at `time`. The caller guarantees `time` is not before the current time of
    /// the loop that pops from this queue (the queue itself has no notion of "now").
    pub fn schedule(&mut self, time: SimTime, event: E) -> EventId {
        let slot = match self.free.pop() {
            Some(s) => {
                self.slots[s as usize].event = Some(event);
                s
            }
            None => {
                let s = u32::try_from(self.slots.len()).expect("more than 2^32 events scheduled at once");
                self.slots.push(Slot { generation: 0, event: Some(event) });
                s
            }
        };
        let generation = self.slots[slot as usize].generation;
        let seq = self.next_seq;
        self.next_seq += 1;
        self.heap.push(Reverse(Entry { time, seq, slot, generation }));
        self.live += 1;
        EventId { slot, generation }
    }

    /// Cancels a scheduled event; returns it if it was still pending.
    pub fn cancel(&mut self, id: EventId) -> Option<E> {
        let slot = self.slots.get_mut(id.slot as usize)?;
        if slot.generation != id.generation {
            return None;
        }
        let event = slot.event.take()?;
        slot.generation = slot.generation.wrapping_add(1);
        self.free.push(id.slot);
        self.live -= 1;
        Some(event)
    }

    /// Removes and returns the earliest live event.
    pub fn pop(&mut self) -> Option<(SimTime, E)> {
        while let Some(Reverse(entry)) = self.heap.pop() {
            let slot = &mut self.slots[entry.slot as usize];
            if slot.generation != entry.generation {
                continue; // tombstone of a cancelled event
            }
            let event = slot.event.take().expect("live slot holds an event");
            slot.generation = slot.generation.wrapping_add(1);
            self.free.push(entry.slot);
            self.live -= 1;
            return Some((entry.time, event));
        }
        None
    }

    /// The time of the earliest live event, dropping tombstones on the way.
    pub fn peek_time(&mut self) -> Option<SimTime> {
        while let Some(Reverse(entry)) = self.heap.peek() {
            if self.slots[entry.slot as usize].generation == entry.generation {
                return Some(entry.time);
            }
            self.heap.pop();
        }
        None
    }

    /// Number of live events.
    pub fn len(&self) -> usize {
        self.live
    }

    pub fn is_empty(&self) -> bool {
        self.live == 0
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn equal_times_pop_in_schedule_order() {
        let mut q = EventQueue::new();
        q.schedule(SimTime(5), "b1");
        q.schedule(SimTime(1), "a");
        q.schedule(SimTime(5), "b2");
        q.schedule(SimTime(5), "b3");
        let order: Vec<_> = std::iter::from_fn(|| q.pop()).map(|(_, e)| e).collect();
        assert_eq!(order, ["a", "b1", "b2", "b3"]);
    }

    #[test]
    fn cancel_skips_event_and_stale_ids_are_harmless() {
        let mut q = EventQueue::new();
        let a = q.schedule(SimTime(1), 'a');
        let _b = q.schedule(SimTime(2), 'b');
        assert_eq!(q.cancel(a), Some('a'));
        assert_eq!(q.cancel(a), None, "double cancel");
        let c = q.schedule(SimTime(0), 'c'); // reuses a's slot with a new generation
        assert_eq!(q.cancel(a), None, "stale id must not cancel the slot's new event");
        assert_eq!(q.len(), 2);
        assert_eq!(q.pop(), Some((SimTime(0), 'c')));
        assert_eq!(q.cancel(c), None, "popped event");
        assert_eq!(q.peek_time(), Some(SimTime(2)));
        assert_eq!(q.pop(), Some((SimTime(2), 'b')));
        assert!(q.pop().is_none() && q.is_empty());
    }
}
