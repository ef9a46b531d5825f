//! The dynamic value: one enum for every Python object.
//!
//! Small immutable values (None, bool, int that fits i64, float) live inline
//! so arithmetic on them never allocates; everything else sits behind an `Rc`
//! so `Clone` is a pointer copy and identity (`is`) is pointer equality.
//! Mutable containers use `RefCell`.  Objects that are rarer (functions,
//! classes, instances, iterators, generators, modules, descriptors) share one
//! `Obj` enum behind `Value::Obj` to keep the hot enum small.
//!
//! This file also holds the container internals whose iteration order is
//! observable: `Dict` (CPython's compact, insertion-ordered dict) and `Set`
//! (a faithful copy of CPython's setobject.c probing, so a set of ints prints
//! in the same order as CPython), and `StrMap`, the ordered attribute map
//! used for instance, class and module namespaces.

use crate::bigint::BigInt;
use std::cell::RefCell;
use std::collections::HashMap;
use std::rc::Rc;

pub type Kw = Vec<(String, Value)>;
pub type PyResult<T> = Result<T, PyErr>;
pub type NativeBody = dyn Fn(Vec<Value>, Kw) -> PyResult<Value>;

impl Default for Value {
    fn default() -> Value {
        Value::None
    }
}

/// The tag is a whole word (`repr(u64)`): a Value is then two aligned
/// words, and moving one is two word moves. With a one-byte tag the
/// compiler copied the seven padding bytes after it too, through unaligned
/// loads that straddle the two stores that wrote the value, and every such
/// move stalled the processor's store forwarding (a third of the time of an
/// attribute read went there).
#[derive(Clone)]
#[repr(u64)]
pub enum Value {
    None,
    Bool(bool),
    Int(i64),
    Float(f64),
    Big(Rc<BigInt>),
    Str(Rc<PyStr>),
    Bytes(Rc<Vec<u8>>),
    List(Rc<RefCell<Vec<Value>>>),
    Tuple(Rc<Vec<Value>>),
    Dict(Rc<RefCell<Dict>>),
    Set(Rc<RefCell<Set>>),
    FrozenSet(Rc<RefCell<Set>>),
    Obj(Rc<Obj>),
}

/// A Python str: UTF-8 text plus its length in code points.
pub struct PyStr {
    pub s: String,
    pub nchars: usize,
}

impl PyStr {
    pub fn new(s: String) -> PyStr {
        let nchars = if s.is_ascii() { s.len() } else { s.chars().count() };
        PyStr { s, nchars }
    }
    pub fn is_ascii(&self) -> bool {
        self.nchars == self.s.len()
    }
}

/// The exception raised through `PyResult`: the exception instance.
#[derive(Clone)]
pub struct PyErr {
    pub val: Value,
}

impl PyErr {
    pub fn value(&self) -> Value {
        self.val.clone()
    }
}

impl std::fmt::Debug for PyErr {
    fn fmt(&self, f: &mut std::fmt::Formatter) -> std::fmt::Result {
        let name = crate::object::type_name(&self.val);
        let msg = crate::ops::to_str(&self.val).unwrap_or_default();
        write!(f, "{}: {}", name, msg)
    }
}

pub enum Obj {
    Func(Function),
    Native(NativeFunc),
    Class(Class),
    Inst(Instance),
    /// A bound method: (self, function)
    Method(Value, Value),
    /// A method of a builtin type bound to its receiver, e.g. `"a".upper`.
    BMethod(Value, &'static str),
    Iter(RefCell<Iter>),
    Gen(crate::gen::Generator),
    Module(Module),
    Slice(Value, Value, Value),
    Range(i64, i64, i64),
    Property(Value, Value, Value, Value),
    StaticMethod(Value),
    ClassMethod(Value),
    Super(Value, Value),
    /// dict view: (dict, 0 keys / 1 values / 2 items)
    DictView(Value, u8),
    /// The ring buffer of a `collections.deque` instance (its payload).
    Deque(DequeData),
    Ellipsis,
    NotImplemented,
}

/// Positional/keyword parameter description of a generated function.
pub struct Params {
    pub name: &'static str,
    pub qualname: &'static str,
    pub args: &'static [&'static str],
    pub posonly: usize,
    pub npos: usize,
    pub star: bool,
    pub kwonly: usize,
    pub dstar: bool,
}

pub struct Function {
    pub params: &'static Params,
    pub defaults: Vec<Value>,
    pub kwdefaults: Vec<(&'static str, Value)>,
    pub body: Box<dyn Fn(&[Value]) -> PyResult<Value>>,
    pub dict: RefCell<StrMap>,
    pub name: RefCell<String>,
    pub qualname: RefCell<String>,
    pub doc: RefCell<Value>,
    pub module: RefCell<String>,
}

pub struct NativeFunc {
    pub name: String,
    /// Binds as a method when found on a class (like CPython method descriptors).
    pub binds: bool,
    pub f: Box<NativeBody>,
}

/// Builtin type tags: which native representation a class describes.
#[derive(Clone, Copy, PartialEq, Eq, Debug)]
pub enum BType {
    Object,
    Type,
    NoneType,
    Bool,
    Int,
    Float,
    Str,
    Bytes,
    List,
    Tuple,
    Dict,
    Set,
    FrozenSet,
    Function,
    BuiltinFunction,
    Method,
    Generator,
    Iterator,
    Module,
    Slice,
    Range,
    Property,
    StaticMethod,
    ClassMethod,
    Super,
    DictView,
    Ellipsis,
    NotImplementedType,
    BaseException,
    User,
}

pub struct Class {
    pub name: String,
    /// `name` as a Python str, made once (`type(x).__name__` is common on
    /// hot paths: reprs, dispatch on the class name)
    pub name_v: Value,
    pub qualname: String,
    pub module: String,
    pub bases: Vec<Value>,
    pub mro: ClassCell<Vec<Value>>,
    pub dict: ClassCell<StrMap>,
    /// The builtin type this class is (or the nearest builtin base it extends).
    pub base_kind: BType,
    /// True for the builtin types themselves.
    pub builtin: bool,
    /// Union of __slots__ over the MRO, when every class in it declares slots.
    pub slots: Option<Vec<String>>,
    /// Some class in the MRO holds a property (data descriptor); when false,
    /// instance attribute reads may consult the instance dict first.
    pub has_props: std::cell::Cell<bool>,
    /// What construction and attribute writes need to know about the
    /// class's special methods, recomputed when the class epoch moves.
    pub facts: RefCell<ClassFacts>,
    /// The most attributes an instance has held after `__init__`: new
    /// instances reserve that many dict entries up front.
    pub attr_hint: std::cell::Cell<u32>,
}

/// Facts about a class's special methods, valid while `epoch` equals the
/// class epoch (object::class_facts keeps them current).
#[derive(Clone, Default)]
pub struct ClassFacts {
    pub epoch: u64,
    /// A `__setattr__` other than object's is on the MRO.
    pub user_setattr: bool,
    /// `cls(...)` is object.__new__ then this plain user `__init__`.
    pub plain_init: Option<Value>,
    /// `cls()` is object.__new__ and object.__init__: a bare instance.
    pub bare: bool,
    /// How `bool(inst)` is answered (ops::truthy).
    pub truth: Truth,
    /// `len(inst)` is the deque's own `__len__`: the payload's length.
    pub len_deque: bool,
}

/// How an instance's truth value is found, from its class's dunders.
#[derive(Clone, Copy, PartialEq, Eq, Debug)]
pub enum Truth {
    /// `__bool__`/`__len__` to call (or a builtin base to ask).
    Slow,
    /// No `__bool__` and no `__len__` on the MRO: true (unless the
    /// instance carries a payload, which is asked).
    Always,
    /// No `__bool__`, and the deque's own `__len__`: the payload is
    /// non-empty.
    Deque,
}

impl Default for Truth {
    fn default() -> Truth {
        Truth::Slow
    }
}

/// A class's namespace or MRO: a `RefCell` whose every mutable borrow
/// advances the class epoch, so that the attribute lookup cache
/// (object::lookup) never serves a stale answer after a class changes.
pub struct ClassCell<T>(RefCell<T>);

crate::sites! {
    static CLASS_EPOCH: std::cell::Cell<u64> = std::cell::Cell::new(1);
}

/// Advances on every change to any class namespace or MRO.
#[inline]
pub fn class_epoch() -> u64 {
    crate::extra::pstatic(&CLASS_EPOCH, |e| e.get())
}

/// Moves the epoch on without a namespace change: a new class may sit at
/// the address of a freed one, and caches keyed by address must not take
/// it for the old.
pub fn bump_class_epoch() {
    crate::extra::pstatic(&CLASS_EPOCH, |e| e.set(e.get() + 1));
}

impl<T> ClassCell<T> {
    pub fn new(v: T) -> ClassCell<T> {
        ClassCell(RefCell::new(v))
    }
    #[inline]
    pub fn borrow(&self) -> std::cell::Ref<'_, T> {
        self.0.borrow()
    }
    #[inline]
    pub fn borrow_mut(&self) -> std::cell::RefMut<'_, T> {
        crate::extra::pstatic(&CLASS_EPOCH, |e| e.set(e.get() + 1));
        self.0.borrow_mut()
    }
}

pub struct ExcData {
    pub args: Value,
    pub cause: Value,
    pub context: Value,
    pub suppress: bool,
    pub tb: Vec<(&'static str, &'static str, u32)>,
}

/// The native state of one deque.
/// (Methods in stdlib/deque.rs.)
pub struct DequeData {
    pub items: RefCell<std::collections::VecDeque<Value>>,
    pub maxlen: std::cell::Cell<Option<usize>>,
    pub state: std::cell::Cell<u64>,
}

pub struct Instance {
    pub class: RefCell<Value>,
    pub dict: RefCell<StrMap>,
    pub exc: RefCell<Option<Box<ExcData>>>,
    /// Native payload for instances of builtin-derived classes and
    /// runtime-implemented stdlib types (deque, Counter, ...).
    pub payload: RefCell<Value>,
}

pub struct Module {
    pub name: String,
    pub file: String,
    pub dict: RefCell<StrMap>,
}

pub enum Iter {
    List(Value, usize),
    Tuple(Rc<Vec<Value>>, usize),
    Str(Rc<PyStr>, usize),
    Range(i64, i64, i64),
    Values(Vec<Value>, usize),
    DictKeys(Rc<RefCell<Dict>>, usize, usize, u8),
    Native(Box<dyn FnMut() -> PyResult<Option<Value>>>),
    /// Old-style sequence iteration through __getitem__.
    Seq(Value, i64),
    Done,
}

// ---------------------------------------------------------------- StrMap

/// FNV-1a: attribute names are short and trusted, SipHash is overkill.
#[derive(Default, Clone, Copy)]
pub struct FnvHasher(u64);

impl std::hash::Hasher for FnvHasher {
    #[inline]
    fn finish(&self) -> u64 {
        self.0
    }
    #[inline]
    fn write(&mut self, bytes: &[u8]) {
        let mut h = if self.0 == 0 { 0xcbf2_9ce4_8422_2325 } else { self.0 };
        for &b in bytes {
            h ^= b as u64;
            h = h.wrapping_mul(0x100_0000_01b3);
        }
        self.0 = h;
    }
}

pub type FnvBuild = std::hash::BuildHasherDefault<FnvHasher>;

/// Equality of two attribute names. Names are short: a byte loop settles
/// them without a call to memcmp (a function call in WASM, where most of
/// the time of a short compare goes to the call itself).
#[inline]
pub fn name_eq(a: &[u8], b: &[u8]) -> bool {
    if a.len() != b.len() {
        return false;
    }
    if a.len() > 24 {
        return a == b;
    }
    let mut i = 0;
    while i < a.len() {
        if a[i] != b[i] {
            return false;
        }
        i += 1;
    }
    true
}

/// Insertion-ordered map from attribute names to values.
///
/// Beside the entries sits one word per entry, the name's tag (length and
/// three of its bytes). A lookup scans these contiguous words and reads a
/// name's bytes only where the tag matches, which is once for a hit. Maps that grow
/// past a dozen names (module and class dicts) add a hash index.
#[derive(Default)]
pub struct StrMap {
    pub entries: Vec<(Rc<str>, Value)>,
    tags: Vec<u64>,
    index: Option<HashMap<Rc<str>, usize, FnvBuild>>,
}

const NAME_SLOTS: usize = 512;

thread_local! {
    static NAMES: RefCell<Vec<Option<Rc<str>>>> = const { RefCell::new(Vec::new()) };
}

/// The shared text of an attribute name: a direct-mapped table keyed by
/// the name's tag hands out one `Rc<str>` per name, so the thousandth
/// instance of a class stores its keys without allocating them (a name
/// pushed out of its slot by another is allocated afresh next time).
pub fn intern_name(k: &str, tag: u64) -> Rc<str> {
    let slot = (tag.wrapping_mul(0x9E37_79B9_7F4A_7C15) >> 40) as usize & (NAME_SLOTS - 1);
    NAMES.with(|n| {
        let mut n = n.borrow_mut();
        if n.is_empty() {
            n.resize(NAME_SLOTS, None);
        }
        if let Some(r) = &n[slot] {
            if name_eq(r.as_bytes(), k.as_bytes()) {
                return r.clone();
            }
        }
        let r: Rc<str> = Rc::from(k);
        n[slot] = Some(r.clone());
        r
    })
}

/// A name's tag: its length and its first, middle and last bytes (three
/// loads, no loop). Equal names have equal tags; a matching tag is then
/// confirmed on the bytes.
#[inline]
pub fn name_tag(k: &[u8]) -> u64 {
    let n = k.len();
    if n == 0 {
        return 0;
    }
    ((n as u64) << 32) | ((k[0] as u64) << 16) | ((k[n / 2] as u64) << 8) | k[n - 1] as u64
}

impl StrMap {
    pub fn new() -> StrMap {
        StrMap { entries: Vec::new(), tags: Vec::new(), index: None }
    }
    pub fn with_capacity(n: usize) -> StrMap {
        StrMap { entries: Vec::with_capacity(n), tags: Vec::with_capacity(n), index: None }
    }
    #[inline]
    fn pos(&self, k: &str) -> Option<usize> {
        match &self.index {
            Some(ix) => ix.get(k).copied(),
            None => {
                let kb = k.as_bytes();
                let t = name_tag(kb);
                self.tags.iter().enumerate().position(|(i, &x)| x == t && name_eq(self.entries[i].0.as_bytes(), kb))
            }
        }
    }
    #[inline]
    pub fn get(&self, k: &str) -> Option<Value> {
        self.pos(k).map(|i| self.entries[i].1.clone())
    }
    /// Where k is (an inline cache remembers it for the next instance).
    #[inline]
    pub fn position(&self, k: &str) -> Option<usize> {
        self.pos(k)
    }
    /// The value of k if it sits at position i (an inline cache's guess).
    #[inline]
    pub fn get_at(&self, i: usize, k: &str) -> Option<Value> {
        match self.tags.get(i) {
            Some(&t) if t == name_tag(k.as_bytes()) && name_eq(self.entries[i].0.as_bytes(), k.as_bytes()) => Some(self.entries[i].1.clone()),
            _ => None,
        }
    }
    /// Where k is, trying position `guess` first (an inline cache's guess).
    #[inline]
    pub fn position_from(&self, guess: usize, k: &str) -> Option<usize> {
        match self.tags.get(guess) {
            Some(&t) if t == name_tag(k.as_bytes()) && name_eq(self.entries[guess].0.as_bytes(), k.as_bytes()) => Some(guess),
            _ => self.pos(k),
        }
    }
    pub fn contains(&self, k: &str) -> bool {
        self.pos(k).is_some()
    }
    pub fn set(&mut self, k: &str, v: Value) {
        match self.pos(k) {
            Some(i) => self.entries[i].1 = v,
            None => self.push_absent(k, v),
        }
    }
    /// Adds k, which the caller knows is not in the map, at the end.
    pub fn push_absent(&mut self, k: &str, v: Value) {
        let name = intern_name(k, name_tag(k.as_bytes()));
        self.push_name(name, v);
    }
    /// push_absent with the key already made (an attribute-store site
    /// keeps its name's key).
    pub fn push_name(&mut self, name: Rc<str>, v: Value) {
        debug_assert!(self.pos(&name).is_none());
        let tag = name_tag(name.as_bytes());
        if let Some(ix) = &mut self.index {
            ix.insert(name.clone(), self.entries.len());
        }
        self.entries.push((name, v));
        self.tags.push(tag);
        if self.index.is_none() && self.entries.len() > 12 {
            self.reindex();
        }
    }
    fn reindex(&mut self) {
        let mut ix: HashMap<Rc<str>, usize, FnvBuild> = HashMap::default();
        for (i, (n, _)) in self.entries.iter().enumerate() {
            ix.insert(n.clone(), i);
        }
        self.index = Some(ix);
    }
    pub fn remove(&mut self, k: &str) -> Option<Value> {
        let i = self.pos(k)?;
        let (_, v) = self.entries.remove(i);
        self.tags.remove(i);
        if self.index.is_some() {
            self.reindex();
        }
        Some(v)
    }
    pub fn len(&self) -> usize {
        self.entries.len()
    }
}

// ---------------------------------------------------------------- Dict

/// CPython-style compact dict: a sparse index table into dense entries.
#[derive(Clone, Default)]
pub struct Dict {
    pub entries: Vec<Option<(Value, Value)>>,
    pub hashes: Vec<i64>,
    indices: Vec<i32>,
    pub used: usize,
}

const EMPTY: i32 = -1;
const DUMMY: i32 = -2;

impl Dict {
    pub fn new() -> Dict {
        Dict { entries: Vec::new(), hashes: Vec::new(), indices: Vec::new(), used: 0 }
    }
    pub fn len(&self) -> usize {
        self.used
    }
    /// Candidate entry positions whose hash equals `h`, in probe order.
    fn probe(&self, h: i64, mut f: impl FnMut(usize) -> bool) {
        if self.indices.is_empty() {
            return;
        }
        let mask = self.indices.len() - 1;
        let mut perturb = h as u64;
        let mut i = (h as u64 as usize) & mask;
        loop {
            let ix = self.indices[i];
            if ix == EMPTY {
                return;
            }
            if ix >= 0 && self.hashes[ix as usize] == h && self.entries[ix as usize].is_some() && f(ix as usize) {
                return;
            }
            perturb >>= 5;
            i = (i.wrapping_mul(5).wrapping_add(1).wrapping_add(perturb as usize)) & mask;
        }
    }
    pub fn find(&self, key: &Value, h: i64) -> PyResult<Option<usize>> {
        let mut found = None;
        let mut err = None;
        let mut slow = Vec::new();
        self.probe(h, |ix| {
            let k = &self.entries[ix].as_ref().unwrap().0;
            match crate::ops::fast_eq(k, key) {
                Some(true) => {
                    found = Some(ix);
                    true
                }
                Some(false) => false,
                None => {
                    slow.push((ix, k.clone()));
                    false
                }
            }
        });
        if found.is_some() {
            return Ok(found);
        }
        for (ix, k) in slow {
            match crate::ops::eq_bool(&k, key) {
                Ok(true) => return Ok(Some(ix)),
                Ok(false) => {}
                Err(e) => {
                    err = Some(e);
                    break;
                }
            }
        }
        match err {
            Some(e) => Err(e),
            None => Ok(None),
        }
    }
    fn slot_for_insert(&self, h: i64) -> usize {
        let mask = self.indices.len() - 1;
        let mut perturb = h as u64;
        let mut i = (h as u64 as usize) & mask;
        loop {
            if self.indices[i] < 0 {
                return i;
            }
            perturb >>= 5;
            i = (i.wrapping_mul(5).wrapping_add(1).wrapping_add(perturb as usize)) & mask;
        }
    }
    fn resize(&mut self) {
        // compact entries and rebuild the index table
        let mut ents = Vec::with_capacity(self.used);
        let mut hs = Vec::with_capacity(self.used);
        for (e, h) in self.entries.drain(..).zip(self.hashes.drain(..)) {
            if e.is_some() {
                ents.push(e);
                hs.push(h);
            }
        }
        self.entries = ents;
        self.hashes = hs;
        let mut size = 8;
        while size * 2 < (self.used + 1) * 3 {
            size <<= 1;
        }
        self.indices = vec![EMPTY; size];
        for i in 0..self.entries.len() {
            let s = self.slot_for_insert(self.hashes[i]);
            self.indices[s] = i as i32;
        }
    }
    /// Appends a key known to be absent.
    pub fn push_new(&mut self, k: Value, v: Value, h: i64) {
        if self.indices.is_empty() || (self.entries.len() + 1) * 3 > self.indices.len() * 2 {
            self.resize();
        }
        let s = self.slot_for_insert(h);
        self.indices[s] = self.entries.len() as i32;
        self.entries.push(Some((k, v)));
        self.hashes.push(h);
        self.used += 1;
    }
    pub fn remove_at(&mut self, ix: usize) -> (Value, Value) {
        let h = self.hashes[ix];
        let mask = self.indices.len() - 1;
        let mut perturb = h as u64;
        let mut i = (h as u64 as usize) & mask;
        loop {
            if self.indices[i] == ix as i32 {
                self.indices[i] = DUMMY;
                break;
            }
            perturb >>= 5;
            i = (i.wrapping_mul(5).wrapping_add(1).wrapping_add(perturb as usize)) & mask;
        }
        self.used -= 1;
        let e = self.entries[ix].take().unwrap();
        if self.used == 0 {
            self.entries.clear();
            self.hashes.clear();
            self.indices.clear();
        }
        e
    }
    pub fn clear(&mut self) {
        *self = Dict::new();
    }
    pub fn iter(&self) -> impl Iterator<Item = &(Value, Value)> {
        self.entries.iter().filter_map(|e| e.as_ref())
    }
    pub fn keys(&self) -> Vec<Value> {
        self.iter().map(|(k, _)| k.clone()).collect()
    }
    pub fn items(&self) -> Vec<(Value, Value)> {
        self.iter().cloned().collect()
    }
}

// ---------------------------------------------------------------- Set

#[derive(Clone)]
pub struct SEntry {
    pub hash: i64,
    pub key: Option<Value>,
    pub dummy: bool,
}

/// Open-addressing set with CPython's probe sequence and resize policy, so
/// iteration order matches CPython for ints (whose hashes are themselves).
#[derive(Clone)]
pub struct Set {
    pub table: Vec<SEntry>,
    pub fill: usize,
    pub used: usize,
}

const LINEAR_PROBES: usize = 9;

impl Default for Set {
    fn default() -> Set {
        Set::new()
    }
}

impl Set {
    pub fn new() -> Set {
        Set { table: vec![SEntry { hash: 0, key: None, dummy: false }; 8], fill: 0, used: 0 }
    }
    pub fn len(&self) -> usize {
        self.used
    }
    fn mask(&self) -> usize {
        self.table.len() - 1
    }
    pub fn find(&self, key: &Value, h: i64) -> PyResult<Option<usize>> {
        let mask = self.mask();
        let mut perturb = h as u64;
        let mut i = (h as u64 as usize) & mask;
        loop {
            let probes = if i + LINEAR_PROBES <= mask { LINEAR_PROBES } else { 0 };
            for j in 0..=probes {
                let e = &self.table[i + j];
                match &e.key {
                    None if !e.dummy => return Ok(None),
                    Some(k) if e.hash == h => {
                        let same = match crate::ops::fast_eq(k, key) {
                            Some(b) => b,
                            None => crate::ops::eq_bool(&k.clone(), key)?,
                        };
                        if same {
                            return Ok(Some(i + j));
                        }
                    }
                    _ => {}
                }
            }
            perturb >>= 5;
            i = (i.wrapping_mul(5).wrapping_add(1).wrapping_add(perturb as usize)) & mask;
        }
    }
    /// Adds `key`; returns false if it was already present.
    pub fn add(&mut self, key: Value, h: i64) -> PyResult<bool> {
        let mask = self.mask();
        let mut perturb = h as u64;
        let mut i = (h as u64 as usize) & mask;
        let mut freeslot: Option<usize> = None;
        let slot;
        'outer: loop {
            let probes = if i + LINEAR_PROBES <= mask { LINEAR_PROBES } else { 0 };
            for j in 0..=probes {
                let e = &self.table[i + j];
                match &e.key {
                    None if !e.dummy => {
                        slot = i + j;
                        break 'outer;
                    }
                    None => {
                        if freeslot.is_none() {
                            freeslot = Some(i + j);
                        }
                    }
                    Some(k) if e.hash == h => {
                        let same = match crate::ops::fast_eq(k, &key) {
                            Some(b) => b,
                            None => crate::ops::eq_bool(&k.clone(), &key)?,
                        };
                        if same {
                            return Ok(false);
                        }
                    }
                    _ => {}
                }
            }
            perturb >>= 5;
            i = (i.wrapping_mul(5).wrapping_add(1).wrapping_add(perturb as usize)) & mask;
        }
        if let Some(fs) = freeslot {
            self.table[fs] = SEntry { hash: h, key: Some(key), dummy: false };
            self.used += 1;
            return Ok(true);
        }
        self.table[slot] = SEntry { hash: h, key: Some(key), dummy: false };
        self.fill += 1;
        self.used += 1;
        if self.fill * 5 >= mask * 3 {
            let n = if self.used > 50000 { self.used * 2 } else { self.used * 4 };
            self.resize(n);
        }
        Ok(true)
    }
    fn insert_clean(table: &mut [SEntry], key: Value, h: i64) {
        let mask = table.len() - 1;
        let mut perturb = h as u64;
        let mut i = (h as u64 as usize) & mask;
        loop {
            if table[i].key.is_none() {
                table[i] = SEntry { hash: h, key: Some(key), dummy: false };
                return;
            }
            if i + LINEAR_PROBES <= mask {
                for j in 1..=LINEAR_PROBES {
                    if table[i + j].key.is_none() {
                        table[i + j] = SEntry { hash: h, key: Some(key), dummy: false };
                        return;
                    }
                }
            }
            perturb >>= 5;
            i = (i.wrapping_mul(5).wrapping_add(1).wrapping_add(perturb as usize)) & mask;
        }
    }
    pub fn resize(&mut self, minused: usize) {
        let mut size = 8;
        while size <= minused {
            size <<= 1;
        }
        let old = std::mem::replace(&mut self.table, vec![SEntry { hash: 0, key: None, dummy: false }; size]);
        for e in old {
            if let Some(k) = e.key {
                Set::insert_clean(&mut self.table, k, e.hash);
            }
        }
        self.fill = self.used;
    }
    pub fn remove_at(&mut self, i: usize) -> Value {
        let k = self.table[i].key.take().unwrap();
        self.table[i].dummy = true;
        self.table[i].hash = -1;
        self.used -= 1;
        k
    }
    pub fn clear(&mut self) {
        *self = Set::new();
    }
    pub fn iter(&self) -> impl Iterator<Item = &Value> {
        self.table.iter().filter_map(|e| e.key.as_ref())
    }
    pub fn entries(&self) -> Vec<(Value, i64)> {
        self.table.iter().filter_map(|e| e.key.as_ref().map(|k| (k.clone(), e.hash))).collect()
    }
    pub fn values(&self) -> Vec<Value> {
        self.iter().cloned().collect()
    }
    /// Merge another set's entries the way set_merge does (pre-sizing first).
    pub fn merge(&mut self, other: &Set) -> PyResult<()> {
        if other.used == 0 {
            return Ok(());
        }
        if (self.fill + other.used) * 5 >= self.mask() * 3 {
            self.resize((self.used + other.used) * 2);
        }
        if self.fill == 0 && self.table.len() == other.table.len() {
            // CPython copies the table verbatim in this case
            for (i, e) in other.table.iter().enumerate() {
                if e.key.is_some() {
                    self.table[i] = SEntry { hash: e.hash, key: e.key.clone(), dummy: false };
                }
            }
            self.fill = other.used;
            self.used = other.used;
            return Ok(());
        }
        for (k, h) in other.entries() {
            self.add(k, h)?;
        }
        Ok(())
    }
}

// ---------------------------------------------------------------- constructors

impl Value {
    #[inline]
    pub fn none() -> Value {
        Value::None
    }
    #[inline]
    pub fn bool(b: bool) -> Value {
        Value::Bool(b)
    }
    #[inline]
    pub fn int(i: i64) -> Value {
        Value::Int(i)
    }
    #[inline]
    pub fn float(f: f64) -> Value {
        Value::Float(f)
    }
    pub fn str(s: &str) -> Value {
        Value::Str(Rc::new(PyStr::new(s.to_string())))
    }
    pub fn string(s: String) -> Value {
        Value::Str(Rc::new(PyStr::new(s)))
    }
    pub fn ellipsis() -> Value {
        crate::object::singleton_ellipsis()
    }
    pub fn not_implemented() -> Value {
        crate::object::singleton_not_implemented()
    }
    pub fn obj(o: Obj) -> Value {
        Value::Obj(Rc::new(o))
    }
    #[inline]
    pub fn as_i64(&self) -> Option<i64> {
        match self {
            Value::Int(i) => Some(*i),
            Value::Bool(b) => Some(*b as i64),
            _ => None,
        }
    }
    #[inline]
    pub fn as_f64(&self) -> Option<f64> {
        match self {
            Value::Float(f) => Some(*f),
            _ => None,
        }
    }
    #[inline]
    pub fn as_bool_exact(&self) -> Option<bool> {
        match self {
            Value::Bool(b) => Some(*b),
            _ => None,
        }
    }
    #[inline]
    pub fn as_str(&self) -> Option<&str> {
        match self {
            Value::Str(s) => Some(&s.s),
            _ => None,
        }
    }
    #[inline]
    pub fn is_none(&self) -> bool {
        matches!(self, Value::None)
    }
}

impl std::fmt::Debug for Value {
    fn fmt(&self, f: &mut std::fmt::Formatter) -> std::fmt::Result {
        match crate::ops::repr(self) {
            Ok(s) => write!(f, "{}", s),
            Err(_) => write!(f, "<value>"),
        }
    }
}

impl From<i64> for Value {
    fn from(i: i64) -> Value {
        Value::Int(i)
    }
}
impl From<f64> for Value {
    fn from(f: f64) -> Value {
        Value::Float(f)
    }
}
impl From<bool> for Value {
    fn from(b: bool) -> Value {
        Value::Bool(b)
    }
}
impl From<&str> for Value {
    fn from(s: &str) -> Value {
        Value::str(s)
    }
}
impl From<String> for Value {
    fn from(s: String) -> Value {
        Value::string(s)
    }
}
