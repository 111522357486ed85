//! (server) Values derived from the database, kept while a version number the database keeps
//! (raised by triggers, whoever writes) stays where it was when they were computed. A bounded
//! number of entries, oldest out first, so endless distinct keys cost a fixed amount of memory.

use std::collections::{HashMap, VecDeque};
use std::hash::Hash;
use std::sync::{Arc, Mutex};

pub struct VersionedCache<K, V> {
    entries: Arc<Mutex<Entries<K, V>>>,
    capacity: usize,
}

// Not derived: a derive would ask K and V to be Clone.
impl<K, V> Clone for VersionedCache<K, V> {
    fn clone(&self) -> Self {
        VersionedCache { entries: self.entries.clone(), capacity: self.capacity }
    }
}

struct Entries<K, V> {
    /// The version the values were computed at.
    version: Option<i64>,
    values: HashMap<K, V>,
    order: VecDeque<K>,
}

impl<K: Eq + Hash + Clone, V: Clone> VersionedCache<K, V> {
    pub fn new(capacity: usize) -> Self {
        let entries = Entries { version: None, values: HashMap::new(), order: VecDeque::new() };
        VersionedCache { entries: Arc::new(Mutex::new(entries)), capacity }
    }

    fn lock(&self) -> std::sync::MutexGuard<'_, Entries<K, V>> {
        self.entries.lock().unwrap_or_else(|p| p.into_inner())
    }

    /// The value computed at `version`, if it is kept.
    pub fn get(&self, version: i64, key: &K) -> Option<V> {
        let entries = self.lock();
        (entries.version == Some(version)).then(|| entries.values.get(key).cloned()).flatten()
    }

    /// Keeps a value computed at `version` (read before computing: a change that lands
    /// meanwhile leaves it under the old version, which the next newer value drops).
    pub fn put(&self, version: i64, key: K, value: V) {
        let mut entries = self.lock();
        match entries.version {
            Some(current) if current > version => return,
            Some(current) if current == version => {}
            _ => {
                entries.version = Some(version);
                entries.values.clear();
                entries.order.clear();
            }
        }
        if entries.values.insert(key.clone(), value).is_none() {
            entries.order.push_back(key);
        }
        while entries.order.len() > self.capacity {
            if let Some(oldest) = entries.order.pop_front() {
                entries.values.remove(&oldest);
            }
        }
    }

    /// How many values are kept.
    pub fn len(&self) -> usize {
        self.lock().values.len()
    }

    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }
}

#[cfg(test)]
mod tests {
    use super::VersionedCache;

    #[test]
    fn a_new_version_forgets_every_value() {
        let cache = VersionedCache::new(8);
        cache.put(1, "harbour", 3);
        assert_eq!(cache.get(1, &"harbour"), Some(3));
        assert_eq!(cache.get(2, &"harbour"), None, "a value from before a change is not served after it");
        cache.put(2, "other", 1);
        assert_eq!((cache.get(1, &"harbour"), cache.get(2, &"harbour")), (None, None));
        // A slow computation that started before the change does not bring its old value back.
        cache.put(1, "harbour", 3);
        assert_eq!(cache.get(2, &"harbour"), None);
    }

    #[test]
    fn endless_distinct_keys_keep_a_bounded_number_of_values() {
        let cache = VersionedCache::new(100);
        for n in 0..1000 {
            cache.put(1, n, n);
        }
        assert_eq!(cache.len(), 100);
        assert_eq!(cache.get(1, &0), None, "the oldest went first");
        assert_eq!(cache.get(1, &999), Some(999));
    }
}
